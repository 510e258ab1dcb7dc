"""The classifier recipe behind ``audioflow train``: its parts, the model, training and outputs.

A :class:`Recipe` is the input (sample rate, clip length) and four parts, each a frozen settings
object that declares its defaults once and builds its share of the model:

- :class:`FrontEnd`: waveforms -> ``(batch, frames, bands)`` features (log-mel, PCEN, LEAF);
- :class:`Augmentation`: training-only time shift, gain and SpecAugment (None: no augmentation);
- :class:`TemporalResNet`: the network from features to class probabilities;
- :class:`Schedule`: optimiser, learning-rate schedule, loss, epochs, batch size, callbacks.

Take it and change one part::

    from audioflow.recipe import FrontEnd, Recipe, Schedule
    recipe = Recipe(sample_rate=16000, duration=1.0)
    recipe = recipe.replace(front_end=FrontEnd(kind="pcen"), schedule=Schedule(epochs=40))
    model = recipe.build_model(["yes", "no"])       # uncompiled keras.Model, raw audio in
    result = recipe.train("my_folder/", out="run1")  # what `audioflow train` runs

The flat-options functions of 0.2.0 (:func:`build_classifier`, :func:`train_classifier`, ...)
build the same recipe from keyword arguments; ``audioflow.models`` and ``audioflow.training``
re-export them. The parts import no Keras until they build; the model, training and outputs
modules are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from audioflow.recipe.parts import (
    CACHE,
    FRONTENDS,
    ON_ERROR,
    SEED,
    SIZES,
    TRAINING_DEFAULTS,
    VALIDATION_SPLIT,
    Augmentation,
    FrontEnd,
    Recipe,
    Schedule,
    TemporalResNet,
    recipe_from_options,
)

if TYPE_CHECKING:
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
    from audioflow.recipe.outputs import OUTPUT_NAMES
    from audioflow.recipe.training import (
        EpochTimer,
        Evaluation,
        Fit,
        TrainingData,
        TrainingResult,
        build_model,
        evaluate_classifier,
        fit_classifier,
        make_datasets,
        train_classifier,
        train_recipe,
        training_report,
        write_outputs,
    )

_MODEL = (
    "BestEpoch",
    "ClassifierInfo",
    "SparseLabelSmoothingLoss",
    "build_classifier",
    "classifier_callbacks",
    "classifier_info",
    "compile_classifier",
    "default_stft",
    "load_classifier",
)
_TRAINING = (
    "EpochTimer",
    "Evaluation",
    "Fit",
    "TrainingData",
    "TrainingResult",
    "build_model",
    "evaluate_classifier",
    "fit_classifier",
    "make_datasets",
    "train_classifier",
    "train_recipe",
    "training_report",
    "write_outputs",
)
_LAZY = {
    **dict.fromkeys(_MODEL, "audioflow.recipe.model"),
    **dict.fromkeys(_TRAINING, "audioflow.recipe.training"),
    "OUTPUT_NAMES": "audioflow.recipe.outputs",  # Keras-free: the CLI checks --out before Keras starts
}

__all__ = [  # noqa: RUF022  (the parts first, then the model, then training)
    "Recipe",
    "FrontEnd",
    "Augmentation",
    "TemporalResNet",
    "Schedule",
    "recipe_from_options",
    "FRONTENDS",
    "SIZES",
    "TRAINING_DEFAULTS",
    "VALIDATION_SPLIT",
    "SEED",
    "ON_ERROR",
    "CACHE",
    "BestEpoch",
    "ClassifierInfo",
    "SparseLabelSmoothingLoss",
    "build_classifier",
    "classifier_callbacks",
    "classifier_info",
    "compile_classifier",
    "default_stft",
    "load_classifier",
    "OUTPUT_NAMES",
    "EpochTimer",
    "Evaluation",
    "Fit",
    "TrainingData",
    "TrainingResult",
    "build_model",
    "evaluate_classifier",
    "fit_classifier",
    "make_datasets",
    "train_classifier",
    "train_recipe",
    "training_report",
    "write_outputs",
]


def __getattr__(name):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'audioflow.recipe' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
