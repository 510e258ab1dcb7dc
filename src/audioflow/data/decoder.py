"""The Python side of the dataset map: decode chunks of files into clips (runs in tf.data threads).

Everything here is NumPy and host I/O (``audioflow.io``); ``pipeline.py`` wraps
:meth:`Decoder.decode_chunk` in a ``tf.numpy_function``. A file that cannot be used is an
:class:`AudioDecodeError`: with ``on_error="skip"`` it is reported and dropped, with "raise" it
is recorded (for :func:`audioflow.data.decode_error_from`) and raised.
"""

from __future__ import annotations

import hashlib
import os
import threading

import numpy as np

from audioflow.data._report import record_raised
from audioflow.errors import AudioDecodeError
from audioflow.io._errors import reading
from audioflow.io.clip import crop_start
from audioflow.io.clip import pad as pad_clip
from audioflow.io.reader import read_excerpt
from audioflow.io.wav import read_plain_wav_into

__all__ = ["Decoder", "aligned_empty", "channel_mismatch", "finish_clip"]


# TensorFlow takes a tf.numpy_function's output without a copy only if its data is aligned to
# 64 bytes (EIGEN_MAX_ALIGN_BYTES); NumPy's large arrays sit 16 bytes past a page boundary, and
# for long clips that copy was most of tf.data's cost per clip (BENCHMARKS.md).
_ALIGN = 64


