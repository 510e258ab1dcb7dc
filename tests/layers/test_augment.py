"""Augmentation layers: training-only, seeded, per example and step, compiled, saved, multichannel."""

import keras
import numpy as np
import pytest

from audioflow import ParameterError, layers
from tests.helpers import BACKEND, to_numpy

FEATURE_LAYERS = {
    "specaugment": lambda seed=None: layers.SpecAugment(
        freq_mask_param=4, time_mask_param=6, time_warp_param=3, seed=seed
    ),
}
WAVEFORM_LAYERS = {
    "gain": lambda seed=None: layers.RandomGain(gain_db=(-6.0, 6.0), seed=seed),
    "noise": lambda seed=None: layers.AddNoise(snr_db=(0.0, 10.0), color="pink", seed=seed),
    "shift": lambda seed=None: layers.RandomTimeShift(
        max_shift=0.01, sample_rate=8000, mode="zeros", seed=seed
    ),
}
ALL = {**FEATURE_LAYERS, **WAVEFORM_LAYERS}


def _input(name, batch=4, channels=None, length=None, seed=0):
    rng = np.random.default_rng(seed)
    if name in FEATURE_LAYERS:
        shape = (batch, length or 30, 16)
    else:
        shape = (batch, length or 800)
    shape += () if channels is None else (channels,)
    return rng.standard_normal(shape).astype(np.float32)


def _tile(x):
    """The first example repeated: any difference between outputs comes from the draws."""
    return np.repeat(x[:1], x.shape[0], axis=0)


@pytest.mark.parametrize("name", list(ALL))
@pytest.mark.parametrize("channels", [None, 2])
def test_identity_at_inference_and_random_in_training(name, channels):
    layer = ALL[name](seed=1)
    x = _input(name, channels=channels)
    np.testing.assert_array_equal(to_numpy(layer(x)), x)
    np.testing.assert_array_equal(to_numpy(layer(x, training=False)), x)
    out = to_numpy(layer(_tile(x), training=True))
    assert out.shape == x.shape and np.all(np.isfinite(out))
    # Different per example (same input, different draws) ...
    assert len({out[i].tobytes() for i in range(out.shape[0])}) == out.shape[0]
    # ... and per step.
    assert not np.array_equal(to_numpy(layer(_tile(x), training=True)), out)


@pytest.mark.parametrize("name", list(ALL))
def test_same_seed_reproduces_the_draws(name):
    x = _input(name)
    first = [to_numpy(ALL[name](seed=7)(x, training=True)) for _ in range(2)]
    np.testing.assert_array_equal(first[0], first[1])
    assert not np.array_equal(to_numpy(ALL[name](seed=8)(x, training=True)), first[0])


def test_spec_augment_masks_each_channel_independently():
    layer = layers.SpecAugment(freq_mask_param=6, time_mask_param=8, mask_value="zero", seed=2)
    x = np.ones((6, 40, 20, 2), np.float32)
    out = to_numpy(layer(x, training=True))
    assert all(not np.array_equal(out[b, ..., 0], out[b, ..., 1]) for b in range(6))


