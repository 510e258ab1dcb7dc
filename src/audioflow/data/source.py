""":class:`AudioFileSource`: audio files and their labels as a map-style source, with no framework.

``len(source)`` files; ``source[i]`` decodes file ``i`` on access (``audioflow.io``: soundfile or
the WAV reader, soxr, the crop's part of the file only) into ``(audio, label)`` NumPy values.
The folder scan, the labels, the training/validation split and the skipped-file report are the
ones :func:`audioflow.data.audio_dataset_from_directory` uses (it is built on this source), so
``torch_loader``, ``grain_loader`` and the ``tf.data`` builders read the same files the same way.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import struct
from collections.abc import Sequence
from typing import Literal

import numpy as np

from audioflow._validation import check_choice, parameter_error
from audioflow.data import _headers
from audioflow.data._report import SkippedFiles
from audioflow.data.decoder import finish_clip
from audioflow.data.options import DatasetSpec, check_dataset_args
from audioflow.data.sources import (
    check_directory_args,
    check_file_labels,
    check_no_empty_class,
    directory_sources,
    file_list_sources,
    split,
)
from audioflow.errors import AudioDecodeError
from audioflow.io._errors import reading
from audioflow.io.clip import crop_start
from audioflow.io.reader import read_excerpt

__all__ = ["AudioFileSource"]

LabelMode = Literal["int", "categorical", "binary"] | None


def uniform_draw(seed: int, epoch: int, index: int) -> float:
    """A number in [0, 1) fixed by ``(seed, epoch, index)``: where clip ``index``'s random crop starts.

    The same in every process (workers, ranks) and every run: crops do not depend on who reads.
    """
    digest = hashlib.blake2b(struct.pack("<QQQ", seed, epoch, index), digest_size=8).digest()
    return int.from_bytes(digest, "little") / 2.0**64


class AudioFileSource:
    """Audio files and their labels, decoded on access: ``len(source)``, ``source[i] -> (audio, label)``.

    Made with :meth:`from_directory`, :meth:`from_paths` or :meth:`from_csv`, which take the
    arguments of :func:`audioflow.data.audio_dataset_from_directory` and
    :func:`audioflow.data.audio_dataset` that concern files and clips (names, defaults and
    rules are the same). Needs no framework; :func:`audioflow.data.torch_loader` and
    :func:`audioflow.data.grain_loader` batch it, shuffle it per epoch, shard it and read it in
    worker processes. A source is picklable (it holds paths and settings, no open files).

    ``source[i]`` (or ``source.get(i, epoch=e)``) is ``(audio, label)``, or ``audio`` alone for a
    source without labels:

    - ``audio``: float32 ``(samples,)`` if ``mono`` else ``(samples, channels)``; with
      ``duration`` set, exactly ``round(duration * sample_rate)`` samples (cropped as ``crop``
      says, padded as ``pad`` says), else the whole clip.
    - ``label``: int32 class index (``label_mode="int"``), float32 one-hot ``(num_classes,)``
      ("categorical") or float32 0/1 ("binary").

    With ``crop="random"`` the crop of file ``i`` in epoch ``e`` is fixed by ``(seed, e, i)``,
    whichever process reads it. With ``on_error="skip"`` every header is read when the source
    is made (files that cannot be opened are left out of ``len(source)``), and a file that fails
    later, while decoding, gives None: it is named on stderr (a :class:`SkippedFileWarning`, or
    a line from a worker process) and listed in ``source.skipped``, also when a worker met it.
    With ``on_error="raise"`` it raises :class:`audioflow.AudioDecodeError` naming the file.

    Attributes:
        paths: the files ``source[i]`` reads, in index order (readable ones, in skip mode).
        labels: their class indices (list of int) or None.
        class_names: the class names in index order, or None.
        num_classes: the number of classes, or None.
        file_paths: every file found, before unreadable ones were left out.
        skipped: the :class:`SkippedFiles` report, shared with worker processes.
        sample_rate, duration, length, crop, pad, mono, label_mode, on_error, seed: the settings
            (``length``: ``duration`` in samples, or None); ``seed`` is drawn if none was given.
        channels: the channel count every clip must have (``mono=False``), or None.

    Example:
        >>> source = AudioFileSource.from_directory("clips/", duration=1.0, seed=0)  # doctest: +SKIP
        >>> audio, label = source[0]                                                 # doctest: +SKIP
        >>> audio.shape, audio.dtype, source.class_names[label]                      # doctest: +SKIP
        ((16000,), dtype('float32'), 'dog')
    """

    def __init__(
        self,
        paths: Sequence[str],
        labels: Sequence[int] | None,
        *,
        spec: DatasetSpec,
        class_names: Sequence[str] | None,
        num_classes: int | None,
        channels: int | None,
        file_paths: Sequence[str],
        skipped: SkippedFiles,
        cache: Literal["memory"] | None = None,
    ):
        """Use :meth:`from_directory`, :meth:`from_paths` or :meth:`from_csv`; this takes their results."""
        self.paths = list(paths)
        self.labels = None if labels is None or spec.label_mode is None else [int(v) for v in labels]
        self.class_names = None if class_names is None else list(class_names)
        self.num_classes = num_classes
        self.channels = channels
        self.file_paths = list(file_paths)
        self.skipped = skipped
        self._spec = spec
        self._cache = {} if cache == "memory" else None
        self._durations = None

    # -- constructors ---------------------------------------------------------------------------
    @classmethod
    def from_directory(
        cls,
        directory: str | os.PathLike,
        *,
        labels: Literal["inferred"] | Sequence[int] | None = "inferred",
        label_mode: LabelMode = "int",
        class_names: Sequence[str] | None = None,
        sample_rate: int | None = 16000,
        duration: float | None = None,
        crop: Literal["random", "center", "start"] = "random",
        pad: Literal["zeros", "repeat"] = "zeros",
        mono: bool = True,
        validation_split: float | None = None,
        subset: Literal["training", "validation", "both"] | None = None,
        seed: int | None = None,
        on_error: Literal["raise", "skip"] = "raise",
        follow_links: bool = False,
        cache: Literal["memory"] | None = None,
    ) -> AudioFileSource | tuple[AudioFileSource, AudioFileSource]:
        """A source over a folder of audio files, one sub-folder per class (``labels="inferred"``).

        Args:
            directory: the root folder. With ``labels="inferred"`` it holds one sub-folder per
                class (searched recursively; files directly in it are ignored).
            labels: "inferred" (class = sub-folder name), None (no labels: every audio file
                under ``directory``; items are ``audio`` alone), or one integer label per file,
                for the files sorted by path (as Keras).
            label_mode: "int" (int32 index), "categorical" (float32 one-hot), "binary" (float32
                0/1, exactly two classes) or None (no labels).
            class_names: with ``labels="inferred"``, the class order; must name exactly the
                sub-folders. Default: the sorted sub-folder names.
            sample_rate: output rate in Hz (default 16000; soxr "HQ", as ``librosa.load``), or
                None for each file's native rate (only with ``duration=None``).
            duration: clip length in seconds (``round(duration * sample_rate)`` samples), or None
                for whole clips.
            crop: where a longer file is cropped: "random" (fixed by ``seed``, the epoch and the
                index), "center" or "start". Only the crop's part of the file is decoded.
            pad: how a shorter clip is padded: "zeros" or "repeat".
            mono: True averages the channels; False keeps them (every file must then have the
                first readable file's channel count, or it is a decoding error).
            validation_split: fraction in (0, 1) held out for validation: the last
                ``int(validation_split * n)`` files of the list shuffled with ``seed`` (Keras' rule).
            subset: "training", "validation", "both" (returns ``(training, validation)``) or
                None; set together with ``validation_split``.
            seed: integer seed of the split and of random crops. None draws one (required with
                ``subset="training"`` or "validation", which separate calls must agree on).
            on_error: "raise" (an unreadable file raises AudioDecodeError) or "skip" (headers
                are read now, unreadable files left out and reported; a file failing later
                gives None and is reported).
            follow_links: follow symbolic links to sub-folders (a link loop is followed once).
            cache: None, or "memory": keep each decoded, resampled whole clip in this process's
                memory after its first read (crops are taken from it); for ``num_workers=0``.

        Returns:
            An :class:`AudioFileSource`, or ``(training, validation)`` for ``subset="both"``.

        Raises:
            ParameterError: an invalid argument (before any I/O); a missing directory, one with
                no audio, a class folder with no audio (the error names it); labels that do not
                match the files; a split that leaves a subset empty; no readable file (skip).

        Example:
            >>> train, val = AudioFileSource.from_directory(
            ...     "speech_commands/", duration=1.0, validation_split=0.1, subset="both",
            ...     seed=0, on_error="skip")                                  # doctest: +SKIP
        """
        spec = _source_spec(
            label_mode, sample_rate, duration, crop, pad, mono, validation_split, subset, seed, on_error
        )
        check_directory_args(directory, labels, class_names, follow_links)
        found = directory_sources(directory, labels, class_names, spec.label_mode, follow_links)
        if labels == "inferred":
            check_no_empty_class(directory, found[0], found[3], follow_links)
        return cls._from_found(
            found, spec, "directory", shuffle_files=validation_split is not None, cache=cache
        )

    @classmethod
    def from_paths(
        cls,
        paths: Sequence[str | os.PathLike],
        labels: Sequence[int] | Sequence[str] | None = None,
        *,
        label_mode: LabelMode = "int",
        class_names: Sequence[str] | None = None,
        sample_rate: int | None = 16000,
        duration: float | None = None,
        crop: Literal["random", "center", "start"] = "random",
        pad: Literal["zeros", "repeat"] = "zeros",
        mono: bool = True,
        validation_split: float | None = None,
        subset: Literal["training", "validation", "both"] | None = None,
        seed: int | None = None,
        on_error: Literal["raise", "skip"] = "raise",
        cache: Literal["memory"] | None = None,
    ) -> AudioFileSource | tuple[AudioFileSource, AudioFileSource]:
        """A source over a list of files, with one label per file (or none).

        Args:
            paths: the audio files (each must exist; a folder or FIFO in the list is a decoding
                error when read, never a hang).
            labels: None, or one label per file: all integers (class indices) or all strings
                (class names).
            class_names: the classes in index order. String labels: default their sorted unique
                values, every label must be one of them; integer labels must be in
                ``range(len(class_names))``.
            (all other arguments): as in :meth:`from_directory`.

        Returns:
            As :meth:`from_directory`.

        Raises:
            ParameterError: an invalid argument; an empty list; a missing file; labels of the
                wrong length or not in ``class_names``.

        Example:
            >>> source = AudioFileSource.from_paths(["a.wav", "b.flac"], ["dog", "cat"])  # doctest: +SKIP
        """
        if not isinstance(paths, (list, tuple)) or not all(isinstance(p, (str, os.PathLike)) for p in paths):
            raise parameter_error("paths", "a list of paths", paths=paths)
        spec = _source_spec(
            label_mode, sample_rate, duration, crop, pad, mono, validation_split, subset, seed, on_error
        )
        labels = check_file_labels(labels, class_names, len(paths))
        found = file_list_sources(list(paths), labels, class_names, spec.label_mode, manifest=False)
        return cls._from_found(found, spec, "paths", shuffle_files=validation_split is not None, cache=cache)

    @classmethod
    def from_csv(
        cls,
        manifest: str | os.PathLike,
        *,
        labels: Sequence[int] | Sequence[str] | None = None,
        label_mode: LabelMode = "int",
        class_names: Sequence[str] | None = None,
        sample_rate: int | None = 16000,
        duration: float | None = None,
        crop: Literal["random", "center", "start"] = "random",
        pad: Literal["zeros", "repeat"] = "zeros",
        mono: bool = True,
        validation_split: float | None = None,
        subset: Literal["training", "validation", "both"] | None = None,
        seed: int | None = None,
        on_error: Literal["raise", "skip"] = "raise",
        cache: Literal["memory"] | None = None,
    ) -> AudioFileSource | tuple[AudioFileSource, AudioFileSource]:
        """A source over a CSV manifest: a header naming a ``path`` column and optionally ``label``.

        Args:
            manifest: the ``.csv`` file. Relative paths are relative to its folder.
            labels: None (the manifest's ``label`` column, if any) or one label per row.
            (all other arguments): as in :meth:`from_paths`.

        Returns:
            As :meth:`from_directory`.

        Raises:
            ParameterError: as :meth:`from_paths`; a manifest without a ``path`` column, or a
                row without a path (the error gives the row number).

        Example:
            >>> source = AudioFileSource.from_csv("train.csv", duration=5.0, seed=0)  # doctest: +SKIP
        """
        if not isinstance(manifest, (str, os.PathLike)) or not os.fspath(manifest).lower().endswith(".csv"):
            raise parameter_error("manifest", "the path of a .csv file", manifest=manifest)
        spec = _source_spec(
            label_mode, sample_rate, duration, crop, pad, mono, validation_split, subset, seed, on_error
        )
        labels = check_file_labels(labels, class_names, None)
        found = file_list_sources(os.fspath(manifest), labels, class_names, spec.label_mode, manifest=True)
        return cls._from_found(found, spec, "files", shuffle_files=validation_split is not None, cache=cache)

    @classmethod
    def _from_found(cls, found, spec, source, *, shuffle_files, shard=(0, 1), cache=None):
        """Split (and shard) the files found, read headers in skip mode, make one source per subset."""
        paths, label_ids, num_classes, class_names = found
        check_choice("cache", cache, ("memory", None))
        if spec.label_mode == "binary" and label_ids is not None and num_classes != 2:
            raise parameter_error(
                "label_mode",
                '"binary" only with exactly 2 classes',
                label_mode="binary",
                num_classes=num_classes,
            )
        channels = None if spec.mono else _headers.first_channel_count(paths)
        subsets = split(paths, label_ids, dataclasses.replace(spec, shuffle=shuffle_files))
        index, count = shard
        made = []
        for name, (sub_paths, sub_labels) in subsets.items():
            all_paths = sub_paths[index::count]
            sub_labels = None if sub_labels is None else sub_labels[index::count]
            if not all_paths:
                raise parameter_error(
                    "num_shards",
                    "at most the number of files",
                    num_shards=count,
                    num_files=len(subsets[name][0]),
                )
            report = SkippedFiles(shared=spec.on_error == "skip")
            good = all_paths
            if spec.on_error == "skip":
                good, sub_labels = _headers.prescan(all_paths, sub_labels, channels, report, source)
            made.append(
                cls(
                    good,
                    sub_labels,
                    spec=spec,
                    class_names=class_names,
                    num_classes=num_classes,
                    channels=channels,
                    file_paths=all_paths,
                    skipped=report,
                    cache=cache,
                )  # fmt: skip
            )
        return tuple(made) if spec.subset == "both" else made[0]

    # -- settings -------------------------------------------------------------------------------
    sample_rate = property(lambda self: self._spec.sample_rate)
    length = property(lambda self: self._spec.length)
    crop = property(lambda self: self._spec.crop)
    pad = property(lambda self: self._spec.pad)
    mono = property(lambda self: self._spec.mono)
    label_mode = property(lambda self: self._spec.label_mode if self.labels is not None else None)
    on_error = property(lambda self: self._spec.on_error)
    seed = property(lambda self: self._spec.seed)
    seed_given = property(lambda self: self._spec.seed_given)

    @property
    def duration(self) -> float | None:
        return None if self.length is None else self.length / self.sample_rate

    # -- access ---------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int):
        """``self.get(index)``: item ``index`` with epoch 0's crop."""
        return self.get(index)

    def get(self, index: int, *, epoch: int = 0):
        """Decode file ``index`` -> ``(audio, label)`` (or ``audio``), or None if it was skipped.

        Args:
            index: in ``range(len(self))`` (negative indices count from the end).
            epoch: the epoch (>= 0) whose random crop to take (``crop="random"``).

        Raises:
            IndexError: ``index`` out of range.
            AudioDecodeError: the file cannot be decoded and ``on_error="raise"``.
        """
        if not -len(self.paths) <= index < len(self.paths):
            raise IndexError(f"index {index} out of range for a source of {len(self.paths)} file(s)")
        index = index % len(self.paths)
        path = self.paths[index]
        draw = uniform_draw(self.seed, epoch, index) if self.crop == "random" else 0.0
        try:
            with reading(path):
                audio = self._clip(path, draw)
        except AudioDecodeError as error:
            if self.on_error == "skip":
                self.skipped._add(error)
                return None
            raise
        return audio if self.labels is None else (audio, self.label(index))

    def label(self, index: int):
        """Item ``index``'s encoded label (no decoding): int32, or float32 one-hot / 0-1."""
        label = self.labels[index]
        if self._spec.label_mode == "categorical":
            return np.eye(self.num_classes, dtype=np.float32)[label]
        if self._spec.label_mode == "binary":
            return np.float32(label)
        return np.int32(label)

    def durations(self) -> np.ndarray:
        """Each item's duration in seconds (from the headers, read once; at most ``duration``).

        Duration bucketing (``max_duration`` of the loaders) groups clips by it. A file whose
        header cannot be read counts as 0 s (it is skipped or raises when it is read).
        """
        if self._durations is None:
            seconds = np.array(_headers.durations(self.paths), np.float64)
            if self.duration is not None:
                seconds = np.full_like(seconds, self.duration)
            self._durations = seconds
        return self._durations

    def _clip(self, path, draw):
        spec = self._spec
        if self._cache is None:
            audio = read_excerpt(path, spec.sample_rate, spec.mono, spec.length, spec.crop, draw)
        else:
            audio = self._cache.get(path)
            if audio is None:
                audio = self._cache[path] = read_excerpt(
                    path, spec.sample_rate, spec.mono, None, "start", 0.0
                )
            if spec.length is not None:
                first = crop_start(audio.shape[0] - spec.length, spec.crop, draw)
                audio = audio[first : first + spec.length]
        return finish_clip(path, audio, spec, self.channels)

    def __getstate__(self):
        state = dict(self.__dict__)
        if state["_cache"] is not None:
            state["_cache"] = {}  # a worker fills its own; the parent's clips are not copied over
        return state

    def __repr__(self):
        classes = "" if self.class_names is None else f", classes={self.class_names}"
        return f"<AudioFileSource: {len(self)} file(s){classes}, sample_rate={self.sample_rate}, duration={self.duration}>"


def _source_spec(
    label_mode, sample_rate, duration, crop, pad, mono, validation_split, subset, seed, on_error
):
    """The source's arguments checked by the builders' own rules (before any I/O)."""
    return check_dataset_args(
        label_mode=label_mode, batch_size=None, sample_rate=sample_rate, duration=duration, crop=crop,
        pad=pad, mono=mono, shuffle=True, seed=seed, validation_split=validation_split, subset=subset,
        on_error=on_error, cache=None, num_parallel_calls="auto", num_shards=None, shard_index=0,
    )  # fmt: skip
