"""Splitting Markdown prose into paragraphs, shared by the ethics and claims tests."""
from __future__ import annotations

import re


def paragraphs(text: str, headings: bool = True) -> list[str]:
    """Blocks separated by blank lines, list items split apart, code blocks dropped (headings too if asked)."""
    text = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    blocks = []
    for block in re.split(r"\n\s*\n", text):
        items = re.split(r"\n(?=\s*(?:[-*] |\d+\. ))", block.strip())
        blocks += [" ".join(item.split()) for item in items if item.strip()]
    return blocks if headings else [b for b in blocks if not b.startswith("#")]
