"""``torch.compile`` of the feature layers: one graph, no recompiles, first call inside the compiler.

Dynamo only (``backend="eager"``): graph capture, breaks and guards are what failed; Inductor's
code generation adds minutes on a CPU and nothing these tests check.
"""

from __future__ import annotations

import numpy as np
import pytest

from audioflow import layers
from tests.helpers import BACKEND, to_numpy

pytestmark = [
    pytest.mark.skipif(BACKEND != "torch", reason="torch.compile is the PyTorch backend's compiler"),
    pytest.mark.filterwarnings("ignore:Dynamo detected a call to a `functools.lru_cache`"),
]

SR, N_FFT, HOP = 8000, 128, 64
STFT_ARGS = dict(n_fft=N_FFT, hop_length=HOP)
MEL_ARGS = dict(sample_rate=SR, n_mels=12, **STFT_ARGS)

LAYERS = {
    "STFT": (lambda: layers.STFT(**STFT_ARGS), (2, 1000)),
    "STFT reflect": (lambda: layers.STFT(pad_mode="reflect", window="hamming", **STFT_ARGS), (2, 1000)),
    "InverseSTFT": (lambda: layers.InverseSTFT(length=1000, **STFT_ARGS), (2, 16, N_FFT // 2 + 1, 2)),
    "Spectrogram": (lambda: layers.Spectrogram(power=1.0, **STFT_ARGS), (2, 1000)),
    "MelScale": (lambda: layers.MelScale(sample_rate=SR, n_fft=N_FFT, n_mels=12), (2, 16, N_FFT // 2 + 1)),
    "MelSpectrogram": (lambda: layers.MelSpectrogram(**MEL_ARGS), (2, 1000)),
    "LogMelSpectrogram": (lambda: layers.LogMelSpectrogram(**MEL_ARGS), (2, 1000)),
    "LogMelSpectrogram channels": (lambda: layers.LogMelSpectrogram(ref="max", **MEL_ARGS), (2, 1000, 2)),
    "MFCC": (lambda: layers.MFCC(n_mfcc=5, **MEL_ARGS), (2, 1000)),
    "PowerToDb": (lambda: layers.PowerToDb(), (2, 16, 12)),
    "AmplitudeToDb": (lambda: layers.AmplitudeToDb(), (2, 16, 12)),
    "Delta": (lambda: layers.Delta(), (2, 16, 12)),
    "Delta nearest": (lambda: layers.Delta(mode="nearest", order=2), (2, 16, 12)),
    "Resample": (lambda: layers.Resample(sample_rate=SR, target_sample_rate=5000), (2, 1000)),
    "Resample channels": (lambda: layers.Resample(sample_rate=SR, target_sample_rate=16000), (2, 1000, 2)),
    "KaldiFbank": (lambda: layers.KaldiFbank(sample_frequency=SR, num_mel_bins=12), (2, 1000)),
    "KaldiMFCC reflect": (
        lambda: layers.KaldiMFCC(sample_frequency=SR, snip_edges=False, use_energy=True),
        (2, 1000),
    ),
    "KaldiSpectrogram": (lambda: layers.KaldiSpectrogram(sample_frequency=SR, subtract_mean=True), (2, 1000)),
    "WhisperLogMel": (lambda: layers.WhisperLogMel(), (2, 1000)),
}


@pytest.fixture(autouse=True)
def fresh_dynamo():
    import torch

    torch._dynamo.reset()
    yield
    torch._dynamo.reset()


def _inputs(shape):
    import torch

    return torch.as_tensor(np.random.default_rng(0).random(shape, dtype=np.float32))


@pytest.mark.parametrize("name", list(LAYERS))
def test_built_layer_compiles_to_one_graph_without_recompiles(name):
    import torch

    make, shape = LAYERS[name]
    layer, x = make(), _inputs(shape)
    expected = to_numpy(layer(x))
    # fullgraph=True raises on any graph break; the stance raises on any recompilation.
    compiled = torch.compile(lambda a: layer(a), backend="eager", fullgraph=True)
    first = compiled(x)
    with torch.compiler.set_stance("fail_on_recompile"):
        for _ in range(2):
            again = compiled(_inputs(shape) * 1.0)
        again = compiled(x)
    np.testing.assert_array_equal(to_numpy(first), expected)
    np.testing.assert_array_equal(to_numpy(again), expected)


@pytest.mark.parametrize("name", ["LogMelSpectrogram", "MFCC", "STFT"])
def test_first_call_inside_torch_compile_builds_the_layer(name):
    import torch

    make, shape = LAYERS[name]
    layer, x = make(), _inputs(shape)
    compiled = torch.compile(lambda a: layer(a), backend="eager")
    first = compiled(x)  # builds eagerly (NumPy filterbank, weights), then traces the built layer
    second = compiled(x)
    assert layer.built
    with torch.compiler.set_stance("fail_on_recompile"):
        third = compiled(x)
    expected = to_numpy(make()(x))
    for output in (first, second, third):
        np.testing.assert_array_equal(to_numpy(output), expected)
