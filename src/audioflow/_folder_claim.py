"""One process at a time writes into an output folder: :func:`claim_output_folder`.

Two ``audioflow train --out same`` started together would both train and the later would
silently replace the earlier's model. The first one to start claims the folder: it holds an
exclusive, non-blocking lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows) on
``OUT/.audioflow.lock`` for as long as it writes there; the second is refused with the first's
process id. The operating system releases the lock when its process ends, however it ends
(exception, Ctrl-C, kill -9), so a lock file left by a dead process never blocks a later run.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from pathlib import Path

from audioflow._validation import parameter_error

#: The lock file inside a claimed folder (it holds the owner's process id).
LOCK_NAME = ".audioflow.lock"

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _owner(lock: Path) -> str:
    try:
        return lock.read_text().strip() or "unknown"
    except OSError:
        return "unknown"


def _acquire(lock: Path) -> int:
    """An open descriptor of ``lock``, locked; the file is the one at ``lock`` once locked."""
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        if not _try_lock(fd):
            os.close(fd)
            raise parameter_error(
                "out",
                "a folder no other audioflow process is writing to",
                hint=f"Process {_owner(lock)} holds '{lock}'; wait for it to finish, or choose another folder.",
                out=str(lock.parent),
            )
        try:  # the previous owner may have removed the file between our open and our lock
            same = os.path.samestat(os.fstat(fd), os.stat(lock))
        except FileNotFoundError:
            same = False
        if same:
            return fd
        _unlock(fd)
        os.close(fd)


@contextlib.contextmanager
def claim_output_folder(out) -> Iterator[Path]:
    """Hold ``out`` (created if needed) for this process for the duration of the ``with`` block.

    Args:
        out: the output folder.

    Yields:
        ``out`` as a :class:`pathlib.Path`.

    Raises:
        ParameterError: another process holds ``out`` (the message gives its process id).

    The lock file is removed on the way out, on success, error or Ctrl-C alike. Claims do not
    nest: a second claim of the same folder by the same process is refused too.

    Example:
        >>> with claim_output_folder("run1"):  # doctest: +SKIP
        ...     train_and_write("run1")
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise parameter_error("out", "a folder", hint="It exists and is a file.", out=str(out))
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    lock = out / LOCK_NAME
    fd = _acquire(lock)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield out
    finally:
        with contextlib.suppress(OSError):  # Windows cannot remove a file that is open
            lock.unlink()
        _unlock(fd)
        os.close(fd)
        if created:
            with contextlib.suppress(OSError):  # a failed run leaves no empty folder behind
                out.rmdir()


def holding_output_folder(function):
    """Run ``function`` inside :func:`claim_output_folder` of its ``out`` keyword (when not None)."""

    @functools.wraps(function)
    def holding(*args, **kwargs):
        if kwargs.get("out") is None:
            return function(*args, **kwargs)
        with claim_output_folder(kwargs["out"]):
            return function(*args, **kwargs)

    return holding
