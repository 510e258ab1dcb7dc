"""STFT, spectrogram, framing and inverse STFT against librosa, on every backend."""

import itertools

import keras
import librosa
import numpy as np
import pytest

from audioflow import ParameterError
from audioflow import ops as af
from tests.helpers import synthetic_signals, to_numpy
from tests.tolerances import POWER_RTOL, RECONSTRUCTION_RTOL, STFT_RTOL, relative_error

STFT_GRID = [
    # n_fft, hop_length, win_length, window, center, pad_mode
    (2048, None, None, "hann", True, "constant"),
    (1024, 512, None, "hann", True, "reflect"),
    (512, 160, 400, "hamming", True, "constant"),
    (1023, 250, 700, "blackman", False, "constant"),
    (256, 64, 200, ("kaiser", 8.0), True, "reflect"),
    (400, 100, None, "bartlett", False, "constant"),
]


def _librosa_stft(y, n_fft, hop_length, win_length, window, center, pad_mode):
    return librosa.stft(
        y,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )


@pytest.mark.parametrize(("n_fft", "hop_length", "win_length", "window", "center", "pad_mode"), STFT_GRID)
def test_stft_matches_librosa(test_signals, n_fft, hop_length, win_length, window, center, pad_mode):
    for name, y in test_signals.items():
        real, imag = af.stft(
            y,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
        )
        reference = _librosa_stft(y, n_fft, hop_length, win_length, window, center, pad_mode).T
        ours = to_numpy(real) + 1j * to_numpy(imag)
        assert relative_error(ours.view(np.float32), reference.view(np.float32)) < STFT_RTOL, name


@pytest.mark.parametrize("power", [1.0, 2.0])
@pytest.mark.parametrize(("n_fft", "hop_length", "win_length", "window", "center", "pad_mode"), STFT_GRID[:3])
def test_spectrogram_matches_librosa(
    test_signals, power, n_fft, hop_length, win_length, window, center, pad_mode
):
    for name, y in test_signals.items():
        ours = to_numpy(
            af.spectrogram(
                y,
                n_fft=n_fft,
                hop_length=hop_length,
                win_length=win_length,
                window=window,
                center=center,
                pad_mode=pad_mode,
                power=power,
            )
        )
        reference = np.abs(_librosa_stft(y, n_fft, hop_length, win_length, window, center, pad_mode)) ** power
        assert relative_error(ours, reference.T) < POWER_RTOL, name


def test_fractional_power_is_the_power_of_the_magnitude():
    # |X| ** 0.5 magnifies float32 rounding in near-empty bins, so it is checked against our own
    # magnitude (which matches librosa at POWER_RTOL above) rather than against librosa.
    y = synthetic_signals()["chirp"]
    magnitude = to_numpy(af.spectrogram(y, n_fft=512, hop_length=128, power=1.0))
    np.testing.assert_allclose(
        to_numpy(af.spectrogram(y, n_fft=512, hop_length=128, power=0.5)),
        np.sqrt(magnitude),
        rtol=1e-5,
        atol=1e-7,
    )


def test_spectrogram_of_a_batch_equals_each_example():
    signals = np.stack(list(synthetic_signals().values()))
    batched = to_numpy(af.spectrogram(signals, n_fft=512, hop_length=128))
    for i, y in enumerate(signals):
        np.testing.assert_allclose(
            batched[i], to_numpy(af.spectrogram(y, n_fft=512, hop_length=128)), rtol=1e-6
        )


def test_pure_tone_peaks_in_its_bin():
    sample_rate, n_fft = 16000, 1024
    bin_index = 37
    t = np.arange(sample_rate) / sample_rate
    tone = np.sin(2 * np.pi * bin_index * sample_rate / n_fft * t).astype(np.float32)
    S = to_numpy(af.spectrogram(tone, n_fft=n_fft, hop_length=256))
    assert np.all(np.argmax(S[2:-2], axis=-1) == bin_index)
    # A unit sine under a periodic Hann window: |X| = n_fft / 4 at the peak.
    np.testing.assert_allclose(np.sqrt(S[10, bin_index]), n_fft / 4, rtol=1e-4)


def test_integer_input_is_cast_to_float():
    pcm = (np.random.default_rng(0).standard_normal(4000) * 1000).astype(np.int16)
    ours = to_numpy(af.spectrogram(pcm, n_fft=256, hop_length=64))
    reference = np.abs(librosa.stft(pcm.astype(np.float32), n_fft=256, hop_length=64)) ** 2
    assert relative_error(ours, reference.T) < POWER_RTOL


