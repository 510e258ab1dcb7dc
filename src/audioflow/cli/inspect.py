"""``audioflow info``, ``plot``, ``features`` and ``make-dataset``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from audioflow.cli._common import (
    CLIError,
    check_outputs,
    expand_inputs,
    field,
    new_figure,
    prepare_out_dir,
    start_backend,
)

# ---------------------------------------------------------------- info


def _format_duration(seconds):
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.3f} s"
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours:d}:{minutes:02d}:{secs:06.3f}"


def run_info(args):
    from audioflow.data import info

    files = expand_inputs(args.inputs)
    rows, bad = [], 0
    for path in files:
        try:
            meta = info(path)
        except (OSError, ValueError) as exc:  # AudioDecodeError is an OSError
            bad += 1
            reason = field(exc, "reason", None) or str(exc)
            rows.append({"path": str(path), "error": reason})
            continue
        rows.append(
            {
                "path": str(path),
                "format": field(meta, "format"),
                "subtype": field(meta, "subtype"),
                "sample_rate": field(meta, "sample_rate"),
                "channels": field(meta, "channels"),
                "frames": field(meta, "frames"),
                "duration": field(meta, "duration"),
            }
        )
    if args.json:
        for row in rows:
            print(json.dumps(row))
    else:
        header = ("path", "format", "sample rate", "channels", "duration")
        table = [header]
        for row in rows:
            if "error" in row:
                table.append((row["path"], "unreadable", "-", "-", "-"))
            else:
                fmt = row["format"] + (f" ({row['subtype']})" if row.get("subtype") else "")
                table.append(
                    (
                        row["path"],
                        fmt,
                        f"{row['sample_rate']} Hz",
                        str(row["channels"]),
                        _format_duration(row["duration"]),
                    )
                )
        widths = [max(len(r[i]) for r in table) for i in range(len(header))]
        for i, (r, row) in enumerate(zip(table, [None, *rows], strict=True)):
            if row is not None and "error" in row:
                line = r[0].ljust(widths[0]) + f"  unreadable: {row['error']}"
            else:
                line = "  ".join(
                    cell.ljust(w) if c in (0, 1) else cell.rjust(w)
                    for c, (cell, w) in enumerate(zip(r, widths, strict=True))
                )
            print(line.rstrip())
            if i == 0:
                print("  ".join("-" * w for w in widths))
        good = len(rows) - bad
        print(
            f"{len(rows)} file{'s' if len(rows) != 1 else ''}: {good} readable, {bad} unreadable",
            file=sys.stderr,
        )
    return 1 if bad else 0


# ---------------------------------------------------------------- features (shared by plot)


def _feature_layers(args, kind):
    """The library's feature layer for ``kind``, one per sample rate, built from the options.

    Invalid option values are reported by the library (``ParameterError``), in its words.
    """
    from audioflow.extract import FEATURE_OPTIONS, feature_layer, feature_settings

    preset = getattr(args, "preset", None)
    options = {k: v for k, v in vars(args).items() if k in FEATURE_OPTIONS[kind]}
    cache = {}

    def get(sample_rate):
        if preset is not None and sample_rate not in cache:
            from audioflow import presets

            layer = presets.get(preset, sample_rate=sample_rate)
            config = {k: v for k, v in layer.get_config().items() if k not in ("name", "dtype", "trainable")}
            cache[sample_rate] = layer, {"preset": preset, **config}
        if sample_rate not in cache:
            layer = feature_layer(kind, sample_rate=sample_rate, **options)
            cache[sample_rate] = layer, feature_settings(kind, sample_rate=sample_rate, **options)
        return cache[sample_rate]

    return get


def _features(layer, y):
    from keras import ops as K

    return np.asarray(K.convert_to_numpy(layer(K.convert_to_tensor(y[None, :])))[0], dtype=np.float32)


def _load(path, sample_rate, offset=0.0, duration=None):
    from audioflow.data import load

    y, sr = load(path, sample_rate=sample_rate, mono=True, offset=offset, duration=duration)
    return np.asarray(y, dtype=np.float32), int(sr)


# ---------------------------------------------------------------- plot


def run_plot(args):
    src = Path(args.file)
    if not src.exists():
        raise CLIError(f"input '{args.file}' does not exist")
    if src.is_dir():
        raise CLIError(f"input '{args.file}' is a folder; plot takes one audio file")
    out = Path(args.out) if args.out else src.with_name(f"{src.stem}-{args.kind}.png")
    check_outputs([out], force=args.force)
    if out.suffix.lower() != ".png":
        raise CLIError(f"--out '{args.out}' must be a .png file")

    kind = {"spectrogram": "logspectrogram", "mel": "logmel", "mfcc": "mfcc"}.get(args.kind)
    layers = None
    if kind is not None:
        start_backend(verbose=args.verbose)
        layers = _feature_layers(args, kind)
        if args.sample_rate is not None:
            layers(args.sample_rate)  # bad options are reported before the file is read
    y, sr = _load(src, args.sample_rate, args.offset, args.duration)
    seconds = y.size / sr
    fig = new_figure(10, 4)
    ax = fig.add_subplot()
    from audioflow import display

    if kind is None:
        display.waveshow(y, sample_rate=sr, ax=ax)
        details = f"{seconds:.2f} s"
    else:
        layer, settings = layers(sr)
        features = _features(layer, y)
        common = dict(sample_rate=sr, hop_length=settings["hop_length"], ax=ax)
        if args.kind == "spectrogram":
            display.specshow(features, y_axis=args.y_axis, n_fft=settings["n_fft"], **common)
        elif args.kind == "mel":
            display.specshow(
                features, y_axis="mel", f_min=settings["f_min"], f_max=settings["f_max"], **common
            )
        else:
            display.specshow(features, y_axis="mfcc", **common)  # diverging, centred at 0, c0 left out
        shown = {k: v for k, v in settings.items() if k not in ("f_min", "f_max") or v}
        if "f_max" in settings and settings["f_max"] == sr / 2:
            shown.pop("f_max", None)
        details = ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in shown.items())
    title = {
        "waveform": "Waveform",
        "spectrogram": "Spectrogram (dB)",
        "mel": "Log-mel spectrogram",
        "mfcc": "MFCC",
    }
    display.fit_title(ax, f"{src.name} \u2014 {title[args.kind]}, {sr} Hz, {details}")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=args.dpi)
    print(f"wrote {out}")
    return 0


# ---------------------------------------------------------------- features


def _npy_targets(args, files, out):
    """Map each input to OUT/<relative name>.<kind>.npy (folders mirrored); refuse collisions."""
    targets = {}
    for raw in args.inputs:
        root = Path(raw)
        group = expand_inputs([raw])
        for path in group:
            rel = path.relative_to(root) if root.is_dir() else Path(path.name)
            target = out / rel.parent / f"{rel.name}.{_label(args)}.npy"
            if target in targets.values():
                raise CLIError(
                    f"two inputs would both write '{target}' (e.g. '{path}'); run them with separate --out folders"
                )
            targets[path] = target
    return targets


def _sidecar(target: Path) -> Path:
    """``name.<kind>.npy`` -> ``name.<kind>.json``: what the array holds, beside it."""
    return target.with_suffix(".json")


def _description(kind, source, features, sample_rate, settings) -> dict:
    """The sidecar's content: the source, the layout and every setting needed to read the array."""
    return {
        "source": str(source),
        "kind": kind,
        "shape": list(features.shape),
        "axes": ["frames", "bins"],
        "dtype": str(features.dtype),
        "sample_rate": sample_rate,
        "frames_per_second": _frames_per_second(sample_rate, settings),
        **settings,
    }


