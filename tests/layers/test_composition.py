"""Layers built by composition: keyword-only arguments, MelScale's filterbank weight, NumPy scalars,
other libraries' argument names, mel_scale and the older htk flag."""

import inspect

import keras
import librosa
import numpy as np
import pytest

from audioflow import ParameterError, layers
from audioflow import ops as af
from tests.helpers import BACKEND, to_numpy
from tests.tolerances import POWER_RTOL, relative_error

PUBLIC_LAYERS = [getattr(layers, name) for name in layers.__all__]
FEATURE_LAYERS = [layers.MelSpectrogram, layers.LogMelSpectrogram, layers.MFCC]


def _waveforms(batch, samples, seed=0):
    return np.random.default_rng(seed).standard_normal((batch, samples)).astype(np.float32)


@pytest.mark.parametrize("cls", PUBLIC_LAYERS, ids=lambda cls: cls.__name__)
def test_arguments_are_keyword_only(cls):
    parameters = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert all(p.kind in (p.KEYWORD_ONLY, p.VAR_KEYWORD) for p in parameters), parameters
    with pytest.raises(TypeError):
        cls(512)


def test_feature_layers_are_composed_not_inherited():
    for cls in FEATURE_LAYERS:
        for other in PUBLIC_LAYERS:
            if other is not cls:
                assert not issubclass(cls, other), (cls, other)
    assert not issubclass(layers.MFCC, layers.LogMelSpectrogram)
    mfcc = layers.MFCC(sample_rate=8000, n_fft=256, n_mels=20, n_mfcc=8)
    log_mel = mfcc.log_mel_spectrogram
    assert isinstance(log_mel, layers.LogMelSpectrogram)
    assert isinstance(log_mel.mel_spectrogram, layers.MelSpectrogram)
    assert isinstance(log_mel.power_to_db, layers.PowerToDb)
    assert isinstance(log_mel.mel_spectrogram.spectrogram, layers.Spectrogram)
    assert isinstance(log_mel.mel_spectrogram.mel_filters, layers.MelScale)
    # The parts' arguments are the feature layer's own, as passed.
    assert (mfcc.n_fft, mfcc.sample_rate, mfcc.n_mels, mfcc.top_db, mfcc.hop_length) == (
        256,
        8000,
        20,
        80.0,
        None,
    )


def test_mel_spectrogram_equals_its_parts_applied_in_turn():
    kwargs = dict(sample_rate=8000, n_fft=256, hop_length=64)
    x = _waveforms(2, 3001)
    mel = layers.MelSpectrogram(n_mels=24, **kwargs)(x)
    parts = layers.MelScale(sample_rate=8000, n_fft=256, n_mels=24)(
        layers.Spectrogram(n_fft=256, hop_length=64)(x)
    )
    assert relative_error(to_numpy(mel), to_numpy(parts)) < POWER_RTOL
    log_mel = layers.LogMelSpectrogram(n_mels=24, **kwargs)(x)
    np.testing.assert_allclose(to_numpy(log_mel), to_numpy(layers.PowerToDb()(parts)), atol=1e-3)


def test_mel_scale_holds_librosas_filterbank_as_a_fixed_weight():
    layer = layers.MelScale(sample_rate=16000, n_fft=512, n_mels=40, f_min=20.0)
    layer.build((None, None, 257))
    assert [w.name for w in layer.weights] == ["filterbank"]
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 1
    reference = librosa.filters.mel(sr=16000, n_fft=512, n_mels=40, fmin=20.0).T
    np.testing.assert_allclose(to_numpy(layer.filterbank), reference, rtol=1e-6, atol=1e-9)
    stereo = np.abs(np.random.default_rng(0).standard_normal((2, 7, 257, 3))).astype(np.float32)
    out = to_numpy(layer(stereo))
    assert out.shape == (2, 7, 40, 3)
    np.testing.assert_allclose(out[..., 1], stereo[..., 1] @ reference, rtol=1e-5, atol=1e-6)
    with pytest.raises(
        ParameterError, match=r"`inputs` must be shaped \(batch, frames, n_fft // 2 \+ 1 = 257"
    ):
        layers.MelScale(n_fft=512).build((None, 10, 256))


