"""Which clips go into which batch of which shard in an epoch: the plan both loaders follow.

One pure function of ``(seed, epoch, shard)``, computed alike in every process, so that
``torch_loader`` and ``grain_loader`` read the same clips in the same order, every shard its own
disjoint part, every clip once per epoch across the shards; and the batches themselves
(NumPy): clips stacked, whole clips padded to the batch's longest with their lengths.
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np

from audioflow._validation import check_bool, check_int, check_number, parameter_error

__all__ = ["EpochPlan", "collate", "make_plan"]


@dataclasses.dataclass(frozen=True)
class EpochPlan:
    """The batching rule of a loader: ``batches(epoch)`` gives this shard's batches of indices."""

    size: int  # clips in the source
    batch_size: int | None  # clips per batch (a cap with max_duration)
    shuffle: bool
    seed: int
    shard_index: int
    shard_count: int
    drop_remainder: bool
    durations: np.ndarray | None = None  # seconds per clip, for duration bucketing
    max_duration: float | None = None
    num_buckets: int = 10

    def order(self, epoch: int) -> np.ndarray:
        """Every clip index once, in epoch ``epoch``'s order (a new permutation each epoch)."""
        if not self.shuffle:
            return np.arange(self.size)
        return np.random.default_rng((self.seed, epoch)).permutation(self.size)

    def batches(self, epoch: int) -> list[np.ndarray]:
        """This shard's batches of epoch ``epoch``; the shards' batches together hold every clip once."""
        if self.max_duration is not None:
            every = self._bucketed(epoch)
            return every[self.shard_index :: self.shard_count]
        mine = self.order(epoch)[self.shard_index :: self.shard_count]
        step = self.batch_size
        batches = [mine[i : i + step] for i in range(0, len(mine), step)]
        if self.drop_remainder and batches and len(batches[-1]) < step:
            batches.pop()
        return batches

    def _bucketed(self, epoch: int) -> list[np.ndarray]:
        """Lhotse's dynamic bucketing: clips of similar duration together, at most
        ``max_duration`` seconds of audio per batch (a longer clip is a batch of its own)."""
        order = self.order(epoch)
        durations = self.durations
        edges = np.quantile(durations, np.linspace(0, 1, self.num_buckets + 1)[1:-1]) if self.size else []
        bucket_of = np.searchsorted(edges, durations, side="right")
        batches = []
        for bucket in range(self.num_buckets):
            current, total = [], 0.0
            for index in order[bucket_of[order] == bucket]:
                full = self.batch_size is not None and len(current) >= self.batch_size
                if current and (full or total + durations[index] > self.max_duration):
                    batches.append(np.array(current))
                    current, total = [], 0.0
                current.append(index)
                total += durations[index]
            if current:
                batches.append(np.array(current))
        if self.shuffle:  # the buckets' batches interleaved, in a new order each epoch
            permutation = np.random.default_rng((self.seed, epoch, 1)).permutation(len(batches))
            batches = [batches[i] for i in permutation]
        return batches


def make_plan(
    source,
    *,
    batch_size,
    shuffle,
    seed,
    drop_remainder,
    shard_index,
    shard_count,
    max_duration,
    num_buckets,
    shard_names=("shard_index", "shard_count"),
) -> EpochPlan:
    """Check a loader's arguments and make its :class:`EpochPlan` (reads headers for bucketing).

    ``shard_names``: what the loader calls the shard arguments (``("rank", "world_size")``).
    """
    index_name, count_name = shard_names
    check_int("batch_size", batch_size, minimum=1, allow_none=max_duration is not None)
    shuffle = check_bool("shuffle", shuffle)
    check_int("seed", seed, minimum=0, allow_none=True)
    drop_remainder = check_bool("drop_remainder", drop_remainder)
    check_int(count_name, shard_count, minimum=1)
    check_int(index_name, shard_index, minimum=0)
    if shard_index >= shard_count:
        raise parameter_error(
            index_name, f"< `{count_name}`", **{index_name: shard_index, count_name: shard_count}
        )
    check_number("max_duration", max_duration, exclusive_minimum=0.0, allow_none=True)
    check_int("num_buckets", num_buckets, minimum=1)
    if max_duration is not None and drop_remainder:
        raise parameter_error(
            "drop_remainder",
            "False with `max_duration` (duration batches have no fixed size to fill)",
            drop_remainder=drop_remainder,
            max_duration=max_duration,
        )
    if seed is None:
        if shard_count > 1 and shuffle and not source.seed_given:
            raise parameter_error(
                "seed",
                "an integer when the loader is sharded and shuffled",
                hint="Every shard (rank) must draw the same permutation to read disjoint parts.",
                **{"seed": seed, count_name: shard_count},
            )
        seed = source.seed if source.seed_given else random.SystemRandom().randrange(2**31)
    durations = source.durations() if max_duration is not None else None
    return EpochPlan(
        size=len(source), batch_size=batch_size, shuffle=shuffle, seed=seed, shard_index=shard_index,
        shard_count=shard_count, drop_remainder=drop_remainder, durations=durations,
        max_duration=max_duration, num_buckets=num_buckets,
    )  # fmt: skip


def collate(items, *, length: int | None, has_labels: bool, channels: int | None, mono: bool):
    """Batch the items a source gave (None: a skipped file, left out) into NumPy arrays.

    Fixed-length clips: ``(audio, label)`` with ``audio`` ``(batch, samples[, channels])``.
    Whole clips: ``({"audio": (batch, longest[, channels]), "length": (batch,) int32}, label)``,
    zero-padded at the end, as the ``tf.data`` builders give them. Without labels: the audio part.
    """
    items = [item for item in items if item is not None]
    clips = [item[0] for item in items] if has_labels else items
    trailing = () if mono else (channels or (clips[0].shape[1] if clips else 1),)
    lengths = np.array([clip.shape[0] for clip in clips], np.int32)
    if length is not None:
        audio = np.stack(clips) if clips else np.zeros((0, length, *trailing), np.float32)
    else:
        audio = np.zeros((len(clips), int(lengths.max(initial=0)), *trailing), np.float32)
        for row, clip in enumerate(clips):
            audio[row, : clip.shape[0]] = clip
        audio = {"audio": audio, "length": lengths}
    if not has_labels:
        return audio
    labels = np.stack([item[1] for item in items]) if items else np.zeros((0,), np.int32)
    return audio, labels
