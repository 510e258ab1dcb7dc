"""``python -m audioflow.cli ...``: the same as the ``audioflow`` command."""

import sys

from audioflow.cli import main

sys.exit(main())
