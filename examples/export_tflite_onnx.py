"""Export a raw-audio model to TFLite and ONNX and check the artefacts against Keras.

The model takes waveforms and computes its log-mel features itself, so the exported file is
all a device needs. ``export_model`` writes every format the current Keras backend can produce
(``formats_for_backend()``: TFLite and ONNX under TensorFlow and JAX, ONNX under PyTorch);
``load_exported`` runs each one on the same clips.

Run: ``python examples/export_tflite_onnx.py [OUT_DIR]`` (writes ``export_tflite_onnx.png``).
"""

import sys
from pathlib import Path

import keras
import numpy as np

from audioflow import display, layers
from audioflow.export import export_model, formats_for_backend, load_exported

SAMPLE_RATE, SAMPLES = 16000, 8000


def main(out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    inputs = keras.Input((SAMPLES,), name="waveform")
    features = layers.LogMelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=512, hop_length=160, n_mels=40)(inputs)
    model = keras.Model(inputs, features)

    t = np.arange(SAMPLES) / SAMPLE_RATE
    clips = np.stack([np.sin(2 * np.pi * f * t) for f in (300.0, 1200.0)]).astype(np.float32)
    expected = keras.ops.convert_to_numpy(model(clips))
    results = {}
    for format in [f for f in formats_for_backend() if f in ("tflite", "onnx")]:
        path = export_model(model, out / f"logmel.{format}", format=format, force=True)
        actual = load_exported(path, format)(clips)
        error = float(np.abs(actual - expected).max())
        results[format] = actual
        print(f"{format}: {path.stat().st_size / 1024:.0f} KiB, largest difference from Keras {error:.2e} dB")

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4 * (1 + len(results)), 3.2), layout="constrained")
    axes = fig.subplots(1, 1 + len(results), squeeze=False)[0]
    for ax, (name, S) in zip(axes, {"Keras": expected, **results}.items(), strict=True):
        display.specshow(S[1], sample_rate=SAMPLE_RATE, hop_length=160, y_axis="mel", ax=ax)
        ax.set_title(f"{name}: 1.2 kHz tone")
    picture = out / "export_tflite_onnx.png"
    fig.savefig(picture, dpi=90)
    print(f"wrote {picture}")
    return picture


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
