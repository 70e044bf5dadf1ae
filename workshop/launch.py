"""Where the course is published, from one setting: launch links and the first cell's install source.

The setting is the ``[tool.course.site]`` table of ``pyproject.toml``::

    [tool.course.site]
    repository = "https://github.com/OWNER/REPO"   # empty until the repository is public
    student_edition = "student"                      # the branch that holds build/student/
    publish_datasheet = false                        # the datasheet is prompt 4's model answer

``COURSE_SITE_REPOSITORY`` and ``COURSE_SITE_EDITION`` override the first two (tests use them).
From them come, for each notebook page, "Open in Colab" and "Launch Binder" links to the student
edition's copy of the notebook, and the ``pip install`` source that a notebook's first cell uses on
a bare hosted Jupyter. With no repository set, the pages carry only the "Download" link.
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GITHUB = re.compile(r"^https://github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/?$")


class SettingError(ValueError):
    """The ``[tool.course.site]`` setting is not usable."""


@dataclass(frozen=True)
class LaunchSettings:
    repository: str = ""
    student_edition: str = "student"
    publish_datasheet: bool = False

    @property
    def github(self) -> tuple[str, str] | None:
        """(owner, name) of the repository, or None when none is set."""
        if not self.repository:
            return None
        match = GITHUB.match(self.repository)
        if not match:
            raise SettingError(f"[tool.course.site] repository = {self.repository!r} in pyproject.toml is not "
                               "https://github.com/OWNER/REPO; Colab and Binder open GitHub repositories only")
        return match.group(1), match.group(2)

    def colab(self, path: str) -> str | None:
        if self.github is None:
            return None
        owner, name = self.github
        return f"https://colab.research.google.com/github/{owner}/{name}/blob/{self.student_edition}/{path}"

    def binder(self, path: str) -> str | None:
        if self.github is None:
            return None
        owner, name = self.github
        return f"https://mybinder.org/v2/gh/{owner}/{name}/{self.student_edition}?labpath={path}"

    def install_source(self) -> str | None:
        """What ``pip install`` takes to get ``course_utils`` on Colab: the repository's default branch."""
        if self.github is None:
            return None
        owner, name = self.github
        return f"course-utils @ git+https://github.com/{owner}/{name}"


def read_settings(pyproject: Path | None = None) -> LaunchSettings:
    table = tomllib.loads(Path(pyproject or ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    site = table.get("tool", {}).get("course", {}).get("site", {})
    settings = LaunchSettings(
        repository=os.environ.get("COURSE_SITE_REPOSITORY", site.get("repository", "")).strip(),
        student_edition=os.environ.get("COURSE_SITE_EDITION", site.get("student_edition", "student")).strip(),
        publish_datasheet=bool(site.get("publish_datasheet", False)),
    )
    settings.github  # an unusable repository fails here, in one line, not on a page
    if not re.fullmatch(r"[A-Za-z0-9._/-]+", settings.student_edition):
        raise SettingError(f"[tool.course.site] student_edition = {settings.student_edition!r} is not a branch name")
    return settings


def launch_cell(path: str, settings: LaunchSettings) -> dict:
    """A markdown cell with the page's launch links (``path``: the notebook inside the edition)."""
    links = []
    if settings.github is not None:
        links += [f"[Open in Colab]({settings.colab(path)})", f"[Launch Binder]({settings.binder(path)})"]
    links.append(f"{{download}}`Download this notebook <{Path(path).name}>`")  # the file itself, not its page
    return {"cell_type": "markdown", "id": "launch-links", "metadata": {"tags": ["launch-links"]},
            "source": "**Run it yourself:** " + " · ".join(links)}
