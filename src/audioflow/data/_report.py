"""What went wrong while reading a dataset: the skipped-file report (``on_error="skip"``) and
:func:`decode_error_from`, which finds the :class:`AudioDecodeError` behind the error that
stopped an iteration (``on_error="raise"``)."""

from __future__ import annotations

import collections
import json
import os
import shutil
import sys
import tempfile
import threading
import warnings
import weakref
from typing import NamedTuple

from audioflow.errors import AudioDecodeError

__all__ = ["SkippedFile", "SkippedFileWarning", "SkippedFiles", "decode_error_from"]


class SkippedFileWarning(UserWarning):
    """Warned once per file when a dataset built with ``on_error="skip"`` drops an unreadable file."""


class SkippedFile(NamedTuple):
    """One skipped file: its path and why it could not be used."""

    path: str
    reason: str


class SkippedFiles:
    """Every file a dataset skipped, with the reason, in the order they were first met.

    A dataset built by :func:`audioflow.data.audio_dataset_from_directory` or
    :func:`audioflow.data.audio_dataset` carries one as ``dataset.skipped``; for a dataset
    derived from it (``dataset.map(...)``, ``.take(...)``...) use
    :func:`audioflow.data.skipped_files`. The report fills up *during* iteration: a file is
    listed as soon as a decoding thread has met it, once, however many epochs meet it again.
    It is thread-safe; reading it while iteration is under way is fine.

    Example:
        >>> ds = audioflow.data.audio_dataset_from_directory("clips/", on_error="skip")  # doctest: +SKIP
        >>> model.fit(ds, epochs=3)                                                      # doctest: +SKIP
        >>> for path, reason in ds.skipped:                                              # doctest: +SKIP
        ...     print(path, reason)
        clips/dog/broken.wav  Format not recognised.
    """

    def __init__(self, *, shared: bool = False):
        self._lock = threading.Lock()
        self._entries: dict[str, SkippedFile] = {}
        # Worker processes (torch DataLoader, Grain) hold copies of this object: with `shared`,
        # each appends its entries to a file of this folder, which every copy reads back.
        self._folder = None
        if shared:
            self._folder = tempfile.mkdtemp(prefix="audioflow-skipped-")
            weakref.finalize(self, _remove_if_owner, self._folder, os.getpid())

    def __getstate__(self):
        with self._lock:
            return {"entries": dict(self._entries), "folder": self._folder}

    def __setstate__(self, state):
        self._lock = threading.Lock()
        self._entries = state["entries"]
        self._folder = state["folder"]

    # -- reading -------------------------------------------------------------------------------
    @property
    def files(self) -> list[SkippedFile]:
        """A snapshot: list of :class:`SkippedFile` ``(path, reason)``, from every process."""
        with self._lock:
            entries = dict(self._entries)
        for entry in self._shared_entries():
            entries.setdefault(entry.path, entry)
        return list(entries.values())

    def _shared_entries(self) -> list[SkippedFile]:
        if self._folder is None or not os.path.isdir(self._folder):
            return []
        found = []
        for name in sorted(os.listdir(self._folder)):
            with open(os.path.join(self._folder, name), encoding="utf-8") as handle:
                for line in handle:
                    if line.endswith("\n"):  # a line still being written is read next time
                        path, reason = json.loads(line)
                        found.append(SkippedFile(path, reason))
        return found

    @property
    def paths(self) -> list[str]:
        return [entry.path for entry in self.files]

    def __len__(self):
        return len(self.files)

    def __iter__(self):
        return iter(self.files)

    def __contains__(self, path):
        return str(path) in {entry.path for entry in self.files}

    def summary(self) -> str:
        """A human-readable, multi-line account: one line per skipped file."""
        entries = self.files
        if not entries:
            return "No files skipped."
        lines = [f"{len(entries)} file(s) skipped:"]
        lines += [f"  {entry.path}: {entry.reason}" for entry in entries]
        return "\n".join(lines)

    def __repr__(self):
        return f"<SkippedFiles: {len(self)} file(s)>"

    def clear(self):
        """Forget every entry (files skipped again later are reported and warned about again)."""
        with self._lock:
            self._entries.clear()
            if self._folder is not None and os.path.isdir(self._folder):
                for name in os.listdir(self._folder):
                    os.remove(os.path.join(self._folder, name))

    # -- writing (decoding threads) ------------------------------------------------------------
    def _add(self, error) -> None:
        entry = SkippedFile(error.path, error.reason)
        # Met already here, or (shared) by another process: reported once however often it is met.
        known = {shared.path for shared in self._shared_entries()}
        with self._lock:
            new = entry.path not in self._entries and entry.path not in known
            self._entries.setdefault(entry.path, entry)
        if not new:
            return
        if self._folder is not None:
            # One write of one line in append mode: lines of several processes do not interleave.
            line = json.dumps([entry.path, entry.reason]) + "\n"
            with open(os.path.join(self._folder, f"{os.getpid()}.jsonl"), "a", encoding="utf-8") as handle:
                handle.write(line)
        message = f"Skipping '{entry.path}': {entry.reason}"
        if _in_worker_process():  # a worker's warnings filters are not the user's: print it
            print(f"audioflow: {message}", file=sys.stderr, flush=True)
        else:
            warnings.warn(message, SkippedFileWarning, stacklevel=2)


