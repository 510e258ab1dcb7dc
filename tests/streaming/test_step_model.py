"""StreamingFrontEnd.step_model: a fixed-chunk Keras step with explicit state equals process()."""

import keras
import numpy as np
import pytest

from audioflow import ParameterError, layers
from audioflow.streaming import StreamingFrontEnd
from tests.helpers import to_numpy
from tests.tolerances import DB_ATOL, POWER_RTOL, relative_error


def _run_steps(model, state, x, chunk_samples):
    """Step outputs for consecutive chunks, the state fed back as NumPy (as an exported model's would be)."""
    outputs = []
    for start in range(0, x.shape[1], chunk_samples):
        chunk = x[:, start : start + chunk_samples]
        if state:
            frames, *state = model([chunk, *state])
            state = [to_numpy(value) for value in state]
        else:
            frames = model(chunk)
        outputs.append(to_numpy(frames))
    return outputs


def _process(front_end, x, chunk_samples):
    front_end.reset()
    return [
        to_numpy(front_end.process(x[:, s : s + chunk_samples])) for s in range(0, x.shape[1], chunk_samples)
    ]


CASES = {
    "logmel": lambda: layers.LogMelSpectrogram(
        sample_rate=16000, n_fft=400, hop_length=160, n_mels=40, center=False, top_db=None
    ),
    "mel+pcen": lambda: [
        layers.MelSpectrogram(
            sample_rate=16000, n_fft=512, hop_length=160, n_mels=40, center=False, power=1.0
        ),
        layers.PCEN(sample_rate=16000, hop_length=160, trainable=True),
    ],
    "kaldi fbank": lambda: layers.KaldiFbank(num_mel_bins=40),
    "no state": lambda: layers.MFCC(
        sample_rate=16000, n_fft=160, hop_length=160, n_mels=20, n_mfcc=10, center=False, top_db=None
    ),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("hops_per_chunk", [1, 3])
def test_steps_equal_process_after_the_warmup_frames(case, hops_per_chunk):
    front_end = StreamingFrontEnd(CASES[case]())
    chunk_samples = 160 * hops_per_chunk
    x = (0.3 * np.random.default_rng(0).standard_normal((2, chunk_samples * 8))).astype(np.float32)
    model = front_end.step_model(chunk_samples)
    assert [i.name for i in model.inputs] == ["chunk", *front_end.step_state_names()]
    steps = _run_steps(model, front_end.initial_step_state(2), x, chunk_samples)
    assert all(frames.shape[1] == hops_per_chunk for frames in steps)
    expected = np.concatenate(_process(front_end, x, chunk_samples), axis=1)
    actual = np.concatenate(steps, axis=1)[:, front_end.warmup_frames :]
    assert actual.shape == expected.shape
    if case == "logmel":
        assert np.max(np.abs(actual - expected)) <= DB_ATOL
    else:
        assert relative_error(actual, expected) <= POWER_RTOL


def test_warmup_and_state_names():
    mel = layers.MelSpectrogram(sample_rate=16000, n_fft=400, hop_length=160, n_mels=8, center=False)
    front_end = StreamingFrontEnd([mel, layers.PCEN(sample_rate=16000, hop_length=160)])
    assert front_end.warmup_frames == 2  # ceil(400 / 160) - 1 frames start before the stream
    assert front_end.step_state_names() == ["history", "pcen_state", "warmup_frames"]
    history, pcen_state, warmup = front_end.initial_step_state(3)
    assert history.shape == (3, 320) and pcen_state.shape == (3, 1, 8) and warmup.shape == (3, 1)
    assert isinstance(front_end.step_model(160, batch_size=3), keras.Model)


def test_step_model_arguments_are_checked():
    mel = layers.MelSpectrogram(sample_rate=16000, n_fft=400, hop_length=160, n_mels=8, center=False)
    front_end = StreamingFrontEnd(mel)
    with pytest.raises(ParameterError, match=r"`chunk_samples` must be a multiple of `hop_length`.*=100"):
        front_end.step_model(100)
    with pytest.raises(ParameterError, match=r"`chunk_samples` must be a positive integer"):
        front_end.step_model(0)
    first = layers.PCEN(sample_rate=16000, hop_length=160, initial_state="first_frame")
    with pytest.raises(ParameterError, match=r"`initial_state` must be 'librosa' for a PCEN step model"):
        StreamingFrontEnd([mel, first]).step_model(160)


def test_the_documented_loop_runs_as_written_with_numpy_chunks():
    # Issue 16 (7): the loop of the README and of step_model's docstring, as written: NumPy chunks,
    # the state fed back as the step returned it (tensors); the second call used to fail with
    # "cannot mix tensors and non-tensors".
    layer = layers.LogMelSpectrogram(
        sample_rate=16000, n_fft=400, hop_length=160, n_mels=40, center=False, top_db=None
    )
    stream = StreamingFrontEnd(layer)
    x = np.random.default_rng(0).standard_normal((1, 160 * 8)).astype(np.float32)
    microphone_chunks = [x[:, i : i + 160] for i in range(0, x.shape[1], 160)]

    model = stream.step_model(160)
    state = stream.initial_step_state(1)
    outputs = []
    for chunk in microphone_chunks:  # (1, 160) float32 every 10 ms
        frames, *state = model([chunk, *state])
        outputs.append(to_numpy(frames))

    expected = to_numpy(layer(x))
    steps = np.concatenate(outputs, axis=1)[:, stream.warmup_frames :]
    np.testing.assert_allclose(steps, expected[:, : steps.shape[1]], atol=DB_ATOL)
