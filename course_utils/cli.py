"""The student's command line: train the course's runs without opening a notebook.

    python -m course_utils reproduce baseline                 # quick profile: minutes
    python -m course_utils reproduce all --profile full       # every experiment on all 60,000 images
    python -m course_utils profiles                           # list the profiles

Maintainers' commands live in the repository's ``workshop`` package (``python -m workshop --help``).
"""
from __future__ import annotations

import argparse
import os
import sys

from .core.profiles import PROFILES, ProfileError, get_profile

EXIT_CODES = """exit codes:
  0  done
  1  a run or a notebook failed (the summary says which)
  2  bad input: an unknown run or profile, or a file that is not CIFAR-10 (the message names it)
  3  the machine refused: a permission, a missing folder, a full disk (the message names the path)
  4  busy: another process is training the same run; wait for it, its result is then reused
  130 stopped with Ctrl-C (the message says which epoch is saved)
Any other failure is a bug and shows its traceback: please report it.
"""

GROUPS = {  # names that stand for several runs
    "all": "every experiment: baseline, deeper and the augmented runs",
    "collapse": "both reproductions of the original augmented run (collapse_from_trained, collapse_from_untrained)",
    "demos": "the explainers' short slice runs (normalisation, dropout)",
}

_current: dict = {}  # the run being trained, for the one line that Ctrl-C ends with


def _reproduce_names(requested: list[str]) -> list[str]:
    from .training.collapse import COLLAPSE_DEMOS
    from .training.config import DEMOS, EXPERIMENTS

    groups = {"all": list(EXPERIMENTS), "collapse": list(COLLAPSE_DEMOS), "demos": list(DEMOS)}
    names = [name for item in requested for name in groups.get(item, [item])]
    unknown = [n for n in names if n not in EXPERIMENTS and n not in COLLAPSE_DEMOS and n not in DEMOS]
    if unknown:
        known = ", ".join([*GROUPS, *EXPERIMENTS, *COLLAPSE_DEMOS, *DEMOS])
        raise ValueError(f"unknown run {unknown[0]!r}: choose from {known}")
    return list(dict.fromkeys(names))


def _reproduce(args) -> int:
    from .core.course_home import run_folder, runs_dir
    from .data.loading import load_dataset
    from .notebook import quiet_logs
    from .training.collapse import COLLAPSE_DEMOS, run_collapse
    from .training.config import DEMOS, EXPERIMENTS, demo_config, with_precision, with_seed
    from .training.experiment import run_experiment

    quiet_logs()
    profile = get_profile(args.profile)
    names = _reproduce_names(args.experiment)
    data = load_dataset(args.data, profile=profile.name)
    print(f"profile {profile.name} ({profile.description}); {data.describe()}", flush=True)
    verbose = "auto" if sys.stdout.isatty() else 2
    for name in names:
        print(f"== {name}", flush=True)
        _current.update(name=name, folder=runs_dir() / run_folder(profile.name, data.kind) / name)
        if name in COLLAPSE_DEMOS:
            r = run_collapse(name, profile=profile, data=data, force=args.force, verbose=verbose)
            print(f"{name}: test loss {r['test_loss']:.4f} (ln 10 = {r['ln_10']:.4f}), test accuracy "
                  f"{r['test_accuracy']:.4f} on raw test pixels, {r['train_seconds']:.0f} s training", flush=True)
            continue
        experiment = demo_config(name, profile) if name in DEMOS else EXPERIMENTS[name]
        experiment = with_seed(with_precision(experiment, args.precision), args.seed)
        result = run_experiment(experiment, profile=profile, data=data, force=args.force, verbose=verbose,
                                data_parallel=args.data_parallel)
        r = result.results
        print(f"{name}: test accuracy {r['test_accuracy']:.4f} after {r['epochs_completed']} epochs, "
              f"{r['train_seconds']:.0f} s training, {r['images_per_second_median']:.0f} img/s, "
              f"peak RSS {r['peak_rss_mb']:.0f} MB" + (" (reused finished run)" if result.reused else ""),
              flush=True)
    _current.clear()
    return 0


def interrupted_line() -> str:
    """What Ctrl-C ends ``reproduce`` with: the run, the epoch its checkpoint holds, how to go on."""
    if not _current:
        return "stopped before any training began; run the same command again to start"
    import json

    from .training.checkpoints import saved_epoch

    name, folder = _current["name"], _current["folder"]
    if (folder / "state.json").is_file():  # a collapse reproduction counts both cells' epochs
        state = json.loads((folder / "state.json").read_text())
        epoch = len(state.get("first", [])) + len(state.get("continued", []))
    else:
        epoch = saved_epoch(folder / "checkpoints")
    if not epoch:
        return f"stopped: {name} had not finished an epoch, so nothing of it is saved; run the same command again to start it"
    return f"stopped: {name} is saved after epoch {epoch}; run the same command again to resume from there"


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
    rep.add_argument("--seed", type=int, help="another seed than the course's 42: runs named <run>_seed<N> "
                     "(the collapse reproductions keep theirs)")
    rep.add_argument("--data-parallel", action="store_true",
                     help="train on every local device with keras.distribution.DataParallel (JAX backend)")
    sub.add_parser("profiles", help="list the profiles")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return run_command(args, {"reproduce": _reproduce, "profiles": _profiles})


def _profiles(args) -> int:
    print("\n".join(f"{p.name:6} {p.description}" for p in PROFILES.values()))
    return 0


def run_command(args, commands: dict) -> int:
    """Run ``commands[args.command]``; the failures a user causes end in one line and an exit code."""
    from .core.startup import before_keras

    before_keras()
    try:
        if getattr(args, "profile", None):
            get_profile(args.profile)  # fail fast on a typo, before any data is loaded
            os.environ["COURSE_PROFILE"] = args.profile
        return commands[args.command](args)
    except KeyboardInterrupt:
        print(f"\n{interrupted_line()}", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        if "being trained by another process" not in str(exc):
            raise  # a bug: show its traceback
        return error_line(exc, 4)
    except OSError as exc:  # PermissionError, NotADirectoryError, a full disk...
        return error_line(exc, 3)
    except Exception as exc:  # noqa: BLE001 - only the kinds a user's input causes; the rest is a bug
        if isinstance(exc, (ProfileError, ValueError)) or type(exc).__name__ == "DecompressionBombError":
            return error_line(exc, 2)
        raise


def _os_error_hint(exc: OSError) -> str:
    """A refused write inside the course's home names COURSE_HOME, the one setting that moves it."""
    from pathlib import Path
    from .core.course_home import COURSE_HOME_HINT, course_home

    inside = isinstance(exc, PermissionError) and bool(exc.filename) and \
        Path(exc.filename).absolute().is_relative_to(course_home())
    return COURSE_HOME_HINT if inside else "check the path, its permissions and the free disk space"


def error_line(exc: BaseException, code: int) -> int:
    """One line on stderr, printable whatever the terminal's encoding and whatever bytes a path holds."""
    from .data.loading import printable

    text = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and exc.strerror:
        text = f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
        if code == 3:
            text += "; " + _os_error_hint(exc)
    line = printable(" ".join(text.split()))
    print(f"error: {line}", file=sys.stderr)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
