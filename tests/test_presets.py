"""audioflow.presets against the transformers feature extractors they reproduce (built with their
default arguments; no downloads)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from audioflow import presets
from audioflow.errors import ParameterError
from tests.helpers import to_numpy
from tests.tolerances import KALDI_RTOL, relative_error

transformers = pytest.importorskip("transformers")


def _speech(batch: int, seconds: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    samples = int(seconds * 16000)
    t = np.arange(samples) / 16000
    f0 = rng.uniform(100, 300, (batch, 1))
    tones = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    return (0.2 * envelope * tones + 0.01 * rng.standard_normal((batch, samples))).astype(np.float32)


@pytest.mark.parametrize(("name", "n_mels"), [("whisper", 80), ("whisper-v3", 128)])
@pytest.mark.parametrize("seconds", [3.0, 30.5])
def test_whisper_presets_equal_the_whisper_feature_extractor(name, n_mels, seconds):
    x = _speech(2, seconds)
    x[1] *= 0.05  # a quiet example keeps its own max - 8 floor
    extractor = transformers.WhisperFeatureExtractor(feature_size=n_mels)
    expected = extractor(list(x), sampling_rate=16000, return_tensors="np").input_features.transpose(0, 2, 1)
    actual = to_numpy(presets.get(name)(x))
    assert actual.shape == expected.shape == (2, 3000, n_mels)
    assert relative_error(actual, expected) <= KALDI_RTOL


@pytest.mark.parametrize("seconds", [2.0, 10.5])
def test_ast_preset_equals_the_ast_feature_extractor(seconds):
    x = _speech(2, seconds)
    expected = transformers.ASTFeatureExtractor()(
        list(x), sampling_rate=16000, return_tensors="np"
    ).input_values
    actual = to_numpy(presets.get("ast")(x))
    assert actual.shape == expected.shape == (2, 1024, 128)
    assert relative_error(actual, expected) <= KALDI_RTOL


def test_wav2vec2_preset_equals_the_normalising_feature_extractor():
    x = _speech(3, 1.0) + np.array([[0.0], [0.3], [-1.0]], "float32")
    extractor = transformers.Wav2Vec2FeatureExtractor(do_normalize=True, return_attention_mask=False)
    expected = extractor(list(x), sampling_rate=16000, return_tensors="np").input_values
    actual = to_numpy(presets.get("wav2vec2")(x))
    assert actual.shape == expected.shape == x.shape
    assert relative_error(actual, expected) <= 1e-5
    silent = to_numpy(presets.get("wav2vec2")(np.zeros((1, 100), "float32")))
    np.testing.assert_array_equal(silent, 0.0)  # the epsilon keeps silence finite


@pytest.mark.parametrize("name", presets.names())
def test_a_model_on_a_preset_round_trips_through_a_keras_file(tmp_path, name):
    inputs = keras.Input((16000,))
    model = keras.Model(inputs, presets.get(name)(inputs))
    model.save(tmp_path / "m.keras")
    x = _speech(1, 1.0)
    np.testing.assert_array_equal(
        to_numpy(keras.saving.load_model(tmp_path / "m.keras")(x)), to_numpy(model(x))
    )


@pytest.mark.backend_independent
def test_names_and_errors():
    assert presets.names() == ("ast", "wav2vec2", "whisper", "whisper-v3")
    with pytest.raises(
        ParameterError, match=r"`name` must be one of 'ast', 'wav2vec2', 'whisper', 'whisper-v3'"
    ):
        presets.get("hubert")
    with pytest.raises(ParameterError, match=r"`sample_rate` must be 16000 for preset 'whisper'"):
        presets.get("whisper", sample_rate=22050)
    assert presets.get("whisper-v3", name="front_end").name == "front_end"
