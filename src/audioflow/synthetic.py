"""A built-in synthetic dataset: procedurally generated sounds written as real audio files.

The dataset exists so that the command line (``audioflow train`` with no data folder, and
``make demo``) has something to learn on a fresh machine with no download. Each class is a
family of sounds that is easy to tell apart on a spectrogram but not from simple waveform
statistics (level, zero crossings): pitch, level, timing and background noise are random.

The files are written in mixed formats (WAV, FLAC, OGG/Vorbis) and mixed sample rates, so
training on them exercises decoding and resampling in :mod:`audioflow.data`. Generation is
deterministic given ``seed`` (the same seed writes the same sample values; OGG files are
lossy-coded, deterministically).

Example::

    from audioflow.synthetic import make_synthetic_dataset
    summary = make_synthetic_dataset("builtin-data", examples_per_class=50, seed=0)
    # builtin-data/tone/tone_0000.wav, builtin-data/chirp_up/chirp_up_0001.flac, ...
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
from scipy.signal import lfilter

from audioflow._validation import check_choice, check_int, check_number, parameter_error

__all__ = [
    "SYNTHETIC_CLASSES",
    "make_synthetic_dataset",
    "synthesize",
]

#: The classes of the built-in dataset, in label order.
SYNTHETIC_CLASSES = (
    "tone",
    "chirp_up",
    "chirp_down",
    "chord",
    "noise_burst",
    "click_train",
)

_FORMATS = {
    # extension: (soundfile format, subtype)
    "wav": ("WAV", "PCM_16"),
    "flac": ("FLAC", "PCM_24"),
    "ogg": ("OGG", "VORBIS"),
}

#: Name of the file that records how a folder was generated (so it can be reused or replaced).
MANIFEST_NAME = "audioflow-synthetic.json"


def _envelope(n, sample_rate, start, length, rng):
    """A gate from ``start`` for ``length`` samples with short random raised-cosine ramps."""
    env = np.zeros(n, dtype=np.float64)
    start = int(max(0, min(start, n - 1)))
    stop = int(max(start + 1, min(n, start + length)))
    env[start:stop] = 1.0
    ramp = max(1, min(int(rng.uniform(0.005, 0.02) * sample_rate), (stop - start) // 2))
    if ramp > 1:
        fade = 0.5 - 0.5 * np.cos(np.linspace(0.0, np.pi, ramp))
        env[start : start + ramp] *= fade
        env[stop - ramp : stop] *= fade[::-1]
    return env


def _event(n, sample_rate, rng, min_s, max_s):
    """Random onset and length of an event lasting between ``min_s`` and ``max_s`` seconds."""
    length = int(rng.uniform(min_s, max_s) * sample_rate)
    length = min(length, n)
    start = int(rng.integers(0, max(1, n - length + 1)))
    return start, length


def _sweep(t, f0, f1, span):
    """Phase of an exponential sweep from ``f0`` to ``f1`` Hz over ``span`` seconds."""
    k = np.log(f1 / f0) / span
    return 2 * np.pi * f0 * (np.exp(k * t) - 1.0) / k


def _bandpass_noise(n, sample_rate, low, high, rng):
    spectrum = np.fft.rfft(rng.standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    spectrum[(freqs < low) | (freqs > high)] = 0.0
    noise = np.fft.irfft(spectrum, n)
    return noise / (np.std(noise) + 1e-12)


def synthesize(class_name: str, *, sample_rate: int = 16000, duration: float = 1.0, rng=None) -> np.ndarray:
    """One random example of a built-in class, as float32 mono samples in [-1, 1].

    Args:
        class_name: one of :data:`SYNTHETIC_CLASSES`.
        sample_rate: samples per second of the result (content stays below 4 kHz, so any rate
            >= 8000 represents it).
        duration: length in seconds.
        rng: a ``numpy.random.Generator`` (or a seed); randomises pitch, level, timing and noise.

    Returns:
        Array of shape ``(round(duration * sample_rate),)``, dtype float32.
    """
    check_choice("class_name", class_name, SYNTHETIC_CLASSES)
    check_int("sample_rate", sample_rate, minimum=8000)
    check_number("duration", duration, exclusive_minimum=0.0)
    rng = np.random.default_rng(rng)
    n = max(1, int(round(duration * sample_rate)))
    t = np.arange(n) / sample_rate

    if class_name == "tone":
        start, length = _event(n, sample_rate, rng, 0.5 * duration, duration)
        f = rng.uniform(200.0, 2000.0)
        y = np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
        y *= _envelope(n, sample_rate, start, length, rng)
    elif class_name in ("chirp_up", "chirp_down"):
        start, length = _event(n, sample_rate, rng, 0.45 * duration, 0.9 * duration)
        f_low = rng.uniform(150.0, 600.0)
        f_high = f_low * rng.uniform(3.0, 6.0)
        f0, f1 = (f_low, f_high) if class_name == "chirp_up" else (f_high, f_low)
        local = np.clip(t - start / sample_rate, 0.0, None)
        y = np.sin(_sweep(local, f0, f1, length / sample_rate))
        y *= _envelope(n, sample_rate, start, length, rng)
    elif class_name == "chord":
        start, length = _event(n, sample_rate, rng, 0.5 * duration, duration)
        root = rng.uniform(110.0, 330.0)
        intervals = (0, 4, 7) if rng.random() < 0.5 else (0, 3, 7)  # major or minor triad
        y = np.zeros(n)
        for semitones in intervals:
            f = root * 2.0 ** (semitones / 12.0)
            for harmonic in range(1, 5):
                if f * harmonic < 4000.0:
                    y += np.sin(2 * np.pi * f * harmonic * t + rng.uniform(0, 2 * np.pi)) / harmonic
        y *= _envelope(n, sample_rate, start, length, rng)
    elif class_name == "noise_burst":
        y = np.zeros(n)
        for _ in range(int(rng.integers(1, 3))):
            start, length = _event(n, sample_rate, rng, 0.15 * duration, 0.4 * duration)
            low = rng.uniform(200.0, 1500.0)
            high = min(low * rng.uniform(1.5, 3.0), 3900.0)
            y += _bandpass_noise(n, sample_rate, low, high, rng) * _envelope(
                n, sample_rate, start, length, rng
            )
    else:  # click_train
        start, length = _event(n, sample_rate, rng, 0.5 * duration, duration)
        rate = rng.uniform(8.0, 25.0)
        y = np.zeros(n)
        click = np.hanning(max(3, int(0.0015 * sample_rate)))
        period = sample_rate / rate
        position = start + rng.uniform(0, period)
        while position + click.size < min(n, start + length):
            i = int(position)
            y[i : i + click.size] += click * rng.choice((-1.0, 1.0))
            position += period * rng.uniform(0.9, 1.1)
        y = y - np.convolve(y, np.ones(9) / 9, mode="same")  # high-pass: no DC thump

    peak = np.max(np.abs(y))
    if peak > 0:
        y = y / peak
    y *= 10.0 ** (rng.uniform(-24.0, -3.0) / 20.0)
    # Background: white or red (one-pole low-passed) noise 15 to 35 dB below the signal's peak.
    noise = rng.standard_normal(n)
    if rng.random() < 0.5:
        noise = lfilter([1.0], [1.0, -0.97], noise)
        noise = (noise - noise.mean()) / (np.std(noise) + 1e-12)
    y += noise * np.max(np.abs(y)) * 10.0 ** (-rng.uniform(15.0, 35.0) / 20.0)
    return np.clip(y, -1.0, 1.0).astype(np.float32)


def _read_manifest(directory: Path):
    try:
        return json.loads((directory / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return None


def make_synthetic_dataset(
    directory,
    *,
    examples_per_class: int = 100,
    duration: float = 1.0,
    classes=None,
    sample_rates=(16000, 22050, 32000, 44100),
    formats=("wav", "flac", "ogg"),
    seed: int = 0,
    overwrite: bool = False,
) -> dict:
    """Write the built-in dataset: one sub-folder per class, mixed formats and sample rates.

    Args:
        directory: where to write; created if missing. ``directory/<class>/<class>_0000.<ext>``.
        examples_per_class: files per class (>= 1).
        duration: clip length in seconds.
        classes: a subset of :data:`SYNTHETIC_CLASSES` (default: all of them).
        sample_rates: each file gets one of these rates (Hz), drawn at random.
        formats: file formats cycled through per file: any of "wav" (16-bit PCM), "flac"
            (24-bit) and "ogg" (Vorbis).
        seed: the same seed and arguments write the same dataset.
        overwrite: when the folder already holds a dataset generated with other arguments,
            replace it (only the files listed in its ``audioflow-synthetic.json`` are removed).
            Without it, that case raises ``FileExistsError``. A folder generated with the same
            arguments is reused as is.

    Returns:
        A summary dict: ``directory``, ``classes``, ``files`` (list of ``[relative_path, class]``),
        ``reused`` (True when an identical dataset was already there) and the arguments.
    """
    check_int("examples_per_class", examples_per_class, minimum=1)
    check_number("duration", duration, exclusive_minimum=0.0)
    check_int("seed", seed, minimum=0)
    classes = tuple(SYNTHETIC_CLASSES if classes is None else classes)
    if not classes:
        raise parameter_error("classes", "a non-empty subset of SYNTHETIC_CLASSES", classes=classes)
    for name in classes:
        check_choice("classes", name, SYNTHETIC_CLASSES)
    formats = tuple(formats)
    for fmt in formats:
        check_choice("formats", fmt, tuple(_FORMATS))
    sample_rates = tuple(int(sr) for sr in sample_rates)
    for sr in sample_rates:
        check_int("sample_rates", sr, minimum=8000)
    if not formats or not sample_rates:
        raise parameter_error(
            "formats and sample_rates", "non-empty", formats=formats, sample_rates=sample_rates
        )

    directory = Path(directory)
    settings = {
        "examples_per_class": examples_per_class,
        "duration": float(duration),
        "classes": list(classes),
        "sample_rates": list(sample_rates),
        "formats": list(formats),
        "seed": seed,
    }
    planned = _planned_files(settings)
    previous = _read_manifest(directory)
    if previous is not None:
        complete = previous.get("complete", True)  # manifests of 0.1.0 were written when complete
        if (
            complete
            and previous.get("settings") == settings
            and all((directory / rel).is_file() for rel, _ in previous.get("files", []))
        ):
            return {"directory": str(directory), **settings, "files": previous["files"], "reused": True}
        if complete and not overwrite:
            raise FileExistsError(
                f"'{directory}' already holds a synthetic dataset generated with other settings; "
                "pass overwrite=True (--force on the command line) to replace it"
            )
        # Ours: a finished dataset to replace, or an interrupted generation to finish afresh.
        _remove_files(directory, previous.get("files", []))
    elif directory.is_dir() and any(directory.iterdir()) and not overwrite:
        raise FileExistsError(
            f"'{directory}' is not empty and was not written by make_synthetic_dataset; "
            "choose an empty or new folder"
        )

    import soundfile as sf

    # The manifest is written first, marked incomplete: an interrupted run is recognised as ours.
    directory.mkdir(parents=True, exist_ok=True)
    _write_manifest(directory, {"settings": settings, "files": planned, "complete": False})
    for class_index, name in enumerate(classes):
        (directory / name).mkdir(parents=True, exist_ok=True)
        class_seqs = np.random.SeedSequence([seed, SYNTHETIC_CLASSES.index(name)]).spawn(examples_per_class)
        for i, seq in enumerate(class_seqs):
            rng = np.random.default_rng(seq)
            sample_rate = sample_rates[int(rng.integers(len(sample_rates)))]
            y = synthesize(name, sample_rate=sample_rate, duration=duration, rng=rng)
            rel, _ = planned[class_index * examples_per_class + i]
            fmt, subtype = _FORMATS[rel.rsplit(".", 1)[1]]
            tmp = directory / (rel + ".part")
            try:
                sf.write(tmp, y, sample_rate, format=fmt, subtype=subtype)
                os.replace(tmp, directory / rel)
            finally:  # interrupted (Ctrl-C) or failed: no half-written file is left behind
                tmp.unlink(missing_ok=True)
    _write_manifest(directory, {"settings": settings, "files": planned, "complete": True})
    return {"directory": str(directory), **settings, "files": planned, "reused": False}


def _planned_files(settings) -> list:
    """``[relative_path, class]`` of every file the settings produce, in generation order."""
    formats, count = settings["formats"], settings["examples_per_class"]
    return [
        [f"{name}/{name}_{i:04d}.{formats[(i + class_index) % len(formats)]}", name]
        for class_index, name in enumerate(settings["classes"])
        for i in range(count)
    ]


def _remove_files(directory: Path, files) -> None:
    """Remove the files a manifest lists (and their ``.part`` leftovers); nothing else."""
    for rel, _ in files:
        for target in (directory / rel, directory / (rel + ".part")):
            if target.is_file():
                target.unlink()
    for folder in {(directory / rel).parent for rel, _ in files}:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()  # an emptied class folder would read as a class without files


def _write_manifest(directory: Path, manifest: dict) -> None:
    tmp = directory / (MANIFEST_NAME + ".part")
    try:
        tmp.write_text(json.dumps(manifest, indent=1, allow_nan=False))
        os.replace(tmp, directory / MANIFEST_NAME)
    finally:
        tmp.unlink(missing_ok=True)
