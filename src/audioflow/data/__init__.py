"""On-demand audio input pipeline: decode (soundfile), resample (soxr), crop/pad, ``tf.data``.

Reading (no TensorFlow needed):

- :func:`load` - decode (part of) a file to float32, optionally resampled and downmixed.
- :func:`info` - format, sample rate, channels, frames, duration (:class:`AudioInfo`).
- :func:`resample`, :func:`to_mono`, :func:`crop`, :func:`pad`, :func:`fix_length`.

Datasets (TensorFlow builds them; they feed ``model.fit`` on every Keras backend):

- :func:`audio_dataset_from_directory` - one sub-folder per class, Keras-compatible arguments.
- :func:`audio_dataset` - a list of paths or a CSV manifest.
- :func:`skipped_files` / ``dataset.skipped`` - the :class:`SkippedFiles` report of files
  dropped with ``on_error="skip"``.
- :class:`TorchAudioDataset` - a ``torch.utils.data.IterableDataset`` over such a dataset.
"""

from audioflow.data._report import SkippedFile, SkippedFiles, SkippedFileWarning
from audioflow.data.dataset import audio_dataset, audio_dataset_from_directory, skipped_files
from audioflow.data.io import AUDIO_EXTENSIONS, AudioInfo, info, load
from audioflow.data.resample import resample
from audioflow.data.transforms import crop, fix_length, pad, to_mono

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
