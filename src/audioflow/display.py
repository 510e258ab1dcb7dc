"""Plots with physical axes: spectrograms, waveforms, filterbanks, training results.

audioflow arrays are time-major, ``(frames, bins)`` (librosa's are ``(bins, frames)``), and
:func:`specshow` takes them that way: time runs along the x axis in seconds, frequency along
the y axis in Hz (linearly spaced, or mel-spaced with Hz tick labels), and the colour bar is in
dB for dB data. Every function draws into ``ax`` when given, else into the current pyplot axes;
scripts and servers can pass axes of a ``matplotlib.figure.Figure`` and never touch pyplot.

Example::

    import matplotlib.pyplot as plt
    import numpy as np
    from audioflow import display, layers

    x = np.random.randn(1, 22050).astype("float32")
    S = np.asarray(layers.LogMelSpectrogram()(x))[0]        # (frames, 128), dB
    display.specshow(S, sample_rate=22050, hop_length=512, y_axis="mel")
    plt.show()
"""

from __future__ import annotations

import warnings

import numpy as np

from audioflow._display_results import plot_class_examples, plot_confusion_matrix, plot_history
from audioflow._validation import (
    check_choice,
    check_foreign_names,
    check_int,
    check_number,
    parameter_error,
)

__all__ = [
    "fit_title",
    "plot_class_examples",
    "plot_confusion_matrix",
    "plot_filterbank",
    "plot_history",
    "specshow",
    "waveshow",
]

_HZ_TICKS = (0, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000)
# Round ticks for the log-frequency axis (its own would be powers of two: "4.096k").
_LOG_HZ_TICKS = (0, 125, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000)
# librosa's log-frequency axis: symmetric log, base 2, linear below C2 (65.4 Hz), half-octave scale.
_LOG_AXIS = {"base": 2, "linthresh": 65.40639132514966, "linscale": 0.5}


_SPECSHOW_ARGUMENTS = (
    "data", "sample_rate", "hop_length", "n_fft", "y_axis", "f_min", "f_max", "htk", "ax", "cmap",
    "colorbar", "colorbar_label", "vmin", "vmax", "ref", "x_axis",
)  # fmt: skip


def _refuse_unknown(function, arguments, accepted):
    """librosa's names (``sr``, ``fmin``...) are named as audioflow's; others fail as Python would."""
    check_foreign_names(arguments, accepted)
    if arguments:
        raise TypeError(f"{function}() got an unexpected keyword argument {next(iter(arguments))!r}")


def _axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.gca()


def _hz_formatter():
    from matplotlib.ticker import FuncFormatter

    def fmt(value, _pos):
        if value >= 1000:
            k = value / 1000
            return f"{k:g}k"
        return f"{value:g}"

    return FuncFormatter(fmt)


def _time_edges(n_frames, sample_rate, hop_length):
    return np.arange(n_frames + 1) * (hop_length / sample_rate)


def _mel_scale(ax, f_min, f_max, htk):
    """Put a mel-spaced y axis on ``ax`` with tick labels in Hz."""
    from matplotlib.ticker import FixedLocator

    from audioflow.ops import hz_to_mel, mel_to_hz

    def forward(f):
        return np.asarray(hz_to_mel(np.maximum(np.asarray(f, dtype=np.float64), 0.0), htk=htk))

    def inverse(m):
        return np.asarray(mel_to_hz(np.maximum(np.asarray(m, dtype=np.float64), 0.0), htk=htk))

    ax.set_yscale("function", functions=(forward, inverse))
    ticks = [t for t in _HZ_TICKS if f_min <= t <= f_max]
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    ax.yaxis.set_minor_locator(FixedLocator([]))
    ax.yaxis.set_major_formatter(_hz_formatter())


def _frequency_axis(ax, y_axis, y_edges, *, sample_rate, htk) -> None:
    """The y axis of :func:`specshow`: limits, ticks and label for each ``y_axis``."""
    linear = y_axis in ("linear", "hz", "log")
    if y_axis == "mel":
        _mel_scale(ax, y_edges[0], y_edges[-1], htk)
        ax.set_ylim(y_edges[0], y_edges[-1])
        ax.set_ylabel("Frequency (Hz, mel-spaced)")
    elif linear:
        if y_axis == "log":
            from matplotlib.ticker import FixedLocator, NullLocator

            ax.set_yscale("symlog", **_LOG_AXIS)
            ax.yaxis.set_major_locator(FixedLocator([t for t in _LOG_HZ_TICKS if t <= sample_rate / 2]))
            ax.yaxis.set_minor_locator(NullLocator())
        ax.set_ylim(0, sample_rate / 2)
        ax.yaxis.set_major_formatter(_hz_formatter())
        ax.set_ylabel("Frequency (Hz)" + (", log scale" if y_axis == "log" else ""))
    elif y_axis == "mfcc":
        from matplotlib.ticker import MaxNLocator

        ax.set_ylim(y_edges[0], y_edges[-1])
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel("MFCC coefficient")
    else:
        ax.set_ylabel("Bin")


