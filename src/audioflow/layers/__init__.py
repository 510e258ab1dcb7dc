"""Keras 3 layers over :mod:`audioflow.ops`, registered for ``.keras`` saving (package "audioflow").

Inputs ``(batch, samples)`` or ``(batch, samples, channels)``; outputs time-major, channels-last.
"""

from audioflow._backend import require_keras_backend

require_keras_backend("audioflow.layers")

from audioflow.layers.features import MFCC, Delta
from audioflow.layers.scaling import AmplitudeToDb, PowerToDb
from audioflow.layers.spectral import STFT, InverseSTFT, LogMelSpectrogram, MelSpectrogram, Spectrogram

__all__ = [
    "MFCC",
    "STFT",
    "AmplitudeToDb",
    "Delta",
    "InverseSTFT",
    "LogMelSpectrogram",
    "MelSpectrogram",
    "PowerToDb",
    "Spectrogram",
]
