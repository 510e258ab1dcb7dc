"""Argument limits, name tables and the cached scipy window behind
:mod:`audioflow._validation` (which words every error)."""

import functools

import numpy as np
import scipy.signal

# Size limits: far beyond any real use, low enough that a typo fails here instead of as a
# MemoryError (or a minutes-long build) later.

#: Largest FFT: 2**20 samples (47.5 s at 22.05 kHz).
MAX_N_FFT = 2**20
#: Most mel bands (the DCT of an MFCC layer is an ``n_mels x n_mels`` matrix before truncation).
MAX_N_MELS = 4096
#: Most filterbank elements, ``(n_fft // 2 + 1) * n_mels``: 2**27 float32 values = 512 MiB.
MAX_FILTERBANK_ELEMENTS = 2**27
#: Largest hop and output length in samples (2**28 = 3.4 hours at 22.05 kHz; 1 GiB of float32).
MAX_SAMPLES = 2**28
#: Widest delta filter, in frames.
MAX_DELTA_WIDTH = 1001


#: Argument names of librosa, torchaudio, tf.signal and Keras, and audioflow's name for each.
FOREIGN_NAMES = {
    "sr": "sample_rate",
    "sampling_rate": "sample_rate",
    "fmin": "f_min",
    "fmax": "f_max",
    "min_freq": "f_min",
    "max_freq": "f_max",
    "lower_edge_hertz": "f_min",
    "upper_edge_hertz": "f_max",
    "num_mel_bins": "n_mels",
    "n_mel": "n_mels",
    "num_mfcc": "n_mfcc",
    "n_mfccs": "n_mfcc",
    "fft_length": "n_fft",
    "frame_length": "win_length",
    "sequence_length": "win_length",
    "frame_step": "hop_length",
    "sequence_stride": "hop_length",
    "hop_size": "hop_length",
    "win_size": "win_length",
    "mel_norm": "norm",
    "n_hop": "hop_length",
    "win_fn": "window",
}


#: ``center`` padding modes, as ``np.pad`` (librosa.stft accepts all but "wrap").
PAD_MODES = ("constant", "reflect", "edge", "symmetric", "wrap")
#: Edge modes of ``delta``, as ``scipy.signal.savgol_filter`` / ``librosa.feature.delta``.
DELTA_MODES = ("interp", "nearest", "mirror", "constant", "wrap")
#: audioflow's own window names beyond scipy's: "kaiser" alone means ("kaiser", 12.0).
DEFAULT_KAISER_BETA = 12.0


def scipy_window(spec, win_length: int) -> np.ndarray:
    """``scipy.signal.get_window(spec, win_length, fftbins=True)`` as float64, cached, read-only."""
    return _scipy_window(spec, win_length)


@functools.lru_cache(maxsize=64)
def _scipy_window(spec, win_length):
    with np.errstate(all="ignore"):  # invalid parameters give NaN, reported by _validation.check_window
        values = np.asarray(scipy.signal.get_window(spec, win_length, fftbins=True), dtype=np.float64)
    values.flags.writeable = False
    return values
