"""The data of a training run: the training and validation datasets of a folder, and what they hold.

Training clips are random crops, drawn again every epoch; validation clips are the centre of each
validation file, the same every epoch, so the validation figure is one measurement.
"""

from __future__ import annotations

import dataclasses
import math

from audioflow.errors import AudioflowError
from audioflow.recipe.parts import CACHE, ON_ERROR, SEED, VALIDATION_SPLIT, Schedule

__all__ = ["TrainingData", "make_datasets", "raise_if_nothing_readable"]


@dataclasses.dataclass
class TrainingData:
    """The training and validation datasets of a folder, and what they hold."""

    train: (
        object  # (audio, label) batches (tf.data, torch or Grain loader), random crops, reshuffled each epoch
    )
    validation: object  # the same, centre crops: the same clips every epoch
    class_names: list
    directory: str
    train_files: int  # readable files (skip mode checks every header when the datasets are built)
    validation_files: int
    batch_size: int
    cached: bool = False  # decoded clips kept (memory or a folder) after the first epoch

    @property
    def steps_per_epoch(self) -> int:
        return max(1, math.ceil(self.train_files / self.batch_size))

    def skipped(self) -> list:
        """Files skipped as unreadable so far (``on_error="skip"``): ``[{"path", "reason"}]``."""
        entries = {}
        for dataset in (self.train, self.validation):
            for path, reason in list(dataset.skipped):  # audioflow.data.SkippedFile tuples
                entries.setdefault(str(path), {"path": str(path), "reason": str(reason)})
        return list(entries.values())


def make_datasets(
    directory,
    *,
    sample_rate: int,
    duration: float,
    class_names=None,
    batch_size: int = Schedule.batch_size,
    validation_split: float = VALIDATION_SPLIT,
    seed: int = SEED,
    on_error: str = ON_ERROR,
    cache: str | None = CACHE,
) -> TrainingData:
    """Training and validation datasets of a folder with one sub-folder per class.

    Both come from :func:`audioflow.data.training_inputs` (the backend's loader) with the same seeded
    split (Keras' rule: the last ``validation_split`` of the shuffled file list). Training
    clips are cropped at random (new crops every epoch); validation clips are the centre of
    each file, so the validation figure is the same measurement every epoch.

    Raises:
        ParameterError: invalid arguments, or a split that leaves a subset empty.
        AudioflowError: no file of the folder is readable.
    """
    from audioflow.data import training_inputs  # tf.data, torch_loader or grain_loader: the backend's

    try:
        train, validation = training_inputs(
            directory, class_names=class_names, sample_rate=sample_rate, duration=duration,
            batch_size=batch_size, validation_split=validation_split, seed=seed, on_error=on_error, cache=cache,
        )  # fmt: skip
    except AudioflowError as exc:
        raise_if_nothing_readable(directory, exc)
        raise
    return TrainingData(
        train=train, validation=validation, class_names=list(train.class_names), directory=str(directory),
        train_files=_readable(train), validation_files=_readable(validation), batch_size=batch_size,
        cached=cache is not None,
    )  # fmt: skip


def _readable(dataset) -> int:
    """Files of ``dataset`` not (yet) known to be unreadable: in skip mode headers are read at build."""
    return len({str(p) for p in dataset.file_paths} - {str(path) for path, _ in dataset.skipped})


def raise_if_nothing_readable(directory, cause=None, skipped=None, subset=None):
    """Say that no file was readable (rather than what that made impossible) when it is so."""
    from audioflow.io import info, scan_audio_files

    if skipped is None:
        skipped = []
        for path in scan_audio_files(directory):
            try:
                info(path)
                return
            except OSError as exc:
                skipped.append({"path": str(path), "reason": str(getattr(exc, "reason", exc))})
    if not skipped:
        return
    first = skipped[0]
    raise AudioflowError(
        f"no {subset + ' ' if subset else ''}audio file in '{directory}' was readable "
        f"({len(skipped)} unreadable; first: '{first['path']}': {first['reason']})"
    ) from cause
