"""``audioflow train``: a folder of audio (or the built-in dataset) -> model.keras, report.json, plots.

Argument checks on paths and printing only: the recipe (:class:`audioflow.recipe.Recipe`) is
built from the options and trained by :func:`audioflow.recipe.training.train_recipe`.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

from audioflow._folder_claim import claim_output_folder
from audioflow.cli._common import CLIError, check_outputs, start_backend


def _check_data_dir(path):
    from audioflow.io import class_folders, scan_audio_files

    data = Path(path)
    if not data.exists():
        raise CLIError(f"data folder '{path}' does not exist")
    if not data.is_dir():
        raise CLIError(
            f"data folder '{path}' is not a folder (expected one sub-folder of audio files per class)"
        )
    classes = class_folders(data)
    if not classes:
        raise CLIError(f"data folder '{path}' has no class sub-folders (expected one sub-folder per class)")
    counts = {c: len(scan_audio_files(data / c)) for c in classes}
    if not any(counts.values()):
        raise CLIError(f"data folder '{path}' holds no audio files in its class sub-folders {classes}")
    empty = [c for c, n in counts.items() if n == 0]
    if empty:
        raise CLIError(f"class folder(s) {empty} in '{path}' hold no audio files; remove them or add audio")
    if len(classes) < 2:
        raise CLIError(
            f"data folder '{path}' has only one class ({classes[0]!r}); a classifier needs at least 2"
        )
    return data, counts


def _check_out_outside(out, data):
    out_path, data_path = Path(out).resolve(), Path(data).resolve()
    if out_path == data_path or data_path in out_path.parents:
        raise CLIError(
            f"--out '{out}' is inside the data folder '{data}' (its outputs would be read as a class); "
            "choose a folder outside it"
        )


def _recipe(args):
    """The recipe of the options (checked before anything is written)."""
    from audioflow.recipe import Schedule, recipe_from_options, size_from_width

    if args.width is not None:  # deprecated; it chooses a size
        warnings.warn("`width` is deprecated; use `size`.", DeprecationWarning, stacklevel=2)
    schedule = Schedule(epochs=args.epochs, batch_size=args.batch_size, learning_rate=args.learning_rate)
    return recipe_from_options(
        sample_rate=args.sample_rate, duration=args.duration, frontend=args.frontend,
        size=size_from_width(args.width, args.size), augment=args.augment, n_fft=args.n_fft,
        hop_length=args.hop_length, n_mels=args.n_mels, f_min=args.f_min, f_max=args.f_max,
        schedule=schedule,
    )  # fmt: skip


def _generate(out, args):
    from audioflow.synthetic import make_synthetic_dataset

    data_dir = out / "data"
    print(f"generating the built-in dataset in {data_dir} ...", file=sys.stderr, flush=True)
    try:
        summary = make_synthetic_dataset(
            data_dir, examples_per_class=args.examples_per_class, duration=max(args.duration, 0.25),
            seed=args.seed, overwrite=args.force,
        )  # fmt: skip
    except FileExistsError as exc:
        raise CLIError(str(exc)) from exc
    counts = {}
    for _, label in summary["files"]:
        counts[label] = counts.get(label, 0) + 1
    print(
        f"{'reused' if summary['reused'] else 'wrote'} {len(summary['files'])} files "
        f"({', '.join(counts)}; WAV/FLAC/OGG at {'/'.join(str(s) for s in summary['sample_rates'])} Hz)",
        file=sys.stderr,
    )
    return data_dir, counts


def run(args):
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out '{out}' exists and is not a folder")
    from audioflow.recipe.outputs import OUTPUT_NAMES

    check_outputs([out / name for name in OUTPUT_NAMES], force=args.force)
    data_dir = counts = None
    if args.data_dir is not None:
        data_dir, counts = _check_data_dir(args.data_dir)
        _check_out_outside(out, data_dir)
    recipe = _recipe(args)
    start_backend(verbose=args.verbose)  # tf.data only under TensorFlow (audioflow.data.training_inputs)
    created = not out.exists()
    try:
        with claim_output_folder(out):  # a second `train --out` of the same folder is refused
            return _train(args, out, recipe, data_dir, counts)
    finally:
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()  # a failed run leaves no empty --out folder behind


def _train(args, out, recipe, data_dir, counts):
    from audioflow.data import SkippedFileWarning, decode_error_from
    from audioflow.recipe.training import train_recipe

    generation_s = 0.0
    if data_dir is None:
        t0 = time.perf_counter()
        data_dir, counts = _generate(out, args)
        generation_s = time.perf_counter() - t0
    display = _Display(args)
    extra = {
        "data": {"builtin": args.data_dir is None, "files_per_class": counts},
        "timings": {"data_generation_s": round(generation_s, 3)},
    }
    try:
        with warnings.catch_warnings():
            # Skipped files are printed by the progress display, once each, without a source line.
            warnings.simplefilter("ignore", SkippedFileWarning)
            result = train_recipe(
                recipe, data_dir, out=out, class_names=sorted(counts), validation_split=args.validation_split,
                seed=args.seed, on_error=args.on_error, cache=None if args.cache == "none" else args.cache,
                force=args.force, progress=display.start, extra=extra,
            )  # fmt: skip
    except Exception as exc:
        cause = decode_error_from(exc)
        if cause is None:
            raise
        display.clear_line()
        raise CLIError(
            f"{cause} (pass --on-error skip to skip unreadable files and list them in the report)"
        ) from exc
    display.report_skipped()
    _print_result(result)
    return 0


class _Display:
    """The header line and the progress display (``ProgressLogger``), made once the data are known."""

    def __init__(self, args):
        self.args, self.logger = args, None

    def start(self, data, model):
        import keras

        from audioflow.cli._progress import ProgressLogger

        print(
            f"training on {data.train_files} clips, validating on {data.validation_files} (centre of each file; "
            f"{len(data.class_names)} classes: {', '.join(data.class_names)}); "
            f"{model.count_params():,} parameters; backend {keras.backend.backend()}",
            file=sys.stderr,
            flush=True,
        )
        self.logger = ProgressLogger(
            epochs=self.args.epochs, steps=data.steps_per_epoch, batch_size=self.args.batch_size,
            train_clips=data.train_files, validation_clips=data.validation_files, cached=data.cached,
            skipped=data.skipped,
        )  # fmt: skip
        return [self.logger]

    def clear_line(self):
        if self.logger is not None:
            self.logger.clear_line()

    def report_skipped(self):
        if self.logger is not None:
            self.logger.report_skipped()


def _print_result(result):
    evaluation, fit = result.evaluation, result.fit
    epochs_run = len(fit.history.get("loss", []))
    print(
        f"validation accuracy {evaluation.accuracy:.3f} (best epoch {fit.best_epoch + 1} of {epochs_run}; "
        f"{evaluation.clips} clips)"
    )
    for name, accuracy in evaluation.per_class_accuracy.items():
        print(f"  {name:<20} {'-' if accuracy is None else f'{accuracy:.3f}'}")
    skipped = result.report["skipped_files"]
    if skipped:
        print(f"skipped {len(skipped)} unreadable file(s); listed in report.json:")
        for entry in skipped:
            print(f"  {entry['path']}: {entry['reason']}")
    print(f"wrote {', '.join(result.outputs.values())}")
