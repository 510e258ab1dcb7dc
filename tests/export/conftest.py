"""Fixtures shared by the export tests."""

import pytest

from tests.export.zoo import SAMPLE_RATE


@pytest.fixture(scope="session")
def classifier_file(tmp_path_factory):
    """A small ``audioflow train``-style classifier saved as .keras (raw audio in, probabilities out)."""
    from audioflow.models import build_classifier

    model = build_classifier(
        ["yes", "no", "up"], sample_rate=SAMPLE_RATE, duration=0.25, size="small", seed=0
    )
    path = tmp_path_factory.mktemp("classifier") / "model.keras"
    model.save(path)
    return path