def _filterbank_gradient(layer, x, upstream):
    """d sum(layer(x) * upstream) / d filterbank, on the current backend."""
    weight = layer.mel_filters.filterbank if hasattr(layer, "mel_filters") else layer.filterbank
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) * upstream)
        return tape.gradient(loss, weight.value).numpy()
    if BACKEND == "jax":
        import jax

        def loss(trainable):
            out, _ = layer.stateless_call(trainable, layer.non_trainable_variables, x)
            return (out * upstream).sum()

        grads = jax.grad(loss)([v.value for v in layer.trainable_variables])
        return np.asarray(grads[[v.path for v in layer.trainable_variables].index(weight.path)])
    import torch

    loss = (layer(torch.tensor(x)) * torch.tensor(upstream)).sum()
    loss.backward()
    return weight.value.grad.detach().numpy()


@pytest.mark.parametrize("via", ["MelScale", "MelSpectrogram"])
def test_trainable_filterbank_receives_the_exact_gradient(via):
    x = _waveforms(2, 2000, seed=3)
    spectrogram = to_numpy(layers.Spectrogram(n_fft=128, hop_length=32)(x))
    if via == "MelScale":
        layer, inputs = layers.MelScale(sample_rate=8000, n_fft=128, n_mels=10, trainable=True), spectrogram
    else:
        layer = layers.MelSpectrogram(
            sample_rate=8000, n_fft=128, hop_length=32, n_mels=10, trainable_filterbank=True
        )
        inputs = x
    layer.build(inputs.shape)
    assert len(layer.trainable_weights) == 1
    upstream = (
        np.random.default_rng(4).standard_normal(layer.compute_output_shape(inputs.shape)).astype("float32")
    )
    grad = _filterbank_gradient(layer, inputs, upstream)
    # mel = S @ W, so d sum(mel * U) / dW = sum over batch and frames of S^T U.
    expected = np.einsum("bfk,bfm->km", spectrogram.astype(np.float64), upstream)
    assert relative_error(grad, expected) < 1e-5


def test_trainable_filterbank_learns_in_fit_and_round_trips(tmp_path):
    inputs = keras.Input((2000,))
    features = layers.LogMelSpectrogram(
        sample_rate=8000, n_fft=128, hop_length=32, n_mels=10, trainable_filterbank=True
    )
    outputs = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling1D()(features(inputs)))
    model = keras.Model(inputs, outputs)
    before = to_numpy(features.mel_spectrogram.mel_filters.filterbank).copy()
    model.compile(keras.optimizers.SGD(1e-3), "mse")
    model.fit(_waveforms(4, 2000), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    after = to_numpy(features.mel_spectrogram.mel_filters.filterbank)
    assert np.abs(after - before).max() > 0
    model.save(tmp_path / "learnt.keras")
    restored = keras.saving.load_model(tmp_path / "learnt.keras")
    restored_features = restored.layers[1]
    assert restored_features.get_config()["trainable_filterbank"] is True
    np.testing.assert_array_equal(to_numpy(restored_features.mel_spectrogram.mel_filters.filterbank), after)
    x = _waveforms(2, 2000, seed=9)
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))


def test_fixed_filterbank_is_not_trained_by_fit():
    inputs = keras.Input((2000,))
    features = layers.MelSpectrogram(sample_rate=8000, n_fft=128, n_mels=10)
    model = keras.Model(
        inputs, keras.layers.Dense(1)(keras.layers.GlobalAveragePooling1D()(features(inputs)))
    )
    before = to_numpy(features.mel_filters.filterbank).copy()
    model.compile(keras.optimizers.SGD(1e-2), "mse")
    model.fit(_waveforms(4, 2000), np.ones((4, 1), "float32"), epochs=1, verbose=0)
    np.testing.assert_array_equal(to_numpy(features.mel_filters.filterbank), before)
    assert len(model.trainable_weights) == 2  # the Dense kernel and bias only


