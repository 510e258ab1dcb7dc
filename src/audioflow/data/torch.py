"""A PyTorch ``IterableDataset`` over an audioflow ``tf.data`` dataset, for plain-PyTorch loops."""

from __future__ import annotations

import numpy as np

from audioflow.errors import MissingDependencyError

try:
    import torch
    from torch.utils.data import IterableDataset, get_worker_info
except ImportError as error:  # pragma: no cover - depends on the environment
    raise MissingDependencyError(
        "audioflow.data.TorchAudioDataset needs PyTorch: `pip install audioflow[torch]`."
    ) from error

__all__ = ["TorchAudioDataset"]


class TorchAudioDataset(IterableDataset):
    """Serve the batches of an audioflow dataset as ``torch.Tensor`` s.

    The decoding stays in ``tf.data`` (parallel threads, prefetching) and **the batches are
    the dataset's own**: use ``DataLoader(TorchAudioDataset(ds), batch_size=None)``. A
    ``DataLoader`` with a ``batch_size`` (its default is 1) stacks that many of these batches
    into one tensor with an extra leading axis - ``batch_size=4`` over batches of 8 one-second
    clips gives ``(4, 8, 16000)`` - so choose the batch size when building the dataset
    instead. Extra worker processes add nothing but copies (``num_workers=0``); with
    ``num_workers=k > 1`` each worker takes every k-th batch (``dataset.shard(k, worker_id)``),
    so no batch is served twice.

    Args:
        dataset: a dataset from :func:`audioflow.data.audio_dataset_from_directory` or
            :func:`audioflow.data.audio_dataset` (or any ``tf.data.Dataset``).

    Yields:
        The dataset's elements with every tensor converted to a CPU ``torch.Tensor``: float32
        audio; integer labels as int64 (``torch.long``, what ``CrossEntropyLoss`` and
        ``nll_loss`` take), float32 labels (categorical, binary) as they are; dicts and tuples
        keep their structure (``length`` stays int32). A decoding error raises
        :class:`audioflow.AudioDecodeError`, as :func:`audioflow.data.decode_error_from` finds it.

    Attributes:
        skipped: the :class:`SkippedFiles` report of the underlying dataset (or None).

    Example:
        >>> ds = audioflow.data.audio_dataset_from_directory("clips/", duration=1.0)  # doctest: +SKIP
        >>> loader = torch.utils.data.DataLoader(TorchAudioDataset(ds), batch_size=None)
        >>> for audio, label in loader:                                              # doctest: +SKIP
        ...     loss = torch.nn.functional.cross_entropy(model(audio), label)
    """

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset
        try:
            from audioflow.data.pipeline import skipped_files

            self.skipped = skipped_files(dataset)
        except (ImportError, ValueError):
            self.skipped = None

    def __iter__(self):
        import tensorflow as tf

        from audioflow.data._report import decode_error_from

        dataset = self.dataset
        worker = get_worker_info()
        if worker is not None and worker.num_workers > 1:
            dataset = dataset.shard(worker.num_workers, worker.id)
        iterator = iter(dataset)
        while True:
            try:
                element = next(iterator)
            except StopIteration:
                return
            except tf.errors.OpError as error:
                cause = decode_error_from(error)
                if cause is None:
                    raise
                raise cause from error
            yield _to_torch(_numpy(element))

    def __len__(self):
        cardinality = int(self.dataset.cardinality())
        if cardinality < 0:
            raise TypeError("the number of batches of this dataset is unknown")
        return cardinality


def _numpy(value):
    if isinstance(value, dict):
        return {key: _numpy(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_numpy(item) for item in value)
    return value.numpy() if hasattr(value, "numpy") else value


def _to_torch(value, label=False):
    """NumPy -> torch; the label (second item of an (x, y) pair) as int64 if it is an integer."""
    if isinstance(value, dict):
        return {key: _to_torch(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        items = [_to_torch(item, label=(index == 1 and len(value) == 2)) for index, item in enumerate(value)]
        return type(value)(items)
    array = np.asarray(value)
    if label and array.dtype.kind in "iu":
        array = array.astype(np.int64)
    return torch.from_numpy(array)
