"""The steps behind ``audioflow train``, callable from Python (moved to :mod:`audioflow.recipe`).

This module re-exports the names of 0.1.0 and 0.2.0 so their code keeps working.
"""

from audioflow.recipe.training import (
    OUTPUT_NAMES,
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

__all__ = [
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
