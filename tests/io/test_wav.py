"""The WAV fast path (io.WavFile): bit-identical to soundfile, or it steps aside for soundfile."""

import struct

import numpy as np
import pytest
import soundfile as sf

from audioflow.data import info, load
from audioflow.io.reader import open_audio, read_frames
from audioflow.io.wav import WavFile
from tests.io.audio_files import write_audio

pytestmark = pytest.mark.backend_independent

FAST = [
    (fmt, sub)
    for fmt in ("WAV", "WAVEX")
    for sub in ("PCM_U8", "PCM_16", "PCM_24", "PCM_32", "FLOAT", "DOUBLE")
]
FALLBACK = [("WAV", "ULAW"), ("WAV", "ALAW"), ("WAV", "IMA_ADPCM"), ("WAV", "MS_ADPCM"), ("RF64", "PCM_16")]


def full_scale(frames, channels, seed=0):
    """Noise with both extremes present, so clipping and the scale factors are exercised."""
    data = np.clip(np.random.default_rng(seed).standard_normal((frames, channels)) * 0.6, -1, 1)
    data[0] = 1.0
    data[-1] = -1.0
    return data.astype(np.float32)


def assert_same_as_soundfile(path):
    reference, rate = sf.read(path, dtype="float32", always_2d=True)
    meta, expected = info(path), sf.info(path)
    assert (meta.format, meta.subtype, meta.sample_rate, meta.channels, meta.frames) == (
        expected.format,
        expected.subtype,
        expected.samplerate,
        expected.channels,
        expected.frames,
    )
    audio, sr = load(path, mono=False)
    assert sr == rate and audio.dtype == np.float32
    np.testing.assert_array_equal(audio, reference)
    frames = len(reference)
    for start, count in [(0, 1), (frames // 3, max(1, frames // 2)), (frames - 1, 5), (frames // 2, -1)]:
        with open_audio(path) as handle:
            part = read_frames(handle, str(path), start, count)
        stop = frames if count < 0 else start + count
        np.testing.assert_array_equal(part, reference[start:stop])


@pytest.mark.parametrize("fmt, sub", FAST)
@pytest.mark.parametrize("channels", [1, 2, 3])
@pytest.mark.parametrize("frames", [1, 7, 2001])
def test_fast_path_equals_soundfile(tmp_path, fmt, sub, channels, frames):
    path = tmp_path / "clip.wav"
    sf.write(path, full_scale(frames, channels), 22050, format=fmt, subtype=sub)
    with open_audio(path) as handle:
        assert isinstance(handle, WavFile)  # the file did take the fast path
    assert_same_as_soundfile(path)


@pytest.mark.parametrize("fmt, sub", FALLBACK)
def test_other_encodings_go_through_soundfile(tmp_path, fmt, sub):
    path = tmp_path / "clip.wav"
    sf.write(path, full_scale(1000, 2), 8000, format=fmt, subtype=sub)
    assert WavFile.open(str(path)) is None
    assert_same_as_soundfile(path)


@pytest.mark.parametrize("sub", ["PCM_U8", "PCM_16", "PCM_24", "FLOAT"])
def test_truncated_data_chunk_reads_what_is_there(tmp_path, sub):
    """A data chunk announcing more bytes than the file holds: libsndfile reads whole frames present."""
    whole = tmp_path / "whole.wav"
    sf.write(whole, full_scale(1000, 2), 16000, subtype=sub)
    data = whole.read_bytes()
    for cut in (1, 3, 5, 1001):  # mid-frame and mid-sample cuts included
        path = tmp_path / f"cut{cut}.wav"
        path.write_bytes(data[:-cut])
        assert_same_as_soundfile(path)


def insert_chunk(data: bytes, chunk_id: bytes, body: bytes) -> bytes:
    """A copy of a canonical WAV with one more chunk between 'fmt ' and what follows it."""
    fmt_end = 12 + 8 + struct.unpack("<I", data[16:20])[0]
    chunk = chunk_id + struct.pack("<I", len(body)) + body + b"\0" * (len(body) & 1)
    out = data[:fmt_end] + chunk + data[fmt_end:]
    return out[:4] + struct.pack("<I", len(out) - 8) + out[8:]


def test_chunks_before_data(tmp_path):
    plain = tmp_path / "plain.wav"
    sf.write(plain, full_scale(500, 1), 16000, subtype="PCM_16")
    data = plain.read_bytes()
    cases = {
        "list.wav": insert_chunk(data, b"LIST", b"INFOISFT\x04\0\0\0abc\0"),
        "big_junk.wav": insert_chunk(data, b"JUNK", b"\0" * 10000),  # data beyond the first read
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with open_audio(path) as handle:
            assert isinstance(handle, WavFile), name
        assert_same_as_soundfile(path)
    # An odd-sized chunk: libsndfile's handling of the pad byte varies, so soundfile reads it.
    odd = tmp_path / "odd.wav"
    odd.write_bytes(insert_chunk(data, b"abcd", b"xyz"))
    assert WavFile.open(str(odd)) is None
    np.testing.assert_array_equal(load(odd, mono=False)[0], sf.read(odd, dtype="float32", always_2d=True)[0])


def test_nan_in_float_wav_is_still_refused(tmp_path):
    path = tmp_path / "nan.wav"
    data = full_scale(100, 1)
    data[50] = np.nan
    sf.write(path, data, 16000, subtype="FLOAT")
    with pytest.raises(OSError, match="not finite"):
        load(path)


def test_datasets_read_wav_through_the_fast_path(tmp_path, monkeypatch):
    """Crops and resampling on the fast path equal the same pipeline run through soundfile."""
    from audioflow.io import reader

    for i, sub in enumerate(["PCM_16", "PCM_24", "FLOAT"]):
        write_audio(tmp_path / f"{i}.wav", seconds=1.5, sample_rate=44100, channels=2, subtype=sub, seed=i)
    files = sorted(tmp_path.glob("*.wav"))

    def excerpts():
        return [
            reader.read_excerpt(str(path), rate, mono, length, crop, 0.37)
            for path in files
            for rate in (None, 16000)
            for mono in (True, False)
            for length, crop in ((None, "start"), (8000, "random"), (8000, "center"))
        ]

    fast = excerpts()
    monkeypatch.setattr(WavFile, "open", classmethod(lambda cls, path: None))
    slow = excerpts()
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(a, b)
