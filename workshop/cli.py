"""Command line for instructors and headless machines.

    python -m course_utils reproduce all --profile full      # train (or resume) every experiment
    python -m course_utils reproduce collapse --profile full # the original augmented run, reproduced
    python -m course_utils series --profile quick            # execute every notebook, write a summary
    python -m course_utils report --write                    # results table of the full runs -> README
    python -m course_utils profiles                          # list the profiles
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..core.profiles import PROFILES, ProfileError, get_profile

EXIT_CODES = """exit codes:
  0  done
  1  a run or a notebook failed (the summary says which)
  2  bad input: an unknown run or profile, or a file that is not CIFAR-10 (the message names it)
  3  the machine refused: a permission, a missing folder, a full disk (the message names the path)
  4  busy: another process is training the same run; wait for it, its result is then reused
Any other failure is a bug and shows its traceback: please report it.
"""


GROUPS = {  # names that stand for several runs
    "all": "every experiment: baseline, deeper and the augmented runs",
    "collapse": "both reproductions of the original augmented run (collapse_from_trained, collapse_from_untrained)",
    "demos": "the explainers' short slice runs (normalisation, dropout)",
}


def _reproduce_names(requested: list[str]) -> list[str]:
    from ..training.collapse import COLLAPSE_DEMOS
    from ..training.config import DEMOS, EXPERIMENTS

    groups = {"all": list(EXPERIMENTS), "collapse": list(COLLAPSE_DEMOS), "demos": list(DEMOS)}
    names = [name for item in requested for name in groups.get(item, [item])]
    unknown = [n for n in names if n not in EXPERIMENTS and n not in COLLAPSE_DEMOS and n not in DEMOS]
    if unknown:
        known = ", ".join([*GROUPS, *EXPERIMENTS, *COLLAPSE_DEMOS, *DEMOS])
        raise ValueError(f"unknown run {unknown[0]!r}: choose from {known}")
    return list(dict.fromkeys(names))


def _reproduce(args) -> int:
    from ..training.collapse import COLLAPSE_DEMOS, run_collapse
    from ..data.loading import load_dataset
    from ..training.config import DEMOS, EXPERIMENTS, demo_config, with_precision
    from ..training.experiment import run_experiment
    from ..notebook import quiet_logs

    quiet_logs()
    profile = get_profile(args.profile)
    names = _reproduce_names(args.experiment)
    data = load_dataset(args.data, profile=profile.name)
    print(f"profile {profile.name} ({profile.description}); {data.describe()}", flush=True)
    verbose = "auto" if sys.stdout.isatty() else 2
    for name in names:
        print(f"== {name}", flush=True)
        if name in COLLAPSE_DEMOS:
            r = run_collapse(name, profile=profile, data=data, force=args.force, verbose=verbose)
            print(f"{name}: test loss {r['test_loss']:.4f} (ln 10 = {r['ln_10']:.4f}), test accuracy "
                  f"{r['test_accuracy']:.4f} on raw test pixels, {r['train_seconds']:.0f} s training", flush=True)
            continue
        experiment = demo_config(name, profile) if name in DEMOS else EXPERIMENTS[name]
        experiment = with_precision(experiment, args.precision)
        result = run_experiment(experiment, profile=profile, data=data, force=args.force, verbose=verbose,
                                data_parallel=args.data_parallel)
        r = result.results
        print(f"{name}: test accuracy {r['test_accuracy']:.4f} after {r['epochs_completed']} epochs, "
              f"{r['train_seconds']:.0f} s training, {r['images_per_second_median']:.0f} img/s, "
              f"peak RSS {r['peak_rss_mb']:.0f} MB" + (" (reused finished run)" if result.reused else ""),
              flush=True)
    return 0


def _series(args) -> int:
    from .series import run_series

    return run_series(profile=get_profile(args.profile).name, out_dir=args.out, only=args.only,
                      inplace=args.inplace)


def _handouts(args) -> int:
    from .handouts import write_handouts

    for path in write_handouts(out_dir=args.out):
        print(f"wrote {path.as_posix()}")
    return 0


def _model_cards(args) -> int:
    from ..core.home import project_folder
    from .model_cards import MODELS, write_model_cards

    results = args.results or project_folder() / "results" / "full"
    out = args.out or project_folder() / "ethics" / "model-cards"
    return 0 if len(write_model_cards(results_dir=results, out_dir=out)) == len(MODELS) else 1


def _times(args) -> int:
    from ..notebook import project_root
    from .times import load_records, time_sentence, write_header_times

    root = project_root() or Path.cwd()
    if args.write:
        for path in write_header_times(root):
            print(f"wrote the measured time into {path.relative_to(root)}")
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
    from ..core.home import project_folder
    from .report import results_table, update_readme

    root = project_folder()
    print(update_readme(root / "README.md", root) if args.write
          else results_table(args.results or root / "results" / "full"), end="")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course_utils", description=__doc__.splitlines()[0],
                                     epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    rep = sub.add_parser("reproduce", help="train and evaluate the experiments, writing results/*.json")
    rep.add_argument("experiment", nargs="+", metavar="RUN",
                     help="runs to train, in order: an experiment (baseline, deeper, augmented, augmented_mild, "
                          "augmented_40), a reproduction of the original collapse (collapse_from_trained, "
                          "collapse_from_untrained), a slice demo, or a group: "
                          + "; ".join(f"'{k}' = {v}" for k, v in GROUPS.items()))
    rep.add_argument("--profile", help=f"one of {', '.join(PROFILES)} (default: $COURSE_PROFILE or quick)")
    rep.add_argument("--data", help="CIFAR-10 source (default: $CIFAR10_DIR, else the profile's default)")
    rep.add_argument("--force", action="store_true", help="retrain even if a finished run exists")
    rep.add_argument("--precision", choices=["fp32", "bf16"], default="fp32",
                     help="fp32 (default) or bf16 (mixed_bfloat16: runs named <run>_bf16; the collapse "
                          "reproductions always run in fp32, the precision of the failure they reproduce)")
    rep.add_argument("--data-parallel", action="store_true",
                     help="train on every local device with keras.distribution.DataParallel (JAX backend)")
    ser = sub.add_parser("series", help="execute every notebook headless and write a summary")
    ser.add_argument("--profile", help=f"one of {', '.join(PROFILES)} (default: $COURSE_PROFILE or quick)")
    ser.add_argument("--out", default="build/series", help="where executed notebooks go (default: build/series)")
    ser.add_argument("--only", nargs="*", help="notebook name prefixes to run, e.g. 01 02")
    ser.add_argument("--inplace", action="store_true",
                     help="write outputs into notebooks/ itself (maintainers, to refresh committed outputs)")
    sub.add_parser("profiles", help="list the profiles")
    han = sub.add_parser("handouts", help="write a student handout per ethics prompt (prompt + rubric)")
    han.add_argument("--out", default="build/handouts", help="where handouts go (default: build/handouts)")
    cards = sub.add_parser("model-cards", help="write model cards from the results files")
    cards.add_argument("--results", help="results folder (default: results/full of the project)")
    cards.add_argument("--out", help="where cards go (default: ethics/model-cards of the project)")
    times = sub.add_parser("times", help="the notebooks' times measured by the series runner (results/series/)")
    times.add_argument("--write", action="store_true", help="write them into the notebooks' headers")
    editions = sub.add_parser("editions", help="write the student and the instructor edition under build/")
    editions.add_argument("--out", default="build", help="where the editions go (default: build)")
    sub.add_parser("export", help="write the notebooks' #@save cells into course_utils/training/networks.py")
    site = sub.add_parser("site", help="build the course website (student edition, works offline) into build/site")
    site.add_argument("--out", help="where the site goes (default: build/site of the project)")
    rep_table = sub.add_parser("report", help="print the results table of the full runs")
    rep_table.add_argument("--results", help="results folder (default: results/full of the project)")
    rep_table.add_argument("--write", action="store_true", help="refresh every results table in README.md instead")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "profiles":
            for p in PROFILES.values():
                print(f"{p.name:6} {p.description}")
            return 0
        if getattr(args, "profile", None):
            get_profile(args.profile)  # fail fast on a typo, before any data is loaded
            os.environ["COURSE_PROFILE"] = args.profile
        return {"reproduce": _reproduce, "series": _series, "handouts": _handouts,
                "model-cards": _model_cards, "report": _report,
                "export": _export, "editions": _editions, "site": _site,
                "times": _times}[args.command](args)
    except RuntimeError as exc:
        if "being trained by another process" not in str(exc):
            raise  # a bug: show its traceback
        return _error(exc, 4)
    except OSError as exc:  # PermissionError, NotADirectoryError, a full disk...
        return _error(exc, 3)
    except Exception as exc:  # noqa: BLE001 - only the kinds a user's input causes; the rest is a bug
        if isinstance(exc, (ProfileError, ValueError)) or type(exc).__name__ == "DecompressionBombError":
            return _error(exc, 2)
        raise


def _error(exc: BaseException, code: int) -> int:
    """One line on stderr, printable whatever the terminal's encoding and whatever bytes a path holds."""
    from ..data.loading import printable

    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
        text += {3: "; check the path, its permissions and the free disk space"}.get(code, "")
    line = printable(" ".join(text.split()))
    print(f"error: {line}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