def specshow(
    data,
    *,
    sample_rate: float = 22050,
    hop_length: int | None = None,
    n_fft: int | None = None,
    y_axis: str = "mel",
    f_min: float = 0.0,
    f_max: float | None = None,
    htk: bool = False,
    ax=None,
    cmap: str | None = None,
    colorbar: bool = True,
    colorbar_label: str | None = "dB",
    vmin: float | None = None,
    vmax: float | None = None,
    ref: str | None = None,
    x_axis: str = "time",
    **librosa_arguments,
):
    """Show a time-major ``(frames, bins)`` array with physical axes (like ``librosa.display.specshow``).

    Args:
        data: array of shape ``(frames, bins)``, as returned by audioflow's layers and ops for
            one example (e.g. ``LogMelSpectrogram()(x)[0]``). Not librosa's ``(bins, frames)``.
        sample_rate: sample rate (Hz) of the audio the features came from.
        hop_length: samples between frames (default ``n_fft // 4``, or 512 when ``n_fft`` is
            unknown, as librosa); sets the time axis in seconds.
        n_fft: FFT size, for ``y_axis="linear"`` (default ``2 * (bins - 1)``).
        y_axis: ``"mel"`` (mel-spaced axis labelled in Hz; pass the mel settings ``f_min``,
            ``f_max``, ``htk`` the features were computed with), ``"linear"`` (bins of an STFT in
            Hz), ``"log"`` (the same bins on a log-frequency axis, as librosa's ``y_axis="log"``:
            symmetric log base 2, linear below 65.4 Hz), ``"mfcc"`` (coefficient index, integer
            ticks) or ``None`` (bin index).
        f_min, f_max, htk: the mel filterbank's range and scale (``f_max`` defaults to
            ``sample_rate / 2``).
        ax: matplotlib axes to draw into (default: ``plt.gca()``).
        cmap: colormap name (default ``"magma"``; ``"coolwarm"``, diverging, for MFCCs).
        colorbar: add a colour bar labelled ``colorbar_label`` (``"dB"`` adds ``dB`` to ticks).
        vmin, vmax: colour range (default: the data's range; for MFCCs symmetric about 0 over
            c1 and up: c0, the log energy, lies far below the others and would wash them out, so
            it saturates and the colour bar says so).
        ref: None, or ``"max"`` for dB data: shift it so its peak is 0 dB (as features computed
            with librosa's ``ref=np.max``); the colour bar then reads "dB re max".
        x_axis: ``"time"`` (the only choice: seconds), accepted for librosa habits.

    A ``(bins, frames)`` array (librosa's layout) that looks transposed warns; pass ``data.T``.
    librosa's argument names (``sr``, ``fmin``, ``fmax``) raise a ``ParameterError`` naming
    audioflow's (``sample_rate``, ``f_min``, ``f_max``); other unknown names a ``TypeError``.

    Returns:
        The ``QuadMesh`` drawn.
    """
    _refuse_unknown("specshow", librosa_arguments, _SPECSHOW_ARGUMENTS)
    check_choice("x_axis", x_axis, ("time", "s"))
    check_choice("ref", ref, (None, "max"))
    data = np.asarray(data)
    if data.ndim != 2:
        raise parameter_error(
            "data",
            "a 2-D array of shape (frames, bins)",
            hint="Pass one example, e.g. features[0], not a batch.",
            shape=data.shape,
        )
    check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
    check_choice("y_axis", y_axis, ("mel", "linear", "hz", "log", "mfcc", None))
    _warn_if_transposed(data.shape, y_axis, n_fft)
    if ref == "max":
        data = data - np.max(data)
    n_frames, n_bins = data.shape
    linear = y_axis in ("linear", "hz", "log")
    if n_fft is None:
        n_fft = 2 * (n_bins - 1) if linear else None
    if hop_length is None:
        hop_length = n_fft // 4 if n_fft else 512
    check_int("hop_length", hop_length, minimum=1)
    f_max = sample_rate / 2 if f_max is None else f_max
    ax = _axes(ax)

    x_edges = _time_edges(n_frames, sample_rate, hop_length)
    if y_axis == "mel":
        from audioflow.ops import mel_frequencies

        y_edges = np.asarray(mel_frequencies(2 * n_bins + 3, f_min=f_min, f_max=f_max, htk=htk))[1::2]
    elif linear:
        if n_bins != n_fft // 2 + 1:
            raise parameter_error(
                "n_fft", "consistent with the number of bins (n_fft // 2 + 1)", n_fft=n_fft, bins=n_bins
            )
        y_edges = np.clip((np.arange(n_bins + 1) - 0.5) * sample_rate / n_fft, 0.0, sample_rate / 2)
    else:
        y_edges = np.arange(n_bins + 1) - 0.5

    vmin, vmax, c0_outside = _colour_range(data, y_axis, vmin, vmax)
    if cmap is None:
        cmap = "coolwarm" if y_axis == "mfcc" else "magma"
    mesh = ax.pcolormesh(x_edges, y_edges, data.T, cmap=cmap, vmin=vmin, vmax=vmax, shading="flat")
    ax.set_xlim(x_edges[0], x_edges[-1])
    ax.set_xlabel("Time (s)")
    _frequency_axis(ax, y_axis, y_edges, sample_rate=sample_rate, htk=htk)
    if colorbar:
        _colour_bar(ax, mesh, colorbar_label, ref=ref, mfcc=y_axis == "mfcc", c0_outside=c0_outside)
    return mesh


