"""The public surface: lazy subpackages, the error hierarchy, the one message format."""

import subprocess
import sys

import pytest

import audioflow
from audioflow import AudioDecodeError, AudioflowError, MissingDependencyError, ParameterError
from audioflow._validation import parameter_error

pytestmark = pytest.mark.backend_independent


def test_error_hierarchy():
    assert issubclass(ParameterError, ValueError) and issubclass(ParameterError, AudioflowError)
    assert issubclass(AudioDecodeError, OSError) and issubclass(AudioDecodeError, AudioflowError)
    assert issubclass(MissingDependencyError, ImportError)
    error = AudioDecodeError("a/b.wav", "Format not recognised")
    assert str(error) == "Cannot decode audio file 'a/b.wav': Format not recognised"
    assert (error.path, error.reason) == ("a/b.wav", "Format not recognised")


def test_parameter_error_format():
    error = parameter_error("win_length", "<= `n_fft`", win_length=1024, n_fft=512)
    assert str(error) == "`win_length` must be <= `n_fft`. Received: win_length=1024, n_fft=512."
    hinted = parameter_error("mode", "one of 'a', 'b'", hint="Try 'a'.", mode="c")
    assert str(hinted) == "`mode` must be one of 'a', 'b'. Received: mode='c'. Try 'a'."


def test_importing_audioflow_imports_no_backend():
    code = (
        "import sys, audioflow; print(any(m in sys.modules for m in ('keras', 'tensorflow', 'torch', 'jax')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_subpackages_load_on_first_use():
    assert audioflow.ops.num_frames(100, n_fft=16, hop_length=4) == 26
    assert "LogMelSpectrogram" in dir(audioflow.layers)
    assert audioflow.__version__
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        audioflow.nothing  # noqa: B018


def test_the_wheel_ships_py_typed(tmp_path):
    """PEP 561: type checkers read the package's inline types only when ``py.typed`` is installed."""
    import shutil
    import zipfile
    from pathlib import Path

    root, tree = Path(__file__).resolve().parents[1], tmp_path / "tree"
    shutil.copytree(root / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(root / name, tree / name)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w"]
    subprocess.run([*command, str(tmp_path), str(tree)], check=True, capture_output=True, timeout=600)
    (wheel,) = tmp_path.glob("audioflow-*.whl")
    assert "audioflow/py.typed" in zipfile.ZipFile(wheel).namelist()
