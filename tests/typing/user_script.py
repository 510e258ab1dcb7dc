"""A user's script against audioflow's public API: type-checks with 0 errors (tests/typing)."""

from __future__ import annotations

import keras
import numpy as np

from audioflow import layers, ops
from audioflow.config import DecibelConfig, MelConfig, StftConfig

waveforms = np.zeros((2, 16000), "float32")

log_mel = layers.LogMelSpectrogram(sample_rate=16000, n_fft=512, hop_length=160, n_mels=40)
mfcc = layers.MFCC(sample_rate=16000, n_mfcc=13, n_mels=40, dct_norm=None, lifter=22.0, name="mfcc")
stft = layers.STFT(n_fft=512, hop_length=128, window=("kaiser", 8.0), pad_mode="reflect")
inverse = layers.InverseSTFT(n_fft=512, hop_length=128, length=16000)
spectrogram = layers.Spectrogram(n_fft=400, win_length=320, power=1.0, center=False)
mel_scale = layers.MelScale(sample_rate=16000, n_fft=512, n_mels=40, mel_scale="htk", trainable=True)
mel = layers.MelSpectrogram(sample_rate=16000, htk=True, norm=None, trainable_filterbank=True)
to_db = layers.PowerToDb(ref="max", top_db=60.0, dtype="float32")
amplitude = layers.AmplitudeToDb(amin=1e-4)
deltas = layers.Delta(width=5, order=2, mode="nearest")
pcen = layers.PCEN(sample_rate=16000, hop_length=160, initial_state="first_frame", trainable=True)
leaf = layers.Leaf(n_filters=40, sample_rate=16000, learn_pcen=False, trainable=False)
augment = [
    layers.SpecAugment(freq_mask_param=8, time_warp_param=5, seed=0),
    layers.RandomGain(gain_db=(-3.0, 3.0), seed=1),
    layers.AddNoise(snr_db=(10.0, 30.0), color="pink"),
    layers.RandomTimeShift(max_shift=0.05, sample_rate=16000, mode="zeros"),
]
mixup = layers.Mixup(alpha=0.4, seed=2)

inputs = keras.Input((16000,))
model = keras.Model(inputs, log_mel(inputs))

real, imag = ops.stft(waveforms, n_fft=512, hop_length=128)
power = ops.spectrogram(waveforms, n_fft=512, power=2.0)
signal = ops.istft((real, imag), n_fft=512, hop_length=128, length=16000)
features = ops.log_mel_spectrogram(waveforms, sample_rate=16000, n_mels=40, top_db=None)
mels = ops.melspectrogram(waveforms, sample_rate=16000, f_min=20.0, f_max=8000.0)
coefficients = ops.mfcc(features, n_mfcc=13)
db = ops.power_to_db(power, ref="max", amin=1e-10)
velocity = ops.delta(features, width=9, order=1)
normalised = ops.pcen(mels, sample_rate=16000, hop_length=512)
filterbank = ops.mel_filterbank(16000, 512, n_mels=40, mel_scale="htk")

settings = StftConfig(n_fft=512, hop_length=160)
frames: int = settings.resolved_hop_length
mel_settings = MelConfig(sample_rate=16000, n_mels=40, htk=True)
db_settings = DecibelConfig(ref="max", top_db=None)
