"""audioflow.training: the steps of `audioflow train`, called from Python."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

from audioflow import AudioflowError, training
from audioflow.synthetic import SYNTHETIC_CLASSES, make_synthetic_dataset

# One xdist worker runs this module (`--dist loadgroup`): the classifier is trained once.
pytestmark = pytest.mark.xdist_group("train-classifier")

# A model that trains in seconds on a 2-core CPU.
TINY = dict(n_fft=256, n_mels=32, width=8)
CLIP = dict(sample_rate=8000, duration=0.25)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """Clips of 0.5 s: twice the model's clip, so random and centre crops differ."""
    root = tmp_path_factory.mktemp("training-data")
    make_synthetic_dataset(
        root, examples_per_class=5, duration=0.5, classes=["tone", "chirp_up", "noise_burst"]
    )
    return root


@pytest.fixture(scope="module")
def result(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("training-run") / "run"
    # batch_size=9, the 9 training files: one batch shape, so JAX compiles the training step once
    # (8 left a batch of 1, a second compilation).
    return training.train_classifier(
        data_dir, out=out, epochs=3, batch_size=9, validation_split=0.4, seed=3, **CLIP, **TINY
    )


def _batches(dataset):
    return [(np.asarray(x), np.asarray(y)) for x, y in dataset]


def _by_label(batches):
    """Clips keyed by (label, rounded samples), order-free (the datasets reshuffle every epoch)."""
    return sorted(
        (int(label), np.round(clip, 6).tobytes())
        for x, y in batches
        for clip, label in zip(x, y, strict=True)
    )


def test_validation_is_the_same_centre_crops_every_epoch(data_dir):
    data = training.make_datasets(data_dir, batch_size=4, validation_split=0.4, seed=1, **CLIP)
    assert data.class_names == ["chirp_up", "noise_burst", "tone"]
    assert (data.train_files, data.validation_files) == (9, 6)
    first, second = _batches(data.validation), _batches(data.validation)
    assert _by_label(first) == _by_label(second)
    # the centre 0.25 s of each file
    from audioflow.data import load

    centres = []
    for path in data.validation.file_paths:
        y, _ = load(path, sample_rate=8000)
        start = (y.size - 2000) // 2
        centres.append(np.round(y[start : start + 2000], 6).tobytes())
    assert sorted(c for _, c in _by_label(first)) == sorted(centres)
    # training crops are drawn again every epoch
    assert _by_label(_batches(data.train)) != _by_label(_batches(data.train))


def test_training_and_validation_files_are_disjoint_and_complete(data_dir):
    data = training.make_datasets(data_dir, batch_size=4, validation_split=0.4, seed=1, **CLIP)
    train, validation = set(data.train.file_paths), set(data.validation.file_paths)
    assert not train & validation
    assert len(train | validation) == 15


def test_one_accuracy_everywhere(result):
    evaluation, report = result.evaluation, result.report
    matrix = evaluation.confusion_matrix
    assert matrix.sum() == evaluation.clips == 6
    assert evaluation.accuracy == np.trace(matrix) / matrix.sum()
    assert report["val_accuracy"] == report["evaluation_accuracy"] == evaluation.accuracy
    # Keras' figure for the restored epoch, measured on the same centre crops (float32)
    history = result.fit.history["val_accuracy"]
    assert evaluation.accuracy == pytest.approx(history[result.fit.best_epoch], abs=1e-6)
    assert history[result.fit.best_epoch] == max(history)
    val_loss = result.fit.history["val_loss"]
    ties = [e for e, accuracy in enumerate(history) if accuracy == max(history)]
    assert result.fit.best_epoch == min(ties, key=lambda e: (val_loss[e], e))  # ties: lower val_loss
    assert report["best_epoch"] == result.fit.best_epoch + 1
    for i, name in enumerate(evaluation.class_names):
        assert report["per_class_accuracy"][name] == pytest.approx(matrix[i, i] / matrix[i].sum())


def test_evaluation_is_deterministic_and_uses_the_restored_weights(result, data_dir):
    data = training.make_datasets(data_dir, batch_size=8, validation_split=0.4, seed=3, **CLIP)
    again = training.evaluate_classifier(result.model, data)
    np.testing.assert_array_equal(again.confusion_matrix, result.evaluation.confusion_matrix)


def test_outputs_are_written_as_strict_json(result):
    assert sorted(result.outputs) == sorted(training.OUTPUT_NAMES)
    text = open(result.outputs["report.json"]).read()

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    report = json.loads(text, parse_constant=refuse)
    assert report["classes"] == ["chirp_up", "noise_burst", "tone"]
    assert report["evaluation"] == {"clips": 6, "crop": "center", "weights": "best epoch"}
    model = keras.saving.load_model(result.outputs["model.keras"])
    assert model.output_shape == (None, 3)


def test_strict_json_writes_null_for_missing_values():
    from audioflow.recipe.outputs import strict_json

    text = strict_json({"a": float("nan"), "b": [1.0, float("inf")], "c": np.float32(0.5), "d": np.int64(3)})
    assert json.loads(text) == {"a": None, "b": [1.0, None], "c": 0.5, "d": 3}


def test_outputs_all_or_nothing(result, tmp_path, monkeypatch):
    from audioflow.recipe import outputs as _training_outputs

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_training_outputs, "_confusion", interrupted)
    out = tmp_path / "new"
    with pytest.raises(KeyboardInterrupt):
        training.write_outputs(
            out, model=result.model, evaluation=result.evaluation, fit=result.fit, report=result.report
        )
    assert not out.exists()  # created here, removed again: nothing was written
    existing = tmp_path / "existing"
    existing.mkdir()
    (existing / "notes.txt").write_text("mine")
    with pytest.raises(KeyboardInterrupt):
        training.write_outputs(
            existing, model=result.model, evaluation=result.evaluation, fit=result.fit, report=result.report
        )
    assert [p.name for p in existing.iterdir()] == ["notes.txt"]  # no partial set, no temporaries
    monkeypatch.undo()
    paths = training.write_outputs(
        existing, model=result.model, evaluation=result.evaluation, fit=result.fit, report=result.report
    )
    assert sorted(p.name for p in existing.iterdir()) == sorted([*training.OUTPUT_NAMES, "notes.txt"])
    assert paths["report.json"] == str(existing / "report.json")


