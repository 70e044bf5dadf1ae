"""Read a built site as files and list what would break it offline (run after every site build).

A problem is one line: the page, then what is wrong. Checked on every HTML page: every script,
style sheet, image and icon is a file inside the site (nothing from another host); every internal
link (``<a href>``) resolves to a file; every image has alt text that is not just its file name.
"""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

LOADED = {("script", "src"), ("link", "href"), ("img", "src"), ("source", "src"), ("iframe", "src")}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.loaded: list[str] = []      # fetched when the page is shown
        self.links: list[str] = []       # followed when clicked
        self.images: list[tuple[str, str]] = []  # (src, alt)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for attr in ("src", "href"):
            if (tag, attr) in LOADED and values.get(attr) and not (tag == "link" and values.get("rel") in (
                    "canonical",)):
                self.loaded.append(values[attr])
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if tag == "img":
            self.images.append((values.get("src", ""), values.get("alt", "")))


def _external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme and parts.scheme not in ("data",)) or url.startswith("//")


def _target(page: Path, url: str) -> Path | None:
    """The file a relative URL points at, or None for an anchor on the same page."""
    path = unquote(urlsplit(url).path)
    if not path:
        return None
    target = (page.parent / path).resolve()
    return target / "index.html" if target.is_dir() else target


def page_problems(page: Path, site: Path) -> list[str]:
    parser = _Page()
    parser.feed(page.read_text(encoding="utf-8"))
    name, problems = page.relative_to(site).as_posix(), []
    for url in parser.loaded:
        if _external(url) and not url.startswith("data:"):
            problems.append(f"{name}: loads {url} from another host (it must be a file in the site)")
        elif not url.startswith("data:") and (_target(page, url) is not None and not _target(page, url).exists()):
            problems.append(f"{name}: loads {url}, which is not in the site")
    for url in parser.links:
        if not _external(url) and not url.startswith("mailto:"):
            target = _target(page, url)
            if target is not None and not target.exists():
                problems.append(f"{name}: links to {url}, which is not in the site")
    for src, alt in parser.images:
        if not alt.strip() or Path(unquote(src)).name in alt:
            problems.append(f"{name}: image {src} has no alt text")
    return problems


def site_problems(site: Path) -> list[str]:
    """Every problem on every page of the site in ``site`` (empty: the site works offline)."""
    site = Path(site)
    # _static holds the themes' own template fragments, not pages
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    if not pages:
        return [f"{site}: no HTML pages; build the site first (python3 tasks.py site)"]
    return [problem for page in pages for problem in page_problems(page, site)]
