"""Layer behaviour: shapes, config, saving, compilation, tf.data, gradients, mixed precision, errors."""

import json

import keras
import numpy as np
import pytest

from audioflow import ParameterError, layers
from audioflow import ops as af
from tests.helpers import BACKEND, synthetic_signals, to_numpy

WAVEFORM_LAYERS = {
    "stft": lambda: layers.STFT(n_fft=64, hop_length=16),
    "spectrogram": lambda: layers.Spectrogram(n_fft=64, hop_length=16),
    "mel": lambda: layers.MelSpectrogram(sample_rate=8000, n_fft=64, hop_length=16, n_mels=8),
    "logmel": lambda: layers.LogMelSpectrogram(sample_rate=8000, n_fft=64, hop_length=16, n_mels=8),
    "mfcc": lambda: layers.MFCC(sample_rate=8000, n_fft=64, hop_length=16, n_mels=8, n_mfcc=5),
    "uncentred": lambda: layers.Spectrogram(n_fft=64, hop_length=16, center=False),
}


def _waveforms(batch, samples, channels=None, seed=0):
    shape = (batch, samples) if channels is None else (batch, samples, channels)
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("name", list(WAVEFORM_LAYERS))
def test_output_shape_is_exact_for_every_remainder(name):
    layer = WAVEFORM_LAYERS[name]()
    smallest = 64 if name == "uncentred" else 1
    # Lengths shorter than the window, and every remainder modulo the hop (16) around one window.
    for samples in [smallest, smallest + 5, 33, *range(64, 64 + 17)]:
        for channels in (None, 2):
            x = _waveforms(2, samples, channels)
            assert tuple(layer(x).shape) == layer.compute_output_shape(x.shape), (samples, channels)
    if name != "uncentred":
        assert layer.compute_output_shape((2, 100))[1] == af.num_frames(100, n_fft=64, hop_length=16)


def test_unknown_length_inputs_build_a_model():
    inputs = keras.Input((None,))
    outputs = layers.LogMelSpectrogram(n_mels=16)(inputs)
    assert tuple(outputs.shape) == (None, None, 16)
    model = keras.Model(inputs, outputs)
    for samples in (4000, 9999):
        assert to_numpy(model(_waveforms(1, samples))).shape == (1, 1 + samples // 512, 16)


def test_config_keeps_arguments_as_passed():
    layer = layers.LogMelSpectrogram(sample_rate=16000, n_fft=1024, n_mels=64, window=("kaiser", 10.0))
    config = layer.get_config()
    assert config["hop_length"] is None and config["win_length"] is None and config["f_max"] is None
    assert config["sample_rate"] == 16000 and config["window"] == ["kaiser", 10.0]
    json.dumps(config)
    clone = layers.LogMelSpectrogram.from_config(config)
    x = _waveforms(2, 8000)
    np.testing.assert_array_equal(to_numpy(clone(x)), to_numpy(layer(x)))
    array_window = layers.Spectrogram(n_fft=16, window=np.hanning(16))
    assert array_window.get_config()["window"] == np.hanning(16).tolist()


ALL_LAYERS = [
    ("waveform", lambda: layers.STFT(n_fft=256)),
    ("waveform", lambda: layers.Spectrogram(n_fft=256, power=1.0)),
    ("waveform", lambda: layers.MelSpectrogram(sample_rate=16000, n_fft=256, n_mels=20)),
    ("waveform", lambda: layers.LogMelSpectrogram(sample_rate=16000, n_fft=256, n_mels=20, ref="max")),
    ("waveform", lambda: layers.MFCC(sample_rate=16000, n_fft=256, n_mels=20, n_mfcc=10, lifter=22.0)),
    ("spectrum", lambda: layers.PowerToDb(top_db=60.0)),
    ("spectrum", lambda: layers.AmplitudeToDb(ref="max")),
    ("spectrum", lambda: layers.Delta(width=5, order=2)),
    ("complex", lambda: layers.InverseSTFT(n_fft=256, length=4000)),
]


def _input_for(kind):
    if kind == "waveform":
        return _waveforms(2, 4000)
    if kind == "complex":
        return to_numpy(layers.STFT(n_fft=256)(_waveforms(2, 4000)))
    return np.abs(_waveforms(2, 30 * 12, seed=1)).reshape(2, 30, 12)


@pytest.mark.parametrize(
    ("kind", "make"), ALL_LAYERS, ids=[f"{k}-{i}" for i, (k, _) in enumerate(ALL_LAYERS)]
)
def test_keras_file_round_trip_gives_identical_outputs(tmp_path, kind, make):
    x = _input_for(kind)
    inputs = keras.Input(x.shape[1:])
    model = keras.Model(inputs, make()(inputs))
    model.save(tmp_path / "m.keras")
    restored = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))