def aligned_empty(shape) -> np.ndarray:
    """``np.empty(shape, float32)`` whose data starts on a 64-byte boundary."""
    size = int(np.prod(shape))
    buffer = np.empty(size + _ALIGN // 4, np.float32)
    start = (-buffer.ctypes.data % _ALIGN) // 4
    return buffer[start : start + size].reshape(shape)


def channel_mismatch(path, channels: int, expected: int) -> AudioDecodeError:
    """The error for a file whose channel count differs from the dataset's (``mono=False``)."""
    return AudioDecodeError(
        path,
        f"has {channels} channel(s) but the dataset has {expected} "
        "(set by the first file); pass mono=True to mix every file down",
    )


def finish_clip(path, audio, spec, channels) -> np.ndarray:
    """A read ``(samples, channels)`` excerpt as the dataset's clip: channels checked, padded, mono squeezed.

    ``channels``: the dataset's channel count (``mono=False``), or None to accept any.
    """
    if not spec.mono and channels is not None and audio.shape[1] != channels:
        raise channel_mismatch(path, audio.shape[1], channels)
    if spec.length is not None and audio.shape[0] != spec.length:
        audio = pad_clip(audio[: spec.length], spec.length, spec.pad)
    if spec.mono:
        audio = audio[:, 0]
    return np.ascontiguousarray(audio, dtype=np.float32)


class Decoder:
    """Decodes files ``paths[i]`` into fixed-length or whole clips, as ``spec`` says.

    Args:
        spec: the builder's :class:`~audioflow.data.options.DatasetSpec`.
        channels: the dataset's channel count (``mono=False``), or None to take the first
            decoded file's.
        report: the dataset's :class:`SkippedFiles`.
        paths: the files, indexed by :meth:`decode_chunk`'s ``indices``.
    """

    def __init__(self, spec, channels, report, paths):
        self.spec = spec
        self.paths = list(paths)
        self.channels = channels
        self.report = report
        self._lock = threading.Lock()
        self._failed: set[str] = set()  # files that failed here (skip mode's "all failed" guard)
        self._memory = {} if spec.cache == "memory" else None
        if spec.cache not in (None, "memory"):
            os.makedirs(spec.cache, exist_ok=True)

    def empty(self):
        length = self.spec.length or 0
        if self.spec.mono:
            return np.zeros((length,), np.float32)
        return np.zeros((length, self.channels or 1), np.float32)

    def __call__(self, path, draw):
        """``(clip, length, ok)`` for one file; ``draw`` is a 64-bit random integer (crops)."""
        path = path.decode("utf-8") if isinstance(path, bytes) else str(path)
        u = (int(draw) & 0xFFFFFFFF) / 2.0**32  # tf.data.Dataset.random: uniform 32-bit draws
        try:
            with reading(path):
                audio = self._clip(path, u)
        except AudioDecodeError as error:
            return self._fail(error)
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
        audio = aligned_empty((len(results), longest) + trailing)
        for row, (clip, length, _) in enumerate(results):
            audio[row, :length] = clip[:length]
            audio[row, length:] = 0
        if spec.length is not None and longest < spec.length:  # every file skipped
            audio = aligned_empty((len(results), spec.length) + trailing)
            audio[:] = 0
        return audio, lengths, ok

    def _decode_fixed_chunk(self, paths, draws):
        """decode_chunk for fixed-length clips: each clip is written straight into its row.

        Short plain WAV at the output rate (the common dataset of 1 s clips) takes
        ``read_plain_wav_into``, with no per-file Python beyond this loop; every other file
        goes through the general path (__call__) and is copied into its row.
        """
        spec = self.spec
        channels = 1 if spec.mono else self.channels
        audio = aligned_empty((len(paths), spec.length) + (() if spec.mono else (channels,)))
        rows = audio.reshape(len(paths), -1)  # views: each row contiguous, channels interleaved
        lengths = np.full(len(paths), spec.length, np.int32)
        ok = np.ones(len(paths), np.bool_)
        fast = spec.cache is None
        pad_zeros = spec.pad == "zeros"
        for i, (path, draw) in enumerate(zip(paths, draws, strict=True)):
            if fast and read_plain_wav_into(path, rows[i], channels, spec.sample_rate, pad_zeros):
                continue
            clip, lengths[i], ok[i] = self(path, draw)
            audio[i] = clip if ok[i] else 0
        return audio, lengths, ok

    def _fail(self, error):
        if self.spec.on_error == "skip":
            self.report._add(error)
            with self._lock:
                self._failed.add(error.path)
                every_file_failed = len(self._failed) >= len(set(self.paths))
            if not every_file_failed:
                return self.empty(), np.int32(0), False
            # The dataset tops its epochs up from further passes: with no readable file at all
            # that would never end.
            error = AudioDecodeError(
                error.path,
                f"{error.reason}; no file of the dataset could be decoded "
                f"({len(self._failed)} file(s) skipped, see dataset.skipped)",
            )
        record_raised(error)
        raise error

    def _clip(self, path, u):
        spec = self.spec
        if spec.cache is None:
            audio = read_excerpt(path, spec.sample_rate, spec.mono, spec.length, spec.crop, u)
        else:
            audio = self._cached(path)
            if spec.length is not None:
                first = crop_start(audio.shape[0] - spec.length, spec.crop, u)
                audio = audio[first : first + spec.length]
            audio = np.array(audio, dtype=np.float32)  # copy out of a memory map
        if self.channels is None and not spec.mono:
            with self._lock:
                if self.channels is None:
                    self.channels = audio.shape[1]
        return finish_clip(path, audio, spec, self.channels)

    def _cached(self, path):
        """The whole decoded, resampled clip, from the memory or disk cache (filled on a miss)."""
        stat = os.stat(path)
        key = hashlib.sha1(
            repr(
                (os.path.abspath(path), stat.st_size, stat.st_mtime_ns, self.spec.sample_rate, self.spec.mono)
            ).encode()
        ).hexdigest()
        if self._memory is not None:
            audio = self._memory.get(key)
            if audio is None:
                audio = read_excerpt(path, self.spec.sample_rate, self.spec.mono, None, "start", 0.0)
                self._memory[key] = audio
            return audio
        target = os.path.join(self.spec.cache, key + ".npy")
        if os.path.exists(target):
            try:
                return np.load(target, mmap_mode="r")
            except (OSError, ValueError):
                pass  # a damaged cache entry: decode again and overwrite it
        audio = read_excerpt(path, self.spec.sample_rate, self.spec.mono, None, "start", 0.0)
        temporary = f"{target}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(temporary, "wb") as handle:
            np.save(handle, audio)
        os.replace(temporary, target)
        return audio
