"""The gallery's examples (examples/*.py) run as written, each in its own process, and draw their pictures.

They run on the current Keras backend (``KERAS_BACKEND`` is passed on), so ``make test`` runs them
under TensorFlow, JAX and PyTorch. The docs build runs them again to make the gallery's pictures
(``docs/hooks/gallery.py``); nothing they draw is committed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SOURCE = Path(__file__).resolve().parents[1] / "src"
PNG = b"\x89PNG\r\n\x1a\n"


def run_example(name: str, out: Path) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SOURCE), os.environ.get("PYTHONPATH", "")])}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), str(out)],
        capture_output=True, text=True, env=env, timeout=600, cwd=out,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    return proc.stdout


def assert_pictures(out: Path, *names: str):
    for name in names:
        assert (out / name).read_bytes()[:8] == PNG, name


def test_every_example_is_tested():
    tested = {"logmel_of_a_file", "train_a_classifier", "export_tflite_onnx", "streaming"}
    assert {p.stem for p in EXAMPLES.glob("*.py")} == tested


def test_logmel_of_a_file(tmp_path):
    stdout = run_example("logmel_of_a_file", tmp_path)
    assert "logmel_of_a_file.png" in stdout
    assert_pictures(tmp_path, "logmel_of_a_file.png")


def test_train_a_classifier(tmp_path):
    stdout = run_example("train_a_classifier", tmp_path)
    accuracy = float(re.search(r"validation accuracy ([0-9.]+) on \d+ clips", stdout).group(1))
    assert 0.0 <= accuracy <= 1.0
    assert (tmp_path / "run" / "model.keras").is_file()
    assert_pictures(tmp_path, "train_a_classifier_curves.png", "train_a_classifier_confusion.png")


def test_export_tflite_onnx(tmp_path):
    stdout = run_example("export_tflite_onnx", tmp_path)
    differences = {
        f: float(d) for f, d in re.findall(r"(\w+): \d+ KiB, largest difference from Keras (\S+) dB", stdout)
    }
    assert "onnx" in differences
    assert all(d < 0.01 for d in differences.values()), differences  # dB, on values up to ~+20 dB
    assert_pictures(tmp_path, "export_tflite_onnx.png")


def test_streaming(tmp_path):
    stdout = run_example("streaming", tmp_path)
    frames, error = re.search(
        r"(\d+) frames streamed in 40 chunks; largest difference (\S+) dB", stdout
    ).groups()
    assert int(frames) == 98  # 1 s at 16 kHz, n_fft=400, hop 160, center=False
    assert float(error) < 0.01
    assert_pictures(tmp_path, "streaming.png")
