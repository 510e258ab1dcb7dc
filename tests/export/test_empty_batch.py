"""A SavedModel serves an empty batch on every backend that writes one (issue 16: 6).

jax2tf's shape polymorphism assumes each symbolic dimension is >= 1; the JAX SavedModel used to
fail on a batch of 0 ("Module shape refinement failed ... Expected value >= 1").
"""

import keras
import numpy as np
import pytest

from audioflow.export import export_model, formats_for_backend, load_exported
from audioflow.layers import LogMelSpectrogram
from tests.helpers import to_numpy


@pytest.mark.skipif("saved_model" not in formats_for_backend(), reason="this backend writes no SavedModel")
def test_saved_model_serves_batches_of_0_1_and_8(tmp_path):
    inputs = keras.Input((4000,))
    model = keras.Model(
        inputs, LogMelSpectrogram(sample_rate=8000, n_fft=256, hop_length=128, n_mels=16)(inputs)
    )
    run = load_exported(export_model(model, tmp_path / "logmel", "saved_model"), "saved_model")
    for batch in (0, 1, 8):
        x = np.random.default_rng(batch).standard_normal((batch, 4000)).astype(np.float32)
        got = run(x)
        assert got.shape == (batch, 32, 16) and got.dtype == np.float32
        if batch:
            np.testing.assert_allclose(got, to_numpy(model(x)), atol=1e-3)
