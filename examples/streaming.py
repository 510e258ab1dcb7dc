"""Streaming log-mel: features of audio that arrives in chunks, frame for frame the offline ones.

``StreamingFrontEnd`` runs a feature layer (built with ``center=False`` and a fixed dB
reference) on chunks of any size, keeping the samples that do not yet make a whole frame.
The frames it returns, concatenated, equal the layer's output on the whole signal.

Run: ``python examples/streaming.py [OUT_DIR]`` (writes ``streaming.png``).
"""

import sys
from pathlib import Path

import keras
import numpy as np

from audioflow import display, layers
from audioflow.streaming import StreamingFrontEnd

SAMPLE_RATE = 16000


def main(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    t = np.arange(SAMPLE_RATE) / SAMPLE_RATE
    signal = (np.sin(2 * np.pi * (300 + 1500 * t) * t) + 0.05 * rng.standard_normal(t.size)).astype(
        np.float32
    )[None]

    layer = layers.LogMelSpectrogram(
        sample_rate=SAMPLE_RATE, n_fft=400, hop_length=160, n_mels=40, center=False, top_db=None
    )
    offline = keras.ops.convert_to_numpy(layer(signal))[0]
    stream = StreamingFrontEnd(layer)
    sizes = rng.integers(50, 1200, 40)  # chunks of uneven sizes, as a microphone delivers them
    edges = np.minimum(np.cumsum(np.concatenate([[0], sizes])), signal.shape[1])
    streamed = np.concatenate(
        [
            keras.ops.convert_to_numpy(stream.process(signal[:, a:b]))[0]
            for a, b in zip(edges[:-1], edges[1:], strict=True)
        ]
    )
    error = float(np.abs(streamed - offline[: len(streamed)]).max())
    print(f"{len(streamed)} frames streamed in {len(sizes)} chunks; largest difference {error:.2e} dB")

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(10, 3.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    display.specshow(offline, sample_rate=SAMPLE_RATE, hop_length=160, ax=left)
    left.set_title("the whole signal at once")
    display.specshow(streamed, sample_rate=SAMPLE_RATE, hop_length=160, ax=right)
    right.set_title(f"streamed in {len(sizes)} chunks (max difference {error:.0e} dB)")
    picture = out / "streaming.png"
    fig.savefig(picture, dpi=90)
    print(f"wrote {picture}")
    return picture


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
