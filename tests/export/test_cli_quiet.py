"""The command line keeps TensorFlow's start-up log lines off stderr unless ``--verbose``.

TensorFlow 2.20+ writes them (absl's pre-init warning, oneDNN, CUDA probing) to file descriptor 2
whatever TF_CPP_MIN_LOG_LEVEL says, so this runs the CLI in a child process and reads its stderr.
"""

import os
import subprocess
import sys
from pathlib import Path

import keras
import pytest

from audioflow.export import formats_for_backend

#: Fragments of TensorFlow's C++ start-up lines.
CHATTER = ("absl::InitializeLog", "oneDNN", "cudart_stub", "cuInit", "cuda drivers", "I0000", "W0000")


def run_audioflow(*argv, cwd):
    import audioflow
    from audioflow.export._child import python_path

    source = str(Path(audioflow.__file__).resolve().parents[1])  # this checkout, from any cwd
    env = dict(
        os.environ, KERAS_BACKEND=keras.backend.backend(), TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore",
        PYTHONPATH=python_path(source),
    )  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "audioflow", *map(str, argv)], capture_output=True, text=True, env=env, cwd=cwd
    )


@pytest.mark.parametrize("format", ["onnx", "saved_model"])
def test_export_prints_no_tensorflow_chatter(format, classifier_file, tmp_path):
    if format not in formats_for_backend():
        pytest.skip(f"the {keras.backend.backend()} backend cannot produce {format!r}")
    done = run_audioflow(
        "export", classifier_file, "--format", format, "--out", tmp_path / f"m.{format}", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert not [line for line in done.stderr.splitlines() if any(text in line for text in CHATTER)], (
        done.stderr
    )
    assert done.stderr.strip() == ""
