"""The Keras backend check behind ``import audioflow.ops`` / ``audioflow.layers``.

Without it, a missing backend surfaces as a raw ``ModuleNotFoundError: tensorflow`` from deep
inside Keras; with it, as a :class:`~audioflow.MissingDependencyError` saying what to install.
"""

from __future__ import annotations

import json
import os

from audioflow.errors import MissingDependencyError

#: The modules Keras imports for each backend audioflow supports, and the pip extra providing it.
_BACKEND_MODULES = {"keras", "tensorflow", "jax", "jaxlib", "torch"}
_EXTRAS = ("tensorflow", "jax", "torch")


def configured_backend() -> str:
    """The backend Keras will load: ``KERAS_BACKEND``, else ``keras.json``, else "tensorflow"."""
    name = os.environ.get("KERAS_BACKEND")
    if name:
        return name
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        with open(os.path.join(home, "keras.json"), encoding="utf-8") as handle:
            return str(json.load(handle).get("backend", "tensorflow"))
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


def require_keras_backend(feature: str) -> None:
    """Import Keras and its backend, or raise :class:`MissingDependencyError` with the install command."""
    try:
        import keras  # noqa: F401
    except ModuleNotFoundError as error:
        missing = (error.name or "").partition(".")[0]
        if missing not in _BACKEND_MODULES:
            raise
        backend = configured_backend()
        extra = backend if backend in _EXTRAS else "tensorflow"
        raise MissingDependencyError(
            f"{feature} needs Keras 3 with the '{backend}' backend (set by KERAS_BACKEND or keras.json), "
            f"but the module '{missing}' is not installed. Install it with: "
            f'pip install "audioflow[{extra}]" (or set KERAS_BACKEND to an installed backend: '
            "tensorflow, jax or torch)."
        ) from error
