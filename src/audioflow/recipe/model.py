"""The classifier of the recipe as a Keras model, its metadata layer, its loss, compile and callbacks.

:func:`build_classifier` takes the recipe's flat options (``audioflow train``'s); a
:class:`~audioflow.recipe.Recipe` builds the same model from its parts
(:meth:`~audioflow.recipe.Recipe.build_model`)::

    waveform (batch, samples)
      -> [training only] RandomTimeShift, RandomGain                    (Augmentation.waveform)
      -> front end (batch, frames, bands): "logmel", "pcen" or "leaf"   (FrontEnd)
      -> [training only] SpecAugment (frequency and time masks)        (Augmentation.features)
      -> 2-D stem, temporal ResNet, max + average pooling, softmax     (TemporalResNet)
      -> ClassifierInfo (identity; carries class names, sample rate and clip length)

Everything that turns audio into a prediction is inside the model, so a saved ``.keras`` file is
all that inference needs. The registered names (``audioflow>ClassifierInfo``,
``audioflow>SparseLabelSmoothingLoss``, ``audioflow>GlobalMaxPool``) are those of 0.1.0 and 0.2.0,
whose files keep loading::

    from audioflow.recipe.model import build_classifier, compile_classifier, classifier_callbacks
    model = build_classifier(["dog", "cat"], sample_rate=16000, duration=1.0)
    compile_classifier(model, epochs=30, steps_per_epoch=len(train))
    model.fit(train, validation_data=val, epochs=30, callbacks=classifier_callbacks(epochs=30))
    model.save("model.keras")
    model, info = load_classifier("model.keras")      # info["class_names"] == ["dog", "cat"]
"""

from __future__ import annotations

import math
import warnings

import keras

from audioflow._validation import check_int, check_number, parameter_error
from audioflow.recipe.network import GlobalMaxPool  # noqa: F401  (registered: saved classifiers hold it)
from audioflow.recipe.parts import (
    Augmentation,
    FrontEnd,
    Recipe,
    Schedule,
    TemporalResNet,
    recipe_from_options,
    size_from_width,
)

__all__ = [
    "BestEpoch",
    "ClassifierInfo",
    "SparseLabelSmoothingLoss",
    "assemble_classifier",
    "build_classifier",
    "classifier_callbacks",
    "classifier_info",
    "compile_classifier",
    "compile_with_schedule",
    "default_stft",
    "load_classifier",
]


@keras.saving.register_keras_serializable(package="audioflow")
class ClassifierInfo(keras.layers.Layer):
    """Identity layer that stores a classifier's metadata in its config.

    Args:
        class_names: label of each output unit, in order.
        sample_rate: sample rate (Hz) of the waveforms the model expects.
        clip_samples: number of samples per input clip.
        feature_config: optional dict describing the front end (for reports; not used).
    """

    def __init__(self, class_names, sample_rate, clip_samples, feature_config=None, **kwargs):
        super().__init__(**kwargs)
        self.class_names = [str(name) for name in class_names]
        self.sample_rate = int(sample_rate)
        self.clip_samples = int(clip_samples)
        self.feature_config = dict(feature_config or {})

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            class_names=list(self.class_names),
            sample_rate=self.sample_rate,
            clip_samples=self.clip_samples,
            feature_config=dict(self.feature_config),
        )
        return config


