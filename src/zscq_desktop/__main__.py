"""`python -m zscq_desktop` runs the command line (no arguments opens the wizard)."""

import sys

from zscq_desktop.cli import main

sys.exit(main())
