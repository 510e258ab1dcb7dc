"""Every read equals the same window of a full decode, for every format (MP3 seeks inexactly)."""

import numpy as np
import pytest
import soundfile as sf

from audioflow.io import load
from audioflow.io.reader import read_excerpt
from tests.io.audio_files import write_audio

pytestmark = pytest.mark.backend_independent

# (extension, format, subtype, extra sf.write arguments, sample rate)
FORMATS = [
    ("wav", "WAV", "PCM_16", {}, 44100),
    ("wav", "WAV", "PCM_24", {}, 44100),
    ("wav", "WAV", "FLOAT", {}, 22050),
    ("flac", "FLAC", "PCM_16", {}, 44100),
    ("ogg", "OGG", "VORBIS", {}, 44100),
    ("opus", "OGG", "OPUS", {}, 48000),
    ("mp3", "MP3", "MPEG_LAYER_III", {"bitrate_mode": "CONSTANT"}, 16000),
    ("mp3", "MP3", "MPEG_LAYER_III", {"bitrate_mode": "CONSTANT"}, 44100),
    ("mp3", "MP3", "MPEG_LAYER_III", {"bitrate_mode": "VARIABLE"}, 16000),
    ("mp3", "MP3", "MPEG_LAYER_III", {"bitrate_mode": "VARIABLE"}, 44100),
]
IDS = [f"{fmt}-{sub}-{extra.get('bitrate_mode', '')}-{rate}" for _, fmt, sub, extra, rate in FORMATS]


@pytest.fixture(scope="module", params=FORMATS, ids=IDS)
def coded_file(request, tmp_path_factory):
    ext, fmt, sub, extra, rate = request.param
    path = tmp_path_factory.mktemp("coded") / f"clip.{ext}"
    rng = np.random.default_rng(0)
    t = np.arange(6 * rate) / rate
    data = 0.3 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(t.size)
    sf.write(path, data.astype(np.float32), rate, format=fmt, subtype=sub, **extra)
    full, native = sf.read(path, dtype="float32", always_2d=True)  # the full decode
    return path, full, native


def test_offset_reads_equal_the_full_decode(coded_file):
    path, full, rate = coded_file
    for offset in (0.0, 0.5, 1.3, 2.77, 4.0, 5.5):
        start, count = round(offset * rate), round(0.7 * rate)
        audio, _ = load(path, mono=False, offset=offset, duration=0.7)
        np.testing.assert_array_equal(audio, full[start : start + count], err_msg=f"offset {offset}")


def test_dataset_crops_equal_the_full_decode(coded_file):
    """The crops the datasets read (cache=None) are windows of the full decode (cache="memory")."""
    path, full, rate = coded_file
    length = round(0.5 * rate)
    for crop, draw in [("start", 0.0), ("center", 0.0), ("random", 0.1), ("random", 0.62), ("random", 0.999)]:
        clip = read_excerpt(str(path), None, False, length, crop, draw)
        spare = len(full) - length
        first = {"start": 0, "center": spare // 2}.get(crop, int(draw * (spare + 1)))
        np.testing.assert_array_equal(clip, full[first : first + length], err_msg=f"{crop} {draw}")


def test_resampled_dataset_crops_equal_resampling_the_full_decode(coded_file):
    from audioflow.io import resample

    path, full, rate = coded_file
    whole = resample(full.mean(axis=1), rate, 16000)
    for crop, draw in [("center", 0.0), ("random", 0.3), ("random", 0.999)]:
        clip = read_excerpt(str(path), 16000, True, 8000, crop, draw)[:, 0]
        spare = len(whole) - 8000
        first = spare // 2 if crop == "center" else int(draw * (spare + 1))
        # soxr sees the same samples from a few hundred samples before the crop: equal to 1e-6.
        np.testing.assert_allclose(clip, whole[first : first + 8000], rtol=0, atol=1e-6)


def test_load_equals_the_full_decode_for_a_small_write(tmp_path):
    """A tiny MP3 (shorter than one MPEG frame's delay) still reads as soundfile reads it."""
    write_audio(tmp_path / "tiny.mp3", seconds=0.05, sample_rate=16000, format="MP3")
    full, _ = sf.read(tmp_path / "tiny.mp3", dtype="float32")
    audio, _ = load(tmp_path / "tiny.mp3", offset=0.01, duration=0.02)
    np.testing.assert_array_equal(audio, full[160:480])
