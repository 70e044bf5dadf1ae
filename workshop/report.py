"""The results tables: our runs beside the published figures, for the README and notebook 05.

    python -m workshop report            # print the table of results/full
    python -m workshop report --write    # refresh every marked table in README.md

README.md marks each table with ``<!-- results:start -->`` (results/full) or
``<!-- results:NAME:start -->`` (results/NAME), and the matching end marker; benchmarks/README.md
marks the seed tables with ``<!-- seeds:NAME:start -->`` (every seed in results/NAME, grouped).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from course_utils.core.atomic import write_text_atomic

# Published test accuracies. Book: Gulli and Pal, "Deep Learning with Keras" (Packt, 2017), ch. 3.
# "Re-runs" are independent re-runs of the book's code. The deeper and mild-augmentation figures are
# the two runs logged in RM1708/Deep-Learning-with-Keras, Chapter03/Output-keras_CIFAR10_V1.txt
# (0.7576 and 0.7877 after 40 epochs); the augmentation run there used the mild settings, so it is
# the reference of augmented_mild, not of the original (strong) settings, which have none.
REFERENCES = {
    "baseline": {"book": 0.664, "book_epochs": 20, "rerun": 0.668, "rerun_epochs": 20},
    "deeper": {"book": None, "book_epochs": None, "rerun": 0.758, "rerun_epochs": 40},
    "augmented": None,
    "augmented_40": None,
    "augmented_mild": {"book": None, "book_epochs": None, "rerun": 0.788, "rerun_epochs": 40},
}
ORDER = ("baseline", "deeper", "augmented", "augmented_mild", "augmented_40")
START, END = "<!-- results:start -->", "<!-- results:end -->"
# Every marked block: its optional folder name (None: results/full) and its current text.
BLOCK = re.compile(r"<!-- results:(?:([\w.-]+):)?start -->\n(.*?)<!-- results:(?:\1:)?end -->", flags=re.S)


def load_results(results_dir: str | Path = "results/full") -> dict[str, dict]:
    """Every experiment's results JSON in ``results_dir``, by name, in the series' order.

    The reproductions of the original collapse (``"kind": "collapse_demo"``) are not experiments
    with a test accuracy to compare, so they are left out.
    """
    found = {}
    for path in sorted(Path(results_dir).glob("*.json")):
        results = json.loads(path.read_text())
        if results.get("kind") != "collapse_demo":
            found[results["experiment"]] = results
    order = list(ORDER) + sorted(set(found) - set(ORDER))
    return {name: found[name] for name in order if name in found}


def _reference(name: str) -> str:
    ref = REFERENCES.get(name)
    if not ref:
        return "-"
    parts = []
    if ref["book"] is not None:
        parts.append(f"{ref['book']:.3f} (book, {ref['book_epochs']} ep.)")
    parts.append(f"{ref['rerun']:.3f} (re-run, {ref['rerun_epochs']} ep.)")
    return "; ".join(parts)


def results_table(results_dir: str | Path = "results/full") -> str:
    """A markdown table of the runs in ``results_dir``; says so plainly when there are none."""
    results = load_results(results_dir)
    if not results:
        shown = "/".join(Path(results_dir).parts[-2:])
        return f"_No finished runs in `{shown}` yet._\n"
    # Two narrow tables, not one wide one: what each run scored, then what it cost (a website page is
    # about 90 characters wide); the data goes in one sentence when every run used the same.
    rows = ["| run | parameters | train images | epochs | test accuracy (95% interval) | published |",
            "|---|---|---|---|---|---|"]
    costs = ["| run | training time | images/s (median) | peak RSS |", "|---|---|---|---|"]
    labels = {name: data_label(r["data"]) for name, r in results.items()}
    one_data = len(set(labels.values())) == 1
    if not one_data:
        costs = [costs[0] + " data |", costs[1] + "---|"]
    for name, r in results.items():
        images = (r.get("config") or {}).get("train_images") or r["data"]["train_images"]
        rows.append(f"| {name} | {r['parameters']:,} | {images:,} | {r['epochs_completed']} | {accuracy_cell(r)} | "
                    f"{_reference(name)} |")
        costs.append(f"| {name} | {_duration(r['train_seconds'])} | {r['images_per_second_median']:.0f} | "
                     f"{r['peak_rss_mb'] / 1024:.2f} GB |" + ("" if one_data else f" {labels[name]} |"))
    rows += ["", *costs]
    if one_data:
        rows += ["", f"Data: {next(iter(labels.values()))}."]
    first = next(iter(results.values()))
    versions = ", ".join(f"{k} {v}" for k, v in first["versions"].items())
    rows.append("")
    machine = first["machine"]
    accelerator = machine.get("accelerator", "cpu")
    where = f"{machine['cpus']} CPU cores" if accelerator == "cpu" else f"one {accelerator} GPU and {machine['cpus']} CPU cores"
    rows.append(f"Measured on {where} ({system(machine)}) with {versions}.")
    return "\n".join(rows) + "\n"


def accuracy_cell(results: dict) -> str:
    """``0.6684 (0.659-0.678)``: the test accuracy and its 95% Wilson interval over the test images."""
    from course_utils.training.stats import wilson_interval

    matrix = results.get("confusion_matrix")
    if not matrix:
        return f"{results['test_accuracy']:.4f}"
    low, high = wilson_interval(sum(matrix[i][i] for i in range(len(matrix))), sum(map(sum, matrix)))
    return f"{results['test_accuracy']:.4f} ({low:.3f}-{high:.3f})"


def system(machine: dict) -> str:
    """The kind of machine, not the machine: ``Linux x86_64`` from a recorded platform string."""
    return " ".join(filter(None, [str(machine.get("platform", "")).split("-")[0], machine.get("processor")]))


def data_label(data: dict) -> str:
    """The data a run used, by what it is (older records without a name: their file's name)."""
    name = data.get("name") or Path(str(data.get("source"))).name
    return f"{name} (sha256 {data['sha256'][:12]})"


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


SEEDS = re.compile(r"<!-- seeds:([\w.-]+):start -->\n(.*?)<!-- seeds:\1:end -->", flags=re.S)
PAGES = ("README.md", "benchmarks/README.md")  # the pages whose marked tables report --write refreshes


def seeds_table(results_dir: str | Path) -> str:
    """Each experiment's test accuracy over its seeds (``<run>`` is seed 42, ``<run>_seedN`` seed N).

    A folder named ``<name>-seeds`` keeps further seeds of runs whose seed 42 stays in ``results/<name>``
    (so that the results table there is not crowded); a run it holds no seed 42 of takes that one from
    there.
    """
    runs: dict[str, dict[int, float]] = {}
    for name, r in load_results(results_dir).items():
        match = re.fullmatch(r"(.*?)(?:_seed(\d+))?", name)
        runs.setdefault(match.group(1), {})[int(match.group(2) or r["config"]["seed"])] = r["test_accuracy"]
    folder = Path(results_dir)
    if folder.name.endswith("-seeds"):
        base = load_results(folder.with_name(folder.name.removesuffix("-seeds")))
        for name, accuracies in runs.items():
            if 42 not in accuracies and name in base:
                accuracies[42] = base[name]["test_accuracy"]
    rows = ["| experiment | seeds | mean test accuracy | lowest | highest | spread | each seed |",
            "|---|---|---|---|---|---|---|"]
    for name in [n for n in ORDER if n in runs] + sorted(set(runs) - set(ORDER)):
        accuracies = runs[name]
        values = list(accuracies.values())
        rows.append(f"| {name} | {len(values)} | {sum(values) / len(values):.4f} | {min(values):.4f} | "
                    f"{max(values):.4f} | {100 * (max(values) - min(values)):.1f} points | "
                    + ", ".join(f"{seed}: {a:.4f}" for seed, a in sorted(accuracies.items())) + " |")
    return "\n".join(rows) + "\n"


PAIRED = re.compile(r"<!-- paired:([\w.-]+):(\w+):(\w+):start -->\n(.*?)<!-- paired:\1:\2:\3:end -->", flags=re.S)


def paired_table(results_dir: str | Path, first: str, second: str) -> str:
    """Seed by seed, ``first`` against ``second`` on the same test images: the images only one of them
    got right (b, c) and the exact McNemar p-value, from the predictions stored beside each run.

    A ``<name>-seeds`` folder takes seed 42's predictions from ``results/<name>``, as :func:`seeds_table`
    takes its accuracy."""
    import numpy as np

    from course_utils.training.stats import discordant, mcnemar_exact

    folder = Path(results_dir)

    def stored(name: str, suffix: str):
        path = folder / f"{name}{suffix}.predictions.npz"
        if not path.exists() and not suffix and folder.name.endswith("-seeds"):
            path = folder.with_name(folder.name.removesuffix("-seeds")) / path.name
        # stated, though it is NumPy's default (None and leaving it out are equivalent mutants, not made)
        return np.load(path, allow_pickle=False)  # pragma: no mutate

    rows = [f"| seed | {first} | {second} | only {first} right (b) | only {second} right (c) | McNemar p |",
            "|---|---|---|---|---|---|"]
    seeds = sorted({42} | {int(p.stem.rsplit("_seed", 1)[1]) for p in folder.glob(f"{first}_seed*.json")})
    for seed in seeds:
        suffix = "" if seed == 42 else f"_seed{seed}"
        a, b = (stored(name, suffix) for name in (first, second))
        only_a, only_b = discordant(a["label"], a["predicted"], b["predicted"])
        accuracy = [float(np.mean(p["predicted"] == p["label"])) for p in (a, b)]
        rows.append(f"| {seed} | {accuracy[0]:.4f} | {accuracy[1]:.4f} | {only_a} | {only_b} | "
                    f"{mcnemar_exact(only_a, only_b):.3g} |")
    return "\n".join(rows) + "\n"


def readme_blocks(text: str) -> list[tuple[str, str]]:
    """(results folder, table text) for every marked block in a README's text."""
    return [(f"results/{name or 'full'}", body) for name, body in BLOCK.findall(text)]


def update_readme(readme: str | Path = "README.md", root: str | Path = ".") -> str:
    """Regenerate every marked table in ``readme`` from its results folder; return the new tables."""
    readme = Path(readme)
    text = readme.read_text()
    if not BLOCK.search(text) and not SEEDS.search(text) and not PAIRED.search(text):
        raise ValueError(f"{readme} has no {START} ... {END} markers; add them where the table belongs")

    def fresh(match: re.Match) -> str:
        name = match.group(1)
        table = results_table(Path(root) / "results" / (name or "full"))
        tag = f"results:{name}:" if name else "results:"
        return f"<!-- {tag}start -->\n{table}<!-- {tag}end -->"

    text = PAIRED.sub(lambda m: f"<!-- paired:{m.group(1)}:{m.group(2)}:{m.group(3)}:start -->\n"
                      f"{paired_table(Path(root) / 'results' / m.group(1), m.group(2), m.group(3))}"
                      f"<!-- paired:{m.group(1)}:{m.group(2)}:{m.group(3)}:end -->", text)
    new = SEEDS.sub(lambda m: f"<!-- seeds:{m.group(1)}:start -->\n{seeds_table(Path(root) / 'results' / m.group(1))}"
                              f"<!-- seeds:{m.group(1)}:end -->", BLOCK.sub(fresh, text))
    write_text_atomic(readme, new)
    return "\n".join(body for _, body in readme_blocks(new))
