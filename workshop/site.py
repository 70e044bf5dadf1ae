"""The course website: Jupyter Book 1 pages built from the student edition, readable offline.

    python3 tasks.py site        # or: python -m workshop site [--out build/site]

Sources are assembled in ``build/site-src/`` (never edited by hand), then Jupyter Book builds them
into ``build/site/``. Notebook pages show their **committed outputs** (nothing is executed); the
ethics pages are the student edition's; the results page is generated from ``results/full``. The
formula renderer (MathJax 2, from the ``jupyter-server-mathjax`` package) is copied into the site's
``_static/``, so no page needs the network. :func:`site_problems` then reads every page and lists what would
break offline: a script, style sheet or image from another host, a missing file, an image without
alt text.

Launch links ("Open in Colab", "Launch Binder", "Download") come from one setting,
``[tool.course.site]`` in ``pyproject.toml`` (see :mod:`workshop.launch`).
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from course_utils.core.atomic import write_text_atomic
from .editions import build_editions, keep_resolvable_links
from .handouts import _plain_citations, student_part  # the handouts render citations the same way
from .launch import LaunchSettings, launch_cell, read_settings
from .report import results_table

ROOT = Path(__file__).resolve().parents[1]
TITLE = "CIFAR-10 with Keras 3"
FIGURE_TEXT = re.compile(r"\*Figure:\s*(.+?)\*(?!\*)", flags=re.S)

LANDING = """# {title}

A course in nine notebooks and an ethics companion. You train three classic convolutional networks
on CIFAR-10 with Keras 3 (a one-block **baseline**, a **deeper** two-block network, and the deeper
network with **augmentation**), reproduce a famous failure of the original augmented run, and answer
the questions its students left behind: why divide by 255, what pooling and dropout do, why a
valid-padded convolution turns 16 pixels into 14.

**Who it is for.** Students who know some Python and NumPy and have met the idea of a neural
network; instructors who want notebooks that run today, offline, with every number in the prose
taken from the outputs.

**Time needed.** Each notebook says at its top what it takes. Reading one with its committed
outputs needs no installation at all; running one in the quick profile (the bundled sample) takes
minutes on a laptop; the full runs take hours on a laptop CPU, and their results are on the
[results](results.md) page and in every notebook.

**How to start.** Read the notebooks here, in order. To run them, use a notebook's "Open in Colab"
or "Launch Binder" link where this copy of the site has them, or clone the repository and run
`python3 tasks.py series` (Python 3.11 to 3.13).

**The ethics companion** asks what the same tools do when the pictures are of people: prompts with
a rubric, a bibliography, model cards{datasheet_note}.
"""


def _figure_alt_text(cells: list[dict]) -> None:
    """A figure's alt text is the *Figure: ...* sentence that opens the markdown cell after it."""
    for cell, after in zip(cells, cells[1:]):
        images = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        text = "".join(after["source"]) if isinstance(after["source"], list) else after["source"]
        match = FIGURE_TEXT.match(text.replace("<!-- solution -->", "").lstrip())
        if images and after["cell_type"] == "markdown" and match:
            cell.setdefault("metadata", {})["mystnb"] = {"image": {"alt": " ".join(match.group(1).split())}}


