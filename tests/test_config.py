"""The validated settings in audioflow.config: defaults, resolution, every validation branch."""

import dataclasses

import numpy as np
import pytest

from audioflow import ParameterError
from audioflow.config import DecibelConfig, MelConfig, StftConfig

pytestmark = pytest.mark.backend_independent


def test_stft_defaults_are_librosas_and_resolve():
    config = StftConfig()
    assert (config.n_fft, config.hop_length, config.win_length) == (2048, None, None)
    assert (config.window, config.center, config.pad_mode) == ("hann", True, "constant")
    assert (config.resolved_win_length, config.resolved_hop_length) == (2048, 512)
    assert config.num_frames(22050) == 44 and config.num_frames(None) is None
    short = StftConfig(n_fft=512, win_length=400)
    assert (short.resolved_win_length, short.resolved_hop_length) == (400, 100)
    assert StftConfig(n_fft=512, hop_length=128, center=False).num_frames(1024) == 5
    assert short.op_kwargs() == dict(
        n_fft=512, hop_length=100, win_length=400, window="hann", center=True, pad_mode="constant"
    )


def test_configs_are_frozen_and_keyword_only():
    config = StftConfig(n_fft=512)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.n_fft = 1024
    with pytest.raises(TypeError):
        StftConfig(512)
    with pytest.raises(TypeError):
        MelConfig(22050)
    with pytest.raises(TypeError):
        DecibelConfig(1.0)


def test_numpy_scalars_become_python_values():
    config = StftConfig(n_fft=np.int64(512), hop_length=np.int16(128), pad_mode=np.str_("reflect"))
    assert type(config.n_fft) is int and type(config.hop_length) is int and type(config.pad_mode) is str
    assert config == StftConfig(n_fft=512, hop_length=128, pad_mode="reflect")
    mel = MelConfig(sample_rate=np.float32(16000), n_mels=np.int32(40), htk=np.bool_(True))
    assert type(mel.n_mels) is int and mel.mel_scale == "htk"
    assert DecibelConfig(ref=np.str_("max")).ref == "max"


def test_window_forms():
    assert StftConfig(n_fft=16, window=["kaiser", 8.0]).window == ("kaiser", 8.0)
    array = StftConfig(n_fft=16, window=np.hanning(16))
    assert isinstance(array.window, np.ndarray) and not array.window.flags.writeable
    assert array == StftConfig(n_fft=16, window=list(np.hanning(16)))
    assert array != StftConfig(n_fft=16, window=np.ones(16))
    assert hash(array) == hash(StftConfig(n_fft=16, window=np.hanning(16)))


def test_mel_defaults_scale_and_old_htk_flag():
    config = MelConfig()
    assert (config.sample_rate, config.n_fft, config.n_mels) == (22050, 2048, 128)
    assert (config.f_min, config.f_max, config.mel_scale, config.norm) == (0.0, None, "slaney", "slaney")
    assert config.resolved_f_max == 11025.0
    assert MelConfig(sample_rate=16000, f_max=4000.0).resolved_f_max == 4000.0
    assert MelConfig(htk=True).mel_scale == "htk"
    assert MelConfig(htk=False).mel_scale == "slaney"
    assert MelConfig(mel_scale="htk", htk=True).mel_scale == "htk"
    assert "htk" not in MelConfig(htk=True).to_dict()
    assert config.op_kwargs()["mel_scale"] == "slaney"


def test_decibel_defaults():
    config = DecibelConfig()
    assert (config.ref, config.amin, config.top_db) == (1.0, 1e-10, 80.0)
    assert DecibelConfig(ref="max", top_db=None).op_kwargs() == dict(ref="max", amin=1e-10, top_db=None)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: StftConfig(n_fft=1), r"`n_fft` must be an integer >= 2. Received: n_fft=1."),
        (lambda: StftConfig(n_fft=512.0), r"`n_fft` must be an integer. Received: n_fft=512.0."),
        (
            lambda: StftConfig(n_fft=512, win_length=1024),
            r"`win_length` must be <= `n_fft`. Received: win_length=1024, n_fft=512.",
        ),
        (
            lambda: StftConfig(win_length=0),
            r"`win_length` must be a positive integer. Received: win_length=0.",
        ),
        (
            lambda: StftConfig(hop_length=0),
            r"`hop_length` must be a positive integer. Received: hop_length=0.",
        ),
        (
            lambda: StftConfig(n_fft=4, win_length=3),
            r"`hop_length` must be a positive integer. Received: hop_length=None, win_length=3. "
            r"The default `win_length // 4` is 0",
        ),
        (lambda: StftConfig(window="hanning"), r"`window` must be a scipy.signal.get_window window"),
        (
            lambda: StftConfig(window=("gaussx", 1.0)),
            r"`window` must be a scipy.signal.get_window window. Received: window=\('gaussx', 1.0\)",
        ),
        (
            lambda: StftConfig(n_fft=16, window=np.ones(8)),
            r"`window` must be a window name or a real 1-D array of length",
        ),
        (lambda: StftConfig(center="yes"), r"`center` must be True or False. Received: center='yes'."),
        (lambda: StftConfig(pad_mode="zeros"), r"`pad_mode` must be one of 'constant', 'reflect'."),
        (lambda: MelConfig(sample_rate=0), r"`sample_rate` must be > 0.0. Received: sample_rate=0."),
        (lambda: MelConfig(n_mels=0), r"`n_mels` must be a positive integer. Received: n_mels=0."),
        (lambda: MelConfig(f_min=-1.0), r"`f_min` must be >= 0.0. Received: f_min=-1.0."),
        (
            lambda: MelConfig(sample_rate=16000, f_max=9000.0),
            r"`f_max` must be <= sample_rate / 2. Received: f_max=9000.0, sample_rate=16000.",
        ),
        (
            lambda: MelConfig(f_min=5000.0, f_max=4000.0),
            r"`f_min` must be < `f_max`. Received: f_min=5000.0, f_max=4000.0.",
        ),
        (lambda: MelConfig(norm="area"), r"`norm` must be \"slaney\", None or a positive number"),
        (lambda: MelConfig(mel_scale="kaldi"), r"`mel_scale` must be one of 'slaney', 'htk'."),
        (lambda: MelConfig(htk="yes"), r"`htk` must be True or False. Received: htk='yes'."),
        (
            lambda: MelConfig(mel_scale="htk", htk=False),
            r"`htk` must be True or None when `mel_scale=\"htk\"`. Received: htk=False, mel_scale='htk'.",
        ),
        (lambda: DecibelConfig(ref=0.0), r"`ref` must be a positive number or \"max\". Received: ref=0.0."),
        (lambda: DecibelConfig(ref="min"), r"`ref` must be a positive number or \"max\"."),
        (lambda: DecibelConfig(amin=0.0), r"`amin` must be > 0.0. Received: amin=0.0."),
        (lambda: DecibelConfig(top_db=-1.0), r"`top_db` must be >= 0.0. Received: top_db=-1.0."),
    ],
)
def test_every_invalid_value_is_a_parameter_error(make, message):
    with pytest.raises(ParameterError, match=message):
        make()
