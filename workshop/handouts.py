"""Student handouts for the ethics prompts: each prompt's student part, its references and the rubric.

    python -m workshop handouts [--out build/handouts]

A prompt file (``ethics/prompts/NN-*.md``) and the rubric (``ethics/rubric.md``) each contain one
line starting with ``<!-- instructor-only``. Everything above that line is for students; everything
below it (what a strong answer covers, common problems, the model essay, notes for graders) is for
instructors and never reaches a handout. Model essays live in ``ethics/essays/`` and are not read.
"""
from __future__ import annotations

import re
from pathlib import Path

from course_utils.core.atomic import write_text_atomic

ETHICS_DIR = Path(__file__).resolve().parents[1] / "ethics"
INSTRUCTOR_MARKER = "<!-- instructor-only"
CITATION = re.compile(r"\[(@[^\]\s][^\]]*)\]")           # [@key] or [@key1; @key2]
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(([^)\s]+)\)")     # [text](target), not images
BIB_ENTRY = re.compile(r"^### (\S+)\s*$", re.MULTILINE)
BIB_FIELD = re.compile(r"^- (Authors|Year|Title|Venue|Link): (.+)$", re.MULTILINE)


def split_instructor(text: str) -> tuple[str, str]:
    """``(student part, instructor part)`` of a prompt or rubric; ValueError if the marker is missing."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.lstrip().startswith(INSTRUCTOR_MARKER):
            return "".join(lines[:i]), "".join(lines[i + 1:])
    raise ValueError(f"no line starting with {INSTRUCTOR_MARKER!r}: cannot tell students' part from instructors'")


def student_part(text: str) -> str:
    """``text`` up to its instructor-only marker (all of it when it has none), for the student edition."""
    try:
        return split_instructor(text)[0].rstrip() + "\n"
    except ValueError:
        return text


def citation_keys(text: str) -> list[str]:
    """Citation keys used in ``text``, in order of first use; examples in `code` are not citations."""
    text = re.sub(r"`[^`\n]*`", "", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    keys: list[str] = []
    for group in CITATION.findall(text):
        for part in group.split(";"):
            key = part.strip().lstrip("@").strip()
            if key and key not in keys:
                keys.append(key)
    return keys


def parse_bibliography(path: str | Path) -> dict[str, dict[str, str]]:
    """``{key: {"Authors": ..., "Year": ..., "Title": ..., "Venue": ..., "Link": ...}}``."""
    text = Path(path).read_text(encoding="utf-8")
    starts = list(BIB_ENTRY.finditer(text))
    entries = {}
    for match, following in zip(starts, starts[1:] + [None]):
        body = text[match.end(): following.start() if following else len(text)]
        entries[match.group(1)] = dict(BIB_FIELD.findall(body))
    return entries


def format_reference(key: str, entry: dict[str, str]) -> str:
    return (f"[{key}] {entry.get('Authors', '?')} ({entry.get('Year', '?')}). {entry.get('Title', '?')}. "
            f"{entry.get('Venue', '?')}. {entry.get('Link', '?')}")


def _is_relative(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) and not target.startswith("#")


def _flatten_relative_links(text: str) -> str:
    """Relative links lead nowhere from a printed handout: keep their text, drop the target."""
    return LINK.sub(lambda m: m.group(1) if _is_relative(m.group(2)) else m.group(0), text)


def _plain_citations(text: str) -> str:
    return CITATION.sub(lambda m: "[" + "; ".join(k.strip().lstrip("@") for k in m.group(1).split(";")) + "]", text)


def _demote_headings(text: str) -> str:
    return re.sub(r"^(#{1,5}) ", r"#\1 ", text, flags=re.MULTILINE)


def render_handout(prompt_path: str | Path, ethics_dir: str | Path | None = None) -> str:
    """The handout for one prompt file, as markdown."""
    ethics_dir = Path(ethics_dir) if ethics_dir is not None else ETHICS_DIR
    prompt_path = Path(prompt_path)
    student, _ = split_instructor(prompt_path.read_text(encoding="utf-8"))
    rubric, _ = split_instructor((ethics_dir / "rubric.md").read_text(encoding="utf-8"))
    bibliography = parse_bibliography(ethics_dir / "bibliography.md")
    keys = citation_keys(student + rubric)
    unknown = [key for key in keys if key not in bibliography]
    if unknown:
        raise ValueError(f"{prompt_path.name} cites keys missing from bibliography.md: {', '.join(unknown)}")

    parts = [
        f"<!-- Handout generated from ethics/prompts/{prompt_path.name} by `python -m course_utils "
        "handouts`. Edit the prompt, not this file. -->",
        "",
        _plain_citations(_flatten_relative_links(student)).strip(),
        "",
    ]
    if keys:
        parts += ["## References", ""] + [f"- {format_reference(k, bibliography[k])}" for k in keys] + [""]
    parts += ["---", "", _demote_headings(_plain_citations(_flatten_relative_links(rubric))).strip(), ""]
    return "\n".join(parts)


def write_handouts(out_dir: str | Path = "build/handouts", ethics_dir: str | Path | None = None) -> list[Path]:
    """Write one handout per prompt in ``ethics/prompts/`` to ``out_dir``; return the paths written."""
    ethics_dir = Path(ethics_dir) if ethics_dir is not None else ETHICS_DIR
    prompts = sorted((ethics_dir / "prompts").glob("*.md"))
    if not prompts:
        raise ValueError(f"no prompts found in {ethics_dir / 'prompts'}")
    return [write_text_atomic(Path(out_dir) / p.name, render_handout(p, ethics_dir)) for p in prompts]
