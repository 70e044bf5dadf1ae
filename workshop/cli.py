"""The maintainers' command line: the series runner, the course's pages and its records.

    python -m workshop series --profile quick      # execute every notebook, write a summary under build/
    python -m workshop times --record              # the last complete series run's times -> results/series
    python -m workshop report --write              # results tables of the committed runs -> README
    python -m workshop editions                    # the student and the instructor edition under build/

Students train with ``python -m course_utils reproduce ...`` (:mod:`course_utils.cli`).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from course_utils.cli import EXIT_CODES, run_command
from course_utils.core.profiles import PROFILES, get_profile


def _series(args) -> int:
    from course_utils.notebook import native_stderr_silenced, quiet_logs

    quiet_logs()
    with native_stderr_silenced():  # the backend's start-up notices are not the series' output
        import keras  # noqa: F401
    from .series import run_series

    return run_series(profile=get_profile(args.profile).name, out_dir=args.out, only=args.only,
                      inplace=args.inplace)


def _handouts(args) -> int:
    from .handouts import write_handouts

    for path in write_handouts(out_dir=args.out):
        print(f"wrote {path.as_posix()}")
    return 0


def _model_cards(args) -> int:
    from course_utils.core.course_home import project_folder
    from .model_cards import MODELS, write_model_cards

    results = args.results or project_folder() / "results" / "full"
    out = args.out or project_folder() / "ethics" / "model-cards"
    return 0 if len(write_model_cards(results_dir=results, out_dir=out)) == len(MODELS) else 1


def _times(args) -> int:
    from course_utils.notebook import project_root
    from .times import load_records, record_from_build, time_sentence, write_header_times

    root = project_root() or Path.cwd()
    if args.record:
        for path in record_from_build(root, root / args.source):
            print(f"recorded {path.relative_to(root)}")
    if args.record or args.write:
        changed = write_header_times(root)
        for path in changed:
            print(f"wrote the measured time into {path.relative_to(root)}")
        print(f"{len(changed)} notebook header(s) changed")
        return 0
    records = load_records(root)
    for script in sorted((root / "notebooks").glob("[0-9][0-9]_*.py")):
        print(f"{script.stem}: {time_sentence(script.stem, records) or 'no complete record yet'}")
    return 0


def _site(args) -> int:
    from .site import build_site
    from .site_check import site_problems

    out = build_site(args.out)
    problems = site_problems(out)
    for problem in problems:
        print(f"site problem: {problem}", file=sys.stderr)
    print(f"site: {out} ({len(list(out.rglob('*.html')))} pages); open {out / 'index.html'}")
    return 1 if problems else 0


def _editions(args) -> int:
    from .editions import build_editions

    for name, path in build_editions(args.out).items():
        print(f"{name} edition: {path}")
    return 0


def _export(args) -> int:
    from .export import export

    print(f"wrote {export()}")
    return 0


def _report(args) -> int:
    from course_utils.core.course_home import project_folder
    from .report import PAGES, results_table, update_readme

    root = project_folder()
    if args.write:
        for page in PAGES:
            update_readme(root / page, root)
            print(f"refreshed the tables of {page}")
        return 0
    print(results_table(args.results or root / "results" / "full"), end="")
    return 0


def _law_date(args) -> int:
    import datetime as dt

    from .law_date import move_law_date, pages, settings, spoken, stated_dates

    if args.date:
        for path in move_law_date(dt.date.fromisoformat(args.date)):
            print(f"moved the law's date in {path.name}")
        return 0
    date = settings()["law_as_of"]
    print(f"the ethics pages state the law as of {spoken(date)}")
    for path in pages():
        other = sorted({d for d in stated_dates(path.read_text(encoding="utf-8")) if d != date})
        if other:
            print(f"{path.name} also states: {', '.join(map(spoken, other))}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m workshop", description=__doc__.splitlines()[0],
                                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ser = sub.add_parser("series", help="execute every notebook headless and write a summary")
    ser.add_argument("--profile", help=f"one of {', '.join(PROFILES)} (default: $COURSE_PROFILE or quick)")
    ser.add_argument("--out", default="build/series", help="where executed notebooks go (default: build/series)")
    ser.add_argument("--only", nargs="*", help="notebook name prefixes to run, e.g. 01 02")
    ser.add_argument("--inplace", action="store_true",
                     help="write outputs into notebooks/ itself (maintainers, to refresh committed outputs)")
    han = sub.add_parser("handouts", help="write a student handout per ethics prompt (prompt + rubric)")
    han.add_argument("--out", default="build/handouts", help="where handouts go (default: build/handouts)")
    cards = sub.add_parser("model-cards", help="write model cards from the results files")
    cards.add_argument("--results", help="results folder (default: results/full of the project)")
    cards.add_argument("--out", help="where cards go (default: ethics/model-cards of the project)")
    times = sub.add_parser("times", help="the notebooks' times measured by the series runner (results/series/)")
    times.add_argument("--write", action="store_true", help="write them into the notebooks' headers")
    times.add_argument("--record", action="store_true",
                       help="copy the last complete series run's record (build/series) into results/series, "
                            "then write the headers")
    times.add_argument("--source", default="build/series", help="where --record reads (default: build/series)")
    editions = sub.add_parser("editions", help="write the student and the instructor edition under build/")
    editions.add_argument("--out", default="build", help="where the editions go (default: build)")
    sub.add_parser("export", help="write the notebooks' #@save cells into course_utils/training/networks.py")
    site = sub.add_parser("site", help="build the course website (student edition, works offline) into build/site")
    site.add_argument("--out", help="where the site goes (default: build/site of the project)")
    law = sub.add_parser("law-date", help="the date the ethics pages state the law as of; with a date, move it")
    law.add_argument("date", nargs="?", help="YYYY-MM-DD: the day you re-checked the law (not after today)")
    rep_table = sub.add_parser("report", help="print the results table of the full runs")
    rep_table.add_argument("--results", help="results folder (default: results/full of the project)")
    rep_table.add_argument("--write", action="store_true", help="refresh every results table in README.md instead")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run_command(args, {"series": _series, "handouts": _handouts, "model-cards": _model_cards,
                              "report": _report, "export": _export, "editions": _editions, "site": _site,
                              "times": _times, "law-date": _law_date})


if __name__ == "__main__":
    raise SystemExit(main())
