"""The steps behind ``audioflow train``, callable from Python (:mod:`audioflow.recipe.training`).

This module re-exports them under the import path of 0.1.0 and 0.2.0 so their code keeps working.
"""

from audioflow.recipe import training as _training
from audioflow.recipe.training import *  # noqa: F403

__all__ = []
__all__ += _training.__all__
