"""A WAV reader without libsndfile, for plain PCM and IEEE-float WAV.

Their samples are raw little-endian numbers after a short header, and soundfile's per-file
cost (mostly Python glue holding the GIL; BENCHMARKS.md) was most of the pipeline's time on
short clips. :class:`WavFile` reads the header and converts exactly as libsndfile
does (bit-identical output); any other WAV (mu-law, ADPCM, unusual layouts, anything
malformed) goes through soundfile. :func:`read_plain_wav_into` is the dataset's fast path for
short 16-bit clips. Callers check that the path is a regular file first (``_errors``).
"""

from __future__ import annotations

import os
import struct

import numpy as np

__all__ = ["WavFile", "read_plain_wav_into"]

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


class WavFile:
    """A PCM/float WAV read without libsndfile, with the attributes of ``sf.SoundFile`` we use.

    ``WavFile.open`` returns None for anything it does not handle, so that soundfile reads the
    file and its behaviour (and error messages) stay exactly the same.
    """

    __slots__ = ("_fd", "format", "subtype", "samplerate", "channels", "frames", "_offset", "_bits")

    @classmethod
    def open(cls, path: str):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # never block (a FIFO would)
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
        if fmt is None:
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
        if size in (0, 0xFFFFFFFF):  # a streamed WAV (size unknown when the header was written)
            size = available
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
_PCM16_SCALE = np.float32(1 / 32768)  # WavFile's (libsndfile's) conversion


def read_plain_wav_into(path, out: np.ndarray, channels: int, sample_rate: int, pad_zeros: bool) -> bool:
    """Dataset fast path: decode a short 16-bit WAV straight into ``out``, or return False.

    ``out`` is a contiguous float32 row of ``length * channels`` samples (interleaved). Handles
    only 16-bit PCM WAV with the canonical 44-byte header, ``channels`` channels at
    ``sample_rate``, holding at most ``length`` frames (no crop, no resampling), padded with
    zeros if shorter. One system call reads the file and one NumPy call converts it into
    ``out``: on 1 s clips the general path's Python (header walk, WavFile, crop planning, the
    clip copied into the chunk) cost more than the read itself. The output equals
    ``reader.read_excerpt``'s bit for bit. False (``out`` then holds garbage): anything else,
    including every error, which the general path then reads and words.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO reads as empty: general path
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
        or not 0 < size <= 2 * out.size  # size 0 (streamed WAV) or a crop: general path
    ):
        return False
    count = min(size, len(raw) - 44) // block_align * channels  # truncated data: what is there
    if count == 0 or (count < out.size and not pad_zeros):
        return False
    np.multiply(np.frombuffer(raw, "<i2", count, 44), _PCM16_SCALE, out=out[:count])
    out[count:] = 0
    return True
