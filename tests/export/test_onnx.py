"""ONNX export of every feature layer and the CLI's classifier, checked in onnxruntime (any backend).

One model holds all the feature layers (one export per backend: under JAX it runs in a
TensorFlow child process), compared with the Keras model at batch 1 and 8 and two lengths.
"""

import keras
import numpy as np
import onnx
import onnxruntime
import pytest

import audioflow.layers as L
from audioflow import ParameterError
from audioflow.export._onnx import INPUT_NAME, check_standard_domains, export_onnx, non_standard_operators
from audioflow.models import build_classifier
from tests.helpers import to_numpy
from tests.tolerances import DB_ATOL

# One xdist worker runs this module (`--dist loadgroup`): the feature model is exported once.
pytestmark = pytest.mark.xdist_group("onnx-features")

SAMPLE_RATE = 8000
STFT = {"n_fft": 256, "hop_length": 64}
MEL = {"sample_rate": SAMPLE_RATE, "n_mels": 20, **STFT}
#: Absolute tolerances of the issue: probabilities 1e-4, dB 0.01 dB (DB_ATOL); linear outputs
#: relative to their largest value (float32 rounding of a DFT done as a matrix product).
PROBABILITY_ATOL = 1e-4
LINEAR_RTOL = 1e-5

#: name -> (kind, the layer(s) on a waveform input). "db" outputs are compared in absolute dB.
FEATURES = {
    "STFT": ("linear", lambda x: L.STFT(**STFT)(x)),
    "InverseSTFT": ("linear", lambda x: L.InverseSTFT(**STFT)(L.STFT(**STFT)(x))),
    "Spectrogram": ("linear", lambda x: L.Spectrogram(**STFT)(x)),
    "MelScale": ("linear", lambda x: L.MelScale(sample_rate=SAMPLE_RATE, n_fft=256, n_mels=20)(L.Spectrogram(**STFT)(x))),
    "MelSpectrogram": ("linear", lambda x: L.MelSpectrogram(**MEL)(x)),
    "PowerToDb": ("db", lambda x: L.PowerToDb()(L.Spectrogram(**STFT)(x))),
    "AmplitudeToDb": ("db", lambda x: L.AmplitudeToDb()(L.Spectrogram(power=1.0, **STFT)(x))),
    "LogMelSpectrogram": ("db", lambda x: L.LogMelSpectrogram(**MEL)(x)),
    "MFCC": ("db", lambda x: L.MFCC(n_mfcc=13, **MEL)(x)),
    "Delta": ("db", lambda x: L.Delta()(L.LogMelSpectrogram(**MEL)(x))),
    "SpecAugment": ("db", lambda x: L.SpecAugment(seed=1)(L.LogMelSpectrogram(**MEL)(x))),
    "PCEN": ("linear", lambda x: L.PCEN(sample_rate=SAMPLE_RATE, hop_length=64)(L.MelSpectrogram(**MEL)(x))),
    "Leaf": ("linear", lambda x: L.Leaf(sample_rate=SAMPLE_RATE, n_filters=20)(x)),
    "AddNoise": ("linear", lambda x: L.Spectrogram(**STFT)(L.AddNoise(seed=2)(x))),
    "KaldiSpectrogram": ("db", lambda x: L.KaldiSpectrogram(sample_frequency=SAMPLE_RATE)(x)),
    "KaldiFbank": ("db", lambda x: L.KaldiFbank(sample_frequency=SAMPLE_RATE, num_mel_bins=20)(x)),
    "KaldiMFCC": ("db", lambda x: L.KaldiMFCC(sample_frequency=SAMPLE_RATE, num_mel_bins=20, snip_edges=False)(x)),
    "WhisperLogMel": ("db", lambda x: L.WhisperLogMel()(x)),
    "WhisperFeatures": ("db", lambda x: L.WhisperFeatures()(x)),
    "ASTFeatures": ("db", lambda x: L.ASTFeatures(max_length=40)(x)),
    "Wav2Vec2Features": ("linear", lambda x: L.Wav2Vec2Features()(x)),
}  # fmt: skip


def waveforms(batch, samples, seed=0):
    """Harmonics plus noise, float32 ``(batch, samples)``."""
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / SAMPLE_RATE
    f0 = rng.uniform(100, 400, size=(batch, 1))
    tones = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 5))
    return (0.3 * tones + 0.05 * rng.standard_normal((batch, samples))).astype(np.float32)


def keras_outputs(model, x):
    """The Keras model's outputs as NumPy: ``predict_on_batch`` (one compiled call, inference mode)
    on JAX, where an eager call compiles every operation for every new shape; a direct call elsewhere."""
    outputs = model.predict_on_batch(x) if keras.backend.backend() == "jax" else model(x, training=False)
    return [to_numpy(y) for y in outputs] if isinstance(outputs, (list, tuple)) else to_numpy(outputs)


def run_onnx(path, x):
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == [INPUT_NAME]
    return session.run(None, {INPUT_NAME: x})


