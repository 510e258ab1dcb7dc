"""Reading every file's header before a dataset starts: skip mode's up-front check, channels, durations."""

from __future__ import annotations

import concurrent.futures
import os

from audioflow._validation import parameter_error
from audioflow.data.decoder import channel_mismatch
from audioflow.errors import AudioDecodeError
from audioflow.io.reader import info

__all__ = ["cpu_count", "durations", "first_channel_count", "prescan"]

# Files per thread task: one task per file cost more than reading a WAV header.
_CHUNK = 256


def cpu_count() -> int:
    """The number of CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _in_threads(function, paths):
    """``[function(path) for path in paths]``, computed in threads a few hundred files at a time."""
    parts = [paths[i : i + _CHUNK] for i in range(0, len(paths), _CHUNK)]
    if len(parts) <= 1:
        return [function(path) for path in paths]
    with concurrent.futures.ThreadPoolExecutor(cpu_count()) as pool:
        return [value for part in pool.map(lambda p: [function(x) for x in p], parts) for value in part]


def first_channel_count(paths):
    """The channel count of the first readable file among the first 100, or None."""
    for path in paths[:100]:
        try:
            return info(path).channels
        except AudioDecodeError:
            continue
    return None


def header_error(path, channels):
    """The AudioDecodeError that reading ``path``'s header gives (or a channel mismatch), or None."""
    try:
        meta = info(path)
    except AudioDecodeError as error:
        return error
    if channels is not None and meta.channels != channels:
        return channel_mismatch(path, meta.channels, channels)
    return None


def prescan(paths, label_ids, channels, report, source):
    """Skip mode: read every header now (threads), report the unreadable files, keep the rest.

    Raises:
        ParameterError: no file at all is readable (``source`` names the argument).
    """
    results = _in_threads(lambda path: header_error(path, channels), paths)
    for error in results:
        if error is not None:
            report._add(error)
    keep = [i for i, error in enumerate(results) if error is None]
    if not keep:
        raise parameter_error(
            source,
            "holding at least one readable audio file",
            hint=f"All {len(paths)} file(s) were skipped:\n{report.summary()}",
            num_files=len(paths),
        )
    return [paths[i] for i in keep], None if label_ids is None else [label_ids[i] for i in keep]


def durations(paths) -> list[float]:
    """Each file's duration in seconds from its header (0.0 where it cannot be read)."""

    def seconds(path):
        try:
            return info(path).duration
        except AudioDecodeError:
            return 0.0

    return _in_threads(seconds, paths)
