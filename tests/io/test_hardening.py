"""audioflow.io without TensorFlow; non-regular files; streamed WAV; librosa's resampled length."""

import os
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import audioflow
from audioflow.io import info, load, resample, resampled_length, scan_audio_files
from audioflow.io.wav import read_plain_wav_into
from tests.io.audio_files import write_audio

pytestmark = pytest.mark.backend_independent

SRC = Path(audioflow.__file__).resolve().parents[1]


def test_io_imports_and_reads_without_tensorflow(tmp_path):
    write_audio(tmp_path / "a.wav", seconds=0.1)
    script = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("tensorflow", "keras", "jax", "torch"):
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
import audioflow.io as io
audio, rate = io.load({str(tmp_path / "a.wav")!r}, sample_rate=8000)
assert audio.shape == (800,) and rate == 8000, audio.shape
assert io.scan_audio_files({str(tmp_path)!r}) == [{str(tmp_path / "a.wav")!r}]
print("ok", sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras")))
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok []"


def guarded(fifo, function):
    """Call ``function``; if it blocks on the FIFO, unblock it (a writer opens) and fail."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(30)
    if thread.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # the reader sees end of file
        thread.join(30)
        pytest.fail(f"{function} blocked on a FIFO")
    return outcome


@pytest.mark.parametrize("read", [load, info], ids=["load", "info"])
def test_a_fifo_is_a_decode_error_not_a_hang(tmp_path, read):
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    error = guarded(fifo, lambda: read(fifo)).get("error")
    assert isinstance(error, audioflow.AudioDecodeError), error
    assert error.path == str(fifo) and "FIFO (named pipe), not a regular file" in error.reason
    out = np.empty(100, np.float32)
    assert guarded(fifo, lambda: read_plain_wav_into(str(fifo), out, 1, 16000, True))["value"] is False


def test_a_folder_named_like_audio_is_a_decode_error(tmp_path):
    (tmp_path / "dir.wav").mkdir()
    with pytest.raises(audioflow.AudioDecodeError, match="is a directory, not a file"):
        load(tmp_path / "dir.wav")


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "FLOAT"])
@pytest.mark.parametrize("size_field", [0, 0xFFFFFFFF])
def test_streamed_wav_reads_to_the_end_of_the_file(tmp_path, subtype, size_field):
    """A data chunk whose size was not known when the header was written (0 or 0xFFFFFFFF)."""
    path = tmp_path / "streamed.wav"
    write_audio(path, seconds=0.2, sample_rate=16000, channels=2, subtype=subtype)
    reference, _ = sf.read(path, dtype="float32")
    raw = bytearray(path.read_bytes())
    data = raw.index(b"data")
    raw[data + 4 : data + 8] = struct.pack("<I", size_field)
    path.write_bytes(bytes(raw))
    audio, rate = load(path, mono=False)
    assert rate == 16000 and info(path).frames == 3200
    np.testing.assert_array_equal(audio, reference)
    with pytest.raises(audioflow.AudioDecodeError, match="0 frames|no audio"):
        empty = tmp_path / "empty_stream.wav"
        empty.write_bytes(bytes(raw[: data + 8]))
        load(empty)


def test_resampled_length_is_librosas_for_every_length(tmp_path):
    import librosa

    rng = np.random.default_rng(0)
    for orig, target in [(16000, 22050), (44100, 16000), (8000, 22050), (48000, 16000), (22050, 44100)]:
        for n in list(range(1, 40)) + [1000, 4097]:
            x = rng.standard_normal(n).astype(np.float32)
            ours = resample(x, orig, target)
            theirs = librosa.resample(x, orig_sr=orig, target_sr=target, res_type="soxr_hq")
            assert ours.shape == theirs.shape == (resampled_length(n, orig, target),), (orig, target, n)
            np.testing.assert_array_equal(ours, theirs)


def test_one_sample_file_loads_as_librosa_loads_it(tmp_path):
    import librosa

    path = tmp_path / "one.wav"
    sf.write(path, np.array([0.5], np.float32), 16000, subtype="FLOAT")
    ours, rate = load(path, sample_rate=22050)
    theirs, _ = librosa.load(path, sr=22050)
    assert rate == 22050 and ours.shape == theirs.shape == (2,)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)


def test_the_one_folder_scan(tmp_path):
    for name in ["b.wav", "a.FLAC", ".hidden.wav", "notes.txt", "sub/c.mp3", ".cache/d.wav", "sub/.e.ogg"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = [os.path.relpath(p, tmp_path) for p in scan_audio_files(tmp_path)]
    assert found == ["a.FLAC", "b.wav", "sub/c.mp3"]
