"""StreamingFrontEnd.process: chunks of any sizes give the layer's frames on the whole signal."""

import keras
import numpy as np
import pytest

from audioflow import ParameterError, layers
from audioflow.streaming import StreamingFrontEnd
from tests.helpers import to_numpy
from tests.tolerances import DB_ATOL, KALDI_RTOL, POWER_RTOL, STFT_RTOL, relative_error

SAMPLES = 3001  # not a multiple of any hop below


def _signal(batch=2, samples=SAMPLES, channels=None, seed=0):
    shape = (batch, samples) + (() if channels is None else (channels,))
    return (0.3 * np.random.default_rng(seed).standard_normal(shape)).astype(np.float32)


def _chunkings(samples, n_fft, seed):
    """Chunk boundaries: random sizes with empty and 1-sample chunks; 1-sample chunks; one oversized chunk."""
    rng = np.random.default_rng(seed)
    sizes = [0, 1, 0, 7, n_fft - 1, 1, 2 * n_fft + 3]
    while sum(sizes) < samples:
        sizes.append(
            int(rng.choice([0, 1, int(rng.integers(2, n_fft)), int(rng.integers(n_fft, 4 * n_fft))]))
        )
    single_samples = [1] * (n_fft + 5) + [samples]
    return [sizes, single_samples, [0, 5 * samples, 0]]


def _stream(front_end, x, sizes):
    """The outputs of ``front_end`` over ``x`` cut into chunks of ``sizes`` (past the end: empty chunks)."""
    front_end.reset()
    outputs, start = [], 0
    for size in sizes:
        out = to_numpy(front_end.process(x[:, start : start + size]))
        assert out.shape[0] == x.shape[0]
        outputs.append(out)
        start += size
    assert start >= x.shape[1]
    return np.concatenate(outputs, axis=1)


def _mel(**kwargs):
    return layers.MelSpectrogram(sample_rate=16000, n_mels=32, center=False, **kwargs)


CASES = {
    "stft": (lambda: layers.STFT(n_fft=400, hop_length=160, center=False), STFT_RTOL),
    "spectrogram": (
        lambda: layers.Spectrogram(n_fft=512, hop_length=160, win_length=400, power=1.0, center=False),
        POWER_RTOL,
    ),
    "mel": (lambda: _mel(n_fft=400, hop_length=100), POWER_RTOL),
    "logmel": (
        lambda: layers.LogMelSpectrogram(
            sample_rate=16000, n_fft=512, hop_length=160, n_mels=40, center=False, top_db=None, ref=0.5
        ),
        "dB",
    ),
    "mfcc": (
        lambda: layers.MFCC(
            sample_rate=16000, n_fft=400, hop_length=160, n_mels=40, n_mfcc=13, center=False, top_db=None
        ),
        POWER_RTOL,
    ),
    "kaldi fbank": (lambda: layers.KaldiFbank(num_mel_bins=40), KALDI_RTOL),
    "kaldi mfcc": (lambda: layers.KaldiMFCC(use_energy=True, frame_shift=12.5), KALDI_RTOL),
    "mel+pcen": (
        lambda: [_mel(n_fft=400, hop_length=160, power=1.0), layers.PCEN(sample_rate=16000, hop_length=160)],
        POWER_RTOL,
    ),
    "spectrogram+pcen first_frame": (
        lambda: keras.Sequential(
            [
                layers.Spectrogram(n_fft=256, hop_length=64, center=False),
                layers.PCEN(sample_rate=16000, hop_length=64, initial_state="first_frame", max_size=3),
            ]
        ),
        POWER_RTOL,
    ),
}


def _whole(layer, x):
    return to_numpy(layer(x)) if not isinstance(layer, list) else to_numpy(layer[1](layer[0](x)))


def _check(actual, expected, tolerance):
    assert actual.shape == expected.shape
    if tolerance == "dB":
        assert np.max(np.abs(actual - expected)) <= DB_ATOL
    else:
        assert relative_error(actual, expected) <= tolerance


@pytest.mark.parametrize("case", list(CASES))
def test_any_chunking_equals_the_layer_on_the_whole_signal(case):
    make, tolerance = CASES[case]
    layer = make()
    x = _signal()
    expected = _whole(layer, x)
    front_end = StreamingFrontEnd(layer)
    assert expected.shape[1] > 10
    for seed, sizes in enumerate(_chunkings(SAMPLES, front_end.n_fft, seed=len(case))):
        _check(_stream(front_end, x, sizes), expected, tolerance)
        assert front_end.pending_samples < front_end.n_fft, seed