def assert_close(name, kind, got, expected):
    assert got.shape == expected.shape, f"{name}: {got.shape} != {expected.shape}"
    if kind == "db":
        assert np.max(np.abs(got - expected)) <= DB_ATOL, name
    else:
        scale = max(float(np.max(np.abs(expected))), 1e-30)
        assert np.max(np.abs(got - expected)) <= LINEAR_RTOL * scale, name


#: Layers that a backend exports for a fixed input length only (torch.export turns a padding width
#: computed from the length into a constant); export_onnx refuses them with a variable length.
#: KaldiMFCC here has snip_edges=False: its reflection at the signal's end folds positions by the length.
FIXED_LENGTH_ONLY = {"torch": {"Leaf", "KaldiMFCC"}}


def exported_features():
    return {k: v for k, v in FEATURES.items() if k not in FIXED_LENGTH_ONLY.get(keras.backend.backend(), ())}


@pytest.fixture(scope="module")
def feature_export(tmp_path_factory):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((None,))
    model = keras.Model(inputs, [make(inputs) for _, make in exported_features().values()])
    path = export_onnx(model, tmp_path_factory.mktemp("onnx") / "features.onnx")
    return model, path


@pytest.mark.parametrize("samples", [2000, 1337])
def test_every_feature_layer_matches_keras(feature_export, samples):
    model, path = feature_export
    x = waveforms(8, samples, seed=samples)
    expected = keras_outputs(model, x)
    for batch in (1, 8):  # each example's features are independent of its batch-mates
        got = run_onnx(path, x[:batch])
        assert len(got) == len(exported_features())
        for (name, (kind, _)), g, e in zip(exported_features().items(), got, expected, strict=True):
            assert_close(f"{name} batch={batch}", kind, g, e[:batch])


def test_graph_has_standard_operators_and_a_dynamic_batch(feature_export):
    _, path = feature_export
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto)
    assert non_standard_operators(proto) == []
    standard = [o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")]
    assert standard and standard[0] >= 17
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert len(dims) == 2 and not dims[0].HasField("dim_value") and not dims[1].HasField("dim_value")
    assert {n.op_type for n in proto.graph.node}.isdisjoint({"DFT", "STFT"})  # matrix products


@pytest.mark.parametrize("name", sorted(FIXED_LENGTH_ONLY.get(keras.backend.backend(), ())) or [None])
def test_fixed_length_only_layers(tmp_path, name):
    """Refused by name with a variable length; exported and equal to Keras with a fixed one."""
    if name is None:
        return  # this backend exports every layer with a variable length (the test above)
    kind, make = FEATURES[name]
    inputs = keras.Input((None,))
    with pytest.raises(ParameterError, match=rf"Received: layer='.*\({name}\)'.*fixed input length"):
        export_onnx(keras.Model(inputs, make(inputs)), tmp_path / "variable.onnx")
    inputs = keras.Input((2000,))
    model = keras.Model(inputs, make(inputs))
    path = export_onnx(model, tmp_path / "fixed.onnx")
    x = waveforms(8, 2000)
    expected = to_numpy(model(x, training=False))
    for batch in (1, 8):
        assert_close(name, kind, run_onnx(path, x[:batch])[0], expected[:batch])


def test_classifier_matches_keras(tmp_path):
    model = build_classifier(["a", "b", "c"], sample_rate=SAMPLE_RATE, duration=0.25, size="small", seed=0)
    path = export_onnx(model, tmp_path / "classifier.onnx")
    for batch in (1, 8):
        x = waveforms(batch, 2000, seed=batch)
        (got,) = run_onnx(path, x)
        expected = keras_outputs(model, x)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=PROBABILITY_ATOL, rtol=0)
    dims = onnx.load(str(path)).graph.input[0].type.tensor_type.shape.dim
    assert not dims[0].HasField("dim_value") and dims[1].dim_value == 2000


def test_bad_opset_and_inputs_are_refused(tmp_path):
    inputs = keras.Input((1000,))
    model = keras.Model(inputs, L.Spectrogram(**STFT)(inputs))
    with pytest.raises(ParameterError, match=r"`opset` must be an integer >= 17\. Received: opset=16\."):
        export_onnx(model, tmp_path / "m.onnx", opset=16)
    a, b = keras.Input((10, 100)), keras.Input((1000,))
    image_first = keras.Model([a, b], L.Spectrogram(**STFT)(keras.layers.Flatten()(a) + b))
    with pytest.raises(ParameterError, match=r"first input is a \(batch, samples\) waveform"):
        export_onnx(image_first, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


@pytest.mark.backend_independent
def test_custom_domain_operators_are_refused():
    node = onnx.helper.make_node("FFT", ["x"], ["y"], domain="com.example")
    graph = onnx.helper.make_graph(
        [node],
        "g",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])],
    )
    proto = onnx.helper.make_model(graph)
    assert non_standard_operators(proto) == ["com.example::FFT"]
    with pytest.raises(ParameterError, match=r"standard-domain ONNX operators only.*com\.example::FFT"):
        check_standard_domains(proto)
