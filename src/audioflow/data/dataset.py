"""``tf.data`` pipelines that decode, resample, crop and batch audio files on demand.

Pipeline, per epoch::

    file list (split, sharded) -> shuffle paths (seeded, re-drawn each epoch)
      -> decode + resample + crop/pad   (tf.data map, `num_parallel_calls` threads; soundfile
                                         and soxr release the GIL; only the crop is read)
      -> drop bad files (on_error="skip") -> batch -> prefetch

TensorFlow is needed to build the datasets (``pip install audioflow[tensorflow]``); the
datasets then feed ``model.fit`` on every Keras 3 backend (JAX and PyTorch included).
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import threading
from dataclasses import dataclass

import numpy as np

from audioflow._validation import (
    check_bool,
    check_choice,
    check_int,
    check_number,
    is_int,
    parameter_error,
)
from audioflow.data._report import SkippedFiles
from audioflow.data.io import AUDIO_EXTENSIONS, _read_excerpt, _read_plain_wav_into, info
from audioflow.data.transforms import CROP_MODES, PAD_MODES
from audioflow.data.transforms import pad as _pad
from audioflow.errors import AudioDecodeError, MissingDependencyError

__all__ = ["audio_dataset", "audio_dataset_from_directory", "skipped_files"]

_LABEL_MODES = ("int", "categorical", "binary", None)
_SUBSETS = (None, "training", "validation", "both")
# Files decoded per Python call: amortises the ~0.1-0.2 ms cost of one tf.numpy_function call
# (with a no-op decoder, tf.data costs ~27 us per 1 s clip in chunks of 16, ~17 us in chunks of 32;
# with the plain-WAV fast path, 1 s clips took ~47 us each in chunks of 64 vs ~55 us in chunks of 32).
_CHUNK = 64
# Batches prepared ahead of the consumer.
_PREFETCH = 2


def _tf():
    try:
        import tensorflow as tf
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "audioflow.data datasets are built with tf.data and need TensorFlow. "
            "Install it with `pip install audioflow[tensorflow]` (the datasets then feed "
            "Keras on any backend)."
        ) from error
    return tf


# ------------------------------------------------------------------------------------------------
# Arguments
# ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Spec:
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


def _check_common(
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
) -> _Spec:
    check_choice("label_mode", label_mode, _LABEL_MODES)
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
    check_choice("on_error", on_error, ("raise", "skip"))
    if cache is not None and not (cache == "memory" or isinstance(cache, (str, os.PathLike))):
        raise parameter_error("cache", 'None, "memory" or a directory path', cache=cache)
    if num_parallel_calls != "auto":
        check_int("num_parallel_calls", num_parallel_calls, minimum=1)
    check_int("num_shards", num_shards, minimum=1, allow_none=True)
    num_shards = 1 if num_shards is None else num_shards
    check_int("shard_index", shard_index, minimum=0)
    if shard_index >= num_shards:
        raise parameter_error("shard_index", "< `num_shards`", shard_index=shard_index, num_shards=num_shards)
    length = None
    if duration is not None:
        length = int(round(duration * sample_rate))
        if length < 1:
            raise parameter_error(
                "duration",
                "long enough to hold one sample at `sample_rate`",
                duration=duration,
                sample_rate=sample_rate,
            )
    if cache is not None and cache != "memory":
        cache = os.fspath(cache)
    seed_given = seed is not None
    if seed is None:
        seed = random.SystemRandom().randrange(2**31)
    return _Spec(
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


# ------------------------------------------------------------------------------------------------
# Public builders
# ------------------------------------------------------------------------------------------------
def audio_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    sample_rate=16000,
    duration=None,
    crop="random",
    pad="zeros",
    mono=True,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    on_error="raise",
    cache=None,
    num_parallel_calls="auto",
    follow_links=False,
    num_shards=None,
    shard_index=0,
):
    """A ``tf.data.Dataset`` of ``(audio, label)`` batches from a folder of audio files.

    A superset of ``keras.utils.audio_dataset_from_directory`` (same ``labels``,
    ``label_mode``, ``class_names``, ``batch_size``, ``shuffle``, ``seed``,
    ``validation_split``, ``subset``, ``follow_links``), with audioflow's vocabulary
    (``sample_rate`` = Keras ``sampling_rate``; ``duration`` in seconds replaces Keras'
    ``output_sequence_length`` in samples). Unlike Keras' loader it reads every format
    libsndfile reads (WAV of any encoding, FLAC, OGG/Vorbis, Opus, MP3, AIFF, CAF...; see
    :data:`audioflow.data.AUDIO_EXTENSIONS`), resamples with soxr (no tensorflow-io),
    reads only the part of a long file that a crop needs, and can skip and report bad files.

    With ``labels="inferred"`` the directory holds one sub-folder per class::

        directory/
            dog/  a.wav  b.flac
            cat/  c.mp3  sub/d.ogg     (sub-folders are searched recursively)

    Files directly in ``directory`` are ignored in that mode.

    Args:
        directory: the root folder.
        labels: "inferred" (class = sub-folder name), None (no labels: the dataset yields
            audio only; all files under ``directory`` are used), or a list/tuple of integer
            labels, one per file, for the files sorted by path (as Keras).
        label_mode: "int" (int32 class index), "categorical" (float32 one-hot of size
            ``num_classes``), "binary" (float32 0/1; exactly two classes), or None (no labels).
        class_names: with ``labels="inferred"``, the class order (must name exactly the
            sub-folders); default: sorted sub-folder names.
        batch_size: clips per batch (positive int), or None for unbatched examples.
        sample_rate: output rate in Hz (default 16000), or None for each file's native rate
            (only with ``duration=None``). Resampling: soxr "HQ", as ``librosa.load``.
        duration: clip length in seconds, or None for whole clips. Longer files are cropped
            (``crop``), shorter ones padded (``pad``); every clip has
            ``round(duration * sample_rate)`` samples.
        crop: "random" (start drawn uniformly, re-drawn every epoch, reproducible with
            ``seed``), "center" or "start".
        pad: "zeros" (silence appended) or "repeat" (the clip is tiled).
        mono: True averages channels (``(batch, samples)``); False keeps them
            (``(batch, samples, channels)``); every file must then have the channel count of
            the first readable file, or it is a decoding error.
        shuffle: shuffle the file list before splitting, and again every epoch.
        seed: integer seed for the split, the shuffling and the random crops. None draws one:
            the dataset is then random but self-consistent.
        validation_split: fraction (0, 1) of files held out for validation; the last
            ``int(validation_split * n)`` files of the (seeded) shuffled list, as Keras.
        subset: "training", "validation", "both" (returns ``(train, validation)``), or None.
        on_error: "raise": iteration stops with :class:`audioflow.AudioDecodeError` naming
            the file and the reason. "skip": the example is dropped, a
            :class:`SkippedFileWarning` names the file and the reason (once per file), and
            ``dataset.skipped`` (a :class:`SkippedFiles`) lists every skipped file.
            Iterating the dataset in Python (``for x, y in ds``, Keras' JAX and PyTorch
            backends, :class:`TorchAudioDataset`) raises the ``AudioDecodeError`` itself; under
            ``model.fit`` with the TensorFlow backend iteration runs inside a ``tf.function``
            and the error arrives as a ``tf.errors.OpError`` whose message carries the same
            text (file and reason).
        cache: None; "memory" keeps each decoded, resampled (full-length, not yet cropped)
            clip in RAM after its first read; a directory path keeps them on disk as ``.npy``
            (keyed by path, size, modification time, ``sample_rate`` and ``mono``; reused
            across runs; crops are read from a memory map). Features are never cached.
        num_parallel_calls: how many chunks of 64 files are decoded at once, each in its own
            thread: "auto" (the number of CPU cores this process may use) or a positive int.
            The datasets switch tf.data's autotuner off (``options.autotune.enabled``); pass
            your own ``tf.data.Options`` to ``dataset.with_options`` to change that.
        follow_links: follow symbolic links to sub-folders.
        num_shards, shard_index: keep only files ``shard_index::num_shards`` of the (split)
            file list, for multi-worker training: each worker then decodes only its own files.
            With ``num_shards`` set, tf.distribute's auto-sharding is switched off.

    Returns:
        A ``tf.data.Dataset`` (or ``(train, validation)`` for ``subset="both"``) of
        ``(audio, label)`` batches, or of ``audio`` alone without labels:

        - ``duration`` set: ``audio`` is float32 ``(batch, samples)`` if ``mono`` else
          ``(batch, samples, channels)``.
        - ``duration=None``: whole clips, zero-padded at the end to the longest clip of the
          batch, with their true lengths: ``audio`` is a dict ``{"audio": (batch, max_samples
          [, channels]) float32, "length": (batch,) int32}``. Feed it to a model with two
          inputs named ``"audio"`` and ``"length"``, or map it (``ds.map(lambda x, y:
          (x["audio"], y))``).

        With ``on_error="raise"`` the dataset's ``cardinality()`` is the number of batches;
        with ``"skip"`` it is unknown (bad files are only found while reading).

        Each returned dataset has the attributes ``class_names`` (list of str or None),
        ``file_paths`` (the files it draws from, before shuffling) and ``skipped``.

    Raises:
        ParameterError: an invalid argument (checked before any I/O); a missing directory;
            a directory with no audio files; ``class_names`` that do not match the
            sub-folders; labels that do not match the files; a split that leaves a subset empty.

    Example:
        >>> train, val = audioflow.data.audio_dataset_from_directory(
        ...     "speech_commands/", sample_rate=16000, duration=1.0, batch_size=64,
        ...     validation_split=0.1, subset="both", seed=0, on_error="skip")  # doctest: +SKIP
        >>> model.fit(train, validation_data=val, epochs=10)                  # doctest: +SKIP
        >>> print(train.skipped.summary())                                    # doctest: +SKIP
    """
    spec = _check_common(
        label_mode=label_mode,
        batch_size=batch_size,
        sample_rate=sample_rate,
        duration=duration,
        crop=crop,
        pad=pad,
        mono=mono,
        shuffle=shuffle,
        seed=seed,
        validation_split=validation_split,
        subset=subset,
        on_error=on_error,
        cache=cache,
        num_parallel_calls=num_parallel_calls,
        num_shards=num_shards,
        shard_index=shard_index,
    )
    if not (labels in ("inferred", None) or isinstance(labels, (list, tuple))):
        raise parameter_error("labels", '"inferred", None, or a list/tuple of integer labels', labels=labels)
    if isinstance(labels, (list, tuple)) and not all(is_int(label) for label in labels):
        raise parameter_error("labels", "a list/tuple of integers (one per file)", labels=labels)
    if class_names is not None:
        _check_class_names(class_names)
        if labels != "inferred":
            raise parameter_error(
                "class_names", 'None unless labels="inferred"', class_names=class_names, labels=labels
            )
    check_bool("follow_links", follow_links)
    if not isinstance(directory, (str, os.PathLike)):
        raise parameter_error("directory", "a path", directory=directory)

    # ---- I/O starts here -------------------------------------------------------------------------
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise parameter_error("directory", "an existing directory", directory=directory)
    if labels == "inferred":
        found = sorted(
            entry.name
            for entry in os.scandir(directory)
            if entry.is_dir(follow_symlinks=follow_links) and not entry.name.startswith(".")
        )
        if class_names is not None:
            if sorted(class_names) != found:
                raise parameter_error(
                    "class_names",
                    "the names of the sub-folders of `directory`",
                    class_names=list(class_names),
                    subfolders=found,
                )
        else:
            class_names = found
        paths, label_ids = [], []
        for index, name in enumerate(class_names):
            files = _scan(os.path.join(directory, name), follow_links)
            paths += files
            label_ids += [index] * len(files)
    else:
        paths = _scan(directory, follow_links)
        label_ids = None
        if isinstance(labels, (list, tuple)):
            if len(labels) != len(paths):
                raise parameter_error(
                    "labels",
                    "a list with one label per audio file found in `directory`",
                    hint="Labels are matched to the files sorted by path.",
                    num_labels=len(labels),
                    num_files=len(paths),
                )
            label_ids = [int(label) for label in labels]
            if min(label_ids) < 0:
                raise parameter_error("labels", "non-negative integers", labels=labels)
    if not paths:
        raise parameter_error(
            "directory",
            "a folder holding audio files" + (" in its class sub-folders" if labels == "inferred" else ""),
            hint=f"Recognised extensions: {', '.join(AUDIO_EXTENSIONS)}.",
            directory=directory,
        )
    if labels is None or label_mode is None:
        label_ids = None
    num_classes = None
    if label_ids is not None:
        num_classes = len(class_names) if class_names is not None else max(label_ids) + 1
    return _build(paths, label_ids, num_classes, class_names, spec)


def audio_dataset(
    files,
    labels=None,
    label_mode="int",
    class_names=None,
    batch_size=32,
    sample_rate=16000,
    duration=None,
    crop="random",
    pad="zeros",
    mono=True,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    on_error="raise",
    cache=None,
    num_parallel_calls="auto",
    num_shards=None,
    shard_index=0,
):
    """A ``tf.data.Dataset`` of ``(audio, label)`` batches from a list of files or a CSV manifest.

    Same pipeline, options and outputs as :func:`audio_dataset_from_directory`; only the way
    files and labels are given differs.

    Args:
        files: a list/tuple of paths, or the path of a CSV manifest (``.csv``) with a header
            row naming a ``path`` column and, optionally, a ``label`` column. Relative paths in
            a manifest are relative to the manifest's folder. Labels in the manifest are used
            unless ``labels`` is given.
        labels: None (no labels, unless the manifest has them), or one label per file:
            integers (class indices) or strings (class names).
        label_mode: "int", "categorical", "binary" or None, as in
            :func:`audio_dataset_from_directory`.
        class_names: the classes, in index order. For string labels: default sorted unique
            labels; every label must be one of them. For integer labels: every label must be
            in ``range(len(class_names))``.
        (all other arguments): as in :func:`audio_dataset_from_directory`.

    Returns:
        As :func:`audio_dataset_from_directory`.

    Raises:
        ParameterError: an invalid argument (before any I/O); an empty file list; a file (or
            manifest row) that does not exist; labels of the wrong length; a label not in
            ``class_names``; a manifest without a ``path`` column.

    Example:
        >>> ds = audioflow.data.audio_dataset("train.csv", sample_rate=22050, duration=5.0,
        ...                                   seed=0)                          # doctest: +SKIP
    """
    spec = _check_common(
        label_mode=label_mode,
        batch_size=batch_size,
        sample_rate=sample_rate,
        duration=duration,
        crop=crop,
        pad=pad,
        mono=mono,
        shuffle=shuffle,
        seed=seed,
        validation_split=validation_split,
        subset=subset,
        on_error=on_error,
        cache=cache,
        num_parallel_calls=num_parallel_calls,
        num_shards=num_shards,
        shard_index=shard_index,
    )
    manifest = isinstance(files, (str, os.PathLike))
    if manifest:
        if not os.fspath(files).lower().endswith(".csv"):
            raise parameter_error(
                "files", "a list of paths or the path of a .csv manifest", files=os.fspath(files)
            )
    elif not isinstance(files, (list, tuple)) or not all(isinstance(f, (str, os.PathLike)) for f in files):
        raise parameter_error("files", "a list of paths or the path of a .csv manifest", files=files)
    if labels is not None:
        if not isinstance(labels, (list, tuple, np.ndarray)):
            raise parameter_error("labels", "None or a list with one label per file", labels=labels)
        labels = list(labels)
        if not (all(is_int(v) for v in labels) or all(isinstance(v, str) for v in labels)):
            raise parameter_error("labels", "all integers or all strings", labels=labels)
        if not manifest and len(labels) != len(files):
            raise parameter_error(
                "labels", "one label per file", num_labels=len(labels), num_files=len(files)
            )
    if class_names is not None:
        _check_class_names(class_names)

    # ---- I/O starts here -------------------------------------------------------------------------
    if manifest:
        paths, manifest_labels, rows = _read_manifest(os.fspath(files))
        if labels is None:
            labels = manifest_labels
        elif len(labels) != len(paths):
            raise parameter_error(
                "labels", "one label per manifest row", num_labels=len(labels), num_rows=len(paths)
            )
    else:
        paths = [os.fspath(f) for f in files]
        rows = None
    if not paths:
        raise parameter_error("files", "a non-empty list of audio files", files=files)
    missing = [(i, p) for i, p in enumerate(paths) if not os.path.isfile(p)]
    if missing:
        where = "row" if rows else "index"
        shown = "; ".join(f"{where} {rows[i] if rows else i}: '{p}'" for i, p in missing[:5])
        more = f" (and {len(missing) - 5} more)" if len(missing) > 5 else ""
        raise parameter_error(
            "files",
            "existing files",
            hint=f"Missing: {shown}{more}.",
            num_missing=len(missing),
        )

    label_ids, num_classes = None, None
    if labels is not None and label_mode is not None:
        label_ids, class_names, num_classes = _encode_labels(labels, class_names)
    return _build(paths, label_ids, num_classes, class_names, spec)


def skipped_files(dataset) -> SkippedFiles:
    """The :class:`SkippedFiles` report of a dataset built by audioflow, or of one derived from it.

    ``dataset.skipped`` is the same object for a dataset returned by a builder; this function
    also follows transformations (``ds.map(...).unbatch()...``) back to the builder's dataset.

    Raises:
        ParameterError: ``dataset`` does not come from an audioflow builder.
    """
    from audioflow.data import _tf_compat

    seen, stack = set(), [dataset]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        report = getattr(current, "_audioflow_report", None)
        if isinstance(report, SkippedFiles):
            return report
        stack += _tf_compat.input_datasets(current)
    raise parameter_error(
        "dataset",
        "a dataset built by audioflow.data (or derived from one)",
        dataset=type(dataset).__name__,
    )


# ------------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------------
def _check_class_names(class_names):
    if not isinstance(class_names, (list, tuple)) or not all(isinstance(c, str) for c in class_names):
        raise parameter_error("class_names", "a list of strings", class_names=class_names)
    if len(set(class_names)) != len(class_names):
        raise parameter_error("class_names", "unique", class_names=list(class_names))
    if not class_names:
        raise parameter_error("class_names", "non-empty", class_names=list(class_names))


def _scan(directory, follow_links):
    out = []
    for root, dirs, files in os.walk(directory, followlinks=follow_links):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and os.path.splitext(name)[1].lower() in AUDIO_EXTENSIONS:
                out.append(os.path.join(root, name))
    return out


def _read_manifest(path):
    if not os.path.isfile(path):
        raise parameter_error("files", "an existing CSV manifest", files=path)
    base = os.path.dirname(os.path.abspath(path))
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = [f.strip() for f in (reader.fieldnames or [])]
        if "path" not in fields:
            raise parameter_error(
                "files",
                "a CSV manifest whose header names a `path` column (and optionally `label`)",
                files=path,
                columns=fields,
            )
        reader.fieldnames = fields
        paths, labels, rows = [], [], []
        for row_number, row in enumerate(reader, start=2):
            entry = (row.get("path") or "").strip()
            if not entry:
                raise parameter_error(
                    "files", "a manifest with a path on every row", files=path, row=row_number
                )
            paths.append(entry if os.path.isabs(entry) else os.path.join(base, entry))
            rows.append(row_number)
            if "label" in fields:
                labels.append((row.get("label") or "").strip())
    if "label" not in fields:
        return paths, None, rows
    if labels and all(_looks_int(v) for v in labels):
        labels = [int(v) for v in labels]
    return paths, labels, rows


def _looks_int(value):
    try:
        int(value)
    except ValueError:
        return False
    return True


def _encode_labels(labels, class_names):
    if all(isinstance(v, str) for v in labels):
        if class_names is None:
            class_names = sorted(set(labels))
        index = {name: i for i, name in enumerate(class_names)}
        unknown = sorted(set(labels) - set(index))
        if unknown:
            raise parameter_error(
                "labels",
                "names listed in `class_names`",
                hint=f"Unknown label(s): {', '.join(repr(u) for u in unknown[:10])}.",
                class_names=list(class_names),
            )
        return [index[v] for v in labels], list(class_names), len(class_names)
    ids = [int(v) for v in labels]
    upper = len(class_names) if class_names is not None else None
    bad = [v for v in ids if v < 0 or (upper is not None and v >= upper)]
    if bad:
        requirement = f"in range(0, {upper})" if upper is not None else "non-negative"
        raise parameter_error("labels", f"integers {requirement}", bad_labels=sorted(set(bad))[:10])
    num_classes = upper if upper is not None else max(ids) + 1
    return ids, (list(class_names) if class_names is not None else None), num_classes


def _split(paths, label_ids, spec):
    """Keras' split: shuffle the list with ``seed`` (if shuffling), hold out the last fraction."""
    order = np.arange(len(paths))
    if spec.shuffle:
        np.random.RandomState(spec.seed).shuffle(order)
    paths = [paths[i] for i in order]
    label_ids = None if label_ids is None else [label_ids[i] for i in order]
    if spec.validation_split is None:
        return {None: (paths, label_ids)}
    num_val = int(spec.validation_split * len(paths))
    if num_val == 0 or num_val == len(paths):
        raise parameter_error(
            "validation_split",
            "a fraction that leaves both subsets non-empty",
            validation_split=spec.validation_split,
            num_files=len(paths),
        )
    cut = len(paths) - num_val
    subsets = {
        "training": (paths[:cut], None if label_ids is None else label_ids[:cut]),
        "validation": (paths[cut:], None if label_ids is None else label_ids[cut:]),
    }
    if spec.subset == "both":
        return subsets
    return {spec.subset: subsets[spec.subset]}


