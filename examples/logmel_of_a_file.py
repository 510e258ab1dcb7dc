"""Log-mel spectrogram of an audio file, with physical axes.

Writes a short test file (a rising chirp over a steady tone), reads it back resampled to 16 kHz
with ``audioflow.io.load``, computes librosa's log-mel spectrogram with the
``LogMelSpectrogram`` layer and draws it with ``audioflow.display.specshow``.

Run: ``python examples/logmel_of_a_file.py [OUT_DIR]`` (writes ``logmel_of_a_file.png``).
"""

import sys
from pathlib import Path

import keras
import numpy as np
import soundfile as sf

from audioflow import display, io, layers

SAMPLE_RATE = 16000


def write_test_file(path: Path) -> Path:
    """Two seconds at 22.05 kHz: a chirp from 200 Hz to 4 kHz over a steady 440 Hz tone."""
    rate = 22050
    t = np.arange(2 * rate) / rate
    chirp = np.sin(2 * np.pi * (200 * t + (4000 - 200) / 4 * t**2))
    signal = 0.4 * chirp + 0.2 * np.sin(2 * np.pi * 440 * t)
    sf.write(path, signal.astype(np.float32), rate)
    return path


def main(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = write_test_file(out / "chirp.wav")
    y, sample_rate = io.load(path, sample_rate=SAMPLE_RATE)  # resampled with soxr, as librosa.load
    log_mel = layers.LogMelSpectrogram(sample_rate=sample_rate, n_fft=512, hop_length=160, n_mels=64)
    S = keras.ops.convert_to_numpy(log_mel(y[None]))[0]  # (frames, n_mels): time-major

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.5), layout="constrained")
    ax = fig.add_subplot()
    display.specshow(S, sample_rate=sample_rate, hop_length=160, y_axis="mel", ax=ax)
    ax.set_title(f"LogMelSpectrogram of {path.name}: {S.shape[0]} frames x {S.shape[1]} mel bands")
    picture = out / "logmel_of_a_file.png"
    fig.savefig(picture, dpi=100)
    print(f"wrote {picture}")
    return picture


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