def build_classifier(
    class_names,
    *,
    sample_rate: int = Recipe.sample_rate,
    duration: float = Recipe.duration,
    frontend: str = FrontEnd.kind,
    size: str = TemporalResNet.size,
    augment: bool = True,
    n_fft: int | None = FrontEnd.n_fft,
    win_length: int | None = FrontEnd.win_length,
    hop_length: int | None = FrontEnd.hop_length,
    n_mels: int = FrontEnd.n_mels,
    f_min: float = FrontEnd.f_min,
    f_max: float | None = FrontEnd.f_max,
    kernel_size: int = TemporalResNet.kernel_size,
    dropout: float = TemporalResNet.dropout,
    seed: int | None = Augmentation.seed,
    width: int | None = None,
) -> keras.Model:
    """A raw-waveform classifier: augmentation, a front end and a temporal ResNet in one model.

    The model of :func:`~audioflow.recipe.recipe_from_options` with these options (see the
    module docstring for the layers). Augmentation layers act only in training
    (``model.fit``); ``model.predict`` and ``model(x)`` are deterministic.

    Args:
        class_names: the labels, in output order (at least 2, unique).
        sample_rate: sample rate (Hz) of the input waveforms; default 16000.
        duration: clip length in seconds; the input has ``round(duration * sample_rate)`` samples.
        frontend: "logmel" (librosa's dB log-mel spectrogram, top_db 80, normalised per band),
            "pcen" (mel power spectrogram -> ``PCEN(trainable=True)``, librosa's initial values)
            or "leaf" (``Leaf`` with ``n_mels`` filters, the STFT's window and hop, the mel range;
            ``f_max`` None means min(7800 Hz, Nyquist) there, as LEAF). See :class:`FrontEnd`.
        size: "small", "medium" or "large": channels of the temporal ResNet (``SIZES``).
        augment: add the training-only augmentation layers (time shift up to 0.1 s, gain +-6 dB,
            SpecAugment: two band masks of up to 1/8 of the bands, two time masks up to 0.1 s).
        n_fft, win_length, hop_length: STFT sizes in samples (librosa names); default
            :func:`default_stft` (25 ms window, 10 ms hop at any sample rate). ``n_fft`` alone
            keeps the 25 ms window when it fits, else ``win_length = n_fft``.
        n_mels: mel bands; 40 (as LEAF's 40 filters; the convolutions see them as channels).
        f_min, f_max: mel range in Hz; default 0 Hz to Nyquist.
        kernel_size: temporal kernel of the residual stages, in frames (9 = 90 ms at 10 ms hop).
        dropout: dropout rate before the classifier, in ``[0, 0.99]``.
        seed: int seed of the augmentation layers, or None.
        width: deprecated (0.1.0's first-block filters); chooses ``size``: <= 16 "small",
            <= 32 "medium", else "large".

    Returns:
        An uncompiled ``keras.Model`` mapping ``(batch, samples)`` float32 waveforms to
        ``(batch, len(class_names))`` probabilities; its last layer is :class:`ClassifierInfo`.

    Raises:
        ParameterError: an invalid argument, or a clip shorter than one window.
    """
    _check_class_names(class_names)
    if width is not None:
        warnings.warn("`width` is deprecated; use `size`.", DeprecationWarning, stacklevel=2)
    recipe = recipe_from_options(
        sample_rate=sample_rate, duration=duration, frontend=frontend, size=size_from_width(width, size),
        augment=augment, n_fft=n_fft, win_length=win_length, hop_length=hop_length, n_mels=n_mels,
        f_min=f_min, f_max=f_max, kernel_size=kernel_size, dropout=dropout, seed=seed,
    )  # fmt: skip
    return assemble_classifier(recipe, class_names)


def _check_class_names(class_names) -> list:
    class_names = [str(name) for name in class_names]
    if len(class_names) < 2:
        raise parameter_error("class_names", "at least 2 names", class_names=class_names)
    if len(set(class_names)) != len(class_names):
        raise parameter_error("class_names", "unique", class_names=class_names)
    return class_names


def assemble_classifier(recipe: Recipe, class_names) -> keras.Model:
    """The model of ``recipe``'s parts (:meth:`Recipe.build_model`), uncompiled."""
    class_names = _check_class_names(class_names)
    sample_rate, augmentation = recipe.sample_rate, recipe.augmentation
    inputs = keras.Input(shape=(recipe.clip_samples,), name="waveform")
    x = inputs
    if augmentation is not None:
        x = augmentation.waveform(x, sample_rate=sample_rate, duration=recipe.duration)
    x = recipe.front_end(x, sample_rate=sample_rate)
    feature_config = recipe.front_end.config(sample_rate)
    if augmentation is not None:
        x = augmentation.features(x, sample_rate=sample_rate, hop_length=feature_config["hop_length"])
    x = recipe.model(x, classes=len(class_names))
    network = recipe.model.config()
    model_config = dict(size=network.pop("size"), augment=augmentation is not None, **network)
    outputs = ClassifierInfo(
        class_names, sample_rate, recipe.clip_samples, {**feature_config, "model": model_config},
        name="classifier_info",
    )(x)  # fmt: skip
    return keras.Model(inputs, outputs, name="audioflow_classifier")


