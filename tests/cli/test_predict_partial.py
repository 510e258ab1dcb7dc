"""``audioflow predict`` with a missing or corrupt file among many: report it, predict the rest, exit 1."""

import json

import pytest

from tests.cli.conftest import run_cli


@pytest.fixture(scope="module")
def untrained(tmp_path_factory):
    """An ``audioflow train``-style classifier (untrained: only the plumbing is tested)."""
    from audioflow.models import build_classifier
    from audioflow.synthetic import SYNTHETIC_CLASSES

    path = tmp_path_factory.mktemp("model") / "model.keras"
    build_classifier(sorted(SYNTHETIC_CLASSES), sample_rate=8000, duration=0.5, size="small").save(path)
    return path


@pytest.mark.parametrize("json_lines", [False, True], ids=["text", "json"])
def test_missing_and_corrupt_files_are_reported_and_the_others_predicted(
    json_lines, capsys, untrained, small_data, tmp_path
):
    good = sorted((small_data / "tone").iterdir())[:2]
    broken = tmp_path / "broken.wav"
    broken.write_text("not audio")
    missing = tmp_path / "missing.wav"
    argv = ["predict", untrained, good[0], missing, broken, good[1], *(["--json"] if json_lines else [])]
    code, out, err = run_cli(capsys, *argv)
    assert code == 1, err
    lines = out.strip().splitlines()
    if json_lines:
        records = {record["path"]: record for record in map(json.loads, lines)}
        assert set(records) == {str(good[0]), str(missing), str(broken), str(good[1])}
        assert "does not exist" in records[str(missing)]["error"]
        assert "error" in records[str(broken)] and "label" in records[str(good[1])]
    else:
        assert [line.split("\t")[0] for line in lines] == [str(good[0]), str(good[1])]
    assert f"error: input '{missing}' does not exist" in err
    assert "broken.wav" in err
    assert "2 of 4 input(s) could not be read" in err