def _colour_range(data, y_axis, vmin, vmax):
    """``(vmin, vmax, c0_outside)``: MFCCs get a range symmetric about 0 over c1 and up."""
    if y_axis != "mfcc" or vmin is not None or vmax is not None or not data.size:
        return vmin, vmax, False
    rest = data[:, 1:] if data.shape[1] > 1 else data
    limit = float(np.max(np.abs(rest))) or 1.0
    return -limit, limit, data.shape[1] > 1 and float(np.max(np.abs(data[:, 0]))) > limit


def _colour_bar(ax, mesh, label, *, ref, mfcc, c0_outside):
    if mfcc:
        label = "coefficient value" if label in (None, "dB") else label
        cbar = ax.figure.colorbar(mesh, ax=ax)
        cbar.set_label(label + ("\n(c0 beyond the range)" if c0_outside else ""))
        return
    cbar = ax.figure.colorbar(mesh, ax=ax, format="%+.0f dB" if label == "dB" else None)
    if label and label != "dB":
        cbar.set_label(label)
    elif ref == "max":
        cbar.set_label("dB re max")


def _warn_if_transposed(shape, y_axis, n_fft):
    """Warn when ``(frames, bins)`` data looks like librosa's ``(bins, frames)``."""
    rows, cols = shape

    def stft_bins(n):  # n_fft // 2 + 1 for a power-of-two n_fft >= 32
        return n >= 17 and (n - 1) & (n - 2) == 0

    if y_axis in ("linear", "hz", "log"):
        expected = n_fft // 2 + 1 if n_fft else None
        transposed = rows == expected != cols if expected else stft_bins(rows) and not stft_bins(cols)
    elif y_axis == "mfcc":
        transposed = cols > 128 >= rows  # more than 128 coefficients: frames on the wrong axis
    elif y_axis == "mel":
        transposed = cols > 512 >= rows
    else:
        transposed = False
    if transposed:
        warnings.warn(
            f"specshow: data of shape {shape} looks like librosa's (bins, frames) layout; audioflow "
            "arrays are time-major (frames, bins): pass data.T",
            UserWarning,
            stacklevel=3,
        )


