"""A type checker (basedpyright, the engine of VS Code's Pylance) reads audioflow's signatures as a
user's editor does: correct code has no error, and every misspelt or other library's keyword is one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.backend_independent

HERE = Path(__file__).resolve().parent
SRC = HERE.parents[1] / "src"
BASEDPYRIGHT = shutil.which("basedpyright") or str(Path(sys.executable).with_name("basedpyright"))


def _errors(script: str, tmp_path: Path) -> list[dict]:
    """basedpyright's errors on ``script``, with this checkout's ``src`` first on the import path."""
    config = {
        "include": [str(HERE / script)],
        "extraPaths": [str(SRC)],
        "typeCheckingMode": "standard",
        "pythonVersion": f"{sys.version_info.major}.{sys.version_info.minor}",
    }
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))
    result = subprocess.run(
        [BASEDPYRIGHT, "--outputjson", "--pythonpath", sys.executable, "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    report = json.loads(result.stdout)
    assert report["summary"]["filesAnalyzed"] == 1, result.stdout[:2000]
    return [d for d in report["generalDiagnostics"] if d["severity"] == "error"]


def test_correct_user_code_type_checks_without_errors(tmp_path):
    errors = _errors("user_script.py", tmp_path)
    assert errors == [], [(e["range"]["start"]["line"] + 1, e["message"]) for e in errors]


def test_every_misspelt_or_foreign_keyword_is_flagged(tmp_path):
    lines = (HERE / "misspelt_script.py").read_text().splitlines()
    marked = {number for number, line in enumerate(lines, start=1) if line.endswith("# flagged")}
    assert len(marked) == 25
    flagged = {e["range"]["start"]["line"] + 1 for e in _errors("misspelt_script.py", tmp_path)}
    assert flagged == marked, {"missed": sorted(marked - flagged), "unexpected": sorted(flagged - marked)}
