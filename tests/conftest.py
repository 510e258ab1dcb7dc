"""Shared fixtures: real recordings from ../shared when present, synthetic signals always."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tests.helpers import real_recordings, synthetic_signals  # noqa: E402


@pytest.fixture(scope="session")
def real_clips() -> dict[str, tuple[np.ndarray, int]]:
    """Up to 4 s from each shared recording, at its own 22.05 kHz rate (empty without ../shared)."""
    import soundfile as sf

    clips = {}
    for path in real_recordings():
        with sf.SoundFile(path) as handle:
            audio = handle.read(min(handle.frames, 4 * handle.samplerate), dtype="float32", always_2d=True)
            clips[path.stem] = (audio.mean(axis=1), handle.samplerate)
    return clips


@pytest.fixture(scope="session")
def test_signals(real_clips) -> dict[str, np.ndarray]:
    """Synthetic signals always, plus a few real recordings when ../shared is present."""
    signals = dict(synthetic_signals())
    for name in list(real_clips)[:4]:
        signals[f"real:{name}"] = real_clips[name][0][: 3 * 22050]
    return signals
