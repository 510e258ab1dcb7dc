"""audioflow.models: the classifier, its recipe (compile, callbacks, defaults) and its files."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from audioflow.errors import ParameterError
from audioflow.models import (
    FRONTENDS,
    SIZES,
    TRAINING_DEFAULTS,
    SparseLabelSmoothingLoss,
    build_classifier,
    classifier_callbacks,
    classifier_info,
    compile_classifier,
    default_stft,
    load_classifier,
)
from tests.helpers import to_numpy

SR = 8000
DURATION = 0.25
CLIP = int(SR * DURATION)
NAMES = ["no", "yes", "maybe"]


def waveforms(batch=4, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(CLIP) / SR
    tones = np.stack([np.sin(2 * np.pi * (300 + 200 * i) * t) for i in range(batch)])
    return (0.3 * tones + 0.05 * rng.standard_normal((batch, CLIP))).astype(np.float32)


def small(**options):
    return build_classifier(NAMES, sample_rate=SR, duration=DURATION, size="small", seed=0, **options)


@pytest.mark.parametrize("frontend", FRONTENDS)
@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_frontend_and_size_builds_and_gives_probabilities(frontend, size):
    model = build_classifier(NAMES, sample_rate=SR, duration=DURATION, frontend=frontend, size=size)
    probabilities = to_numpy(model(waveforms(), training=False))
    assert probabilities.shape == (4, 3)
    assert np.all(np.isfinite(probabilities))
    np.testing.assert_allclose(probabilities.sum(axis=-1), 1.0, rtol=1e-5)
    assert model.layers[-1].name == "classifier_info"


def test_larger_sizes_have_more_parameters():
    counts = [small(augment=False).count_params()] + [
        build_classifier(NAMES, sample_rate=SR, duration=DURATION, size=s, augment=False).count_params()
        for s in ("medium", "large")
    ]
    assert counts == sorted(counts) and len(set(counts)) == 3


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_augmentation_is_inactive_at_inference_and_active_in_training(frontend):
    model = build_classifier(
        NAMES, sample_rate=SR, duration=DURATION, frontend=frontend, size="small", seed=1
    )
    x = waveforms()
    first = to_numpy(model.predict(x, verbose=0))
    np.testing.assert_array_equal(to_numpy(model.predict(x, verbose=0)), first)
    np.testing.assert_allclose(to_numpy(model(x, training=False)), first, rtol=1e-5, atol=1e-6)
    # Training mode draws new augmentations each call (BatchNorm also switches to batch statistics,
    # so compare two training calls with each other, not with inference).
    a, b = to_numpy(model(x, training=True)), to_numpy(model(x, training=True))
    assert np.abs(a - b).max() > 1e-4


def test_without_augmentation_training_calls_agree():
    model = small(augment=False, dropout=0.0)
    x = waveforms()
    np.testing.assert_allclose(
        to_numpy(model(x, training=True)), to_numpy(model(x, training=True)), rtol=1e-5, atol=1e-6
    )
    names = {layer.name for layer in model.layers}
    assert not names & {"spec_augment", "add_noise", "random_gain", "random_time_shift"}


def test_augmentation_layers_are_in_the_model():
    names = {layer.name for layer in small().layers}
    assert {"spec_augment", "random_gain", "random_time_shift"} <= names


@pytest.mark.parametrize("frontend", FRONTENDS)
def test_save_and_load_round_trip(tmp_path, frontend):
    model = build_classifier(NAMES, sample_rate=SR, duration=DURATION, frontend=frontend, size="small")
    x = waveforms()
    expected = to_numpy(model(x, training=False))
    path = tmp_path / "model.keras"
    model.save(path)
    loaded, info = load_classifier(path)
    np.testing.assert_allclose(to_numpy(loaded(x, training=False)), expected, rtol=1e-5, atol=1e-6)
    assert info == classifier_info(model)
    assert info["class_names"] == NAMES
    assert info["sample_rate"] == SR and info["clip_samples"] == CLIP
    assert info["feature_config"]["frontend"] == frontend


@pytest.mark.parametrize(
    ("frontend", "layer_class", "absent"),
    [
        ("logmel", "LogMelSpectrogram", {"pcen", "leaf"}),
        ("pcen", "PCEN", {"logmel", "normalize", "leaf"}),
        ("leaf", "Leaf", {"logmel", "normalize", "pcen", "mel"}),
    ],
)
def test_each_frontend_has_its_layers(frontend, layer_class, absent):
    model = small(frontend=frontend, augment=False)
    classes = {type(layer).__name__ for layer in model.layers}
    assert layer_class in classes
    assert not absent & {layer.name for layer in model.layers}
    if frontend == "pcen":
        pcen = model.get_layer("pcen")
        assert pcen.trainable and pcen.trainable_weights
        assert type(model.get_layer("mel")).__name__ == "MelSpectrogram"
    if frontend == "leaf":
        leaf = model.get_layer("leaf")
        assert leaf.n_filters == 40 and leaf.sample_rate == SR
        assert leaf.win_length == default_stft(SR)["win_length"]
        assert leaf.hop_length == default_stft(SR)["hop_length"]


@pytest.mark.parametrize("frontend", ["pcen", "leaf"])
def test_learnable_frontend_trains_one_step_and_round_trips(tmp_path, frontend):
    model = small(frontend=frontend)
    model.compile(
        optimizer=keras.optimizers.SGD(0.1), loss="sparse_categorical_crossentropy", jit_compile=False
    )
    layer = model.get_layer(frontend)
    before = [to_numpy(w).copy() for w in layer.trainable_weights]
    x, y = waveforms(), np.array([0, 1, 2, 0])
    logs = model.train_on_batch(x, y, return_dict=True)
    assert np.isfinite(float(logs["loss"]))
    after = [to_numpy(w) for w in layer.trainable_weights]
    assert any(np.abs(a - b).max() > 0 for a, b in zip(after, before, strict=True)), (
        "the front end did not learn"
    )
    expected = to_numpy(model.predict(x, verbose=0))
    np.testing.assert_array_equal(to_numpy(model.predict(x, verbose=0)), expected)
    model.save(tmp_path / "model.keras")
    loaded, _ = load_classifier(tmp_path / "model.keras")
    np.testing.assert_allclose(to_numpy(loaded.predict(x, verbose=0)), expected, rtol=1e-5, atol=1e-6)


def test_feature_config_holds_the_resolved_front_end():
    config = classifier_info(small())["feature_config"]
    assert {k: config[k] for k in ("n_fft", "win_length", "hop_length", "n_mels")} == {
        "n_fft": 256,
        "win_length": 200,
        "hop_length": 80,
        "n_mels": 40,
    }
    assert config["model"]["size"] == "small" and config["model"]["augment"] is True


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    ("sample_rate", "expected"),
    [
        (8000, {"n_fft": 256, "win_length": 200, "hop_length": 80}),
        (16000, {"n_fft": 512, "win_length": 400, "hop_length": 160}),
        (22050, {"n_fft": 1024, "win_length": 551, "hop_length": 220}),
        (44100, {"n_fft": 2048, "win_length": 1102, "hop_length": 441}),
    ],
)
def test_default_stft_is_25_ms_window_10_ms_hop(sample_rate, expected):
    assert default_stft(sample_rate) == expected


def test_explicit_stft_sizes_are_used():
    config = classifier_info(small(n_fft=128, hop_length=64))["feature_config"]
    assert (config["n_fft"], config["win_length"], config["hop_length"]) == (128, 128, 64)
    config = classifier_info(small(win_length=300))["feature_config"]
    assert (config["n_fft"], config["win_length"]) == (512, 300)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"frontend": "mfcc"}, "`frontend` must be one of"),
        ({"size": "huge"}, "`size` must be one of"),
        ({"augment": "yes"}, "`augment` must be True or False"),
        ({"duration": 0.01}, "`duration` must be at least one window long"),
        ({"duration": 0.0}, "`duration` must be > 0"),
        ({"n_fft": 128, "win_length": 200}, "`win_length` must be <= `n_fft`"),
        ({"dropout": 1.0}, "`dropout` must be"),
        ({"n_mels": 0}, "`n_mels` must be"),
    ],
)
def test_invalid_arguments_raise_parameter_error(options, match):
    arguments = {"sample_rate": SR, "duration": DURATION, **options}
    with pytest.raises(ParameterError, match=match):
        build_classifier(NAMES, **arguments)


@pytest.mark.parametrize(("names", "match"), [(["a"], "at least 2"), (["a", "a"], "unique")])
def test_invalid_class_names_raise_parameter_error(names, match):
    with pytest.raises(ParameterError, match=match):
        build_classifier(names, sample_rate=SR, duration=DURATION)


def test_compile_sets_warmup_then_cosine_schedule_and_the_loss():
    model = compile_classifier(small(), epochs=8, steps_per_epoch=10, learning_rate=1e-2)
    schedule = keras.optimizers.schedules.deserialize(model.optimizer.get_config()["learning_rate"])
    rates = [float(to_numpy(schedule(step))) for step in (0, 10, 45, 80)]
    assert rates[0] == pytest.approx(1e-3)  # warm-up starts at a tenth
    assert rates[1] == pytest.approx(1e-2)  # the peak after one epoch
    assert rates[1] > rates[2] > rates[3]
    assert rates[3] == pytest.approx(1e-4, rel=1e-3)  # 1% at the end
    assert isinstance(model.optimizer, keras.optimizers.AdamW)
    assert isinstance(model.loss, SparseLabelSmoothingLoss)
    assert model.loss.label_smoothing == TRAINING_DEFAULTS["label_smoothing"]


def test_compile_rejects_bad_run_lengths():
    with pytest.raises(ParameterError, match="`steps_per_epoch` must be"):
        compile_classifier(small(), epochs=3, steps_per_epoch=0)
    with pytest.raises(ParameterError, match="`learning_rate` must be > 0"):
        compile_classifier(small(), epochs=3, steps_per_epoch=2, learning_rate=0.0)


def test_loss_takes_integer_and_one_hot_labels_alike():
    probabilities = keras.ops.convert_to_tensor(np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], np.float32))
    sparse = SparseLabelSmoothingLoss(0.1)(np.array([0, 2]), probabilities)
    one_hot = SparseLabelSmoothingLoss(0.1)(np.eye(3, dtype=np.float32)[[0, 2]], probabilities)
    assert float(to_numpy(sparse)) == pytest.approx(float(to_numpy(one_hot)), rel=1e-6)
    plain = SparseLabelSmoothingLoss(0.0)(np.array([[0], [2]]), probabilities)
    reference = keras.losses.SparseCategoricalCrossentropy()(np.array([0, 2]), probabilities)
    assert float(to_numpy(plain)) == pytest.approx(float(to_numpy(reference)), rel=1e-5)
    assert float(to_numpy(sparse)) > float(to_numpy(plain))


def test_training_learns_and_restores_the_best_epoch(tmp_path):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 48)
    t = np.arange(CLIP) / SR
    x = np.stack([np.sin(2 * np.pi * (400 + 1200 * k) * t + rng.uniform(0, 6)) for k in labels])
    x = (x * rng.uniform(0.1, 0.5, (48, 1)) + 0.01 * rng.standard_normal(x.shape)).astype(np.float32)
    model = small()
    compile_classifier(model, epochs=4, steps_per_epoch=3)
    callbacks = classifier_callbacks(epochs=4)
    history = model.fit(
        x,
        labels,
        batch_size=16,
        epochs=4,
        validation_data=(x[:24], labels[:24]),
        callbacks=callbacks,
        verbose=0,
    )
    assert np.all(np.isfinite(history.history["loss"]))
    best = callbacks[0]
    assert best.restore_best_weights
    val = history.history["val_accuracy"]
    assert val[best.best_epoch] == max(val)
    restored = (to_numpy(model(x[:24], training=False)).argmax(-1) == labels[:24]).mean()
    assert restored == pytest.approx(max(val))
    model.save(tmp_path / "trained.keras")  # a compiled model with the recipe's loss saves
    loaded, _ = load_classifier(tmp_path / "trained.keras")
    assert loaded.count_params() == model.count_params()


def test_callbacks_stop_early_only_when_asked():
    (default,) = classifier_callbacks(epochs=20)
    assert default.patience == 20
    (early,) = classifier_callbacks(epochs=20, patience=3, monitor="val_loss")
    assert (early.patience, early.monitor) == (3, "val_loss")
    with pytest.raises(ParameterError, match="`monitor` must be one of"):
        classifier_callbacks(epochs=5, monitor="accuracy")


@pytest.mark.backend_independent
def test_training_defaults_name_the_recipe():
    assert TRAINING_DEFAULTS["frontend"] in FRONTENDS and TRAINING_DEFAULTS["size"] in SIZES
    assert TRAINING_DEFAULTS["augment"] is True
    assert {"epochs", "batch_size", "learning_rate"} <= set(TRAINING_DEFAULTS)


def test_deprecated_width_chooses_a_size():
    with pytest.warns(DeprecationWarning, match="`width` is deprecated"):
        model = build_classifier(NAMES, sample_rate=SR, duration=DURATION, width=16, augment=False)
    assert classifier_info(model)["feature_config"]["model"]["size"] == "small"
