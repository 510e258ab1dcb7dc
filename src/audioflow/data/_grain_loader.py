""":func:`grain_loader`: an :class:`AudioFileSource` as a Grain ``IterDataset`` of NumPy batches.

Each pass is one epoch of the loader's :class:`~audioflow.data._plan.EpochPlan` (the same plan
as :func:`audioflow.data.torch_loader`): ``MapDataset.source(batches).map(decode)``, prefetched
by Grain's worker processes (``mp_prefetch``). Its iterators are Grain iterators:
``get_state()`` / ``set_state()`` checkpoint and resume mid-epoch.
"""

from __future__ import annotations

import atexit
import weakref

from audioflow._validation import check_int, parameter_error
from audioflow.data._plan import EpochPlan, collate, make_plan
from audioflow.data.source import AudioFileSource
from audioflow.errors import MissingDependencyError

try:
    import grain
except ImportError as error:  # pragma: no cover - depends on the environment
    raise MissingDependencyError(
        "audioflow.data.grain_loader needs Grain: `pip install audioflow[grain]`."
    ) from error

__all__ = ["AudioGrainLoader", "grain_loader"]


class _DecodeBatch:
    """One batch of indices -> the NumPy batch (runs in Grain's worker processes)."""

    def __init__(self, source: AudioFileSource, epoch: int):
        self.source, self.epoch = source, epoch
        self.options = dict(
            length=source.length,
            has_labels=source.labels is not None,
            channels=source.channels,
            mono=source.mono,
        )

    def __call__(self, indices):
        items = [self.source.get(int(index), epoch=self.epoch) for index in indices]
        return collate(items, **self.options)


class AudioGrainLoader(grain.IterDataset):
    """A Grain ``IterDataset`` over an :class:`AudioFileSource`: one epoch per pass.

    Made by :func:`grain_loader`. Each complete pass starts the next epoch (a new order and
    new random crops); :meth:`set_epoch` picks one. ``iter(loader)`` is a Grain
    ``DatasetIterator``: ``state = iterator.get_state()`` (a dict holding the epoch and
    Grain's own state) and, on a loader made with the same arguments,
    ``iterator = iter(loader); iterator.set_state(state)`` continue after the last batch.

    Attributes:
        source: the :class:`AudioFileSource`.
        skipped: the source's :class:`SkippedFiles` (files skipped in any worker included).
        epoch: the epoch the next pass serves.
        class_names, file_paths: the source's.
    """

    def __init__(self, source: AudioFileSource, plan: EpochPlan, *, num_workers: int, buffer_size: int):
        """Use :func:`grain_loader`."""
        super().__init__()
        self.source, self._plan = source, plan
        self._num_workers, self._buffer_size = num_workers, buffer_size
        self._epoch = 0

    skipped = property(lambda self: self.source.skipped)
    class_names = property(lambda self: self.source.class_names)
    file_paths = property(lambda self: self.source.file_paths)

    @property
    def epoch(self) -> int:
        return self._epoch

    def set_epoch(self, epoch: int) -> None:
        """Serve epoch ``epoch`` (>= 0) on the next pass."""
        check_int("epoch", epoch, minimum=0)
        self._epoch = epoch

    def __len__(self) -> int:
        """Batches in the next pass (this shard's)."""
        return len(self._plan.batches(self._epoch))

    def epoch_dataset(self, epoch: int) -> grain.IterDataset:
        """The Grain pipeline of one epoch: this shard's batches, decoded (in workers), in order."""
        batches = [batch.tolist() for batch in self._plan.batches(epoch)]
        dataset = grain.MapDataset.source(batches).map(_DecodeBatch(self.source, epoch)).to_iter_dataset()
        if self._num_workers:
            _absl_flags_parsed()
            options = grain.MultiprocessingOptions(
                num_workers=self._num_workers, per_worker_buffer_size=self._buffer_size
            )
            dataset = dataset.mp_prefetch(options)
        return dataset

    def __iter__(self) -> _EpochIterator:
        return _EpochIterator(self, self._epoch)


def _absl_flags_parsed() -> None:
    """Grain's worker processes read its absl flags, which raise until parsed: outside an absl app
    (``absl.app.run``), take their defaults, as Grain does in this process."""
    from absl import flags

    if not flags.FLAGS.is_parsed():
        flags.FLAGS.mark_as_parsed()


# Iterators still open at exit (one Keras peeked at, one abandoned mid-epoch) are closed while the
# interpreter can still run Grain's clean-up, so no worker or shared memory outlives the process.
_OPEN: weakref.WeakSet = weakref.WeakSet()
atexit.register(lambda: [iterator.close() for iterator in list(_OPEN)])