def test_model_with_features_trains_and_round_trips(tmp_path):
    inputs = keras.Input((4000,))
    features = layers.Delta()(
        layers.LogMelSpectrogram(sample_rate=8000, n_fft=256, hop_length=64, n_mels=16)(inputs)
    )
    outputs = keras.layers.Dense(2, activation="softmax")(keras.layers.GlobalAveragePooling1D()(features))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "sparse_categorical_crossentropy")
    x, y = _waveforms(8, 4000), np.arange(8) % 2
    model.fit(x, y, epochs=1, batch_size=4, verbose=0)
    model.save(tmp_path / "trained.keras")
    restored = keras.saving.load_model(tmp_path / "trained.keras")
    np.testing.assert_allclose(
        to_numpy(restored.predict(x, verbose=0)), to_numpy(model.predict(x, verbose=0)), rtol=1e-6
    )


def _compiled(fn):
    """The backend's compiler: XLA tf.function, jax.jit, or torch in an nn.Module."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, jit_compile=True)
    if BACKEND == "jax":
        import jax

        return jax.jit(fn)
    import torch

    class Wrapper(torch.nn.Module):
        def forward(self, x):
            return fn(x)

    return Wrapper()


@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.LogMelSpectrogram(sample_rate=16000, n_fft=512, n_mels=32),
        lambda: layers.MFCC(sample_rate=16000, n_fft=512, n_mels=32, n_mfcc=13),
        lambda: layers.STFT(n_fft=256, hop_length=100),
    ],
    ids=["logmel", "mfcc", "stft"],
)
def test_compiled_equals_eager(make):
    layer = make()
    x = keras.ops.convert_to_tensor(_waveforms(3, 6000))
    eager = to_numpy(layer(x))
    compiled = to_numpy(_compiled(lambda inputs: layer(inputs))(x))
    np.testing.assert_allclose(compiled, eager, rtol=1e-4, atol=1e-3)


def _gradient(loss_fn, x):
    """d loss / d x on the current backend."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = loss_fn(x)
        return tape.gradient(loss, x).numpy()
    if BACKEND == "jax":
        import jax

        return np.asarray(jax.grad(loss_fn)(x))
    import torch

    x = torch.tensor(x, requires_grad=True)
    loss_fn(x).backward()
    return x.grad.detach().numpy()


def test_gradients_reach_the_waveform_and_are_correct():
    mel = layers.MelSpectrogram(sample_rate=8000, n_fft=128, hop_length=32, n_mels=10)
    x = _waveforms(1, 600, seed=4)
    weights = (
        np.random.default_rng(5).standard_normal(mel.compute_output_shape(x.shape)[1:]).astype(np.float32)
    )

    def loss(inputs):
        return keras.ops.sum(keras.ops.multiply(mel(inputs), keras.ops.convert_to_tensor(weights)))

    grad = _gradient(loss, x)
    assert grad.shape == x.shape and np.all(np.isfinite(grad)) and np.abs(grad).max() > 0
    # The loss is a quadratic form of the waveform, so central differences are exact for any
    # step: a large step keeps float32 rounding out of the comparison.
    for index in (5, 64, 300, 599):
        step = np.zeros_like(x)
        step[0, index] = 0.5
        numeric = (float(to_numpy(loss(x + step))) - float(to_numpy(loss(x - step)))) / 1.0
        assert grad[0, index] == pytest.approx(numeric, rel=2e-3, abs=1e-3)
    log_mel = layers.LogMelSpectrogram(sample_rate=8000, n_fft=128, n_mels=10)
    assert np.all(np.isfinite(_gradient(lambda inputs: keras.ops.sum(log_mel(inputs)), x)))


