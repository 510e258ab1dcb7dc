"""The one place that touches TensorFlow internals (``tensorflow.python.data``).

:class:`AudioDataset` is a pass-through ``tf.data.Dataset`` (same variant tensor, same
element spec) whose iterator turns the opaque TensorFlow error raised by a failing decoding
thread back into the :class:`audioflow.AudioDecodeError` that caused it.
"""

from __future__ import annotations

import tensorflow as tf
from tensorflow.python.data.ops import dataset_ops, iterator_ops


class AudioDataset(dataset_ops.UnaryUnchangedStructureDataset):
    """A ``tf.data.Dataset`` that re-raises decoding failures as ``AudioDecodeError``."""

    def __init__(self, dataset, report):
        self._input_dataset = dataset
        self._audioflow_report = report
        super().__init__(dataset, dataset._variant_tensor)

    def __iter__(self):
        if tf.executing_eagerly() and not tf.inside_function():
            return _ErrorTranslatingIterator(self, self._audioflow_report)
        return super().__iter__()


class _ErrorTranslatingIterator(iterator_ops.OwnedIterator):
    """An eager ``tf.data.Iterator`` (Keras checks the type) that translates decoding errors."""

    def __init__(self, dataset, report):
        super().__init__(dataset=dataset)
        self._audioflow_report = report

    def _translate(self, error):
        original = self._audioflow_report._pop_raised(getattr(error, "message", "") or str(error))
        if original is None:
            raise error
        raise original from None

    def __next__(self):
        try:
            return super().__next__()
        except tf.errors.OpError as error:
            self._translate(error)

    def get_next(self):
        try:
            return super().get_next()
        except tf.errors.OpError as error:
            self._translate(error)


def input_datasets(dataset):
    """The datasets ``dataset`` was derived from (empty if unknown)."""
    try:
        return list(dataset._inputs())
    except Exception:  # noqa: BLE001 - best effort on a private API
        return []
