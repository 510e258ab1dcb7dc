"""The public dataset builders: :func:`audio_dataset_from_directory` and :func:`audio_dataset`.

They check their arguments (before any I/O), find the files and labels (``sources``) and
build the ``tf.data`` pipeline (``pipeline``). TensorFlow is needed to build the datasets
(``pip install audioflow[tensorflow]``); the datasets then feed ``model.fit`` on every Keras 3
backend (JAX and PyTorch included).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Literal

from audioflow._validation import parameter_error
from audioflow.data.options import check_dataset_args
from audioflow.data.pipeline import build
from audioflow.data.source import AudioFileSource, LabelMode
from audioflow.data.sources import (
    check_directory_args,
    check_file_labels,
    check_no_empty_class,
    directory_sources,
    file_list_sources,
)

__all__ = ["audio_dataset", "audio_dataset_from_directory"]


def audio_dataset_from_directory(
    directory: str | os.PathLike,
    *,
    labels: Literal["inferred"] | Sequence[int] | None = "inferred",
    label_mode: LabelMode = "int",
    class_names: Sequence[str] | None = None,
    batch_size: int | None = 32,
    sample_rate: int | None = 16000,
    duration: float | None = None,
    crop: Literal["random", "center", "start"] = "random",
    pad: Literal["zeros", "repeat"] = "zeros",
    mono: bool = True,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: Literal["training", "validation", "both"] | None = None,
    on_error: Literal["raise", "skip"] = "raise",
    cache: Literal["memory"] | str | os.PathLike | None = None,
    num_parallel_calls: int | Literal["auto"] = "auto",
    follow_links: bool = False,
    num_shards: int | None = None,
    shard_index: int = 0,
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
        on_error: "raise": iteration stops at the first file that cannot be decoded. The
            decoder runs inside TensorFlow, so the error that arrives (from ``for x in ds``,
            from ``model.fit`` on every backend) is a ``tf.errors.OpError`` whose message
            holds the :class:`audioflow.AudioDecodeError`'s text (file and reason);
            :func:`audioflow.data.decode_error_from` gives back the ``AudioDecodeError``
            itself (:class:`TorchAudioDataset` raises it directly).
            "skip": every file's header is read when the dataset is built (in threads, a few
            tens of microseconds per file); files that cannot be opened are dropped there, and
            a file that fails later, while decoding, is dropped then. Each dropped file is
            named with its reason by a :class:`SkippedFileWarning` (once per file) and listed
            in ``dataset.skipped`` (a :class:`SkippedFiles`). A file dropped while decoding
            is replaced by a clip from a further (reshuffled) pass, so that every epoch has the
            length the dataset announces and Keras' ``fit`` runs without "Your input ran out
            of data". If no file at all can be read: ParameterError (at build time) or an
            ``AudioDecodeError`` (while decoding).
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

        The dataset's ``cardinality()`` is the number of batches: ``ceil(files / batch_size)``,
        counting with ``on_error="skip"`` only the files whose header could be read.

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
    spec = check_dataset_args(
        label_mode=label_mode, batch_size=batch_size, sample_rate=sample_rate, duration=duration,
        crop=crop, pad=pad, mono=mono, shuffle=shuffle, seed=seed, validation_split=validation_split,
        subset=subset, on_error=on_error, cache=cache, num_parallel_calls=num_parallel_calls,
        num_shards=num_shards, shard_index=shard_index,
    )  # fmt: skip
    check_directory_args(directory, labels, class_names, follow_links)
    found = directory_sources(directory, labels, class_names, spec.label_mode, follow_links)
    if labels == "inferred":
        check_no_empty_class(directory, found[0], found[3], follow_links)
    sources = AudioFileSource._from_found(
        found, spec, "directory", shuffle_files=spec.shuffle, shard=(spec.shard_index, spec.num_shards)
    )
    return build(sources, spec)


def audio_dataset(
    files: Sequence[str | os.PathLike] | str | os.PathLike,
    *,
    labels: Sequence[int] | Sequence[str] | None = None,
    label_mode: LabelMode = "int",
    class_names: Sequence[str] | None = None,
    batch_size: int | None = 32,
    sample_rate: int | None = 16000,
    duration: float | None = None,
    crop: Literal["random", "center", "start"] = "random",
    pad: Literal["zeros", "repeat"] = "zeros",
    mono: bool = True,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: Literal["training", "validation", "both"] | None = None,
    on_error: Literal["raise", "skip"] = "raise",
    cache: Literal["memory"] | str | os.PathLike | None = None,
    num_parallel_calls: int | Literal["auto"] = "auto",
    num_shards: int | None = None,
    shard_index: int = 0,
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
    spec = check_dataset_args(
        label_mode=label_mode, batch_size=batch_size, sample_rate=sample_rate, duration=duration,
        crop=crop, pad=pad, mono=mono, shuffle=shuffle, seed=seed, validation_split=validation_split,
        subset=subset, on_error=on_error, cache=cache, num_parallel_calls=num_parallel_calls,
        num_shards=num_shards, shard_index=shard_index,
    )  # fmt: skip
    manifest = isinstance(files, (str, os.PathLike))
    if manifest:
        if not os.fspath(files).lower().endswith(".csv"):
            raise parameter_error(
                "files", "a list of paths or the path of a .csv manifest", files=os.fspath(files)
            )
    elif not isinstance(files, (list, tuple)) or not all(isinstance(f, (str, os.PathLike)) for f in files):
        raise parameter_error("files", "a list of paths or the path of a .csv manifest", files=files)
    labels = check_file_labels(labels, class_names, None if manifest else len(files))
    found = file_list_sources(files, labels, class_names, spec.label_mode, manifest)
    sources = AudioFileSource._from_found(
        found, spec, "files", shuffle_files=spec.shuffle, shard=(spec.shard_index, spec.num_shards)
    )
    return build(sources, spec)
