"""Training progress as Keras' ``fit`` shows it, plus what the slow first epoch is doing.

:class:`TrainingProgress` is Keras' own :class:`keras.callbacks.ProgbarLogger` (a bar with the
steps done, the ETA from the first batch on, the metrics) that also says, before the first
batch, that the first epoch decodes the clips and compiles the training step (the reason its
first batch takes longest), and can print to any stream. :func:`say` prints one status line
for the steps around ``fit`` (scanning the folder, evaluating, writing).

``verbose`` means what it means to ``model.fit``: 0 silent, 1 a live bar, 2 one line per
epoch, ``"auto"`` 1.
"""

from __future__ import annotations

import contextlib
import sys

import keras

from audioflow._validation import check_choice

VERBOSE_CHOICES = ("auto", 0, 1, 2)


def resolve_verbose(verbose) -> int:
    """``verbose`` as Keras reads it (``"auto"`` -> 1), checked."""
    check_choice("verbose", verbose, VERBOSE_CHOICES)
    return 1 if verbose == "auto" else int(verbose)


def say(verbose, message: str, *, stream=None) -> None:
    """Print one status line when ``verbose`` (``stream`` default: ``sys.stdout``, as Keras)."""
    if resolve_verbose(verbose):
        print(message, file=stream or sys.stdout, flush=True)


def first_epoch_notice(*, train_files: int, validation_files: int, cached: bool) -> str:
    """What the first epoch does before its first batch is done, in words."""
    later = "; later epochs read the cache" if cached else ""
    return (
        f"epoch 1 also reads and resamples the clips ({train_files} training, {validation_files} "
        f"validation files{later}) and compiles the training step: its first batch takes longest"
    )


class TrainingProgress(keras.callbacks.Callback):
    """Keras' progress bar (:class:`keras.utils.Progbar`) for ``fit``, with a first-epoch notice.

    Args:
        verbose: 1 a live bar per epoch (steps done, ETA from the first batch, metrics), 2 one
            line per epoch, 0 nothing; ``"auto"`` is 1.
        notice: printed when training begins, before the first batch (e.g.
            :func:`first_epoch_notice`); empty prints nothing.
        stream: where to print (default ``sys.stdout`` at the time of printing, as Keras).
        epoch_header: print "Epoch i/n" above each epoch's bar (as Keras does when n > 1).
        steps: batches per epoch, used when Keras does not know them.

    Pass it to ``model.fit(..., verbose=0, callbacks=[...])``: it replaces Keras' own display.
    The steps per epoch (the bar's length, hence the ETA) are the dataset's cardinality, which
    audioflow's datasets report.
    """

    def __init__(
        self, *, verbose="auto", notice: str = "", stream=None, epoch_header: bool = True, steps=None
    ):
        super().__init__()
        self.verbose = resolve_verbose(verbose)
        self.notice, self.stream, self.epoch_header, self.steps = notice, stream, epoch_header, steps
        self.bar, self.seen = None, 0

    @contextlib.contextmanager
    def printing(self):
        """Keras' Progbar writes to ``sys.stdout``: point it at ``stream`` meanwhile."""
        with contextlib.redirect_stdout(self.stream or sys.stdout):
            yield

    def on_train_begin(self, logs=None):
        if self.verbose and self.notice:
            with self.printing():
                print(self.notice, flush=True)

    def on_epoch_begin(self, epoch, logs=None):
        self.seen = 0
        epochs = self.params.get("epochs") or 1
        with self.printing():
            if self.verbose and self.epoch_header and epochs > 1:
                print(f"Epoch {epoch + 1}/{epochs}", flush=True)
            # Metrics arrive already averaged over the epoch: shown as they are (as Keras' logger).
            self.bar = keras.utils.Progbar(
                self.params.get("steps") or self.steps,
                verbose=self.verbose,
                unit_name="step",
                stateless_metrics=set(),
            )

    def on_train_batch_end(self, batch, logs=None):
        self.seen = batch + 1
        if self.verbose == 1:
            with self.printing():
                self.bar.update(self.seen, list((logs or {}).items()), finalize=False)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose:
            with self.printing():
                self.bar.update(self.bar.target or self.seen, list((logs or {}).items()), finalize=True)
