"""Every snippet of the README (and of docs/ and examples/, when they exist) runs as written.

Each ```python block runs in a fresh interpreter, in an empty temporary folder, under the
current Keras backend, with this checkout's ``src`` first on the path. An HTML comment on the
line just before a fence says what a snippet needs, and the prose before it must say the same
in words:

- ``<!-- backend: jax -->`` (or several names): it runs only under those backends.
- ``<!-- requires: cluster -->``: it needs machines the test suite does not have (e.g.
  ``TF_CONFIG`` naming workers); it is compiled, not run.

Shell blocks (```sh, ```bash): every ``audioflow ...`` line must parse with the real argument
parser (commands and options exist), every ``make X`` must name a Makefile target, and the cheap,
local commands (``audioflow --help``, ``audioflow info``) run for real.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import keras
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").rglob("*.md")),
    *sorted((ROOT / "examples").rglob("*.md")),
]
EXAMPLE_SCRIPTS = sorted((ROOT / "examples").rglob("*.py"))
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
TIMEOUT_S = 600  # a snippet that trains a small model, on a loaded 2-core machine
FENCE = re.compile(r"^```(\w*)\s*$")
MARKER = re.compile(r"^<!--\s*(backend|requires):\s*([\w\s]+?)\s*-->\s*$")


@dataclasses.dataclass(frozen=True)
class Snippet:
    path: Path
    line: int  # of the opening fence, from 1
    language: str
    code: str
    markers: dict  # "backend" -> tuple of names, "requires" -> tuple
    prose: str  # the text between the previous block and this one

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def _snippets(path: Path) -> list[Snippet]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found, i, prose_start = [], 0, 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        markers, k = {}, i - 1
        while k >= 0 and (marker := MARKER.match(lines[k])):
            markers[marker.group(1)] = tuple(marker.group(2).split())
            k -= 1
        prose = "\n".join(lines[prose_start : k + 1])
        body = [line for line in lines[i + 1 : end] if line.strip()]
        if body and all(line.startswith("--8<--") for line in body):
            # A docs page including an example file: the file itself runs (EXAMPLE_SCRIPTS).
            i, prose_start = end + 1, end + 1
            continue
        found.append(
            Snippet(path, i + 1, opening.group(1), "\n".join(lines[i + 1 : end]) + "\n", markers, prose)
        )
        i, prose_start = end + 1, end + 1
    return found


SNIPPETS = [snippet for path in DOCUMENTS if path.exists() for snippet in _snippets(path)]
PYTHON = [s for s in SNIPPETS if s.language == "python"] + [
    Snippet(path, 1, "python", path.read_text(encoding="utf-8"), {}, "") for path in EXAMPLE_SCRIPTS
]
SHELL = [s for s in SNIPPETS if s.language in ("sh", "bash", "shell", "console")]
BACKEND = keras.backend.backend()


def _runs_here(snippet: Snippet) -> bool:
    return "requires" not in snippet.markers and BACKEND in snippet.markers.get("backend", (BACKEND,))


def _run_python(args, cwd, timeout=TIMEOUT_S):
    env = {
        **os.environ,
        "KERAS_BACKEND": BACKEND,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "MPLBACKEND": "Agg",
    }
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


def _failure(name, proc):
    return f"{name} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}"


@pytest.mark.parametrize("snippet", [s for s in PYTHON if _runs_here(s)], ids=lambda s: s.name)
def test_python_snippet_runs_as_written(snippet, tmp_path):
    script = tmp_path / "snippet.py"
    script.write_text(snippet.code)
    proc = _run_python([str(script)], cwd=tmp_path)
    assert proc.returncode == 0, _failure(snippet.name, proc)


@pytest.mark.backend_independent
def test_every_python_snippet_is_run_somewhere_or_marked():
    """Markers are few, known, and said in words; marked-off snippets still compile."""
    assert len(PYTHON) >= 8
    for snippet in PYTHON:
        compile(snippet.code, snippet.name, "exec")
        backends = snippet.markers.get("backend", ())
        assert set(backends) <= set(BACKEND_NAMES), snippet.name
        for backend in backends:
            assert BACKEND_NAMES[backend] in snippet.prose[-600:], f"{snippet.name}: say '{backend}' in words"
        for need in snippet.markers.get("requires", ()):
            assert need == "cluster", f"{snippet.name}: unknown requirement {need!r}"
            assert "needs a cluster" in snippet.prose[-600:], f"{snippet.name}: say it needs a cluster"
    assert sum("requires" in s.markers for s in PYTHON) <= 3  # marked off sparingly


def _shell_commands(snippet):
    for raw in snippet.code.splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            yield shlex.split(line)


@pytest.mark.backend_independent
def test_shell_snippets_name_real_commands_options_and_targets():
    from audioflow.cli import build_parser

    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), flags=re.M))
    seen = 0
    for snippet in SHELL:
        for argv in _shell_commands(snippet):
            seen += 1
            if argv[0] == "make":
                named = [a for a in argv[1:] if "=" not in a] or ["all"]
                assert set(named) <= targets, f"{snippet.name}: {shlex.join(argv)}"
            elif argv[0] == "audioflow" and argv[1:] != ["--help"]:
                parser = build_parser()
                try:
                    parser.parse_args(argv[1:])
                except (SystemExit, Exception) as exc:
                    pytest.fail(f"{snippet.name}: `{shlex.join(argv)}` does not parse: {exc!r}")
            else:
                assert argv[0] in ("audioflow", "make", "python", "pip"), f"{snippet.name}: {argv[0]}"
    assert seen >= 10


@pytest.mark.backend_independent
def test_cheap_shell_commands_run(tmp_path):
    """``audioflow --help`` and ``audioflow info FOLDER`` as the README writes them."""
    from audioflow.synthetic import make_synthetic_dataset

    commands = [
        argv
        for s in SHELL
        for argv in _shell_commands(s)
        if argv[:2] in (["audioflow", "--help"], ["audioflow", "info"])
    ]
    assert ["audioflow", "--help"] in commands and any(argv[1] == "info" for argv in commands)
    for argv in commands:
        for folder in argv[2:]:
            make_synthetic_dataset(tmp_path / folder, examples_per_class=1, duration=0.25)
        proc = _run_python(["-m", *argv], cwd=tmp_path, timeout=300)
        assert proc.returncode == 0, _failure(shlex.join(argv), proc)
        assert proc.stdout.strip(), shlex.join(argv)