def _train_step_fn(layer):
    """The layer called with training=True, compiled by the backend (XLA, jax.jit, torch module)."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        return tf.function(lambda x: layer(x, training=True), jit_compile=True)
    if BACKEND == "jax":
        import jax

        state = {"vars": [v.value for v in layer.non_trainable_variables]}

        @jax.jit
        def step(non_trainable, x):
            return layer.stateless_call([], non_trainable, x, training=True)

        def run(x):
            out, state["vars"] = step(state["vars"], x)
            return out

        return run
    import torch

    class Module(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = layer

        def forward(self, x):
            return self.layer(x, training=True)

    return Module()


@pytest.mark.parametrize("name", list(ALL))
def test_compiled_training_call_augments_per_step(name):
    layer = ALL[name](seed=3)
    x = _tile(_input(name))
    layer(x)  # builds it (identity at inference)
    step = _train_step_fn(layer)
    first, second = to_numpy(step(x)), to_numpy(step(x))
    assert first.shape == x.shape and np.all(np.isfinite(first))
    assert not np.array_equal(first, x) and not np.array_equal(first, second)
    assert len({first[i].tobytes() for i in range(4)}) == 4


@pytest.mark.skipif(BACKEND != "tensorflow", reason="graphs with unknown dimensions are a TensorFlow feature")
@pytest.mark.parametrize("name", list(ALL))
def test_unknown_batch_and_length_in_a_graph(name):
    import tensorflow as tf

    layer = ALL[name](seed=4)
    x = _input(name)
    spec = tf.TensorSpec([None, None] + list(x.shape[2:]), tf.float32)
    graph = tf.function(lambda inputs: layer(inputs, training=True), input_signature=[spec])
    for length in (25, 41) if name in FEATURE_LAYERS else (300, 801):
        out = graph(_input(name, batch=3, length=length)).numpy()
        assert out.shape == (3, length) + x.shape[2:] and np.all(np.isfinite(out))


@pytest.mark.parametrize("name", list(ALL))
def test_variable_length_model_trains_saves_and_loads(tmp_path, name):
    x = _input(name, batch=8, channels=2)
    inputs = keras.Input((None,) + x.shape[2:])
    augmented = ALL[name](seed=5)(inputs)
    pooled = keras.layers.GlobalAveragePooling1D()(
        keras.layers.Reshape((-1, int(np.prod(x.shape[2:]))))(augmented)
    )
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(pooled))
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x, np.arange(8) % 2, epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "augmented.keras")
    restored = keras.saving.load_model(tmp_path / "augmented.keras")
    shorter = x[:, : x.shape[1] - 3]
    np.testing.assert_allclose(
        to_numpy(restored.predict(shorter, verbose=0)), to_numpy(model.predict(shorter, verbose=0)), rtol=1e-6
    )
    original, clone = model.layers[1], restored.layers[1]
    assert clone.get_config() == original.get_config()
    assert not np.array_equal(to_numpy(clone(x, training=True)), x)


def test_mixed_precision_returns_float16():
    for name in ALL:
        layer = ALL[name](seed=6)
        layer_fp16 = type(layer).from_config({**layer.get_config(), "dtype": "mixed_float16"})
        x = _input(name)
        out = layer_fp16(keras.ops.cast(x, "float16"), training=True)
        assert keras.backend.standardize_dtype(out.dtype) == "float16", name
        assert np.all(np.isfinite(to_numpy(out).astype(np.float32))), name


def test_config_keeps_arguments_as_passed():
    layer = layers.AddNoise(snr_db=(3, 9), color="pink", seed=4)
    config = layer.get_config()
    assert config["snr_db"] == [3, 9] and config["color"] == "pink" and config["seed"] == 4
    assert layers.RandomTimeShift(max_shift=0.25, sample_rate=16000).get_config()["max_shift"] == 0.25
    spec = layers.SpecAugment(time_warp_param=4).get_config()
    assert spec["time_warp_param"] == 4 and spec["mask_value"] == "mean" and spec["seed"] is None


def _one_hot_batch(batch=6):
    x = np.random.default_rng(8).standard_normal((batch, 500)).astype(np.float32)
    return x, np.eye(batch, dtype=np.float32)


def test_mixup_layer_mixes_with_beta_weights_and_is_off_when_not_training():
    x, y = _one_hot_batch(64)
    mixup = layers.Mixup(alpha=0.3, seed=9)
    x_mixed, y_mixed = (to_numpy(v) for v in mixup((x, y)))
    np.testing.assert_allclose(y_mixed.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(x_mixed, y_mixed @ x, rtol=1e-4, atol=1e-5)
    assert not np.array_equal(y_mixed, y)
    x_same, y_same = (to_numpy(v) for v in mixup((x, y), training=False))
    np.testing.assert_array_equal(x_same, x)
    np.testing.assert_array_equal(y_same, y)
    again = to_numpy(layers.Mixup(alpha=0.3, seed=9)((x, y))[1])
    np.testing.assert_array_equal(again, y_mixed)


def test_mixup_runs_in_a_tf_data_pipeline_on_every_backend():
    import tensorflow as tf

    x, y = _one_hot_batch(12)
    mixup = layers.Mixup(alpha=0.5, seed=10)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).repeat(2).batch(12).map(lambda a, b: mixup((a, b)))
    batches = [(a.numpy(), b.numpy()) for a, b in dataset]
    assert len(batches) == 2 and not np.array_equal(batches[0][1], batches[1][1])
    for x_mixed, y_mixed in batches:
        np.testing.assert_allclose(y_mixed.sum(axis=1), 1.0, rtol=1e-6)
        np.testing.assert_allclose(x_mixed, y_mixed @ x, rtol=1e-4, atol=1e-5)


def test_mixup_rejects_class_ids():
    with pytest.raises(ParameterError, match=r"`y` must be one-hot or soft labels shaped \(batch, classes\)"):
        layers.Mixup()((np.zeros((4, 10), np.float32), np.arange(4)))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: layers.SpecAugment(freq_mask_param=-1), r"`freq_mask_param` must be an integer >= 0."),
        (lambda: layers.SpecAugment(time_mask_param=-3), r"`time_mask_param` must be an integer >= 0."),
        (lambda: layers.SpecAugment(mask_value="min"), r"`mask_value` must be one of 'zero', 'mean'."),
        (lambda: layers.SpecAugment(seed=1.5), r"`seed` must be an integer or None. Received: seed=1.5."),
        (
            lambda: layers.RandomGain(gain_db=(6, -6)),
            r"`gain_db` must be a \(low, high\) pair with low <= high",
        ),
        (
            lambda: layers.AddNoise(snr_db=(30.0, 10.0)),
            r"`snr_db` must be a \(low, high\) pair with low <= high. Received: snr_db=\(30.0, 10.0\).",
        ),
        (lambda: layers.AddNoise(color="brown"), r"`color` must be one of 'white', 'pink'."),
        (
            lambda: layers.RandomTimeShift(max_shift=-0.1),
            r"`max_shift` must be >= 0.0. Received: max_shift=-0.1.",
        ),
        (lambda: layers.RandomTimeShift(mode="wrap"), r"`mode` must be one of 'roll', 'zeros'."),
        (lambda: layers.Mixup(alpha=-1.0), r"`alpha` must be > 0.0. Received: alpha=-1.0."),
    ],
)
def test_invalid_arguments_fail_at_construction(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


@pytest.mark.parametrize(
    ("make", "shape", "message"),
    [
        (
            lambda: layers.SpecAugment(freq_mask_param=30),
            (2, 100, 20),
            r"`freq_mask_param` must be <= the number of bins. Received: freq_mask_param=30, bins=20.",
        ),
        (
            lambda: layers.SpecAugment(time_mask_param=50),
            (2, 40, 20),
            r"`time_mask_param` must be <= the number of frames. Received: time_mask_param=50, frames=40.",
        ),
        (
            lambda: layers.SpecAugment(time_warp_param=20),
            (2, 40, 20),
            r"`time_warp_param` must be < \(frames - 1\) / 2. Received: time_warp_param=20, frames=40.",
        ),
        (lambda: layers.SpecAugment(), (2, 100), r"`inputs` must be of rank 3 or 4"),
        (lambda: layers.RandomGain(), (2, 100, 2, 1), r"`inputs` must be of rank 2 or 3"),
    ],
)
def test_masks_wider_than_a_known_axis_fail_at_build(make, shape, message):
    with pytest.raises(ParameterError, match=message):
        make().build(shape)


def test_masks_are_checked_against_unknown_axes_at_run_time_only():
    layer = layers.SpecAugment(time_mask_param=50, time_warp_param=30, mask_value="zero", seed=1)
    layer.build((2, None, 20))
    out = to_numpy(layer(np.ones((8, 12, 20), np.float32), training=True))
    assert out.shape == (8, 12, 20) and (out == 0).all(axis=2).sum(axis=1).max() <= 12