@keras.saving.register_keras_serializable(package="audioflow")
class SparseLabelSmoothingLoss(keras.losses.Loss):
    """Cross-entropy of probabilities against integer labels or one-hot/soft (mixup) labels, smoothed.

    Integer labels ``(batch,)`` or ``(batch, 1)`` are one-hot encoded; labels with the
    predictions' shape are used as they are. Then ``y = y * (1 - label_smoothing) +
    label_smoothing / classes``, as ``keras.losses.CategoricalCrossentropy(label_smoothing=...)``
    (whose sparse sibling has no smoothing).
    """

    def __init__(self, label_smoothing=0.1, name="sparse_label_smoothing_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        check_number("label_smoothing", label_smoothing, minimum=0.0, maximum=1.0)
        self.label_smoothing = label_smoothing

    def call(self, y_true, y_pred):
        classes = y_pred.shape[-1]
        if len(y_true.shape) != len(y_pred.shape) or y_true.shape[-1] != classes:
            y_true = keras.ops.one_hot(keras.ops.cast(keras.ops.reshape(y_true, (-1,)), "int32"), classes)
        return keras.losses.categorical_crossentropy(
            keras.ops.cast(y_true, y_pred.dtype), y_pred, label_smoothing=self.label_smoothing
        )

    def get_config(self):
        return {**super().get_config(), "label_smoothing": self.label_smoothing}


def compile_classifier(
    model,
    *,
    epochs: int,
    steps_per_epoch: int,
    learning_rate: float | None = None,
    weight_decay: float | None = None,
    label_smoothing: float | None = None,
    warmup_epochs: int | None = None,
):
    """Compile ``model`` with the recipe: AdamW, linear warm-up then cosine decay, smoothed cross-entropy.

    :meth:`Schedule.compile` of ``Schedule(epochs=epochs, ...)``: the learning rate rises from a
    tenth of ``learning_rate`` to ``learning_rate`` over ``warmup_epochs`` (at most a quarter of
    the run), then follows a cosine to 1% of it at the last step. Labels may be integers or
    one-hot/soft (mixup); the metric is accuracy.

    Args:
        epochs, steps_per_epoch: the length of the run (positive ints), for the schedule.
        learning_rate, weight_decay, label_smoothing, warmup_epochs: None takes
            :class:`Schedule`'s (3e-3, 1e-2, 0.1, 1).

    Returns:
        The model, compiled.
    """
    given = dict(
        learning_rate=learning_rate, weight_decay=weight_decay, label_smoothing=label_smoothing,
        warmup_epochs=warmup_epochs,
    )  # fmt: skip
    schedule = Schedule(epochs=epochs, **{k: v for k, v in given.items() if v is not None})
    return compile_with_schedule(model, schedule, steps_per_epoch=steps_per_epoch)


def compile_with_schedule(model, schedule: Schedule, *, steps_per_epoch: int):
    """Compile ``model`` with ``schedule``'s optimiser, learning-rate schedule and loss (:meth:`Schedule.compile`)."""
    check_int("steps_per_epoch", steps_per_epoch, minimum=1)
    learning_rate = schedule.learning_rate
    total = schedule.epochs * steps_per_epoch
    warmup = min(schedule.warmup_epochs * steps_per_epoch, total // 4)
    rates = keras.optimizers.schedules.CosineDecay(
        learning_rate / 10 if warmup else learning_rate, decay_steps=max(total - warmup, 1), alpha=0.01,
        warmup_target=learning_rate if warmup else None, warmup_steps=warmup,
    )  # fmt: skip
    model.compile(
        optimizer=keras.optimizers.AdamW(rates, weight_decay=schedule.weight_decay),
        loss=SparseLabelSmoothingLoss(schedule.label_smoothing),
        metrics=["accuracy"],  # Keras picks sparse or categorical accuracy from the label shape
    )
    return model


class BestEpoch(keras.callbacks.Callback):
    """Keep the best epoch's weights, restore them at the end, and stop early if asked.

    The best epoch has the highest ``val_accuracy`` (``monitor="val_accuracy"``), ties (frequent on
    small validation sets) going to the lower ``val_loss`` and then to the earlier epoch; or the
    lowest ``val_loss`` (``monitor="val_loss"``). Like ``keras.callbacks.EarlyStopping(monitor,
    patience=patience, restore_best_weights=True)`` plus the tie-break. ``best_epoch`` (from 0)
    names the restored epoch after ``fit``.
    """

    restore_best_weights = True

    def __init__(self, *, monitor: str = "val_accuracy", patience: int):
        super().__init__()
        self.monitor, self.patience = monitor, patience
        self.best, self.best_epoch, self.best_weights = None, 0, None

    def on_train_begin(self, logs=None):
        self.best, self.best_epoch, self.best_weights = None, 0, None

    def _key(self, logs):
        accuracy, loss = logs.get("val_accuracy"), logs.get("val_loss")
        loss = -loss if loss is not None and math.isfinite(loss) else -math.inf
        if self.monitor == "val_loss":
            return (loss,) if loss != -math.inf else None
        return (accuracy, loss) if accuracy is not None and math.isfinite(accuracy) else None

    def on_epoch_end(self, epoch, logs=None):
        key = self._key(logs or {})
        if key is not None and (self.best is None or key > self.best):
            self.best, self.best_epoch = key, epoch
            self.best_weights = self.model.get_weights()
        elif epoch - self.best_epoch >= self.patience:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def classifier_callbacks(*, epochs: int, patience: int | None = None, monitor: str = Schedule.monitor):
    """The recipe's callbacks: keep the best epoch's weights (restored at the end), stop early if asked.

    Args:
        epochs: the length of the run (positive int).
        patience: stop after this many epochs without a better ``monitor``; None never stops
            early (the cosine schedule's last, small steps often give the best epoch).
        monitor: "val_accuracy" (default; higher is better, ties to the lower ``val_loss``) or
            "val_loss".

    Returns:
        ``[BestEpoch(...)]``; its ``best_epoch`` (from 0) is the restored epoch after ``fit``.
    """
    return Schedule(epochs=epochs, patience=patience, monitor=monitor).callbacks()


def default_stft(sample_rate) -> dict:
    """The recipe's STFT for a sample rate: 25 ms Hann window, FFT of the next power of two, 10 ms hop.

    Returns ``{"n_fft", "win_length", "hop_length"}`` in samples (:meth:`FrontEnd.stft` of the
    default front end): 8 kHz -> 256, 200, 80; 16 kHz -> 512, 400, 160; 44.1 kHz -> 2048, 1102, 441.
    """
    return FrontEnd().stft(sample_rate)


def classifier_info(model) -> dict:
    """The metadata of a model built by :func:`build_classifier`.

    Returns ``{"class_names", "sample_rate", "clip_samples", "feature_config"}``; raises
    ``ValueError`` when the model has no :class:`ClassifierInfo` layer.
    """
    for layer in model.layers:
        if isinstance(layer, ClassifierInfo):
            return {
                "class_names": list(layer.class_names),
                "sample_rate": layer.sample_rate,
                "clip_samples": layer.clip_samples,
                "feature_config": dict(layer.feature_config),
            }
    raise ValueError(
        f"model '{model.name}' was not built by audioflow.models.build_classifier "
        "(it has no ClassifierInfo layer holding the class names)"
    )


def load_classifier(path):
    """Load a ``.keras`` file written by ``audioflow train`` -> ``(model, info)``.

    ``info`` is :func:`classifier_info` of the model. The model is loaded uncompiled.
    """
    import audioflow.layers  # noqa: F401  (registers the feature layers for deserialisation)

    model = keras.saving.load_model(path, compile=False)
    return model, classifier_info(model)
