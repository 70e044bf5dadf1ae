"""The ethics companion's claims table, word limits and the rule that no result of ours is typed by hand.

``ethics/claims.csv`` lists every factual claim about the world made in ``ethics/`` (essays, prompts,
datasheet, guide), one row each: the claim, a short verbatim quote of the sentence that states it, the
file it is in, the bibliography keys that support it, the date it was checked, its status and the evidence:
how it was checked and a short passage quoted from the source. The quote
must be in the file, and the paragraph (or list item) holding it must cite the row's sources. The model
answers must fit the length limit of the prompt they answer, counted the way ``ethics/README.md`` states.
A number from our own runs is either not in ``ethics/`` at all (the text points to the model card or
notebook section that prints it) or tagged with the results value it quotes, which
``tests/test_ethics.py`` checks (see ``tests/ours.py``).
"""
from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pytest

from workshop.law_date import pages as law_pages, settings as law_settings, spoken, stated_dates

from workshop.handouts import CITATION, LINK, citation_keys, parse_bibliography, split_instructor
from ours import matches, our_accuracies, our_losses, without_tagged_numbers
from prose import paragraphs
from shared import ROOT, LEGAL, run_where_the_locale_is_ascii

ETHICS = ROOT / "ethics"
CLAIMS = ETHICS / "claims.csv"
COLUMNS = ["claim", "quote", "file", "source", "date_checked", "status", "evidence"]
STATUSES = {"verified", "corrected", "removed", "unverified-stated-as-such"}
# Statuses that assert the source says what the page says; such a row quotes the source in its evidence.
CHECKED = {"verified", "corrected"}
PASSAGE = re.compile(r'"([^"]*)"')
BIBLIOGRAPHY = parse_bibliography(ETHICS / "bibliography.md")
# Hand-written texts: everything in ethics/ except the bibliography and the generated model cards.
TEXTS = sorted(p for p in ETHICS.rglob("*.md")
               if p.name != "bibliography.md" and "model-cards" not in p.relative_to(ETHICS).parts)
# A sentence that says what could not be checked.
HEDGE = re.compile(r"could not|not read|not check|did not check|we found no|not found|not confirm|"
                   r"reported|not available|unknown", re.IGNORECASE)
CIFAR_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def rows() -> list[dict[str, str]]:
    with CLAIMS.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the claims table ---------------------------------------------------------------------------

def test_the_claims_table_has_its_columns_and_covers_every_text():
    with CLAIMS.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == COLUMNS
    table = rows()
    assert len(table) >= 100
    files = {row["file"] for row in table}
    needed = [p for p in TEXTS if p.parent.name in ("essays", "prompts") or p.name == "datasheet-cifar10.md"]
    missing = [p.relative_to(ROOT).as_posix() for p in needed if p.relative_to(ROOT).as_posix() not in files]
    assert missing == [], f"texts with no row in claims.csv: {missing}"


def date_problems(number: int, text: str, setting: dict, today: dt.date) -> list[str]:
    """A row's date_checked must be a date between the oldest check allowed and today."""
    try:
        checked = dt.date.fromisoformat(text)
    except ValueError:
        return [f"line {number}: date {text!r} is not YYYY-MM-DD"]
    if checked > today:
        return [f"line {number}: {checked} is in the future"]
    if checked < setting["oldest_check"]:
        return [f"line {number}: {checked} is older than oldest_check ({setting['oldest_check']}): check it again"]
    return []


def test_a_check_date_may_be_any_day_up_to_today_and_never_later():
    setting = {"law_as_of": dt.date(2026, 11, 29), "oldest_check": dt.date(2026, 1, 1)}
    today = dt.date(2027, 3, 1)
    assert date_problems(2, "2027-02-28", setting, today) == [] and date_problems(2, "2027-03-01", setting, today) == []
    assert "future" in date_problems(2, "2027-03-02", setting, today)[0]
    assert "older than" in date_problems(2, "2025-12-31", setting, today)[0]
    assert "YYYY-MM-DD" in date_problems(2, "29/11/2026", setting, today)[0]


