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


def _to_torch(value):
    if isinstance(value, dict):
        return {key: _to_torch(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_to_torch(item) for item in value)
    return torch.from_numpy(np.asarray(value))


class TorchAudioDataset(IterableDataset):
    """Serve the batches of an audioflow dataset as ``torch.Tensor`` s.

    The decoding stays in ``tf.data`` (parallel threads, prefetching), so use it with
    ``DataLoader(TorchAudioDataset(ds), batch_size=None, num_workers=0)``: the dataset is
    already batched, and extra worker processes add nothing but copies. With
    ``num_workers=k > 1`` each worker takes every k-th batch (``dataset.shard(k, worker_id)``),
    so no batch is served twice.

    Args:
        dataset: a dataset from :func:`audioflow.data.audio_dataset_from_directory` or
            :func:`audioflow.data.audio_dataset` (or any ``tf.data.Dataset``).

    Yields:
        The dataset's elements with every tensor converted to a CPU ``torch.Tensor``
        (float32 audio, int32/float32 labels; dicts and tuples keep their structure).
        Decoding errors raise :class:`audioflow.AudioDecodeError` as on the dataset itself.

    Attributes:
        skipped: the :class:`SkippedFiles` report of the underlying dataset (or None).

    Example:
        >>> ds = audioflow.data.audio_dataset_from_directory("clips/", duration=1.0)  # doctest: +SKIP
        >>> for audio, label in TorchAudioDataset(ds):                                # doctest: +SKIP
        ...     loss = criterion(model(audio), label.long())
    """

    def __init__(self, dataset):
        super().__init__()
        self.dataset = dataset
        try:
            from audioflow.data.dataset import skipped_files

            self.skipped = skipped_files(dataset)
        except (ImportError, ValueError):
            self.skipped = None

    def __iter__(self):
        dataset = self.dataset
        worker = get_worker_info()
        if worker is not None and worker.num_workers > 1:
            dataset = dataset.shard(worker.num_workers, worker.id)
        for element in dataset:
            yield _to_torch(_numpy(element))

    def __len__(self):
        cardinality = int(self.dataset.cardinality())
        if cardinality < 0:
            raise TypeError("the number of batches is unknown (on_error='skip' drops files)")
        return cardinality


def _numpy(value):
    if isinstance(value, dict):
        return {key: _numpy(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return type(value)(_numpy(item) for item in value)
    return value.numpy() if hasattr(value, "numpy") else value
