"""Test helpers: paths to ../shared data, backend name, synthetic signals."""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL_AUDIO = SHARED / "data" / "real-audio"
MATLAB_REFERENCE = SHARED / "data" / "reference-matlab"
BACKEND = keras.backend.backend()


def to_numpy(x) -> np.ndarray:
    return np.asarray(keras.ops.convert_to_numpy(x))


def real_recordings() -> list[Path]:
    """The shared real recordings (empty when ../shared is absent)."""
    return sorted(REAL_AUDIO.glob("*.ogg")) if REAL_AUDIO.is_dir() else []


def synthetic_signals(sample_rate: int = 22050, seconds: float = 1.3, seed: int = 0) -> dict[str, np.ndarray]:
    """Deterministic test signals of awkward length (not a multiple of any hop)."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sample_rate) + 7
    t = np.arange(n) / sample_rate
    chirp = np.sin(2 * np.pi * (100 * t + 0.5 * (4000 - 100) / seconds * t**2))
    return {
        "noise": (0.3 * rng.standard_normal(n)).astype(np.float32),
        "chirp": (0.5 * chirp).astype(np.float32),
        "tones": (0.4 * np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 3150 * t)).astype(np.float32),
        "clicks": np.where(np.arange(n) % 2205 == 0, 1.0, 0.0).astype(np.float32),
    }