def test_every_claim_has_a_known_source_a_date_and_a_status():
    problems = []
    for number, row in enumerate(rows(), start=2):
        keys = [k.strip() for k in row["source"].split(";")]
        if not row["claim"].strip():
            problems.append(f"line {number}: empty claim")
        if not row["source"].strip() or any(not k or k not in BIBLIOGRAPHY for k in keys):
            problems.append(f"line {number}: source {row['source']!r} is not a bibliography key")
        problems += date_problems(number, row["date_checked"], law_settings(), dt.date.today())
        if row["status"] not in STATUSES:
            problems.append(f"line {number}: status {row['status']!r}")
        if not (ROOT / row["file"]).is_file() or not row["file"].startswith(("ethics/", "notebooks/")):
            problems.append(f"line {number}: no file {row['file']}")
    assert problems == []


def evidence_problems(number: int, row: dict[str, str]) -> list[str]:
    """A row's evidence says what was done to check it; for a verified or corrected row it reads
    '<how it was checked>: "<passage from the source>"', where the part before the first quoted passage
    names the check (two words or more) and at least one passage between double quotes has three words
    or more."""
    evidence = " ".join((row.get("evidence") or "").split())
    if not evidence:
        return [f"line {number}: no evidence (say how it was checked, or what was tried)"]
    if row["status"] not in CHECKED:
        return []
    if len(re.findall(r"\w+", evidence.split('"', 1)[0])) < 2:
        return [f"line {number}: the evidence should start by saying how the claim was checked"]
    if not any(len(p.split()) >= 3 for p in PASSAGE.findall(evidence)):
        return [f"line {number}: the evidence quotes no passage of three words or more from the source"]
    return []


def test_every_checked_claim_records_how_and_quotes_its_source():
    problems = [p for n, row in enumerate(rows(), start=2) for p in evidence_problems(n, row)]
    assert problems == []


def test_the_evidence_check_catches_a_row_without_a_quoted_passage():
    row = {"status": "verified",
           "evidence": 'Read the abstract (arXiv copy): "we find a large drop in accuracy (4% to 10%)"'}
    assert evidence_problems(2, row) == []
    assert "no evidence" in evidence_problems(2, {**row, "evidence": " "})[0]
    assert "no evidence" in evidence_problems(2, {"status": "unverified-stated-as-such", "evidence": ""})[0]
    assert evidence_problems(2, {"status": "unverified-stated-as-such", "evidence": "Searched; not found."}) == []
    assert "how the claim was checked" in evidence_problems(2, {**row, "evidence": '"we find a large drop"'})[0]
    for unquoted in ("Read the abstract; it says the same.", 'Read the abstract: "large drop"'):
        assert "no passage" in evidence_problems(2, {**row, "evidence": unquoted})[0]
        assert "no passage" in evidence_problems(2, {**row, "status": "corrected", "evidence": unquoted})[0]


def test_a_claim_that_stands_is_cited_in_its_file_with_its_source():
    """A verified, corrected or hedged claim is still in its file, so its file cites its sources."""
    problems = []
    for row in rows():
        if row["status"] == "removed" or not (ROOT / row["file"]).is_file():
            continue
        if row["file"].startswith("notebooks/"):  # notebooks name their sources as author and year
            section = read(ROOT / row["file"]).split("## Ethics checkpoint")[-1]
            for key in (k.strip() for k in row["source"].split(";")):
                surname = BIBLIOGRAPHY[key]["Authors"].split(",")[0].split()[-1]
                if surname not in section or BIBLIOGRAPHY[key]["Year"] not in section:
                    problems.append(f"{row['file']}: its ethics checkpoint does not name {surname} {BIBLIOGRAPHY[key]['Year']}")
            continue
        cited = set(citation_keys(read(ROOT / row["file"])))
        absent = [k.strip() for k in row["source"].split(";") if k.strip() not in cited]
        if absent:
            problems.append(f"{row['file']} does not cite {absent} for: {row['claim'][:60]}")
    assert problems == []