@pytest.mark.parametrize("center", [True, False])
@pytest.mark.parametrize(("n_fft", "hop_length"), [(512, 128), (400, 160), (511, 100)])
def test_num_frames_matches_librosa_for_every_remainder(center, n_fft, hop_length):
    lengths = list(range(n_fft - 3, n_fft + hop_length + 3)) + [1, 2, 7, 3 * hop_length + 1]
    for n in lengths:
        if not center and n < n_fft:
            assert af.num_frames(n, n_fft=n_fft, hop_length=hop_length, center=False) == 0
            continue
        y = np.zeros(n, np.float32)
        expected = librosa.stft(y, n_fft=n_fft, hop_length=hop_length, center=center).shape[-1]
        assert af.num_frames(n, n_fft=n_fft, hop_length=hop_length, center=center) == expected, n
    # The op itself, on a few of those lengths (each new length compiles anew on JAX).
    for n in [n_fft, n_fft + 1, n_fft + hop_length - 1, 3 * hop_length + 1]:
        expected = af.num_frames(n, n_fft=n_fft, hop_length=hop_length, center=center)
        y = np.zeros(n, np.float32)
        assert (
            to_numpy(af.spectrogram(y, n_fft=n_fft, hop_length=hop_length, center=center)).shape[0]
            == expected
        )


def test_num_frames_of_unknown_length_is_unknown():
    assert af.num_frames(None, n_fft=512, hop_length=128) is None


@pytest.mark.parametrize(("frame_length", "hop_length"), [(8, 3), (16, 16), (5, 1)])
def test_frame_matches_librosa(frame_length, hop_length):
    x = np.arange(2 * 50, dtype=np.float32).reshape(2, 50)
    ours = to_numpy(af.frame(x, frame_length=frame_length, hop_length=hop_length))
    reference = librosa.util.frame(x, frame_length=frame_length, hop_length=hop_length, axis=-1)
    np.testing.assert_array_equal(ours, np.swapaxes(reference, -1, -2))


@pytest.mark.parametrize(
    ("n_fft", "hop_length", "win_length", "window", "center"),
    [
        (2048, 512, None, "hann", True),
        (512, 128, 400, "hann", True),
        (1024, 256, None, "hamming", False),
        (501, 100, None, "blackman", True),
        (256, 48, 256, "hann", True),
    ],
)
def test_istft_inverts_stft_and_matches_librosa(n_fft, hop_length, win_length, window, center):
    y = synthetic_signals(seconds=0.7)["noise"]
    spectrum = af.stft(
        y[None], n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center
    )
    kwargs = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center)
    reconstructed = to_numpy(af.istft(spectrum, length=len(y), **kwargs))[0]
    reference_matrix = librosa.stft(y, **kwargs)
    reference = librosa.istft(reference_matrix, length=len(y), **kwargs)
    np.testing.assert_allclose(reconstructed, reference, atol=1e-5)
    if center:  # every sample is covered by windows with non-zero overlap
        assert relative_error(reconstructed, y) < RECONSTRUCTION_RTOL
    unpadded = to_numpy(af.istft(spectrum, **kwargs))[0]
    np.testing.assert_allclose(unpadded, librosa.istft(reference_matrix, **kwargs), atol=1e-5)


def test_istft_pads_to_a_requested_length():
    y = synthetic_signals(seconds=0.2)["tones"]
    spectrum = af.stft(y, n_fft=256, hop_length=64)
    longer = to_numpy(af.istft(spectrum, n_fft=256, hop_length=64, length=len(y) + 300))
    assert longer.shape == (len(y) + 300,)
    np.testing.assert_allclose(longer[: len(y)], y, atol=1e-5)


