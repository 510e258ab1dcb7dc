"""Misspelt and other libraries' keywords: every line marked ``# flagged`` is a type error (tests/typing)."""

from __future__ import annotations

import numpy as np

from audioflow import layers, ops
from audioflow.config import MelConfig, StftConfig

x = np.zeros((1, 16000), "float32")

layers.LogMelSpectrogram(sample_rte=16000)  # flagged
layers.MFCC(n_mfc=13)  # flagged
layers.MelSpectrogram(sr=16000)  # flagged
layers.MelSpectrogram(num_mel_bins=40)  # flagged
layers.STFT(n_fftt=512)  # flagged
layers.Spectrogram(fft_length=512)  # flagged
layers.MelScale(fmin=20.0)  # flagged
layers.PowerToDb(top_dB=80.0)  # flagged
layers.Delta(widht=9)  # flagged
layers.PCEN(sr=16000)  # flagged
layers.Leaf(num_filters=40)  # flagged
layers.SpecAugment(freq_mask=8)  # flagged
layers.RandomGain(gain=(-3.0, 3.0))  # flagged
layers.Mixup(alpha=0.2, seeds=1)  # flagged
layers.InverseSTFT(pad_mode="constant")  # flagged
ops.stft(x, hop_lenght=128)  # flagged
ops.spectrogram(x, sequence_stride=128)  # flagged
ops.melspectrogram(x, sr=16000)  # flagged
ops.log_mel_spectrogram(x, fmax=8000.0)  # flagged
ops.mfcc(x, n_mfccs=13)  # flagged
ops.istft((x, x), pad_mode="reflect")  # flagged
ops.power_to_db(x, topdb=80.0)  # flagged
ops.delta(x, widht=9)  # flagged
StftConfig(hop=128)  # flagged
MelConfig(sr=16000)  # flagged
