"""Importing audioflow.ops / audioflow.layers without the configured Keras backend (issue 8, item 17)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

# The backend's module is hidden (as if not installed) before anything imports it.
_PROGRAM = """
import sys
sys.modules[{module!r}] = None
from audioflow import MissingDependencyError
try:
    import audioflow.{package}
except MissingDependencyError as error:
    print("MissingDependencyError:", error)
else:
    print("imported")
"""


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    ("backend", "module", "package"), [("jax", "jax", "ops"), ("tensorflow", "tensorflow", "layers")]
)
def test_a_missing_backend_is_a_missing_dependency_error_with_the_install_command(backend, module, package):
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=str(SRC))
    result = subprocess.run(
        [sys.executable, "-c", _PROGRAM.format(module=module, package=package)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert (
        f"MissingDependencyError: audioflow.{package} needs Keras 3 with the '{backend}' backend"
        in result.stdout
    )
    assert f"the module '{module}' is not installed" in result.stdout
    assert f'pip install "audioflow[{backend}]"' in result.stdout


@pytest.mark.backend_independent
def test_the_configured_backend_comes_from_the_environment_then_keras_json(tmp_path, monkeypatch):
    from audioflow._backend import configured_backend

    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert configured_backend() == "torch"
    monkeypatch.delenv("KERAS_BACKEND")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert configured_backend() == "tensorflow"
    (tmp_path / "keras.json").write_text('{"backend": "jax"}')
    assert configured_backend() == "jax"
