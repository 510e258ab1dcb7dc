"""The ``audioflow`` command line: train, predict, plot, info, features, make-dataset.

Each command parses and prints only; the work is done by library functions
(:mod:`audioflow.data`, :mod:`audioflow.layers`, :mod:`audioflow.models`,
:mod:`audioflow.display`, :mod:`audioflow.extract`, :mod:`audioflow.training`,
:mod:`audioflow.synthetic`).

Exit codes: 0 success; 1 some input files could not be read (``info``, ``predict``,
``features``); 2 bad input (missing path, empty folder, unreadable model, wrong option,
output exists without ``--force``); 130 interrupted. Errors are one ``error: ...`` line on
stderr; ``--verbose`` adds the traceback.
"""

from __future__ import annotations

import argparse
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


def _model_arguments(p):
    """``audioflow train``'s model and recipe options; defaults from audioflow.models.TRAINING_DEFAULTS."""
    # audioflow.models' FRONTENDS, SIZES and TRAINING_DEFAULTS, from their Keras-free module.
    from audioflow._recipe_defaults import FRONTENDS, SIZES
    from audioflow._recipe_defaults import TRAINING_DEFAULTS as D

    p.add_argument(
        "--frontend", choices=FRONTENDS, default=D["frontend"],
        help=f"features the network learns from: log-mel, mel + trainable PCEN, or LEAF (default {D['frontend']})",
    )  # fmt: skip
    p.add_argument(
        "--size", choices=tuple(SIZES), default=D["size"], help=f"network width (default {D['size']})"
    )
    p.add_argument(
        "--no-augment", dest="augment", action="store_false", default=D["augment"],
        help="no training-time augmentation (time shift, gain, SpecAugment)",
    )  # fmt: skip
    p.add_argument(
        "--n-fft", type=positive_int, default=D["n_fft"], metavar="N",
        help="FFT size (default: next power of two of a 25 ms window)",
    )  # fmt: skip
    p.add_argument(
        "--hop-length", type=positive_int, default=D["hop_length"], metavar="N", help="hop (default 10 ms)"
    )
    p.add_argument(
        "--n-mels", type=positive_int, default=D["n_mels"], metavar="N",
        help=f"mel bands (LEAF filters) (default {D['n_mels']})",
    )  # fmt: skip
    p.add_argument(
        "--f-min", type=non_negative_float, default=0.0, metavar="HZ", help="lowest mel frequency (default 0)"
    )
    p.add_argument("--f-max", type=positive_float, default=None, metavar="HZ", help="highest mel frequency")
    p.add_argument(
        "--width", type=positive_int, default=None, metavar="N",
        help="deprecated: chooses --size (<= 16 small, <= 32 medium, else large)",
    )  # fmt: skip
    p.add_argument(
        "--epochs", type=positive_int, default=D["epochs"], metavar="N",
        help=f"training epochs (default {D['epochs']})",
    )  # fmt: skip
    p.add_argument(
        "--batch-size", type=positive_int, default=D["batch_size"], metavar="N",
        help=f"clips per batch (default {D['batch_size']})",
    )  # fmt: skip
    p.add_argument(
        "--learning-rate", type=positive_float, default=D["learning_rate"], metavar="LR",
        help=f"peak AdamW learning rate (default {D['learning_rate']:g})",
    )  # fmt: skip


def _display_options(p):
    """Options of the commands that compute MFCCs or dB features for people (plot, features)."""
    p.add_argument(
        "--n-mfcc", type=positive_int, default=20, metavar="N", help="MFCC coefficients (default 20)"
    )
    p.add_argument(
        "--top-db",
        type=positive_float,
        default=80.0,
        metavar="DB",
        help="dB range below the peak (default 80)",
    )
    p.add_argument(
        "--ref", type=_reference, default=1.0, metavar="REF",
        help="power of 0 dB: a number, or 'max' for the clip's own peak (librosa ref=np.max) (default 1.0)",
    )  # fmt: skip


