"""``python -m audioflow ...``: the same as the ``audioflow`` command."""

import sys

from audioflow.cli import main

if __name__ == "__main__":
    sys.exit(main())
