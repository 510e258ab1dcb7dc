"""Keras 3 layers over :mod:`audioflow.ops`, registered for ``.keras`` saving (package "audioflow").

Small layers that each do one thing (``STFT``, ``InverseSTFT``, ``Spectrogram``, ``MelScale``,
``PowerToDb``, ``AmplitudeToDb``, ``Delta``) and feature layers composed of them
(``MelSpectrogram``, ``LogMelSpectrogram``, ``MFCC``), and the front ends of published models:
``KaldiSpectrogram``, ``KaldiFbank``, ``KaldiMFCC`` (torchaudio.compliance.kaldi) and ``WhisperLogMel``. Arguments are keyword-only.
Inputs ``(batch, samples)`` or ``(batch, samples, channels)``; outputs time-major, channels-last.
"""

from audioflow._backend import require_keras_backend

require_keras_backend("audioflow.layers")

from audioflow.layers.augment import AddNoise, Mixup, RandomGain, RandomTimeShift, SpecAugment
from audioflow.layers.chroma import ChromaSTFT
from audioflow.layers.cqt import CQT, VQT
from audioflow.layers.descriptors import (
    SpectralBandwidth,
    SpectralCentroid,
    SpectralContrast,
    SpectralFlatness,
    SpectralRolloff,
)
from audioflow.layers.features import MFCC, Delta
from audioflow.layers.frame_descriptors import RMS, ZeroCrossingRate
from audioflow.layers.kaldi import KaldiFbank, KaldiMFCC, KaldiSpectrogram
from audioflow.layers.leaf import Leaf
from audioflow.layers.lfcc import LFCC
from audioflow.layers.mel import LogMelSpectrogram, MelScale, MelSpectrogram
from audioflow.layers.pcen import PCEN
from audioflow.layers.phase import GriffinLim, InverseMelScale
from audioflow.layers.presets import ASTFeatures, Wav2Vec2Features, WhisperFeatures
from audioflow.layers.resample import RandomSpeed, Resample
from audioflow.layers.scaling import AmplitudeToDb, PowerToDb
from audioflow.layers.spectral import STFT, InverseSTFT, Spectrogram
from audioflow.layers.whisper import WhisperLogMel

__all__ = [
    "CQT",
    "VQT",
    "InverseMelScale",
    "GriffinLim",
    "LFCC",
    "ChromaSTFT",
    "ZeroCrossingRate",
    "SpectralRolloff",
    "SpectralFlatness",
    "SpectralContrast",
    "SpectralCentroid",
    "SpectralBandwidth",
    "RMS",
    "AddNoise",
    "ASTFeatures",
    "AmplitudeToDb",
    "Delta",
    "InverseSTFT",
    "KaldiFbank",
    "KaldiMFCC",
    "KaldiSpectrogram",
    "Leaf",
    "LogMelSpectrogram",
    "MelScale",
    "MelSpectrogram",
    "MFCC",
    "PCEN",
    "Mixup",
    "PowerToDb",
    "Resample",
    "RandomGain",
    "RandomSpeed",
    "RandomTimeShift",
    "SpecAugment",
    "Spectrogram",
    "STFT",
    "Wav2Vec2Features",
    "WhisperFeatures",
    "WhisperLogMel",
]
