"""Reading audio files: :func:`load` and :func:`info`, through soundfile (libsndfile).

Only the requested part of a file is decoded: ``offset``/``duration`` become a ``seek`` and a
``read(frames)``, so a 1 s excerpt of a one-hour recording costs about as much as a 1 s file.

Plain PCM and IEEE-float WAV files skip libsndfile: their samples are raw little-endian numbers
after a short header, and soundfile's per-file cost (~95 us for a 1 s clip, mostly Python glue
holding the GIL) was most of the pipeline's time on short clips. :class:`_WavFile` reads the
header and converts exactly as libsndfile does (bit-identical output); any other WAV (mu-law,
ADPCM, unusual layouts, anything malformed) goes through soundfile as before.
"""

from __future__ import annotations

import dataclasses
import math
import os
import stat
import struct

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


# ------------------------------------------------------------------------------------------------
# WAV fast path
# ------------------------------------------------------------------------------------------------
# The KSDATAFORMAT_SUBTYPE GUIDs of WAVE_FORMAT_EXTENSIBLE differ only in their first two bytes
# (the plain format tag), followed by this tail.
_GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
# (format tag, bits per sample) -> libsndfile's subtype name.
_WAV_SUBTYPES = {
    (1, 8): "PCM_U8",  # 8-bit WAV is unsigned
    (1, 16): "PCM_16",
    (1, 24): "PCM_24",
    (1, 32): "PCM_32",
    (3, 32): "FLOAT",
    (3, 64): "DOUBLE",
}
# One read covers the header of nearly every WAV; chunks beyond it are fetched one by one.
_HEADER_BYTES = 4096


class _WavFile:
    """A PCM/float WAV read without libsndfile, with the attributes of ``sf.SoundFile`` we use.

    ``_WavFile.open`` returns None for anything it does not handle, so that soundfile reads the
    file and its behaviour (and error messages) stay exactly the same.
    """

    __slots__ = ("_fd", "format", "subtype", "samplerate", "channels", "frames", "_offset", "_bits")

    @classmethod
    def open(cls, path: str):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return None  # soundfile's path words the error
        try:
            wav = cls._parse(fd)
        except (OSError, struct.error):
            wav = None
        if wav is None:
            os.close(fd)
        return wav

    @classmethod
    def _parse(cls, fd: int):
        head = os.pread(fd, _HEADER_BYTES, 0)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None  # RIFX (big-endian), RF64, W64, not WAV at all: soundfile

        def read(offset, size):
            if offset + size <= len(head):
                return head[offset : offset + size]
            return os.pread(fd, size, offset)

        fmt, position = None, 12
        while True:
            chunk_id, size = struct.unpack("<4sI", read(position, 8))
            position += 8
            if chunk_id == b"data":
                break
            if chunk_id == b"fmt ":
                if not 16 <= size <= 64:
                    return None
                fmt = read(position, size)
            # libsndfile does not always skip an odd chunk's pad byte: leave such files to it.
            if size & 1:
                return None
            position += size
        if fmt is None or size == 0:  # size 0: maybe an unfinished recording, which libsndfile patches
            return None
        tag, channels, rate, _, block_align, bits = struct.unpack("<HHIIHH", fmt[:16])
        format_name = "WAV"
        if tag == 0xFFFE:  # WAVE_FORMAT_EXTENSIBLE: the real tag is in the subformat GUID
            if len(fmt) < 40 or fmt[26:40] != _GUID_TAIL:
                return None
            valid_bits, tag = struct.unpack("<H4xH", fmt[18:26])
            if valid_bits != bits:
                return None
            format_name = "WAVEX"
        subtype = _WAV_SUBTYPES.get((tag, bits))
        if subtype is None or channels == 0 or rate == 0 or block_align != channels * bits // 8:
            return None
        # As libsndfile: a data chunk running past the end of the file holds what is there.
        available = os.fstat(fd).st_size - position
        frames = min(size, available) // block_align
        if frames <= 0:
            return None
        wav = cls.__new__(cls)
        wav._fd, wav._offset, wav._bits = fd, position, bits
        wav.format, wav.subtype, wav.samplerate, wav.channels, wav.frames = (
            format_name,
            subtype,
            rate,
            channels,
            frames,
        )
        return wav

    def read_frames(self, start: int, count: int) -> np.ndarray:
        """``count`` frames (-1: to the end) from frame ``start``, float32 ``(frames, channels)``."""
        available = max(0, self.frames - start)
        count = available if count < 0 else min(count, available)
        width = self._bits // 8
        frame = self.channels * width
        raw = _pread(self._fd, count * frame, self._offset + start * frame)
        n = len(raw) // frame * self.channels  # samples
        # The conversions are libsndfile's (pcm.c, float32.c, double64.c), all exact in float32.
        if self._bits == 8:
            audio = np.frombuffer(raw, np.uint8, n).astype(np.float32)
            audio -= 128.0
            audio *= np.float32(1 / 128)
        elif self._bits == 16:
            audio = np.frombuffer(raw, "<i2", n).astype(np.float32)
            audio *= np.float32(1 / 32768)
        elif self._bits == 24:  # 3 bytes into the top of an int32, then scale by 2**-31
            wide = np.zeros((n, 4), np.uint8)
            wide[:, 1:] = np.frombuffer(raw, np.uint8, 3 * n).reshape(n, 3)
            audio = wide.view("<i4")[:, 0].astype(np.float32)
            audio *= np.float32(2.0**-31)
        elif self.subtype == "PCM_32":
            audio = np.frombuffer(raw, "<i4", n).astype(np.float32)
            audio *= np.float32(2.0**-31)
        elif self.subtype == "FLOAT":
            audio = np.frombuffer(raw, "<f4", n).copy()
        else:  # DOUBLE
            audio = np.frombuffer(raw, "<f8", n).astype(np.float32)
        return audio.reshape(-1, self.channels)

    def close(self):
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _pread(fd: int, size: int, offset: int) -> bytes:
    """``size`` bytes at ``offset``, fewer only at the end of the file (Linux caps one read at 2 GiB)."""
    data = os.pread(fd, size, offset)
    if len(data) == size or not data:
        return data
    parts = [data]
    while size > len(data):
        size, offset = size - len(data), offset + len(data)
        data = os.pread(fd, size, offset)
        if not data:
            break
        parts.append(data)
    return b"".join(parts)


