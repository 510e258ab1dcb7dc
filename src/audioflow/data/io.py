"""Reading audio files: :func:`load` and :func:`info`, through soundfile (libsndfile).

Only the requested part of a file is decoded: ``offset``/``duration`` become a ``seek`` and a
``read(frames)``, so a 1 s excerpt of a one-hour recording costs about as much as a 1 s file.
"""

from __future__ import annotations

import dataclasses
import math
import os
import stat

import numpy as np
import soundfile as sf

from audioflow._validation import check_bool, check_int, check_number
from audioflow.data.resample import resample
from audioflow.data.transforms import to_mono
from audioflow.errors import AudioDecodeError

__all__ = ["AUDIO_EXTENSIONS", "AudioInfo", "info", "load"]

#: File extensions (lower case, with the dot) that the dataset builders pick up when they scan a
#: directory. Everything libsndfile reads: WAV/RF64/W64, FLAC, OGG (Vorbis, Opus), MP3, AIFF, AU, CAF.
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


@dataclasses.dataclass(frozen=True)
class AudioInfo:
    """What :func:`info` reports about an audio file, without decoding it.

    Attributes:
        path: the file, as a string.
        format: container, as libsndfile names it (``"WAV"``, ``"FLAC"``, ``"OGG"``, ``"MP3"``...).
        subtype: encoding inside the container (``"PCM_16"``, ``"FLOAT"``, ``"VORBIS"``, ``"OPUS"``...).
        sample_rate: native sampling rate in Hz.
        channels: number of channels.
        frames: number of samples per channel.
        duration: ``frames / sample_rate``, in seconds.
    """

    path: str
    format: str
    subtype: str
    sample_rate: int
    channels: int
    frames: int

    @property
    def duration(self) -> float:
        return self.frames / self.sample_rate


def _open(path) -> sf.SoundFile:
    """Open a file for reading, turning every libsndfile failure into AudioDecodeError."""
    path = os.fspath(path)
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise AudioDecodeError(path, "no such file") from None
    except OSError as error:
        raise AudioDecodeError(path, error.strerror or str(error)) from error
    if stat.S_ISDIR(status.st_mode):
        raise AudioDecodeError(path, "is a directory, not a file")
    if status.st_size == 0:
        raise AudioDecodeError(path, "the file is empty (0 bytes)")
    try:
        handle = sf.SoundFile(path)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError, OSError) as error:
        raise AudioDecodeError(path, _reason(error)) from error
    if handle.frames <= 0:
        handle.close()
        raise AudioDecodeError(path, "the file holds no audio (0 frames)")
    if handle.samplerate <= 0 or handle.channels <= 0:
        handle.close()
        raise AudioDecodeError(
            path, f"invalid header (sample rate {handle.samplerate}, {handle.channels} channels)"
        )
    return handle


def _reason(error: BaseException) -> str:
    message = getattr(error, "error_string", None) or str(error) or type(error).__name__
    # soundfile prefixes "Error opening '<path>': "; the path is already in AudioDecodeError.
    if message.startswith("Error opening"):
        _, _, rest = message.partition(": ")
        message = rest or message
    message = message.strip()
    if "does not exist or is not a regular file" in message:
        # libsndfile's MP3 probe says this of existing files it cannot parse.
        message = f"not a recognised audio format, or corrupt (libsndfile: {message})"
    return message


def info(path) -> AudioInfo:
    """Describe an audio file (format, sample rate, channels, frames, duration) without decoding it.

    Args:
        path: a path (``str`` or ``os.PathLike``) to a file libsndfile can read (see
            :data:`AUDIO_EXTENSIONS`).

    Returns:
        An :class:`AudioInfo`.

    Raises:
        AudioDecodeError: the file is missing, empty, holds zero frames, or cannot be parsed;
            the message names the file and the reason.

    Example:
        >>> meta = audioflow.data.info("speech.flac")          # doctest: +SKIP
        >>> meta.sample_rate, meta.channels, meta.duration      # doctest: +SKIP
        (16000, 1, 3.52)
    """
    with _open(path) as handle:
        return AudioInfo(
            path=os.fspath(path),
            format=handle.format,
            subtype=handle.subtype,
            sample_rate=int(handle.samplerate),
            channels=int(handle.channels),
            frames=int(handle.frames),
        )


def _read_frames(handle: sf.SoundFile, path: str, start: int, count: int) -> np.ndarray:
    """Seek to ``start`` and read ``count`` frames as float32 ``(frames, channels)``."""
    try:
        # Always seek, even to 0, as soundfile.read does: libsndfile's MP3 decoder (mpg123)
        # re-primes on a seek, and its output then differs from a seek-less read by ~1 ulp.
        handle.seek(start)
        data = handle.read(count, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError, OSError) as error:
        raise AudioDecodeError(path, f"decoding failed: {_reason(error)}") from error
    if data.shape[0] == 0:
        raise AudioDecodeError(path, f"no audio could be decoded (header announces {handle.frames} frames)")
    if not np.all(np.isfinite(data)):
        raise AudioDecodeError(path, "decoded samples are not finite (NaN or Inf)")
    return data


def _check_load_args(sample_rate, mono, offset, duration):
    check_int("sample_rate", sample_rate, minimum=1, allow_none=True)
    check_bool("mono", mono)
    check_number("offset", offset, minimum=0.0)
    check_number("duration", duration, exclusive_minimum=0.0, allow_none=True)


