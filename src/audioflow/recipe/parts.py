"""The recipe's parts, each a frozen, validated settings object that builds its share of the model.

This module declares every default of the recipe, once, as a field default, and imports no Keras
(the CLI builds its parser from it); the builders import Keras when they run::

    Recipe(sample_rate=16000, duration=1.0,
           front_end=FrontEnd(),          # waveform -> (batch, frames, bands) features
           augmentation=Augmentation(),   # training-only: time shift, gain, SpecAugment (None: off)
           model=TemporalResNet(),        # features -> class probabilities
           schedule=Schedule())           # optimiser, learning-rate schedule, loss, epochs

Change one part and keep the others::

    from audioflow.recipe import FrontEnd, Recipe
    recipe = Recipe().replace(front_end=FrontEnd(kind="pcen"))
    model = recipe.build_model(["yes", "no"])

A part of your own is a subclass (or any object with the same methods): a front end's
``__call__(x, *, sample_rate)`` maps a Keras tensor of waveforms to ``(batch, frames, bands)``.
"""

from __future__ import annotations

import dataclasses

from audioflow._validation import check_bool, check_choice, check_int, check_number, parameter_error

__all__ = [
    "CACHE",
    "FRONTENDS",
    "ON_ERROR",
    "SEED",
    "SIZES",
    "TRAINING_DEFAULTS",
    "VALIDATION_SPLIT",
    "Augmentation",
    "FrontEnd",
    "Recipe",
    "Schedule",
    "TemporalResNet",
    "recipe_from_options",
    "size_from_width",
]

#: The kinds of :class:`FrontEnd`.
FRONTENDS = ("logmel", "pcen", "leaf")
#: Per model size: channels of the two 2-D stem convolutions, of the 1-D stem, and of the three
#: residual stages of :class:`TemporalResNet`.
SIZES = {
    "small": {"stem2d": (4, 8), "stem": 16, "stages": (24, 32, 48)},
    "medium": {"stem2d": (8, 16), "stem": 32, "stages": (48, 64, 96)},
    "large": {"stem2d": (16, 32), "stem": 48, "stages": (72, 96, 144)},
}
#: How :func:`audioflow.recipe.training.train_classifier` reads a folder: the validation fraction, the seed
#: of the split and of the weights, what to do with an unreadable file, where decoded audio is kept.
VALIDATION_SPLIT = 0.2
SEED = 0
ON_ERROR = "raise"
CACHE = "memory"


def _offset(seed, offset):
    return None if seed is None else seed + offset


