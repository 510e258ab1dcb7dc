"""Every audioflow layer passes Keras' own layer-conformance harness, on every backend.

The harness (``keras.src.testing.TestCase.run_layer_test``, via the quarantined
``tests.keras_conformance``) round-trips the config, builds, calls symbolically and eagerly, counts
weights, trains one compiled step and checks the ``mixed_float16`` output dtype.
"""

import numpy as np
import pytest

from audioflow import layers
from tests.keras_conformance import run_layer_test

MEL = dict(sample_rate=8000, n_fft=128, hop_length=32, n_mels=12)
SAMPLES = 1000  # 1 + 1000 // 32 = 32 frames

# (layer, arguments, input shape, expected output shape, trainable weights, non-trainable weights)
CASES = [
    (layers.STFT, dict(n_fft=128, hop_length=32), (2, SAMPLES), (2, 32, 65, 2), 0, 0),
    (
        layers.STFT,
        dict(n_fft=128, hop_length=32, pad_mode="reflect"),
        (2, SAMPLES, 2),
        (2, 32, 65, 2, 2),
        0,
        0,
    ),
    (layers.InverseSTFT, dict(n_fft=128, hop_length=32, length=SAMPLES), (2, 32, 65, 2), (2, SAMPLES), 0, 0),
    (layers.InverseSTFT, dict(n_fft=128, hop_length=32), (2, 32, 65, 3, 2), (2, 992, 3), 0, 0),
    (layers.Spectrogram, dict(n_fft=128, hop_length=32, power=1.0), (2, SAMPLES), (2, 32, 65), 0, 0),
    (
        layers.Spectrogram,
        dict(n_fft=128, win_length=100, center=False),
        (2, SAMPLES, 2),
        (2, 35, 65, 2),
        0,
        0,
    ),
    (layers.MelScale, dict(sample_rate=8000, n_fft=128, n_mels=12), (2, 32, 65), (2, 32, 12), 0, 1),
    (layers.MelScale, dict(n_fft=128, n_mels=12, trainable=True), (2, 32, 65, 2), (2, 32, 12, 2), 1, 0),
    (layers.MelSpectrogram, MEL, (2, SAMPLES), (2, 32, 12), 0, 1),
    (
        layers.MelSpectrogram,
        dict(MEL, mel_scale="htk", trainable_filterbank=True),
        (2, SAMPLES, 2),
        (2, 32, 12, 2),
        1,
        0,
    ),
    (layers.LogMelSpectrogram, dict(MEL, ref="max", top_db=60.0), (2, SAMPLES), (2, 32, 12), 0, 1),
    (layers.LogMelSpectrogram, dict(MEL, htk=True, norm=None), (2, SAMPLES, 2), (2, 32, 12, 2), 0, 1),
    (layers.MFCC, dict(MEL, n_mfcc=6, lifter=22.0), (2, SAMPLES), (2, 32, 6), 0, 1),
    (layers.MFCC, dict(MEL, n_mfcc=6, trainable_filterbank=True), (2, SAMPLES, 2), (2, 32, 6, 2), 1, 0),
    (layers.PowerToDb, dict(top_db=60.0), (2, 20, 12), (2, 20, 12), 0, 0),
    (layers.PowerToDb, dict(ref="max", amin=1e-8, top_db=None), (2, 20, 12, 2), (2, 20, 12, 2), 0, 0),
    (layers.AmplitudeToDb, dict(), (2, 20, 12), (2, 20, 12), 0, 0),
    (layers.AmplitudeToDb, dict(ref="max"), (2, 20, 12, 2), (2, 20, 12, 2), 0, 0),
    (layers.Delta, dict(), (2, 20, 12), (2, 20, 12), 0, 0),
    (layers.Delta, dict(width=5, order=2), (2, 20, 12, 2), (2, 20, 12, 2), 0, 0),
]


FEATURE_MODULES = ("spectral", "mel", "scaling", "features")


def test_every_feature_layer_is_covered():
    feature_layers = {
        name
        for name in layers.__all__
        if getattr(layers, name).__module__.rsplit(".", 1)[-1] in FEATURE_MODULES
    }
    assert len(feature_layers) == 10
    assert {case[0].__name__ for case in CASES} == feature_layers


@pytest.mark.parametrize(
    ("layer_cls", "kwargs", "input_shape", "output_shape", "trainable", "fixed"),
    CASES,
    ids=[f"{case[0].__name__}-{i}" for i, case in enumerate(CASES)],
)
def test_layer_passes_the_keras_conformance_harness(
    layer_cls, kwargs, input_shape, output_shape, trainable, fixed
):
    data = np.random.default_rng(0).standard_normal(input_shape).astype("float32")
    if layer_cls in (layers.PowerToDb, layers.AmplitudeToDb):
        data = np.abs(data)
    run_layer_test(
        layer_cls,
        kwargs,
        input_data=data,
        expected_output_shape=output_shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=trainable,
        expected_num_non_trainable_weights=fixed,
        expected_num_seed_generators=0,
        expected_num_losses=0,
        supports_masking=False,
        run_training_check=trainable > 0,
    )
