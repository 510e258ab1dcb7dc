"""Train a raw-audio classifier on a folder of audio: the steps behind ``audioflow train``.

Each step is a function that Python users can call on their own; :func:`train_recipe` (and
:func:`train_classifier`, its flat-options form) runs them in order::

    data -> datasets (random crops for training, centre crops for validation)
         -> model (Recipe.build_model) -> fit with the recipe's schedule and Keras callbacks
         -> one deterministic evaluation -> outputs (written together, or not at all)

The validation clips are the centre of each validation file, the same every epoch, so the
accuracy Keras reports for an epoch, the accuracy of the final evaluation (after the best
epoch's weights are restored), the per-class figures and the confusion matrix all describe
the same predictions. Example::

    from audioflow.recipe.training import train_classifier
    result = train_classifier("my_folder/", out="run1", sample_rate=16000, duration=1.0, epochs=10)
    result.evaluation.accuracy, result.outputs["model.keras"]

    from audioflow.recipe import FrontEnd, Recipe
    result = Recipe(front_end=FrontEnd(kind="pcen")).train("my_folder/", out="run2")
"""

from __future__ import annotations

import dataclasses
import math
import time
import warnings

import numpy as np

from audioflow._folder_claim import holding_output_folder
from audioflow.recipe import outputs as _outputs
from audioflow.recipe import parts
from audioflow.recipe.data import TrainingData, make_datasets, raise_if_nothing_readable
from audioflow.recipe.parts import Recipe, Schedule, TemporalResNet, recipe_from_options, size_from_width

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

#: The files :func:`train_classifier` writes into its output folder.
OUTPUT_NAMES = _outputs.OUTPUT_NAMES


# ---------------------------------------------------------------- model


def build_model(class_names, *, sample_rate: int, duration: float, **model_options):
    """An uncompiled classifier from :func:`audioflow.recipe.model.build_classifier` (options passed through)."""
    from audioflow.recipe.model import build_classifier

    return build_classifier(class_names, sample_rate=sample_rate, duration=duration, **model_options)


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
    model,
    data: TrainingData,
    *,
    epochs: int | None = None,
    learning_rate: float | None = None,
    callbacks=(),
    schedule: Schedule | None = None,
    verbose="auto",
) -> Fit:
    """Compile ``model`` with ``schedule`` and fit it on ``data`` -> :class:`Fit`.

    ``schedule`` (default :class:`~audioflow.recipe.Schedule`) sets the optimiser, the
    learning-rate schedule, the loss and the callbacks (best-weights restore, early stopping);
    ``epochs`` and ``learning_rate``, when given, replace its own. ``callbacks`` run with the
    schedule's; at the end the model holds the weights of the best epoch. ``verbose`` is
    ``model.fit``'s ("auto" or 1: a bar with steps and ETA from the first batch, after a line
    saying what the first epoch prepares; 2: one line per epoch; 0: silent); an
    ``audioflow._progress.TrainingProgress`` among ``callbacks`` replaces that display.

    Raises:
        AudioflowError: every training (or validation) file was skipped as unreadable.
    """
    from audioflow._progress import TrainingProgress, first_epoch_notice

    schedule = Schedule() if schedule is None else schedule
    changes = {"epochs": epochs, "learning_rate": learning_rate}
    schedule = _schedule_with(schedule, **{k: v for k, v in changes.items() if v is not None})
    epochs = schedule.epochs
    schedule.compile(model, steps_per_epoch=data.steps_per_epoch)
    recipe = schedule.callbacks()
    timer = EpochTimer(data.train_files)
    if not any(isinstance(c, TrainingProgress) for c in callbacks):
        notice = first_epoch_notice(
            train_files=data.train_files, validation_files=data.validation_files, cached=data.cached
        )
        callbacks = [TrainingProgress(verbose=verbose, notice=notice, steps=data.steps_per_epoch), *callbacks]
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


def _schedule_with(schedule: Schedule, **changes) -> Schedule:
    """``schedule`` with some fields changed (validated again)."""
    return dataclasses.replace(schedule, **changes) if changes else schedule


