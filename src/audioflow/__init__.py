"""audioflow: exact, fast audio features as Keras 3 layers, and an on-demand audio input pipeline.

Subpackages are imported on first use, so ``import audioflow`` stays cheap and the
input pipeline does not import TensorFlow unless it is used:

- ``audioflow.ops``: the maths (``keras.ops``; NumPy for filterbanks).
- ``audioflow.layers``: Keras layers over the ops.
- ``audioflow.data``: decoding, resampling and ``tf.data`` datasets from audio files.
- ``audioflow.display``: plots with physical axes.
- ``audioflow.streaming``: feature layers run chunk by chunk on live audio.
- ``audioflow.presets``: the feature extractors of published models (Whisper, AST, Wav2Vec2).
"""

import importlib

from audioflow.errors import AudioDecodeError, AudioflowError, MissingDependencyError, ParameterError

__version__ = "0.2.0"

__all__ = [
    "AudioDecodeError",
    "AudioflowError",
    "MissingDependencyError",
    "ParameterError",
    "__version__",
    "data",
    "display",
    "layers",
    "ops",
    "presets",
    "streaming",
]

_SUBMODULES = ("ops", "layers", "data", "display", "presets", "streaming")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"audioflow.{name}")
    raise AttributeError(f"module 'audioflow' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
