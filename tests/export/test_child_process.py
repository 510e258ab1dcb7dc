"""The TensorFlow child processes (JAX's TFLite and ONNX routes) never import from the working folder.

A module file in the user's folder named like a dependency (``onnx.py``, ``tensorflow.py``...)
writes a marker when imported: it must never run, while ``PYTHONPATH`` stays honoured.
"""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest

from audioflow.export import export_model, load_exported
from audioflow.export._child import _SAFE_RUN, python_command, python_path
from tests.export.zoo import STFT_ARGS, keras_outputs, waveforms
from tests.tolerances import POWER_RTOL

SHADOWED = ("onnx", "tf2onnx", "tensorflow", "ai_edge_litert", "keras", "numpy")


def booby_trapped_folder(folder):
    """A folder whose ``<dependency>.py`` files each write ``<folder>/ran-<dependency>`` when imported."""
    folder.mkdir(exist_ok=True)
    for name in SHADOWED:
        marker = folder / f"ran-{name}"
        (folder / f"{name}.py").write_text(
            f"open({str(marker)!r}, 'w').close()\nraise ImportError('shadowed')\n"
        )
    return folder


def markers(folder):
    return sorted(p.name for p in folder.glob("ran-*"))


@pytest.mark.backend_independent
@pytest.mark.parametrize("launcher", ["this_python", "python_3_10_stub"])
def test_the_child_command_ignores_the_working_folder_and_keeps_pythonpath(launcher, tmp_path):
    user = booby_trapped_folder(tmp_path / "user")
    trusted = tmp_path / "trusted"
    trusted.mkdir()
    (trusted / "probe.py").write_text(
        "import importlib.util, json, sys\n"
        "print(json.dumps({'onnx': getattr(importlib.util.find_spec('onnx'), 'origin', None), 'path': sys.path}))\n"
    )
    command = (
        python_command("probe") if launcher == "this_python" else [sys.executable, "-c", _SAFE_RUN, "probe"]
    )
    env = dict(os.environ, PYTHONPATH=python_path(str(trusted)))
    done = subprocess.run(command, cwd=user, env=env, capture_output=True, text=True, check=True)
    import json

    probe = json.loads(done.stdout)
    assert str(user) not in probe["path"] and "" not in probe["path"], probe["path"]
    assert str(trusted) in probe["path"]
    assert probe["onnx"] is None or not probe["onnx"].startswith(str(user)), probe["onnx"]
    assert markers(user) == []


@pytest.mark.backend_independent
def test_pythonpath_entries_are_made_absolute_and_empty_ones_dropped(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(["", "src", str(tmp_path / "abs"), ""]))
    assert python_path("/opt/audioflow").split(os.pathsep) == [
        "/opt/audioflow",
        str(tmp_path / "src"),
        str(tmp_path / "abs"),
    ]


@pytest.mark.parametrize("format", ["tflite", "onnx"])
def test_jax_child_exports_do_not_run_files_of_the_working_folder(format, tmp_path, monkeypatch):
    if keras.backend.backend() != "jax":
        pytest.skip("only the JAX backend exports through a child process")
    import audioflow.layers as L

    user = booby_trapped_folder(tmp_path / "user")
    monkeypatch.chdir(user)
    # This process was started elsewhere: what it already imported stays; only the child is tested.
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(user))])
    inputs = keras.Input((1024,))
    model = keras.Model(inputs, L.Spectrogram(**STFT_ARGS)(inputs))
    path = export_model(model, f"m.{format}", format)
    assert markers(user) == []
    x = waveforms(2, 1024)
    np.testing.assert_allclose(
        load_exported(path, format)(x), keras_outputs(model, x), rtol=POWER_RTOL, atol=1e-6
    )
