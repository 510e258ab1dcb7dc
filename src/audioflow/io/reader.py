"""Reading audio files: :func:`load` and :func:`info`, through the WAV reader or soundfile.

Only the part of a file that is asked for is decoded where the format seeks exactly:
``offset``/``duration`` become a seek and a ``read(frames)``, so a 1 s excerpt of a one-hour
FLAC costs about as much as a 1 s file. MP3 seeking (libsndfile/mpg123) lands on the wrong
sample, and libsndfile's MP3 samples even differ (by ~1e-7, sometimes far more) with the sizes
of the reads, so MP3 is decoded from its start in one read and the audio before the window
dropped: every read equals the same window of a full decode (``soundfile.read``), whatever the
format. A late window of a long MP3 therefore costs the decoding (and memory) of everything
before it.
"""

from __future__ import annotations

import dataclasses
import math
import os

import numpy as np
import soundfile as sf

from audioflow._validation import check_bool, check_int, check_number
from audioflow.errors import AudioDecodeError
from audioflow.io._errors import check_regular_file, reading
from audioflow.io.clip import crop_start, duration_to_samples, to_mono
from audioflow.io.resample import resample, resampled_length
from audioflow.io.wav import WavFile

__all__ = ["AudioInfo", "info", "load", "open_audio", "read_excerpt", "read_frames"]

# Names of files tried with the WAV reader first (it steps aside for anything it does not read).
_WAV_EXTENSIONS = (".wav", ".wave")
# Subtypes whose seek lands on the wrong sample (libsndfile's mpg123 decoder): read from the start.
_INEXACT_SEEK = ("MPEG_LAYER_I", "MPEG_LAYER_II", "MPEG_LAYER_III")


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


def open_audio(path):
    """Open a file for reading; every failure is an AudioDecodeError naming it.

    Returns a :class:`~audioflow.io.wav.WavFile` for plain PCM/float WAV, else an
    ``sf.SoundFile``. Anything that is not a regular file (a folder, a FIFO, a device) is
    refused before it is opened: opening a FIFO would block forever.
    """
    path = os.fspath(path)
    check_regular_file(path)
    if path.lower().endswith(_WAV_EXTENSIONS):  # others go straight to libsndfile
        wav = WavFile.open(path)
        if wav is not None:
            return wav
    with reading(path):
        handle = sf.SoundFile(path)
    if handle.frames <= 0:
        handle.close()
        raise AudioDecodeError(path, "the file holds no audio (0 frames)")
    if handle.samplerate <= 0 or handle.channels <= 0:
        handle.close()
        raise AudioDecodeError(
            path, f"invalid header (sample rate {handle.samplerate}, {handle.channels} channels)"
        )
    return handle


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
    with open_audio(path) as handle:
        return AudioInfo(
            path=os.fspath(path),
            format=handle.format,
            subtype=handle.subtype,
            sample_rate=int(handle.samplerate),
            channels=int(handle.channels),
            frames=int(handle.frames),
        )


