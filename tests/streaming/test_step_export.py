"""A streaming step model (state as inputs and outputs) exported to every format this backend produces.

Each artefact is run chunk by chunk with its state fed back, as on a device, and must give the
Keras step model's frames and state.
"""

import numpy as np
import pytest

from audioflow import layers
from audioflow.export import export_model, formats_for_backend
from audioflow.streaming import StreamingFrontEnd
from tests.helpers import to_numpy
from tests.tolerances import DB_ATOL, POWER_RTOL, relative_error

CHUNK = 320  # 20 ms at 16 kHz: two frames per step


def _front_ends():
    return {
        "logmel": StreamingFrontEnd(
            layers.LogMelSpectrogram(
                sample_rate=16000, n_fft=512, hop_length=160, n_mels=24, center=False, top_db=None
            )
        ),
        "mel+pcen": StreamingFrontEnd(
            [
                layers.MelSpectrogram(
                    sample_rate=16000, n_fft=400, hop_length=160, n_mels=24, center=False, power=1.0
                ),
                layers.PCEN(initial_state="librosa"),
            ]
        ),
    }


def _artefact_runner(path, format, names):
    """``run(inputs) -> outputs`` (lists of NumPy arrays, in the Keras model's order) for an artefact."""
    if format == "onnx":
        import onnxruntime

        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        feeds = [i.name for i in session.get_inputs()]
        assert feeds[0] == "waveform" and feeds[1:] == names[1:]
        return lambda inputs: session.run(None, dict(zip(feeds, inputs, strict=True)))
    import tensorflow as tf

    if format == "saved_model":
        module = tf.saved_model.load(str(path))  # held: its variables live as long as it does
        # Keras' serving signature takes the inputs as one list, as the model does.
        return lambda inputs: [to_numpy(y) for y in module.serve([tf.constant(x) for x in inputs])]
    interpreter = tf.lite.Interpreter(model_path=str(path))
    operators = {op["op_name"] for op in interpreter._get_ops_details()}
    assert not any(name.startswith("Flex") for name in operators)
    runner = interpreter.get_signature_runner()
    order = runner.get_input_details()
    out_keys = sorted(runner.get_output_details(), key=lambda k: int(k.rsplit("_", 1)[-1]))

    def run(inputs):
        by_name = dict(zip(names, inputs, strict=True))
        # The signature's keys are the Keras input names (the chunk's is "chunk").
        out = runner(**{key: by_name[key] for key in order})
        return [out[key] for key in out_keys]

    return run


@pytest.mark.parametrize("case", ["logmel", "mel+pcen"])
@pytest.mark.parametrize("format", ["saved_model", "tflite", "onnx"])
def test_step_model_exports_with_its_state(tmp_path, case, format):
    if format not in formats_for_backend():
        pytest.skip(f"this backend cannot produce {format!r}")
    front_end = _front_ends()[case]
    model = front_end.step_model(CHUNK)
    path = export_model(model, tmp_path / f"step.{format}", format=format)
    names = [i.name for i in model.inputs]
    run = _artefact_runner(path, format, names)
    x = np.random.default_rng(3).standard_normal((2, 5 * CHUNK)).astype("float32")
    expected_state = front_end.initial_step_state(2)
    got_state = [s.copy() for s in expected_state]
    for start in range(0, x.shape[1], CHUNK):
        chunk = x[:, start : start + CHUNK]
        expected_frames, *expected_state = [to_numpy(y) for y in model([chunk, *expected_state])]
        got_frames, *got_state = run([chunk, *got_state])
        assert got_frames.shape == expected_frames.shape
        if case == "logmel":
            np.testing.assert_allclose(got_frames, expected_frames, rtol=0, atol=DB_ATOL)
        else:
            assert relative_error(got_frames, expected_frames) <= POWER_RTOL
        for got, expected in zip(got_state, expected_state, strict=True):
            assert relative_error(got, expected) <= POWER_RTOL
