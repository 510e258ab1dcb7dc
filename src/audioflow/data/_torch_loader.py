""":func:`torch_loader`: an :class:`AudioFileSource` as a ``torch.utils.data.DataLoader`` of tensor batches.

Worker processes decode whole batches (one batch per task, returned in order); the batches
follow the loader's :class:`~audioflow.data._plan.EpochPlan`: a seeded permutation per epoch,
``rank::world_size`` sharding, fixed-size or duration batches. No TensorFlow involved.
"""

from __future__ import annotations

import numpy as np

from audioflow._validation import check_bool, check_int, parameter_error
from audioflow.data._plan import EpochPlan, collate, make_plan
from audioflow.data.source import AudioFileSource
from audioflow.errors import MissingDependencyError

try:
    import torch
    from torch.utils.data import DataLoader, Dataset, Sampler
except ImportError as error:  # pragma: no cover - depends on the environment
    raise MissingDependencyError(
        "audioflow.data.torch_loader needs PyTorch: `pip install audioflow[torch]`."
    ) from error

__all__ = ["AudioDataLoader", "torch_loader"]


class _SourceDataset(Dataset):
    """Map-style dataset whose keys are ``(epoch, index)``: the epoch fixes the random crop."""

    def __init__(self, source: AudioFileSource):
        self.source = source

    def __len__(self):
        return len(self.source)

    def __getitem__(self, key):
        epoch, index = key
        return self.source.get(index, epoch=epoch)


class _PlanBatchSampler(Sampler):
    """Yields the keys of this shard's batches of one epoch, from ``position = (epoch, first batch)``."""

    def __init__(self, plan: EpochPlan):
        self.plan = plan
        self.position = (0, 0)

    def __iter__(self):
        epoch, start = self.position
        for batch in self.plan.batches(epoch)[start:]:
            yield [(epoch, int(index)) for index in batch]

    def __len__(self):
        return len(self.plan.batches(self.position[0]))


class _TorchCollate:
    """:func:`collate` then NumPy -> torch (integer labels as int64, what ``cross_entropy`` takes)."""

    def __init__(self, source: AudioFileSource):
        self.options = dict(
            length=source.length,
            has_labels=source.labels is not None,
            channels=source.channels,
            mono=source.mono,
        )

    def __call__(self, items):
        return _to_torch(collate(items, **self.options))


def _to_torch(value):
    if isinstance(value, dict):
        return {key: torch.from_numpy(item) for key, item in value.items()}
    if isinstance(value, tuple):
        audio, label = value
        label = label.astype(np.int64) if label.dtype.kind in "iu" else label
        return _to_torch(audio), torch.from_numpy(label)
    return torch.from_numpy(value)


class AudioDataLoader(DataLoader):
    """A ``DataLoader`` over an :class:`AudioFileSource` with epochs, resumption and sharding.

    Made by :func:`torch_loader`. Each complete pass starts the next epoch (a new order and
    new random crops); :meth:`set_epoch` picks one explicitly (as ``DistributedSampler``).
    :meth:`state_dict` taken mid-epoch, loaded into a loader made with the same arguments,
    makes its next pass continue after the last batch served (checkpoint it with the model).

    Attributes:
        source: the :class:`AudioFileSource`.
        skipped: the source's :class:`SkippedFiles` (files skipped in any worker included).
        epoch: the epoch the next pass serves.
        class_names, file_paths: the source's.
    """

    def __init__(self, source: AudioFileSource, plan: EpochPlan, **loader_options):
        """Use :func:`torch_loader`."""
        self.source, self._plan = source, plan
        self._epoch, self._start, self._live = 0, 0, None
        super().__init__(
            _SourceDataset(source), batch_sampler=_PlanBatchSampler(plan), collate_fn=_TorchCollate(source),
            **loader_options,
        )  # fmt: skip

    skipped = property(lambda self: self.source.skipped)
    class_names = property(lambda self: self.source.class_names)
    file_paths = property(lambda self: self.source.file_paths)

    @property
    def epoch(self) -> int:
        return self._epoch

    def set_epoch(self, epoch: int) -> None:
        """Serve epoch ``epoch`` (>= 0) from its start on the next pass."""
        check_int("epoch", epoch, minimum=0)
        self._epoch, self._start = epoch, 0

    def __iter__(self):
        epoch, start = self._epoch, self._start
        self._start = 0
        self.batch_sampler.position = (epoch, start)
        return self._serve(super().__iter__(), epoch, start)

    def _serve(self, batches, epoch, served):
        self._live = (epoch, served)
        for batch in batches:
            served += 1
            self._live = (epoch, served)
            yield batch
        self._live = None
        self._epoch = epoch + 1

    def state_dict(self) -> dict:
        """Where the loader stands: ``{"epoch", "batches" (served in that epoch), ...}``."""
        epoch, batches = self._live if self._live is not None else (self._epoch, self._start)
        plan = self._plan
        return dict(
            epoch=epoch, batches=batches, seed=plan.seed, size=plan.size,
            shard_index=plan.shard_index, shard_count=plan.shard_count,
        )  # fmt: skip

    def load_state_dict(self, state: dict) -> None:
        """Continue from ``state`` (from :meth:`state_dict`): the next pass starts after its last batch.

        Raises:
            ParameterError: ``state`` comes from a loader with another seed, size or sharding.
        """
        plan = self._plan
        for name, value in (("seed", plan.seed), ("size", plan.size), ("shard_count", plan.shard_count)):
            if state.get(name) != value:
                raise parameter_error(
                    "state",
                    f"a state of a loader with the same {name}",
                    expected=value,
                    received=state.get(name),
                )
        self._epoch, self._start, self._live = int(state["epoch"]), int(state["batches"]), None