def _frames_per_second(sample_rate, settings):
    """Frames per second of the features: from the hop (samples or Kaldi's ms); None when unknown."""
    if settings.get("hop_length"):
        return sample_rate / settings["hop_length"]
    if settings.get("frame_shift"):
        return 1000.0 / settings["frame_shift"]
    if settings.get("preset") in ("whisper", "whisper-v3", "ast"):
        return 100.0  # their 10 ms hop
    return None


def _label(args) -> str:
    """The features' name in file names and reports: the preset's, else the kind's."""
    return args.preset or args.kind


def run_features(args):
    if args.preset is not None and args.sample_rate is None:
        args.sample_rate = 16000  # the rate every preset was made for
    files = expand_inputs(args.inputs)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out '{out}' exists and is not a folder")
    targets = _npy_targets(args, files, out)
    check_outputs([p for t in targets.values() for p in (t, _sidecar(t))], force=args.force)
    start_backend(verbose=args.verbose)
    layers = _feature_layers(args, args.kind)
    if args.sample_rate is not None:
        layers(args.sample_rate)  # bad options are reported before anything is written
    prepare_out_dir(out)
    bad = 0
    index = []
    for path, target in targets.items():
        try:
            y, sr = _load(path, args.sample_rate)
        except OSError as exc:
            bad += 1
            print(f"error: {exc}", file=sys.stderr)
            continue
        layer, settings = layers(sr)
        features = _features(layer, y)
        target.parent.mkdir(parents=True, exist_ok=True)
        np.save(target, features)
        _sidecar(target).write_text(
            json.dumps(_description(_label(args), path, features, sr, settings), indent=2, default=str) + "\n"
        )
        index.append(
            {"path": str(path), "features": str(target), "shape": list(features.shape), "sample_rate": sr}
        )
        print(f"{path}\t{target}\t{'x'.join(map(str, features.shape))}")
    print(
        f"{len(index)} feature file{'s' if len(index) != 1 else ''} ({_label(args)}, (frames, bins), float32) in {out}",
        file=sys.stderr,
    )
    return 1 if bad else 0


# ---------------------------------------------------------------- make-dataset


def run_make_dataset(args):
    from audioflow.synthetic import make_synthetic_dataset

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out '{out}' exists and is not a folder")
    try:
        summary = make_synthetic_dataset(
            out,
            examples_per_class=args.examples_per_class,
            duration=args.duration,
            seed=args.seed,
            overwrite=args.force,
        )
    except FileExistsError as exc:
        raise CLIError(f"{exc}") from exc
    verb = "reused" if summary["reused"] else "wrote"
    print(f"{verb} {len(summary['files'])} files in {len(summary['classes'])} classes under {out}")
    return 0
