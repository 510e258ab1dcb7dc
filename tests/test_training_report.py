"""``report.json`` states each setting once: the values the model resolved, not the options' Nones."""

import types

import numpy as np

from audioflow.models import build_classifier
from audioflow.training import Evaluation, Fit, training_report

CLASSES = ["yes", "no"]


def test_training_settings_report_the_resolved_front_end_values():
    model = build_classifier(
        CLASSES, sample_rate=8000, duration=0.5, size="small", n_fft=None, hop_length=None
    )
    data = types.SimpleNamespace(
        class_names=CLASSES, directory="data", train_files=4, validation_files=2, skipped=lambda: []
    )
    fit = Fit(history={"loss": [1.0]}, best_epoch=0, epoch_seconds=[1.0], clips_per_second=[4.0], seconds=1.0)
    evaluation = Evaluation(CLASSES, np.array([[1, 0], [0, 1]]), examples={})
    settings = dict(
        epochs=1, batch_size=2, learning_rate=None, seed=0, validation_split=0.2, on_error="raise",
        cache="memory", frontend="logmel", n_fft=None, hop_length=None, n_mels=32,
    )  # fmt: skip
    report = training_report(model, data, fit, evaluation, settings=settings)
    features, training = report["features"], report["training"]
    assert features["n_fft"] == 256 and features["hop_length"] == 80  # 25 ms -> 256, 10 ms at 8 kHz
    for key in ("n_fft", "hop_length", "n_mels", "frontend"):
        assert training[key] == features[key], key
