"""Reading audio on the host, without TensorFlow: files, folders, resampling, crop/pad.

- :func:`load` - decode (part of) a file to float32, optionally resampled and downmixed
  (``librosa.load``'s numbers); :func:`info` - format, rate, channels, frames (:class:`AudioInfo`).
- :func:`scan_audio_files` - the audio files under a folder (the one folder scan: hidden
  files and folders skipped, audio recognised by :data:`AUDIO_EXTENSIONS`);
  :func:`class_folders` - its class sub-folders.
- :func:`resample` - soxr "HQ" to librosa's output length (:func:`resampled_length`).
- :func:`crop`, :func:`pad`, :func:`fix_length`, :func:`to_mono`; :func:`crop_start` (where
  a crop starts) and :func:`duration_to_samples` (seconds to samples), used everywhere.

Every failure to read a file is an :class:`audioflow.AudioDecodeError` naming the file and the
reason. ``audioflow.data`` builds the ``tf.data`` pipeline on top of this package and re-exports
its public names.
"""

from audioflow.io.clip import (
    CROP_MODES,
    PAD_MODES,
    crop,
    crop_start,
    duration_to_samples,
    fix_length,
    pad,
    to_mono,
)
from audioflow.io.reader import AudioInfo, info, load
from audioflow.io.resample import resample, resampled_length
from audioflow.io.scan import AUDIO_EXTENSIONS, class_folders, is_audio_file, scan_audio_files

__all__ = [
    "AUDIO_EXTENSIONS",
    "CROP_MODES",
    "PAD_MODES",
    "AudioInfo",
    "class_folders",
    "crop",
    "crop_start",
    "duration_to_samples",
    "fix_length",
    "info",
    "is_audio_file",
    "load",
    "pad",
    "resample",
    "resampled_length",
    "scan_audio_files",
    "to_mono",
]
