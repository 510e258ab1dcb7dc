"""Ready-made models: the recipe's raw-audio classifier (:mod:`audioflow.recipe.model`).

This module re-exports it under the import path of 0.1.0 and 0.2.0, so their code and their
``.keras`` files keep working: importing it registers ``audioflow>ClassifierInfo``,
``audioflow>GlobalMaxPool`` and ``audioflow>SparseLabelSmoothingLoss`` for deserialisation.
"""

from audioflow.recipe import model as _model
from audioflow.recipe.model import *  # noqa: F403
from audioflow.recipe.network import GlobalMaxPool
from audioflow.recipe.parts import FRONTENDS, SIZES, TRAINING_DEFAULTS

__all__ = ["FRONTENDS", "SIZES", "TRAINING_DEFAULTS", "GlobalMaxPool"]
__all__ += _model.__all__
