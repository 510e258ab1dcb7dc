"""Export round trips: every feature layer and the CLI's classifier, in every format this backend produces.

ONNX round trips live in test_onnx*.py. A skip here only ever means "this backend cannot produce
that format" (audioflow.export.formats_for_backend).
"""

import keras
import numpy as np
import pytest

from audioflow.errors import ParameterError
from audioflow.export import export_model, formats_for_backend, load_exported
from tests.export.zoo import (
    STFT_ARGS,
    UNSUPPORTED,
    feature_zoo,
    keras_outputs,
    split_outputs,
    waveforms,
    zoo_features,
)
from tests.tolerances import DB_ATOL, POWER_RTOL, PROBABILITY_ATOL, max_db_error_above_floor, relative_error

# One xdist worker runs the modules sharing `classifier_file` and the exported zoo (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("export-classifier")

TF_FORMATS = ("saved_model", "tflite")
FIXED = 2000
#: (batch, samples) checked for a fixed-length and a variable-length input.
CASES = {FIXED: [(1, FIXED), (8, FIXED)], None: [(1, 1500), (8, 2300)]}
SUFFIX = {"saved_model": "", "tflite": ".tflite", "onnx": ".onnx"}


def require(format):
    if format not in formats_for_backend():
        pytest.skip(f"the {keras.backend.backend()} backend cannot produce {format!r}")


@pytest.fixture(scope="module")
def exported_zoo(tmp_path_factory):
    """``(format, samples) -> (artefact path, (zoo model, parts))``, each exported once per module."""
    cache = {}

    def get(format, samples):
        if (format, samples) not in cache:
            model, parts = feature_zoo(samples, format)
            folder = tmp_path_factory.mktemp("zoo")
            path = export_model(model, folder / f"zoo{SUFFIX[format]}", format)
            cache[format, samples] = path, (model, parts)
        return cache[format, samples]

    return get


@pytest.mark.parametrize("samples", [FIXED, None], ids=["fixed_length", "variable_length"])
@pytest.mark.parametrize("format", TF_FORMATS)
def test_every_feature_layer_round_trips(format, samples, exported_zoo):
    require(format)
    path, (model, parts) = exported_zoo(format, samples)
    run = load_exported(path, format)
    features = zoo_features(format, samples)
    for batch, length in CASES[samples]:
        x = waveforms(batch, length)
        shapes = parts.compute_output_shape((batch, length))
        expected = split_outputs(keras_outputs(model, x), shapes, features)
        got = split_outputs(run(x), shapes, features)
        for name, (kind, _) in features.items():
            where = f"{name} {format} batch={batch} samples={length}"
            if kind == "db":
                assert max_db_error_above_floor(got[name], expected[name]) <= DB_ATOL, where
            else:
                assert relative_error(got[name], expected[name]) <= POWER_RTOL, where


@pytest.mark.parametrize("format", TF_FORMATS)
def test_cli_classifier_round_trips(format, classifier_file, tmp_path):
    require(format)
    from audioflow.models import load_classifier

    model, info = load_classifier(classifier_file)
    run = load_exported(export_model(model, tmp_path / f"classifier{SUFFIX[format]}", format), format)
    for batch in (1, 8):
        x = waveforms(batch, info["clip_samples"], seed=batch)
        expected = keras_outputs(model, x)
        got = run(x)
        assert got.shape == expected.shape == (batch, 3)
        np.testing.assert_allclose(got, expected, rtol=0, atol=PROBABILITY_ATOL)


def test_tflite_has_builtin_operators_only_and_a_dynamic_batch(exported_zoo):
    require("tflite")
    from audioflow.export._tensorflow import TFLiteRunner, tflite_operators

    path, _ = exported_zoo("tflite", FIXED)
    operators = tflite_operators(path.read_bytes())
    assert "RFFT2D" in operators
    assert not [op for op in operators if op.startswith("Flex") or op == "CUSTOM"], operators
    details = TFLiteRunner(path).interpreter.get_input_details()[0]
    assert list(details["shape_signature"]) == [-1, FIXED]  # kapre's TFLite layers are batch 1