def test_channels_stream_like_the_layer():
    layer = [_mel(n_fft=400, hop_length=160), layers.PCEN(sample_rate=16000, hop_length=160)]
    x = _signal(channels=2)
    front_end = StreamingFrontEnd(layer)
    sizes = _chunkings(SAMPLES, 400, seed=3)[0]
    _check(_stream(front_end, x, sizes), _whole(layer, x), POWER_RTOL)


def test_chunks_without_a_whole_frame_give_zero_frames_of_the_right_shape():
    layer = layers.MFCC(sample_rate=16000, n_fft=400, hop_length=160, n_mfcc=13, center=False, top_db=None)
    front_end = StreamingFrontEnd(layer)
    x = _signal(batch=3)
    assert to_numpy(front_end.process(x[:, :0])).shape == (3, 0, 13)
    assert to_numpy(front_end.process(x[:, :399])).shape == (3, 0, 13)
    assert front_end.pending_samples == 399
    assert to_numpy(front_end.process(x[:, 399:400])).shape == (3, 1, 13)
    assert front_end.pending_samples == 400 - 160


def test_reset_starts_a_new_stream_of_any_batch_size():
    layer = [_mel(n_fft=400, hop_length=160), layers.PCEN(sample_rate=16000, hop_length=160)]
    front_end = StreamingFrontEnd(layer)
    front_end.process(_signal(batch=2, seed=1)[:, :1234])
    front_end.reset()
    assert front_end.pending_samples == 0
    x = _signal(batch=1)
    _check(_stream(front_end, x, [700, 900, 1500]), _whole(layer, x), POWER_RTOL)


def test_another_batch_size_mid_stream_is_refused():
    front_end = StreamingFrontEnd(layers.Spectrogram(n_fft=64, hop_length=16, center=False))
    front_end.process(np.zeros((2, 100), np.float32))
    with pytest.raises(
        ParameterError, match=r"`chunk` must be shaped like the stream's earlier chunks.*reset"
    ):
        front_end.process(np.zeros((3, 100), np.float32))
    with pytest.raises(ParameterError, match=r"`chunk` must be of rank 2 or 3"):
        front_end.process(np.zeros((100,), np.float32))


def test_changed_weights_are_used_by_the_next_chunk():
    mel = _mel(n_fft=400, hop_length=160)
    pcen = layers.PCEN(sample_rate=16000, hop_length=160, trainable=True)
    front_end = StreamingFrontEnd([mel, pcen])
    x = _signal()
    front_end.process(x)
    rng = np.random.default_rng(1)
    for weight in (pcen.log_gain, pcen.log_bias, pcen.smoothing):
        weight.assign(to_numpy(weight) * rng.uniform(0.5, 0.9, weight.shape).astype(np.float32))
    mel.mel_filters.filterbank.assign(to_numpy(mel.mel_filters.filterbank) * 2.0)
    _check(_stream(front_end, x, [1000, 2001]), _whole([mel, pcen], x), POWER_RTOL)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.Spectrogram(n_fft=64), r"`center` must be False for streaming"),
        (
            lambda: layers.LogMelSpectrogram(center=False, ref="max", top_db=None),
            r"`ref` must be a number for streaming",
        ),
        (lambda: layers.LogMelSpectrogram(center=False), r"`top_db` must be None for streaming.*top_db=80"),
        (lambda: layers.MFCC(center=False), r"`top_db` must be None for streaming"),
        (lambda: layers.Delta(), r"`layer` must be an audioflow STFT.*Received: layer='Delta'"),
        (lambda: layers.KaldiFbank(snip_edges=False), r"`snip_edges` must be True for streaming"),
        (lambda: layers.KaldiFbank(subtract_mean=True), r"`subtract_mean` must be False for streaming"),
        (lambda: layers.KaldiMFCC(min_duration=0.5), r"`min_duration` must be 0 for streaming"),
        (lambda: layers.PCEN(), r"`layer` must be an audioflow STFT.*Received: layer='PCEN'"),
        (lambda: [], r"`layer` must be an audioflow STFT"),
        (
            lambda: [layers.LogMelSpectrogram(center=False, top_db=None), layers.PCEN()],
            r"`layer` must be a Spectrogram or MelSpectrogram followed by PCEN.*not dB",
        ),
        (
            lambda: [layers.Spectrogram(center=False), layers.PCEN(), layers.PCEN()],
            r"`layer` must be an audioflow STFT",
        ),
    ],
)
def test_layers_and_settings_that_cannot_stream_are_refused(make, message):
    with pytest.raises(ParameterError, match=message):
        StreamingFrontEnd(make())
