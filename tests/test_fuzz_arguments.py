"""Seeded fuzz of every layer's constructor arguments (issue 8, "Tests").

Each case passes a random subset of a layer's arguments, mixing valid values (including NumPy
scalars and Fractions) and invalid ones (wrong types, NaN, inf, negative, huge, strings). Every
rejection must be a ParameterError in the standard format naming an argument that was passed;
every case holding an invalid value must be rejected; every accepted construction must build,
run on a short input, and give finite output of the shape ``compute_output_shape`` reports.

To fuzz a new layer, add an entry to ``FUZZ_SPECS`` (the coverage test lists what is missing).
"""

from __future__ import annotations

import dataclasses
import os
import re
import warnings
from fractions import Fraction

import numpy as np
import pytest

from audioflow import ParameterError, layers
from tests.helpers import to_numpy

NAN, INF = float("nan"), float("inf")
#: Constructions per layer (AUDIOFLOW_FUZZ_CASES=300 for a longer run; the default keeps the file
#: near 30 s per backend: constructing a Keras layer costs milliseconds).
CASES_PER_LAYER = int(os.environ.get("AUDIOFLOW_FUZZ_CASES", "120"))
#: Accepted constructions also run per layer; AUDIOFLOW_FUZZ_RUNS=0 runs every one.
RUNS_PER_LAYER = int(os.environ.get("AUDIOFLOW_FUZZ_RUNS", "10")) or CASES_PER_LAYER
INVALID_PROBABILITY = 0.12
_ERROR_FORMAT = re.compile(r"^`(\w+)` must be .+\. Received: .+\.")


@dataclasses.dataclass(frozen=True)
class Pool:
    valid: tuple
    invalid: tuple


def pool(valid, invalid):
    return Pool(tuple(valid), tuple(invalid))


