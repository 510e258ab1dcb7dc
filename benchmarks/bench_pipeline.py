"""Input-pipeline throughput: audioflow.data vs keras.utils.audio_dataset_from_directory vs librosa.load.

Measures clips per second and x real time delivered by the pipeline alone (no model), side by
side in one run on one generated corpus (page-cached), interleaved, warm-up excluded, median of
``--repeats`` passes:

- 1 s clips, WAV 16 kHz 16-bit, no resampling: audioflow (1 and 2 parallel calls) vs Keras' loader.
- 1 s clips at 44.1 kHz resampled to 16 kHz, WAV/FLAC/MP3: audioflow vs a plain librosa.load loop.
- random 5 s crops of 30 s files, the same two settings (Keras cannot crop: it decodes the whole
  file and truncates, i.e. its output is the first 5 s).
- in every case, the floor: soundfile + soxr alone in one thread (the same reads and resampling,
  nothing else), times the cores this process may use; each loader is reported as a share of it.
  The machine may be shared: the loaders are interleaved and the figures are medians, so compare
  the ratios of one run rather than absolute rates across runs.

Datasets are built once; a timed pass is one epoch over them.

Then peak memory (RSS) over one pass of 10,000 tiny files.

    .venv/bin/python benchmarks/bench_pipeline.py [--repeats 5] [--clips 400]
    .venv/bin/python benchmarks/bench_pipeline.py --ab [--repeats 7]   # the A/B comparisons
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import soundfile as sf  # noqa: E402
import soxr  # noqa: E402

SR = 16000
FLOOR = "soundfile + soxr alone, 1 thread"


def rss_mb():
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def write_corpus(root: Path, n_clips: int, n_long: int):
    rng = np.random.default_rng(0)
    sets = {}

    def make(name, count, seconds, rate, fmt, subtype, ext):
        folder = root / name
        folder.mkdir(parents=True)
        frames = int(seconds * rate)
        t = np.arange(frames) / rate
        for i in range(count):
            x = 0.3 * np.sin(2 * np.pi * (200 + 10 * i) * t) + 0.05 * rng.standard_normal(frames)
            sf.write(folder / f"{i:05d}.{ext}", x.astype(np.float32), rate, format=fmt, subtype=subtype)
        sets[name] = sorted(str(p) for p in folder.iterdir())

    make("clips_wav16k", n_clips, 1.0, 16000, "WAV", "PCM_16", "wav")
    for fmt, sub, ext in [("WAV", "PCM_16", "wav"), ("FLAC", "PCM_16", "flac"), ("MP3", None, "mp3")]:
        make(f"clips_{ext}44k", n_clips, 1.0, 44100, fmt, sub, ext)
    make("long_wav16k", n_long, 30.0, 16000, "WAV", "PCM_16", "wav")
    for fmt, sub, ext in [("WAV", "PCM_16", "wav"), ("FLAC", "PCM_16", "flac"), ("MP3", None, "mp3")]:
        make(f"long_{ext}44k", n_long, 30.0, 44100, fmt, sub, ext)
    return sets


def drain(ds):
    count = 0
    for batch in ds:
        audio = batch["audio"] if isinstance(batch, dict) else batch
        count += int(audio.shape[0])
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--clips", type=int, default=400, help="1 s clips per format")
    parser.add_argument("--long", type=int, default=16, help="30 s files per format")
    parser.add_argument("--crops-per-file", type=int, default=16)
    parser.add_argument("--memory-files", type=int, default=10000)
    parser.add_argument(
        "--case", default=None, help="only the cases whose name contains this text (and no memory pass)"
    )
    parser.add_argument(
        "--ab",
        action="store_true",
        help="instead: A/B of the 64-byte-aligned chunks and of on_error='skip' against 'raise'",
    )
    args = parser.parse_args()
    if args.ab:
        ab_comparisons(args.repeats)
        return

    import keras
    import librosa
    import tensorflow as tf

    import audioflow.data as ad

    print(
        f"python {platform.python_version()}, tensorflow {tf.__version__}, keras {keras.__version__}, "
        f"librosa {librosa.__version__}, soundfile {sf.__version__} (libsndfile {sf.__libsndfile_version__}), "
        f"CPU cores {os.cpu_count()}, XLA off, TF inter/intra-op threads default"
    )
    tmp = tempfile.TemporaryDirectory(prefix="audioflow-bench-")
    root = Path(tmp.name)
    t0 = time.perf_counter()
    sets = write_corpus(root, args.clips, args.long)
    print(f"corpus written in {time.perf_counter() - t0:.1f} s under {root}")
    batch = 32
    rng = np.random.default_rng(1)

    # Datasets are built once, outside the timed region: a pass measures steady-state delivery
    # (one epoch), as in training; building one costs ~50 ms of graph tracing, once.
    def ours(files, parallel, duration, sample_rate=SR):
        ds = ad.audio_dataset(
            files,
            batch_size=batch,
            sample_rate=sample_rate,
            duration=duration,
            crop="random",
            shuffle=False,
            seed=0,
            num_parallel_calls=parallel,
        )
        return lambda: drain(ds)

    def keras_loader(folder, length):
        ds = keras.utils.audio_dataset_from_directory(
            folder,
            labels=None,
            batch_size=batch,
            output_sequence_length=length,
            shuffle=False,
            verbose=False,
        )
        return lambda: drain(ds)

    def librosa_loop(files, duration):
        def run():
            for path in files:
                if duration is None:
                    y, _ = librosa.load(path, sr=SR)
                else:
                    offset = float(rng.uniform(0, 30.0 - duration))
                    y, _ = librosa.load(path, sr=SR, offset=offset, duration=duration)
            return len(files)

        return run

    def floor_loop(files, duration):
        """The decode+resample floor: soundfile and soxr alone, one thread, no tf.data, no Python
        beyond the two calls; the same reads the pipeline makes (a crop: seek + read of the crop,
        except MP3, read from its start as an exact crop needs)."""

        def run():
            for path in files:
                with sf.SoundFile(path) as handle:
                    rate = handle.samplerate
                    if duration is None or handle.frames <= duration * rate:
                        handle.seek(0)
                        y = handle.read(dtype="float32")
                    else:
                        start = int(rng.integers(0, handle.frames - int(duration * rate)))
                        count = int(duration * rate)
                        if handle.subtype.startswith("MPEG"):
                            handle.seek(0)
                            y = handle.read(start + count, dtype="float32")[start:]
                        else:
                            handle.seek(start)
                            y = handle.read(count, dtype="float32")
                if rate != SR:
                    y = soxr.resample(y, rate, SR, quality="HQ")
            return len(files)

        return run

    long_repeat = lambda name: sets[name] * args.crops_per_file  # noqa: E731
    cases = {}  # case -> {config: callable}; clip seconds
    cases["1 s clips, WAV 16 kHz (no resampling)"] = (
        1.0,
        {
            "audioflow, 1 call": ours(sets["clips_wav16k"], 1, 1.0),
            "audioflow, 2 calls": ours(sets["clips_wav16k"], 2, 1.0),
            "keras.utils.audio_dataset_from_directory": keras_loader(str(root / "clips_wav16k"), SR),
            FLOOR: floor_loop(sets["clips_wav16k"], None),
        },
    )
    cases["random 5 s crops of 30 s files, WAV 16 kHz (no resampling)"] = (
        5.0,
        {
            "audioflow, 1 call": ours(long_repeat("long_wav16k"), 1, 5.0),
            "audioflow, 2 calls": ours(long_repeat("long_wav16k"), 2, 5.0),
            "keras (whole file decoded, first 5 s)": keras_loader(str(root / "long_wav16k"), 5 * SR),
            FLOOR: floor_loop(long_repeat("long_wav16k"), 5.0),
        },
    )
    for ext in ("wav", "flac", "mp3"):
        cases[f"1 s clips, {ext.upper()} 44.1 kHz -> 16 kHz"] = (
            1.0,
            {
                "audioflow, 1 call": ours(sets[f"clips_{ext}44k"], 1, 1.0),
                "audioflow, 2 calls": ours(sets[f"clips_{ext}44k"], 2, 1.0),
                "librosa.load loop": librosa_loop(sets[f"clips_{ext}44k"], None),
                FLOOR: floor_loop(sets[f"clips_{ext}44k"], None),
            },
        )
        cases[f"random 5 s crops of 30 s files, {ext.upper()} 44.1 kHz -> 16 kHz"] = (
            5.0,
            {
                "audioflow, 1 call": ours(long_repeat(f"long_{ext}44k"), 1, 5.0),
                "audioflow, 2 calls": ours(long_repeat(f"long_{ext}44k"), 2, 5.0),
                "librosa.load loop (offset, duration)": librosa_loop(long_repeat(f"long_{ext}44k"), 5.0),
                FLOOR: floor_loop(long_repeat(f"long_{ext}44k"), 5.0),
            },
        )

    if args.case is not None:
        cases = {case: entry for case, entry in cases.items() if args.case in case}
    times = {case: {name: [] for name in configs} for case, (_, configs) in cases.items()}
    counts = {}
    for rep in range(args.repeats + 1):  # pass 0 is the warm-up, excluded
        for case, (_, configs) in cases.items():
            for name, run in configs.items():
                start = time.perf_counter()
                n = run()
                elapsed = time.perf_counter() - start
                counts[(case, name)] = n
                if rep > 0:
                    times[case][name].append(elapsed)
        print(f"pass {rep} done", file=sys.stderr)

    cores = len(os.sched_getaffinity(0))
    print(f"\nmedian of {args.repeats} interleaved passes after 1 warm-up pass; batch {batch}")
    print(
        f"floor = {cores} cores x the rate of soundfile + soxr alone in one thread (decode + resample "
        "only, the same reads); 'of floor' = clips/s / floor\n"
    )
    print("| case | loader | clips/s | x real time | ratio | of floor |")
    print("|---|---|---:|---:|---:|---:|")
    for case, (seconds, configs) in cases.items():
        rates = {name: counts[(case, name)] / statistics.median(times[case][name]) for name in configs}
        floor = cores * rates.pop(FLOOR)
        peer = [name for name in configs if name != FLOOR][-1]
        for name, rate in rates.items():
            ratio = "1.00 (peer)" if name == peer else f"{rate / rates[peer]:.2f}x peer"
            print(f"| {case} | {name} | {rate:,.0f} | {rate * seconds:,.0f} | {ratio} | {rate / floor:.0%} |")
        print(f"| {case} | floor ({cores} x one thread) | {floor:,.0f} | {floor * seconds:,.0f} | | 100% |")

    if args.case is not None:
        tmp.cleanup()
        return
    # ---- memory over 10,000 files ----
    mem = root / "memory"
    mem.mkdir()
    tiny = (0.1 * np.random.default_rng(2).standard_normal(1600)).astype(np.float32)
    for i in range(args.memory_files):
        sf.write(mem / f"{i:05d}.wav", tiny, SR, subtype="PCM_16")
    ds = ad.audio_dataset_from_directory(
        mem, labels=None, batch_size=64, sample_rate=SR, duration=0.1, seed=0, num_parallel_calls=2
    )
    samples, seen = [], 0
    start = time.perf_counter()
    for x in ds:
        seen += int(x.shape[0])
        samples.append((seen, rss_mb()))
    elapsed = time.perf_counter() - start
    first_tenth = [r for n, r in samples if n <= args.memory_files // 10]
    base = first_tenth[-1]
    print(
        f"\nmemory: {seen} files in {elapsed:.1f} s ({seen / elapsed:,.0f} files/s, 2 calls, batch 64); "
        f"RSS after 10% of the pass {base:.0f} MB, after 50% "
        f"{[r for n, r in samples if n <= args.memory_files // 2][-1]:.0f} MB, at the end {samples[-1][1]:.0f} MB, "
        f"peak {max(r for _, r in samples):.0f} MB; growth over the last 90%: "
        f"{samples[-1][1] - base:+.1f} MB"
    )
    tmp.cleanup()


def ab_comparisons(repeats):
    """Interleaved A/B in one process: chunks allocated unaligned (as before) vs 64-byte aligned;
    on_error="skip" vs "raise" on the same files (no bad file)."""
    import audioflow.data as ad
    from audioflow.data import decoder

    tmp = tempfile.TemporaryDirectory(prefix="audioflow-ab-")
    root = Path(tmp.name)
    rng = np.random.default_rng(0)
    for i in range(8):
        sf.write(
            root / f"long{i}.wav",
            (0.3 * rng.standard_normal(30 * SR)).astype(np.float32),
            SR,
            subtype="PCM_16",
        )
    for i in range(300):
        sf.write(
            root / f"clip{i:03d}.wav",
            (0.3 * rng.standard_normal(SR)).astype(np.float32),
            SR,
            subtype="PCM_16",
        )
    long = sorted(str(p) for p in root.glob("long*.wav")) * 16
    clips = sorted(str(p) for p in root.glob("clip*.wav"))
    aligned, unaligned = decoder.aligned_empty, lambda shape: np.empty(shape, np.float32)
    runs = {}
    for parallel in (1, 2):
        for name, files, seconds in [("5 s crops of 30 s WAV", long, 5.0), ("1 s WAV", clips, 1.0)]:
            ds = ad.audio_dataset(
                files, batch_size=32, duration=seconds, shuffle=False, num_parallel_calls=parallel
            )
            for variant, allocate in [("unaligned (before)", unaligned), ("aligned (after)", aligned)]:
                runs[(f"{name}, {parallel} call(s)", variant)] = (ds, allocate, len(files))
    clips4 = clips * 4
    for mode in ("raise", "skip"):
        ds = ad.audio_dataset(clips4, batch_size=32, duration=1.0, shuffle=True, seed=0, on_error=mode)
        runs[("1,200 x 1 s WAV, on_error", mode)] = (ds, aligned, len(clips4))
    times = {key: [] for key in runs}
    for rep in range(repeats + 1):
        for key, (ds, allocate, _) in runs.items():
            decoder.aligned_empty = allocate
            start = time.perf_counter()
            drain(ds)
            if rep:
                times[key].append(time.perf_counter() - start)
    decoder.aligned_empty = aligned
    print(f"median of {repeats} interleaved passes after a warm-up pass\n")
    print("| case | variant | clips/s | ratio |")
    print("|---|---|---:|---:|")
    firsts = {}
    for (case, variant), (_, _, n) in runs.items():
        rate = n / statistics.median(times[(case, variant)])
        first = firsts.setdefault(case, rate)
        print(f"| {case} | {variant} | {rate:,.0f} | {rate / first:.2f}x |")
    tmp.cleanup()


if __name__ == "__main__":
    main()
