"""What several test modules share and is no fixture: the project's root and the legal-statement pattern."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ETHICS = ROOT / "ethics"
# A paragraph naming one of these makes a legal statement, which must say "as of" a date.
LEGAL = re.compile(r"AI Act|TAKE IT DOWN|DEFIANCE|GDPR|BIPA|Regulation \(EU\)|[Tt]ribunal|\bfined\b|\bfine of\b|"
                   r"[Ss]ettle(?:ment|d)|[Ss]tatute|\bbann?(?:ed|s)\b|[Pp]rohibit")
