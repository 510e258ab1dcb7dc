"""The ``audioflow`` command line: train, predict, export, plot, info, features, make-dataset.

Each command parses and prints only; the work is done by library functions
(:mod:`audioflow.data`, :mod:`audioflow.layers`, :mod:`audioflow.models`,
:mod:`audioflow.display`, :mod:`audioflow.export`, :mod:`audioflow.extract`, :mod:`audioflow.training`,
:mod:`audioflow.synthetic`).

Exit codes: 0 success; 1 some input files could not be read (``info``, ``predict``,
``features``); 2 bad input (missing path, empty folder, unreadable model, wrong option,
output exists without ``--force``); 130 interrupted. Errors are one ``error: ...`` line on
stderr; ``--verbose`` adds the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback

from audioflow.cli._common import (
    CLIError,
    non_negative_float,
    non_negative_int,
    open_fraction,
    positive_float,
    positive_int,
)

__all__ = ["main", "build_parser"]


#: The commands: name -> ("module:function" that runs it, one-line help, description).
_COMMANDS = {
    "train": (
        "audioflow.cli.train:run",
        "train a classifier on a folder of audio (one sub-folder per class)",
        "Train a compact CNN on raw audio (front end: log-mel, PCEN or LEAF inside the model). DATA_DIR holds one "
        "sub-folder per class; without it, the built-in synthetic dataset is generated under OUT/data. "
        "Writes OUT/model.keras (raw waveforms in, class probabilities out, class names inside), "
        "OUT/report.json and PNG plots.",
    ),
    "predict": (
        "audioflow.cli.predict:run",
        "classify audio files with a trained model",
        "Print one line per file: path<TAB>label<TAB>probability. Files are read at the model's sample "
        "rate; files longer than the model's clip are scored on overlapping windows and the "
        "probabilities averaged; shorter ones are zero-padded. A missing or unreadable file is reported "
        "(error: ... on stderr) and the others are still predicted; the exit code is then 1.",
    ),
    "export": (
        "audioflow.cli.export:run",
        "export a model to a SavedModel, TFLite or ONNX artefact for deployment",
        "Write MODEL (a .keras file, e.g. 'audioflow train''s model.keras) as a SavedModel folder, a "
        ".tflite file (builtin operators only) or a .onnx file. The artefact takes raw float32 "
        "waveforms (batch, samples) with any batch size and computes the features inside. SavedModel "
        "and TFLite need the tensorflow or jax backend; ONNX works on every backend.",
    ),
    "plot": (
        "audioflow.cli.inspect:run_plot",
        "plot a waveform, spectrogram, mel spectrogram or MFCCs to a PNG",
        "Plot one audio file with physical axes (seconds; Hz; dB colour bar).",
    ),
    "info": (
        "audioflow.cli.inspect:run_info",
        "list audio files with format, sample rate, channels and duration",
        "Print a table of audio files. Unreadable files are listed with the reason; exit code 1 if any.",
    ),
    "features": (
        "audioflow.cli.inspect:run_features",
        "write features of audio files as .npy arrays",
        "Compute features with audioflow's layers and write OUT/<name>.<kind>.npy per file, shape "
        "(frames, bins), time-major, with OUT/<name>.<kind>.json beside it (sample rate, hop length, "
        "n_fft and the other settings). Folders are searched recursively and mirrored under OUT.",
    ),
    "make-dataset": (
        "audioflow.cli.inspect:run_make_dataset",
        "write the built-in synthetic dataset (mixed formats and sample rates)",
        "Write procedurally generated sounds, one sub-folder per class (tone, chirp_up, chirp_down, chord, "
        "noise_burst, click_train), as WAV, FLAC and OGG files at mixed sample rates. Deterministic given --seed.",
    ),
}


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    """argparse, but errors raise (main prints them as one line and returns 2)."""

    def error(self, message):
        raise _UsageError(f"{message} (see '{self.prog} --help')")


def _verbose_parent():
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
        help="show tracebacks on errors and more detail",
    )  # fmt: skip
    return parent


def _reference(text):
    if text == "max":
        return text
    return positive_float(text)


# Rows of _add_options shared by several commands.
_SEED = ("--seed", non_negative_int, 0, "N", "random seed (default 0)")
_F_MIN = ("--f-min", non_negative_float, 0.0, "HZ", "lowest mel frequency (default 0)")


def _add_options(p, *options):
    """Options that take one value, one ``(flag, type, default, metavar, help)`` row each."""
    for flag, kind, default, metavar, text in options:
        p.add_argument(flag, type=kind, default=default, metavar=metavar, help=text)


def _add_choices(p, *options):
    """Options that take one of a few words, one ``(flag, choices, default, help)`` row each."""
    for flag, choices, default, text in options:
        p.add_argument(flag, choices=choices, default=default, help=text)


def _model_arguments(p):
    """``audioflow train``'s input, model and recipe options; every default is the recipe's."""
    # audioflow.recipe's parts declare the defaults and import no Keras.
    from audioflow.recipe import FRONTENDS, SIZES, Recipe
    from audioflow.recipe import TRAINING_DEFAULTS as D

    _add_options(
        p,
        ("--sample-rate", positive_int, Recipe.sample_rate, "HZ", f"model sample rate (default {Recipe.sample_rate})"),
        ("--duration", positive_float, Recipe.duration, "S", f"clip length in seconds; longer files are cropped at random, shorter ones zero-padded (default {Recipe.duration})"),
    )  # fmt: skip
    _add_choices(
        p,
        ("--frontend", FRONTENDS, D["frontend"], f"features the network learns from: log-mel, mel + trainable PCEN, or LEAF (default {D['frontend']})"),
        ("--size", tuple(SIZES), D["size"], f"network width (default {D['size']})"),
    )  # fmt: skip
    p.add_argument(
        "--no-augment", dest="augment", action="store_false", default=D["augment"],
        help="no training-time augmentation (time shift, gain, SpecAugment)",
    )  # fmt: skip
    _add_options(
        p,
        ("--n-fft", positive_int, D["n_fft"], "N", "FFT size (default: next power of two of a 25 ms window)"),
        ("--hop-length", positive_int, D["hop_length"], "N", "hop (default 10 ms)"),
        ("--n-mels", positive_int, D["n_mels"], "N", f"mel bands (LEAF filters) (default {D['n_mels']})"),
        _F_MIN,
        ("--f-max", positive_float, None, "HZ", "highest mel frequency"),
        ("--width", positive_int, None, "N", "deprecated: chooses --size (<= 16 small, <= 32 medium, else large)"),
        ("--epochs", positive_int, D["epochs"], "N", f"training epochs (default {D['epochs']})"),
        ("--batch-size", positive_int, D["batch_size"], "N", f"clips per batch (default {D['batch_size']})"),
        ("--learning-rate", positive_float, D["learning_rate"], "LR", f"peak AdamW learning rate (default {D['learning_rate']:g})"),
    )  # fmt: skip


def _data_arguments(p):
    """``audioflow train``'s data options; the defaults are :func:`audioflow.recipe.training.train_recipe`'s."""
    from audioflow.recipe import CACHE, ON_ERROR, SEED, VALIDATION_SPLIT

    _add_options(
        p,
        ("--validation-split", open_fraction, VALIDATION_SPLIT, "F", f"fraction of files held out for validation (default {VALIDATION_SPLIT})"),
        ("--seed", non_negative_int, SEED, "N", f"random seed (default {SEED})"),
    )  # fmt: skip
    _add_choices(
        p,
        ("--on-error", ("raise", "skip"), ON_ERROR, f"on an unreadable file: stop (raise) or skip it and list it in the report (default {ON_ERROR})"),
        ("--cache", ("none", "memory"), CACHE, f"keep decoded, resampled audio in memory after the first epoch (default {CACHE})"),
    )  # fmt: skip


def _feature_options(p, kind):
    """The options of the commands that compute features for people (plot, features): ``--kind``
    (its ``(flag, choices, default, help)`` row), the STFT and mel settings, MFCC and dB settings.
    """
    _add_choices(p, kind)
    _add_options(
        p,
        ("--sample-rate", positive_int, None, "HZ", "resample to this rate in Hz (default: each file's own rate)"),
        ("--n-fft", positive_int, 2048, "N", "FFT size in samples (default 2048)"),
        ("--hop-length", positive_int, None, "N", "samples between frames (default n_fft // 4)"),
        ("--n-mels", positive_int, 128, "N", "mel bands (default 128)"),
        _F_MIN,
        ("--f-max", positive_float, None, "HZ", "highest mel frequency (default sample_rate / 2)"),
        ("--n-mfcc", positive_int, 20, "N", "MFCC coefficients (default 20)"),
        ("--top-db", positive_float, 80.0, "DB", "dB range below the peak (default 80)"),
        ("--ref", _reference, 1.0, "REF", "power of 0 dB: a number, or 'max' for the clip's own peak (librosa ref=np.max) (default 1.0)"),
    )  # fmt: skip


def _preset_names():
    from audioflow.presets import names

    return names()


def _command(sub, verbose, name):
    """The parser of command ``name`` (with ``--verbose``); ``main`` runs it by its ``func``, the name."""
    _, summary, description = _COMMANDS[name]
    p = sub.add_parser(name, parents=[verbose], help=summary, description=description)
    p.set_defaults(func=name)
    return p


def _train_parser(p):
    """``audioflow train``'s arguments."""
    p.add_argument(
        "data_dir", nargs="?", metavar="DATA_DIR", help="folder with one sub-folder of audio per class"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--force", action="store_true", help="overwrite outputs that already exist in OUT")
    _model_arguments(p)
    _data_arguments(p)
    _add_options(
        p,
        ("--examples-per-class", positive_int, 100, "N", "built-in dataset only: files per class (default 100)"),
    )  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    from audioflow import __version__

    verbose = _verbose_parent()
    parser = _Parser(
        prog="audioflow",
        description="Train and use raw-audio classifiers whose features are computed inside the model.",
        epilog=(
            "Run 'audioflow COMMAND --help' for the options of a command. To try it: 'audioflow train "
            "--out run1' trains on a built-in synthetic dataset, then 'audioflow predict run1/model.keras "
            "run1/data'."
        ),
    )
    parser.add_argument("--version", action="version", version=f"audioflow {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    _train_parser(_command(sub, verbose, "train"))

    _predict_parser(_command(sub, verbose, "predict"))
    _export_parser(_command(sub, verbose, "export"))
    _plot_parser(_command(sub, verbose, "plot"))
    _info_parser(_command(sub, verbose, "info"))
    _features_parser(_command(sub, verbose, "features"))
    _make_dataset_parser(_command(sub, verbose, "make-dataset"))
    return parser


def _predict_parser(p) -> None:
    p.add_argument("model", metavar="MODEL", help="a model.keras written by 'audioflow train'")
    p.add_argument(
        "inputs", nargs="+", metavar="FILE_OR_DIR", help="audio files, or folders searched recursively"
    )
    p.add_argument("--json", action="store_true", help="print JSON lines with every class probability")
    _add_options(
        p,
        ("--window-hop", positive_float, None, "S", "seconds between windows on long files (default: half the model's clip)"),
        ("--batch-size", positive_int, 64, "N", "windows per batch (default 64)"),
    )  # fmt: skip


def _export_parser(p) -> None:
    from audioflow._validation.export import EXPORT_FORMATS  # Keras-free

    p.add_argument(
        "model", metavar="MODEL", help="a .keras model taking raw audio (e.g. from 'audioflow train')"
    )
    p.add_argument(
        "--format",
        required=True,
        choices=EXPORT_FORMATS,
        help="artefact format (see 'Export and deployment' in the README)",
    )
    p.add_argument("--out", required=True, metavar="PATH", help="folder (saved_model) or file to write")
    p.add_argument(
        "--force", action="store_true",
        help="replace an earlier artefact of the same format at PATH (never a folder of other files)",
    )  # fmt: skip


def _plot_parser(p) -> None:
    p.add_argument("file", metavar="FILE", help="an audio file")
    p.add_argument(
        "--out", metavar="PNG", help="image to write (.png) (default: FILE's folder, <FILE stem>-<kind>.png)"
    )
    _feature_options(
        p, ("--kind", ("waveform", "spectrogram", "mel", "mfcc"), "mel", "what to plot (default mel)")
    )
    _add_choices(
        p,
        ("--y-axis", ("linear", "log"), "linear", "frequency axis of --kind spectrogram: linear or log (as librosa y_axis='log') (default linear)"),
    )  # fmt: skip
    _add_options(
        p,
        ("--offset", non_negative_float, 0.0, "S", "start reading at this time"),
        ("--duration", positive_float, None, "S", "read at most this many seconds"),
    )  # fmt: skip
    p.add_argument("--dpi", type=positive_int, default=120, help="image resolution (default 120)")
    p.add_argument("--force", action="store_true", help="overwrite the image if it exists")


def _info_parser(p) -> None:
    p.add_argument("inputs", nargs="+", metavar="PATH", help="audio files, or folders searched recursively")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")


def _features_parser(p) -> None:
    p.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR", help="audio files, or folders")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    _feature_options(
        p,
        ("--kind", ("logmel", "mel", "spectrogram", "mfcc", "kaldi-fbank", "kaldi-mfcc", "kaldi-spectrogram", "whisper"), "logmel", "logmel (dB), mel (power), spectrogram (power), mfcc, Kaldi's (torchaudio.compliance.kaldi defaults; --n-mels bins) or Whisper's log-mel (default logmel)"),
    )  # fmt: skip
    _add_choices(
        p,
        (
            "--preset",
            _preset_names(),
            None,
            "a model's feature extractor instead of --kind (16 kHz): " + ", ".join(_preset_names()),
        ),
    )
    p.add_argument("--force", action="store_true", help="overwrite existing .npy and .json files")


def _make_dataset_parser(p) -> None:
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    _add_options(
        p,
        ("--examples-per-class", positive_int, 100, "N", "files per class (default 100)"),
        ("--duration", positive_float, 1.0, "S", "clip length (default 1.0)"),
        _SEED,
    )  # fmt: skip
    p.add_argument(
        "--force", action="store_true", help="replace a dataset generated there with other settings"
    )


def _run(args):
    module, _, function = _COMMANDS[args.func][0].partition(":")
    return getattr(importlib.import_module(module), function)(args)


def _one_line(exc) -> str:
    text = str(exc).strip() or type(exc).__name__
    return " ".join(text.split("\n")[0].split()) if "\n" in text else text


def main(argv=None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help, --version
        return exc.code if isinstance(exc.code, int) else 0
    if args.command is None:
        print("error: a command is required (see 'audioflow --help')", file=sys.stderr)
        return 2
    verbose = getattr(args, "verbose", False)
    args.verbose = verbose

    from audioflow.errors import AudioflowError

    try:
        code = _run(args)
    except BrokenPipeError:  # e.g. `audioflow info folder | head`: stop quietly
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except (CLIError, AudioflowError, OSError, ValueError) as exc:
        if verbose:
            traceback.print_exc()
        print(f"error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # a bug, not bad input
        if verbose:
            traceback.print_exc()
        print(
            f"error: unexpected {type(exc).__name__}: {_one_line(exc)} (run with --verbose for the traceback)",
            file=sys.stderr,
        )
        return 1
    return int(code or 0)
