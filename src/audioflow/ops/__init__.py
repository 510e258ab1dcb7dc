"""The maths of audioflow: pure functions on ``keras.ops`` (and NumPy for host-side constants).

Signals are ``(..., samples)``; spectra are time-major ``(..., frames, bins)``.
"""

from audioflow._backend import require_keras_backend

require_keras_backend("audioflow.ops")

from audioflow.ops.augment import (
    add_noise,
    colored_noise,
    mix_batch,
    mixup,
    random_gain,
    random_time_shift,
    spec_augment,
    time_warp,
)
from audioflow.ops.chroma import chroma_filterbank
from audioflow.ops.cqt import cqt_frequencies
from audioflow.ops.descriptors import (
    rms,
    spectral_bandwidth,
    spectral_centroid,
    spectral_contrast,
    spectral_flatness,
    spectral_rolloff,
    zero_crossing_rate,
)
from audioflow.ops.dft import export_safe_stft
from audioflow.ops.features import apply_filterbank, delta, log_mel_spectrogram, melspectrogram, mfcc
from audioflow.ops.filters import (
    dct_matrix,
    fft_frequencies,
    hz_to_mel,
    mel_filterbank,
    mel_frequencies,
    mel_to_hz,
    savgol_delta_weights,
)
from audioflow.ops.framing import frame, num_frames
from audioflow.ops.kaldi import kaldi_fbank, kaldi_mfcc, kaldi_spectrogram
from audioflow.ops.leaf import gabor_energy, gabor_filters, gabor_parameters, gaussian_pooling
from audioflow.ops.lfcc import linear_filterbank
from audioflow.ops.normalize import fix_length, zero_mean_unit_variance
from audioflow.ops.pcen import exponential_moving_average, pcen, smoothing_coefficient
from audioflow.ops.phase import griffin_lim, mel_to_audio, mel_to_stft
from audioflow.ops.resample import resample
from audioflow.ops.scaling import amplitude_to_db, db_to_amplitude, db_to_power, power_to_db
from audioflow.ops.spectral import istft, istft_length, magnitude_power, overlap_add, spectrogram, stft
from audioflow.ops.whisper import whisper_log_mel, whisper_mel_filters
from audioflow.ops.windows import get_window

__all__ = [
    "cqt_frequencies",
    "mel_to_stft",
    "mel_to_audio",
    "griffin_lim",
    "linear_filterbank",
    "zero_crossing_rate",
    "spectral_rolloff",
    "spectral_flatness",
    "spectral_contrast",
    "spectral_centroid",
    "spectral_bandwidth",
    "rms",
    "chroma_filterbank",
    "add_noise",
    "amplitude_to_db",
    "apply_filterbank",
    "colored_noise",
    "db_to_amplitude",
    "db_to_power",
    "dct_matrix",
    "delta",
    "exponential_moving_average",
    "export_safe_stft",
    "fft_frequencies",
    "fix_length",
    "frame",
    "gabor_energy",
    "gabor_filters",
    "gabor_parameters",
    "gaussian_pooling",
    "get_window",
    "hz_to_mel",
    "istft",
    "istft_length",
    "kaldi_fbank",
    "kaldi_mfcc",
    "kaldi_spectrogram",
    "log_mel_spectrogram",
    "magnitude_power",
    "mel_filterbank",
    "mel_frequencies",
    "mel_to_hz",
    "melspectrogram",
    "mfcc",
    "mix_batch",
    "mixup",
    "num_frames",
    "overlap_add",
    "pcen",
    "power_to_db",
    "random_gain",
    "random_time_shift",
    "resample",
    "savgol_delta_weights",
    "smoothing_coefficient",
    "spec_augment",
    "spectrogram",
    "stft",
    "time_warp",
    "whisper_log_mel",
    "whisper_mel_filters",
    "zero_mean_unit_variance",
]
