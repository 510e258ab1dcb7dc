"""Per-octave error of audioflow's CQT/VQT against librosa (float64), as BENCHMARKS.md quotes it.

Run: ``PYTHONPATH=src:. KERAS_BACKEND=tensorflow python benchmarks/cqt_parity.py``. Prints, per
signal and octave (lowest first), the median and 99th percentile of the dB error over cells within
60 dB of the maximum.
"""

import librosa
import numpy as np
import soundfile as sf
from tests.helpers import real_recordings, synthetic_signals
from tests.layers.test_cqt import octave_db_errors

from audioflow import layers


def main():
    signals = dict(synthetic_signals(sample_rate=22050, seconds=3.0))
    for path in real_recordings()[:3]:
        audio = sf.read(path, frames=4 * 22050, dtype="float64", always_2d=True)[0].mean(axis=1)
        signals[f"real:{path.stem}"] = audio
    cases = [
        ("cqt", layers.CQT(dtype="float64"), librosa.cqt, {}),
        ("vqt", layers.VQT(dtype="float64"), librosa.vqt, {}),
        (
            "cqt n_bins=36 (early downsampling)",
            layers.CQT(n_bins=36, dtype="float64"),
            librosa.cqt,
            {"n_bins": 36},
        ),
    ]
    for title, layer, function, arguments in cases:
        print(f"## {title}: median / p99 dB per octave, lowest first")
        for name, y in signals.items():
            y = np.asarray(y, np.float64)
            expected = function(y, sr=22050, tuning=0.0, **arguments)
            actual = np.asarray(layer(y[None]))[0].T
            errors = octave_db_errors(actual, expected, 12)
            print(f"{name[:40]:40s}", " ".join(f"{m:.4f}/{p:.3f}" for m, p in errors))


if __name__ == "__main__":
    main()
