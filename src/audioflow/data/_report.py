"""The skipped-file report of a dataset built with ``on_error="skip"``."""

from __future__ import annotations

import threading
import warnings
from typing import NamedTuple

__all__ = ["SkippedFile", "SkippedFileWarning", "SkippedFiles"]


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

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: dict[str, SkippedFile] = {}
        self._raised: list = []

    # -- reading -------------------------------------------------------------------------------
    @property
    def files(self) -> list[SkippedFile]:
        """A snapshot: list of :class:`SkippedFile` ``(path, reason)``."""
        with self._lock:
            return list(self._entries.values())

    @property
    def paths(self) -> list[str]:
        return [entry.path for entry in self.files]

    def __len__(self):
        with self._lock:
            return len(self._entries)

    def __iter__(self):
        return iter(self.files)

    def __contains__(self, path):
        with self._lock:
            return str(path) in self._entries

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
            self._raised.clear()

    # -- writing (decoding threads) ------------------------------------------------------------
    def _add(self, error) -> None:
        entry = SkippedFile(error.path, error.reason)
        with self._lock:
            new = entry.path not in self._entries
            if new:
                self._entries[entry.path] = entry
        if new:
            warnings.warn(f"Skipping '{entry.path}': {entry.reason}", SkippedFileWarning, stacklevel=2)

    def _record_raised(self, error) -> None:
        with self._lock:
            self._raised.append(error)
            del self._raised[:-64]

    def _pop_raised(self, message: str):
        """The AudioDecodeError behind a TensorFlow error message, if one was recorded."""
        with self._lock:
            for error in self._raised:
                if str(error) in message:
                    self._raised.remove(error)
                    return error
            return self._raised.pop(0) if self._raised else None