@dataclasses.dataclass(frozen=True, kw_only=True)
class FrontEnd:
    """Waveforms -> ``(batch, frames, bands)`` features: log-mel, mel + PCEN, or LEAF.

    Args:
        kind: "logmel" (librosa's dB log-mel, top_db 80, then each band to zero mean and unit
            variance over the clip's frames), "pcen" (mel power spectrogram -> ``PCEN(trainable=True)``,
            librosa's initial values) or "leaf" (``Leaf`` with ``n_mels`` filters, the STFT's
            window and hop; ``f_max`` None means min(7800 Hz, Nyquist) there, as LEAF).
        n_fft, win_length, hop_length: STFT sizes in samples (librosa's names); None takes
            :meth:`stft`'s: a ``window_seconds`` window, the next power of two as FFT, a
            ``hop_seconds`` hop. ``n_fft`` alone keeps that window when it fits, else
            ``win_length = n_fft``.
        n_mels: mel bands (LEAF filters); the network sees them as channels.
        f_min, f_max: mel range in Hz; None for ``f_max``: Nyquist.
        window_seconds, hop_seconds: the default window and hop as durations (Kaldi's and LEAF's
            25 ms / 10 ms), so the recipe suits any sample rate.
    """

    kind: str = "logmel"
    n_fft: int | None = None
    win_length: int | None = None
    hop_length: int | None = None
    n_mels: int = 40
    f_min: float = 0.0
    f_max: float | None = None
    window_seconds: float = 0.025
    hop_seconds: float = 0.010

    def __post_init__(self):
        check_choice("frontend", self.kind, FRONTENDS)
        check_int("n_mels", self.n_mels, minimum=1)
        check_int("n_fft", self.n_fft, minimum=2, allow_none=True)
        check_int("win_length", self.win_length, minimum=1, allow_none=True)
        check_int("hop_length", self.hop_length, minimum=1, allow_none=True)
        check_number("window_seconds", self.window_seconds, exclusive_minimum=0.0)
        check_number("hop_seconds", self.hop_seconds, exclusive_minimum=0.0)

    def stft(self, sample_rate) -> dict:
        """``{"n_fft", "win_length", "hop_length"}`` in samples at ``sample_rate``.

        With the default durations: 8 kHz -> 256, 200, 80; 16 kHz -> 512, 400, 160;
        44.1 kHz -> 2048, 1102, 441.
        """
        check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
        window = max(2, int(round(self.window_seconds * sample_rate)))
        n_fft = 1 << (window - 1).bit_length()
        hop_length = max(1, int(round(self.hop_seconds * sample_rate)))
        if self.n_fft is not None:
            n_fft = self.n_fft
            window = min(window, n_fft) if self.win_length is None else self.win_length
        elif self.win_length is not None:
            window = self.win_length
            n_fft = max(n_fft, 1 << (window - 1).bit_length())
        if self.hop_length is not None:
            hop_length = self.hop_length
        if window > n_fft:
            raise parameter_error("win_length", "<= `n_fft`", win_length=window, n_fft=n_fft)
        return {"n_fft": n_fft, "win_length": window, "hop_length": hop_length}

    def config(self, sample_rate) -> dict:
        """What the model's :class:`~audioflow.recipe.model.ClassifierInfo` records of the front end."""
        return dict(
            frontend=self.kind, sample_rate=sample_rate, n_mels=self.n_mels, f_min=self.f_min,
            f_max=self.f_max, **self.stft(sample_rate),
        )  # fmt: skip

    def __call__(self, x, *, sample_rate):
        """Waveforms (a Keras tensor) -> ``(batch, frames, bands)`` features."""
        import keras

        from audioflow import layers

        stft = self.stft(sample_rate)
        mel = dict(sample_rate=sample_rate, n_mels=self.n_mels, f_min=self.f_min, f_max=self.f_max)
        if self.kind == "leaf":
            return layers.Leaf(
                n_filters=self.n_mels, sample_rate=sample_rate, win_length=max(2, stft["win_length"]),
                hop_length=stft["hop_length"], f_min=self.f_min, f_max=self.f_max, name="leaf",
            )(x)  # fmt: skip
        if self.kind == "pcen":
            x = layers.MelSpectrogram(**mel, power=2.0, name="mel", **stft)(x)
            return layers.PCEN(
                sample_rate=sample_rate, hop_length=stft["hop_length"], trainable=True, name="pcen"
            )(x)
        x = layers.LogMelSpectrogram(**mel, name="logmel", **stft)(x)
        # Instance normalisation per band (speech's cepstral mean and variance normalisation):
        # removes the microphone's and the voice's spectral tilt and the gain.
        return keras.layers.GroupNormalization(
            groups=-1, axis=-1, center=False, scale=False, name="normalize"
        )(x)