def _check_something_was_read(data, cause=None):
    """Raise when every file of a subset was skipped as unreadable: there was nothing to learn from."""
    skipped = data.skipped()
    unreadable = {entry["path"] for entry in skipped}
    for subset, dataset in (("training", data.train), ("validation", data.validation)):
        files = {str(path) for path in dataset.file_paths}
        if files and unreadable.issuperset(files):
            raise_if_nothing_readable(data.directory, cause)  # no file of the folder at all?
            mine = [entry for entry in skipped if entry["path"] in files]
            raise_if_nothing_readable(data.directory, cause, skipped=mine, subset=subset)


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
        raise_if_nothing_readable(data.directory, skipped=data.skipped(), subset="validation")
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
    sample_rate: int = Recipe.sample_rate,
    duration: float = Recipe.duration,
    epochs: int = Schedule.epochs,
    batch_size: int = Schedule.batch_size,
    learning_rate: float | None = None,
    validation_split: float = parts.VALIDATION_SPLIT,
    seed: int = parts.SEED,
    on_error: str = parts.ON_ERROR,
    cache: str | None = parts.CACHE,
    force: bool = False,
    callbacks=(),
    verbose="auto",
    **model_options,
) -> TrainingResult:
    """Train a classifier on ``directory`` (one sub-folder per class); optionally write ``out``.

    :func:`train_recipe` of the recipe these options describe (:func:`~audioflow.recipe.recipe_from_options`).

    Args:
        directory: the data folder.
        out: output folder for :data:`OUTPUT_NAMES` (None writes nothing).
        sample_rate, duration: the model's input: ``round(duration * sample_rate)`` samples at
            ``sample_rate`` Hz; files are resampled, cropped and zero-padded to it.
        epochs, batch_size, learning_rate: training (``learning_rate=None``: the :class:`Schedule`'s).
        validation_split, seed, on_error, cache: as :func:`make_datasets`.
        force: overwrite existing outputs in ``out``.
        callbacks: more Keras callbacks.
        verbose: as ``model.fit``'s: "auto" (default) or 1 prints what each step does and
            Keras' progress bar (steps done and ETA from the first batch); 2 one line per
            epoch; 0 nothing.
        **model_options: :func:`audioflow.recipe.model.build_classifier`'s (front end, size,
            augmentation, STFT and mel settings).

    Returns:
        A :class:`TrainingResult`; ``result.evaluation.accuracy`` is the validation accuracy
        (of the restored best epoch, on the centre crops), the one figure every output shows.
    """
    width = model_options.pop("width", None)
    if width is not None:
        warnings.warn("`width` is deprecated; use `size`.", DeprecationWarning, stacklevel=2)
        model_options["size"] = size_from_width(width, model_options.get("size", TemporalResNet.size))
    schedule = Schedule(epochs=epochs, batch_size=batch_size)
    if learning_rate is not None:
        schedule = _schedule_with(schedule, learning_rate=learning_rate)
    recipe = recipe_from_options(
        sample_rate=sample_rate, duration=duration, schedule=schedule, **model_options
    )
    return train_recipe(
        recipe, directory, out=out, validation_split=validation_split, seed=seed, on_error=on_error,
        cache=cache, force=force, callbacks=callbacks, verbose=verbose,
    )  # fmt: skip


def train_recipe(
    recipe: Recipe,
    directory,
    *,
    out=None,
    validation_split: float = parts.VALIDATION_SPLIT,
    seed: int = parts.SEED,
    on_error: str = parts.ON_ERROR,
    cache: str | None = parts.CACHE,
    force: bool = False,
    callbacks=(),
    class_names=None,
    progress=None,
    extra: dict | None = None,
    verbose="auto",
) -> TrainingResult:
    """Train ``recipe``'s classifier on ``directory`` (one sub-folder per class); optionally write ``out``.

    The steps, in order: :func:`make_datasets`, :meth:`Recipe.build_model` (after
    ``keras.utils.set_random_seed(seed)``), :func:`fit_classifier` with the recipe's schedule,
    :func:`evaluate_classifier`, :func:`training_report`, :func:`write_outputs`.

    Args:
        recipe: the :class:`~audioflow.recipe.Recipe` (input, parts, schedule).
        directory, class_names: the data folder, and the classes to use (default: every sub-folder).
        out: output folder for :data:`OUTPUT_NAMES` (None writes nothing); ``force``
            overwrites earlier outputs there.
        validation_split, seed, on_error, cache: as :func:`make_datasets`.
        callbacks: more Keras callbacks.
        progress: None, or a callable ``progress(data, model)`` called once the datasets and
            the model exist; it returns more Keras callbacks (``audioflow train`` prints its
            header line there and returns its progress display).
        extra: entries merged into the report (see :func:`training_report`).
        verbose: as :func:`train_classifier`'s.

    Returns:
        A :class:`TrainingResult`.
    """
    from audioflow._progress import say

    start = time.perf_counter()
    if out is not None:
        _outputs.check_writable(out, force=force)
    say(verbose, f"scanning {directory} (one sub-folder per class)")
    data = make_datasets(
        directory, sample_rate=recipe.sample_rate, duration=recipe.duration, class_names=class_names,
        batch_size=recipe.schedule.batch_size, validation_split=validation_split, seed=seed,
        on_error=on_error, cache=cache,
    )  # fmt: skip
    import keras

    keras.utils.set_random_seed(seed)
    model = recipe.build_model(data.class_names)
    more = [*(progress(data, model) if progress is not None else ()), *callbacks]
    say(verbose, f"{len(data.class_names)} classes; {data.train_files} training and "
        f"{data.validation_files} validation files; {model.count_params():,} parameters")  # fmt: skip
    fit = fit_classifier(model, data, schedule=recipe.schedule, callbacks=more, verbose=verbose)
    say(verbose, f"evaluating the restored best epoch ({fit.best_epoch + 1}) on the validation clips")
    evaluation = evaluate_classifier(model, data)
    schedule = recipe.schedule
    settings = dict(
        epochs=schedule.epochs, batch_size=schedule.batch_size, learning_rate=schedule.learning_rate,
        seed=seed, validation_split=validation_split, on_error=on_error, cache=cache, **recipe.options(),
    )  # fmt: skip
    timings = {"timings": {"total_s": round(time.perf_counter() - start, 3)}}
    extra = _outputs.merge_sections(timings, extra)
    report = training_report(model, data, fit, evaluation, settings=settings, extra=extra)
    paths = (
        write_outputs(out, model=model, evaluation=evaluation, fit=fit, report=report, force=force)
        if out
        else {}
    )
    say(verbose, f"validation accuracy {evaluation.accuracy:.3f}" + (f"; wrote {out}" if paths else ""))
    return TrainingResult(model, evaluation, fit, report, paths)