def prose_of(path: Path) -> str:
    """A page's text; for a notebook's percent script (notebooks/*.py), its lines without the leading "# "
    that marks Markdown, so that a paragraph of a Markdown cell reads as it does on the page."""
    text = read(path)
    return re.sub(r"^# ?", "", text, flags=re.MULTILINE) if path.suffix == ".py" else text


def cites(paragraph: str, key: str, notebook: bool) -> bool:
    """Whether a paragraph cites a bibliography key: as [@key] on a page, or as the first author's surname
    and the year in a notebook, which names its sources that way."""
    if notebook:
        entry = BIBLIOGRAPHY.get(key, {})
        surname = entry.get("Authors", "").split(",")[0].split()[-1:]
        return bool(surname) and surname[0] in paragraph and entry["Year"][:4] in paragraph
    return key in citation_keys(paragraph)


def quote_problems(row: dict[str, str], root: Path = ROOT) -> list[str]:
    """A row's quote must be a short fragment of one paragraph (or list item) of its file, compared with
    whitespace and line breaks collapsed, and that paragraph must cite every key in the row's source."""
    quote = " ".join(row["quote"].split())
    name = f"{row['file']}: {quote[:50]!r}"
    if not 4 <= len(quote.split()) <= 18:
        return [f"{name}: a quote should have 4 to 18 words, not {len(quote.split())}"]
    path = root / row["file"]
    if not path.is_file():
        return [f"{name}: no such file"]
    holding = [p for p in paragraphs(prose_of(path)) if quote in p]
    if not holding:
        return [f"{name}: the quote is not in the file (or runs across two paragraphs)"]
    keys = [k.strip() for k in row["source"].split(";") if k.strip()]
    notebook = row["file"].startswith("notebooks/")
    if not any(all(cites(p, k, notebook) for k in keys) for p in holding):
        absent = [k for k in keys if not any(cites(p, k, notebook) for p in holding)]
        return [f"{name}: the paragraph holding the quote does not cite {absent or keys}"]
    return []


def test_every_row_quotes_its_sentence_and_its_paragraph_cites_the_source():
    problems = [f"line {n}: {p}" for n, row in enumerate(rows(), start=2) for p in quote_problems(row)]
    assert problems == []


def test_the_quote_check_catches_a_wrong_quote_and_a_citation_in_another_paragraph(tmp_path):
    key, other = sorted(BIBLIOGRAPHY)[:2]
    (tmp_path / "ethics").mkdir()
    (tmp_path / "ethics" / "page.md").write_text(
        f"# Title\n\nThe first claim is wrapped\nacross two lines [@{key}].\n\n"
        f"- The second claim has its own item.\n- Its source is cited in the next item [@{other}].\n",
        encoding="utf-8")
    row = {"quote": "first claim is wrapped across two lines", "file": "ethics/page.md", "source": key}
    assert quote_problems(row, tmp_path) == []
    assert "not in the file" in quote_problems({**row, "quote": "the first claim is not wrapped"}, tmp_path)[0]
    assert "does not cite" in quote_problems({**row, "source": f"{key};{other}"}, tmp_path)[0]
    item = {"quote": "The second claim has its own item", "file": "ethics/page.md", "source": other}
    assert "does not cite" in quote_problems(item, tmp_path)[0]
    assert "4 to 18 words" in quote_problems({**row, "quote": "first claim"}, tmp_path)[0]
    notebook = next(k for k in BIBLIOGRAPHY if BIBLIOGRAPHY[k]["Year"][:4].isdigit())
    surname = BIBLIOGRAPHY[notebook]["Authors"].split(",")[0].split()[-1]
    year = BIBLIOGRAPHY[notebook]["Year"][:4]
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01.py").write_text(
        f"# %% [markdown]\n# ## Ethics checkpoint\n#\n# A notebook names its source\n# as {surname} {year}.\n",
        encoding="utf-8")
    cell = {"quote": "A notebook names its source", "file": "notebooks/01.py", "source": notebook}
    assert quote_problems(cell, tmp_path) == []
    uncited = next(k for k in BIBLIOGRAPHY if BIBLIOGRAPHY[k]["Authors"].split(",")[0].split()[-1] != surname)
    assert "does not cite" in quote_problems({**cell, "source": f"{notebook};{uncited}"}, tmp_path)[0]


