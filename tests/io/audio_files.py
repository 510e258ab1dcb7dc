"""Helpers for the data-pipeline tests: audio files written on the fly (imported by the tests)."""

import io
from pathlib import Path

import numpy as np
import soundfile as sf

SHARED_AUDIO = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real-audio"


def write_audio(
    path, *, seconds=0.25, sample_rate=16000, channels=1, format=None, subtype=None, signal="noise", seed=0
):
    """Write a test file; returns the float32 array written, (frames, channels)."""
    frames = int(round(seconds * sample_rate))
    if signal == "ramp":  # sample i holds i / 2**20: exact in float32, identifies any crop
        data = (np.arange(frames, dtype=np.float64) / 2**20)[:, None].repeat(channels, axis=1)
        data[:, 1:] *= -1
    else:
        rng = np.random.default_rng(seed)
        t = np.arange(frames) / sample_rate
        data = 0.3 * np.sin(2 * np.pi * 440 * t)[:, None] + 0.05 * rng.standard_normal((frames, channels))
    data = data.astype(np.float32)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, data, sample_rate, format=format, subtype=subtype)
    return data


def make_corrupt_corpus(directory):
    """The issue's corrupt-file corpus; returns {file name: expected fragment of the reason}."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    (directory / "empty.wav").write_bytes(b"")
    (directory / "text.wav").write_text("this is not audio\n" * 20)
    buffer = io.BytesIO()
    sf.write(buffer, rng.standard_normal(1000).astype(np.float32), 16000, format="WAV")
    (directory / "truncated_header.wav").write_bytes(buffer.getvalue()[:30])
    for extension in ("flac", "ogg", "mp3"):
        (directory / f"random.{extension}").write_bytes(rng.bytes(4096))
    sf.write(directory / "zero_frames.wav", np.zeros((0, 1), np.float32), 16000)
    return {
        "empty.wav": "empty",
        "text.wav": "not recognised",
        "truncated_header.wav": "data",
        "random.flac": "not recognised",
        "random.ogg": "not recognised",
        "random.mp3": "not a recognised audio format",
        "zero_frames.wav": "0 frames",
    }
