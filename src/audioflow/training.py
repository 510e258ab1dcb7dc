"""Train a raw-audio classifier on a folder of audio: the steps behind ``audioflow train``.

Each step is a function that Python users can call on their own; :func:`train_classifier`
runs them in order::

    data -> datasets (random crops for training, centre crops for validation)
         -> model (audioflow.models) -> fit with Keras callbacks
         -> one deterministic evaluation -> outputs (written together, or not at all)

The validation clips are the centre of each validation file, the same every epoch, so the
accuracy Keras reports for an epoch, the accuracy of the final evaluation (after the best
epoch's weights are restored), the per-class figures and the confusion matrix all describe
the same predictions. Example::

    from audioflow.training import train_classifier
    result = train_classifier("my_folder/", out="run1", sample_rate=16000, duration=1.0, epochs=10)
    result.evaluation.accuracy, result.outputs["model.keras"]
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings

import numpy as np

from audioflow import _training_outputs as _outputs
from audioflow._folder_claim import holding_output_folder
from audioflow.errors import AudioflowError

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
    "training_report",
    "write_outputs",
]

#: The files :func:`train_classifier` writes into its output folder.
OUTPUT_NAMES = _outputs.OUTPUT_NAMES


# ---------------------------------------------------------------- data


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
    batch_size: int = 32,
    validation_split: float = 0.2,
    seed: int = 0,
    on_error: str = "raise",
    cache="memory",
) -> TrainingData:
    """Training and validation datasets of a folder with one sub-folder per class.

    Both come from :func:`audioflow.data.audio_dataset_from_directory` with the same seeded
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
        _raise_if_nothing_readable(directory, exc)
        raise
    return TrainingData(
        train=train, validation=validation, class_names=list(train.class_names), directory=str(directory),
        train_files=_readable(train), validation_files=_readable(validation), batch_size=batch_size,
        cached=cache is not None,
    )  # fmt: skip


def _readable(dataset) -> int:
    """Files of ``dataset`` not (yet) known to be unreadable: in skip mode headers are read at build."""
    return len({str(p) for p in dataset.file_paths} - {str(path) for path, _ in dataset.skipped})


def _raise_if_nothing_readable(directory, cause=None, skipped=None, subset=None):
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


# ---------------------------------------------------------------- model


def build_model(class_names, *, sample_rate: int, duration: float, **model_options):
    """An uncompiled classifier from :func:`audioflow.models.build_classifier` (options passed through)."""
    from audioflow.models import build_classifier

    return build_classifier(class_names, sample_rate=sample_rate, duration=duration, **model_options)


