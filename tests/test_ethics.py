"""The ethics companion: structure of the prompts, citations, links, dated law, and the handouts."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from workshop.cli import main
from workshop.handouts import (
    CITATION, INSTRUCTOR_MARKER, LINK, citation_keys, parse_bibliography, render_handout,
    split_instructor, write_handouts,
)
from ours import TAGGED, matches, tag_problems, tagged_numbers
from prose import paragraphs as split_paragraphs
from shared import ROOT, LEGAL

ETHICS = ROOT / "ethics"
PROMPTS = {  # fixed names other files link to, and the notebook each prompt is paired with
    "01-privacy-concerns.md": "02_baseline",
    "02-harms-and-faces.md": "04_augmented",
    "03-pooling-and-bias.md": "12_pooling",
    "04-datasheet.md": "01_explore_data",
    "05-face-recognition-rules.md": "05_comparison",
    "06-disaggregated-evaluation.md": "03_deeper",
}
ESSAYS = ["deepfakes-and-privacy.md", "harms-and-faces.md", "what-bias-means.md", "where-cifar10-came-from.md",
          "benchmarks-are-brittle.md", "faces-measurement-and-law.md"]
ORIGINAL_QUESTIONS = {
    "01-privacy-concerns.md": "Explain how this algorithm could result in ethical and privacy concerns if it "
                              "were trained on different sets of images.",
    "02-harms-and-faces.md": "How can training machines on images be harmful? Could such an algorithm be used "
                             "to distinguish people's faces? What are the ethical and privacy implications?",
}
YEAR_OR_PERCENT = re.compile(r"\b(?:19|20)\d\d\b|\d%")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def markdown_files() -> list[Path]:
    return sorted(ETHICS.rglob("*.md"))


def paragraphs(text: str) -> list[str]:
    """Prose paragraphs without headings (see tests/prose.py)."""
    return split_paragraphs(text, headings=False)


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[*_`>]", "", text).split()).lower()


def words(text: str) -> int:
    return len(CITATION.sub("", text).split())


BIBLIOGRAPHY = parse_bibliography(ETHICS / "bibliography.md")


# --- files and prompts ------------------------------------------------------------------------

def test_the_fixed_file_names_exist():
    expected = ["README.md", "rubric.md", "bibliography.md", "datasheet-cifar10.md", "model-cards/README.md"]
    expected += [f"prompts/{name}" for name in PROMPTS] + [f"essays/{name}" for name in ESSAYS]
    assert [name for name in expected if not (ETHICS / name).is_file()] == []
    assert sorted(p.name for p in (ETHICS / "prompts").glob("*.md")) == sorted(PROMPTS)


@pytest.mark.parametrize("name", PROMPTS)
def test_each_prompt_has_goals_question_readings_and_a_rubric_reference(name):
    student, instructor = split_instructor(read(ETHICS / "prompts" / name))
    for heading in ("## Learning goals", "## The question", "## Readings", "## How it is graded"):
        assert f"\n{heading}\n" in student, f"{name} lacks {heading!r} in its student part"
    readings = student.split("## Readings", 1)[1].split("\n## ", 1)[0]
    assert len(citation_keys(readings)) >= 2, f"{name} needs at least two cited readings"
    assert "](../rubric.md)" in student, f"{name} must link the rubric in its student part"
    assert f"notebook {PROMPTS[name]}" in student, f"{name} must name its paired notebook {PROMPTS[name]}"
    assert "## What a strong answer covers" in instructor
    assert re.search(r"\]\(\.\./(essays/[\w-]+|datasheet-cifar10)\.md\)", instructor), \
        f"{name} must link its model essay in the instructor part"


@pytest.mark.parametrize("name", ORIGINAL_QUESTIONS)
def test_the_two_original_questions_are_kept_word_for_word(name):
    student, _ = split_instructor(read(ETHICS / "prompts" / name))
    assert ORIGINAL_QUESTIONS[name] in " ".join(student.replace(">", " ").split())


def test_the_rubric_has_six_criteria_and_twenty_points():
    """C1-C4 are scored 0-4 and C5 (connection to our work) and C6 (clarity and length) 0-2: 20 in all."""
    student, instructor = split_instructor(read(ETHICS / "rubric.md"))
    rows = [line for line in student.splitlines() if re.match(r"\| \*\*C\d\. ", line)]
    assert [re.match(r"\| \*\*(C\d)\.", r).group(1) for r in rows] == ["C1", "C2", "C3", "C4", "C5", "C6"]
    levels = {re.match(r"\| \*\*(C\d)\.", r).group(1): r.count("|") - 2 for r in rows}
    assert all(levels[c] == 5 for c in ("C1", "C2", "C3", "C4")), "C1-C4 need levels 4, 3, 2, 1 and 0"
    assert levels["C5"] == levels["C6"] == 3, "C5 and C6 need levels 2, 1 and 0"
    assert sum(n - 1 for n in levels.values()) == 20
    assert "**20 points**" in student and "## Notes for graders" in instructor
    assert "C5. Connection to our work" in student and "C6. Clarity and length" in student


# --- links and citations ------------------------------------------------------------------------

def github_slug(heading: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ETHICS).as_posix())
def test_relative_links_resolve(path):
    broken = []
    for text, target in LINK.findall(read(path)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # http, https, mailto
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.exists():
            broken.append(target)
        elif anchor and resolved.suffix == ".md":
            slugs = {github_slug(h) for h in re.findall(r"^#+ (.+)$", read(resolved), re.MULTILINE)}
            if anchor not in slugs:
                broken.append(target)
    assert broken == [], f"{path.name}: broken links {broken}"


def test_ethics_markdown_does_not_link_notebook_files():
    offenders = [p.name for p in markdown_files() if re.search(r"\]\([^)]*\.(ipynb|py)\)", read(p))]
    assert offenders == [], "name notebooks in plain text (e.g. 'notebook 12_pooling'), do not link them"


def test_every_citation_resolves_to_a_bibliography_entry():
    missing = {}
    for path in markdown_files():
        unknown = [k for k in citation_keys(read(path)) if k not in BIBLIOGRAPHY]
        if unknown:
            missing[path.relative_to(ETHICS).as_posix()] = unknown
    assert missing == {}


@pytest.mark.parametrize("key", sorted(BIBLIOGRAPHY))
def test_every_bibliography_entry_is_complete(key):
    entry = BIBLIOGRAPHY[key]
    for field in ("Authors", "Year", "Title", "Venue", "Link"):
        assert entry.get(field, "").strip(), f"{key} lacks {field}"
    assert re.match(r"((19|20)\d\d|n\.d\.)", entry["Year"]), f"{key}: year must be a year or 'n.d.'"
    if entry["Year"].startswith("n.d."):
        assert "consulted" in entry["Year"], f"{key}: an undated source needs the date it was consulted"
    assert re.search(r"doi:10\.\d{4,9}/\S+|arXiv:\d{4}\.\d{4,5}|https?://\S+", entry["Link"]), \
        f"{key}: link must be a DOI, an arXiv id or a URL"


def test_bibliography_has_enough_entries_and_no_unused_ones():
    assert len(BIBLIOGRAPHY) >= 20
    cited = set()
    for path in markdown_files():
        if path.name != "bibliography.md":
            cited |= set(citation_keys(read(path)))
    # the notebooks' ethics checkpoints name their sources by author and year; the claims table keys them
    with open(ETHICS / "claims.csv", newline="", encoding="utf-8") as f:
        cited |= {key.strip() for row in csv.DictReader(f) if row["file"].startswith("notebooks/")
                  for key in row["source"].split(";")}
    assert sorted(set(BIBLIOGRAPHY) - cited) == [], "every entry should be cited somewhere"


# --- essays -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ESSAYS)
def test_essays_are_focused_and_cite_their_sources(name):
    text = read(ETHICS / "essays" / name)
    assert 600 <= words(text) <= 1250, f"{name} has {words(text)} words"
    assert len(citation_keys(text)) >= 6, f"{name} cites too few sources"
    assert "## Questions to discuss" in text


def is_editorial_note(paragraph: str) -> bool:
    """The italic note under an essay's title (``*Model essay for ...*``), not a factual paragraph."""
    return paragraph.startswith("*") and not paragraph.startswith("**")


