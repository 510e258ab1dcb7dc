"""Bad input: one `error: ...` line on stderr, exit code 2, nothing overwritten, nothing written."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.cli.conftest import assert_one_line_error, run_cli

pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        ([], ["a command is required"]),
        (["bogus"], ["invalid choice: 'bogus'"]),
        (["train", "--out", "o", "--no-such-option"], ["unrecognized arguments: --no-such-option"]),
        (["train"], ["--out"]),
        (["train", "--out", "o", "--epochs", "0"], ["--epochs", "positive integer", "'0'"]),
        (["train", "--out", "o", "--epochs", "many"], ["--epochs", "'many'"]),
        (["train", "--out", "o", "--validation-split", "1.5"], ["--validation-split", "between 0 and 1"]),
        (["train", "--out", "o", "--duration", "nan"], ["--duration", "finite"]),
        (["train", "--out", "o", "--on-error", "ignore"], ["--on-error", "invalid choice"]),
        (["train", "--out", "o", "--frontend", "mfcc"], ["--frontend", "invalid choice: 'mfcc'"]),
        (["train", "--out", "o", "--size", "huge"], ["--size", "invalid choice: 'huge'"]),
        (["train", "--out", "o", "--no-augment=yes"], ["--no-augment", "ignored explicit argument 'yes'"]),
        (["plot", "x.wav", "--out", "x.png", "--kind", "chroma"], ["--kind", "invalid choice"]),
        (["predict", "model.keras"], ["FILE_OR_DIR"]),
        (["info"], ["PATH"]),
        (["features", "a.wav"], ["--out"]),
    ],
)
def test_usage_errors(capsys, tmp_path, monkeypatch, argv, fragments):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(capsys, *argv)
    assert_one_line_error(code, err, *fragments)
    assert out == ""
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_help_and_version(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0 and "train" in out and "predict" in out
    code, out, _ = run_cli(capsys, "train", "--help")
    assert code == 0 and "--validation-split" in out and "--on-error" in out
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.startswith("audioflow ")


def test_train_missing_data_dir(capsys, tmp_path):
    code, _, err = run_cli(capsys, "train", tmp_path / "nope", "--out", tmp_path / "run")
    assert_one_line_error(code, err, "does not exist", "nope")
    assert not (tmp_path / "run").exists()


def test_train_empty_folder(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(capsys, "train", tmp_path / "empty", "--out", tmp_path / "run")
    assert_one_line_error(code, err, "no class sub-folders")


def test_train_class_folders_without_audio(capsys, tmp_path):
    for name in ("a", "b"):
        (tmp_path / "data" / name).mkdir(parents=True)
        (tmp_path / "data" / name / "readme.txt").write_text("not audio")
    code, _, err = run_cli(capsys, "train", tmp_path / "data", "--out", tmp_path / "run")
    assert_one_line_error(code, err, "holds no audio files")


def test_train_one_empty_class_and_single_class(capsys, tmp_path, small_data):
    data = tmp_path / "data"
    (data / "tone").mkdir(parents=True)
    (data / "tone" / "x.wav").write_bytes((small_data / "tone" / "tone_0000.wav").read_bytes())
    code, _, err = run_cli(capsys, "train", data, "--out", tmp_path / "run")
    assert_one_line_error(code, err, "only one class")
    (data / "empty").mkdir()
    code, _, err = run_cli(capsys, "train", data, "--out", tmp_path / "run")
    assert_one_line_error(code, err, "['empty']", "hold no audio files")


def test_train_data_dir_is_a_file(capsys, tmp_path, small_data):
    code, _, err = run_cli(capsys, "train", small_data / "tone" / "tone_0000.wav", "--out", tmp_path / "run")
    assert_one_line_error(code, err, "is not a folder")


def test_train_refuses_to_overwrite(capsys, tmp_path, small_data):
    run = tmp_path / "run"
    run.mkdir()
    (run / "report.json").write_text("precious")
    code, _, err = run_cli(capsys, "train", small_data, "--out", run)
    assert_one_line_error(code, err, "report.json", "already exists", "--force")
    assert (run / "report.json").read_text() == "precious"
    assert sorted(p.name for p in run.iterdir()) == ["report.json"]


def test_train_out_is_a_file(capsys, tmp_path, small_data):
    (tmp_path / "out").write_text("x")
    code, _, err = run_cli(capsys, "train", small_data, "--out", tmp_path / "out")
    assert_one_line_error(code, err, "is not a folder")


def test_train_clip_shorter_than_fft(capsys, tmp_path, small_data):
    code, _, err = run_cli(
        capsys, "train", small_data, "--out", tmp_path / "run", "--duration", "0.01", "--n-fft", "512"
    )
    # The library's ParameterError, in its words (the command line has no checks of its own).
    assert_one_line_error(code, err, "`duration` must be", "win_length=400")
    code, _, err = run_cli(capsys, "train", small_data, "--out", tmp_path / "run", "--f-max", "9000")
    assert_one_line_error(code, err, "`f_max` must be", "Nyquist")
    assert not (tmp_path / "run").exists()


def test_predict_missing_model_and_inputs(capsys, tmp_path, small_data):
    code, _, err = run_cli(capsys, "predict", tmp_path / "none.keras", small_data)
    assert_one_line_error(code, err, "none.keras", "does not exist")
    (tmp_path / "m.keras").write_text("x")
    code, _, err = run_cli(capsys, "predict", tmp_path / "m.keras", tmp_path / "missing.wav")
    assert_one_line_error(code, err, "missing.wav", "does not exist")
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(capsys, "predict", tmp_path / "m.keras", tmp_path / "empty")
    assert_one_line_error(code, err, "no audio files", "empty")
    code, _, err = run_cli(capsys, "predict", tmp_path, small_data)
    assert_one_line_error(code, err, "is a folder")


def test_plot_bad_inputs(capsys, tmp_path, small_data):
    wav = small_data / "tone" / "tone_0000.wav"
    code, _, err = run_cli(capsys, "plot", tmp_path / "none.wav", "--out", tmp_path / "a.png")
    assert_one_line_error(code, err, "none.wav", "does not exist")
    code, _, err = run_cli(capsys, "plot", small_data, "--out", tmp_path / "a.png")
    assert_one_line_error(code, err, "is a folder")
    code, _, err = run_cli(capsys, "plot", wav, "--out", tmp_path / "a.jpg")
    assert_one_line_error(code, err, ".png")
    (tmp_path / "a.png").write_text("precious")
    code, _, err = run_cli(capsys, "plot", wav, "--out", tmp_path / "a.png", "--kind", "waveform")
    assert_one_line_error(code, err, "already exists", "--force")
    assert (tmp_path / "a.png").read_text() == "precious"
    broken = tmp_path / "broken.wav"
    broken.write_text("not audio")
    code, _, err = run_cli(capsys, "plot", broken, "--out", tmp_path / "b.png", "--kind", "waveform")
    assert_one_line_error(code, err, "broken.wav", "Cannot decode")
    assert not (tmp_path / "b.png").exists()


def test_info_and_features_missing_paths(capsys, tmp_path):
    code, _, err = run_cli(capsys, "info", tmp_path / "none.flac")
    assert_one_line_error(code, err, "none.flac", "does not exist")
    code, _, err = run_cli(capsys, "features", tmp_path / "none.flac", "--out", tmp_path / "f")
    assert_one_line_error(code, err, "none.flac", "does not exist")
    assert not (tmp_path / "f").exists()


def test_make_dataset_refuses_foreign_folder(capsys, tmp_path):
    (tmp_path / "mine.txt").write_text("x")
    code, _, err = run_cli(capsys, "make-dataset", "--out", tmp_path, "--examples-per-class", "1")
    assert_one_line_error(code, err, "not empty")


def test_verbose_adds_traceback(capsys, tmp_path):
    code, _, err = run_cli(capsys, "train", tmp_path / "nope", "--out", tmp_path / "run", "--verbose")
    assert code == 2
    assert "Traceback" in err and err.rstrip().splitlines()[-1].startswith("error: ")


def test_subprocess_error_and_module_entry_point(tmp_path):
    """`python -m audioflow` is the same program as the `audioflow` script."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, "-m", "audioflow", "train", str(tmp_path / "nope"), "--out", str(tmp_path / "run")],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [f"error: data folder '{tmp_path / 'nope'}' does not exist"]
    proc = subprocess.run(
        [sys.executable, "-m", "audioflow", "train", "--out", "x", "--epochs=-3"],
        capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: argument --epochs: expected a positive integer, got '-3' (see 'audioflow train --help')"
    ]


