"""The STFT's framing methods and batch chunking give the same numbers in every execution mode."""

import librosa
import numpy as np
import pytest

from audioflow import ops as af
from audioflow.ops import features, spectral, windows
from tests.helpers import BACKEND, to_numpy
from tests.tolerances import POWER_RTOL, STFT_RTOL, relative_error


def _signals(batch: int, samples: int) -> np.ndarray:
    rng = np.random.default_rng(samples)
    return (0.3 * rng.standard_normal((batch, samples))).astype(np.float32)


FRAMINGS = [(512, 128, 512, True), (512, 160, 400, True), (256, 300, 256, True), (255, 64, 200, True)]
CASES = [(*f, n) for f in FRAMINGS for n in (7, 200, 2205, 4096)] + [
    (512, 100, 512, False, n) for n in (512, 4096)
]


@pytest.mark.parametrize("n_fft, hop, win, center, samples", CASES)
def test_strided_frames_equal_gathered_frames(n_fft, hop, win, center, samples):
    x = _signals(2, samples)
    window = windows.pad_center(windows.get_window("hann", win, dtype=np.float64), n_fft)
    kwargs = dict(n_fft=n_fft, hop_length=hop, window_values=window, center=center, pad_mode="constant")
    strided = to_numpy(spectral._strided_frames(x, **kwargs))
    gathered = to_numpy(spectral._windowed_frames(x, **kwargs))
    assert strided.shape == gathered.shape
    np.testing.assert_array_equal(strided, gathered)


@pytest.mark.skipif(BACKEND != "tensorflow", reason="execution modes of TensorFlow graphs")
@pytest.mark.parametrize("jit_compile", [False, True])
@pytest.mark.parametrize("pad_mode", ["constant", "reflect"])
def test_tensorflow_graphs_pick_a_framing_and_equal_librosa(jit_compile, pad_mode):
    import tensorflow as tf

    x = _signals(3, 5000)
    chosen = []

    def power(signals):
        chosen.append(spectral.framing_method(True, pad_mode))
        return af.spectrogram(signals, n_fft=512, hop_length=128, pad_mode=pad_mode)

    for shape in [(3, 5000), (None, 5000), (None, None)]:
        chosen.clear()
        graph = tf.function(
            power, jit_compile=jit_compile, input_signature=[tf.TensorSpec(shape, tf.float32)]
        )
        out = graph(tf.constant(x)).numpy()
        for b in range(3):
            reference = np.abs(librosa.stft(x[b], n_fft=512, hop_length=128, pad_mode=pad_mode)) ** 2
            assert relative_error(out[b], reference.T) < STFT_RTOL
    expected = "gather" if jit_compile or pad_mode == "reflect" else "strided"
    assert chosen == [expected]
    assert spectral.framing_method(True, "constant") == "strided"  # eager TensorFlow


@pytest.mark.skipif(BACKEND != "tensorflow", reason="only TensorFlow traces graphs with a None batch")
@pytest.mark.parametrize("jit_compile", [False, True])
@pytest.mark.parametrize("batch", [1, 6, 7, 13])
def test_unknown_batch_of_long_signals_is_chunked_with_the_same_numbers(jit_compile, batch):
    import tensorflow as tf

    x = _signals(batch, 20000)
    kwargs = dict(n_fft=256, hop_length=64)
    n_frames = af.num_frames(20000, **kwargs)
    assert features.dynamic_chunking(n_frames) and 2048 // n_frames == 6  # chunks of 6 signals
    filterbank = af.mel_filterbank(16000, 256, 40, 0.0, None, False, "slaney")
    graph = tf.function(
        lambda s: features.filtered_spectrogram(s, filterbank, **kwargs),
        jit_compile=jit_compile,
        input_signature=[tf.TensorSpec((None, 20000), tf.float32)],
    )
    out = graph(tf.constant(x)).numpy()
    assert out.shape == (batch, n_frames, 40)
    for b in range(batch):
        reference = librosa.feature.melspectrogram(y=x[b], sr=16000, n_fft=256, hop_length=64, n_mels=40)
        assert relative_error(out[b], reference.T) < POWER_RTOL


def test_short_signals_are_not_chunked_when_the_batch_is_unknown():
    assert not features.dynamic_chunking(255)
    assert not features.dynamic_chunking(None)
    assert features.dynamic_chunking(256) == (BACKEND == "tensorflow")