STFT_ARGUMENTS = {
    "n_fft": pool(
        [16, 64, 100, 256, 400, 512, 1024, np.int64(256), np.int16(512), np.uint16(128)],
        [0, 1, -512, 512.0, "512", None, True, NAN, 2**40, np.float64(256.0), [512]],
    ),
    "win_length": pool([None, 16, 50, 200, np.int32(64)], [0, -1, 1.5, "a", INF, True]),
    "hop_length": pool([None, 4, 64, 160, 333, 10**6, np.int64(100)], [0, -64, 2.5, "64", 10**12, NAN]),
    "window": pool(
        [
            "hann",
            "hamming",
            "blackmanharris",
            "flattop",
            ("kaiser", 8.0),
            ("tukey", 0.25),
            14.0,
            np.str_("hann"),
        ],
        ["hanning", ("kaiser", NAN), ("kaiser", INF), None, ("hann", 3.0), [None, None], 1 + 2j, "", NAN],
    ),
    "center": pool([True, False, np.bool_(True)], ["yes", 1, None, 0.0]),
    "pad_mode": pool(
        ["constant", "reflect", "edge", "symmetric", "wrap", np.str_("reflect")],
        ["mean", "", None, 3, "Reflect"],
    ),
}
POWER = {
    "power": pool([1.0, 2.0, 0.5, 3, np.float32(2.0), Fraction(3, 2)], [0, -1.0, NAN, INF, "2", None, True])
}
MEL_ARGUMENTS = {
    "sample_rate": pool(
        [8000, 16000, 22050, 44100.0, np.int64(16000), np.float32(22050)],
        [0, -8000, NAN, INF, "16000", None, True],
    ),
    "n_mels": pool([1, 10, 40, 128, np.int64(64)], [0, -5, 40.0, 10**7, "40", None]),
    "f_min": pool([0.0, 20, 50.0, np.float32(30.0), Fraction(25, 2)], [-1.0, NAN, INF, "0", None]),
    "f_max": pool([None, 4000.0, 3999, np.float64(3000.0)], [0.0, -100.0, NAN, INF, 1e9, "8000"]),
    "htk": pool([None, True, False, np.bool_(False)], ["htk", 1]),
    "mel_scale": pool(["slaney", "htk", np.str_("htk")], ["HTK", None, 1, "mel"]),
    "norm": pool(
        ["slaney", None, 1, 2.0, np.inf, np.float64(2.0)], ["area", 0, -1.0, NAN, np.array([1.0, 2.0]), True]
    ),
}
DB_COMMON = {
    "top_db": pool([80.0, 40, None, 0.0, np.float32(60.0), 1e6], [-1.0, NAN, INF, "80"]),
    "ref": pool(
        [1.0, "max", 1e-3, 1e200, np.float64(2.0), np.str_("max")],
        [0.0, -1.0, NAN, INF, "min", None, np.array([1.0, 2.0])],
    ),
}
POWER_AMIN = pool([1e-10, 1e-30, 1e3, np.float32(1e-8)], [0, -1e-10, NAN, INF, 1e39, 1e-45, "1e-10", None])
#: ``amin=None`` is the layer's default.
POWER_AMIN_OR_NONE = pool((None, *POWER_AMIN.valid), [v for v in POWER_AMIN.invalid if v is not None])
AMPLITUDE_AMIN = pool([None, 1e-5, 1e-10, 1e15, np.float32(1e-4)], [0, -1e-5, NAN, 1e20, 1e-20, "1e-5"])
MFCC_ARGUMENTS = {
    "n_mfcc": pool([1, 13, 20, np.int64(13)], [0, -13, 13.5, "13", None]),
    "dct_type": pool([1, 2, 3, np.int64(2)], [0, 4, 2.0, "2", None]),
    "dct_norm": pool(["ortho", None, np.str_("ortho")], ["forward", 1, "Ortho"]),
    "lifter": pool([0.0, 22, 1e3, np.float32(22.0)], [-1.0, NAN, INF, "22", None]),
}
DELTA_ARGUMENTS = {
    "width": pool([3, 5, 9, np.int64(9)], [1, 2, 4, 9.0, -9, 10**7, "9", None]),
    "order": pool([1, 2, 3, np.int64(1)], [0, -1, 1.5, "1", None]),
}
ISTFT_ARGUMENTS = {
    **{name: STFT_ARGUMENTS[name] for name in ("n_fft", "win_length", "window", "center")},
    # (overlap-add loops over n_fft / hop_length blocks: no tiny hops, to stay fast)
    "hop_length": pool([None, 64, 160, 333, 10**6, np.int64(100)], [0, -64, 2.5, "64", 10**12, NAN]),
    "length": pool([None, 100, 1000, np.int64(500)], [-1, 1.5, "100", 10**12]),
}

RANGE = pool(
    [(5.0, 40.0), (0, 0), [10, 20], (np.float32(3.0), 30)],
    [(40.0, 5.0), (NAN, 1.0), 5.0, "5", (1, 2, 3), None],
)
SEED = {"seed": pool([None, 0, 42, np.int64(7)], ["0", 1.5, NAN])}
SPEC_AUGMENT_ARGUMENTS = {
    "freq_mask_param": pool([0, 3, 16, np.int64(2)], [-1, 1.5, "3", None]),
    "n_freq_masks": pool([0, 1, 2], [-1, 1.0, None]),
    "time_mask_param": pool([0, 3, 24], [-1, 2.5, "3"]),
    "n_time_masks": pool([0, 1, 2], [-2, "1"]),
    "time_mask_max_ratio": pool([0.0, 0.5, 1.0, np.float32(0.25)], [1.5, -0.1, NAN, "1"]),
    "time_warp_param": pool([0, 2, 5], [-1, 2.5, "2"]),
    "mask_value": pool(["mean", "zero", np.str_("zero")], ["max", None, 0]),
}