# The canonical 44-byte header of a 16-bit PCM WAV ("RIFF" size "WAVE", a 16-byte "fmt " chunk,
# then "data"), which is what most tools write (float WAV has a "fact" chunk, so it never has it).
_PLAIN_HEADER = struct.Struct("<4sI4s4sIHHIIHH4sI")
_PLAIN_PREFIX = (b"RIFF", b"WAVE", b"fmt ", 16, 1)  # 1: WAVE_FORMAT_PCM
_PCM16_SCALE = np.float32(1 / 32768)  # _WavFile's (libsndfile's) conversion


def _read_plain_wav_into(path, out: np.ndarray, channels: int, sample_rate: int, pad_zeros: bool) -> bool:
    """Dataset fast path: decode a short 16-bit WAV straight into ``out``, or return False.

    ``out`` is a contiguous float32 row of ``length * channels`` samples (interleaved). Handles
    only 16-bit PCM WAV with the canonical 44-byte header, ``channels`` channels at
    ``sample_rate``, holding at most ``length`` frames (no crop, no resampling), padded with
    zeros if shorter. One system call reads the file and one NumPy call converts it into
    ``out``: on 1 s clips the general path's Python (header walk, _WavFile, crop planning, the
    clip copied into the chunk) cost more than the read itself. The output equals
    ``_read_excerpt``'s bit for bit. False (``out`` then holds garbage): anything else,
    including every error, which the general path then reads and words.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        raw = os.read(fd, 44 + out.size * 2)  # the header and up to `length` frames
    except OSError:
        return False
    finally:
        os.close(fd)
    if len(raw) < 44:
        return False
    riff, _, wave, fmt, fmt_size, tag, file_channels, rate, _, block_align, bits, data, size = (
        _PLAIN_HEADER.unpack_from(raw)
    )
    if (
        (riff, wave, fmt, fmt_size, tag) != _PLAIN_PREFIX
        or (data, file_channels, rate, block_align, bits)
        != (b"data", channels, sample_rate, 2 * channels, 16)
        or not 0 < size <= 2 * out.size  # size 0 (libsndfile patches it) or a crop: general path
    ):
        return False
    count = min(size, len(raw) - 44) // block_align * channels  # truncated data: what is there
    if count == 0 or (count < out.size and not pad_zeros):
        return False
    np.multiply(np.frombuffer(raw, "<i2", count, 44), _PCM16_SCALE, out=out[:count])
    out[count:] = 0
    return True


def _open(path):
    """Open a file for reading, turning every libsndfile failure into AudioDecodeError.

    Returns a :class:`_WavFile` for plain PCM/float WAV, else an ``sf.SoundFile``.
    """
    path = os.fspath(path)
    wav = _WavFile.open(path)
    if wav is not None:
        return wav
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


def _read_frames(handle, path: str, start: int, count: int) -> np.ndarray:
    """Seek to ``start`` and read ``count`` frames as float32 ``(frames, channels)``."""
    try:
        if isinstance(handle, _WavFile):
            data = handle.read_frames(start, count)
        else:
            # Always seek, even to 0, as soundfile.read does: libsndfile's MP3 decoder (mpg123)
            # re-primes on a seek, and its output then differs from a seek-less read by ~1 ulp.
            handle.seek(start)
            data = handle.read(count, dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, ValueError, OSError) as error:
        raise AudioDecodeError(path, f"decoding failed: {_reason(error)}") from error
    if data.shape[0] == 0:
        raise AudioDecodeError(path, f"no audio could be decoded (header announces {handle.frames} frames)")
    # Integer PCM read by _WavFile cannot hold NaN/Inf; skipping the check saves a pass.
    integer = isinstance(handle, _WavFile) and handle.subtype not in ("FLOAT", "DOUBLE")
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