def _compile(model, *, learning_rate, epochs, steps_per_epoch):
    from audioflow import models

    if hasattr(models, "compile_classifier"):
        models.compile_classifier(
            model, learning_rate=learning_rate, epochs=epochs, steps_per_epoch=steps_per_epoch
        )
        return
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(3e-3 if learning_rate is None else learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


def _default_callbacks(epochs):
    from audioflow import models

    return list(models.classifier_callbacks(epochs=epochs))


# ---------------------------------------------------------------- fit


def _callback_base():
    import keras

    return keras.callbacks.Callback


class EpochTimer(_callback_base()):
    """Records each epoch's duration and training throughput (clips per second)."""

    def __init__(self, train_clips: int):
        super().__init__()
        self.train_clips = train_clips
        self.epoch_seconds = []
        self.clips_per_second = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        seconds = time.perf_counter() - self._start
        self.epoch_seconds.append(seconds)
        self.clips_per_second.append(self.train_clips / max(seconds, 1e-9))


@dataclasses.dataclass
class Fit:
    """What :func:`fit_classifier` did: per-epoch history, the restored best epoch, timings."""

    history: dict  # metric -> list of floats (None where not finite)
    best_epoch: int  # counted from 0
    epoch_seconds: list
    clips_per_second: list
    seconds: float


def fit_classifier(
    model, data: TrainingData, *, epochs: int, learning_rate=None, callbacks=(), verbose="auto"
) -> Fit:
    """Compile ``model`` and fit it on ``data`` -> :class:`Fit`.

    The recipe's callbacks (:func:`audioflow.models.classifier_callbacks`: best-weights
    restore, early stopping, learning-rate schedule) run with ``callbacks``; at the end the
    model holds the weights of the best epoch. ``verbose`` is ``model.fit``'s ("auto" or 1: a
    bar with steps and ETA from the first batch, after a line saying what the first epoch
    prepares; 2: one line per epoch; 0: silent); an ``audioflow._progress.TrainingProgress``
    among ``callbacks`` replaces that display.

    Raises:
        AudioflowError: every training (or validation) file was skipped as unreadable.
    """
    from audioflow._progress import TrainingProgress, first_epoch_notice

    _compile(model, learning_rate=learning_rate, epochs=epochs, steps_per_epoch=data.steps_per_epoch)
    recipe = _default_callbacks(epochs)
    timer = EpochTimer(data.train_files)
    if not any(isinstance(c, TrainingProgress) for c in callbacks):
        notice = first_epoch_notice(
            train_files=data.train_files, validation_files=data.validation_files, cached=data.cached
        )
        callbacks = [TrainingProgress(verbose=verbose, notice=notice), *callbacks]
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # skipped files are reported by name, once each
            fitted = model.fit(
                data.train, validation_data=data.validation, epochs=epochs, verbose=0,
                callbacks=[timer, *recipe, *callbacks],
            )  # fmt: skip
    except Exception as exc:
        _check_something_was_read(data, exc)
        raise
    _check_something_was_read(data)
    history = {k: [_finite(v) for v in values] for k, values in fitted.history.items()}
    best = [c for c in recipe if getattr(c, "restore_best_weights", False)]
    best_epoch = best[0].best_epoch if best else len(history.get("loss", [])) - 1
    seconds = time.perf_counter() - start
    return Fit(history, int(best_epoch), timer.epoch_seconds, timer.clips_per_second, seconds)


def _check_something_was_read(data, cause=None):
    """Raise when every file of a subset was skipped as unreadable: there was nothing to learn from."""
    skipped = data.skipped()
    unreadable = {entry["path"] for entry in skipped}
    for subset, dataset in (("training", data.train), ("validation", data.validation)):
        files = {str(path) for path in dataset.file_paths}
        if files and unreadable.issuperset(files):
            _raise_if_nothing_readable(data.directory, cause)  # no file of the folder at all?
            mine = [entry for entry in skipped if entry["path"] in files]
            _raise_if_nothing_readable(data.directory, cause, skipped=mine, subset=subset)


def _finite(value):
    value = float(value)
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------- evaluation


@dataclasses.dataclass
class Evaluation:
    """One deterministic evaluation: the confusion matrix and the figures derived from it."""

    class_names: list
    confusion_matrix: np.ndarray  # (classes, classes) counts; rows: true class, columns: predicted
    examples: dict  # class index -> one evaluated waveform of that class
    seconds: float = 0.0

    @property
    def clips(self) -> int:
        return int(self.confusion_matrix.sum())

    @property
    def accuracy(self) -> float | None:
        return float(np.trace(self.confusion_matrix) / self.clips) if self.clips else None

    @property
    def per_class_accuracy(self) -> dict:
        m = self.confusion_matrix
        return {
            name: (float(m[i, i] / m[i].sum()) if m[i].sum() else None)
            for i, name in enumerate(self.class_names)
        }


def evaluate_classifier(model, data: TrainingData) -> Evaluation:
    """Predict every validation clip of ``data`` once -> :class:`Evaluation` (confusion matrix, accuracy).

    Raises:
        AudioflowError: no validation file was readable.
    """
    start = time.perf_counter()
    class_names = data.class_names
    n = len(class_names)
    matrix = np.zeros((n, n), dtype=np.int64)
    examples = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for audio, labels in data.validation:
            audio = np.asarray(audio)
            labels = np.asarray(labels).astype(np.int64).reshape(-1)
            predicted = np.asarray(model.predict_on_batch(audio)).argmax(axis=-1)
            np.add.at(matrix, (labels, predicted), 1)
            for i, label in enumerate(labels):
                examples.setdefault(int(label), audio[i])
    if not matrix.sum():
        _raise_if_nothing_readable(data.directory, skipped=data.skipped(), subset="validation")
    return Evaluation(list(class_names), matrix, examples, time.perf_counter() - start)


# ---------------------------------------------------------------- everything


@dataclasses.dataclass
class TrainingResult:
    model: object
    evaluation: Evaluation
    fit: Fit
    report: dict
    outputs: dict  # name -> path (empty when no output folder was given)


def training_report(model, data: TrainingData, fit: Fit, evaluation: Evaluation, *, settings, extra=None):
    """The JSON-ready report of a run: one accuracy (``evaluation``), history, data, settings, timings.

    ``settings``: the training arguments (epochs, batch_size, learning_rate, seed,
    validation_split, on_error, cache) and the model options; ``extra``: entries merged in.
    """
    return _outputs.build_report(
        model=model, data=data, evaluation=evaluation, fit=fit, settings=settings, extra=extra
    )


def write_outputs(out, *, model, evaluation, fit, report, force=False) -> dict:
    """Write :data:`OUTPUT_NAMES` into ``out``: all of them, or (on any error, Ctrl-C included) none.

    Each file is written under a temporary name in ``out`` and renamed into place at the end
    (Ctrl-C is held back during the renames). Existing outputs are refused unless ``force``.
    A folder created here is removed again when nothing could be written.
    """
    return _outputs.write_all(
        out, model=model, evaluation=evaluation, history=fit.history, report=report, force=force
    )


@holding_output_folder  # a second process training into the same `out` is refused
def train_classifier(
    directory,
    *,
    out=None,
    sample_rate: int = 16000,
    duration: float = 1.0,
    epochs: int = 20,
    batch_size: int = 32,
    learning_rate=None,
    validation_split: float = 0.2,
    seed: int = 0,
    on_error: str = "raise",
    cache="memory",
    force: bool = False,
    callbacks=(),
    verbose="auto",
    **model_options,
) -> TrainingResult:
    """Train a classifier on ``directory`` (one sub-folder per class); optionally write ``out``.

    Args:
        directory: the data folder.
        out: output folder for :data:`OUTPUT_NAMES` (None writes nothing).
        sample_rate, duration: the model's input: ``round(duration * sample_rate)`` samples at
            ``sample_rate`` Hz; files are resampled, cropped and zero-padded to it.
        epochs, batch_size, learning_rate: training (``learning_rate=None``: the recipe's).
        validation_split, seed, on_error, cache: as :func:`make_datasets`.
        force: overwrite existing outputs in ``out``.
        callbacks: more Keras callbacks.
        verbose: as ``model.fit``'s: "auto" (default) or 1 prints what each step does and
            Keras' progress bar (steps done and ETA from the first batch); 2 one line per
            epoch; 0 nothing.
        **model_options: passed to :func:`audioflow.models.build_classifier` (front end, size,
            augmentation, STFT and mel settings).

    Returns:
        A :class:`TrainingResult`; ``result.evaluation.accuracy`` is the validation accuracy
        (of the restored best epoch, on the centre crops), the one figure every output shows.
    """
    from audioflow._progress import say

    if out is not None:
        _outputs.check_writable(out, force=force)
    say(verbose, f"scanning {directory} (one sub-folder per class)")
    data = make_datasets(
        directory, sample_rate=sample_rate, duration=duration, batch_size=batch_size,
        validation_split=validation_split, seed=seed, on_error=on_error, cache=cache,
    )  # fmt: skip
    import keras

    keras.utils.set_random_seed(seed)
    model = build_model(data.class_names, sample_rate=sample_rate, duration=duration, **model_options)
    say(verbose, f"{len(data.class_names)} classes; {data.train_files} training and "
        f"{data.validation_files} validation files; {model.count_params():,} parameters")  # fmt: skip
    fit = fit_classifier(
        model, data, epochs=epochs, learning_rate=learning_rate, callbacks=callbacks, verbose=verbose
    )
    say(verbose, f"evaluating the restored best epoch ({fit.best_epoch + 1}) on the validation clips")
    evaluation = evaluate_classifier(model, data)
    settings = dict(
        epochs=epochs, batch_size=batch_size, learning_rate=learning_rate, seed=seed,
        validation_split=validation_split, on_error=on_error, cache=cache, **model_options,
    )  # fmt: skip
    report = training_report(model, data, fit, evaluation, settings=settings)
    paths = (
        write_outputs(out, model=model, evaluation=evaluation, fit=fit, report=report, force=force)
        if out
        else {}
    )
    say(verbose, f"validation accuracy {evaluation.accuracy:.3f}" + (f"; wrote {out}" if paths else ""))
    return TrainingResult(model, evaluation, fit, report, paths)
