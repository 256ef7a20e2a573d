"""``python -m netmap``: the command line (see :mod:`netmap.cli`)."""

import os
import sys

from .cli import main

code = main()
# The answer is written and the database closed (main's ``finally``). What Python's own
# shutdown would do now is free every module and object one by one: 0.1-0.2 s of a
# 0.8 s answer at 10,000 people, for nothing a user sees. So the output is flushed
# and the process ends here. (An exception or SystemExit from main, e.g. --help or a
# usage error, never reaches this line and exits the usual way.)
for stream in (sys.stdout, sys.stderr):
    try:
        stream.flush()
    except BrokenPipeError:  # `python -m netmap summary | true`: the reader left, as main() allows
        pass
os._exit(code)