def test_mixed_precision_computes_in_float32_and_returns_the_compute_dtype():
    x = synthetic_signals(sample_rate=16000, seconds=0.5)["chirp"][None]
    reference = to_numpy(layers.LogMelSpectrogram(sample_rate=16000, n_fft=512, n_mels=32)(x))
    layer = layers.LogMelSpectrogram(sample_rate=16000, n_fft=512, n_mels=32, dtype="mixed_float16")
    out = layer(x)
    assert keras.backend.standardize_dtype(out.dtype) == "float16"
    # Only the final cast rounds: float16 has ~3 significant digits, so within 0.06 dB of -100..+40 dB.
    np.testing.assert_allclose(to_numpy(out).astype(np.float32), reference, atol=0.07)
    fp16_waveform = keras.ops.cast(x, "float16")
    assert np.all(np.isfinite(to_numpy(layer(fp16_waveform)).astype(np.float32)))


def test_mixed_precision_model_round_trips(tmp_path):
    keras.mixed_precision.set_dtype_policy("mixed_float16")
    try:
        inputs = keras.Input((4000,))
        model = keras.Model(inputs, layers.MFCC(sample_rate=8000, n_fft=256, n_mels=20, n_mfcc=8)(inputs))
        model.save(tmp_path / "mixed.keras")
        x = _waveforms(2, 4000)
        np.testing.assert_array_equal(
            to_numpy(keras.saving.load_model(tmp_path / "mixed.keras")(x)), to_numpy(model(x))
        )
    finally:
        keras.mixed_precision.set_dtype_policy("float32")


@pytest.mark.skipif(
    BACKEND != "tensorflow", reason="tf.data maps run TensorFlow ops: the TensorFlow backend only"
)
def test_layers_run_inside_tf_data_map():
    import tensorflow as tf

    layer = layers.LogMelSpectrogram(sample_rate=16000, n_fft=512, n_mels=24)
    waveforms = _waveforms(6, 5000)
    dataset = tf.data.Dataset.from_tensor_slices(waveforms).batch(3).map(layer)
    mapped = np.concatenate([batch.numpy() for batch in dataset])
    np.testing.assert_allclose(mapped, to_numpy(layer(waveforms)), rtol=1e-5, atol=1e-4)


@pytest.mark.skipif(BACKEND != "tensorflow", reason="graphs with unknown dimensions are a TensorFlow feature")
def test_graph_with_unknown_batch_and_length_equals_eager():
    import tensorflow as tf

    layer = layers.LogMelSpectrogram(sample_rate=16000, n_fft=512, n_mels=24, pad_mode="reflect")
    graph = tf.function(layer, input_signature=[tf.TensorSpec([None, None], tf.float32)])
    for samples in (3000, 4097):
        x = _waveforms(3, samples)
        np.testing.assert_allclose(graph(x).numpy(), to_numpy(layer(x)), rtol=1e-5, atol=1e-4)