def load(path, sample_rate=None, mono=True, offset=0.0, duration=None):
    """Decode (part of) an audio file to float32, optionally resampled and downmixed.

    Matches ``librosa.load(path, sr=sample_rate, mono=mono, offset=offset, duration=duration)``
    except that ``sample_rate=None`` keeps the native rate (librosa's default resamples to
    22050 Hz), resampling uses soxr "HQ" (librosa's default ``res_type="soxr_hq"``, so resampled
    audio matches too), and channels come last: time-major ``(samples, channels)``, like every
    audioflow array (librosa returns ``(channels, samples)``).

    Args:
        path: file to read (``str`` or ``os.PathLike``). WAV (8/16/24/32-bit PCM, float32/64,
            mu-law...), FLAC, OGG/Vorbis, Opus, MP3, AIFF, CAF... - whatever libsndfile reads.
        sample_rate: output rate in Hz, positive int, or None for the file's native rate.
            Resampling is done by soxr (high quality, linear phase).
        mono: if True, average the channels into one (librosa's downmix).
        offset: where to start reading, in seconds from the start (>= 0). The reader seeks; the
            preceding audio is not decoded. An offset at or past the end raises AudioDecodeError.
        duration: how many seconds to read (> 0), or None to read to the end. Shorter files
            return what there is (no padding; see :func:`audioflow.data.fix_length`).

    Returns:
        ``(audio, sample_rate)``: ``audio`` is float32 in [-1, 1] (for integer encodings),
        shape ``(samples,)`` if ``mono`` else ``(samples, channels)`` (also for one-channel
        files); ``sample_rate`` is the rate of ``audio`` in Hz.

    Raises:
        ParameterError: an invalid argument (checked before the file is opened).
        AudioDecodeError: the file is missing, empty, has zero frames, is corrupt or of an
            unsupported format, or ``offset`` lies past its end. The message names the file and
            the reason.

    Example:
        >>> audio, sr = audioflow.data.load("long.flac", sample_rate=16000, offset=60.0, duration=5.0)
        ...                                                     # doctest: +SKIP
        >>> audio.shape, sr                                     # doctest: +SKIP
        ((80000,), 16000)
    """
    _check_load_args(sample_rate, mono, offset, duration)
    path = os.fspath(path)
    with _open(path) as handle:
        native = int(handle.samplerate)
        start = int(round(offset * native))
        if start >= handle.frames:
            raise AudioDecodeError(
                path, f"offset {offset} s is past the end of the audio ({handle.frames / native:.6g} s)"
            )
        count = -1 if duration is None else max(1, int(round(duration * native)))
        audio = _read_frames(handle, path, start, count)
    if mono:
        audio = to_mono(audio)
    if sample_rate is not None and sample_rate != native:
        audio = resample(audio, native, sample_rate)
    else:
        sample_rate = native
    return audio, int(sample_rate)


def _output_length(frames: int, native: int, target: int) -> int:
    """Length of soxr's output for ``frames`` input samples (``round(frames * target / native)``)."""
    return int(math.floor(frames * target / native + 0.5))


# Output samples of context read before a crop when resampling, so that soxr's filter has
# settled by the first sample kept (the HQ filter spans a few tens of output samples).
_RESAMPLE_CONTEXT = 128


def _read_excerpt(path: str, sample_rate, mono: bool, length, crop: str, draw: float):
    """Dataset helper: read the part of a file a fixed-length crop needs.

    ``length`` is the crop length in output samples (None: whole file). ``draw`` in [0, 1)
    places a random crop. Returns float32 ``(samples, channels)`` (mono: one channel) at
    ``sample_rate`` (None: native), at most ``length`` long (not yet padded).

    The crop is the same window of the same output grid as cropping the fully resampled
    file: the read starts on a native sample that falls exactly on an output sample (a
    multiple of ``native / gcd(native, target)``), with some context before the crop, and the
    context is dropped after resampling. Only that excerpt is decoded.
    """
    with _open(path) as handle:
        native = int(handle.samplerate)
        target = native if sample_rate is None else int(sample_rate)
        total = handle.frames
        total_out = _output_length(total, native, target)
        if length is None or total_out <= length:
            start, count, skip = 0, -1, 0
        else:
            spare = total_out - length
            if crop == "start":
                first = 0
            elif crop == "center":
                first = spare // 2
            else:  # random: uniform over the spare + 1 possible starts
                first = min(spare, int(draw * (spare + 1)))
            common = math.gcd(native, target)
            step_in, step_out = native // common, target // common
            context = _RESAMPLE_CONTEXT if target != native else 0
            grid = max(0, first - context) // step_out  # output grid point at/before the context
            start, out_start = grid * step_in, grid * step_out
            stop_out = first + length + context if first + length < total_out else total_out
            count = int(math.ceil((stop_out - out_start) * native / target)) + 1
            count = max(1, min(count, total - start))
            skip = first - out_start
        audio = _read_frames(handle, path, start, count)
    if mono:  # soxr is ~20% faster on 1-D input than on one-channel 2-D input
        audio = to_mono(audio)
    if target != native:
        audio = resample(audio, native, target)
    if mono:
        audio = audio[:, None]
    if length is not None:
        audio = audio[skip : skip + length]
    return audio