def test_every_source_a_text_cites_has_a_claim_in_the_table():
    listed: dict[str, set[str]] = {}
    for row in rows():
        listed.setdefault(row["file"], set()).update(k.strip() for k in row["source"].split(";"))
    missing = {}
    for path in TEXTS:
        name = path.relative_to(ROOT).as_posix()
        unlisted = [k for k in citation_keys(read(path)) if k not in listed.get(name, set())]
        if unlisted:
            missing[name] = unlisted
    assert missing == {}, "each cited source should back at least one row of claims.csv"


def test_unverified_claims_are_stated_as_such_in_the_text():
    """The text around an unverified claim says what could not be checked."""
    problems = []
    for row in rows():
        if row["status"] != "unverified-stated-as-such":
            continue
        keys = {k.strip() for k in row["source"].split(";")}
        text = read(ROOT / row["file"])
        near = [p for p in paragraphs(text) if keys & set(citation_keys(p))]
        if not any(HEDGE.search(p) for p in near):
            problems.append(f"{row['file']}: no hedge next to {sorted(keys)} for: {row['claim'][:60]}")
    assert problems == []


def test_every_cited_key_is_in_the_bibliography():
    unknown = {p.relative_to(ROOT).as_posix(): [k for k in citation_keys(read(p)) if k not in BIBLIOGRAPHY]
               for p in ETHICS.rglob("*.md")}
    assert {k: v for k, v in unknown.items() if v} == {}


# --- the law ------------------------------------------------------------------------------------

def test_legal_statements_in_instructor_notes_say_as_of_a_date():
    undated = []
    for path in sorted((ETHICS / "prompts").glob("*.md")):
        _, instructor = split_instructor(read(path))
        undated += [f"{path.name}: {p[:80]}" for p in paragraphs(instructor)
                    if LEGAL.search(p) and "as of" not in p.lower() and not p.startswith("#")]
    assert undated == []


def test_legal_statements_in_the_essays_are_dated_by_the_one_setting():
    """Each essay that states the law says "as of" the date in pyproject.toml, and no page states the law
    as of a later date than that check."""
    as_of = law_settings()["law_as_of"]
    assert as_of <= dt.date.today(), f"law_as_of = {as_of} is in the future"
    for name in ("deepfakes-and-privacy.md", "harms-and-faces.md", "faces-measurement-and-law.md"):
        text = read(ETHICS / "essays" / name)
        assert f"as of {spoken(as_of)}" in text, f"{name}: state the law as of the date it was checked ({as_of})"
    for path in law_pages():
        later = [d for d in stated_dates(path.read_text(encoding="utf-8")) if d > as_of]
        assert not later, f"{path.name} states the law as of {later}, after the check date {as_of}"


