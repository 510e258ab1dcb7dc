"""The PyTorch and JAX paths import no TensorFlow: checked in a process where importing it fails.

Runs everywhere (TensorFlow installed or not): ``sys.modules["tensorflow"] = None`` makes every
``import tensorflow`` raise, so a TensorFlow import on these paths fails the test.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.backend_independent, pytest.mark.notf]

ROOT = Path(__file__).resolve().parents[1]

CODE = """
import sys
sys.modules["tensorflow"] = None
import numpy as np, soundfile as sf
import audioflow, audioflow.io, audioflow.data, audioflow.layers, audioflow.models, audioflow.training
import audioflow.cli, audioflow.display, audioflow.extract
from audioflow.data import AudioFileSource, grain_loader, torch_loader, training_inputs
folder = sys.argv[1]
for name, value in (("a", 0.25), ("b", -0.25)):
    for i in range(3):
        sf.write(f"{folder}/{name}/{i}.wav", np.full(800, value, np.float32), 8000)
source = AudioFileSource.from_directory(folder, sample_rate=8000, duration=0.1, seed=0)
assert sum(len(a) for a, _ in torch_loader(source, batch_size=4)) == 6
assert sum(len(a) for a, _ in grain_loader(source, batch_size=4)) == 6
train, val = training_inputs(folder, sample_rate=8000, duration=0.1, batch_size=2, validation_split=0.34)
assert type(train).__name__ == {"torch": "AudioDataLoader", "jax": "AudioGrainLoader"}[sys.argv[2]]
print("ok")
"""


@pytest.mark.parametrize("backend", ["torch", "jax"])
def test_no_tensorflow_import_on_the_torch_and_jax_paths(tmp_path, backend):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    done = subprocess.run(
        [sys.executable, "-c", CODE, str(tmp_path), backend],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]