def test_help_does_not_send_pip_users_to_make(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0 and "make demo" not in out and "audioflow train --out" in out


def test_train_refuses_out_inside_the_data_folder(capsys, tmp_path, small_data):
    data = tmp_path / "data"
    for name in ("tone", "chord"):
        (data / name).mkdir(parents=True)
        (data / name / "a.wav").write_bytes((small_data / name / f"{name}_0000.wav").read_bytes())
    before = sorted(p.relative_to(data) for p in data.rglob("*"))
    for out in (data / "run", data, data / "tone" / "run"):
        code, _, err = run_cli(capsys, "train", data, "--out", out)
        assert_one_line_error(code, err, "--out", "inside the data folder")
    assert sorted(p.relative_to(data) for p in data.rglob("*")) == before  # nothing written


@pytest.mark.parametrize("kind", ["mel", "train"])
def test_no_keras_backend_names_the_install_command(tmp_path, small_data, kind):
    """Without the backend's package: a MissingDependencyError with the install command, exit 2."""
    argv = (
        [
            "plot",
            str(small_data / "tone" / "tone_0000.wav"),
            "--out",
            str(tmp_path / "a.png"),
            "--kind",
            "mel",
        ]
        if kind == "mel"
        else ["train", "--out", str(tmp_path / "run")]
    )
    code = "import sys; sys.modules['tensorflow'] = None\nfrom audioflow.cli import main\nsys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "PYTHONWARNINGS": "ignore"}
    proc = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    assert "pip install audioflow[tensorflow]" in lines[0] and "unexpected" not in lines[0]
    assert list(tmp_path.iterdir()) == []