@pytest.mark.parametrize("name", ESSAYS)
def test_paragraphs_with_years_or_percentages_carry_a_citation(name):
    uncited = [p for p in paragraphs(read(ETHICS / "essays" / name))
               if YEAR_OR_PERCENT.search(p) and not CITATION.search(p) and not is_editorial_note(p)]
    assert uncited == [], f"{name}: factual paragraphs without a citation: {uncited}"


@pytest.mark.parametrize("name", ESSAYS + ["../datasheet-cifar10.md"])
def test_legal_statements_say_as_of_a_date(name):
    text = read(ETHICS / "essays" / name)
    undated = [p for p in paragraphs(text)
               if LEGAL.search(p) and "as of" not in p.lower() and not is_editorial_note(p)]
    assert undated == [], f"{name}: legal statements without 'as of': {undated}"
    if re.search(r"\blaws?\b", re.sub(r"\]\([^)]*\)", "]", text), re.IGNORECASE):  # not in link targets
        assert "as of" in text.lower(), f"{name} mentions law but never says 'as of'"


def test_the_bias_essay_corrects_the_pooling_claim():
    text = read(ETHICS / "essays" / "what-bias-means.md").lower()
    for phrase in ("inductive bias", "statistical bias", "social bias", "inherently biased", "2x2"):
        assert phrase in text


def test_the_cifar_essay_tells_the_tiny_images_story():
    text = read(ETHICS / "essays" / "where-cifar10-came-from.md")
    for fact in ("80 Million Tiny Images", "WordNet", "consent", "29 June 2020", "withdrew"):
        assert fact in text


# --- numbers from our runs ----------------------------------------------------------------------

