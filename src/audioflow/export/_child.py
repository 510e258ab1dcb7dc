"""Run one of audioflow's modules under the TensorFlow backend in a child Python process.

The JAX backend's TFLite and ONNX routes re-trace the model with the TensorFlow backend in a child
process. ``python -m module`` would put the working folder first on ``sys.path``, so a file such
as ``onnx.py`` or ``ai_edge_litert.py`` there would be imported (and run) instead of the package.
The child is started with ``-P`` (Python >= 3.11; on 3.10 a ``-c`` stub drops that first entry
before ``runpy``), in the temporary folder rather than the user's, and with a ``PYTHONPATH`` whose
entries are absolute (a relative or empty entry would name the child's folder, not the user's).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: Python 3.10 has no ``-P``: ``-c`` puts "" (the working folder) first on sys.path; drop it.
_SAFE_RUN = (
    "import runpy, sys; "
    "sys.path[:] = [p for p in sys.path[1:] if p not in ('', '.')]; "
    "module = sys.argv[1]; sys.argv = sys.argv[1:]; "
    "runpy.run_module(module, run_name='__main__', alter_sys=True)"
)


def python_command(module: str, *args: str) -> list[str]:
    """``[python, ..., module, *args]`` running ``module`` as ``__main__`` without the working folder on sys.path."""
    if sys.version_info >= (3, 11):
        return [sys.executable, "-P", "-m", module, *args]
    return [sys.executable, "-c", _SAFE_RUN, module, *args]


def python_path(extra: str) -> str:
    """``extra`` then the current ``PYTHONPATH``, every entry absolute, empty ones dropped."""
    entries = [extra, *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    absolute = [os.path.abspath(entry) for entry in entries if entry]
    return os.pathsep.join(dict.fromkeys(absolute))


def run_under_tensorflow(module: str, *args, cwd) -> subprocess.CompletedProcess:
    """Run ``python -m module args`` with ``KERAS_BACKEND=tensorflow`` in ``cwd``; output captured.

    ``args`` that are paths should be absolute (the child runs in ``cwd``).
    """
    import audioflow

    source = str(Path(audioflow.__file__).resolve().parent.parent)
    env = dict(os.environ, KERAS_BACKEND="tensorflow", PYTHONPATH=python_path(source))
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"  # the output is read for its last line only
    command = python_command(module, *(str(a) for a in args))
    return subprocess.run(command, env=env, cwd=str(cwd), capture_output=True, text=True, check=False)