def _in_worker_process() -> bool:
    """Whether this is a data-loading worker (torch DataLoader or multiprocessing child)."""
    import multiprocessing

    return multiprocessing.parent_process() is not None or _torch_worker()


def _torch_worker() -> bool:
    torch_data = sys.modules.get("torch.utils.data")
    return torch_data is not None and torch_data.get_worker_info() is not None


def _remove_if_owner(folder: str, owner: int) -> None:
    if os.getpid() == owner:  # copies in forked workers leave the folder to its owner
        shutil.rmtree(folder, ignore_errors=True)


# The decoding errors raised lately by dataset decoders (any dataset of this process): TensorFlow
# re-raises them as tf.errors.OpError carrying their text, from which decode_error_from finds them.
_RAISED: collections.deque = collections.deque(maxlen=64)
_RAISED_LOCK = threading.Lock()


def record_raised(error: AudioDecodeError) -> None:
    """Remember a decoding error a dataset decoder is about to raise inside TensorFlow."""
    with _RAISED_LOCK:
        _RAISED.append(error)


def decode_error_from(error: BaseException) -> AudioDecodeError | None:
    """The :class:`AudioDecodeError` that stopped an audioflow dataset, or None if there is none.

    With ``on_error="raise"`` a dataset stops at the first file it cannot decode. The decoder
    runs inside TensorFlow (a ``tf.numpy_function``), so what reaches Python is a
    ``tf.errors.OpError`` (usually ``UnknownError``) whose message carries the
    ``AudioDecodeError``'s text - from ``model.fit`` on every Keras backend, from ``for x in
    dataset``, from ``TorchAudioDataset``'s caller if it is iterated through TensorFlow. This
    function gives back the original error (with its ``path`` and ``reason``), following
    ``__cause__``/``__context__`` chains; an ``AudioDecodeError`` is returned as is.

    Args:
        error: an exception raised while iterating an audioflow dataset (or anything else).

    Returns:
        The ``AudioDecodeError``, or None if ``error`` did not come from a decoding failure.

    Example:
        >>> try:                                                        # doctest: +SKIP
        ...     model.fit(dataset, epochs=10)
        ... except Exception as error:
        ...     cause = audioflow.data.decode_error_from(error)
        ...     if cause is None:
        ...         raise
        ...     print(f"unreadable file {cause.path}: {cause.reason}")
    """
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, AudioDecodeError):
            return error
        message = getattr(error, "message", None) or str(error)
        with _RAISED_LOCK:
            for raised in reversed(_RAISED):
                if str(raised) in message:
                    return raised
        error = error.__cause__ or error.__context__
    return None
