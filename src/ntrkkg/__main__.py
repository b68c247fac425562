import sys

from ntrkkg.cli import main

sys.exit(main())