def test_tflite_refuses_a_layer_it_cannot_carry_by_name(tmp_path):
    require("tflite")
    import audioflow.layers as L

    inputs = keras.Input((FIXED,))
    stft = L.STFT(**STFT_ARGS)(inputs)
    model = keras.Model(inputs, L.InverseSTFT(**STFT_ARGS, name="resynthesis")(stft))
    operator = UNSUPPORTED["tflite"]["InverseSTFT"]
    with pytest.raises(ParameterError, match=rf"layer='resynthesis'.*{operator}"):
        export_model(model, tmp_path / "istft.tflite", "tflite")
    assert not (tmp_path / "istft.tflite").exists()


# ------------------------------------------------------------------ bad input


@pytest.fixture(scope="module")
def tiny_model():
    import audioflow.layers as L

    inputs = keras.Input((FIXED,))
    return keras.Model(inputs, L.Spectrogram(**STFT_ARGS)(inputs))


def test_unknown_format_is_refused_with_the_choices(tiny_model, tmp_path):
    with pytest.raises(ParameterError, match=r"`format` must be one of 'saved_model', 'tflite', 'onnx'"):
        export_model(tiny_model, tmp_path / "out", "tfjs")


def test_existing_path_needs_force(tiny_model, tmp_path):
    format = formats_for_backend()[-1]
    target = tmp_path / f"model{SUFFIX[format]}"
    target.write_bytes(b"old")
    with pytest.raises(ParameterError, match=r"`path` must be a path that does not exist yet.*force=True"):
        export_model(tiny_model, target, format)
    assert target.read_bytes() == b"old"


def test_a_format_the_backend_cannot_produce_names_the_ones_it_can(tiny_model, tmp_path):
    from audioflow._validation import check_export_args

    with pytest.raises(
        ParameterError, match=r"one of 'onnx' on the torch backend.*tensorflow and jax backends"
    ):
        check_export_args(tiny_model, tmp_path / "m.tflite", "tflite", False, backend="torch")
    if keras.backend.backend() == "torch":
        with pytest.raises(ParameterError, match=r"'saved_model' is produced from the tensorflow and jax"):
            export_model(tiny_model, tmp_path / "m", "saved_model")


def test_model_needs_a_waveform_first_input(tmp_path):
    inputs = [keras.Input((4, 4, 1)), keras.Input((4, 4, 1))]
    model = keras.Model(inputs, keras.layers.Add()(inputs))
    with pytest.raises(ParameterError, match=r"`model` must be a built model whose first input has shape"):
        export_model(model, tmp_path / "m", formats_for_backend()[0])
    with pytest.raises(ParameterError, match=r"`model` must be a keras.Model"):
        export_model(lambda x: x, tmp_path / "m", formats_for_backend()[0])


def test_formats_for_each_backend():
    assert formats_for_backend("tensorflow") == ("saved_model", "tflite", "onnx")
    assert formats_for_backend("jax") == ("saved_model", "tflite", "onnx")
    assert formats_for_backend("torch") == ("onnx",)


def test_tflite_takes_an_fft_size_that_is_not_a_power_of_two(tmp_path):
    """TFLite's RFFT2D prepares power-of-two lengths only: n_fft=400 (25 ms at 16 kHz) is exported as a DFT product."""
    require("tflite")
    from audioflow.layers import LogMelSpectrogram

    inputs = keras.Input((FIXED,))
    model = keras.Model(
        inputs, LogMelSpectrogram(sample_rate=16000, n_fft=400, hop_length=160, n_mels=40)(inputs)
    )
    run = load_exported(export_model(model, tmp_path / "m.tflite", "tflite"), "tflite")
    x = np.random.default_rng(1).standard_normal((3, FIXED)).astype("float32")
    expected = keras.ops.convert_to_numpy(model(x))
    assert max_db_error_above_floor(run(x), expected) <= DB_ATOL
