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


def test_plot_titles_and_axes(tmp_path):
    """The figure the CLI saves has physical axes; check them on the library functions it calls."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from audioflow import display

    S = np.random.default_rng(0).uniform(-80, 0, size=(63, 40))
    ax = Figure().add_subplot()
    mesh = display.specshow(S, sample_rate=16000, hop_length=256, y_axis="mel", f_max=8000.0, ax=ax)
    assert ax.get_xlabel() == "Time (s)" and "Hz" in ax.get_ylabel()
    assert ax.get_xlim() == pytest.approx((0.0, 63 * 256 / 16000))
    assert ax.get_yscale() == "function"
    low, high = ax.get_ylim()
    assert 0 <= low < 100 and 7000 < high <= 8000
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "1k" in labels and "4k" in labels
    assert mesh.get_array().size == S.size
    assert len(ax.figure.axes) == 2  # the colour bar
    assert "dB" in ax.figure.axes[1].get_yticklabels()[0].get_text()

    ax = Figure().add_subplot()
    display.specshow(S[:, :33], sample_rate=16000, hop_length=128, y_axis="linear", ax=ax, colorbar=False)
    assert ax.get_ylim() == pytest.approx((0.0, 8000.0))
    assert len(ax.figure.axes) == 1


@pytest.mark.backend_independent
def test_display_helpers():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from audioflow import ParameterError, display

    ax = Figure().add_subplot()
    display.waveshow(np.sin(np.arange(100_000) / 10.0), sample_rate=22050, ax=ax)
    assert ax.get_xlim() == pytest.approx((0.0, 100_000 / 22050))
    fb = np.zeros((257, 10))
    fb[np.arange(10) * 20 + 5, np.arange(10)] = 1.0
    ax = Figure().add_subplot()
    display.plot_filterbank(fb, sample_rate=16000, ax=ax)
    assert len(ax.lines) == 10 and ax.get_xlabel() == "Frequency (Hz)"
    axes = Figure().subplots(1, 2)
    display.plot_history({"loss": [1.0, 0.5], "val_accuracy": [0.5, 0.9]}, axes=axes)
    assert len(axes[0].lines) == 1 and len(axes[1].lines) == 1
    ax = Figure().add_subplot()
    display.plot_confusion_matrix([[3, 1], [0, 4]], ["a", "b"], ax=ax)
    assert [t.get_text() for t in ax.texts] == ["3", "1", "0", "4"]
    with pytest.raises(ParameterError, match="`data` must be a 2-D array"):
        display.specshow(np.zeros((2, 3, 4)), ax=ax)
    with pytest.raises(ParameterError, match="`y_axis` must be one of"):
        display.specshow(np.zeros((2, 3)), y_axis="log", ax=ax)
    with pytest.raises(ParameterError, match="`matrix` must be square"):
        display.plot_confusion_matrix([[1, 2]], ["a"], ax=ax)


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
