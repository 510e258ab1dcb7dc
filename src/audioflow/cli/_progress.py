"""The progress display of ``audioflow train``: Keras' bar on stderr, then one line per epoch."""

from __future__ import annotations

import sys
import time

from audioflow._progress import TrainingProgress, first_epoch_notice


class ProgressLogger(TrainingProgress):
    """A notice of what the first epoch prepares, Keras' live bar (steps, ETA from the first
    batch) on a terminal, one line per epoch (loss, accuracy, clips/s), skipped files by name.

    Args:
        epochs: epochs planned (for "epoch 3/20").
        steps: batches per epoch (for the bar; Keras' own count from the dataset is used when known).
        batch_size, train_clips: for the clips-per-second figure.
        validation_clips, cached: for the first epoch's notice.
        skipped: a callable returning the files skipped so far (``[{"path", "reason"}]``).
        stream: where to print (default ``sys.stderr``).
    """

    def __init__(
        self, *, epochs, steps, batch_size, train_clips, validation_clips=0, cached=True,
        skipped=lambda: [], stream=None,
    ):  # fmt: skip
        stream = stream or sys.stderr
        self.tty = stream.isatty()
        notice = first_epoch_notice(train_files=train_clips, validation_files=validation_clips, cached=cached)
        # The live bar only on a terminal: in a log file its redraws would be noise.
        super().__init__(
            verbose=1 if self.tty else 2, notice=notice, stream=stream, epoch_header=False, steps=steps
        )
        self.epochs, self.batch_size, self.train_clips = epochs, batch_size, train_clips
        self.skipped = skipped
        self.reported = set()

    def report_skipped(self):
        for entry in self.skipped():
            if entry["path"] not in self.reported:
                self.reported.add(entry["path"])
                self.clear_line()
                print(f"skipped: {entry['path']}: {entry['reason']}", file=self.stream)

    def clear_line(self):
        if self.tty:
            self.stream.write("\r\033[K")

    def on_epoch_begin(self, epoch, logs=None):
        super().on_epoch_begin(epoch, logs)
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        # Not Keras' final bar: this line replaces it.
        logs = logs or {}
        seconds = time.perf_counter() - self.start
        clips = min(self.seen * self.batch_size, self.train_clips)
        self.clear_line()
        self.report_skipped()
        nan = float("nan")
        print(
            f"epoch {epoch + 1}/{self.epochs}  loss {logs.get('loss', nan):.4f}"
            f"  accuracy {logs.get('accuracy', nan):.3f}"
            f"  val_loss {logs.get('val_loss', nan):.4f}  val_accuracy {logs.get('val_accuracy', nan):.3f}"
            f"  {clips / max(seconds, 1e-9):.0f} clips/s  {seconds:.1f} s",
            file=self.stream,
            flush=True,
        )
