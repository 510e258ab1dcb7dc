"""``audioflow export``: the CLI's classifier to each format this backend produces; bad input exits 2."""

import keras
import numpy as np
import pytest

from audioflow.export import formats_for_backend, load_exported
from tests.cli.conftest import assert_one_line_error, run_cli
from tests.export.zoo import keras_outputs, waveforms
from tests.tolerances import PROBABILITY_ATOL

# One xdist worker runs the modules sharing `classifier_file` (`--dist loadgroup`).
pytestmark = pytest.mark.xdist_group("export-classifier")

SUFFIX = {"saved_model": "", "tflite": ".tflite", "onnx": ".onnx"}


def test_export_writes_an_artefact_matching_the_classifier(capsys, classifier_file, tmp_path):
    format = formats_for_backend()[0]
    out = tmp_path / f"model{SUFFIX[format]}"
    code, stdout, err = run_cli(capsys, "export", classifier_file, "--format", format, "--out", out)
    assert code == 0, err
    assert stdout.startswith(f"wrote {out} ({format}, ")
    from audioflow.models import load_classifier

    model, info = load_classifier(classifier_file)
    x = waveforms(4, info["clip_samples"])
    np.testing.assert_allclose(load_exported(out, format)(x), keras_outputs(model, x), atol=PROBABILITY_ATOL)


def test_existing_output_needs_force(capsys, classifier_file, tmp_path):
    out = tmp_path / "model.tflite"
    out.write_bytes(b"old")
    code, _, err = run_cli(capsys, "export", classifier_file, "--format", "tflite", "--out", out)
    assert_one_line_error(code, err, "already exists", "--force")
    assert out.read_bytes() == b"old"


@pytest.mark.parametrize(
    ("model", "fragments"),
    [("missing.keras", ["does not exist"]), ("notes.txt", ["not a .keras file"])],
)
def test_unreadable_model_exits_2(capsys, tmp_path, model, fragments):
    (tmp_path / "notes.txt").write_text("not a model")
    out = tmp_path / "m.tflite"
    code, _, err = run_cli(
        capsys, "export", tmp_path / model, "--format", formats_for_backend()[0], "--out", out
    )
    assert_one_line_error(code, err, *fragments)
    assert not out.exists()


def test_unknown_format_exits_2(capsys, classifier_file, tmp_path):
    code, _, err = run_cli(capsys, "export", classifier_file, "--format", "tfjs", "--out", tmp_path / "m")
    assert_one_line_error(code, err, "--format", "invalid choice: 'tfjs'")


def test_a_format_the_backend_cannot_produce_exits_2_naming_the_ones_it_can(
    capsys, classifier_file, tmp_path
):
    if keras.backend.backend() != "torch":
        pytest.skip(f"nothing to refuse: the {keras.backend.backend()} backend can produce every format")
    code, _, err = run_cli(
        capsys, "export", classifier_file, "--format", "tflite", "--out", tmp_path / "m.tflite"
    )
    assert_one_line_error(code, err, "cannot be produced on the torch backend", "it can: onnx")
