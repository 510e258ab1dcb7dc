"""Plots that read well: each property checked on the matplotlib objects, not only that a file is written."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
import soundfile as sf

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from audioflow import display  # noqa: E402

pytestmark = pytest.mark.backend_independent


def _render(fig):
    """Draw ``fig`` on an Agg canvas -> its renderer (for text extents and pixels)."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _tick_labels(axis, low, high):
    return [
        t.get_text()
        for t, v in zip(axis.get_ticklabels(), axis.get_ticklocs(), strict=True)
        if low <= v <= high
    ]


def test_mfcc_colour_range_leaves_c0_out_and_is_centred_at_zero():
    rng = np.random.default_rng(0)
    mfcc = rng.uniform(-30, 25, size=(50, 13))
    mfcc[:, 0] = rng.uniform(-560, -540, size=50)  # c0: the log energy, far from the others
    fig = Figure()
    mesh = display.specshow(mfcc, sample_rate=16000, y_axis="mfcc", ax=fig.add_subplot())
    limit = np.abs(mfcc[:, 1:]).max()
    assert mesh.norm.vmin == pytest.approx(-limit) and mesh.norm.vmax == pytest.approx(limit)
    assert float(mesh.norm(0.0)) == pytest.approx(0.5)  # white of the diverging map at 0
    assert mesh.get_cmap().name == "coolwarm"
    assert "c0" in fig.axes[1].get_ylabel()  # the colour bar says c0 is outside its range


def test_log_frequency_ticks_are_round_hz_and_khz():
    for sample_rate, n_fft in ((16000, 512), (22050, 2048)):
        ax = Figure().add_subplot()
        display.specshow(np.zeros((20, n_fft // 2 + 1)), sample_rate=sample_rate, y_axis="log", ax=ax)
        labels = _tick_labels(ax.yaxis, *ax.get_ylim())
        assert {"1k", "2k", "4k", "8k"} <= set(labels), labels
        assert all("." not in label for label in labels), labels  # not "8.192k"


def test_long_file_name_keeps_the_title_inside_the_figure(tmp_path, monkeypatch):
    from audioflow.cli import main

    name = "field_recording_" + "very_long_description_of_the_site_" * 5 + "2024-06-01.wav"
    path = tmp_path / name
    sf.write(path, np.zeros(8000, dtype="float32"), 8000)
    figures = []
    monkeypatch.setattr(Figure, "savefig", lambda fig, *a, **k: figures.append(fig))
    assert main(["plot", str(path), "--kind", "waveform", "--out", str(tmp_path / "w.png")]) == 0
    (fig,) = figures
    title = fig.axes[0].title
    box = title.get_window_extent(_render(fig))
    assert box.x0 >= 0 and box.x1 <= fig.bbox.width and box.y1 <= fig.bbox.height
    assert title.get_text().startswith("field_recording_") and "Waveform" in title.get_text()


def test_title_helper_wraps_or_shortens():
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    text = display.fit_title(ax, "x" * 300 + ".wav \u2014 Log-mel spectrogram, 16000 Hz, n_fft=512")
    box = ax.title.get_window_extent(_render(fig))
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width
    assert "\u2026" in text and text.endswith("n_fft=512")


def test_class_example_panels_share_one_labelled_colour_range():
    rng = np.random.default_rng(1)
    examples = {"loud": rng.uniform(-20, 10, (30, 16)), "quiet": rng.uniform(-90, -40, (30, 16))}
    fig = Figure(figsize=(8, 3))
    axes = display.plot_class_examples(examples, sample_rate=8000, hop_length=64, fig=fig)
    meshes = [ax.collections[0] for ax in axes]
    low = min(float(v.min()) for v in examples.values())
    high = max(float(v.max()) for v in examples.values())
    assert [m.get_clim() for m in meshes] == [(low, high)] * 2
    colour_bars = [ax for ax in fig.axes if ax not in axes]
    assert len(colour_bars) == 1 and colour_bars[0].get_ylabel() == "dB"
    assert [ax.get_title() for ax in axes] == ["loud", "quiet"]


def test_confusion_matrix_shows_counts_and_row_percentages_with_a_colour_bar():
    fig = Figure()
    ax = fig.add_subplot()
    display.plot_confusion_matrix([[3, 1], [0, 4]], ["a", "b"], ax=ax)
    assert [t.get_text() for t in ax.texts] == ["3\n75%", "1\n25%", "0\n0%", "4\n100%"]
    (colour_bar,) = [a for a in fig.axes if a is not ax]
    assert "%" in colour_bar.get_ylabel()
    assert ax.images[0].get_clim() == (0.0, 100.0)


def test_training_curves_mark_the_restored_best_epoch():
    history = {"loss": [1.0, 0.6, 0.7], "val_loss": [0.9, 0.5, 0.8], "accuracy": [0.4, 0.7, 0.6],
               "val_accuracy": [0.5, 0.9, 0.8]}  # fmt: skip
    axes = Figure().subplots(1, 2)
    display.plot_history(history, axes=axes, best_epoch=2)
    for ax in axes:
        (marker,) = [line for line in ax.lines if line.get_label().startswith("best epoch")]
        assert marker.get_label() == "best epoch 2 (restored)"
        assert set(np.asarray(marker.get_xdata(), dtype=float)) == {2.0}
        assert "best epoch 2 (restored)" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_waveform_clicks_are_solid_not_hairlines():
    """A click train over low noise (as the built-in click_train class, 1 s at 44.1 kHz)."""
    sample_rate = 44100
    y = 0.01 * np.random.default_rng(2).standard_normal(sample_rate)
    clicks = np.arange(2205, sample_rate, 4410)
    y[clicks] = 0.08  # single-sample clicks
    fig = Figure(figsize=(10, 4), dpi=100)
    ax = fig.add_subplot()
    display.waveshow(y, sample_rate=sample_rate, ax=ax)
    _render(fig)
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    colour = np.array(matplotlib.colors.to_rgb("C0")) * 255
    to_pixels = ax.transData.transform
    row = int(fig.bbox.height - to_pixels([[0, 0.6 * 0.08]])[0, 1])  # 60 % of the clicks' height
    for t in clicks / sample_rate:
        column = int(to_pixels([[t, 0]])[0, 0])
        window = image[row, column - 2 : column + 3]
        # the full line colour, not a pale antialiased hairline
        assert np.abs(window - colour).max(axis=-1).min() < 30, (t, window.tolist())