def _build(paths, label_ids, num_classes, class_names, spec):
    if spec.label_mode == "binary" and label_ids is not None and num_classes != 2:
        raise parameter_error(
            "label_mode",
            '"binary" only with exactly 2 classes',
            label_mode="binary",
            num_classes=num_classes,
        )
    channels = None if spec.mono else _first_channel_count(paths)
    subsets = _split(paths, label_ids, spec)
    built = []
    for offset, (name, (sub_paths, sub_labels)) in enumerate(subsets.items()):
        sub_paths = sub_paths[spec.shard_index :: spec.num_shards]
        sub_labels = None if sub_labels is None else sub_labels[spec.shard_index :: spec.num_shards]
        if not sub_paths:
            raise parameter_error(
                "num_shards",
                "at most the number of files",
                num_shards=spec.num_shards,
                num_files=len(subsets[name][0]),
            )
        built.append(_make_dataset(sub_paths, sub_labels, num_classes, class_names, channels, spec, offset))
    return tuple(built) if spec.subset == "both" else built[0]


def _cpu_count():
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _first_channel_count(paths):
    for path in paths[:100]:
        try:
            return info(path).channels
        except AudioDecodeError:
            continue
    return None  # decided by the first file decoded


class _Decoder:
    """The Python side of the map: decode one file into a clip (runs in tf.data threads)."""

    def __init__(self, spec, channels, report, paths):
        self.spec = spec
        self.paths = list(paths)
        self.channels = channels
        self.report = report
        self._lock = threading.Lock()
        self._memory = {} if spec.cache == "memory" else None
        if spec.cache not in (None, "memory"):
            os.makedirs(spec.cache, exist_ok=True)

    def empty(self):
        length = self.spec.length or 0
        if self.spec.mono:
            return np.zeros((length,), np.float32)
        return np.zeros((length, self.channels or 1), np.float32)

    def __call__(self, path, draw):
        path = path.decode("utf-8") if isinstance(path, bytes) else str(path)
        u = (int(draw) & 0xFFFFFFFF) / 2.0**32  # tf.data.Dataset.random: uniform 32-bit draws
        try:
            audio = self._clip(path, u)
        except AudioDecodeError as error:
            return self._fail(error)
        except Exception as error:  # noqa: BLE001 - any failure on a file is a decoding failure
            return self._fail(AudioDecodeError(path, f"{type(error).__name__}: {error}"))
        return audio, np.int32(audio.shape[0]), True

    def decode_chunk(self, indices, draws):
        """Decode a chunk of files in one Python call (amortises tf.numpy_function's overhead).

        ``indices`` index ``self.paths``: looking paths up here rather than passing a string
        tensor saves a gather and a conversion per file, and ops in the map function (each
        iterator, i.e. each epoch, re-optimises that function).

        Returns ``(audio, lengths, ok)``: audio stacked and zero-padded to the longest clip of
        the chunk, true lengths, and False where a file was skipped.
        """
        paths = [self.paths[i] for i in indices.tolist()]
        spec = self.spec
        if spec.length is not None and (spec.mono or self.channels is not None):
            return self._decode_fixed_chunk(paths, draws)
        results = [self(path, draw) for path, draw in zip(paths, draws, strict=True)]
        lengths = np.array([r[1] for r in results], np.int32)
        ok = np.array([r[2] for r in results], np.bool_)
        longest = int(lengths.max(initial=0))
        good = [clip for clip, _, fine in results if fine]
        trailing = (good[0] if good else results[0][0]).shape[1:]  # channels (mono=False)
        # np.empty, not zeros: only the tails are zeroed (a chunk of 1 s clips is ~1 MB to fill).
        audio = np.empty((len(results), longest) + trailing, np.float32)
        for row, (clip, length, _) in enumerate(results):
            audio[row, :length] = clip[:length]
            audio[row, length:] = 0
        if self.spec.length is not None and longest < self.spec.length:  # every file skipped
            audio = np.zeros((len(results), self.spec.length) + trailing, np.float32)
        return audio, lengths, ok

    def _decode_fixed_chunk(self, paths, draws):
        """decode_chunk for fixed-length clips: each clip is written straight into its row.

        Short plain WAV at the output rate (the common dataset of 1 s clips) takes
        io._read_plain_wav_into, with no per-file Python beyond this loop; every other file
        goes through the general path (__call__) and is copied into its row.
        """
        spec = self.spec
        channels = 1 if spec.mono else self.channels
        audio = np.empty((len(paths), spec.length) + (() if spec.mono else (channels,)), np.float32)
        rows = audio.reshape(len(paths), -1)  # views: each row contiguous, channels interleaved
        lengths = np.full(len(paths), spec.length, np.int32)
        ok = np.ones(len(paths), np.bool_)
        fast = spec.cache is None
        pad_zeros = spec.pad == "zeros"
        for i, (path, draw) in enumerate(zip(paths, draws, strict=True)):
            if fast and _read_plain_wav_into(path, rows[i], channels, spec.sample_rate, pad_zeros):
                continue
            clip, lengths[i], ok[i] = self(path, draw)
            audio[i] = clip if ok[i] else 0
        return audio, lengths, ok

    def _fail(self, error):
        if self.spec.on_error == "skip":
            self.report._add(error)
            empty = self.empty()
            return empty, np.int32(0), False
        self.report._record_raised(error)
        raise error

    def _clip(self, path, u):
        spec = self.spec
        if spec.cache is None:
            audio = _read_excerpt(path, spec.sample_rate, spec.mono, spec.length, spec.crop, u)
        else:
            audio = self._cached(path)
            if spec.length is not None:
                spare = audio.shape[0] - spec.length
                if spare > 0:
                    first = 0 if spec.crop == "start" else spare // 2
                    if spec.crop == "random":
                        first = min(spare, int(u * (spare + 1)))
                    audio = audio[first : first + spec.length]
            audio = np.array(audio, dtype=np.float32)  # copy out of a memory map
        if self.channels is None and not spec.mono:
            with self._lock:
                if self.channels is None:
                    self.channels = audio.shape[1]
        if not spec.mono and audio.shape[1] != self.channels:
            raise AudioDecodeError(
                path,
                f"has {audio.shape[1]} channel(s) but the dataset has {self.channels} "
                "(set by the first file); pass mono=True to mix every file down",
            )
        if spec.length is not None and audio.shape[0] != spec.length:
            audio = _pad(audio[: spec.length], spec.length, spec.pad)
        if spec.mono:
            audio = audio[:, 0]
        return np.ascontiguousarray(audio, dtype=np.float32)

    def _cached(self, path):
        stat = os.stat(path)
        key = hashlib.sha1(
            repr(
                (os.path.abspath(path), stat.st_size, stat.st_mtime_ns, self.spec.sample_rate, self.spec.mono)
            ).encode()
        ).hexdigest()
        if self._memory is not None:
            audio = self._memory.get(key)
            if audio is None:
                audio = _read_excerpt(path, self.spec.sample_rate, self.spec.mono, None, "start", 0.0)
                self._memory[key] = audio
            return audio
        target = os.path.join(self.spec.cache, key + ".npy")
        if os.path.exists(target):
            try:
                return np.load(target, mmap_mode="r")
            except (OSError, ValueError):
                pass  # a damaged cache entry: decode again and overwrite it
        audio = _read_excerpt(path, self.spec.sample_rate, self.spec.mono, None, "start", 0.0)
        temporary = f"{target}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(temporary, "wb") as handle:
            np.save(handle, audio)
        os.replace(temporary, target)
        return audio


