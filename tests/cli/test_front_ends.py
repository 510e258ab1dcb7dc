"""`audioflow features --preset NAME` and `--kind kaldi-fbank|kaldi-mfcc|kaldi-spectrogram|whisper`."""

from __future__ import annotations

import numpy as np
import pytest

from audioflow import presets
from audioflow.extract import extract_features
from tests.cli.conftest import assert_one_line_error, run_cli


def test_features_with_a_preset_are_the_preset_layer_at_16_khz(capsys, tmp_path, small_data):
    source = small_data / "tone" / "tone_0000.wav"
    code, out, _ = run_cli(capsys, "features", source, "--preset", "whisper", "--out", tmp_path)
    assert code == 0 and "3000x80" in out
    saved = np.load(tmp_path / "tone_0000.wav.whisper.npy")
    from audioflow.io import load

    y, _ = load(source, sample_rate=16000)
    from keras import ops

    expected = ops.convert_to_numpy(presets.get("whisper")(y[None]))[0]
    np.testing.assert_allclose(saved, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("kind", "bins"), [("kaldi-fbank", 40), ("kaldi-mfcc", 20), ("kaldi-spectrogram", 257), ("whisper", 80)]
)
def test_features_of_a_front_end_kind(capsys, tmp_path, small_data, kind, bins):
    source = small_data / "tone" / "tone_0000.wav"
    code, _, _ = run_cli(
        capsys,
        "features",
        source,
        "--kind",
        kind,
        "--n-mels",
        "40",
        "--sample-rate",
        "16000",
        "--out",
        tmp_path,
    )
    assert code == 0
    saved = np.load(tmp_path / f"tone_0000.wav.{kind}.npy")
    assert saved.shape[1] == bins and np.isfinite(saved).all()
    from audioflow.io import load

    y, _ = load(source, sample_rate=16000)
    options = {"kaldi-fbank": {"n_mels": 40}, "kaldi-mfcc": {"n_mels": 40, "n_mfcc": 20}}.get(kind, {})
    np.testing.assert_allclose(
        saved, extract_features(y, sample_rate=16000, kind=kind, **options), rtol=1e-5, atol=1e-5
    )


def test_a_preset_at_another_rate_is_a_one_line_error(capsys, tmp_path, small_data):
    source = small_data / "tone" / "tone_0000.wav"
    code, _, err = run_cli(
        capsys, "features", source, "--preset", "ast", "--sample-rate", "22050", "--out", tmp_path
    )
    assert_one_line_error(code, err, "`sample_rate` must be 16000 for preset 'ast'")