def test_moving_the_law_date_moves_every_page_and_refuses_a_future_date(tmp_path):
    import shutil

    from workshop.law_date import move_law_date, settings

    shutil.copytree(ETHICS, tmp_path / "ethics")
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    old, new = settings(tmp_path)["law_as_of"], dt.date(2027, 1, 15)
    with pytest.raises(ValueError, match="future"):
        move_law_date(dt.date(2027, 1, 16), root=tmp_path, today=new)
    changed = move_law_date(new, root=tmp_path, today=new)
    assert settings(tmp_path)["law_as_of"] == new and len(changed) > 3
    assert {tmp_path / "pyproject.toml", tmp_path / "ethics" / "essays" / "deepfakes-and-privacy.md"} <= set(changed)
    for path in law_pages(tmp_path):
        text = path.read_text(encoding="utf-8")
        assert f"as of {spoken(old)}" not in text, path.name
    essay = (tmp_path / "ethics" / "essays" / "deepfakes-and-privacy.md").read_text(encoding="utf-8")
    assert "as of 15 January 2027" in essay and "as of 1 July 2026" in essay  # other dates stay as they were
    with (tmp_path / "ethics" / "claims.csv").open(encoding="utf-8", newline="") as handle:
        moved = [row for row in csv.DictReader(handle) if row["file"].startswith("ethics/")]
    assert [p for row in moved for p in quote_problems(row, tmp_path)] == [], "a quote no longer matches its page"


def test_the_law_date_moves_where_the_locale_is_not_utf8(tmp_path):
    """The pages hold non-ASCII text; where the locale's encoding is not UTF-8 they move the same."""
    import shutil

    from workshop.law_date import move_law_date

    for copy in ("here", "there"):
        shutil.copytree(ETHICS, tmp_path / copy / "ethics")
        shutil.copy2(ROOT / "pyproject.toml", tmp_path / copy / "pyproject.toml")
    assert any(ord(ch) > 127 for ch in (ETHICS / "claims.csv").read_text(encoding="utf-8"))  # every page is read
    new = dt.date(2027, 1, 15)
    move_law_date(new, root=tmp_path / "here", today=new)  # in this process too, so mutmut knows the test
    run_where_the_locale_is_ascii("import datetime as dt, sys; from pathlib import Path; "
                                  "from workshop.law_date import move_law_date; day = dt.date(2027, 1, 15); "
                                  "move_law_date(day, root=Path(sys.argv[1]), today=day)", str(tmp_path / "there"))
    for path in sorted((tmp_path / "here").rglob("*.*")):
        assert (tmp_path / "there" / path.relative_to(tmp_path / "here")).read_bytes() == path.read_bytes(), path.name


# --- word limits --------------------------------------------------------------------------------

def body_words(text: str) -> int:
    """Words in the body, as ethics/README.md defines it: after the title and the italic note, before
    "Questions to discuss"; headings, tables, citation keys and HTML comments left out; a link counts as
    its text; a word is anything between spaces that holds a letter or a digit."""
    text = re.sub(r"```.*?```|<!--.*?-->", "", text, flags=re.DOTALL)
    text = text.split("\n## Questions to discuss", 1)[0]
    kept = []
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if not block or (block.startswith("# ") and "\n" not in block):
            continue
        if block.startswith("*") and not block.startswith(("**", "* ")):
            continue  # the italic note under the title
        kept += [line for line in block.splitlines()
                 if not line.lstrip().startswith("|") and not re.match(r"#{1,6} ", line)]
    body = LINK.sub(lambda m: m.group(1), CITATION.sub(" ", "\n".join(kept)))
    return sum(1 for token in body.split() if re.search(r"\w", token))


def test_the_word_count_follows_the_stated_rule():
    sample = ("# Title\n\n*A note of eight words that is not counted.*\n\n## Heading\n\nOne two, three "
              "[four](x.md) five [@key]. - 6 —\n\n| a | table |\n|---|---|\n\n- seven eight\n\n"
              "## Questions to discuss\n\n1. Not counted.\n")
    assert body_words(sample) == 8


