"""What ``export_model(..., force=True)`` may replace, and the replacement itself.

``force`` replaces an earlier artefact of the same format only: a SavedModel folder (``saved_model.pb``
and the files TensorFlow writes beside it, nothing else), a TFLite flatbuffer (file identifier
``TFL3``), an ONNX ``ModelProto``. Anything else at the path (a folder of the user's files, the
working folder or one of its parents, a file that is not such an artefact) is refused before
anything is written or deleted. The new artefact is written beside the path and renamed into
place, so a failed export leaves the earlier artefact where it was.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from audioflow._validation import parameter_error

#: What TensorFlow writes into a SavedModel folder: a folder holding anything else is not replaced.
SAVED_MODEL_ENTRIES = frozenset(
    {
        "saved_model.pb",
        "saved_model.pbtxt",
        "fingerprint.pb",
        "keras_metadata.pb",
        "variables",
        "assets",
        "assets.extra",
    }
)
#: A TFLite flatbuffer's file identifier, at bytes 4 to 8.
TFLITE_IDENTIFIER = b"TFL3"
#: The first byte of a serialised ONNX ModelProto: field 1 (``ir_version``), a varint.
_ONNX_FIRST_BYTE = b"\x08"


def _refusal(path: Path, format: str, reason: str):
    return parameter_error(
        "path",
        f"a new path, or an earlier {format!r} artefact to replace (force=True replaces nothing else)",
        hint=f"{reason} Nothing was deleted; choose another path, or remove it yourself.",
        path=str(path),
    )


def _saved_model_problem(path: Path) -> str | None:
    if not path.is_dir():
        return "It is a file, not a SavedModel folder."
    names = sorted(entry.name for entry in path.iterdir())
    if "saved_model.pb" not in names and "saved_model.pbtxt" not in names:
        shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
        return f"It is a folder without saved_model.pb (it holds: {shown or 'nothing'})."
    others = [name for name in names if name not in SAVED_MODEL_ENTRIES]
    if others:
        return f"It is a SavedModel folder that also holds other files ({', '.join(others[:5])})."
    return None


def _is_onnx(path: Path) -> bool:
    with open(path, "rb") as handle:
        if handle.read(1) != _ONNX_FIRST_BYTE:
            return False
    try:
        import onnx

        proto = onnx.load(str(path), load_external_data=False)
    except Exception:  # DecodeError, or onnx missing (the ONNX export itself then says so)
        return False
    return proto.ir_version > 0 and proto.HasField("graph")


def _file_problem(path: Path, format: str) -> str | None:
    if path.is_dir():
        return f"It is a folder, not a .{format} file."
    if not path.is_file():
        return "It is not a regular file."
    if format == "tflite":
        with open(path, "rb") as handle:
            ok = handle.read(8)[4:8] == TFLITE_IDENTIFIER
        return None if ok else "It is not a TFLite flatbuffer (no 'TFL3' identifier)."
    return None if _is_onnx(path) else "It is not an ONNX model (it does not parse as a ModelProto)."


def check_replaceable(path, format: str) -> None:
    """Refuse (``ParameterError``) to replace ``path`` unless it is an earlier ``format`` artefact.

    The working folder and its parents are refused whatever they hold (replacing them would pull
    the folder from under the running process).
    """
    path = Path(path)
    if not os.path.lexists(path):
        return
    if path.is_symlink():
        raise _refusal(path, format, "It is a symbolic link.")
    resolved, cwd = path.resolve(), Path.cwd().resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise _refusal(path, format, "It is the working folder or one of its parents.")
    problem = _saved_model_problem(path) if format == "saved_model" else _file_problem(path, format)
    if problem:
        raise _refusal(path, format, problem)


def install(staged, path) -> None:
    """Move the finished artefact ``staged`` to ``path`` (same folder), replacing an earlier one.

    A file is replaced by one atomic rename. A folder cannot be renamed over a non-empty one, so
    the earlier folder is first renamed aside, and put back if the second rename fails.
    """
    staged, path = Path(staged), Path(path)
    if not os.path.lexists(path) or not path.is_dir():
        os.replace(staged, path)
        return
    aside = path.with_name(f".{path.name}.replaced-{uuid.uuid4().hex[:8]}")
    os.rename(path, aside)
    try:
        os.rename(staged, path)
    except BaseException:
        os.rename(aside, path)
        raise
    shutil.rmtree(aside, ignore_errors=True)
