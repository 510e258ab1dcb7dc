"""Plots of training results: curves with the restored epoch, confusion matrix, one clip per class.

Re-exported by :mod:`audioflow.display` (use them from there); the training outputs
(``training_curves.png``, ``confusion_matrix.png``, ``examples_logmel.png``) are drawn with them.
"""

from __future__ import annotations

import math

import numpy as np

from audioflow._validation import check_int, parameter_error


def _axes(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.gca()


def plot_history(history: dict, *, axes=None, best_epoch: int | None = None):
    """Training curves: loss and accuracy per epoch (train and validation), the restored epoch marked.

    Args:
        history: ``{"loss": [...], "accuracy": [...], "val_loss": [...], "val_accuracy": [...]}``,
            e.g. ``model.fit(...).history``.
        axes: two matplotlib axes (loss, accuracy); default: two new subplots of the current figure.
        best_epoch: the epoch whose weights the model keeps, counted from 1 as on the x axis
            (e.g. ``report["best_epoch"]``); a dashed vertical line on both axes, labelled
            "best epoch N (restored)" in the legends. None marks nothing.

    Example::

        display.plot_history(model.fit(...).history, best_epoch=3)
    """
    from matplotlib.ticker import MaxNLocator

    check_int("best_epoch", best_epoch, minimum=1, allow_none=True)
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(9, 3.5))
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=False):
        for key, style in ((metric, "-o"), (f"val_{metric}", "-s")):
            values = history.get(key)
            if values:
                ax.plot(np.arange(1, len(values) + 1), values, style, markersize=3, label=key)
        if best_epoch is not None:
            ax.axvline(
                best_epoch,
                color="0.3",
                linestyle="--",
                linewidth=1.2,
                label=f"best epoch {best_epoch} (restored)",
            )
        ax.set_xlabel("Epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(metric.capitalize())
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    if history.get("accuracy") or history.get("val_accuracy"):
        axes[1].set_ylim(0, 1.02)
    return axes


def plot_confusion_matrix(matrix, class_names, *, ax=None, cmap: str = "Blues"):
    """A confusion matrix: each cell's count and its share of the true class, coloured by that share.

    Args:
        matrix: ``(n_classes, n_classes)`` counts; rows: true class, columns: predicted.
        class_names: labels of rows and columns.
        ax: matplotlib axes (default ``plt.gca()``).
        cmap: colormap of the row-normalised percentages (0 to 100 %, with a colour bar).

    Each cell reads "count" over "percent of its row" (a row's percentages sum to 100).

    Example::

        display.plot_confusion_matrix([[3, 1], [0, 4]], ["dog", "cat"])   # "3\\n75%" ...
    """
    m = np.asarray(matrix)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.shape[0] != len(class_names):
        raise parameter_error(
            "matrix", "square with one row per class", shape=m.shape, n_classes=len(class_names)
        )
    ax = _axes(ax)
    percent = 100.0 * m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    image = ax.imshow(percent, cmap=cmap, vmin=0.0, vmax=100.0)
    n = m.shape[0]
    for i in range(n):
        for j in range(n):
            ax.text(
                j, i, f"{int(m[i, j])}\n{percent[i, j]:.0f}%", ha="center", va="center",
                color="white" if percent[i, j] > 50 else "black", fontsize=9 if n <= 8 else 7,
            )  # fmt: skip
    ax.set_xticks(range(n), class_names, rotation=45, ha="right")
    ax.set_yticks(range(n), class_names)
    ax.set_xlabel("Predicted")
    ax.set_ylabel("True")
    ax.figure.colorbar(image, ax=ax, label="share of the true class (%)", shrink=0.8)
    return ax


def plot_class_examples(
    examples: dict,
    *,
    sample_rate: float,
    hop_length: int,
    f_min: float = 0.0,
    f_max: float | None = None,
    htk: bool = False,
    fig=None,
    columns: int = 3,
    colorbar_label: str = "dB",
):
    """One dB mel spectrogram per class, side by side, on one colour range with one labelled colour bar.

    Args:
        examples: class name -> ``(frames, n_mels)`` dB array (time-major, as the layers return
            it), or None for a class without an example (its panel says so).
        sample_rate, hop_length, f_min, f_max, htk: the features' settings (for the axes).
        fig: a matplotlib ``Figure`` (default: a new pyplot figure).
        columns: panels per row (at most).
        colorbar_label: the shared colour bar's label.

    The colour range is the lowest to the highest value over all panels, so a quiet class
    looks quieter than a loud one.

    Returns:
        The grid's axes, one per class first (in ``examples``' order), then any unused ones.
    """
    from audioflow.display import specshow

    check_int("columns", columns, minimum=1)
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(layout="constrained")
    shown = [np.asarray(v) for v in examples.values() if v is not None]
    vmin = min((float(v.min()) for v in shown), default=None)
    vmax = max((float(v.max()) for v in shown), default=None)
    cols = min(columns, max(1, len(examples)))
    axes = list(np.atleast_1d(fig.subplots(max(1, math.ceil(len(examples) / cols)), cols)).ravel())
    mesh = None
    for ax, (name, values) in zip(axes, examples.items(), strict=False):
        if values is None:
            ax.set_axis_off()
            ax.set_title(f"{name}: no example", fontsize=9)
            continue
        mesh = specshow(
            values, sample_rate=sample_rate, hop_length=hop_length, y_axis="mel", f_min=f_min,
            f_max=f_max, htk=htk, ax=ax, colorbar=False, vmin=vmin, vmax=vmax,
        )  # fmt: skip
        ax.set_title(name, fontsize=10)
    for ax in axes[len(examples) :]:
        ax.set_axis_off()
    if mesh is not None:
        fig.colorbar(mesh, ax=axes, label=colorbar_label, format="%+.0f")
    return axes
