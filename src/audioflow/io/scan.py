"""Finding audio files: the one folder scan (and its one rule for hidden files)."""

from __future__ import annotations

import os

__all__ = ["AUDIO_EXTENSIONS", "class_folders", "is_audio_file", "scan_audio_files"]

#: File extensions (lower case, with the dot) that folder scans pick up. Everything libsndfile
#: reads: WAV/RF64/W64, FLAC, OGG (Vorbis, Opus), MP3, AIFF, AU, CAF.
AUDIO_EXTENSIONS = (
    ".wav",
    ".wave",
    ".rf64",
    ".w64",
    ".flac",
    ".ogg",
    ".oga",
    ".opus",
    ".mp3",
    ".aif",
    ".aiff",
    ".aifc",
    ".au",
    ".snd",
    ".caf",
)


def _hidden(name: str) -> bool:
    """The one rule: a file or folder whose name starts with "." is skipped (as ls and Keras)."""
    return name.startswith(".")


def is_audio_file(name) -> bool:
    """Whether a file name (or path) has one of :data:`AUDIO_EXTENSIONS` and is not hidden."""
    base = os.path.basename(os.fspath(name))
    return not _hidden(base) and base.lower().endswith(AUDIO_EXTENSIONS)


def scan_audio_files(directory, follow_links: bool = False) -> list[str]:
    """Every audio file under ``directory`` (recursively), sorted by path.

    Hidden files and folders (name starting with ".") are skipped; a file counts as audio by
    its extension (:data:`AUDIO_EXTENSIONS`, any case). The files are not opened.

    Args:
        directory: the folder to search (``str`` or ``os.PathLike``).
        follow_links: also descend into symbolic links to folders. Each folder is searched
            once: a link back to a folder already searched (a loop) is not followed again.

    Returns:
        Paths (``str``, ``directory`` joined with the relative path), sorted folder by folder.
    """
    out = []
    visited = set()
    for root, dirs, files in os.walk(os.fspath(directory), followlinks=follow_links):
        if follow_links:
            visited.add(_identity(root))
        dirs[:] = [
            d
            for d in sorted(dirs)
            if not _hidden(d) and not (follow_links and _identity(os.path.join(root, d)) in visited)
        ]
        out += [os.path.join(root, name) for name in sorted(files) if is_audio_file(name)]
    return out


def _identity(path):
    """A folder's (device, inode): the same folder reached through links has the same identity."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def class_folders(directory, follow_links: bool = False) -> list[str]:
    """The sorted names of the non-hidden sub-folders of ``directory`` (one per class).

    A link that cannot be followed (a loop, a dangling link) is not a class folder.
    """
    return sorted(entry.name for entry in os.scandir(os.fspath(directory)) if _is_folder(entry, follow_links))


def _is_folder(entry, follow_links):
    try:
        return entry.is_dir(follow_symlinks=follow_links) and not _hidden(entry.name)
    except OSError:  # ELOOP: a link to itself
        return False
