"""Deprecated alias of :mod:`audioflow.synthetic` (the built-in synthetic sounds).

The module was renamed so that its role reads from its name beside :mod:`audioflow.data` (the
input pipeline). ``from audioflow.datasets import make_synthetic_dataset`` keeps working and
warns; import from :mod:`audioflow.synthetic` instead.
"""

import warnings

from audioflow.synthetic import MANIFEST_NAME, SYNTHETIC_CLASSES, make_synthetic_dataset, synthesize

__all__ = ["MANIFEST_NAME", "SYNTHETIC_CLASSES", "make_synthetic_dataset", "synthesize"]

warnings.warn(
    "audioflow.datasets is deprecated; import from audioflow.synthetic instead",
    DeprecationWarning,
    stacklevel=2,
)
