"""The course website: its sources, its launch links, and the built site in a real browser.

The site is built by ``python3 tasks.py site`` (``tasks.py test`` builds it before pytest runs).
The browser test serves ``build/site`` from 127.0.0.1, blocks every request to another host,
visits every page with Debian's Chromium driven by Playwright, and saves two screenshots under
``build/site-screenshots/``.
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout, sync_playwright

from workshop.launch import LaunchSettings, SettingError, launch_cell, read_settings
from workshop.report import load_results
from workshop.editions import keep_resolvable_links
from workshop.site import FIGURE_TEXT, _figure_alt_text
from workshop.site_check import site_problems
from shared import ROOT

SITE = ROOT / "build" / "site"
SHOTS = ROOT / "build" / "site-screenshots"
SAMPLE = LaunchSettings(repository="https://github.com/example-org/cifar10-course", student_edition="student")


SITE_SOURCES = (".py", ".md", ".ipynb", ".toml", ".csv", ".json")


def _built_site() -> Path:
    """The built site, refused when it is missing or older than a file it is built from (a test run
    alone, after an edit, would otherwise check yesterday's pages)."""
    index = SITE / "index.html"
    if not index.exists():
        pytest.fail("build/site has no index.html: run python3 tasks.py site (tasks.py test does it first)")
    built = index.stat().st_mtime
    sources = [ROOT / "README.md", ROOT / "pyproject.toml"] + [
        path for folder in ("notebooks", "ethics", "workshop", "results") for path in (ROOT / folder).rglob("*")
        if path.suffix in SITE_SOURCES and "__pycache__" not in path.parts]
    newer = sorted(str(path.relative_to(ROOT)) for path in sources if path.stat().st_mtime > built)
    if newer:
        pytest.fail(f"build/site is older than {newer[0]} ({len(newer)} newer files): run python3 tasks.py site")
    return SITE


def test_a_site_older_than_its_sources_is_refused(tmp_path, monkeypatch):
    import os
    import sys

    (tmp_path / "index.html").write_text("<html></html>", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "SITE", tmp_path)
    assert _built_site() == tmp_path  # just built: newer than every source
    os.utime(tmp_path / "index.html", (0, 0))  # built in 1970, before any of them
    with pytest.raises(pytest.fail.Exception, match="build/site is older than"):
        _built_site()


# --- launch links, from one setting -----------------------------------------------------------

def test_launch_links_are_well_formed_for_a_sample_setting():
    cell = launch_cell("notebooks/02_baseline.ipynb", SAMPLE)
    assert cell["source"] == (
        "**Run it yourself:** "
        "[Open in Colab](https://colab.research.google.com/github/example-org/cifar10-course/blob/student/"
        "notebooks/02_baseline.ipynb) · "
        "[Launch Binder](https://mybinder.org/v2/gh/example-org/cifar10-course/student?labpath="
        "notebooks/02_baseline.ipynb) · "
        "{download}`Download this notebook <02_baseline.ipynb>`")
    assert SAMPLE.install_source() == "course-utils @ git+https://github.com/example-org/cifar10-course"


def test_without_a_repository_only_the_download_link_is_given():
    cell = launch_cell("notebooks/02_baseline.ipynb", LaunchSettings())
    assert "Colab" not in cell["source"] and "Binder" not in cell["source"] and "Download" in cell["source"]
    assert LaunchSettings().install_source() is None


def test_a_bad_setting_is_one_clear_line(monkeypatch):
    monkeypatch.setenv("COURSE_SITE_REPOSITORY", "https://gitlab.com/someone/course")
    with pytest.raises(SettingError, match=r"not https://github.com/OWNER/REPO"):
        read_settings()
    monkeypatch.setenv("COURSE_SITE_REPOSITORY", SAMPLE.repository)
    assert read_settings().colab("notebooks/x.ipynb").startswith("https://colab.research.google.com/github/example-org/")


def test_figures_get_their_text_alternative_as_alt_text():
    cells = [{"cell_type": "code", "source": "fig = plot()", "outputs": [{"data": {"image/png": "..."}}]},
             {"cell_type": "markdown", "source": "*Figure: two curves that rise,\nthen flatten.* More prose."}]
    _figure_alt_text(cells)
    assert cells[0]["metadata"]["mystnb"]["image"]["alt"] == "two curves that rise, then flatten."
    assert FIGURE_TEXT.match("*Figure: a.*").group(1) == "a."


def test_links_to_pages_the_site_lacks_keep_only_their_text(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "02_baseline.ipynb").write_text("{}")
    page = tmp_path / "notebooks" / "01_explore_data.ipynb"
    text = "See [02](02_baseline.ipynb), [the essay](../ethics/essays/x.md) and [Keras](https://keras.io)."
    assert keep_resolvable_links(text, page, tmp_path) == \
        "See [02](02_baseline.ipynb), the essay and [Keras](https://keras.io)."


def test_published_datasheet_keeps_the_model_cards_links_to_it(tmp_path):
    """The student edition drops a card's link to the datasheet it lacks; a site that publishes the
    datasheet takes the project's cards, so the link is kept there."""
    from workshop.site import _copy_markdown, _finish_markdown

    student = tmp_path / "student"
    card = Path("ethics/model-cards/augmented.md")
    (student / card.parent).mkdir(parents=True)
    (student / card).write_text(keep_resolvable_links((ROOT / card).read_text(), student / card, student))
    assert "](../datasheet-cifar10.md)" not in (student / card).read_text()
    for publish, kept in ((True, True), (False, False)):
        src = tmp_path / f"src-{publish}"
        _copy_markdown(student, src, LaunchSettings(publish_datasheet=publish))
        _finish_markdown(src)
        assert ("](../datasheet-cifar10.md)" in (src / card).read_text()) is kept


# --- the built site, as files -------------------------------------------------------------------

def test_the_built_site_needs_no_network_and_has_no_broken_link_or_missing_alt_text():
    assert site_problems(_built_site()) == []


def test_the_site_is_the_student_edition():
    text = "\n".join(p.read_text(encoding="utf-8") for p in _built_site().rglob("*.html"))
    for marker in ("#@solution", "<!-- solution -->", "<!-- instructor -->", "instructor-only"):
        assert marker not in text


# --- the built site, in a browser ---------------------------------------------------------------

def _chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium; .ci/run does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def served_site():
    site = _built_site()
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # the test reports what matters
        pass


def test_every_page_in_a_real_browser_offline(served_site):
    pages = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html") if "_static" not in p.parts)
    problems: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium())
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        here = urlsplit(served_site).netloc

        def route(r):
            if urlsplit(r.request.url).netloc != here and not r.request.url.startswith("data:"):
                problems.append(f"blocked request to another host: {r.request.url}")
                return r.abort()
            return r.continue_()
        context.route("**/*", route)
        page = context.new_page()
        current = {"name": ""}
        page.on("console", lambda m: m.type == "error" and problems.append(f"{current['name']}: console error {m.text}"))
        page.on("pageerror", lambda e: problems.append(f"{current['name']}: script error {e}"))
        page.on("response", lambda r: r.status >= 400 and problems.append(f"{current['name']}: {r.status} for {r.url}"))
        for name in pages:
            current["name"] = name
            page.goto(f"{served_site}/{name}", wait_until="load")
            problems += _formula_problems(page, name)
            broken = page.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
                                   ".map(i => i.getAttribute('src'))")
            problems += [f"{name}: image {src} did not load" for src in broken]
            hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
            for href in sorted({h.split("#")[0] for h in hrefs if urlsplit(h).netloc == here}):
                if context.request.get(href).status != 200:
                    problems.append(f"{name}: broken link {href}")
            if name == "index.html":
                page.screenshot(path=str(SHOTS / "landing.png"), full_page=False)
            if name == "notebooks/02_baseline.html":
                _check_notebook_page(page, problems)
                page.locator("main img").first.scroll_into_view_if_needed()  # the shot shows a figure
                page.screenshot(path=str(SHOTS / "notebook-02.png"), full_page=False)
            if name == "results.html":
                table = page.inner_text("main")
                problems += [f"results.html: no row for {e}" for e in load_results(ROOT / "results" / "full")
                             if e not in table]
        browser.close()
    assert problems == []
    assert (SHOTS / "landing.png").stat().st_size > 10_000 and (SHOTS / "notebook-02.png").stat().st_size > 10_000