DESCRIPTOR_STFT = {
    "n_fft": pool([256, 400, 512, 1024, np.int64(512)], [0, -512, 512.0, "512", None, NAN]),
    **{name: STFT_ARGUMENTS[name] for name in ("win_length", "window", "center")},
    "hop_length": pool([64, 160, 512, np.int64(100)], [0, -64, 2.5, "64", NAN]),
    "pad_mode": pool(["constant", "edge"], ["mirror", None]),
}
DESCRIPTOR_RATE = pool([8000, 22050, np.float32(16000.0)], [0, -1, NAN, "22050", None])
FRAME_ARGUMENTS = {
    "frame_length": pool([64, 256, 511, np.int64(128)], [0, -1, 2.5, "64", None]),
    "hop_length": pool([16, 64, 500, np.int64(100)], [0, -64, 2.5, "64", NAN]),
    "center": pool([True, False], ["yes", None]),
}
RESAMPLE_ARGUMENTS = {
    "sample_rate": pool([8000, 16000, 44100, np.int64(22050)], [0, -8000, 8000.5, "8000", None, NAN]),
    "target_sample_rate": pool([8000, 16000, 48000, np.int64(16000)], [0, -1, 1.5, "16000", None]),
    "quality": pool([None, "default", "kaiser_fast"], ["best", 1]),
    "lowpass_filter_width": pool([1, 6, 16], [0, -6, 6.5, "6", None]),
    "rolloff": pool([0.5, 0.99, 1.0, np.float32(0.9)], [0.0, 1.5, -0.1, NAN, "0.99"]),
    "method": pool(["sinc_interp_hann", "sinc_interp_kaiser"], ["kaiser", None, 1]),
    "beta": pool([None, 0.0, 8.6, np.float64(14.0)], [-1.0, NAN, "8"]),
}

CQT_ARGUMENTS = {
    "sample_rate": pool([22050, np.float32(16000.0), 44100], [0, -1, NAN, "22050", None]),
    "hop_length": pool([512, 100, np.int64(256)], [0, -64, 2.5, "64", NAN]),
    "fmin": pool([32.70319566257483, 55, np.float32(110.0)], [0, -1.0, NAN, INF, "55"]),
    "n_bins": pool([12, 36, 84, np.int64(30)], [0, -12, 12.5, "84", None]),
    "bins_per_octave": pool([12, 24, np.int64(36)], [0, -12, 12.5, "12", None]),
    "tuning": pool([0.0, -0.3, np.float32(0.2)], [NAN, INF, "0"]),
    "filter_scale": pool([1.0, 0.5, 2], [0, -1.0, NAN, "1"]),
    "norm": pool([1, 2.0, np.inf, None], [0, -1, "l1"]),
    "sparsity": pool([0.01, 0.0, 0.5], [-0.1, 1.0, NAN, "0.01"]),
    "window": pool(["hann", "hamming", ("kaiser", 8.0)], ["nope", None, 3j]),
    "scale": pool([True, False], ["yes", None]),
    "pad_mode": pool(["constant", "reflect"], ["mean", None]),
    "output": pool(["magnitude", "complex"], ["power", None, 1]),
}
WAVEFORM = (2, 1100)
SPECTRUM = (2, 12, 9)


@dataclasses.dataclass(frozen=True)
class Spec:
    arguments: dict
    #: The input shape, or a function of the constructor arguments giving it.
    input_shape: object = WAVEFORM
    #: Arguments whose joint constraints another argument's error may name (e.g. hop_length's default).
    related: tuple = ()
    #: How to call the layer (augmentation layers are exercised with training=True).
    training: bool | None = None
    #: Non-negative input (spectra for dB layers).
    positive: bool = False
    #: Arguments without a default, always passed (valid values drawn like the others).
    required: dict = dataclasses.field(default_factory=dict)
    #: Chance that a passed argument takes an invalid value (higher for layers with one argument,
    #: so that enough of their cases are rejections).
    invalid_probability: float = INVALID_PROBABILITY