@pytest.mark.skipif(BACKEND != "torch", reason="a torch.nn.Module needs the PyTorch backend")
def test_layer_inside_a_torch_module_trains():
    import torch

    class Classifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.features = layers.LogMelSpectrogram(sample_rate=8000, n_fft=256, n_mels=16)
            self.head = torch.nn.Linear(16, 2)

        def forward(self, x):
            return self.head(self.features(x).mean(dim=1))

    model = Classifier()
    optimiser = torch.optim.SGD(model.parameters(), lr=1e-3)
    x = torch.tensor(_waveforms(4, 2000), requires_grad=True)
    loss = torch.nn.functional.cross_entropy(model(x), torch.tensor([0, 1, 0, 1]))
    loss.backward()
    optimiser.step()
    assert x.grad is not None and torch.isfinite(x.grad).all() and model.head.weight.grad.abs().sum() > 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: layers.STFT(n_fft=512, win_length=1024),
            r"`win_length` must be <= `n_fft`. Received: win_length=1024, n_fft=512.",
        ),
        (lambda: layers.Spectrogram(power=-1.0), r"`power` must be > 0.0. Received: power=-1.0."),
        (
            lambda: layers.MelSpectrogram(sample_rate=16000, f_max=10000.0),
            r"`f_max` must be <= sample_rate / 2. Received: f_max=10000.0, sample_rate=16000.",
        ),
        (
            lambda: layers.MelSpectrogram(n_mels=0),
            r"`n_mels` must be a positive integer. Received: n_mels=0.",
        ),
        (lambda: layers.LogMelSpectrogram(top_db=-5.0), r"`top_db` must be >= 0.0. Received: top_db=-5.0."),
        (lambda: layers.LogMelSpectrogram(ref="mean"), r"`ref` must be a positive number or \"max\"."),
        (lambda: layers.PowerToDb(amin=0.0), r"`amin` must be > 0.0. Received: amin=0.0."),
        (
            lambda: layers.MFCC(n_mels=20, n_mfcc=40),
            r"`n_mfcc` must be <= `n_mels`. Received: n_mfcc=40, n_mels=20.",
        ),
        (
            lambda: layers.MFCC(dct_norm="unit"),
            r"`dct_norm` must be \"ortho\" or None. Received: dct_norm='unit'.",
        ),
        (lambda: layers.Delta(width=2), r"`width` must be an integer >= 3. Received: width=2."),
        (lambda: layers.STFT(pad_mode="mean"), r"`pad_mode` must be one of 'constant', 'reflect', 'edge'"),
        (lambda: layers.InverseSTFT(length=-1), r"`length` must be an integer >= 0. Received: length=-1."),
        (
            lambda: layers.Spectrogram(hop_length=1.5),
            r"`hop_length` must be an integer or None. Received: hop_length=1.5.",
        ),
    ],
)
def test_invalid_arguments_fail_at_construction(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


@pytest.mark.parametrize(
    ("layer", "shape", "message"),
    [
        (
            lambda: layers.LogMelSpectrogram(),
            (16000,),
            r"`inputs` must be of rank 2 or 3: \(batch, samples\) or",
        ),
        (
            lambda: layers.LogMelSpectrogram(),
            (2, 100, 2, 1),
            r"Received: layer='log_mel_spectrogram.*', input_shape=\(2, 100, 2, 1\)",
        ),
        (lambda: layers.PowerToDb(), (2, 100), r"`inputs` must be of rank 3 or 4: \(batch, frames, bins\)"),
        (
            lambda: layers.Spectrogram(n_fft=512, center=False),
            (2, 300),
            r"`inputs` must be at least `n_fft` samples long when `center=False`. Received: samples=300, n_fft=512.",
        ),
        (
            lambda: layers.Spectrogram(n_fft=512, pad_mode="reflect"),
            (2, 200),
            r"`inputs` must be longer than `n_fft // 2` samples for pad_mode='reflect'. Received: samples=200",
        ),
        (
            lambda: layers.Delta(),
            (2, 5, 10),
            r"`inputs` must be at least `width` frames long. Received: frames=5, width=9.",
        ),
        (
            lambda: layers.InverseSTFT(n_fft=512),
            (2, 10, 200, 2),
            r"`inputs` must be shaped \(batch, frames, n_fft // 2 \+ 1 = 257",
        ),
    ],
)
def test_wrong_input_shapes_fail_at_build(layer, shape, message):
    with pytest.raises(ParameterError, match=message):
        layer().build(shape)
    with pytest.raises(ParameterError, match=message):
        keras.Sequential([keras.Input(shape[1:], batch_size=shape[0]), layer()])