def prompt_limit(prompt: Path) -> tuple[int, int]:
    head = " ".join(read(prompt).split("\n## ", 1)[0].split())
    match = re.search(r"\*\*Length:\*\*[^·]*?(\d[\d,]*)-(\d[\d,]*) words", head)
    assert match, f"{prompt.name}: no 'Length: N-M words' in its header"
    return int(match.group(1).replace(",", "")), int(match.group(2).replace(",", ""))


def answer_table() -> list[tuple[str, Path, str]]:
    """(prompt number or 'background ...', answer path, limit text) from the README's table."""
    readme = read(ETHICS / "README.md")
    section = readme.split("## Model answers and their length", 1)[1].split("\n## ", 1)[0]
    table = []
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not LINK.search(cells[1]):
            continue
        prompt = LINK.search(cells[0]).group(1) if LINK.search(cells[0]) else cells[0]
        table.append((prompt, ETHICS / LINK.search(cells[1]).group(2), cells[2]))
    return table


def test_every_prompt_has_one_model_answer_and_every_essay_a_limit():
    table = answer_table()
    prompts = [p for p, _, _ in table if p.isdigit()]
    assert sorted(prompts) == ["1", "2", "3", "4", "5", "6"]
    answers = [path.relative_to(ETHICS).as_posix() for _, path, _ in table]
    essays = [f"essays/{p.name}" for p in (ETHICS / "essays").glob("*.md")]
    assert sorted(a for a in answers if a.startswith("essays/")) == sorted(essays)
    assert len(set(answers)) == len(answers), "one answer per prompt, one limit per essay"


@pytest.mark.parametrize("prompt,answer,limit", answer_table(), ids=lambda v: getattr(v, "name", str(v)))
def test_each_model_answer_is_within_its_limit(prompt, answer, limit):
    words = body_words(read(answer))
    if prompt.isdigit():
        low, high = prompt_limit(next((ETHICS / "prompts").glob(f"0{prompt}-*.md")))
        assert limit.replace(",", "").startswith(f"{low}-{high} words"), \
            f"README says {limit!r} for prompt {prompt}; the prompt says {low}-{high} words"
    else:
        low, high = 0, int(re.search(r"at most (\d[\d,]*) words", limit).group(1).replace(",", ""))
    assert low <= words <= high, f"{answer.name}: {words} words, limit {low}-{high}"
    if answer.parent.name == "essays":
        note = read(answer).split("\n## ", 1)[0]
        assert f"{high} words" in note.replace(",", ""), f"{answer.name}: state the limit under the title"


# --- numbers from our runs ----------------------------------------------------------------------

RESULT_LIKE = re.compile(r"(?<![\w.])\d\.\d{4,}(?![\d])")              # 0.6643, as the model cards print
PERCENT_OR_FRACTION = re.compile(r"(?<![\w.])(?:\d{1,3}\.\d+\s?%|0?\.\d{2,})(?![\d])")
ACCURACY = re.compile(r"accura(?:cy|cies|te)|per-class", re.IGNORECASE)
IGNORED = re.compile(r"`[^`]*`|\]\([^)]*\)|https?://\S+|doi:\S+|arXiv:\S+|<!--.*?-->", re.DOTALL)
# Anywhere in a sentence: a percentage, whole or not ("75%", "75.3 percent"), or a fraction with two or
# more decimals ("0.479", ".75"). Not preceded by a letter, digit, dot, comma, slash or hyphen, so
# years, article numbers, dates and ranges such as "2024/1689" or "9-14" are never read as results.
PERCENT = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:\.\d+)?)\s?(?:%|percent\b)")
FRACTION = re.compile(r"(?<![\w.,/-])(0?\.\d{2,})(?![\d])")
SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z(*\"])")


