"""The progress display of ``audioflow train``: a Keras callback that prints to stderr."""

from __future__ import annotations

import sys
import time

import keras


class ProgressLogger(keras.callbacks.Callback):
    """One line per epoch (loss, accuracy, clips/s), a live bar on a terminal, skipped files by name.

    Args:
        epochs: epochs planned (for "epoch 3/20").
        steps: batches per epoch (for the bar).
        batch_size, train_clips: for the clips-per-second figure.
        skipped: a callable returning the files skipped so far (``[{"path", "reason"}]``).
        stream: where to print (default ``sys.stderr``).
    """

    def __init__(self, *, epochs, steps, batch_size, train_clips, skipped=lambda: [], stream=None):
        super().__init__()
        self.epochs, self.steps, self.batch_size, self.train_clips = epochs, steps, batch_size, train_clips
        self.skipped = skipped
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
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
        self.epoch = epoch
        self.start = time.perf_counter()
        self.seen_steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen_steps = batch + 1
        if self.tty:
            logs = logs or {}
            total = self.steps or max(self.seen_steps, 1)
            done = min(self.seen_steps / total, 1.0)
            bar = "=" * int(done * 24) + (">" if done < 1 else "")
            rate = self.seen_steps * self.batch_size / max(time.perf_counter() - self.start, 1e-9)
            self.stream.write(
                f"\repoch {self.epoch + 1}/{self.epochs} [{bar:<25}] {self.seen_steps}/{total}"
                f"  loss {logs.get('loss', float('nan')):.4f}  accuracy {logs.get('accuracy', float('nan')):.3f}"
                f"  {rate:.0f} clips/s"
            )
            self.stream.flush()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        seconds = time.perf_counter() - self.start
        clips = min(self.seen_steps * self.batch_size, self.train_clips)
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