def _feature_options(p, *, sample_rate_default=None, n_fft=2048, n_mels=128):
    sr_help = "resample to this rate in Hz" + (
        " (default: each file's own rate)"
        if sample_rate_default is None
        else f" (default {sample_rate_default})"
    )
    p.add_argument(
        "--sample-rate", type=positive_int, default=sample_rate_default, metavar="HZ", help=sr_help
    )
    p.add_argument(
        "--n-fft",
        type=positive_int,
        default=n_fft,
        metavar="N",
        help=f"FFT size in samples (default {n_fft})",
    )
    p.add_argument(
        "--hop-length", type=positive_int, default=None, metavar="N",
        help="samples between frames (default n_fft // 4)",
    )  # fmt: skip
    p.add_argument(
        "--n-mels", type=positive_int, default=n_mels, metavar="N", help=f"mel bands (default {n_mels})"
    )
    p.add_argument(
        "--f-min", type=non_negative_float, default=0.0, metavar="HZ", help="lowest mel frequency (default 0)"
    )
    p.add_argument(
        "--f-max", type=positive_float, default=None, metavar="HZ",
        help="highest mel frequency (default sample_rate / 2)",
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

    # ------------------------------------------------------------------ train
    p = sub.add_parser(
        "train", parents=[verbose],
        help="train a classifier on a folder of audio (one sub-folder per class)",
        description=(
            "Train a compact CNN on raw audio (front end: log-mel, PCEN or LEAF inside the model). DATA_DIR holds one "
            "sub-folder per class; without it, the built-in synthetic dataset is generated under OUT/data. "
            "Writes OUT/model.keras (raw waveforms in, class probabilities out, class names inside), "
            "OUT/report.json and PNG plots."
        ),
    )  # fmt: skip
    p.add_argument(
        "data_dir", nargs="?", metavar="DATA_DIR", help="folder with one sub-folder of audio per class"
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    p.add_argument("--force", action="store_true", help="overwrite outputs that already exist in OUT")
    p.add_argument(
        "--sample-rate",
        type=positive_int,
        default=16000,
        metavar="HZ",
        help="model sample rate (default 16000)",
    )
    p.add_argument(
        "--duration", type=positive_float, default=1.0, metavar="S",
        help="clip length in seconds; longer files are cropped at random, shorter ones zero-padded (default 1.0)",
    )  # fmt: skip
    _model_arguments(p)
    p.add_argument(
        "--validation-split", type=open_fraction, default=0.2, metavar="F",
        help="fraction of files held out for validation (default 0.2)",
    )  # fmt: skip
    p.add_argument("--seed", type=non_negative_int, default=0, metavar="N", help="random seed (default 0)")
    p.add_argument(
        "--on-error", choices=("raise", "skip"), default="raise",
        help="on an unreadable file: stop (raise, default) or skip it and list it in the report",
    )  # fmt: skip
    p.add_argument(
        "--cache", choices=("none", "memory"), default="memory",
        help="keep decoded, resampled audio in memory after the first epoch (default memory)",
    )  # fmt: skip
    p.add_argument(
        "--examples-per-class", type=positive_int, default=100, metavar="N",
        help="built-in dataset only: files per class (default 100)",
    )  # fmt: skip
    p.set_defaults(func="train")

    # ------------------------------------------------------------------ predict
    p = sub.add_parser(
        "predict", parents=[verbose],
        help="classify audio files with a trained model",
        description=(
            "Print one line per file: path<TAB>label<TAB>probability. Files are read at the model's sample "
            "rate; files longer than the model's clip are scored on overlapping windows and the "
            "probabilities averaged; shorter ones are zero-padded. Exit code 1 when a file cannot be read."
        ),
    )  # fmt: skip
    p.add_argument("model", metavar="MODEL", help="a model.keras written by 'audioflow train'")
    p.add_argument(
        "inputs", nargs="+", metavar="FILE_OR_DIR", help="audio files, or folders searched recursively"
    )
    p.add_argument("--json", action="store_true", help="print JSON lines with every class probability")
    p.add_argument(
        "--window-hop", type=positive_float, default=None, metavar="S",
        help="seconds between windows on long files (default: half the model's clip)",
    )  # fmt: skip
    p.add_argument(
        "--batch-size", type=positive_int, default=64, metavar="N", help="windows per batch (default 64)"
    )
    p.set_defaults(func="predict")

    # ------------------------------------------------------------------ plot
    p = sub.add_parser(
        "plot", parents=[verbose],
        help="plot a waveform, spectrogram, mel spectrogram or MFCCs to a PNG",
        description="Plot one audio file with physical axes (seconds; Hz; dB colour bar).",
    )  # fmt: skip
    p.add_argument("file", metavar="FILE", help="an audio file")
    p.add_argument("--out", required=True, metavar="PNG", help="image to write (.png)")
    p.add_argument(
        "--kind", choices=("waveform", "spectrogram", "mel", "mfcc"), default="mel",
        help="what to plot (default mel)",
    )  # fmt: skip
    _feature_options(p)
    _display_options(p)
    p.add_argument(
        "--y-axis", choices=("linear", "log"), default="linear",
        help="frequency axis of --kind spectrogram: linear or log (as librosa y_axis='log') (default linear)",
    )  # fmt: skip
    p.add_argument(
        "--offset", type=non_negative_float, default=0.0, metavar="S", help="start reading at this time"
    )
    p.add_argument(
        "--duration", type=positive_float, default=None, metavar="S", help="read at most this many seconds"
    )
    p.add_argument("--dpi", type=positive_int, default=120, help="image resolution (default 120)")
    p.add_argument("--force", action="store_true", help="overwrite the image if it exists")
    p.set_defaults(func="plot")

    # ------------------------------------------------------------------ info
    p = sub.add_parser(
        "info", parents=[verbose],
        help="list audio files with format, sample rate, channels and duration",
        description="Print a table of audio files. Unreadable files are listed with the reason; exit code 1 if any.",
    )  # fmt: skip
    p.add_argument("inputs", nargs="+", metavar="PATH", help="audio files, or folders searched recursively")
    p.add_argument("--json", action="store_true", help="print JSON lines instead of a table")
    p.set_defaults(func="info")

    # ------------------------------------------------------------------ features
    p = sub.add_parser(
        "features", parents=[verbose],
        help="write features of audio files as .npy arrays",
        description=(
            "Compute features with audioflow's layers and write OUT/<name>.<kind>.npy per file, shape "
            "(frames, bins), time-major. Folders are searched recursively and mirrored under OUT."
        ),
    )  # fmt: skip
    p.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR", help="audio files, or folders")
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument(
        "--kind", choices=("logmel", "mel", "spectrogram", "mfcc"), default="logmel",
        help="logmel (dB), mel (power), spectrogram (power) or mfcc (default logmel)",
    )  # fmt: skip
    _feature_options(p)
    _display_options(p)
    p.add_argument("--force", action="store_true", help="overwrite existing .npy files")
    p.set_defaults(func="features")

    # ------------------------------------------------------------------ make-dataset
    p = sub.add_parser(
        "make-dataset", parents=[verbose],
        help="write the built-in synthetic dataset (mixed formats and sample rates)",
        description=(
            "Write procedurally generated sounds, one sub-folder per class (tone, chirp_up, chirp_down, chord, "
            "noise_burst, click_train), as WAV, FLAC and OGG files at mixed sample rates. Deterministic given --seed."
        ),
    )  # fmt: skip
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument(
        "--examples-per-class",
        type=positive_int,
        default=100,
        metavar="N",
        help="files per class (default 100)",
    )
    p.add_argument(
        "--duration", type=positive_float, default=1.0, metavar="S", help="clip length (default 1.0)"
    )
    p.add_argument("--seed", type=non_negative_int, default=0, metavar="N", help="random seed (default 0)")
    p.add_argument(
        "--force", action="store_true", help="replace a dataset generated there with other settings"
    )
    p.set_defaults(func="make-dataset")
    return parser


def _run(args):
    if args.func == "train":
        from audioflow.cli.train import run
    elif args.func == "predict":
        from audioflow.cli.predict import run
    elif args.func == "plot":
        from audioflow.cli.inspect import run_plot as run
    elif args.func == "info":
        from audioflow.cli.inspect import run_info as run
    elif args.func == "features":
        from audioflow.cli.inspect import run_features as run
    else:
        from audioflow.cli.inspect import run_make_dataset as run
    return run(args)


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
