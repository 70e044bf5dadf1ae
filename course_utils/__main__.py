"""``python -m course_utils``: the student's command line (see :mod:`course_utils.cli`)."""
from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
