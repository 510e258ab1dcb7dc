"""Ready-made models: the recipe's raw-audio classifier (moved to :mod:`audioflow.recipe`).

This module re-exports the names of 0.1.0 and 0.2.0, so their code and their ``.keras`` files
keep working: importing it registers ``audioflow>ClassifierInfo``, ``audioflow>GlobalMaxPool``
and ``audioflow>SparseLabelSmoothingLoss`` for deserialisation.
"""

from audioflow.recipe.model import (
    BestEpoch,
    ClassifierInfo,
    SparseLabelSmoothingLoss,
    build_classifier,
    classifier_callbacks,
    classifier_info,
    compile_classifier,
    default_stft,
    load_classifier,
)
from audioflow.recipe.network import GlobalMaxPool
from audioflow.recipe.parts import FRONTENDS, SIZES, TRAINING_DEFAULTS

__all__ = [
    "FRONTENDS",
    "SIZES",
    "TRAINING_DEFAULTS",
    "BestEpoch",
    "ClassifierInfo",
    "GlobalMaxPool",
    "SparseLabelSmoothingLoss",
    "build_classifier",
    "classifier_callbacks",
    "classifier_info",
    "compile_classifier",
    "default_stft",
    "load_classifier",
]
