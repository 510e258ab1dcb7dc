"""Training progress: Keras' bar with the steps and an ETA from the first batch; verbose=0 is silent."""

from __future__ import annotations

import io
import re

import pytest

from audioflow import ParameterError, training
from audioflow.synthetic import make_synthetic_dataset

# 6 training clips in batches of 2: 3 steps, so the first batch is not the last.
RUN = dict(sample_rate=8000, duration=0.25, n_fft=256, n_mels=16, width=4, epochs=1, batch_size=2)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("progress-data")
    make_synthetic_dataset(root, examples_per_class=4, duration=0.25, classes=["tone", "noise_burst"])
    return root


def _updates(text):
    """Each redraw of the bar (Keras rewrites it with \\r / backspaces), ANSI colours removed."""
    return [part.strip() for part in re.split(r"[\r\n\b]+", ANSI.sub("", text)) if part.strip()]


def test_dataset_reports_its_length(data_dir):
    data = training.make_datasets(
        data_dir, sample_rate=8000, duration=0.25, batch_size=2, validation_split=0.25
    )
    assert (data.train_files, data.steps_per_epoch) == (6, 3)
    assert len(data.train) == 3  # Keras reads the bar's length (and ETA) from it (tf.data, torch, Grain)


def test_training_shows_steps_and_eta_from_the_first_batch(data_dir, capsys):
    training.train_classifier(data_dir, validation_split=0.25, **RUN)
    out = capsys.readouterr().out
    updates = _updates(out)
    # Before the first batch: what the slow first epoch does.
    notice = next(i for i, line in enumerate(updates) if line.startswith("epoch 1 also reads"))
    assert "6 training" in updates[notice] and "compiles the training step" in updates[notice]
    first = next(i for i, line in enumerate(updates) if re.match(r"1/3 ", line))
    assert notice < first
    # After the first of 3 batches: the step count and the time left (Keras: "1/3 ━━━ 4s 2s/step").
    assert re.match(r"1/3 \S+ (\d+s|\d+:\d\d(:\d\d)?) \d+(us|ms|s)/step", updates[first]), updates[first]
    assert any(line.startswith("3/3 ") for line in updates[first:])
    assert "validation accuracy" in out


def test_verbose_0_prints_nothing(data_dir, capsys):
    training.train_classifier(data_dir, validation_split=0.25, verbose=0, **RUN)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.backend_independent
def test_verbose_is_checked():
    with pytest.raises(ParameterError, match="`verbose` must be one of"):
        training.train_classifier("nowhere", verbose=3)


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_cli_progress_has_eta_on_a_terminal():
    """The CLI's display, driven as ``fit`` drives it: notice, bar with ETA, then its epoch line."""
    from audioflow.cli._progress import ProgressLogger

    stream = _Terminal()
    progress = ProgressLogger(
        epochs=2, steps=3, batch_size=2, train_clips=6, validation_clips=2, stream=stream
    )  # fmt: skip
    progress.set_params({"epochs": 2, "steps": 3, "verbose": 0})
    progress.on_train_begin()
    progress.on_epoch_begin(0)
    progress.on_train_batch_end(0, {"loss": 0.9, "accuracy": 0.5})
    progress.on_train_batch_end(1, {"loss": 0.8, "accuracy": 0.5})
    progress.on_epoch_end(0, {"loss": 0.7, "accuracy": 0.5, "val_loss": 0.6, "val_accuracy": 1.0})
    updates = _updates(stream.getvalue())
    assert updates[0].startswith("epoch 1 also reads") and "6 training, 2 validation" in updates[0]
    assert re.match(
        r"1/3 \S+ (\d+s|\d+:\d\d(:\d\d)?) \d+(us|ms|s)/step - loss: 0.9000 - accuracy: 0.5000", updates[1]
    ), updates[1]
    assert updates[-1].startswith("epoch 1/2  loss 0.7000") and "clips/s" in updates[-1]
    assert not any(line.startswith("Epoch") for line in updates)  # its own line names the epoch