def read_frames(handle, path: str, start: int, count: int) -> np.ndarray:
    """``count`` frames (-1: to the end) from frame ``start``, float32 ``(frames, channels)``.

    Equal to ``full_decode[start:start + count]`` for every format (see the module docstring).
    """
    with reading(path, "decoding failed"):
        if isinstance(handle, WavFile):
            data = handle.read_frames(start, count)
        else:
            # Always seek, even to 0, as soundfile.read does: libsndfile's MP3 decoder (mpg123)
            # re-primes on a seek, and its output then differs from a seek-less read by ~1 ulp.
            if handle.subtype not in _INEXACT_SEEK:
                handle.seek(start)
                data = handle.read(count, dtype="float32", always_2d=True)
            else:  # one read from the start: libsndfile's MP3 output also depends on read sizes
                handle.seek(0)
                data = handle.read(-1 if count < 0 else start + count, dtype="float32", always_2d=True)
                data = data[start:]
    if data.shape[0] == 0:
        raise AudioDecodeError(path, f"no audio could be decoded (header announces {handle.frames} frames)")
    # Integer PCM read by WavFile cannot hold NaN/Inf; skipping the check saves a pass.
    integer = isinstance(handle, WavFile) and handle.subtype not in ("FLOAT", "DOUBLE")
    if not integer and not np.all(np.isfinite(data)):
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
            Resampling is done by soxr (high quality, linear phase), to librosa's length
            ``ceil(samples * sample_rate / native rate)`` (see :func:`resample`).
        mono: if True, average the channels into one (librosa's downmix).
        offset: where to start reading, in seconds from the start (>= 0). The result is
            always the same window of a full decode: formats that seek exactly (WAV, FLAC,
            OGG/Vorbis, Opus, AIFF...) skip the preceding audio, MP3 (whose seeking is inexact
            in libsndfile/mpg123) decodes it and drops it. An offset at or past the end raises
            AudioDecodeError.
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
    with open_audio(path) as handle:
        native = int(handle.samplerate)
        start = duration_to_samples(offset, native, name="offset", minimum=0)
        if start >= handle.frames:
            raise AudioDecodeError(
                path, f"offset {offset} s is past the end of the audio ({handle.frames / native:.6g} s)"
            )
        count = -1 if duration is None else max(1, duration_to_samples(duration, native, minimum=0))
        audio = read_frames(handle, path, start, count)
    if mono:
        audio = to_mono(audio)
    if sample_rate is not None and sample_rate != native:
        audio = resample(audio, native, sample_rate)
    else:
        sample_rate = native
    return audio, int(sample_rate)


# Output samples of context read before a crop when resampling, so that soxr's filter has
# settled by the first sample kept (the HQ filter spans a few tens of output samples).
_RESAMPLE_CONTEXT = 128


def read_excerpt(path: str, sample_rate, mono: bool, length, crop: str, draw: float):
    """Dataset helper: read the part of a file a fixed-length crop needs.

    ``length`` is the crop length in output samples (None: whole file). ``draw`` in [0, 1)
    places a random crop. Returns float32 ``(samples, channels)`` (mono: one channel) at
    ``sample_rate`` (None: native), at most ``length`` long (not yet padded).

    The crop is the same window of the same output grid as cropping the fully resampled
    file: the read starts on a native sample that falls exactly on an output sample (a
    multiple of ``native / gcd(native, target)``), with some context before the crop, and the
    context is dropped after resampling. Only that excerpt is decoded.
    """
    with open_audio(path) as handle:
        native = int(handle.samplerate)
        target = native if sample_rate is None else int(sample_rate)
        total = handle.frames
        total_out = resampled_length(total, native, target)
        if length is None or total_out <= length:
            start, count, skip, out_start = 0, -1, 0, 0
        else:
            first = crop_start(total_out - length, crop, draw)
            common = math.gcd(native, target)
            step_in, step_out = native // common, target // common
            context = _RESAMPLE_CONTEXT if target != native else 0
            grid = max(0, first - context) // step_out  # output grid point at/before the context
            start, out_start = grid * step_in, grid * step_out
            stop_out = first + length + context if first + length < total_out else total_out
            count = int(math.ceil((stop_out - out_start) * native / target)) + 1
            count = max(1, min(count, total - start))
            skip = first - out_start
        audio = read_frames(handle, path, start, count)
    if mono:  # soxr is faster on 1-D input than on one-channel 2-D input (BENCHMARKS.md)
        audio = to_mono(audio)
    if target != native:
        audio = resample(audio, native, target)
        if count < 0 or start + count >= total:  # the file's end: its length as in a full resample
            audio = _fit(audio, total_out - out_start)
    if mono:
        audio = audio[:, None]
    if length is not None:
        audio = audio[skip : skip + length]
    return audio


def _fit(audio: np.ndarray, length: int) -> np.ndarray:
    """``audio`` cut or zero-padded to ``length`` samples (float rounding in the length rule)."""
    if audio.shape[0] >= length:
        return audio[:length]
    return np.concatenate([audio, np.zeros((length - audio.shape[0],) + audio.shape[1:], audio.dtype)])