class _EpochIterator(grain.DatasetIterator):
    """Iterates one epoch's pipeline; its state is ``{"epoch", "grain": the pipeline's state}``."""

    def __init__(self, loader: AudioGrainLoader, epoch: int):
        super().__init__()
        self._loader, self._epoch = loader, epoch
        self._inner = iter(loader.epoch_dataset(epoch))
        _OPEN.add(self)

    def __next__(self):
        try:
            return next(self._inner)
        except StopIteration:
            self._loader._epoch = max(self._loader._epoch, self._epoch + 1)
            self.close()  # the epoch's workers are done
            raise

    def get_state(self) -> dict:
        plan = self._loader._plan
        return {"epoch": self._epoch, "seed": plan.seed, "size": plan.size, "grain": self._inner.get_state()}

    def set_state(self, state: dict) -> None:
        plan = self._loader._plan
        for name, value in (("seed", plan.seed), ("size", plan.size)):
            if state.get(name) != value:
                raise parameter_error(
                    "state",
                    f"a state of a loader with the same {name}",
                    expected=value,
                    received=state.get(name),
                )
        if state["epoch"] != self._epoch:
            self.close()
            self._epoch = int(state["epoch"])
            self._inner = iter(self._loader.epoch_dataset(self._epoch))
            _OPEN.add(self)
        self._inner.set_state(state["grain"])

    def close(self) -> None:
        """Stop this epoch's worker processes (also done at the epoch's end and at exit)."""
        _OPEN.discard(self)
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


def grain_loader(
    source: AudioFileSource,
    *,
    batch_size: int | None,
    shuffle: bool = True,
    seed: int | None = None,
    num_workers: int = 0,
    shard_index: int = 0,
    shard_count: int = 1,
    drop_remainder: bool = False,
    max_duration: float | None = None,
    num_buckets: int = 10,
    per_worker_buffer_size: int = 1,
) -> AudioGrainLoader:
    """A Grain ``IterDataset`` of NumPy ``(audio, label)`` batches from ``source``.

    The same epochs as :func:`audioflow.data.torch_loader` with the same arguments (the same
    batches in the same order): each clip of this shard once per epoch, a seeded order that
    changes every epoch, disjoint shards that together hold every clip, unreadable files left
    out of their batch. Batches are decoded in Grain's worker processes
    (``mp_prefetch``) and arrive in order. It feeds ``model.fit`` under ``KERAS_BACKEND=jax``
    (Keras reads Grain datasets) and plain loops; no TensorFlow involved.

    Args:
        source: an :class:`AudioFileSource`.
        batch_size: clips per batch (>= 1); with ``max_duration`` the most clips per batch, or None.
        shuffle: a new permutation every epoch (else file order).
        seed: the permutation's seed (>= 0); None: the source's seed if given, else one drawn
            now. Must be given (here or to the source) when ``shard_count > 1``.
        num_workers: Grain worker processes (0: decode in this process).
        shard_index, shard_count: this process's shard (``jax.process_index()``,
            ``jax.process_count()`` on many hosts): clips ``permutation[shard_index::shard_count]``.
        drop_remainder: drop this shard's last batch if it is short (fixed-size batches only);
            ``jax.jit`` then sees one batch shape.
        max_duration, num_buckets: duration bucketing, as in :func:`audioflow.data.torch_loader`.
        per_worker_buffer_size: batches each worker prepares ahead (>= 1).

    Returns:
        An :class:`AudioGrainLoader`. Batches as :func:`audioflow.data.torch_loader`'s, as NumPy:
        ``audio`` float32, labels int32 (or float32 one-hot / 0-1).

    Raises:
        ParameterError: an invalid argument.

    Example:
        >>> source = audioflow.data.AudioFileSource.from_directory("clips/", duration=1.0, seed=0)  # doctest: +SKIP
        >>> loader = audioflow.data.grain_loader(source, batch_size=32, num_workers=2)  # doctest: +SKIP
        >>> model.fit(loader, epochs=10)                                              # doctest: +SKIP
    """
    if not isinstance(source, AudioFileSource):
        raise parameter_error("source", "an audioflow.data.AudioFileSource", source=type(source).__name__)
    check_int("num_workers", num_workers, minimum=0)
    check_int("per_worker_buffer_size", per_worker_buffer_size, minimum=1)
    plan = make_plan(
        source, batch_size=batch_size, shuffle=shuffle, seed=seed, drop_remainder=drop_remainder,
        shard_index=shard_index, shard_count=shard_count, max_duration=max_duration, num_buckets=num_buckets,
    )  # fmt: skip
    return AudioGrainLoader(source, plan, num_workers=num_workers, buffer_size=per_worker_buffer_size)
