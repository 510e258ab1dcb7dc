"""Keras 3 layers over :mod:`audioflow.ops`, registered for ``.keras`` saving (package "audioflow").

Inputs ``(batch, samples)`` or ``(batch, samples, channels)``; outputs time-major, channels-last.
"""

from audioflow.layers.augment import AddNoise, Mixup, RandomGain, RandomTimeShift, SpecAugment
from audioflow.layers.features import MFCC, Delta
from audioflow.layers.scaling import AmplitudeToDb, PowerToDb
from audioflow.layers.spectral import STFT, InverseSTFT, LogMelSpectrogram, MelSpectrogram, Spectrogram

__all__ = [
    "AddNoise",
    "AmplitudeToDb",
    "Delta",
    "InverseSTFT",
    "LogMelSpectrogram",
    "MelSpectrogram",
    "MFCC",
    "Mixup",
    "PowerToDb",
    "RandomGain",
    "RandomTimeShift",
    "SpecAugment",
    "Spectrogram",
    "STFT",
]
