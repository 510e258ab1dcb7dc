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
    """``extra`` (one folder or several, ``os.pathsep``-separated) then the current ``PYTHONPATH``,
    every entry absolute, empty ones dropped."""
    entries = [*extra.split(os.pathsep), *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    absolute = [os.path.abspath(entry) for entry in entries if entry]
    return os.pathsep.join(dict.fromkeys(absolute))


#: Environment variable naming the modules (comma-separated) that define a model's own layers.
MODULES_VARIABLE = "AUDIOFLOW_EXPORT_MODULES"


def layer_modules(model) -> list[str]:
    """The modules that define ``model``'s layers other than Keras' and audioflow's, for the child.

    The child process rebuilds the model from its ``.keras`` file, which needs each layer class
    registered (``keras.saving.register_keras_serializable``) by a module the child can import.

    Raises:
        ParameterError: a layer class that is not registered, or is defined in ``__main__`` (a
            script or notebook the child cannot import); the error names the layer.
    """
    import keras

    from audioflow._validation import parameter_error

    modules = []
    for layer in model._flatten_layers(include_self=False, recursive=True):
        cls = type(layer)
        if cls.__module__.split(".")[0] in ("keras", "audioflow"):
            continue
        described = f"{layer.name!r} ({cls.__name__} from {cls.__module__})"
        registered = keras.saving.get_registered_object(keras.saving.get_registered_name(cls)) is cls
        if not registered or cls.__module__ == "__main__":
            raise parameter_error(
                "model",
                "made of layers the TensorFlow re-export can rebuild: each registered with "
                "`keras.saving.register_keras_serializable` in an importable module (not `__main__`)",
                "JAX's TFLite and ONNX routes reload the model from .keras in a TensorFlow process; "
                "move the class into a module on your PYTHONPATH and register it.",
                layer=described,
            )
        modules.append(cls.__module__)
    return list(dict.fromkeys(modules))


def _import_root(name: str) -> str:
    """The folder from which the module ``name`` was imported (its package's parent)."""
    path = Path(sys.modules[name].__file__).resolve()
    return str(path.parents[name.count(".")])


def import_layer_modules() -> None:
    """In the child: import the modules :func:`layer_modules` named, registering their layers."""
    import importlib

    for name in filter(None, os.environ.get(MODULES_VARIABLE, "").split(",")):
        importlib.import_module(name)


def run_under_tensorflow(module: str, *args, cwd, modules=()) -> subprocess.CompletedProcess:
    """Run ``python -m module args`` with ``KERAS_BACKEND=tensorflow`` in ``cwd``; output captured.

    ``args`` that are paths should be absolute (the child runs in ``cwd``); ``modules`` are
    imported there first (:func:`layer_modules`).
    """
    import audioflow

    source = str(Path(audioflow.__file__).resolve().parent.parent)
    paths = os.pathsep.join([source, *(_import_root(name) for name in modules)])
    env = dict(os.environ, KERAS_BACKEND="tensorflow", PYTHONPATH=python_path(paths))
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"  # the output is read for its last line only
    env[MODULES_VARIABLE] = ",".join(modules)
    command = python_command(module, *(str(a) for a in args))
    return subprocess.run(command, env=env, cwd=str(cwd), capture_output=True, text=True, check=False)