def test_outputs_refuse_to_overwrite_without_force(result, tmp_path):
    from audioflow import ParameterError

    (tmp_path / "report.json").write_text("precious")
    with pytest.raises(ParameterError, match="`out` must be a folder without earlier outputs"):
        training.write_outputs(
            tmp_path, model=result.model, evaluation=result.evaluation, fit=result.fit, report=result.report
        )
    assert (tmp_path / "report.json").read_text() == "precious"


def test_nothing_readable_is_said_so(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for i in range(5):
            (tmp_path / name / f"{i}.wav").write_text("not audio")
    with pytest.raises(AudioflowError, match=r"no audio file in '.*' was readable \(10 unreadable; first: "):
        training.make_datasets(tmp_path, batch_size=4, on_error="skip", **CLIP)
    # too few files for the split: still "nothing readable", not a complaint about the split
    for path in list((tmp_path / "b").iterdir())[2:]:
        path.unlink()
    for path in list((tmp_path / "a").iterdir())[2:]:
        path.unlink()
    with pytest.raises(AudioflowError, match="no audio file in .* was readable"):
        training.make_datasets(tmp_path, batch_size=4, validation_split=0.2, on_error="skip", **CLIP)


def test_model_options_pass_through_and_are_checked():
    from audioflow import ParameterError

    model = training.build_model(list(SYNTHETIC_CLASSES), **CLIP, **TINY)
    assert model.output_shape == (None, len(SYNTHETIC_CLASSES))
    with pytest.raises(ParameterError, match="`duration` must be"):
        training.build_model(["a", "b"], sample_rate=8000, duration=0.01, n_fft=256)
