"""Ready-made models: a compact raw-audio classifier whose first layer is ``LogMelSpectrogram``.

The model takes raw mono waveforms at a fixed sample rate and clip length, computes log-mel
features inside the model, normalises them per example, and returns class probabilities. Its
last layer, :class:`ClassifierInfo`, is an identity layer that carries the class names, the
sample rate and the clip length in its config, so they travel inside the ``.keras`` file::

    from audioflow.models import build_classifier, load_classifier
    model = build_classifier(["dog", "cat"], sample_rate=16000, duration=1.0)
    model.save("model.keras")
    model, info = load_classifier("model.keras")
    info["class_names"]   # ['dog', 'cat']
"""

from __future__ import annotations

import keras

from audioflow._validation import check_int, check_number, parameter_error

__all__ = ["ClassifierInfo", "build_classifier", "classifier_info", "load_classifier"]


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
    sample_rate: int = 16000,
    duration: float = 1.0,
    n_fft: int = 512,
    hop_length: int | None = None,
    n_mels: int = 64,
    f_min: float = 0.0,
    f_max: float | None = None,
    width: int = 16,
    dropout: float = 0.2,
) -> keras.Model:
    """A compact CNN on log-mel features computed inside the model.

    Layers: ``LogMelSpectrogram`` -> per-example normalisation (zero mean, unit variance over
    time and frequency) -> three blocks of Conv2D/BatchNorm/ReLU/MaxPool with ``width``,
    ``2*width``, ``4*width`` filters -> global average pooling -> dropout -> softmax.

    Args:
        class_names: the labels, in output order (at least 2).
        sample_rate: sample rate (Hz) of the input waveforms.
        duration: clip length in seconds; the input has ``round(duration * sample_rate)`` samples.
        n_fft, hop_length, n_mels, f_min, f_max: the log-mel front end (see
            :class:`audioflow.layers.LogMelSpectrogram`); ``hop_length`` defaults to ``n_fft // 4``.
        width: filters in the first convolution block (model size grows with its square).
        dropout: dropout rate before the classifier.

    Returns:
        An uncompiled ``keras.Model`` mapping ``(batch, samples)`` float32 waveforms to
        ``(batch, len(class_names))`` probabilities.
    """
    from audioflow.layers import LogMelSpectrogram

    class_names = [str(name) for name in class_names]
    if len(class_names) < 2:
        raise parameter_error("class_names", "at least 2 names", class_names=class_names)
    if len(set(class_names)) != len(class_names):
        raise parameter_error("class_names", "unique", class_names=class_names)
    check_int("sample_rate", sample_rate, minimum=1)
    check_number("duration", duration, exclusive_minimum=0.0)
    check_int("width", width, minimum=1)
    check_number("dropout", dropout, minimum=0.0, maximum=0.99)
    clip_samples = int(round(duration * sample_rate))
    if clip_samples < n_fft:
        raise parameter_error(
            "duration",
            "at least one FFT window long",
            hint="Use a longer clip or a smaller n_fft.",
            duration=duration,
            sample_rate=sample_rate,
            n_fft=n_fft,
        )
    feature_config = dict(
        sample_rate=sample_rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, f_min=f_min, f_max=f_max
    )

    inputs = keras.Input(shape=(clip_samples,), name="waveform")
    x = LogMelSpectrogram(name="logmel", **feature_config)(inputs)
    x = keras.layers.LayerNormalization(axis=(1, 2), center=False, scale=False, name="normalize")(x)
    x = keras.layers.Reshape((-1, n_mels, 1), name="add_channel")(x)
    for i, filters in enumerate((width, 2 * width, 4 * width)):
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        x = keras.layers.BatchNormalization(momentum=0.9, name=f"bn{i}")(x)
        x = keras.layers.Activation("relu", name=f"relu{i}")(x)
        x = keras.layers.MaxPooling2D(2, padding="same", name=f"pool{i}")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    x = keras.layers.Dense(len(class_names), activation="softmax", name="probabilities")(x)
    outputs = ClassifierInfo(class_names, sample_rate, clip_samples, feature_config, name="classifier_info")(
        x
    )
    return keras.Model(inputs, outputs, name="audioflow_classifier")


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
