"""The datasets' chunk fast path (io.read_plain_wav_into): bit-identical, or it steps aside."""

import numpy as np
import pytest
import soundfile as sf

from audioflow.data import audio_dataset
from audioflow.data import decoder as decoder_module
from audioflow.io.wav import read_plain_wav_into
from tests.io.test_wav import full_scale, insert_chunk

pytestmark = pytest.mark.backend_independent

LENGTH = 1000


def read_into(path, channels=1, sample_rate=16000, pad_zeros=True, length=LENGTH):
    out = np.full(length * channels, np.nan, np.float32)  # anything not written shows up
    taken = read_plain_wav_into(str(path).encode(), out, channels, sample_rate, pad_zeros)
    return taken, out.reshape(length, channels)


@pytest.mark.parametrize("channels", [1, 2, 3])
@pytest.mark.parametrize("frames", [1, 999, LENGTH])
def test_equals_soundfile_zero_padded(tmp_path, channels, frames):
    path = tmp_path / "clip.wav"
    sf.write(path, full_scale(frames, channels), 16000, subtype="PCM_16")
    taken, out = read_into(path, channels)
    assert taken
    reference = sf.read(path, dtype="float32", always_2d=True)[0]
    np.testing.assert_array_equal(out[:frames], reference)
    assert not out[frames:].any()


def test_truncated_data_chunk_reads_what_is_there(tmp_path):
    whole = tmp_path / "whole.wav"
    sf.write(whole, full_scale(900, 2), 16000, subtype="PCM_16")
    for cut in (1, 3, 5, 1001):
        path = tmp_path / f"cut{cut}.wav"
        path.write_bytes(whole.read_bytes()[:-cut])
        reference = sf.read(path, dtype="float32", always_2d=True)[0]
        taken, out = read_into(path, 2)
        assert taken
        np.testing.assert_array_equal(out[: len(reference)], reference)
        assert not out[len(reference) :].any()


def test_steps_aside_for_everything_else(tmp_path):
    def write(name, frames=500, channels=1, rate=16000, subtype="PCM_16", fmt="WAV"):
        path = tmp_path / name
        sf.write(path, full_scale(frames, channels), rate, format=fmt, subtype=subtype)
        return path

    plain = write("plain.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "text.wav").write_bytes(b"not audio at all, " * 10)
    (tmp_path / "list.wav").write_bytes(insert_chunk(plain.read_bytes(), b"LIST", b"INFOISFT\x04\0\0\0abc\0"))
    zero_size = bytearray(plain.read_bytes())
    zero_size[40:44] = b"\0\0\0\0"  # an unfinished recording: libsndfile patches the size
    (tmp_path / "zero_size.wav").write_bytes(bytes(zero_size))
    cases = {
        "longer than the clip (a crop)": (write("long.wav", frames=LENGTH + 1), {}),
        "another rate": (write("rate.wav", rate=22050), {}),
        "another channel count": (write("stereo.wav", channels=2), {}),
        "24-bit": (write("pcm24.wav", subtype="PCM_24"), {}),
        "8-bit": (write("pcm8.wav", subtype="PCM_U8"), {}),
        "WAVE_FORMAT_EXTENSIBLE": (write("wavex.wav", fmt="WAVEX"), {}),
        "mu-law": (write("ulaw.wav", subtype="ULAW"), {}),
        "short clip, pad='repeat'": (plain, {"pad_zeros": False}),
        "float": (write("float.wav", subtype="FLOAT"), {}),
        "a chunk before data": (tmp_path / "list.wav", {}),
        "data size 0": (tmp_path / "zero_size.wav", {}),
        "empty file": (tmp_path / "empty.wav", {}),
        "not a WAV": (tmp_path / "text.wav", {}),
        "missing file": (tmp_path / "missing.wav", {}),
        "a directory": (tmp_path, {}),
    }
    for reason, (path, kwargs) in cases.items():
        assert not read_into(path, **kwargs)[0], reason
    assert read_into(plain)[0]


@pytest.mark.filterwarnings("ignore::audioflow.data.SkippedFileWarning")
def test_datasets_equal_the_general_path(tmp_path, monkeypatch):
    """Mixed files (fast, cropped, resampled, other encodings, broken) give the same batches."""
    rng = np.random.default_rng(0)
    for i in range(40):
        rate = 16000 if i % 5 else 22050
        frames = int(rng.integers(200, 1500))
        subtype = ("PCM_16", "FLOAT", "PCM_24", "PCM_16")[i % 4]
        sf.write(tmp_path / f"{i:02d}.wav", full_scale(frames, 2, seed=i), rate, subtype=subtype)
    (tmp_path / "40.wav").write_bytes(b"broken")
    files = sorted(str(p) for p in tmp_path.glob("*.wav"))
    taken = []
    real = decoder_module.read_plain_wav_into

    def counting(*args):
        ok = real(*args)
        taken.append(ok)
        return ok

    def batches(**kwargs):
        ds = audio_dataset(
            files,
            batch_size=8,
            sample_rate=16000,
            duration=1000 / 16000,
            seed=3,
            on_error="skip",
            num_parallel_calls=1,
            **kwargs,
        )
        return [b.numpy() for epoch in range(2) for b in ds], ds.skipped.paths

    for kwargs in ({}, {"mono": False}, {"pad": "repeat"}, {"crop": "center", "mono": False}):
        monkeypatch.setattr(decoder_module, "read_plain_wav_into", counting)
        fast, fast_skipped = batches(**kwargs)
        monkeypatch.setattr(decoder_module, "read_plain_wav_into", lambda *args: False)
        slow, slow_skipped = batches(**kwargs)
        assert fast_skipped == slow_skipped == [files[-1]]
        assert len(fast) == len(slow)
        for a, b in zip(fast, slow, strict=True):
            np.testing.assert_array_equal(a, b)
    assert any(taken) and not all(taken)
