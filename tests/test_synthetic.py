"""The built-in synthetic dataset generator (audioflow.synthetic)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from audioflow import ParameterError
from audioflow.synthetic import MANIFEST_NAME, SYNTHETIC_CLASSES, make_synthetic_dataset, synthesize

pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("name", SYNTHETIC_CLASSES)
@pytest.mark.parametrize("sample_rate", [8000, 44100])
def test_synthesize_every_class(name, sample_rate):
    y = synthesize(name, sample_rate=sample_rate, duration=0.5, rng=0)
    assert y.dtype == np.float32 and y.shape == (sample_rate // 2,)
    assert np.all(np.isfinite(y)) and np.max(np.abs(y)) <= 1.0
    assert np.max(np.abs(y)) > 1e-3  # audible
    np.testing.assert_array_equal(y, synthesize(name, sample_rate=sample_rate, duration=0.5, rng=0))


def test_classes_differ_in_spectrum_not_just_level():
    """A chirp up and a chirp down have the same level range but opposite frequency tracks."""
    sr = 16000

    def track(y):
        frames = y[: y.size // 512 * 512].reshape(-1, 512) * np.hanning(512)
        spectra = np.abs(np.fft.rfft(frames, axis=1))
        loud = spectra.max(axis=1) > 0.3 * spectra.max()
        return np.argmax(spectra[loud], axis=1)

    rng = np.random.default_rng(1)
    ups = [track(synthesize("chirp_up", sample_rate=sr, rng=rng)) for _ in range(5)]
    downs = [track(synthesize("chirp_down", sample_rate=sr, rng=rng)) for _ in range(5)]
    # Over the loud part, the dominant bin rises for "up" and falls for "down".
    assert all(np.polyfit(np.arange(t.size), t, 1)[0] > 0 for t in ups)
    assert all(np.polyfit(np.arange(t.size), t, 1)[0] < 0 for t in downs)


def test_dataset_layout_formats_rates_and_determinism(tmp_path):
    a = make_synthetic_dataset(tmp_path / "a", examples_per_class=4, duration=0.25, seed=3)
    make_synthetic_dataset(tmp_path / "b", examples_per_class=4, duration=0.25, seed=3)
    make_synthetic_dataset(tmp_path / "c", examples_per_class=4, duration=0.25, seed=4)
    assert not a["reused"]
    assert len(a["files"]) == 4 * len(SYNTHETIC_CLASSES)
    assert sorted({label for _, label in a["files"]}) == sorted(SYNTHETIC_CLASSES)
    formats, rates = set(), set()
    for rel, label in a["files"]:
        assert rel.startswith(f"{label}/")
        meta = sf.info(str(tmp_path / "a" / rel))
        formats.add(meta.format)
        rates.add(meta.samplerate)
        assert meta.channels == 1 and abs(meta.duration - 0.25) < 1e-3
        same, _ = sf.read(str(tmp_path / "b" / rel))
        mine, _ = sf.read(str(tmp_path / "a" / rel))
        np.testing.assert_array_equal(mine, same)  # same seed -> same samples (OGG included)
    assert formats == {"WAV", "FLAC", "OGG"}
    assert len(rates) >= 3
    first = a["files"][0][0]
    other, _ = sf.read(str(tmp_path / "c" / first))
    mine, _ = sf.read(str(tmp_path / "a" / first))
    assert other.shape != mine.shape or not np.allclose(other, mine)


def test_reuse_replace_and_refuse(tmp_path):
    root = tmp_path / "d"
    make_synthetic_dataset(root, examples_per_class=3, duration=0.25, classes=["tone", "chord"])
    again = make_synthetic_dataset(root, examples_per_class=3, duration=0.25, classes=["tone", "chord"])
    assert again["reused"]
    with pytest.raises(FileExistsError, match="other settings"):
        make_synthetic_dataset(root, examples_per_class=2, duration=0.25, classes=["tone", "chord"])
    fewer = make_synthetic_dataset(
        root, examples_per_class=2, duration=0.25, classes=["tone", "chord"], overwrite=True
    )
    on_disk = sorted(str(p.relative_to(root)) for p in root.rglob("*.*") if p.name != MANIFEST_NAME)
    assert on_disk == sorted(rel for rel, _ in fewer["files"])  # the stale third files are gone
    assert json.loads((root / MANIFEST_NAME).read_text())["settings"]["examples_per_class"] == 2
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty"):
        make_synthetic_dataset(foreign, examples_per_class=1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"examples_per_class": 0}, "`examples_per_class` must be a positive integer"),
        ({"duration": 0.0}, "`duration` must be > 0"),
        ({"classes": ["tone", "siren"]}, "`classes` must be one of"),
        ({"classes": []}, "`classes` must be a non-empty"),
        ({"formats": ["mp4"]}, "`formats` must be one of"),
        ({"sample_rates": [4000]}, "`sample_rates` must be an integer >= 8000"),
        ({"seed": -1}, "`seed` must be an integer >= 0"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        make_synthetic_dataset(tmp_path / "x", **kwargs)
    assert not (tmp_path / "x").exists()  # validated before any I/O


def test_synthesize_bad_arguments():
    with pytest.raises(ParameterError, match="`class_name` must be one of"):
        synthesize("siren")
    with pytest.raises(ParameterError, match="`sample_rate` must be an integer >= 8000"):
        synthesize("tone", sample_rate=4000)


def test_old_module_name_still_imports_and_warns():
    import importlib
    import sys

    import audioflow.synthetic as synthetic

    sys.modules.pop("audioflow.datasets", None)
    with pytest.warns(DeprecationWarning, match="audioflow.synthetic"):
        old = importlib.import_module("audioflow.datasets")
    assert old.make_synthetic_dataset is synthetic.make_synthetic_dataset
    assert old.SYNTHETIC_CLASSES == synthetic.SYNTHETIC_CLASSES


def test_interrupted_generation_is_finished_by_the_next_call(tmp_path, monkeypatch):
    import soundfile

    original, calls = soundfile.write, []

    def write_then_interrupt(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 4:
            with open(path, "wb") as handle:
                handle.write(b"fLaC")  # half-written
            raise KeyboardInterrupt
        return original(path, *args, **kwargs)

    monkeypatch.setattr(soundfile, "write", write_then_interrupt)
    root = tmp_path / "d"
    with pytest.raises(KeyboardInterrupt):
        make_synthetic_dataset(root, examples_per_class=3, duration=0.25, classes=["tone", "chord"])
    assert list(root.rglob("*.part")) == []
    assert json.loads((root / MANIFEST_NAME).read_text())["complete"] is False
    monkeypatch.undo()
    # without overwrite: the unfinished dataset is recognised as generated here, not as foreign
    summary = make_synthetic_dataset(root, examples_per_class=3, duration=0.25, classes=["tone", "chord"])
    assert not summary["reused"] and len(summary["files"]) == 6
    on_disk = sorted(str(p.relative_to(root)) for p in root.rglob("*.*") if p.name != MANIFEST_NAME)
    assert on_disk == sorted(rel for rel, _ in summary["files"])
    fresh = make_synthetic_dataset(
        tmp_path / "e", examples_per_class=3, duration=0.25, classes=["tone", "chord"]
    )
    for rel, _ in fresh["files"]:  # the same samples as an uninterrupted generation
        np.testing.assert_array_equal(sf.read(str(root / rel))[0], sf.read(str(tmp_path / "e" / rel))[0])
    again = make_synthetic_dataset(root, examples_per_class=3, duration=0.25, classes=["tone", "chord"])
    assert again["reused"]
    # an unfinished dataset with other settings is replaced too: it was never usable
    monkeypatch.setattr(soundfile, "write", write_then_interrupt)
    calls.clear()
    with pytest.raises(KeyboardInterrupt):
        make_synthetic_dataset(
            root, examples_per_class=5, duration=0.25, classes=["tone", "chord"], overwrite=True
        )
    monkeypatch.undo()
    summary = make_synthetic_dataset(root, examples_per_class=2, duration=0.25, classes=["tone"])
    on_disk = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.name != MANIFEST_NAME)
    assert on_disk == sorted(["tone", *(rel for rel, _ in summary["files"])])  # no empty "chord" folder