def _make_dataset(paths, label_ids, num_classes, class_names, channels, spec, offset):
    tf = _tf()
    from audioflow.data import _tf_compat

    report = SkippedFiles()
    decoder = _Decoder(spec, channels, report, paths)
    n = len(paths)
    # Seeds: the same `seed` gives the same shuffles and crops; training and validation differ.
    shuffle_seed = (spec.seed * 4 + 2 * offset) % (2**63)
    crop_seed = (spec.seed * 4 + 2 * offset + 1) % (2**63)
    parallel = _cpu_count() if spec.num_parallel_calls == "auto" else spec.num_parallel_calls

    indices = tf.data.Dataset.range(n)
    if spec.shuffle:
        indices = indices.shuffle(n, seed=shuffle_seed, reshuffle_each_iteration=True)
    draws = tf.data.Dataset.random(seed=crop_seed, rerandomize_each_iteration=True)
    ds = tf.data.Dataset.zip((indices, draws)).batch(_CHUNK)
    label_table = tf.constant(label_ids if label_ids is not None else [0] * n, dtype=tf.int32)
    audio_shape = [None, spec.length] if spec.mono else [None, spec.length, channels]

    def encode_label(label):
        if spec.label_mode == "categorical":
            return tf.one_hot(label, num_classes, dtype=tf.float32)
        if spec.label_mode == "binary":
            return tf.cast(label, tf.float32)
        return label

    has_labels = label_ids is not None

    def decode(index, draw):
        audio, length, ok = tf.numpy_function(
            decoder.decode_chunk,
            [index, draw],
            [tf.float32, tf.int32, tf.bool],
            stateful=False,
        )
        audio.set_shape(audio_shape)
        length.set_shape([None])
        ok.set_shape([None])
        # Ops only where needed: every iterator (each epoch) instantiates and optimises this
        # function again, ~1 ms per pass for an unused label gather.
        outputs = [audio, length] + ([tf.gather(label_table, index)] if has_labels else [])
        if spec.on_error == "skip":
            outputs = [tf.boolean_mask(t, ok) for t in outputs]
        audio, length = outputs[:2]
        x = audio if spec.length is not None else {"audio": audio, "length": length}
        return (x, encode_label(outputs[2])) if has_labels else x

    # Files are decoded in chunks of _CHUNK per Python call, `parallel` chunks at a time; bad
    # files are dropped from their chunk, and the chunks are cut back into full batches (but the
    # last).
    ds = ds.map(decode, num_parallel_calls=parallel, deterministic=True)
    if spec.length is not None and spec.batch_size is not None:
        # Fixed-length clips: rebatch() moves slices of whole chunks; unbatch().batch() went
        # through tf.data once per example (~10 us more per clip, a tenth of a 1 s WAV's cost).
        ds = ds.rebatch(spec.batch_size)
    else:
        ds = ds.unbatch()
    if spec.length is None:

        def trim(x, *label):  # drop the chunk's padding; padded_batch re-pads to the batch
            x = {"audio": x["audio"][: x["length"]], "length": x["length"]}
            return (x, *label) if label else x

        ds = ds.map(trim)
        if spec.batch_size is not None:
            ds = ds.padded_batch(spec.batch_size)
    if spec.on_error == "raise":
        # Every file gives one example (or stops iteration), so the size is known even though
        # chunking and unbatch() hide it from tf.data; Keras uses it for steps and progress bars.
        ds = ds.apply(
            tf.data.experimental.assert_cardinality(
                n if spec.batch_size is None else -(-n // spec.batch_size)
            )
        )
    ds = ds.prefetch(_PREFETCH)
    options = tf.data.Options()
    # tf.data's autotuner costs a CPU thread's worth of modelling; on a 2-core machine that
    # slowed decoding by ~30% (benchmarks/bench_pipeline.py), so parallelism is set explicitly.
    options.autotune.enabled = False
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.OFF
        if spec.num_shards > 1
        else tf.data.experimental.AutoShardPolicy.DATA
    )
    ds = ds.with_options(options)
    ds = _tf_compat.AudioDataset(ds, report)
    ds.class_names = None if class_names is None else list(class_names)
    ds.file_paths = list(paths)
    ds.skipped = report
    return ds
