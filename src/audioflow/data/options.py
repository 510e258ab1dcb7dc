"""The checks of the dataset arguments (builders and :class:`AudioFileSource`), before any I/O."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

from audioflow._validation import check_bool, check_choice, check_int, check_number, parameter_error
from audioflow.io.clip import CROP_MODES, PAD_MODES, duration_to_samples

__all__ = ["LABEL_MODES", "DatasetSpec", "check_dataset_args"]

LABEL_MODES = ("int", "categorical", "binary", None)
_SUBSETS = (None, "training", "validation", "both")


@dataclass(frozen=True)
class DatasetSpec:
    """The validated arguments of a dataset builder (``length``: the crop length in samples)."""

    label_mode: object
    batch_size: object
    sample_rate: object
    length: object  # crop length in samples, or None for whole clips
    crop: str
    pad: str
    mono: bool
    shuffle: bool
    seed: int
    seed_given: bool
    validation_split: object
    subset: object
    on_error: str
    cache: object  # None, "memory" or a directory path
    num_parallel_calls: object
    num_shards: int
    shard_index: int


def _check_split(validation_split, subset, *, shuffle: bool, seed) -> None:
    """A validation split and its subset, given together; a seed when two calls must agree on it."""
    check_number("validation_split", validation_split, exclusive_minimum=0.0, allow_none=True)
    if validation_split is not None and validation_split >= 1:
        raise parameter_error("validation_split", "< 1", validation_split=validation_split)
    check_choice("subset", subset, _SUBSETS)
    if (subset is None) != (validation_split is None):
        raise parameter_error(
            "subset",
            "set together with `validation_split`",
            hint='Pass both (e.g. validation_split=0.2, subset="both") or neither.',
            subset=subset,
            validation_split=validation_split,
        )
    if validation_split is not None and shuffle and seed is None and subset != "both":
        raise parameter_error(
            "seed",
            'an integer when `validation_split` is used with shuffle=True and subset="training" or "validation"',
            hint="The two subsets are built by separate calls, which must agree on the split.",
            seed=seed,
            subset=subset,
        )


def _check_shards(num_shards, shard_index) -> int:
    """``num_shards`` (None: 1) and a ``shard_index`` below it; returns the shard count."""
    check_int("num_shards", num_shards, minimum=1, allow_none=True)
    num_shards = 1 if num_shards is None else num_shards
    check_int("shard_index", shard_index, minimum=0)
    if shard_index >= num_shards:
        raise parameter_error("shard_index", "< `num_shards`", shard_index=shard_index, num_shards=num_shards)
    return num_shards


def check_dataset_args(
    *,
    label_mode,
    batch_size,
    sample_rate,
    duration,
    crop,
    pad,
    mono,
    shuffle,
    seed,
    validation_split,
    subset,
    on_error,
    cache,
    num_parallel_calls,
    num_shards,
    shard_index,
) -> DatasetSpec:
    check_choice("label_mode", label_mode, LABEL_MODES)
    check_int("batch_size", batch_size, minimum=1, allow_none=True)
    check_int("sample_rate", sample_rate, minimum=1, allow_none=True)
    check_number("duration", duration, exclusive_minimum=0.0, allow_none=True)
    if duration is not None and sample_rate is None:
        raise parameter_error(
            "sample_rate",
            "set when `duration` is set",
            hint="A fixed clip length needs one sampling rate for every file.",
            sample_rate=sample_rate,
            duration=duration,
        )
    check_choice("crop", crop, CROP_MODES)
    check_choice("pad", pad, PAD_MODES)
    mono = check_bool("mono", mono)
    shuffle = check_bool("shuffle", shuffle)
    check_int("seed", seed, minimum=0, allow_none=True)
    _check_split(validation_split, subset, shuffle=shuffle, seed=seed)
    check_choice("on_error", on_error, ("raise", "skip"))
    if cache is not None and not (cache == "memory" or isinstance(cache, (str, os.PathLike))):
        raise parameter_error("cache", 'None, "memory" or a directory path', cache=cache)
    if num_parallel_calls != "auto":
        check_int("num_parallel_calls", num_parallel_calls, minimum=1)
    num_shards = _check_shards(num_shards, shard_index)
    length = None if duration is None else duration_to_samples(duration, sample_rate)
    if cache is not None and cache != "memory":
        cache = os.fspath(cache)
    seed_given = seed is not None
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    return DatasetSpec(
        label_mode=label_mode,
        batch_size=batch_size,
        sample_rate=sample_rate,
        length=length,
        crop=crop,
        pad=pad,
        mono=mono,
        shuffle=shuffle,
        seed=seed,
        seed_given=seed_given,
        validation_split=validation_split,
        subset=subset,
        on_error=on_error,
        cache=cache,
        num_parallel_calls=num_parallel_calls,
        num_shards=num_shards,
        shard_index=shard_index,
    )
