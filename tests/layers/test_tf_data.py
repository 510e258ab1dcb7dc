"""Every layer inside ``tf.data`` (``dataset.map``) on every Keras backend equals the layer called directly.

Under JAX and PyTorch the layers compute with TensorFlow ops inside the ``tf.data`` graph (as
Keras' preprocessing layers do); these tests map each layer over batches and over single
examples, with the time axis known and unknown, and compare with a direct call.
"""

import keras
import numpy as np
import pytest

from audioflow import layers
from tests.helpers import to_numpy
from tests.tolerances import (
    DB_ATOL,
    KALDI_RTOL,
    POWER_RTOL,
    STFT_RTOL,
    max_db_error_above_floor,
    relative_error,
)

tf = pytest.importorskip("tensorflow")  # in CI for every backend: the tf.data pipeline needs it

BATCH, SAMPLES, FRAMES = 3, 1000, 40
STFT_ARGUMENTS = dict(n_fft=64, hop_length=16)
MEL_ARGUMENTS = dict(sample_rate=8000, n_fft=64, hop_length=16, n_mels=8)


def _waveforms(seed=0):
    return np.random.default_rng(seed).standard_normal((BATCH, SAMPLES)).astype(np.float32)


def _power(seed=1, bins=33):
    return np.random.default_rng(seed).uniform(1e-4, 4.0, (BATCH, FRAMES, bins)).astype(np.float32)


def _stft():
    return to_numpy(layers.STFT(**STFT_ARGUMENTS)(_waveforms()))


def _relative(tolerance):
    def check(actual, expected):
        assert relative_error(actual, expected) <= tolerance

    return check


def _decibels(actual, expected):
    assert max_db_error_above_floor(actual, expected) <= DB_ATOL


#: name -> (layer factory, input maker, comparison): every audioflow layer that maps one tensor.
CASES = {
    "stft": (lambda: layers.STFT(**STFT_ARGUMENTS), _waveforms, _relative(STFT_RTOL)),
    "istft": (lambda: layers.InverseSTFT(**STFT_ARGUMENTS), _stft, _relative(STFT_RTOL)),
    "spectrogram": (lambda: layers.Spectrogram(**STFT_ARGUMENTS), _waveforms, _relative(POWER_RTOL)),
    "mel_scale": (
        lambda: layers.MelScale(sample_rate=8000, n_fft=64, n_mels=8),
        _power,
        _relative(POWER_RTOL),
    ),
    "mel": (lambda: layers.MelSpectrogram(**MEL_ARGUMENTS), _waveforms, _relative(POWER_RTOL)),
    "logmel": (lambda: layers.LogMelSpectrogram(**MEL_ARGUMENTS), _waveforms, _decibels),
    "mfcc": (lambda: layers.MFCC(**MEL_ARGUMENTS, n_mfcc=5), _waveforms, _relative(POWER_RTOL)),
    "delta": (lambda: layers.Delta(width=5), _power, _relative(POWER_RTOL)),
    "power_to_db": (lambda: layers.PowerToDb(), _power, _decibels),
    "amplitude_to_db": (lambda: layers.AmplitudeToDb(), _power, _decibels),
    "pcen": (lambda: layers.PCEN(sample_rate=8000, hop_length=16), _power, _relative(POWER_RTOL)),
    "leaf": (lambda: layers.Leaf(sample_rate=8000, n_filters=8), _waveforms, _relative(POWER_RTOL)),
    "centroid": (
        lambda: layers.SpectralCentroid(sample_rate=8000, n_fft=64, hop_length=16),
        _waveforms,
        _relative(POWER_RTOL),
    ),
    "bandwidth": (
        lambda: layers.SpectralBandwidth(sample_rate=8000, n_fft=64, hop_length=16),
        _waveforms,
        _relative(POWER_RTOL),
    ),
    "rolloff": (
        lambda: layers.SpectralRolloff(sample_rate=8000, n_fft=64, hop_length=16),
        _waveforms,
        _relative(POWER_RTOL),
    ),
    "flatness": (lambda: layers.SpectralFlatness(n_fft=64, hop_length=16), _waveforms, _relative(POWER_RTOL)),
    "contrast": (
        lambda: layers.SpectralContrast(sample_rate=8000, n_fft=256, hop_length=16, n_bands=3, fmin=300),
        _waveforms,
        _relative(POWER_RTOL),
    ),
    "rms": (lambda: layers.RMS(frame_length=64, hop_length=16), _waveforms, _relative(POWER_RTOL)),
    "zcr": (
        lambda: layers.ZeroCrossingRate(frame_length=64, hop_length=16),
        _waveforms,
        _relative(POWER_RTOL),
    ),
    "chroma": (
        lambda: layers.ChromaSTFT(sample_rate=8000, n_fft=64, hop_length=16),
        _waveforms,
        _relative(POWER_RTOL),
    ),
    "cqt": (
        lambda: layers.CQT(sample_rate=8000, hop_length=16, fmin=200.0, n_bins=24),
        _waveforms,
        _relative(STFT_RTOL),
    ),
    "vqt": (
        lambda: layers.VQT(sample_rate=8000, hop_length=20, fmin=200.0, n_bins=12, output="complex"),
        _waveforms,
        _relative(STFT_RTOL),
    ),
    "lfcc": (
        lambda: layers.LFCC(sample_rate=8000, n_fft=64, n_filter=12, n_lfcc=6),
        _waveforms,
        _relative(POWER_RTOL),
    ),
    "griffin_lim": (
        lambda: layers.GriffinLim(n_fft=64, hop_length=16, n_iter=2, init=None),
        _power,
        _relative(POWER_RTOL),
    ),
    "inverse_mel": (
        lambda: layers.InverseMelScale(sample_rate=8000, n_fft=64, n_mels=8, n_iter=5),
        lambda: _power(bins=8),
        _relative(POWER_RTOL),
    ),
    "resample": (
        lambda: layers.Resample(sample_rate=8000, target_sample_rate=5000),
        _waveforms,
        _relative(POWER_RTOL),
    ),
    "random_speed": (lambda: layers.RandomSpeed(sample_rate=8000, seed=1), _waveforms, _relative(0.0)),
    "kaldi_spectrogram": (lambda: layers.KaldiSpectrogram(), _waveforms, _relative(KALDI_RTOL)),
    "kaldi_fbank": (lambda: layers.KaldiFbank(snip_edges=False), _waveforms, _relative(KALDI_RTOL)),
    "kaldi_mfcc": (lambda: layers.KaldiMFCC(use_energy=True), _waveforms, _relative(KALDI_RTOL)),
    "whisper_log_mel": (lambda: layers.WhisperLogMel(), _waveforms, _relative(KALDI_RTOL)),
    "whisper_features": (lambda: layers.WhisperFeatures(), _waveforms, _relative(KALDI_RTOL)),
    "ast_features": (lambda: layers.ASTFeatures(), _waveforms, _relative(KALDI_RTOL)),
    "wav2vec2_features": (lambda: layers.Wav2Vec2Features(), _waveforms, _relative(POWER_RTOL)),
    "spec_augment": (lambda: layers.SpecAugment(seed=1), _power, _relative(0.0)),
    "gain": (lambda: layers.RandomGain(seed=1), _waveforms, _relative(0.0)),
    "noise": (lambda: layers.AddNoise(seed=1), _waveforms, _relative(0.0)),
    "time_shift": (lambda: layers.RandomTimeShift(sample_rate=8000, seed=1), _waveforms, _relative(0.0)),
}


