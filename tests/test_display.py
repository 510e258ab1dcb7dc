"""audioflow.display: physical axes, librosa's axis kinds, layout checks, librosa habits."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

from audioflow import ParameterError, display  # noqa: E402


def test_plot_titles_and_axes(tmp_path):
    """The figure the CLI saves has physical axes; check them on the library functions it calls."""
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
    assert [t.get_text() for t in ax.texts] == ["3\n75%", "1\n25%", "0\n0%", "4\n100%"]
    with pytest.raises(ParameterError, match="`data` must be a 2-D array"):
        display.specshow(np.zeros((2, 3, 4)), ax=ax)
    with pytest.raises(ParameterError, match="`y_axis` must be one of"):
        display.specshow(np.zeros((2, 3)), y_axis="chroma", ax=ax)  # "log" is a y_axis now
    with pytest.raises(ParameterError, match="`matrix` must be square"):
        display.plot_confusion_matrix([[1, 2]], ["a"], ax=ax)


@pytest.mark.backend_independent
def test_log_frequency_axis_as_librosa():
    S = np.random.default_rng(1).uniform(-80, 0, size=(20, 257))
    ax = Figure().add_subplot()
    display.specshow(S, sample_rate=16000, hop_length=128, y_axis="log", ax=ax)
    assert ax.get_yscale() == "symlog"
    transform = ax.yaxis.get_transform()
    assert transform.base == 2 and transform.linthresh == pytest.approx(65.406, abs=1e-3)
    assert ax.get_ylim() == pytest.approx((0.0, 8000.0))
    assert "log" in ax.get_ylabel() and "Hz" in ax.get_ylabel()
    # the log axis spends as much height on 1-2 kHz as on 2-4 kHz (octaves), unlike "linear"
    y = ax.transData.transform([[0, 1000], [0, 2000], [0, 4000]])[:, 1]
    assert y[1] - y[0] == pytest.approx(y[2] - y[1], rel=1e-6)


@pytest.mark.backend_independent
def test_mfcc_ticks_are_integers():
    ax = Figure().add_subplot()
    display.specshow(np.zeros((50, 13)), sample_rate=16000, y_axis="mfcc", ax=ax)
    ticks = [t for t in ax.get_yticks() if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)


@pytest.mark.backend_independent
def test_ref_max_puts_the_peak_at_zero_db():
    S = np.random.default_rng(2).uniform(-50, -10, size=(30, 40))
    fig = Figure()
    ax = fig.add_subplot()
    mesh = display.specshow(S, sample_rate=16000, y_axis="mel", ref="max", ax=ax)
    shown = np.asarray(mesh.get_array()).reshape(-1)
    assert shown.max() == 0.0
    np.testing.assert_allclose(np.sort(shown), np.sort((S - S.max()).reshape(-1)))
    assert fig.axes[1].get_ylabel() == "dB re max"
    with pytest.raises(ParameterError, match="`ref` must be one of"):
        display.specshow(S, ref="min", ax=ax)


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    ("shape", "kwargs", "transposed"),
    [
        ((1025, 40), {"y_axis": "linear"}, True),  # librosa's (bins, frames) of n_fft=2048
        ((40, 1025), {"y_axis": "linear"}, False),
        ((257, 30), {"y_axis": "log", "n_fft": 512}, True),
        ((20, 300), {"y_axis": "mfcc"}, True),
        ((300, 20), {"y_axis": "mfcc"}, False),
        ((128, 1000), {"y_axis": "mel"}, True),
        ((1000, 128), {"y_axis": "mel"}, False),
        ((44, 128), {"y_axis": "mel"}, False),
    ],
)
def test_warns_when_data_looks_transposed(shape, kwargs, transposed):
    ax = Figure().add_subplot()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            display.specshow(np.zeros(shape), sample_rate=22050, colorbar=False, ax=ax, **kwargs)
        except ParameterError:
            assert transposed  # a transposed STFT with n_fft given also fails the bin check
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    if transposed:
        assert len(messages) == 1 and "(bins, frames)" in messages[0] and "data.T" in messages[0]
    else:
        assert messages == []


@pytest.mark.backend_independent
def test_librosa_argument_names_are_named():
    ax = Figure().add_subplot()
    S = np.zeros((10, 20))
    with pytest.raises(
        ParameterError, match=r"`sr` is not an audioflow argument: audioflow calls it `sample_rate`"
    ):
        display.specshow(S, sr=22050, x_axis="time", ax=ax)
    with pytest.raises(ParameterError, match="audioflow calls it `f_max`"):
        display.specshow(S, fmax=8000, ax=ax)
    with pytest.raises(
        TypeError, match="specshow\\(\\) got an unexpected keyword argument 'bins_per_octave'"
    ):
        display.specshow(S, bins_per_octave=12, ax=ax)
    with pytest.raises(
        ParameterError, match="`sr` is not an audioflow argument: audioflow calls it `sample_rate`"
    ):
        display.waveshow(np.zeros(100), sr=22050, ax=ax)
    display.specshow(S, sample_rate=22050, x_axis="time", ax=ax)  # librosa's x_axis="time" is accepted
    with pytest.raises(ParameterError, match="`x_axis` must be one of"):
        display.specshow(S, x_axis="frames", ax=ax)
