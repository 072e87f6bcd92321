"""`python -m gankit` runs the command line."""

import sys

from gankit.cli import main

sys.exit(main())
