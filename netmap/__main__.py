"""``python -m netmap``: the command line (see :mod:`netmap.cli`)."""

from .cli import main

raise SystemExit(main())