def _copy_notebooks(student: Path, src: Path, settings: LaunchSettings) -> list[str]:
    pages = []
    for path in sorted((student / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        _figure_alt_text(notebook["cells"])
        # the title cell first, then the launch links
        notebook["cells"].insert(1, launch_cell(f"notebooks/{path.name}", settings))
        write_text_atomic(src / "notebooks" / path.name, json.dumps(notebook, indent=1, ensure_ascii=False))
        pages.append(f"notebooks/{path.stem}")
    return pages


def _copy_markdown(student: Path, src: Path, settings: LaunchSettings) -> list[str]:
    copies = {path: path.relative_to(student) for path in sorted((student / "ethics").rglob("*.md"))}
    # Model cards are the same in both editions, bar the links the student edition had to drop (to the
    # datasheet, for one): the site takes the project's cards and keeps the links that resolve there.
    copies = {(ROOT / rel if rel.parts[:2] == ("ethics", "model-cards") and (ROOT / rel).is_file() else path): rel
              for path, rel in copies.items()}
    if settings.publish_datasheet:  # a model answer to prompt 4: published only when the setting says so
        copies[ROOT / "ethics" / "datasheet-cifar10.md"] = Path("ethics/datasheet-cifar10.md")
    for path, rel in copies.items():
        write_text_atomic(src / rel, student_part(path.read_text(encoding="utf-8")))
    return [str(p.relative_to(src).with_suffix("")) for p in sorted((src / "ethics").rglob("*.md"))]


def _finish_markdown(src: Path) -> None:
    """Citations as plain keys, and links to pages the site lacks (model essays, instructor notes)
    reduced to their text."""
    for page in sorted(src.rglob("*.md")):
        text = keep_resolvable_links(_plain_citations(page.read_text(encoding="utf-8")), page, src)
        write_text_atomic(page, text)
    for page in sorted(src.rglob("*.ipynb")):
        notebook = json.loads(page.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            if cell["cell_type"] == "markdown":
                text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                cell["source"] = keep_resolvable_links(text, page, src)
        write_text_atomic(page, json.dumps(notebook, indent=1, ensure_ascii=False))


def _config(settings: LaunchSettings) -> str:
    # The bundled MathJax 2 ships one full configuration and the STIX-Web fonts only; Sphinx reads a
    # relative mathjax_path from _static/, where build_site copies it.
    mathjax = "mathjax/MathJax.js?config=TeX-AMS-MML_HTMLorMML-full"
    return f"""# Generated by python -m workshop site: edit workshop/site.py, not this file.
title: "{TITLE}"
author: the course maintainers
copyright: "2026"
only_build_toc_files: true
exclude_patterns: [_build]
execute:
  execute_notebooks: "off"
html:
  use_repository_button: false
  use_issues_button: false
  use_edit_page_button: false
  use_multitoc_numbering: false
launch_buttons:
  notebook_interface: jupyterlab
  thebe: false
sphinx:
  config:
    mathjax_path: "{mathjax}"
    mathjax3_config: null
    mathjax2_config:
      tex2jax:
        inlineMath: [["\\\\(", "\\\\)"]]
        displayMath: [["\\\\[", "\\\\]"]]
        processClass: "math"   # MyST marks each page tex2jax_ignore and its formulas class "math"
      TeX:   # a TeX mistake shows as MathJax's error box (the browser test looks for it), not as plain text
        noErrors: {{disabled: true}}
        noUndefined: {{disabled: true}}
      "HTML-CSS":
        availableFonts: ["STIX-Web"]
        preferredFont: "STIX-Web"
        webFont: "STIX-Web"
        imageFont: null
        # MathJax's placeholder font points at about:blank, which Chromium logs as an error
        styles:
          "@font-face":
            font-family: MathJax_Blank
            src: "local('MathJax_Blank')"
    html_context:
      default_mode: light   # without it the theme logs an error on a first visit
    html_show_copyright: false
    html_last_updated_fmt: null
    nb_ipywidgets_js: {{}}
    suppress_warnings: ["myst.header", "mystnb.unknown_mime_type"]
"""


def _toc(notebooks: list[str], ethics: list[str]) -> str:
    lines = ["# Generated by python -m workshop site.", "format: jb-book", "root: index", "parts:",
             "- caption: The notebooks", "  chapters:"]
    lines += [f"  - file: {page}" for page in notebooks]
    lines += ["- caption: Results", "  chapters:", "  - file: results", "- caption: Ethics companion", "  chapters:"]
    lines += [f"  - file: {page}" for page in ethics]
    return "\n".join(lines) + "\n"


def assemble(src: Path, settings: LaunchSettings, results_dir: Path) -> Path:
    """Write the site's sources into ``src`` (emptied first); return ``src``."""
    shutil.rmtree(src, ignore_errors=True)
    student = build_editions(src.parent / "site-editions")["student"]
    notebooks = _copy_notebooks(student, src, settings)
    ethics = _copy_markdown(student, src, settings)
    note = ", and the CIFAR-10 [datasheet](ethics/datasheet-cifar10.md)" if settings.publish_datasheet else ""
    write_text_atomic(src / "index.md", LANDING.format(title=TITLE, datasheet_note=note))
    write_text_atomic(src / "results.md", "# Results of the full runs\n\nEvery experiment in `results/full/`, "
                      "generated from its results JSON (test accuracy on the 10,000 test images).\n\n"
                      + results_table(results_dir) + "\n")
    _finish_markdown(src)
    write_text_atomic(src / "_config.yml", _config(settings))
    write_text_atomic(src / "_toc.yml", _toc(notebooks, ethics))
    return src


def _drop_online_extensions(conf: Path) -> None:
    """Jupyter Book always loads sphinx-thebe (live code from unpkg.com, and its script twice per
    page), sphinx-comments and intersphinx: all need the network, and none is used here."""
    text = conf.read_text(encoding="utf-8")
    for name in ("sphinx_thebe", "sphinx_comments", "sphinx.ext.intersphinx"):
        text = text.replace(f"'{name}', ", "").replace(f", '{name}'", "")
    write_text_atomic(conf, text)


def _mathjax_dir() -> Path:
    import jupyter_server_mathjax

    return Path(jupyter_server_mathjax.__file__).parent / "static"


def build_site(out: Path | None = None, settings: LaunchSettings | None = None,
               results_dir: Path | None = None) -> Path:
    """Assemble the sources, build them with Jupyter Book, add MathJax; return the site folder."""
    out = Path(out or ROOT / "build" / "site")
    settings = settings or read_settings()
    src = assemble(out.parent / "site-src", settings, Path(results_dir or ROOT / "results" / "full"))
    tools = Path(sys.executable).parent
    subprocess.run([str(tools / "jupyter-book"), "config", "sphinx", str(src)], check=True, cwd=src,
                   stdout=subprocess.DEVNULL)
    _drop_online_extensions(src / "conf.py")
    shutil.rmtree(out, ignore_errors=True)
    subprocess.run([str(tools / "sphinx-build"), "-b", "html", "-q", "-j", "1", str(src), str(out)], check=True, cwd=src)
    shutil.copytree(_mathjax_dir(), out / "_static" / "mathjax")
    shutil.rmtree(out / ".doctrees", ignore_errors=True)
    return out