@dataclasses.dataclass(frozen=True, kw_only=True)
class Augmentation:
    """Training-only augmentation: random time shift and gain on the waveform, SpecAugment on the features.

    The layers are the identity at inference (``model.predict``, ``model(x)``).

    Args:
        max_shift_seconds: largest circular time shift, at most a quarter of the clip.
        gain_db: range of the random gain in dB.
        freq_masks, freq_mask_fraction: SpecAugment band masks and the largest one as a fraction
            of the bands (at least one band).
        time_masks, time_mask_seconds: SpecAugment time masks and the largest one in seconds
            (at most a quarter of the frames).
        seed: int seed of the augmentation layers, or None.
    """

    max_shift_seconds: float = 0.1
    gain_db: tuple[float, float] = (-6.0, 6.0)
    freq_masks: int = 2
    freq_mask_fraction: float = 0.125
    time_masks: int = 2
    time_mask_seconds: float = 0.1
    seed: int | None = None

    def __post_init__(self):
        check_number("max_shift_seconds", self.max_shift_seconds, minimum=0.0)
        check_int("freq_masks", self.freq_masks, minimum=0)
        check_number("freq_mask_fraction", self.freq_mask_fraction, minimum=0.0, maximum=1.0)
        check_int("time_masks", self.time_masks, minimum=0)
        check_number("time_mask_seconds", self.time_mask_seconds, minimum=0.0)
        check_int("seed", self.seed, allow_none=True)

    def waveform(self, x, *, sample_rate, duration):
        """Waveforms -> randomly shifted and scaled waveforms (in training)."""
        from audioflow import layers

        x = layers.RandomTimeShift(
            max_shift=min(self.max_shift_seconds, duration / 4), sample_rate=sample_rate,
            seed=_offset(self.seed, 0), name="random_time_shift",
        )(x)  # fmt: skip
        gain = tuple(float(g) for g in self.gain_db)
        return layers.RandomGain(gain_db=gain, seed=_offset(self.seed, 1), name="random_gain")(x)

    def features(self, x, *, sample_rate, hop_length):
        """``(batch, frames, bands)`` features -> the same with SpecAugment's masks (in training)."""
        from audioflow import layers

        frames, bands = x.shape[1], x.shape[2]
        time_mask = round(self.time_mask_seconds * sample_rate / hop_length)
        return layers.SpecAugment(
            freq_mask_param=max(1, int(bands * self.freq_mask_fraction)), n_freq_masks=self.freq_masks,
            time_mask_param=max(1, min(time_mask, frames // 4)), n_time_masks=self.time_masks,
            seed=_offset(self.seed, 3), name="spec_augment",
        )(x)  # fmt: skip


@dataclasses.dataclass(frozen=True, kw_only=True)
class TemporalResNet:
    """Features -> class probabilities: a 2-D stem, three temporal residual stages, pooling, softmax.

    Two 3x3 convolutions over (time, band), each followed by pooling over bands, then 1-D
    convolutions over time with bands x channels as channels (as TC-ResNet, Choi et al. 2019):
    three residual stages that halve the frame rate, global max + average pooling over time,
    dropout and a softmax.

    Args:
        size: "small", "medium" or "large": the channels of each stage (:data:`SIZES`).
        kernel_size: temporal kernel of the residual stages, in frames (9 = 90 ms at a 10 ms hop).
        dropout: dropout rate before the classifier, in ``[0, 0.99]``.
    """

    size: str = "medium"
    kernel_size: int = 9
    dropout: float = 0.2

    def __post_init__(self):
        check_choice("size", self.size, tuple(SIZES))
        check_int("kernel_size", self.kernel_size, minimum=1)
        check_number("dropout", self.dropout, minimum=0.0, maximum=0.99)

    def config(self) -> dict:
        return dict(size=self.size, kernel_size=self.kernel_size, dropout=self.dropout)

    def __call__(self, x, *, classes):
        """``(batch, frames, bands)`` features (a Keras tensor) -> ``(batch, classes)`` probabilities."""
        from audioflow.recipe.network import temporal_resnet

        return temporal_resnet(
            x, SIZES[self.size], kernel_size=self.kernel_size, dropout=self.dropout, classes=classes
        )


@dataclasses.dataclass(frozen=True, kw_only=True)
class Schedule:
    """How the model is trained: AdamW, a linear warm-up then a cosine decay, smoothed cross-entropy.

    The learning rate rises from a tenth of ``learning_rate`` to ``learning_rate`` over
    ``warmup_epochs`` (at most a quarter of the run), then follows a cosine to 1% of it at the
    last step. The weights of the epoch with the best ``monitor`` are restored at the end.

    Args:
        epochs: epochs of the run.
        batch_size: clips per batch.
        learning_rate: peak learning rate of AdamW (> 0).
        weight_decay: AdamW's decoupled weight decay (>= 0).
        label_smoothing: in ``[0, 1]``.
        warmup_epochs: epochs of linear warm-up (>= 0).
        patience: stop after this many epochs without a better ``monitor``; None never stops early
            (the cosine's last, small steps often give the best epoch).
        monitor: "val_accuracy" (ties to the lower ``val_loss``) or "val_loss".
    """

    epochs: int = 20
    batch_size: int = 32
    learning_rate: float = 3e-3
    weight_decay: float = 1e-2
    label_smoothing: float = 0.1
    warmup_epochs: int = 1
    patience: int | None = None
    monitor: str = "val_accuracy"

    def __post_init__(self):
        check_int("epochs", self.epochs, minimum=1)
        check_int("batch_size", self.batch_size, minimum=1)
        check_number("learning_rate", self.learning_rate, exclusive_minimum=0.0)
        check_number("weight_decay", self.weight_decay, minimum=0.0)
        check_number("label_smoothing", self.label_smoothing, minimum=0.0, maximum=1.0)
        check_int("warmup_epochs", self.warmup_epochs, minimum=0)
        check_int("patience", self.patience, minimum=1, allow_none=True)
        check_choice("monitor", self.monitor, ("val_accuracy", "val_loss"))

    def compile(self, model, *, steps_per_epoch: int):
        """Compile ``model`` for a run of :attr:`epochs` epochs of ``steps_per_epoch`` batches."""
        from audioflow.recipe.model import compile_with_schedule

        return compile_with_schedule(model, self, steps_per_epoch=steps_per_epoch)

    def callbacks(self) -> list:
        """``[BestEpoch(...)]``: keeps the best epoch's weights, restores them at the end."""
        from audioflow.recipe.model import BestEpoch

        patience = self.epochs if self.patience is None else self.patience
        return [BestEpoch(monitor=self.monitor, patience=patience)]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Recipe:
    """The classifier recipe behind ``audioflow train``: the input, four parts, and how to train.

    Args:
        sample_rate: sample rate (Hz) of the model's input waveforms.
        duration: clip length in seconds; the input has ``round(duration * sample_rate)`` samples.
        front_end: :class:`FrontEnd`.
        augmentation: :class:`Augmentation`, or None for none.
        model: :class:`TemporalResNet`, the network on the features.
        schedule: :class:`Schedule`.

    Raises:
        ParameterError: an invalid setting, or a clip shorter than one window.

    Example::

        recipe = Recipe(sample_rate=8000, duration=0.5).replace(augmentation=None)
        model = recipe.build_model(["dog", "cat"])      # uncompiled keras.Model, raw audio in
        recipe.schedule.compile(model, steps_per_epoch=10)
    """

    sample_rate: int = 16000
    duration: float = 1.0
    front_end: FrontEnd = dataclasses.field(default_factory=FrontEnd)
    augmentation: Augmentation | None = dataclasses.field(default_factory=Augmentation)
    model: TemporalResNet = dataclasses.field(default_factory=TemporalResNet)
    schedule: Schedule = dataclasses.field(default_factory=Schedule)

    def __post_init__(self):
        check_int("sample_rate", self.sample_rate, minimum=1)
        check_number("duration", self.duration, exclusive_minimum=0.0)
        win_length = self.front_end.stft(self.sample_rate)["win_length"]
        if self.clip_samples < win_length:
            raise parameter_error(
                "duration", "at least one window long", hint="Use a longer clip or a shorter window.",
                duration=self.duration, sample_rate=self.sample_rate, win_length=win_length,
            )  # fmt: skip

    @property
    def clip_samples(self) -> int:
        """Samples of one input clip."""
        return int(round(self.duration * self.sample_rate))

    def replace(self, **changes) -> Recipe:
        """A copy with some fields changed (``dataclasses.replace``), validated again."""
        return dataclasses.replace(self, **changes)

    def options(self) -> dict:
        """The flat options of :func:`recipe_from_options` that give this recipe's parts (not the schedule)."""
        front_end = self.front_end
        return dict(
            frontend=front_end.kind, size=self.model.size, augment=self.augmentation is not None,
            n_fft=front_end.n_fft, win_length=front_end.win_length, hop_length=front_end.hop_length,
            n_mels=front_end.n_mels, f_min=front_end.f_min, f_max=front_end.f_max,
            kernel_size=self.model.kernel_size, dropout=self.model.dropout,
        )  # fmt: skip

    def build_model(self, class_names):
        """An uncompiled classifier: ``(batch, samples)`` waveforms -> ``(batch, classes)`` probabilities.

        See :func:`audioflow.recipe.model.build_classifier`; its last layer is a ``ClassifierInfo``.
        """
        from audioflow.recipe.model import assemble_classifier

        return assemble_classifier(self, class_names)

    def train(self, directory, **options):
        """:func:`audioflow.recipe.training.train_recipe` of this recipe on ``directory`` -> ``TrainingResult``."""
        from audioflow.recipe.training import train_recipe

        return train_recipe(self, directory, **options)


def recipe_from_options(
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
    schedule: Schedule | None = None,
) -> Recipe:
    """The :class:`Recipe` of :func:`~audioflow.recipe.model.build_classifier`'s flat options.

    ``augment=False`` leaves augmentation out; ``seed`` seeds the augmentation layers;
    ``schedule`` None takes the default :class:`Schedule`. See :class:`FrontEnd` and
    :class:`TemporalResNet` for the others.
    """
    check_bool("augment", augment)
    return Recipe(
        sample_rate=sample_rate,
        duration=duration,
        front_end=FrontEnd(
            kind=frontend,
            n_fft=n_fft,
            win_length=win_length,
            hop_length=hop_length,
            n_mels=n_mels,
            f_min=f_min,
            f_max=f_max,
        ),  # fmt: skip
        augmentation=Augmentation(seed=seed) if augment else None,
        model=TemporalResNet(size=size, kernel_size=kernel_size, dropout=dropout),
        schedule=Schedule() if schedule is None else schedule,
    )


def size_from_width(width: int | None, size: str) -> str:
    """The ``size`` a deprecated 0.1.0 ``width`` chooses (``size`` itself when ``width`` is None)."""
    if width is None:
        return size
    check_int("width", width, minimum=1)
    return "small" if width <= 16 else "medium" if width <= 32 else "large"


#: The recipe's defaults by their flat option names (``audioflow train`` shows them in ``--help``).
TRAINING_DEFAULTS = {
    "frontend": FrontEnd.kind,
    "size": TemporalResNet.size,
    "augment": Recipe().augmentation is not None,
    "n_fft": FrontEnd.n_fft,  # from the sample rate: see FrontEnd.stft
    "hop_length": FrontEnd.hop_length,
    "n_mels": FrontEnd.n_mels,
    "epochs": Schedule.epochs,
    "batch_size": Schedule.batch_size,
    "learning_rate": Schedule.learning_rate,
    "weight_decay": Schedule.weight_decay,
    "label_smoothing": Schedule.label_smoothing,
    "warmup_epochs": Schedule.warmup_epochs,
}