def waveshow(
    y, *, sample_rate: float = 22050, ax=None, color: str = "C0", max_points: int = 20000, **librosa_arguments
):
    """Plot a mono waveform against time in seconds, as its min/max envelope per pixel column.

    A signal with more samples than the axes have pixel columns is drawn as the lowest and
    highest sample of each column, filled and outlined with a line of 1 pt, so a single-sample
    click stays a solid stroke (a thin line through every sample would be a pale, antialiased
    hairline); a 1-hour recording plots as fast as a 1-second one. Shorter signals are drawn
    sample by sample.

    Args:
        y: samples, shape ``(samples,)``.
        sample_rate: Hz.
        ax: matplotlib axes (default ``plt.gca()``).
        color: line colour.
        max_points: at most ``max_points // 2`` columns (default 20000: 10,000 columns).

    Example::

        display.waveshow(np.random.randn(44100) * 0.1, sample_rate=44100)
    """
    _refuse_unknown("waveshow", librosa_arguments, ("y", "sample_rate", "ax", "color", "max_points"))
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1:
        raise parameter_error("y", "a 1-D array of samples", hint="Mix down to mono first.", shape=y.shape)
    check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
    check_int("max_points", max_points, minimum=2)
    ax = _axes(ax)
    columns = max(1, min(int(ax.bbox.width), max_points // 2))
    if y.size > 2 * columns:
        block = int(np.ceil(y.size / columns))
        blocks = np.pad(y, (0, (-y.size) % block), mode="edge").reshape(-1, block)
        t = (np.arange(blocks.shape[0]) + 0.5) * block / sample_rate
        artist = ax.fill_between(
            t, blocks.min(axis=1), blocks.max(axis=1), step="mid", color=color, linewidth=1.0
        )
    else:
        (artist,) = ax.plot(np.arange(y.size) / sample_rate, y, color=color, linewidth=1.0)
    ax.set_xlim(0, max(y.size, 1) / sample_rate)
    peak = max(float(np.max(np.abs(y))) if y.size else 0.0, 1e-3)
    ax.set_ylim(-1.05 * peak, 1.05 * peak)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Amplitude")
    ax.axhline(0.0, color="0.7", linewidth=0.5, zorder=0)
    return artist


def fit_title(ax, text: str, *, fontsize: float = 10, max_lines: int = 2) -> str:
    """Set ``text`` as the title of ``ax``, wrapped and shortened so that it stays inside the figure.

    The text is wrapped at spaces to the width of the axes; a word longer than a line (a long
    file name) is shortened in its middle with "…", keeping its start and its extension,
    and words are shortened further until the title fits in ``max_lines`` lines.

    Args:
        ax: matplotlib axes.
        text: the title, e.g. ``f"{path.name} — Log-mel spectrogram, 16000 Hz"``.
        fontsize: points.
        max_lines: at most this many lines (positive int).

    Returns:
        The text set as the title.

    Example::

        display.fit_title(ax, "a_very_long_recording_name_from_the_field_2024-06-01.flac — Waveform")
    """
    import textwrap

    check_int("max_lines", max_lines, minimum=1)
    pixels = ax.figure.bbox.width * ax.get_position().width
    # 0.62 em: a generous mean glyph width of matplotlib's DejaVu Sans (digits are 0.64, "_" 0.5)
    chars = max(12, int(pixels / (fontsize * ax.figure.dpi / 72 * 0.62)))
    words = [_shorten_middle(word, chars) for word in text.split(" ")]
    lines = textwrap.wrap(" ".join(words), width=chars, break_long_words=False, break_on_hyphens=False)
    while len(lines) > max_lines and max(len(w) for w in words) > 8:
        longest = max(range(len(words)), key=lambda i: len(words[i]))
        words[longest] = _shorten_middle(words[longest], len(words[longest]) // 2)
        lines = textwrap.wrap(" ".join(words), width=chars, break_long_words=False, break_on_hyphens=False)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], _shorten_middle(" ".join(lines[max_lines - 1 :]), chars)]
    fitted = "\n".join(lines)
    ax.set_title(fitted, fontsize=fontsize)
    return fitted


def _shorten_middle(word: str, width: int) -> str:
    """``word`` at most ``width`` characters: its start, "…", its end (the extension of a file name)."""
    if len(word) <= width:
        return word
    tail = max(1, (width - 1) // 3)
    return word[: max(1, width - 1 - tail)] + "…" + word[-tail:]


def plot_filterbank(filterbank, *, sample_rate: float, ax=None, every: int = 1):
    """Plot the triangles of a ``(n_fft // 2 + 1, n_mels)`` filterbank against frequency in Hz.

    Args:
        filterbank: e.g. ``audioflow.ops.mel_filterbank(sample_rate, n_fft, n_mels)``.
        sample_rate: Hz (sets the frequency of each FFT bin).
        ax: matplotlib axes (default ``plt.gca()``).
        every: draw one filter in ``every`` (for large ``n_mels``).
    """
    fb = np.asarray(filterbank, dtype=np.float64)
    if fb.ndim != 2:
        raise parameter_error("filterbank", "a 2-D array (n_fft // 2 + 1, n_mels)", shape=fb.shape)
    check_int("every", every, minimum=1)
    ax = _axes(ax)
    freqs = np.linspace(0.0, sample_rate / 2, fb.shape[0])
    n_fft = 2 * (fb.shape[0] - 1)
    for m in range(0, fb.shape[1], every):
        ax.plot(freqs, fb[:, m], linewidth=0.8)
    ax.set_xlim(0, sample_rate / 2)
    ax.xaxis.set_major_formatter(_hz_formatter())
    ax.set_xlabel("Frequency (Hz)")
    ax.set_ylabel("Weight")
    ax.set_title(f"{fb.shape[1]} filters, n_fft={n_fft}, {sample_rate:g} Hz")
    return ax