# Every formula (Sphinx writes each in an element of classes "math notranslate"; MathJax's own
# output has inner elements of class "math" too) holds MathJax's rendering, MathJax has finished,
# and no formula shows a TeX error box.
FORMULAS = ".math.notranslate"
_TYPESET = ("() => window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0"
            " && !MathJax.Hub.queue.running && Array.from(document.querySelectorAll('.math.notranslate'))"
            ".every(m => m.querySelector('.MathJax'))")


def _formulas_in_source(name: str) -> int:
    """The display formulas ($$...$$) a notebook page's source holds (0 for other pages)."""
    source = ROOT / "build" / "site-src" / Path(name).with_suffix(".ipynb")
    if not name.startswith("notebooks/") or not source.exists():
        return 0
    cells = json.loads(source.read_text(encoding="utf-8"))["cells"]
    return sum(len(re.findall(r"\$\$.+?\$\$", "".join(c["source"]), re.S))
               for c in cells if c["cell_type"] == "markdown")


def _formula_problems(page, name: str) -> list[str]:
    formulas = page.locator(FORMULAS).count()
    expected, shown = _formulas_in_source(name), page.locator(f"div{FORMULAS}").count()
    if shown != expected:
        return [f"{name}: {shown} display formulas, its source has {expected}"]
    if not formulas:
        return []
    try:
        page.wait_for_function(_TYPESET, timeout=20_000)
    except PlaywrightTimeout:
        left = page.evaluate(f"Array.from(document.querySelectorAll('{FORMULAS}'))"
                             ".filter(m => !m.querySelector('.MathJax')).length")
        return [f"{name}: {left} of {formulas} formulas not rendered by MathJax"]
    errors = page.locator(f"{FORMULAS} .merror").count()
    return [f"{name}: {errors} formulas with a TeX error"] if errors else []


def _check_notebook_page(page, problems: list[str]) -> None:
    notebook = json.loads((ROOT / "build" / "site-src" / "notebooks" / "02_baseline.ipynb").read_text())
    figures = sum("image/png" in o.get("data", {}) for c in notebook["cells"] for o in c.get("outputs", []))
    shown = page.evaluate("Array.from(document.querySelectorAll('main img')).filter(i => i.naturalWidth > 0"
                          " && i.alt && !i.alt.endsWith('.png')).length")
    if figures == 0 or shown < figures:
        problems.append(f"notebooks/02_baseline.html shows {shown} of its {figures} figures with alt text")
