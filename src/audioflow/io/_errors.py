"""The one place where a failure met while reading a file becomes an :class:`AudioDecodeError`.

Every reading path (the WAV reader, soundfile, the dataset decoder) goes through
:func:`decode_error` or :func:`reading`, so a bad file is always reported the same way: the
file's path and a reason, never a raw libsndfile, NumPy or OS error.
"""

from __future__ import annotations

import contextlib
import os
import stat

from audioflow.errors import AudioDecodeError

__all__ = ["check_regular_file", "decode_error", "reading"]

# What a file that is not a regular file is, for the message (a FIFO would block a reader forever).
_NOT_REGULAR = {
    stat.S_IFDIR: "is a directory, not a file",
    stat.S_IFIFO: "is a FIFO (named pipe), not a regular file",
    stat.S_IFSOCK: "is a socket, not a regular file",
    stat.S_IFCHR: "is a character device, not a regular file",
    stat.S_IFBLK: "is a block device, not a regular file",
}


def reason_of(error: BaseException) -> str:
    """A short reason for ``error``, without the path (AudioDecodeError adds the path)."""
    if isinstance(error, OSError) and not hasattr(error, "error_string") and error.strerror:
        return error.strerror
    message = getattr(error, "error_string", None) or str(error) or type(error).__name__
    # soundfile prefixes "Error opening '<path>': ".
    if message.startswith("Error opening"):
        _, _, rest = message.partition(": ")
        message = rest or message
    message = message.strip()
    if "does not exist or is not a regular file" in message:
        # libsndfile's MP3 probe says this of existing files it cannot parse.
        message = f"not a recognised audio format, or corrupt (libsndfile: {message})"
    return message


def decode_error(path, error: BaseException, context: str = "") -> AudioDecodeError:
    """The :class:`AudioDecodeError` for ``error`` met while reading ``path`` (itself if it is one).

    ``context`` prefixes the reason (for example ``"decoding failed"``).
    """
    if isinstance(error, AudioDecodeError):
        return error
    reason = reason_of(error)
    if not isinstance(error, (OSError, RuntimeError, ValueError)):  # unexpected: name its type
        reason = f"{type(error).__name__}: {reason}"
    return AudioDecodeError(os.fspath(path), f"{context}: {reason}" if context else reason)


@contextlib.contextmanager
def reading(path, context: str = ""):
    """Turn any exception raised inside the block into the AudioDecodeError naming ``path``."""
    try:
        yield
    except AudioDecodeError:
        raise
    except Exception as error:  # noqa: BLE001 - any failure on a file is a decoding failure
        raise decode_error(path, error, context) from error


def check_regular_file(path: str) -> os.stat_result:
    """``os.stat(path)``, or AudioDecodeError if it is missing, not a regular file, or empty.

    Called before opening: opening a FIFO for reading blocks until a writer appears.
    """
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise AudioDecodeError(path, "no such file") from None
    except OSError as error:
        raise decode_error(path, error) from error
    if not stat.S_ISREG(status.st_mode):
        reason = _NOT_REGULAR.get(stat.S_IFMT(status.st_mode), "is not a regular file")
        raise AudioDecodeError(path, reason)
    if status.st_size == 0:
        raise AudioDecodeError(path, "the file is empty (0 bytes)")
    return status
