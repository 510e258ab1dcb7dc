"""The Kaldi layers and WhisperLogMel: parity, lengths, dither, saving, compilation, mixed precision, errors."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from audioflow import layers
from audioflow.errors import ParameterError
from tests.helpers import BACKEND, to_numpy
from tests.kaldi_reference import assert_matches_torchaudio
from tests.keras_conformance import run_layer_test
from tests.tolerances import KALDI_RTOL, relative_error

SAMPLES = 4000  # 1 + (4000 - 400) // 160 = 23 Kaldi frames; 25 Whisper frames


def _waveforms(batch=3, samples=SAMPLES, seed=0, scale=2**15):
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / 16000
    f0 = rng.uniform(100, 300, (batch, 1))
    tones = sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 5))
    return np.round(scale * (0.3 * tones + 0.02 * rng.standard_normal((batch, samples)))).astype(np.float32)


KALDI = {
    "spectrogram": (layers.KaldiSpectrogram, {}),
    "fbank": (layers.KaldiFbank, {"num_mel_bins": 80}),
    "fbank-ast": (layers.KaldiFbank, {"num_mel_bins": 128, "htk_compat": True, "window_type": "hanning"}),
    "fbank-lhotse": (layers.KaldiFbank, {"num_mel_bins": 80, "snip_edges": False, "high_freq": -400.0}),
    "mfcc": (layers.KaldiMFCC, {"use_energy": True}),
}


@pytest.mark.parametrize("case", list(KALDI))
def test_layer_equals_torchaudio_per_example(case):
    cls, options = KALDI[case]
    x = _waveforms()
    name = {layers.KaldiSpectrogram: "spectrogram", layers.KaldiFbank: "fbank", layers.KaldiMFCC: "mfcc"}[cls]
    assert_matches_torchaudio(to_numpy(cls(**options)(x)), name, x, **options)


def test_lengths_input_masks_each_example_and_subtracts_its_own_mean():
    x = _waveforms()
    lengths = np.array([SAMPLES, 2500, 900], "int32")
    layer = layers.KaldiFbank(num_mel_bins=40, subtract_mean=True)
    out = to_numpy(layer(x, lengths=lengths))
    for b, length in enumerate(lengths):
        count = 1 + (length - 400) // 160
        assert_matches_torchaudio(
            out[b : b + 1, :count], "fbank", x[b : b + 1, :length], num_mel_bins=40, subtract_mean=True
        )
        np.testing.assert_array_equal(out[b, count:], 0.0)


def test_lengths_input_in_a_functional_model():
    waveform, lengths = keras.Input((SAMPLES,)), keras.Input((), dtype="int32")
    model = keras.Model([waveform, lengths], layers.KaldiFbank(num_mel_bins=40)(waveform, lengths=lengths))
    x, n = _waveforms(), np.array([SAMPLES, 3000, 1000], "int32")
    assert model.output_shape == (None, 23, 40)
    np.testing.assert_allclose(
        to_numpy(model([x, n])), to_numpy(layers.KaldiFbank(num_mel_bins=40)(x, lengths=n)), rtol=1e-6
    )


def test_dither_only_in_training_different_per_example_reproducible_with_seed():
    x = np.repeat(_waveforms(1), 2, axis=0)
    plain = to_numpy(layers.KaldiFbank()(x))
    layer = layers.KaldiFbank(dither=1.0, seed=3)
    np.testing.assert_array_equal(to_numpy(layer(x)), plain)  # inference: no dither
    first = to_numpy(layer(x, training=True))
    assert 0 < relative_error(first[0], first[1]) and 0 < relative_error(first, plain) < 0.05
    assert relative_error(to_numpy(layer(x, training=True)), first) > 0  # a new draw each step
    np.testing.assert_array_equal(to_numpy(layers.KaldiFbank(dither=1.0, seed=3)(x, training=True)), first)


def test_whisper_layer_equals_openai_whisper_per_example():
    whisper = pytest.importorskip("whisper")
    import torch

    x = _waveforms(2, 8000, scale=1.0)
    x[1] *= 0.01  # a quiet example: its own max - 8 floor
    for n_mels in (80, 128):
        out = to_numpy(layers.WhisperLogMel(n_mels=n_mels)(x))
        assert out.shape == (2, 50, n_mels)
        for b in range(2):
            expected = whisper.log_mel_spectrogram(torch.from_numpy(x[b]), n_mels).numpy().T
            assert relative_error(out[b], expected) <= KALDI_RTOL


def test_whisper_mel_filters_are_the_shipped_ones():
    whisper = pytest.importorskip("whisper")
    from audioflow.ops import whisper_mel_filters

    for n_mels in (80, 128):
        shipped = whisper.audio.mel_filters("cpu", n_mels).numpy().T
        np.testing.assert_allclose(whisper_mel_filters(n_mels), shipped, rtol=1e-6, atol=1e-9)


ALL = {
    **{f"kaldi-{name}": (lambda c=cls, o=options: c(**o)) for name, (cls, options) in KALDI.items()},
    "whisper": lambda: layers.WhisperLogMel(),
}


def _inputs(name):
    return _waveforms(scale=1.0) if name == "whisper" else _waveforms()


@pytest.mark.parametrize("name", list(ALL))
def test_keras_file_round_trip_gives_identical_outputs(tmp_path, name):
    inputs = keras.Input((SAMPLES,))
    model = keras.Model(inputs, ALL[name]()(inputs))
    model.save(tmp_path / "m.keras")
    x = _inputs(name)
    np.testing.assert_array_equal(
        to_numpy(keras.saving.load_model(tmp_path / "m.keras")(x)), to_numpy(model(x))
    )


def _compiled(fn):
    if BACKEND == "tensorflow":
        import tensorflow as tf

        return tf.function(fn, jit_compile=True)
    if BACKEND == "jax":
        import jax

        return jax.jit(fn)
    import torch

    return torch.compile(fn, backend="eager", fullgraph=False)


@pytest.mark.parametrize("name", list(ALL))
def test_compiled_equals_eager(name):
    layer = ALL[name]()
    x = keras.ops.convert_to_tensor(_inputs(name))
    eager = to_numpy(layer(x))
    compiled = to_numpy(_compiled(lambda inputs: layer(inputs))(x))
    assert relative_error(compiled, eager) <= KALDI_RTOL


@pytest.mark.parametrize("name", list(ALL))
def test_mixed_precision_computes_in_float32_and_returns_float16(name):
    x = _inputs(name)
    reference = to_numpy(ALL[name]()(x))
    layer = ALL[name]()
    mixed = type(layer).from_config({**layer.get_config(), "dtype": "mixed_float16"})
    out = mixed(x)
    assert keras.backend.standardize_dtype(out.dtype) == "float16"
    assert relative_error(to_numpy(out).astype(np.float64), reference) <= 1e-3  # float16's own step


CONFORMANCE = [
    (layers.KaldiSpectrogram, {"frame_length": 8.0, "frame_shift": 4.0}, (2, 1000), (2, 14, 65)),
    (layers.KaldiFbank, {"num_mel_bins": 12, "snip_edges": False}, (2, 1000), (2, 6, 12)),
    (
        layers.KaldiFbank,
        {"num_mel_bins": 12, "use_energy": True, "dither": 1.0, "seed": 1},
        (2, 1000),
        (2, 4, 13),
    ),
    (layers.KaldiMFCC, {"num_mel_bins": 12, "num_ceps": 6}, (2, 1000), (2, 4, 6)),
    (layers.WhisperLogMel, {"n_mels": 80}, (2, 1000), (2, 6, 80)),
    (layers.WhisperFeatures, {"n_mels": 128}, (2, 1000), (2, 3000, 128)),
    (layers.ASTFeatures, {"max_length": 8}, (2, 1000), (2, 8, 128)),
    (layers.Wav2Vec2Features, {}, (2, 1000), (2, 1000)),
]


@pytest.mark.parametrize(("cls", "kwargs", "input_shape", "output_shape"), CONFORMANCE)
def test_layer_passes_the_keras_conformance_harness(cls, kwargs, input_shape, output_shape):
    run_layer_test(
        cls,
        kwargs,
        input_data=_waveforms(*input_shape, scale=1.0),
        expected_output_shape=output_shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=1 if cls in (layers.WhisperLogMel, layers.WhisperFeatures) else 0,
        expected_num_seed_generators=1 if kwargs.get("dither") else 0,
        expected_num_losses=0,
        supports_masking=False,
        run_training_check=False,
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: layers.KaldiFbank(window_type="hann"), "`window_type` must be one of"),
        (lambda: layers.KaldiFbank(frame_shift=0.0), "`frame_shift` must be > 0"),
        (lambda: layers.KaldiFbank(frame_shift=0.01), "`frame_shift` must be at least one sample"),
        (lambda: layers.KaldiFbank(frame_length=0.1), "`frame_length` must be at least 2"),
        (
            lambda: layers.KaldiFbank(frame_length=25.0625, round_to_power_of_two=False),
            "`frame_length` must be an even",
        ),
        (lambda: layers.KaldiMFCC(num_ceps=30), "`num_ceps` must be <= `num_mel_bins`"),
        (lambda: layers.KaldiMFCC(num_ceps=0), "`num_ceps` must be a positive integer"),
        (
            lambda: layers.KaldiFbank(low_freq=5000.0, high_freq=4000.0),
            "`high_freq` must be above `low_freq`",
        ),
        (lambda: layers.KaldiFbank(high_freq=9000.0), r"`high_freq` must be in \(0, Nyquist\]"),
        (lambda: layers.KaldiFbank(high_freq=-9000.0), r"`high_freq` must be in \(0, Nyquist\]"),
        (lambda: layers.KaldiFbank(low_freq=-1.0), r"`low_freq` must be in \[0, Nyquist\)"),
        (lambda: layers.KaldiFbank(num_mel_bins=3), "`num_mel_bins` must be an integer >= 4"),
        (lambda: layers.KaldiFbank(vtln_warp=0.0), "`vtln_warp` must be > 0"),
        (lambda: layers.KaldiFbank(vtln_warp=1.1, vtln_low=10.0), "`vtln_low` must be between"),
        (lambda: layers.KaldiFbank(vtln_warp=1.1, vtln_high=50.0), "`vtln_high` must be above"),
        (lambda: layers.KaldiFbank(preemphasis_coefficient=1.5), "`preemphasis_coefficient` must be <= 1"),
        (lambda: layers.KaldiFbank(dither=-1.0), "`dither` must be >= 0"),
        (lambda: layers.KaldiFbank(energy_floor=-1.0), "`energy_floor` must be >= 0"),
        (lambda: layers.KaldiFbank(sample_frequency=0.0), "`sample_frequency` must be > 0"),
        (lambda: layers.KaldiFbank(snip_edges="yes"), "`snip_edges` must be True or False"),
        (lambda: layers.KaldiMFCC(cepstral_lifter=-1.0), "`cepstral_lifter` must be >= 0"),
        (lambda: layers.KaldiSpectrogram(min_duration=-1.0), "`min_duration` must be >= 0"),
        (lambda: layers.KaldiFbank(seed="x"), "`seed` must be an integer"),
        (lambda: layers.WhisperLogMel(n_mels=64), "`n_mels` must be one of 80, 128"),
    ],
)
def test_invalid_arguments_raise_a_parameter_error_naming_them(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


def test_wrong_rank_is_a_parameter_error():
    with pytest.raises(ParameterError, match=r"\(batch, samples\)"):
        layers.KaldiFbank()(np.zeros((2, 1000, 2), "float32"))


def test_unknown_length_model_and_short_input():
    inputs = keras.Input((None,))
    model = keras.Model(inputs, layers.KaldiFbank(num_mel_bins=40)(inputs))
    assert model.output_shape == (None, None, 40)
    assert to_numpy(layers.KaldiFbank(num_mel_bins=40)(np.zeros((2, 300), "float32"))).shape == (2, 0, 40)
    assert layers.KaldiFbank(num_mel_bins=40).compute_output_shape((2, 300)) == (2, 0, 40)
