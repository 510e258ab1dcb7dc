"""``features`` writes a JSON sidecar with each array; ``plot`` without ``--out`` writes beside its input."""

import json
import shutil

import numpy as np

from tests.cli.conftest import assert_one_line_error, read_png, run_cli


def test_features_writes_a_sidecar_with_the_settings_needed_to_read_the_array(capsys, tmp_path, small_data):
    out = tmp_path / "features"
    wav = small_data / "tone" / "tone_0000.wav"
    code, _, err = run_cli(
        capsys, "features", wav, "--out", out, "--sample-rate", "8000", "--n-fft", "512", "--n-mels", "40"
    )
    assert code == 0, err
    array = np.load(out / "tone_0000.wav.logmel.npy")  # the array users already read, unchanged
    meta = json.loads((out / "tone_0000.wav.logmel.json").read_text())
    assert meta["source"] == str(wav) and meta["kind"] == "logmel"
    assert meta["shape"] == list(array.shape) and meta["axes"] == ["frames", "bins"]
    assert meta["sample_rate"] == 8000 and meta["n_fft"] == 512 and meta["hop_length"] == 128
    assert meta["n_mels"] == 40 and meta["frames_per_second"] == 8000 / 128
    code, _, err = run_cli(capsys, "features", wav, "--out", out)
    assert_one_line_error(code, err, "already exist", "--force")


def test_plot_without_out_writes_beside_the_input_and_refuses_to_overwrite(capsys, tmp_path, small_data):
    wav = tmp_path / "tone.wav"
    shutil.copyfile(small_data / "tone" / "tone_0000.wav", wav)
    code, stdout, err = run_cli(capsys, "plot", wav, "--kind", "waveform")
    assert code == 0, err
    assert stdout.strip() == f"wrote {tmp_path / 'tone-waveform.png'}"
    read_png(tmp_path / "tone-waveform.png")
    before = (tmp_path / "tone-waveform.png").read_bytes()
    code, _, err = run_cli(capsys, "plot", wav, "--kind", "waveform")
    assert_one_line_error(code, err, "tone-waveform.png", "--force")
    assert (tmp_path / "tone-waveform.png").read_bytes() == before
    code, _, err = run_cli(capsys, "plot", wav, "--kind", "waveform", "--force")
    assert code == 0, err
