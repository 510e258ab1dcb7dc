"""On-demand audio input pipeline: decode (soundfile), resample (soxr), crop/pad, ``tf.data``.

Reading (no TensorFlow needed; these live in :mod:`audioflow.io` and are re-exported here):

- :func:`load` - decode (part of) a file to float32, optionally resampled and downmixed.
- :func:`info` - format, sample rate, channels, frames, duration (:class:`AudioInfo`).
- :func:`resample`, :func:`to_mono`, :func:`crop`, :func:`pad`, :func:`fix_length`.

Datasets (TensorFlow builds them; they feed ``model.fit`` on every Keras backend):

- :func:`audio_dataset_from_directory` - one sub-folder per class, Keras-compatible arguments.
- :func:`audio_dataset` - a list of paths or a CSV manifest.
- :func:`skipped_files` / ``dataset.skipped`` - the :class:`SkippedFiles` report of files
  dropped with ``on_error="skip"``.
- :func:`decode_error_from` - the :class:`audioflow.AudioDecodeError` behind the TensorFlow
  error that stopped a dataset with ``on_error="raise"``.
- :class:`TorchAudioDataset` - a ``torch.utils.data.IterableDataset`` over such a dataset.

Modules: ``options`` (arguments), ``sources`` (folder, list, CSV manifest, labels, split),
``decoder`` (files -> clips, NumPy), ``pipeline`` (the ``tf.data`` graph), ``builders`` (the
public functions), ``torch`` (the PyTorch adapter).
"""

from audioflow.data._report import SkippedFile, SkippedFiles, SkippedFileWarning, decode_error_from
from audioflow.data.builders import audio_dataset, audio_dataset_from_directory
from audioflow.data.pipeline import skipped_files
from audioflow.io import (
    AUDIO_EXTENSIONS,
    AudioInfo,
    crop,
    fix_length,
    info,
    load,
    pad,
    resample,
    to_mono,
)

__all__ = [
    "AUDIO_EXTENSIONS",
    "AudioInfo",
    "SkippedFile",
    "SkippedFileWarning",
    "SkippedFiles",
    "TorchAudioDataset",
    "audio_dataset",
    "audio_dataset_from_directory",
    "crop",
    "decode_error_from",
    "fix_length",
    "info",
    "load",
    "pad",
    "resample",
    "skipped_files",
    "to_mono",
]


def __getattr__(name):
    if name == "TorchAudioDataset":  # imports torch only when asked for
        from audioflow.data.torch import TorchAudioDataset

        return TorchAudioDataset
    raise AttributeError(f"module 'audioflow.data' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
