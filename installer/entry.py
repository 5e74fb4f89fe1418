"""Entry script of the frozen application (PyInstaller needs a file, not a console_scripts entry)."""

import multiprocessing
import sys

if __name__ == "__main__":
    # A worker of the export's normalising pool (volume/parallel.py, spawn start method) starts this
    # executable again: freeze_support() runs the worker and exits before the program starts.
    multiprocessing.freeze_support()
    from zscq_desktop.cli import main

    sys.exit(main())