def torch_loader(
    source: AudioFileSource,
    *,
    batch_size: int | None,
    shuffle: bool = True,
    seed: int | None = None,
    num_workers: int = 0,
    drop_remainder: bool = False,
    rank: int = 0,
    world_size: int = 1,
    max_duration: float | None = None,
    num_buckets: int = 10,
    prefetch_factor: int | None = None,
    persistent_workers: bool = False,
    pin_memory: bool = False,
) -> AudioDataLoader:
    """A ``torch.utils.data.DataLoader`` of ``(audio, label)`` tensor batches from ``source``.

    Every epoch serves each clip of this rank's shard once, in a seeded order that changes
    every epoch (the same on every run with the same ``seed``); the shards of ranks
    ``0..world_size-1`` are disjoint and together hold every clip (files skipped as unreadable
    leave their batch one clip shorter; no other clip is dropped or repeated). Workers decode
    whole batches and the batches arrive in order, so the output does not depend on
    ``num_workers``. It feeds ``model.fit`` under ``KERAS_BACKEND=torch`` and plain loops.

    Args:
        source: an :class:`AudioFileSource`.
        batch_size: clips per batch (>= 1). With ``max_duration``: the most clips per batch, or
            None for no limit.
        shuffle: a new permutation every epoch (else file order).
        seed: the permutation's seed (>= 0). None: the source's seed if it was given, else one
            drawn now. Must be given (here or to the source) when ``world_size > 1``.
        num_workers: worker processes decoding batches (0: in this process).
        drop_remainder: drop this rank's last batch if it is short (fixed-size batches only).
        rank, world_size: this process's shard, ``0 <= rank < world_size``: clips
            ``permutation[rank::world_size]``. Shard sizes differ by at most one clip (one
            batch with ``max_duration``); under DDP pass ``drop_remainder=True`` or wrap the loop
            in ``torch.distributed.algorithms.Join`` when the counts of batches may differ.
        max_duration: duration bucketing for long-form speech (as Lhotse's
            ``DynamicBucketingSampler``): clips of similar duration (``num_buckets`` quantile
            buckets of the header durations) batched together, at most ``max_duration``
            seconds of audio per batch; the batches of all buckets served in a seeded order.
        num_buckets: duration buckets (>= 1) with ``max_duration``.
        prefetch_factor, persistent_workers, pin_memory: passed to ``DataLoader`` (workers only).

    Returns:
        An :class:`AudioDataLoader`. Batches: ``audio`` float32 ``(batch, samples[, channels])``
        with the source's ``duration``; with ``duration=None``, ``{"audio": (batch, longest
        [, channels]) zero-padded, "length": (batch,) int32}``. ``label``: int64 class indices,
        float32 one-hot or 0/1; a source without labels gives the audio alone.

    Raises:
        ParameterError: an invalid argument.

    Example:
        >>> source = audioflow.data.AudioFileSource.from_directory("clips/", duration=1.0, seed=0)  # doctest: +SKIP
        >>> loader = audioflow.data.torch_loader(source, batch_size=32, num_workers=2)  # doctest: +SKIP
        >>> for epoch in range(10):                                                    # doctest: +SKIP
        ...     for audio, label in loader:
        ...         loss = torch.nn.functional.cross_entropy(model(audio), label)
    """
    if not isinstance(source, AudioFileSource):
        raise parameter_error("source", "an audioflow.data.AudioFileSource", source=type(source).__name__)
    check_int("num_workers", num_workers, minimum=0)
    check_int("world_size", world_size, minimum=1)
    check_int("prefetch_factor", prefetch_factor, minimum=1, allow_none=True)
    plan = make_plan(
        source, batch_size=batch_size, shuffle=shuffle, seed=seed, drop_remainder=drop_remainder,
        shard_index=rank, shard_count=world_size, max_duration=max_duration, num_buckets=num_buckets,
        shard_names=("rank", "world_size"),
    )  # fmt: skip
    options = dict(num_workers=num_workers, pin_memory=check_bool("pin_memory", pin_memory))
    if num_workers:
        options.update(persistent_workers=check_bool("persistent_workers", persistent_workers))
        if prefetch_factor is not None:
            options.update(prefetch_factor=prefetch_factor)
    return AudioDataLoader(source, plan, **options)