def typed_results(text: str, accuracies: list[float] | None = None, losses: list[float] | None = None) -> list[str]:
    """Untagged numbers that look like results of our runs.

    Three rules, after the tagged numbers (checked in tests/test_ethics.py) are removed: any number with
    four or more decimals; a percentage with decimals or a fraction within 30 characters of "accuracy"
    in a paragraph that cites no source (a published figure is always cited); and, anywhere, a
    percentage (whole or not) or a fraction that equals one of our accuracies (or, for a fraction,
    one of our test losses) in ``results/full`` rounded as written, in a sentence that cites no source.
    """
    accuracies = our_accuracies() if accuracies is None else accuracies
    losses = our_losses() if losses is None else losses
    found = []
    for paragraph in paragraphs(IGNORED.sub(" ", without_tagged_numbers(text))):
        found += RESULT_LIKE.findall(paragraph)
        if not CITATION.search(paragraph):
            for match in PERCENT_OR_FRACTION.finditer(paragraph):
                window = paragraph[max(0, match.start() - 30): match.end() + 30]
                if ACCURACY.search(window):
                    found.append(window.strip())
        for sentence in SENTENCE_END.split(paragraph):
            if CITATION.search(sentence):
                continue
            found += [m.group(0) for m in PERCENT.finditer(sentence)
                      if any(matches(m.group(1), True, v) for v in accuracies)]
            found += [m.group(0) for m in FRACTION.finditer(sentence)
                      if any(matches("0" + m.group(1) if m.group(1).startswith(".") else m.group(1), False, v)
                             for v in accuracies + losses)]
    return sorted(set(found), key=found.index)


def test_the_typed_result_check_catches_what_it_should():
    assert typed_results("The deeper network reached a test accuracy of 76.3%.")
    assert typed_results("Its accuracy was 0.764 on the test set.")
    assert typed_results("Cat: 0.5710")
    assert not typed_results("With n images the standard error is at most about 0.016 for one class.")
    assert not typed_results("The top model reached 65.18% accuracy [@facebook2020dfdc].")


def test_the_typed_result_check_catches_results_away_from_the_word_accuracy():
    ours = dict(accuracies=[0.7530999779701233, 0.479, 0.5979999899864197], losses=[0.7831])
    assert typed_results("The deeper network got 75% of the images right.", **ours) == ["75%"]
    assert typed_results("It labels about 75 percent of them correctly.", **ours) == ["75 percent"]
    assert typed_results("Cats fared worst, at 0.479, as the card shows.", **ours) == ["0.479"]
    assert typed_results("Loss ended at .78 after twenty epochs.", **ours) == [".78"]
    assert typed_results("Augmentation got 60%. Error rates rose [@barz2020].", **ours) == ["60%"]
    assert not typed_results("0.7531<!-- ours: deeper.test_accuracy --> and 75%<!-- ours: deeper.test_accuracy -->",
                             **ours)
    for fine in ("Since 2 February 2025, Article 5 bans it; Regulation (EU) 2024/1689.",
                 "Up to 10% outside the length limit, 9 to 14 percent relative to the error rate.",
                 "The class was to receive a 23% stake [@bloomberg2025clearview].",
                 "On 29 June 2020 it was withdrawn; 75,062 nouns, 32x32 pixels, 0.5 and 1,000 images.",
                 "Version 2.1 of the specification, section 75 of the act."):
        assert typed_results(fine, **ours) == [], fine


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.relative_to(ETHICS).as_posix())
def test_no_result_of_ours_is_typed_by_hand(path):
    assert typed_results(read(path)) == [], "name the model card or notebook section that prints it"


@pytest.mark.parametrize("name", ["03-pooling-and-bias.md", "06-disaggregated-evaluation.md"])
def test_instructor_notes_do_not_fix_which_classes_do_best(name):
    """Which classes do best and worst differs between runs; the notes send the grader to the cards."""
    _, instructor = split_instructor(read(ETHICS / "prompts" / name))
    named = [c for c in CIFAR_CLASSES if re.search(rf"\b{c}s?\b", instructor, re.IGNORECASE)]
    assert named == [], f"{name}: the instructor notes name {named}"
    assert "model card" in instructor or "notebook" in instructor
