"""``python -m ntrkkg``: the command line."""

import sys

from ntrkkg.cli import main

sys.exit(main())