@pytest.mark.parametrize(
    "make",
    [
        lambda: layers.Spectrogram(n_fft=np.int64(256), hop_length=np.int32(64), power=np.float64(1.0)),
        lambda: layers.STFT(n_fft=np.int16(256), pad_mode=np.str_("reflect"), center=np.bool_(True)),
        lambda: layers.MelSpectrogram(sample_rate=np.int64(8000), n_fft=np.int64(256), n_mels=np.int64(16)),
        lambda: layers.MFCC(sample_rate=8000, n_fft=256, n_mels=16, n_mfcc=np.int64(8), dct_type=np.int64(2)),
        lambda: layers.InverseSTFT(n_fft=np.uint16(256), length=np.int64(2000)),
        lambda: layers.Delta(width=np.int64(5), order=np.int64(1)),
        lambda: layers.PowerToDb(ref=np.float32(1.0), top_db=np.float64(60.0)),
    ],
    ids=["spectrogram", "stft", "mel", "mfcc", "istft", "delta", "db"],
)
def test_numpy_scalar_arguments_work_save_and_load(tmp_path, make):
    layer = make()
    config = layer.get_config()
    assert all(not isinstance(value, np.generic) for value in config.values()), config
    if isinstance(layer, layers.InverseSTFT):
        x = to_numpy(layers.STFT(n_fft=256)(_waveforms(2, 2000)))
    elif isinstance(layer, (layers.Delta, layers.PowerToDb)):
        x = np.abs(_waveforms(2, 200)).reshape(2, 20, 10)
    else:
        x = _waveforms(2, 2000)
    inputs = keras.Input(x.shape[1:])
    model = keras.Model(inputs, layer(inputs))
    model.save(tmp_path / "numpy.keras")
    restored = keras.saving.load_model(tmp_path / "numpy.keras")
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: layers.MelSpectrogram(sr=16000),
            r"`sr` is not an audioflow argument: audioflow calls it `sample_rate`. Received: sr=16000.",
        ),
        (lambda: layers.LogMelSpectrogram(fmin=20.0), r"audioflow calls it `f_min`. Received: fmin=20.0."),
        (lambda: layers.MFCC(fmax=8000.0), r"audioflow calls it `f_max`"),
        (
            lambda: layers.MelScale(num_mel_bins=40),
            r"`num_mel_bins` is not an audioflow argument: audioflow calls it `n_mels`",
        ),
        (lambda: layers.STFT(fft_length=512), r"audioflow calls it `n_fft`"),
        (lambda: layers.Spectrogram(sequence_stride=128), r"audioflow calls it `hop_length`"),
        (lambda: layers.MelSpectrogram(sampling_rate=16000), r"audioflow calls it `sample_rate`"),
    ],
)
def test_other_libraries_argument_names_say_the_audioflow_name(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


def test_a_foreign_name_for_an_argument_the_layer_lacks_stays_a_keras_error():
    with pytest.raises(
        ValueError, match=r"Unrecognized keyword arguments passed to Spectrogram: \{'sr': 16000\}"
    ):
        layers.Spectrogram(sr=16000)


def test_mel_scale_argument_and_the_older_htk_flag_agree():
    x = _waveforms(1, 3000)
    kwargs = dict(sample_rate=8000, n_fft=256, hop_length=64, n_mels=20, norm=None)
    by_scale = layers.MelSpectrogram(mel_scale="htk", **kwargs)
    by_flag = layers.MelSpectrogram(htk=True, **kwargs)
    np.testing.assert_array_equal(to_numpy(by_scale(x)), to_numpy(by_flag(x)))
    reference = librosa.feature.melspectrogram(
        y=x[0], sr=8000, n_fft=256, hop_length=64, n_mels=20, htk=True, norm=None
    ).T
    assert relative_error(to_numpy(by_scale(x))[0], reference) < POWER_RTOL
    assert by_scale.get_config()["mel_scale"] == "htk" and "htk" not in by_scale.get_config()
    assert by_flag.get_config()["htk"] is True  # as passed, so the config rebuilds the same layer
    np.testing.assert_array_equal(
        af.mel_filterbank(8000, 256, 20, mel_scale="htk"), af.mel_filterbank(8000, 256, 20, htk=True)
    )
    np.testing.assert_array_equal(af.hz_to_mel(3000.0, mel_scale="htk"), af.hz_to_mel(3000.0, htk=True))
    with pytest.raises(
        ParameterError, match=r"`mel_scale` must be one of 'slaney', 'htk'. Received: mel_scale='kaldi'."
    ):
        layers.MelSpectrogram(mel_scale="kaldi")
    with pytest.raises(ParameterError, match=r"`htk` must be True or None when `mel_scale=\"htk\"`"):
        layers.MelScale(mel_scale="htk", htk=False)


def test_wrong_rank_is_reported_from_the_input_spec():
    for layer, spec in [
        (layers.LogMelSpectrogram(), (2, 3)),
        (layers.MelScale(), (3, 4)),
        (layers.InverseSTFT(), (4, 5)),
        (layers.Delta(), (3, 4)),
    ]:
        assert (layer.input_spec.min_ndim, layer.input_spec.max_ndim) == spec
    with pytest.raises(
        ParameterError, match=r"`inputs` must be of rank 3 or 4: \(batch, frames, n_fft // 2 \+ 1\)"
    ):
        layers.MelScale()(np.zeros((2, 1025), "float32"))