def _unknown_time_axis(dataset, time_axis: int):
    """``dataset`` with its elements' ``time_axis`` of unknown size (a generator's signature)."""
    spec = dataset.element_spec
    shape = list(spec.shape)
    shape[time_axis] = None
    elements = list(dataset.as_numpy_iterator())
    signature = tf.TensorSpec(shape, spec.dtype)
    return tf.data.Dataset.from_generator(lambda: iter(elements), output_signature=signature)


def _mapped(layer, x, *, batched: bool, known_length: bool):
    """``layer`` mapped over ``x`` in ``tf.data``: on batches of 2, or on single examples."""
    dataset = tf.data.Dataset.from_tensor_slices(x)
    if batched:
        dataset = dataset.batch(2)
    if not known_length:
        dataset = _unknown_time_axis(dataset, time_axis=1 if batched else 0)
    if batched:
        outputs = dataset.map(layer)
    else:  # a function mapped over single examples, calling the layer inside
        outputs = dataset.map(lambda example: layer(example[None])[0])
    return np.concatenate([np.asarray(out) if batched else np.asarray(out)[None] for out in outputs])


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("name", list(CASES))
def test_layer_in_dataset_map_equals_the_direct_call(name, batched):
    make_layer, make_input, check = CASES[name]
    layer, x = make_layer(), make_input()
    for known_length in (True, False):
        mapped = _mapped(layer, x, batched=batched, known_length=known_length)
        check(mapped, to_numpy(layer(x)))


@pytest.mark.parametrize("name", ["spec_augment", "gain", "noise", "time_shift", "random_speed"])
def test_random_layers_augment_inside_tf_data_when_training(name):
    make_layer, make_input, _ = CASES[name]
    layer, x = make_layer(), make_input()
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(BATCH).repeat(2)
    first, second = (np.asarray(batch) for batch in dataset.map(lambda batch: layer(batch, training=True)))
    assert first.shape == x.shape and np.isfinite(first).all()
    assert not np.allclose(first, x) and not np.allclose(first, second)  # a new draw per element


def test_trainable_weights_enter_the_graph_with_their_current_values():
    layer = layers.MelScale(sample_rate=8000, n_fft=64, n_mels=8, trainable=True)
    x = _power()
    layer(x)
    layer.filterbank.assign(to_numpy(layer.filterbank) * 2.0)
    mapped = _mapped(layer, x, batched=True, known_length=True)
    _relative(POWER_RTOL)(mapped, to_numpy(layer(x)))
    assert isinstance(layer.filterbank, keras.Variable)  # put back after tracing


def test_a_function_of_several_layers_maps_over_a_dataset():
    log_mel, delta = layers.LogMelSpectrogram(**MEL_ARGUMENTS), layers.Delta()
    x = _waveforms()
    dataset = tf.data.Dataset.from_tensor_slices(x).batch(2).map(lambda batch: delta(log_mel(batch)))
    _relative(POWER_RTOL)(np.concatenate(list(dataset)), to_numpy(delta(log_mel(x))))


def test_every_layer_is_mapped_here():
    covered = {type(make_layer()).__name__ for make_layer, _, _ in CASES.values()}
    assert covered == set(layers.__all__) - {"Mixup"}  # Mixup (a pair (x, y)): tests/layers/test_augment.py