# The model answers to prompts 3 and 6 quote our runs (prompt 6 asks for a per-class table, and
# rubric criterion C5 wants a specific number); each quoted number is tagged (see tests/ours.py).
QUOTING_OUR_RUNS = {"what-bias-means.md": 4, "benchmarks-are-brittle.md": 30}


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: p.relative_to(ETHICS).as_posix())
def test_every_number_tagged_as_ours_equals_its_value_in_results_full(path):
    assert tag_problems(read(path)) == [], f"{path.name}: a quoted result differs from results/full"


@pytest.mark.parametrize("name,least", QUOTING_OUR_RUNS.items())
def test_the_model_answers_to_prompts_3_and_6_quote_our_runs(name, least):
    quoted = tagged_numbers(read(ETHICS / "essays" / name))
    assert len(quoted) >= least, f"{name} quotes {len(quoted)} tagged numbers from our runs"


def test_the_tag_check_catches_a_wrong_or_unknown_number(tmp_path):
    (tmp_path / "deeper.json").write_text('{"test_accuracy": 0.7530999779701233, '
                                          '"per_class_accuracy": {"cat": 0.689}, "confusion_matrix": [[1, 2]]}')
    good = ("0.7531<!-- ours: deeper.test_accuracy --> or 75.3%<!-- ours: deeper.test_accuracy -->, "
            "cat 0.689 <!-- ours: deeper.per_class_accuracy.cat -->, 2<!-- ours: deeper.confusion_matrix.0.1 -->")
    assert len(tagged_numbers(good)) == 4 and tag_problems(good, tmp_path) == []
    assert tag_problems("0.7532<!-- ours: deeper.test_accuracy -->", tmp_path)
    assert tag_problems("0.753<!-- ours: deeper.test_accuracy -->", tmp_path) == []  # rounded as quoted
    assert tag_problems("76%<!-- ours: deeper.test_accuracy -->", tmp_path)
    assert tag_problems("0.689<!-- ours: deeper.per_class_accuracy.dog -->", tmp_path)
    assert tag_problems("0.689<!-- ours: baseline.per_class_accuracy.cat -->", tmp_path)
    assert matches("0.60", False, 0.5979999899864197) and not TAGGED.search("0.75 <!-- a comment -->")

# --- handouts -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def handouts(tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("handouts")
    paths = write_handouts(out_dir=out)
    assert sorted(p.name for p in paths) == sorted(PROMPTS)
    return {p.name: read(p) for p in paths}


def protected_sentences() -> list[str]:
    """Sentences (of 8 words or more) students must not receive: from the essays, the datasheet and
    every instructor part. Checking sentences, not whole paragraphs, also catches a pasted excerpt."""
    texts = [read(ETHICS / "essays" / n) for n in ESSAYS] + [read(ETHICS / "datasheet-cifar10.md")]
    texts += [split_instructor(read(p))[1] for p in (ETHICS / "prompts").glob("*.md")]
    texts.append(split_instructor(read(ETHICS / "rubric.md"))[1])
    sentences = set()
    for paragraph in (normalise(p) for t in texts for p in paragraphs(t)):
        sentences |= {s for s in re.split(r"(?<=[.?!:;])\s+", paragraph) if len(s.split()) >= 8}
    return sorted(sentences)


def test_handouts_contain_no_essay_text_and_no_instructor_section(handouts):
    protected = protected_sentences()
    assert len(protected) > 300
    for name, text in handouts.items():
        flat = normalise(text)
        leaked = [p[:60] for p in protected if p in flat]
        assert leaked == [], f"{name} contains protected text: {leaked}"
        for marker in (INSTRUCTOR_MARKER, "What a strong answer covers", "Common problems", "Model essay",
                       "Model answer", "Notes for graders", "essays/"):
            assert marker not in text, f"{name} contains {marker!r}"


def test_handouts_contain_the_question_the_rubric_and_full_references(handouts):
    for name, text in handouts.items():
        student, _ = split_instructor(read(ETHICS / "prompts" / name))
        question = student.split("## The question", 1)[1].split("\n## ", 1)[0]
        assert normalise(question.split("\n\n")[1]) in normalise(text)
        assert "C1. Technical accuracy" in text and "C5. Connection to our work" in text
        assert "## References" in text and "[@" not in text
        for key in citation_keys(student):
            assert f"- [{key}] {BIBLIOGRAPHY[key]['Authors']}" in text
        assert "](../" not in text, "relative links must be flattened in a printed handout"


def test_a_prompt_without_the_instructor_marker_is_refused(tmp_path):
    ethics = tmp_path / "ethics"
    (ethics / "prompts").mkdir(parents=True)
    for name in ("rubric.md", "bibliography.md"):
        (ethics / name).write_text(read(ETHICS / name), encoding="utf-8")
    prompt = ethics / "prompts" / "99-test.md"
    prompt.write_text("# Prompt\n\n## The question\n\nWhy?\n\n## What a strong answer covers\n\nSecrets.\n")
    with pytest.raises(ValueError, match="instructor-only"):
        render_handout(prompt, ethics)


def test_the_handouts_command_writes_one_file_per_prompt(tmp_path, capsys):
    assert main(["handouts", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.glob("*.md")) == sorted(PROMPTS)
    assert capsys.readouterr().out.count("wrote ") == len(PROMPTS)
