"""What several test modules share and is no fixture: the project's root, the legal-statement pattern,
slices of the bundled sample, and a run under an ASCII locale. Child processes that a test starts
import it too (``sys.path.insert(0, TESTS)``)."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
ETHICS = ROOT / "ethics"
# A paragraph naming one of these makes a legal statement, which must say "as of" a date.
LEGAL = re.compile(r"AI Act|TAKE IT DOWN|DEFIANCE|GDPR|BIPA|Regulation \(EU\)|[Tt]ribunal|\bfined\b|\bfine of\b|"
                   r"[Ss]ettle(?:ment|d)|[Ss]tatute|\bbann?(?:ed|s)\b|[Pp]rohibit")


def run_where_the_locale_is_ascii(code: str, *args: str) -> str:
    """Run ``python -c code args`` from the project's root on a locale whose encoding is ASCII (as
    Windows' is cp1252), and return what it printed; the course's UTF-8 files must read and write the
    same there. Python would switch a plain C locale to UTF-8 (PEP 538, PEP 540); the variables stop it."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    env.pop("COURSE_SITE_REPOSITORY", None)
    check = "import locale; assert locale.getpreferredencoding(False).lower() not in ('utf-8', 'utf8')\n"
    done = subprocess.run([sys.executable, "-c", check + code, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def sample_slice(sample, train: int, test: int):
    """The first ``train`` training and ``test`` test images of ``sample`` as a Dataset of their own; its
    sha256 names the slice, so no run of the whole sample, or of another slice, is reused for it."""
    from course_utils.data import Dataset

    return Dataset(sample.x_train[:train], sample.y_train[:train], sample.x_test[:test], sample.y_test[:test],
                   kind="sample", source="sample slice", sha256=f"slice{train}x{test}-" + sample.sha256)
