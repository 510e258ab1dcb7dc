"""An output folder is written by one process at a time (``audioflow._folder_claim``)."""

import os
import subprocess
import sys

import pytest

from audioflow._folder_claim import LOCK_NAME, claim_output_folder
from audioflow.errors import ParameterError

HOLDER = """
import sys
from audioflow._folder_claim import claim_output_folder
with claim_output_folder(sys.argv[1]):
    print("held", flush=True)
    sys.stdin.readline()  # hold the folder until the parent closes our stdin
print("released", flush=True)
"""


def holder(folder):
    """A child process holding ``folder``; it releases it when its stdin is closed."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "held"
    return child


@pytest.mark.backend_independent
def test_a_folder_held_by_another_process_is_refused_until_it_is_released(tmp_path):
    out = tmp_path / "run"
    child = holder(out)
    try:
        with pytest.raises(ParameterError, match=rf"no other audioflow process.*Process {child.pid} holds"):
            with claim_output_folder(out):
                pass
    finally:
        child.stdin.close()
        assert child.stdout.readline().strip() == "released"
        child.wait()
    with claim_output_folder(out):
        assert (out / LOCK_NAME).read_text().strip() == str(os.getpid())
    assert not (out / LOCK_NAME).exists()


@pytest.mark.backend_independent
def test_a_second_claim_in_the_same_process_is_refused(tmp_path):
    with claim_output_folder(tmp_path / "run"):
        with pytest.raises(ParameterError, match="no other audioflow process"):
            with claim_output_folder(tmp_path / "run"):
                pass


@pytest.mark.backend_independent
def test_the_claim_is_released_on_an_exception_and_an_empty_folder_it_made_removed(tmp_path):
    out = tmp_path / "run"
    with pytest.raises(KeyboardInterrupt):
        with claim_output_folder(out):
            raise KeyboardInterrupt
    assert not out.exists()
    out.mkdir()
    (out / "kept.txt").write_text("mine")
    with claim_output_folder(out):
        pass
    assert sorted(p.name for p in out.iterdir()) == ["kept.txt"]


@pytest.mark.backend_independent
def test_a_lock_file_left_by_a_dead_process_does_not_block(tmp_path):
    out = tmp_path / "run"
    child = holder(out)
    child.kill()  # dies holding it: its lock file stays, its lock does not
    child.wait()
    assert (out / LOCK_NAME).read_text().strip() == str(child.pid)
    with claim_output_folder(out):
        pass


@pytest.mark.backend_independent
def test_a_file_is_not_a_folder(tmp_path):
    (tmp_path / "run").write_text("x")
    with pytest.raises(ParameterError, match="`out` must be a folder"):
        with claim_output_folder(tmp_path / "run"):
            pass


def test_train_classifier_refuses_a_folder_another_run_holds(tmp_path):
    from audioflow.training import train_classifier

    with claim_output_folder(tmp_path / "run"):
        with pytest.raises(ParameterError, match="no other audioflow process"):
            train_classifier(tmp_path / "no-data-needed", out=tmp_path / "run", epochs=1)


def test_cli_train_refuses_a_folder_another_run_holds(capsys, tmp_path):
    from tests.cli.conftest import TINY, assert_one_line_error, run_cli

    out = tmp_path / "run"
    with claim_output_folder(out):
        code, stdout, err = run_cli(
            capsys, "train", "--out", out, "--epochs", "1", "--examples-per-class", "4", *TINY
        )
    assert_one_line_error(code, err, "no other audioflow process", f"Process {os.getpid()} holds")
    assert "wrote" not in stdout
    assert not out.exists()