def test_overlap_add_sums_hop_spaced_frames():
    frames = np.arange(12, dtype=np.float32).reshape(3, 4)
    ours = to_numpy(af.overlap_add(frames, 3))
    expected = np.zeros(10, np.float32)
    for t in range(3):
        expected[3 * t : 3 * t + 4] += frames[t]
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            dict(n_fft=512, win_length=1024),
            r"`win_length` must be <= `n_fft`. Received: win_length=1024, n_fft=512.",
        ),
        (dict(n_fft=1), r"`n_fft` must be an integer >= 2. Received: n_fft=1."),
        (dict(n_fft=512.0), r"`n_fft` must be an integer. Received: n_fft=512.0."),
        (dict(hop_length=0), r"`hop_length` must be a positive integer. Received: hop_length=0."),
        (
            dict(n_fft=2, win_length=2),
            r"`hop_length` must be a positive integer. Received: hop_length=None, win_length=2. The default",
        ),
        (
            dict(pad_mode="mean"),
            r"`pad_mode` must be one of 'constant', 'reflect', 'edge', 'symmetric', 'wrap'. "
            r"Received: pad_mode='mean'.",
        ),
        (dict(center="yes"), r"`center` must be True or False. Received: center='yes'."),
        (dict(window="hanning"), r"`window` must be a scipy.signal.get_window window. "),
    ],
)
def test_invalid_stft_arguments(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        af.stft(np.zeros(4096, np.float32), **kwargs)


def test_invalid_power():
    with pytest.raises(ParameterError, match=r"`power` must be > 0.0. Received: power=0."):
        af.spectrogram(np.zeros(4096, np.float32), power=0)


@pytest.mark.parametrize(("n", "center"), itertools.product([1, 5, 300], [True]))
def test_very_short_signals_give_finite_spectra(n, center):
    y = np.ones(n, np.float32)
    S = to_numpy(af.spectrogram(y, n_fft=512, hop_length=128, center=center))
    assert S.shape == (af.num_frames(n, n_fft=512, hop_length=128), 257)
    assert np.all(np.isfinite(S))


def test_num_frames_of_a_symbolic_length_uses_the_same_formula():
    import keras

    for n in (1, 100, 511, 512, 513, 4000):
        for center in (True, False):
            symbolic = af.num_frames(keras.ops.convert_to_tensor(n), n_fft=512, hop_length=128, center=center)
            assert int(to_numpy(symbolic)) == af.num_frames(n, n_fft=512, hop_length=128, center=center)


# --- Padding modes, empty and short signals, NumPy scalar arguments (issue 8: 10, 13, 15, 16, 22).

# Lengths from 1 sample to longer than a frame: padding up to 512 samples wider than the signal.
PAD_LENGTHS = [1, 2, 300, 513]


@pytest.mark.parametrize("pad_mode", ["reflect", "edge", "symmetric"])
def test_padding_modes_match_librosa_for_signals_of_any_length(pad_mode):
    rng = np.random.default_rng(8)
    for n in PAD_LENGTHS:
        y = rng.standard_normal(n).astype(np.float32)
        real, imag = af.stft(y, n_fft=1024, hop_length=256, pad_mode=pad_mode)
        ours = to_numpy(real) + 1j * to_numpy(imag)
        reference = librosa.stft(y, n_fft=1024, hop_length=256, pad_mode=pad_mode).T
        assert relative_error(ours.view(np.float32), reference.view(np.float32)) < STFT_RTOL, (pad_mode, n)


def test_wrap_padding_is_np_pad_wrap():
    # librosa.stft refuses "wrap" (it pads the head and tail separately); audioflow pads as np.pad.
    rng = np.random.default_rng(9)
    for n in PAD_LENGTHS:
        y = rng.standard_normal(n).astype(np.float32)
        real, imag = af.stft(y, n_fft=1024, hop_length=256, pad_mode="wrap")
        ours = to_numpy(real) + 1j * to_numpy(imag)
        padded = np.pad(y, 512, mode="wrap")
        reference = librosa.stft(padded, n_fft=1024, hop_length=256, center=False).T
        assert relative_error(ours.view(np.float32), reference.view(np.float32)) < STFT_RTOL, n


def test_padding_positions_are_np_pads_for_every_mode_and_length():
    from audioflow.ops.spectral import _padded_positions

    for mode in ["reflect", "symmetric", "wrap", "edge"]:
        for n in [1, 2, 5]:
            signal = np.arange(n)
            positions = keras.ops.arange(-20, n + 20, dtype="int32")
            ours = to_numpy(_padded_positions(positions, n, mode))
            np.testing.assert_array_equal(ours, np.pad(signal, 20, mode=mode), err_msg=f"{mode}, n={n}")


def test_an_empty_signal_gives_one_frame_of_zeros_with_constant_padding():
    real, imag = af.stft(np.zeros(0, np.float32), n_fft=512, hop_length=128)
    expected = librosa.stft(np.zeros(0, np.float32), n_fft=512, hop_length=128).T
    assert to_numpy(real).shape == to_numpy(imag).shape == expected.shape == (1, 257)
    assert not to_numpy(real).any() and not to_numpy(imag).any()
    mel = to_numpy(af.melspectrogram(np.zeros((2, 0), np.float32), sample_rate=8000, n_fft=256, n_mels=20))
    assert mel.shape == (2, 1, 20) and not mel.any()


@pytest.mark.parametrize("pad_mode", ["reflect", "edge", "symmetric", "wrap"])
def test_an_empty_signal_cannot_be_padded_by_other_modes(pad_mode):
    with pytest.raises(
        ParameterError, match=rf"`inputs` must be at least 1 sample long for pad_mode='{pad_mode}'"
    ):
        af.stft(np.zeros((2, 0), np.float32), n_fft=512, pad_mode=pad_mode)


@pytest.mark.parametrize("center", [True, False])
def test_an_empty_batch_gives_an_empty_spectrum(center):
    frames = af.num_frames(2000, n_fft=512, hop_length=128, center=center)
    for x in (np.zeros((0, 2000), np.float32), np.zeros((3, 0, 2000), np.float32)):
        S = to_numpy(af.spectrogram(x, n_fft=512, hop_length=128, center=center, pad_mode="reflect"))
        assert S.shape == x.shape[:-1] + (frames, 257)
        mel = to_numpy(af.log_mel_spectrogram(x, sample_rate=8000, n_fft=512, hop_length=128, n_mels=20))
        assert mel.shape == x.shape[:-1] + (af.num_frames(2000, n_fft=512, hop_length=128), 20)


def test_one_sample_reflect_padding_repeats_it():
    # numpy's reflect of a single sample is that sample everywhere (torch's own padding refuses it).
    y = np.array([0.5], np.float32)
    real, _ = af.stft(y, n_fft=16, hop_length=4, window="boxcar", pad_mode="reflect")
    np.testing.assert_allclose(to_numpy(real)[0, 0], 0.5 * 16, rtol=1e-6)


def test_numpy_scalar_arguments_are_their_python_values():
    y = synthetic_signals()["chirp"]
    expected = to_numpy(af.spectrogram(y, n_fft=512, hop_length=128, win_length=400, pad_mode="reflect"))
    for int_type in (np.int64, np.int32, np.int16, np.uint16):
        ours = af.spectrogram(
            y,
            n_fft=int_type(512),
            hop_length=int_type(128),
            win_length=int_type(400),
            pad_mode=np.str_("reflect"),
            center=np.bool_(True),
            power=np.float32(2.0),
        )
        np.testing.assert_array_equal(to_numpy(ours), expected, err_msg=int_type.__name__)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda y: af.stft(y, n_fft=2**21), r"`n_fft` must be <= 1048576. Received: n_fft=2097152."),
        (lambda y: af.stft(y, hop_length=10**12), r"`hop_length` must be <= 268435456"),
        (lambda y: af.stft(y=y), r"`y` must be passed as the first \(positional\) argument `x`"),
        (
            lambda y: af.spectrogram(y, fft_length=512),
            r"`fft_length` is not an audioflow argument: audioflow calls it `n_fft`. Received: fft_length=512.",
        ),
    ],
)
def test_stft_refuses_absurd_sizes_and_foreign_names(call, message):
    with pytest.raises(ParameterError, match=message):
        call(np.zeros(100, np.float32))


