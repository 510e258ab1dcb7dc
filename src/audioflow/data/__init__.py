"""On-demand audio input pipeline: decode (soundfile), resample (soxr), crop/pad, batch.

A framework-free source and a loader for each framework (no TensorFlow needed but for ``tf.data``):

- :class:`AudioFileSource` - files and labels, ``source[i] -> (audio, label)`` NumPy, decoded on
  access (``from_directory``, ``from_paths``, ``from_csv``).
- :func:`torch_loader` - a ``torch.utils.data.DataLoader`` of tensor batches (workers, epochs,
  ``rank``/``world_size`` shards, ``state_dict``, duration bucketing).
- :func:`grain_loader` - a Grain ``IterDataset`` of NumPy batches (workers, epochs, shards,
  checkpointable iterators, duration bucketing).
- :func:`training_inputs` - the classifier recipe's data, in the loader of the Keras backend.

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
from audioflow.data._training import training_inputs
from audioflow.data.builders import audio_dataset, audio_dataset_from_directory
from audioflow.data.pipeline import skipped_files
from audioflow.data.source import AudioFileSource
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
    "AudioFileSource",
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
    "grain_loader",
    "info",
    "load",
    "pad",
    "resample",
    "skipped_files",
    "to_mono",
    "torch_loader",
    "training_inputs",
]


def __getattr__(name):
    # Each imports its framework only when asked for.
    if name == "TorchAudioDataset":
        from audioflow.data.torch import TorchAudioDataset

        return TorchAudioDataset
    if name == "torch_loader":
        from audioflow.data._torch_loader import torch_loader

        return torch_loader
    if name == "grain_loader":
        from audioflow.data._grain_loader import grain_loader

        return grain_loader
    raise AttributeError(f"module 'audioflow.data' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
