"""Entry script of the frozen application (PyInstaller needs a file, not a console_scripts entry)."""

import sys

from zscq_desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
