"""The one place that touches TensorFlow internals: a dataset's inputs (``Dataset._inputs``)."""

from __future__ import annotations


def input_datasets(dataset):
    """The datasets ``dataset`` was derived from (empty if unknown)."""
    try:
        return list(dataset._inputs())
    except Exception:  # noqa: BLE001 - best effort on a private API
        return []