def _gradient(loss_fn, x):
    """d loss / d x on the current backend."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = loss_fn(x)
        return tape.gradient(loss, x).numpy()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(loss_fn)(x))
    import torch

    x = torch.tensor(x, requires_grad=True)
    loss_fn(x).backward()
    return x.grad.detach().numpy()


def test_istft_is_differentiable_and_its_gradient_is_correct():
    rng = np.random.default_rng(10)
    real = rng.standard_normal((2, 9, 33)).astype(np.float32)
    imag = rng.standard_normal((2, 9, 33)).astype(np.float32)
    weights = rng.standard_normal((2, 64)).astype(np.float32)

    def loss(r):
        signal = af.istft((r, keras.ops.convert_to_tensor(imag)), n_fft=64, hop_length=16, length=64)
        return keras.ops.sum(signal * keras.ops.convert_to_tensor(weights))

    grad = _gradient(loss, real)
    # istft is linear in the real part: the gradient is each unit impulse's response (all bumps in
    # one batched call).
    indices = [(0, 0, 0), (1, 4, 7), (0, 8, 32), (1, 3, 16)]
    bumped = np.repeat(real[None], len(indices), axis=0)
    for k, index in enumerate(indices):
        bumped[(k, *index)] += 1.0
    signals = af.istft(
        (bumped, np.repeat(imag[None], len(indices), axis=0)), n_fft=64, hop_length=16, length=64
    )
    responses = to_numpy(signals) * weights
    base = float(np.sum(to_numpy(af.istft((real, imag), n_fft=64, hop_length=16, length=64)) * weights))
    for k, index in enumerate(indices):
        assert grad[index] == pytest.approx(float(responses[k].sum()) - base, rel=1e-3, abs=1e-4)


@pytest.mark.parametrize("center", [True, False])
def test_istft_of_no_frames_or_an_empty_batch_is_empty(center):
    # librosa: hop * (frames - 1) + n_fft samples, less n_fft with center (never below 0).
    expected_samples = {(0, True): 0, (5, True): 512, (0, False): 384, (5, False): 1024}
    for frames, batch in [(0, 2), (5, 0)]:
        spectrum = np.zeros((batch, frames, 257), np.float32)
        signal = to_numpy(af.istft((spectrum, spectrum), n_fft=512, hop_length=128, center=center))
        assert signal.shape == (batch, expected_samples[frames, center])
        assert not signal.any()
        fixed = to_numpy(af.istft((spectrum, spectrum), n_fft=512, hop_length=128, center=center, length=300))
        assert fixed.shape == (batch, 300) and not fixed.any()
