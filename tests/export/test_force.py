"""``force=True`` / ``--force`` replaces an earlier artefact of the same format, and nothing else.

Every refusal happens before anything is written or deleted; the user's files are compared
byte for byte afterwards. Each test runs for every format the current backend produces.
"""

import keras
import numpy as np
import pytest

import audioflow.export
from audioflow.errors import ParameterError
from audioflow.export import export_model, formats_for_backend, load_exported
from tests.cli.conftest import assert_one_line_error, run_cli
from tests.export.zoo import STFT_ARGS, keras_outputs, waveforms
from tests.tolerances import POWER_RTOL

FORMATS = formats_for_backend()
SUFFIX = {"saved_model": "", "tflite": ".tflite", "onnx": ".onnx"}
SAMPLES = 1024


@pytest.fixture(scope="module")
def tiny_model():
    import audioflow.layers as L

    inputs = keras.Input((SAMPLES,))
    return keras.Model(inputs, L.Spectrogram(**STFT_ARGS)(inputs))


@pytest.fixture(scope="module")
def artefacts(tiny_model, tmp_path_factory):
    """``format -> bytes of each file of one export of tiny_model`` (a real earlier artefact)."""
    cache = {}

    def get(format):
        if format not in cache:
            path = export_model(tiny_model, tmp_path_factory.mktemp("earlier") / f"m{SUFFIX[format]}", format)
            cache[format] = path
        return cache[format]

    return get


def snapshot(folder):
    """Every file under ``folder`` (relative path -> bytes), folders included as None."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
    }


def user_folder(root):
    folder = root / "mine"
    (folder / "sub").mkdir(parents=True)
    (folder / "notes.txt").write_text("my notes")
    (folder / "sub" / "clip.wav").write_bytes(b"RIFF....WAVE")
    return folder


@pytest.mark.parametrize("format", FORMATS)
def test_a_folder_of_user_files_survives_force(format, tiny_model, tmp_path):
    folder = user_folder(tmp_path)
    before = snapshot(tmp_path)
    with pytest.raises(
        ParameterError,
        match=r"`path` must be a new path, or an earlier .*(notes\.txt|It is a folder).*Nothing was deleted",
    ):
        export_model(tiny_model, folder, format, force=True)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("format", FORMATS)
def test_cli_force_on_a_folder_of_user_files_exits_2_and_deletes_nothing(
    format, capsys, classifier_file, tmp_path
):
    folder = user_folder(tmp_path)
    before = snapshot(tmp_path)
    code, _, err = run_cli(capsys, "export", classifier_file, "--format", format, "--out", folder, "--force")
    assert_one_line_error(code, err, str(folder), "Nothing was deleted")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("format", FORMATS)
def test_cli_out_dot_inside_the_folder_is_refused(format, capsys, classifier_file, tmp_path, monkeypatch):
    (tmp_path / "m.keras").write_bytes(classifier_file.read_bytes())
    (tmp_path / "notes.txt").write_text("my notes")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    code, _, err = run_cli(capsys, "export", "m.keras", "--format", format, "--out", ".", "--force")
    assert code == 2, err
    assert "contains the input model" in err, err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("format", FORMATS)
def test_the_working_folder_and_its_parents_are_never_replaced(
    format, tiny_model, artefacts, tmp_path, monkeypatch
):
    folder = user_folder(tmp_path)
    # Even an earlier SavedModel is not replaced when it is where the process stands.
    standing = artefacts(format) if format == "saved_model" else folder
    monkeypatch.chdir(standing)
    before = snapshot(tmp_path), snapshot(standing)
    for path in (".", "..", str(standing)):
        with pytest.raises(ParameterError, match=r"It is the working folder or one of its parents"):
            export_model(tiny_model, path, format, force=True)
    assert (snapshot(tmp_path), snapshot(standing)) == before


@pytest.mark.parametrize("format", FORMATS)
def test_cli_out_equal_to_the_input_model_is_refused(format, capsys, classifier_file, tmp_path):
    model = tmp_path / "m.keras"
    model.write_bytes(classifier_file.read_bytes())
    code, _, err = run_cli(capsys, "export", model, "--format", format, "--out", model, "--force")
    assert_one_line_error(code, err, "is the input model")
    assert model.read_bytes() == classifier_file.read_bytes()


@pytest.mark.parametrize("format", FORMATS)
def test_a_file_of_another_kind_is_refused(format, tiny_model, classifier_file, tmp_path):
    target = tmp_path / f"m{SUFFIX[format]}"
    if format == "saved_model":
        target.write_text("a file, not a folder")
    else:
        target.write_bytes(classifier_file.read_bytes())  # a .keras zip named like the artefact
    before = target.read_bytes()
    with pytest.raises(ParameterError, match=r"earlier '\w+' artefact"):
        export_model(tiny_model, target, format, force=True)
    assert target.read_bytes() == before


def test_a_saved_model_folder_holding_other_files_is_refused(tiny_model, artefacts, tmp_path):
    if "saved_model" not in FORMATS:
        pytest.skip(f"the {keras.backend.backend()} backend cannot produce a SavedModel")
    import shutil

    target = tmp_path / "m"
    shutil.copytree(artefacts("saved_model"), target)
    (target / "notes.txt").write_text("mine")
    before = snapshot(target)
    with pytest.raises(ParameterError, match=r"also holds other files \(notes\.txt\)"):
        export_model(tiny_model, target, "saved_model", force=True)
    assert snapshot(target) == before


@pytest.mark.parametrize("format", FORMATS)
def test_force_replaces_an_earlier_artefact(format, tiny_model, artefacts, tmp_path, capsys):
    import shutil

    target = tmp_path / f"m{SUFFIX[format]}"
    copy = shutil.copytree if format == "saved_model" else shutil.copyfile
    copy(artefacts(format), target)
    assert export_model(tiny_model, target, format, force=True) == target
    x = waveforms(2, SAMPLES)
    np.testing.assert_allclose(
        load_exported(target, format)(x), keras_outputs(tiny_model, x), rtol=POWER_RTOL, atol=1e-6
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left beside it


@pytest.mark.parametrize("format", FORMATS)
def test_a_failed_export_leaves_the_earlier_artefact(format, tiny_model, artefacts, tmp_path, monkeypatch):
    import shutil

    target = tmp_path / f"m{SUFFIX[format]}"
    copy = shutil.copytree if format == "saved_model" else shutil.copyfile
    copy(artefacts(format), target)
    before = snapshot(tmp_path)

    def failing(model, path):
        raise RuntimeError("the converter crashed")

    monkeypatch.setattr(audioflow.export, "_writer", lambda format: failing)
    with pytest.raises(RuntimeError, match="the converter crashed"):
        export_model(tiny_model, target, format, force=True)
    assert snapshot(tmp_path) == before
