"""Tiny models wrapping every audioflow feature layer, for export round trips.

Each zoo model has one waveform input and one output: every layer's output flattened per example
and concatenated, so one export (and, under JAX, one TFLite conversion) checks all the layers.
:func:`split_outputs` cuts the artefact's output back into named pieces.
"""

import keras
import numpy as np

import audioflow.layers as L

SAMPLE_RATE = 8000
STFT_ARGS = {"n_fft": 256, "hop_length": 64}
MEL_ARGS = {"sample_rate": SAMPLE_RATE, "n_mels": 20, **STFT_ARGS}
KALDI_ARGS = {"sample_frequency": SAMPLE_RATE}

#: name -> (kind of output, function of the input tensor). Kind "db": compared in absolute dB.
FEATURES = {
    "STFT": ("linear", lambda x: L.STFT(**STFT_ARGS)(x)),
    "InverseSTFT": ("linear", lambda x: L.InverseSTFT(**STFT_ARGS)(L.STFT(**STFT_ARGS)(x))),
    "Spectrogram": ("linear", lambda x: L.Spectrogram(**STFT_ARGS)(x)),
    "MelScale": ("linear", lambda x: L.MelScale(sample_rate=SAMPLE_RATE, n_fft=256, n_mels=20)(L.Spectrogram(**STFT_ARGS)(x))),
    "MelSpectrogram": ("linear", lambda x: L.MelSpectrogram(**MEL_ARGS)(x)),
    "PowerToDb": ("db", lambda x: L.PowerToDb()(L.Spectrogram(**STFT_ARGS)(x))),
    "AmplitudeToDb": ("db", lambda x: L.AmplitudeToDb()(L.Spectrogram(power=1.0, **STFT_ARGS)(x))),
    "LogMelSpectrogram": ("db", lambda x: L.LogMelSpectrogram(**MEL_ARGS)(x)),
    "MFCC": ("db", lambda x: L.MFCC(n_mfcc=13, **MEL_ARGS)(x)),
    "Delta": ("db", lambda x: L.Delta()(L.LogMelSpectrogram(**MEL_ARGS)(x))),
    "PCEN": ("linear", lambda x: L.PCEN()(L.MelSpectrogram(**MEL_ARGS)(x))),
    "Leaf": ("linear", lambda x: L.Leaf(sample_rate=SAMPLE_RATE, n_filters=20)(x)),
    "KaldiSpectrogram": ("db", lambda x: L.KaldiSpectrogram(**KALDI_ARGS)(x)),
    "KaldiFbank": ("db", lambda x: L.KaldiFbank(num_mel_bins=20, **KALDI_ARGS)(x)),
    "KaldiFbank snip_edges=False": ("db", lambda x: L.KaldiFbank(num_mel_bins=20, snip_edges=False, **KALDI_ARGS)(x)),
    "KaldiMFCC": ("db", lambda x: L.KaldiMFCC(num_mel_bins=20, use_energy=True, **KALDI_ARGS)(x)),
    "WhisperLogMel": ("db", lambda x: L.WhisperLogMel()(x)),
    "WhisperFeatures": ("db", lambda x: L.WhisperFeatures()(x)),
    "ASTFeatures": ("db", lambda x: L.ASTFeatures(max_length=40)(x)),
    "Wav2Vec2Features": ("linear", lambda x: L.Wav2Vec2Features()(x)),
}  # fmt: skip


#: Layers a format cannot carry, and the operator that stops it (export_model refuses them by name).
UNSUPPORTED = {"tflite": {"InverseSTFT": "tf.IRFFT"}}


#: Layers a backend exports for a fixed input length only. JAX's shape polymorphism cannot prove
#: that WhisperLogMel's last-frame drop keeps a non-negative length (InconclusiveDimensionOperation);
#: WhisperFeatures (always 30 s) exports with any length.
FIXED_LENGTH_ONLY = {"jax": {"WhisperLogMel"}}


def zoo_features(format, samples=0):
    """The FEATURES a ``format`` can carry, in order (for a variable length when ``samples`` is None)."""
    fixed_only = FIXED_LENGTH_ONLY.get(keras.backend.backend(), set()) if samples is None else set()
    return {
        name: row
        for name, row in FEATURES.items()
        if name not in UNSUPPORTED.get(format, {}) and name not in fixed_only
    }


def feature_zoo(samples, format="saved_model"):
    """``(model, parts)``: one input ``(batch, samples)`` (None: variable), every feature that
    ``format`` can carry, flattened and concatenated.

    ``parts`` is a Keras model with the same layers' outputs as a list, for their shapes
    (``parts.compute_output_shape``).
    """
    keras.utils.set_random_seed(0)
    inputs = keras.Input((samples,))
    outputs = [make(inputs) for _, make in zoo_features(format, samples).values()]
    flat = keras.layers.Concatenate(axis=1)([keras.layers.Flatten()(y) for y in outputs])
    return keras.Model(inputs, flat), keras.Model(inputs, outputs)


def split_outputs(flat, shapes, names):
    """Cut ``(batch, total)`` back into arrays of ``shapes`` -> ``{name: array}``."""
    flat = np.asarray(flat)
    pieces, start = {}, 0
    for name, shape in zip(names, shapes, strict=True):
        size = int(np.prod(shape[1:]))
        pieces[name] = flat[:, start : start + size].reshape((flat.shape[0],) + tuple(shape[1:]))
        start += size
    assert start == flat.shape[1], f"exported output has {flat.shape[1]} values per example, expected {start}"
    return pieces


def keras_outputs(model, x):
    """The Keras model's own outputs: ``predict_on_batch`` (one compiled call) on JAX, where an
    eager call compiles every operation for every new shape; a direct call elsewhere."""
    if keras.backend.backend() == "jax":
        return np.asarray(model.predict_on_batch(x))
    return keras.ops.convert_to_numpy(model(x))


def waveforms(batch, samples, seed=0):
    """Speech-like test signals: a few harmonics plus noise, float32 ``(batch, samples)``."""
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / SAMPLE_RATE
    f0 = rng.uniform(100, 400, size=(batch, 1))
    tones = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 5))
    return (0.3 * tones + 0.05 * rng.standard_normal((batch, samples))).astype(np.float32)
