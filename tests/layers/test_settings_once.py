"""One settings path: a layer validates its settings once, in ``__init__``; calling it checks
nothing again (the ops it calls take the resolved settings), while a public op validates per call."""

from __future__ import annotations

import numpy as np
import pytest

from audioflow import layers
from audioflow import ops as af
from audioflow._validation import spectral

CHECKS = ("check_stft_args", "check_mel_args", "check_db_args", "check_mfcc_args", "check_delta_args")


@pytest.fixture
def calls(monkeypatch):
    """Counts of the settings checks made while the test runs (the checks still run)."""
    import audioflow.config
    import audioflow.layers.features
    import audioflow.layers.scaling
    import audioflow.ops.features
    import audioflow.ops.filters
    import audioflow.ops.scaling

    counts = dict.fromkeys(CHECKS, 0)
    modules = (
        audioflow.config,
        audioflow.layers.features,
        audioflow.layers.scaling,
        audioflow.ops.features,
        audioflow.ops.filters,
        audioflow.ops.scaling,
    )
    for name in CHECKS:
        check = getattr(spectral, name)

        def counted(*args, _check=check, _name=name, **kwargs):
            counts[_name] += 1
            return _check(*args, **kwargs)

        for module in modules:
            if hasattr(module, name):
                monkeypatch.setattr(module, name, counted)
    return counts


def _layers():
    mel = dict(sample_rate=8000, n_fft=256, hop_length=64, n_mels=16)
    return [
        layers.STFT(n_fft=256, hop_length=64),
        layers.Spectrogram(n_fft=256, power=1.0),
        layers.MelSpectrogram(**mel),
        layers.LogMelSpectrogram(**mel),
        layers.MFCC(n_mfcc=8, **mel),
    ]


def test_calling_a_layer_validates_nothing_again(calls):
    x = np.random.default_rng(0).standard_normal((2, 2000)).astype("float32")
    built = _layers()
    assert calls["check_stft_args"] >= len(built)  # each validated its settings when constructed
    for layer in built:
        layer(x)  # build (the filterbank from the validated settings) and a first call
    delta, to_db = layers.Delta(width=5), layers.PowerToDb(top_db=40.0)
    spectrum = np.abs(x[:, :1600].reshape(2, 20, 80))
    delta(spectrum), to_db(spectrum)
    before = dict(calls)
    for layer in built:
        layer(x)
    delta(spectrum), to_db(spectrum)
    assert calls == before


def test_a_public_op_validates_once_per_call(calls):
    x = np.zeros((1, 2000), "float32")
    af.log_mel_spectrogram(x, sample_rate=8000, n_fft=256, n_mels=16)
    assert (calls["check_stft_args"], calls["check_mel_args"], calls["check_db_args"]) == (1, 1, 1)
    af.stft(x, n_fft=256)
    af.power_to_db(np.ones((1, 4, 4), "float32"))
    assert (calls["check_stft_args"], calls["check_db_args"]) == (2, 2)
