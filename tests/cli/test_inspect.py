"""`audioflow info`, `plot`, `features` and the plotting library (audioflow.display)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.cli.conftest import read_png, run_cli


@pytest.mark.backend_independent
def test_info_table_and_broken_file(capsys, tmp_path, small_data):
    data = tmp_path / "data"
    data.mkdir()
    for rel in ("tone/tone_0000.wav", "chord/chord_0001.flac", "chirp_up/chirp_up_0001.ogg"):
        (data / rel.split("/")[1]).write_bytes((small_data / rel).read_bytes())
    (data / "broken.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    (data / "empty.flac").write_bytes(b"")
    (data / "notes.txt").write_text("not audio, not listed")
    code, out, err = run_cli(capsys, "info", data)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].split() == ["path", "format", "sample", "rate", "channels", "duration"]
    body = {line.split()[0].rsplit("/", 1)[-1]: line for line in lines[2:]}
    assert sorted(body) == [
        "broken.wav",
        "chirp_up_0001.ogg",
        "chord_0001.flac",
        "empty.flac",
        "tone_0000.wav",
    ]
    assert "WAV (PCM_16)" in body["tone_0000.wav"] and "0.500 s" in body["tone_0000.wav"]
    assert "FLAC" in body["chord_0001.flac"] and "OGG (VORBIS)" in body["chirp_up_0001.ogg"]
    assert "unreadable:" in body["broken.wav"]
    assert "unreadable:" in body["empty.flac"] and "empty" in body["empty.flac"]
    assert "5 files: 3 readable, 2 unreadable" in err

    code, out, _ = run_cli(capsys, "info", data / "tone_0000.wav", "--json")
    assert code == 0
    (record,) = [json.loads(line) for line in out.splitlines()]
    assert record["format"] == "WAV" and record["channels"] == 1 and record["duration"] == pytest.approx(0.5)
    assert record["sample_rate"] in (16000, 22050, 32000, 44100)
    code, out, _ = run_cli(capsys, "info", data / "broken.wav", "--json")
    assert code == 1 and "error" in json.loads(out)


@pytest.mark.backend_independent
def test_plot_waveform_png(capsys, tmp_path, small_data):
    out = tmp_path / "plots" / "wave.png"
    code, stdout, err = run_cli(
        capsys,
        "plot",
        small_data / "click_train" / "click_train_0000.ogg",
        "--kind",
        "waveform",
        "--out",
        out,
    )
    assert code == 0, err
    assert str(out) in stdout
    width, height = read_png(out)
    assert width > 600 and height > 200
    code, _, _ = run_cli(
        capsys, "plot", small_data / "tone" / "tone_0000.wav", "--kind", "waveform", "--out", out, "--force"
    )
    assert code == 0


@pytest.mark.parametrize("kind", ["mel", "spectrogram", "mfcc"])
def test_plot_features_png(capsys, tmp_path, small_data, kind, monkeypatch):
    from matplotlib.figure import Figure

    saved = []
    original = Figure.savefig

    def spy(self, *args, **kwargs):
        saved.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    out = tmp_path / f"{kind}.png"
    code, _, err = run_cli(
        capsys, "plot", small_data / "chirp_up" / "chirp_up_0000.flac", "--kind", kind, "--out", out,
        "--sample-rate", "16000", "--n-fft", "512", "--n-mels", "40",
    )  # fmt: skip
    assert code == 0, err
    read_png(out)
    title = saved[0].axes[0].get_title()
    assert "chirp_up_0000.flac" in title and "16000 Hz" in title and "n_fft=512" in title
    assert "hop_length=128" in title
    if kind != "spectrogram":
        assert "n_mels=40" in title
    assert saved[0].axes[0].get_xlabel() == "Time (s)"


def test_features_npy(capsys, tmp_path, small_data):
    from audioflow.ops import num_frames

    out = tmp_path / "features"
    code, stdout, err = run_cli(
        capsys, "features", small_data / "tone", small_data / "chord" / "chord_0000.wav", "--out", out,
        "--kind", "logmel", "--sample-rate", "16000", "--n-fft", "512", "--n-mels", "40",
    )  # fmt: skip
    assert code == 0, err
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.npy"))
    assert written == [
        "chord_0000.wav.logmel.npy",
        "tone_0000.wav.logmel.npy",
        "tone_0001.flac.logmel.npy",
        "tone_0002.ogg.logmel.npy",
    ]
    array = np.load(out / "tone_0000.wav.logmel.npy")
    assert array.dtype == np.float32
    assert array.shape == (num_frames(8000, n_fft=512, hop_length=128), 40)
    assert array.max() - array.min() <= 80.0 + 1e-3  # top_db floor
    assert len(stdout.splitlines()) == 4
    code, _, err = run_cli(capsys, "features", small_data / "tone", "--out", out, "--kind", "logmel")
    assert code == 2 and "already exist" in err and "--force" in err
    code, _, err = run_cli(
        capsys,
        "features",
        small_data / "tone" / "tone_0000.wav",
        "--out",
        out,
        "--kind",
        "mfcc",
        "--n-mfcc",
        "13",
    )
    assert code == 0, err
    assert np.load(out / "tone_0000.wav.mfcc.npy").shape[1] == 13


def test_features_unreadable_file_exit_1(capsys, tmp_path, small_data):
    data = tmp_path / "data"
    data.mkdir()
    (data / "good.wav").write_bytes((small_data / "tone" / "tone_0000.wav").read_bytes())
    (data / "bad.wav").write_text("junk")
    code, _, err = run_cli(capsys, "features", data, "--out", tmp_path / "f", "--kind", "mel")
    assert code == 1
    assert "bad.wav" in err
    assert (tmp_path / "f" / "good.wav.mel.npy").exists() and not (
        tmp_path / "f" / "bad.wav.mel.npy"
    ).exists()


def test_plot_log_frequency_axis_and_ref_max(capsys, tmp_path, small_data, monkeypatch):
    from matplotlib.figure import Figure

    saved = []
    original = Figure.savefig

    def spy(self, *args, **kwargs):
        saved.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", spy)
    out = tmp_path / "log.png"
    code, _, err = run_cli(
        capsys, "plot", small_data / "chord" / "chord_0000.wav", "--kind", "spectrogram", "--y-axis", "log",
        "--ref", "max", "--out", out, "--sample-rate", "16000", "--n-fft", "512",
    )  # fmt: skip
    assert code == 0, err
    read_png(out)
    ax = saved[0].axes[0]
    assert ax.get_yscale() == "symlog" and "ref=max" in ax.get_title()
    assert np.asarray(ax.collections[0].get_array()).max() == pytest.approx(0.0, abs=1e-4)  # peak at 0 dB
    code, _, err = run_cli(
        capsys, "plot", small_data / "chord" / "chord_0000.wav", "--out", out, "--ref", "min"
    )
    assert code == 2 and "--ref" in err


def test_plot_and_features_report_the_library_error(capsys, tmp_path, small_data):
    """Invalid feature settings: the library's ParameterError text, exit 2, nothing written."""
    wav = small_data / "tone" / "tone_0000.wav"
    code, _, err = run_cli(
        capsys, "plot", wav, "--out", tmp_path / "a.png", "--sample-rate", "8000", "--f-max", "6000"
    )
    assert code == 2 and err.startswith("error: `f_max` must be <= sample_rate / 2.") and "Nyquist" in err
    code, _, err = run_cli(
        capsys, "features", wav, "--out", tmp_path / "f", "--sample-rate", "8000", "--n-mels", "40",
        "--n-mfcc", "41", "--kind", "mfcc",
    )  # fmt: skip
    assert code == 2 and err.startswith("error: `n_mfcc` must be <= `n_mels`.")
    assert list(tmp_path.iterdir()) == []