def _istft_input(kwargs):
    return (2, 6, int(kwargs.get("n_fft", 2048)) // 2 + 1, 2)


def _mel_scale_input(kwargs):
    return (2, 7, int(kwargs.get("n_fft", 2048)) // 2 + 1)


KALDI_FRAMING = {
    "frame_length": pool([25.0, 32, 20.0, np.float32(25.0)], [0, -1.0, NAN, INF, "25", None]),
    "frame_shift": pool([10.0, 12.5, 5, np.float64(10.0)], [0, -10.0, NAN, "10", None]),
    "window_type": pool(["povey", "hanning", "hamming", "rectangular", "blackman"], ["hann", "", None, 1]),
    "snip_edges": pool([True, False, np.bool_(True)], ["yes", 1, None]),
    "dither": pool([0.0, 1.0, 0.5], [-1.0, NAN, "1"]),
    "preemphasis_coefficient": pool([0.0, 0.97, 1.0], [-0.1, 1.5, NAN, "0.97"]),
    "energy_floor": pool([0.0, 1.0, 10.0], [-1.0, NAN, INF]),
    "subtract_mean": pool([True, False], ["no", None]),
    "seed": pool([None, 0, 7], ["x", 1.5]),
}
KALDI_MEL = {
    "num_mel_bins": pool([23, 40, 80, np.int64(64)], [0, 3, -1, 40.0, "40", None]),
    "use_energy": pool([True, False], ["yes", None]),
    "htk_compat": pool([True, False], [1, None]),
}

MEL_LAYER = {**STFT_ARGUMENTS, **POWER, **MEL_ARGUMENTS, "trainable_filterbank": pool([True, False], [])}
MEL_RELATED = ("hop_length", "f_min", "htk", "mel_scale")
FUZZ_SPECS = {
    "KaldiSpectrogram": Spec(KALDI_FRAMING),
    "KaldiFbank": Spec({**KALDI_FRAMING, **KALDI_MEL, "use_log_fbank": pool([True, False], ["x"])}),
    "KaldiMFCC": Spec(
        {**KALDI_FRAMING, **KALDI_MEL, "num_ceps": pool([1, 13, 23], [0, -1, 10**6, "13"])},
        related=("num_mel_bins",),
    ),
    "WhisperLogMel": Spec(
        {"n_mels": pool([80, 128, np.int64(80)], [64, 0, "80", None])}, invalid_probability=0.4
    ),
    "WhisperFeatures": Spec({"n_mels": pool([80, 128], [40, None])}, invalid_probability=0.4),
    "ASTFeatures": Spec(
        {
            "max_length": pool([1, 16, 1024], [0, -1, 2.5, "16"]),
            "num_mel_bins": pool([64, 128], [3, 0, "128"]),
            "mean": pool([-4.2677393, 0.0], [NAN, INF, "0"]),
            "std": pool([4.5689974, 1.0], [0.0, -1.0, NAN]),
        }
    ),
    "Wav2Vec2Features": Spec(
        {"epsilon": pool([1e-7, 0.0, 1e-5], [-1.0, NAN, "1e-7"])}, invalid_probability=0.4
    ),
    "STFT": Spec(STFT_ARGUMENTS, related=("hop_length",)),
    "InverseSTFT": Spec(ISTFT_ARGUMENTS, input_shape=_istft_input, related=("hop_length",)),
    "Spectrogram": Spec({**STFT_ARGUMENTS, **POWER}, related=("hop_length",)),
    "MelScale": Spec(
        {
            **{k: v for k, v in MEL_ARGUMENTS.items()},
            "n_fft": STFT_ARGUMENTS["n_fft"],
            "trainable": pool([True, False], []),
        },
        input_shape=_mel_scale_input,
        related=MEL_RELATED,
        positive=True,
    ),
    "MelSpectrogram": Spec(MEL_LAYER, related=MEL_RELATED),
    "LogMelSpectrogram": Spec({**MEL_LAYER, **DB_COMMON, "amin": POWER_AMIN_OR_NONE}, related=MEL_RELATED),
    "MFCC": Spec(
        {**MEL_LAYER, **DB_COMMON, "amin": POWER_AMIN_OR_NONE, **MFCC_ARGUMENTS},
        related=(*MEL_RELATED, "n_mfcc", "n_mels"),
    ),
    "PowerToDb": Spec(
        {
            **DB_COMMON,
            "amin": pool((None, *POWER_AMIN.valid), [v for v in POWER_AMIN.invalid if v is not None]),
        },
        input_shape=SPECTRUM,
        positive=True,
    ),
    "AmplitudeToDb": Spec({**DB_COMMON, "amin": AMPLITUDE_AMIN}, input_shape=SPECTRUM, positive=True),
    "Delta": Spec(DELTA_ARGUMENTS, input_shape=SPECTRUM),
    "AddNoise": Spec(
        {"snr_db": RANGE, "color": pool(["white", "pink"], ["blue", None, 1]), **SEED}, training=True
    ),
    "RandomGain": Spec({"gain_db": RANGE, **SEED}, training=True),
    "RandomTimeShift": Spec(
        {
            "max_shift": pool([0.0, 0.01, 0.1, 1, np.float32(0.05)], [-0.1, NAN, INF, "0.1"]),
            "sample_rate": pool([8000, 22050, np.int64(16000)], [0, -1, NAN, "x"]),
            "mode": pool(["roll", "zeros"], ["wrap", None]),
            **SEED,
        },
        training=True,
    ),
    "SpectralCentroid": Spec(
        {**DESCRIPTOR_STFT, "sample_rate": MEL_ARGUMENTS["sample_rate"]}, related=("hop_length",)
    ),
    "SpectralBandwidth": Spec(
        {
            **DESCRIPTOR_STFT,
            "p": pool([1, 2.0, 3, np.float32(1.5)], [0, -1, NAN, "2", None]),
            "norm": pool([True, False], ["yes", None]),
        },
        related=("hop_length",),
    ),
    "SpectralRolloff": Spec(
        {
            **DESCRIPTOR_STFT,
            "roll_percent": pool([0.1, 0.85, np.float64(0.5)], [0, 1, 1.5, -0.2, NAN, "0.8"]),
        },
        related=("hop_length",),
    ),
    "SpectralFlatness": Spec(
        {
            **DESCRIPTOR_STFT,
            "amin": pool([1e-10, 1e-5, np.float32(1e-8)], [0, -1e-10, NAN, "1e-10"]),
            "power": POWER["power"],
        },
        related=("hop_length",),
    ),
    "SpectralContrast": Spec(
        {
            **DESCRIPTOR_STFT,
            "sample_rate": pool([22050, 44100, np.int64(32000)], [0, -1, NAN, "22050", None]),
            "fmin": pool([100.0, 200, np.float32(150.0)], [0, -200, NAN, 1e6, "200"]),
            "n_bands": pool([1, 3, 6, np.int64(4)], [0, -1, 2.5, "6", None]),
            "quantile": pool([0.02, 0.5, np.float64(0.1)], [0, 1.0, -0.1, NAN, "0.02"]),
            "linear": pool([True, False], ["no", None]),
        },
        related=("hop_length", "fmin", "n_bands", "n_fft"),
    ),
    "RMS": Spec(
        {
            **FRAME_ARGUMENTS,
            "pad_mode": pool(["constant", "reflect", "edge"], ["mirror", None, 1]),
        }
    ),
    "ZeroCrossingRate": Spec(
        {
            **FRAME_ARGUMENTS,
            "threshold": pool([0.0, 1e-10, 0.01], [-1.0, NAN, "0"]),
            "ref_magnitude": pool([None, 0.5, 2], [-1, NAN, "1"]),
            "zero_pos": pool([True, False], ["x", None]),
            "pad": pool([True, False], [1.5, None]),
        }
    ),
    "ChromaSTFT": Spec(
        {
            **DESCRIPTOR_STFT,
            "sample_rate": DESCRIPTOR_RATE,
            "tuning": pool([0.0, -0.3, np.float32(0.2)], [NAN, INF, "0"]),
            "n_chroma": pool([12, 24, np.int64(7)], [0, -12, 12.5, "12"]),
            "norm": pool([np.inf, 1, 2.0, None], [0, -1, "inf"]),
            "octwidth": pool([None, 1.0, 2], [0, -2, NAN]),
            "base_c": pool([True, False], ["C", None]),
        },
        related=("hop_length",),
    ),
    "CQT": Spec(CQT_ARGUMENTS, related=("n_bins",)),
    "VQT": Spec(
        {**CQT_ARGUMENTS, "gamma": pool([None, 0.0, 5, np.float32(2.5)], [-1.0, NAN, INF, "0"])},
        related=("n_bins",),
    ),
    "LFCC": Spec(
        {
            "sample_rate": pool([8000, 16000, np.int64(22050)], [0, -1, NAN, "16000", None]),
            "n_filter": pool([20, 40, 128, np.int64(64)], [0, -1, 40.5, "40", None]),
            "n_lfcc": pool([1, 13, 20], [0, -1, 10**4, "13", None]),
            "f_min": pool([0.0, 50, np.float32(20.0)], [-1.0, NAN, "0"]),
            "log_lf": pool([True, False], ["yes", None]),
            "top_db": pool([None, 80.0, 40], [-1.0, NAN, "80"]),
            "n_fft": pool([256, 400, 512, np.int64(400)], [0, -400, "400", None, NAN]),
            "pad_mode": pool(["reflect", "constant"], ["mirror", None]),
        },
        related=("hop_length", "n_filter", "n_lfcc", "f_max", "f_min", "n_fft"),
    ),
    "GriffinLim": Spec(
        {
            "n_fft": pool([64, 128, 255, np.int64(128)], [0, 1, -128, "128", None]),
            "hop_length": pool([None, 16, 32], [0, -16, 2.5, "16"]),
            "n_iter": pool([0, 1, 3], [-1, 2.5, "3", None]),
            "momentum": pool([0.0, 0.5, 0.99], [-0.1, 1.0, 1.5, NAN, "0.99"]),
            "init": pool(["random", None], ["zeros", 0]),
            "length": pool([None, 100, 500], [-1, 1.5, "100"]),
            **SEED,
        },
        input_shape=lambda kwargs: (2, 6, int(kwargs.get("n_fft", 2048)) // 2 + 1),
        positive=True,
    ),
    "InverseMelScale": Spec(
        {
            "sample_rate": pool([8000, 16000, np.int64(22050)], [0, -1, NAN, "16000", None]),
            "n_fft": pool([256, 512, np.int64(400)], [0, -512, "512", None]),
            "n_mels": pool([8, 20, np.int64(16)], [0, -5, 8.5, "8", None]),
            "power": pool([1.0, 2.0, np.float32(2.0)], [0, -1, NAN, "2"]),
            "n_iter": pool([0, 5, 20], [-1, 2.5, "5"]),
        },
        input_shape=lambda kwargs: (2, 7, int(kwargs.get("n_mels", 128))),
        positive=True,
        related=("f_min", "f_max", "n_fft"),
    ),
    "Resample": Spec(
        RESAMPLE_ARGUMENTS,
        required={name: RESAMPLE_ARGUMENTS[name] for name in ("sample_rate", "target_sample_rate")},
    ),
    "RandomSpeed": Spec(
        {
            "sample_rate": pool([8000, 16000, np.int64(22050)], [0, -1, 16000.5, "16000", None]),
            "factors": pool([(0.9, 1.0, 1.1), [1.0], (0.5, 2.0)], [(), (0.0,), (-1.0, 1.0), "fast", 1.1]),
            **SEED,
        },
        required={"sample_rate": pool([8000, 16000], [])},
        training=True,
    ),
    "SpecAugment": Spec(SPEC_AUGMENT_ARGUMENTS | SEED, input_shape=(2, 24, 16), training=True),
    "PCEN": Spec(
        {
            "sample_rate": pool([8000, 22050, np.int64(16000)], [0, -1, NAN, "x"]),
            "hop_length": pool([64, 512, np.int64(256)], [0, -1, 1.5, "512"]),
            "gain": pool([0.98, 0.5], [NAN, "x"]),
            "power": pool([0.5, 0.25], [NAN, "x"]),
            "time_constant": pool([0.4, 0.06], [0, -1.0, NAN]),
            "eps": pool([1e-6, 1e-3], [0, NAN]),
            "trainable": pool([True, False], []),
        },
        input_shape=SPECTRUM,
        positive=True,
    ),
    "Leaf": Spec(
        {
            "n_filters": pool([10, 40, np.int64(20)], [0, -1, 1.5, "40"]),
            "sample_rate": pool([16000, 8000], [0, NAN, "x"]),
            "learn_filters": pool([True, False], []),
            "learn_pooling": pool([True, False], []),
            "learn_pcen": pool([True, False], []),
        }
    ),
    "Mixup": Spec(
        {"alpha": pool([0.2, 1, 0.01, np.float32(0.4)], [0, -0.2, NAN, INF, "0.2", None]), **SEED},
        training=True,
    ),
}


def _cases(spec: Spec, rng: np.random.Generator):
    names = list(spec.arguments)
    for _ in range(CASES_PER_LAYER):
        kwargs = {
            name: values.valid[rng.integers(len(values.valid))] for name, values in spec.required.items()
        }
        invalid = []
        for name in names:
            if rng.random() < 0.5 and name not in spec.required:
                continue
            choices = spec.arguments[name]
            bad = bool(choices.invalid) and rng.random() < spec.invalid_probability
            values = choices.invalid if bad else choices.valid
            kwargs[name] = values[rng.integers(len(values))]
            if bad:
                invalid.append(name)
        yield kwargs, invalid


def _input(spec: Spec, kwargs, rng):
    shape = spec.input_shape(kwargs) if callable(spec.input_shape) else spec.input_shape
    data = rng.standard_normal(shape).astype(np.float32) * 0.1
    return np.abs(data) if spec.positive else data


def _run(layer, spec: Spec, x, rng):
    """Outputs and the shapes ``compute_output_shape`` promises, as lists."""
    if isinstance(layer, layers.Mixup):  # a batch of (x, one-hot y)
        y = np.eye(3, dtype=np.float32)[rng.integers(3, size=len(x))]
        outputs = layer((x, y), training=True)
        return [to_numpy(o) for o in outputs], [x.shape, y.shape]
    output = layer(x) if spec.training is None else layer(x, training=spec.training)
    return [to_numpy(output)], [layer.compute_output_shape(x.shape)]


def test_every_public_layer_is_fuzzed():
    missing = sorted(set(layers.__all__) - set(FUZZ_SPECS))
    assert not missing, f"add {missing} to FUZZ_SPECS in tests/test_fuzz_arguments.py"


@pytest.mark.parametrize("name", sorted(FUZZ_SPECS))
def test_constructor_fuzz(name):
    spec = FUZZ_SPECS[name]
    layer_class = getattr(layers, name)
    rng = np.random.default_rng(sum(map(ord, name)))
    accepted = rejected = 0
    for kwargs, invalid in _cases(spec, rng):
        context = f"{name}({kwargs!r})"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # empty mel filters warn, as librosa
                layer = layer_class(**kwargs)
        except ParameterError as error:
            match = _ERROR_FORMAT.match(str(error))
            assert match, f"{context}: message not in the standard format: {error}"
            assert match.group(1) in set(kwargs) | set(spec.related), f"{context}: names {match.group(1)!r}"
            rejected += 1
            continue
        except Exception as error:  # noqa: BLE001 - any other exception is the failure being tested
            pytest.fail(f"{context}: {type(error).__name__} instead of ParameterError: {error}")
        assert not invalid, f"{context}: accepted although {invalid} are invalid"
        accepted += 1
        if accepted > RUNS_PER_LAYER:
            continue
        x = _input(spec, kwargs, rng)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # empty mel filters warn when the filterbank is built
                outputs, shapes = _run(layer, spec, x, rng)
        except ParameterError as error:  # a static input shape the layer cannot take (build)
            match = _ERROR_FORMAT.match(str(error))
            assert match and match.group(1) in {"inputs", *kwargs}, f"{context}: {error}"
            continue
        except Exception as error:  # noqa: BLE001
            pytest.fail(f"{context}: running raised {type(error).__name__}: {error}")
        for output, shape in zip(outputs, shapes, strict=True):
            expected = tuple(int(d) for d in shape)
            assert output.shape == expected, (
                f"{context}: output {output.shape}, compute_output_shape {expected}"
            )
            assert np.all(np.isfinite(output)), f"{context}: non-finite output"
    assert accepted >= CASES_PER_LAYER // 20 and rejected >= CASES_PER_LAYER // 20, (accepted, rejected)
