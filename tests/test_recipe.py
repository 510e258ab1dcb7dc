"""audioflow.recipe: the recipe's parts, one default each, and the model they build."""

from __future__ import annotations

import dataclasses
import inspect
import subprocess
import sys

import numpy as np
import pytest

from audioflow.errors import ParameterError
from audioflow.recipe import (
    TRAINING_DEFAULTS,
    Augmentation,
    FrontEnd,
    Recipe,
    Schedule,
    TemporalResNet,
    recipe_from_options,
)
from audioflow.recipe.model import build_classifier, classifier_info
from tests.helpers import to_numpy

SR, DURATION, NAMES = 8000, 0.25, ["a", "b", "c"]


@pytest.mark.backend_independent
def test_the_parts_and_the_cli_parser_import_no_keras():
    code = (
        "import sys\n"
        "from audioflow.recipe import Recipe\nfrom audioflow.recipe.outputs import OUTPUT_NAMES\n"
        "from audioflow.cli import build_parser\n"
        "build_parser(); Recipe()\n"
        "print(sorted(m for m in ('keras', 'tensorflow', 'jax', 'torch') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.backend_independent
def test_every_default_is_declared_once_in_the_parts():
    """The flat-options functions and the CLI take their defaults from the parts' fields."""
    from audioflow.cli import build_parser
    from audioflow.recipe.training import train_classifier

    parts = {
        "sample_rate": Recipe.sample_rate, "duration": Recipe.duration, "frontend": FrontEnd.kind,
        "size": TemporalResNet.size, "n_mels": FrontEnd.n_mels, "f_min": FrontEnd.f_min,
        "kernel_size": TemporalResNet.kernel_size, "dropout": TemporalResNet.dropout,
    }  # fmt: skip
    signature = inspect.signature(build_classifier).parameters
    assert {name: signature[name].default for name in parts} == parts
    training = inspect.signature(train_classifier).parameters
    assert training["epochs"].default == Schedule.epochs == TRAINING_DEFAULTS["epochs"]
    assert training["sample_rate"].default == Recipe.sample_rate
    args = build_parser().parse_args(["train", "--out", "o"])
    assert (args.sample_rate, args.duration, args.learning_rate) == (
        Recipe.sample_rate,
        Recipe.duration,
        Schedule.learning_rate,
    )


@pytest.mark.backend_independent
def test_parts_are_validated_when_made():
    with pytest.raises(ParameterError, match="`frontend` must be one of"):
        FrontEnd(kind="mfcc")
    with pytest.raises(ParameterError, match="`size` must be one of"):
        TemporalResNet(size="huge")
    with pytest.raises(ParameterError, match="`epochs` must be"):
        Schedule(epochs=0)
    with pytest.raises(ParameterError, match="`duration` must be at least one window long"):
        Recipe(sample_rate=SR, duration=0.01)
    with pytest.raises(ParameterError, match="`win_length` must be <= `n_fft`"):
        Recipe(front_end=FrontEnd(n_fft=128, win_length=200))
    recipe = Recipe(sample_rate=SR, duration=DURATION)
    with pytest.raises(ParameterError, match="`duration` must be > 0"):
        recipe.replace(duration=0.0)  # a changed copy is validated again
    with pytest.raises(dataclasses.FrozenInstanceError):
        recipe.sample_rate = 16000  # type: ignore[misc]


@pytest.mark.backend_independent
def test_front_end_stft_sizes_follow_the_sample_rate_and_the_given_sizes():
    assert FrontEnd().stft(16000) == {"n_fft": 512, "win_length": 400, "hop_length": 160}
    assert FrontEnd(n_fft=128).stft(8000) == {"n_fft": 128, "win_length": 128, "hop_length": 80}
    assert FrontEnd(win_length=300).stft(8000) == {"n_fft": 512, "win_length": 300, "hop_length": 80}
    assert FrontEnd(window_seconds=0.05, hop_seconds=0.02).stft(8000) == {
        "n_fft": 512,
        "win_length": 400,
        "hop_length": 160,
    }


def test_build_classifier_is_the_recipe_of_its_options():
    options = dict(frontend="pcen", size="small", n_mels=32, f_max=3000.0, kernel_size=5, seed=4)
    flat = build_classifier(NAMES, sample_rate=SR, duration=DURATION, **options)
    recipe = recipe_from_options(sample_rate=SR, duration=DURATION, **options)
    assert recipe.build_model(NAMES).get_config() == flat.get_config()
    assert recipe.options()["frontend"] == "pcen" and recipe.augmentation == Augmentation(seed=4)


def test_changing_one_part_changes_only_that_part_of_the_model():
    base = Recipe(sample_rate=SR, duration=DURATION, model=TemporalResNet(size="small"))
    layers = {layer.name for layer in base.build_model(NAMES).layers}
    pcen = base.replace(front_end=FrontEnd(kind="pcen")).build_model(NAMES)
    assert {"mel", "pcen"} <= {layer.name for layer in pcen.layers}
    assert classifier_info(pcen)["feature_config"]["model"]["size"] == "small"
    quiet = base.replace(augmentation=None).build_model(NAMES)
    assert {layer.name for layer in quiet.layers} == layers - {
        "random_time_shift",
        "random_gain",
        "spec_augment",
    }
    x = np.zeros((2, int(SR * DURATION)), "float32")
    assert to_numpy(quiet(x)).shape == (2, 3)


def test_a_front_end_of_ones_own_is_a_subclass():
    import keras

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class LogMelOnly(FrontEnd):
        def __call__(self, x, *, sample_rate):
            from audioflow import layers

            return layers.LogMelSpectrogram(
                sample_rate=sample_rate, n_mels=self.n_mels, **self.stft(sample_rate)
            )(x)

    recipe = Recipe(sample_rate=SR, duration=DURATION, front_end=LogMelOnly(n_mels=16), augmentation=None)
    model = recipe.build_model(NAMES)
    assert "normalize" not in {layer.name for layer in model.layers}
    assert isinstance(model, keras.Model) and classifier_info(model)["feature_config"]["n_mels"] == 16


def test_schedule_compiles_with_its_own_settings():
    model = Recipe(sample_rate=SR, duration=DURATION, augmentation=None).build_model(NAMES)
    Schedule(epochs=4, label_smoothing=0.2, learning_rate=1e-2).compile(model, steps_per_epoch=5)
    assert model.loss.label_smoothing == 0.2
    (best,) = Schedule(epochs=4, patience=2).callbacks()
    assert best.patience == 2
