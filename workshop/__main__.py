"""``python -m workshop``: the maintainers' command line (see :mod:`workshop.cli`)."""
from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
