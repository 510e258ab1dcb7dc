"""Loader throughput: torch_loader and grain_loader vs a hand-written DataLoader, HF datasets, tf.data.

Clips per second delivered by each loader alone (no model), side by side in one run on one
generated corpus (page-cached), interleaved round by round, warm-up excluded, median of
``--repeats`` epochs, batches of 32:

- ``torch_loader`` and ``grain_loader`` with 0, 1 and 2 worker processes;
- a hand-written ``torch.utils.data.DataLoader`` over ``soundfile`` + ``soxr`` (random crop,
  resample, pad: the same work) with the same workers (persistent, as ``torch_loader``'s);
- Hugging Face ``datasets``' ``Audio(sampling_rate=...)`` column, decoded on access
  (``--extra-site`` a folder holding ``datasets``; skipped if it cannot be imported);
- today's ``tf.data`` pipeline (:func:`audioflow.data.audio_dataset`, 2 parallel calls), with
  ``--tf`` in a process of its own (TensorFlow and jaxlib in one process abort: two LLVMs);
- the floor: soundfile + soxr alone in one thread, times the cores this process may use.

Two corpora: 1 s WAV at 16 kHz (no resampling) and 1 s FLAC at 44.1 kHz (resampled to 16 kHz).
Then peak memory (RSS, this process and its workers) over one epoch of ``--memory-files`` files.

    .venv/bin/python benchmarks/bench_loaders.py [--repeats 5] [--clips 300] [--extra-site DIR]
    .venv/bin/python benchmarks/bench_loaders.py --tf [--repeats 5] [--clips 300]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf
import soxr

SR = 16000
BATCH = 32


def rss_mb(pid="self") -> float:
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def tree_rss_mb() -> float:
    """This process's RSS plus its children's (loader workers)."""
    total = rss_mb()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    if int(handle.read().split(") ")[1].split()[1]) == os.getpid():
                        total += rss_mb(entry)
            except (OSError, IndexError, ValueError):
                continue
    return total


def write_corpus(root: Path, clips: int) -> dict:
    rng = np.random.default_rng(0)
    sets = {}
    for name, rate, fmt in (("wav16k", 16000, "WAV"), ("flac44k", 44100, "FLAC")):
        folder = root / name
        folder.mkdir()
        paths = []
        for i in range(clips):
            path = folder / f"{i:05d}.{fmt.lower()}"
            sf.write(path, (0.1 * rng.standard_normal(int(1.1 * rate))).astype(np.float32), rate, format=fmt)
            paths.append(str(path))
        sets[name] = paths
    return sets


class HandWritten:
    """What a PyTorch user writes: soundfile, soxr, a random 1 s crop, zero padding."""

    def __init__(self, paths):
        self.paths, self.rng = paths, np.random.default_rng(0)

    def __len__(self):
        return len(self.paths)

    def __getitem__(self, index):
        audio, rate = sf.read(self.paths[index], dtype="float32")
        if rate != SR:
            audio = soxr.resample(audio, rate, SR)
        start = int(self.rng.integers(0, max(1, len(audio) - SR + 1)))
        audio = audio[start : start + SR]
        return np.pad(audio, (0, SR - len(audio))), 0


def tf_contenders(paths):
    """tf.data and the floor alone: TensorFlow cannot share a process with jaxlib (two LLVMs)."""
    import audioflow.data as ad

    return {
        "tf.data (audio_dataset, 2 calls)": ad.audio_dataset(
            paths, batch_size=BATCH, sample_rate=SR, duration=1.0, seed=0, num_parallel_calls=2
        ),
        "floor: soundfile + soxr, 1 thread": _Floor(paths),
    }


def contenders(paths, extra):
    import torch

    import audioflow.data as ad

    source = ad.AudioFileSource.from_paths(paths, [0] * len(paths), sample_rate=SR, duration=1.0, seed=0)
    made = {}
    for workers in (0, 1, 2):
        made[f"torch_loader, {workers} workers"] = ad.torch_loader(
            source, batch_size=BATCH, seed=0, num_workers=workers, persistent_workers=workers > 0
        )
        made[f"grain_loader, {workers} workers"] = ad.grain_loader(
            source, batch_size=BATCH, seed=0, num_workers=workers
        )
        made[f"hand-written DataLoader, {workers} workers"] = torch.utils.data.DataLoader(
            HandWritten(paths), batch_size=BATCH, shuffle=True, num_workers=workers,
            persistent_workers=workers > 0,
        )  # fmt: skip
    try:
        import datasets

        hf = datasets.Dataset.from_dict({"audio": paths}).cast_column(
            "audio", datasets.Audio(sampling_rate=SR)
        )
        _hf_array(hf[0]["audio"])  # decodes (datasets 4+: through TorchCodec)
        made["HF datasets Audio column"] = _HFEpoch(hf)
    except Exception as error:  # noqa: BLE001 - an optional peer
        print(f"HF datasets: unavailable ({type(error).__name__}: {str(error)[:200]})")
    made["floor: soundfile + soxr, 1 thread"] = _Floor(paths)
    return made


class _HFEpoch:
    def __init__(self, dataset):
        self.dataset = dataset

    def __iter__(self):
        for start in range(0, len(self.dataset), BATCH):
            rows = self.dataset[start : start + BATCH]["audio"]
            yield np.stack([_hf_array(row) for row in rows])


def _hf_array(row):
    if isinstance(row, dict):
        return np.asarray(row["array"], np.float32)[:SR]
    return np.asarray(row.get_all_samples().data, np.float32).reshape(-1)[:SR]  # TorchCodec decoder


class _Floor:
    def __init__(self, paths):
        self.paths = paths

    def __iter__(self):
        for path in self.paths:
            with sf.SoundFile(path) as handle:
                rate = handle.samplerate
                handle.seek(handle.frames - int(rate) if handle.frames > rate else 0)
                audio = handle.read(int(rate), dtype="float32")
            if rate != SR:
                audio = soxr.resample(audio, rate, SR)
            yield audio[None]


def drain(loader) -> int:
    count = 0
    for batch in loader:
        audio = batch[0] if isinstance(batch, (tuple, list)) else batch
        count += int(audio.shape[0])
    return count


def timed_rounds(made, repeats):
    times = {name: [] for name in made}
    for loader in made.values():  # warm-up: workers started, caches of the first epoch
        drain(loader)
    for r in range(repeats):
        names = list(made)
        names = names[r % len(names) :] + names[: r % len(names)]
        for name in names:
            start = time.perf_counter()
            count = drain(made[name])
            times[name].append(count / (time.perf_counter() - start))
    return {name: statistics.median(values) for name, values in times.items()}


def memory_pass(root: Path, files: int):
    import audioflow.data as ad

    folder = root / "memory"
    folder.mkdir()
    tiny = (0.1 * np.random.default_rng(2).standard_normal(1600)).astype(np.float32)
    for i in range(files):
        sf.write(folder / f"{i:05d}.wav", tiny, SR, subtype="PCM_16")
    source = ad.AudioFileSource.from_directory(folder, labels=None, duration=0.1, seed=0)
    for name, loader in (
        ("torch_loader, 2 workers", ad.torch_loader(source, batch_size=64, seed=0, num_workers=2)),
        ("grain_loader, 2 workers", ad.grain_loader(source, batch_size=64, seed=0, num_workers=2)),
    ):
        samples, seen = [], 0
        for batch in loader:
            seen += int(batch.shape[0])
            samples.append((seen, tree_rss_mb()))
        base = [rss for n, rss in samples if n <= files // 10][-1]
        print(
            f"memory, {name}: {seen} files; RSS (with workers) after 10% {base:.0f} MB, at the end "
            f"{samples[-1][1]:.0f} MB, peak {max(r for _, r in samples):.0f} MB, "
            f"growth over the last 90% {samples[-1][1] - base:+.1f} MB"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--clips", type=int, default=300)
    parser.add_argument("--memory-files", type=int, default=10000)
    parser.add_argument("--extra-site", default=None, help="a folder with Hugging Face datasets installed")
    parser.add_argument(
        "--tf", action="store_true", help="instead: tf.data and the floor (a separate process)"
    )
    args = parser.parse_args()
    if args.extra_site:
        sys.path.append(args.extra_site)
    cores = len(os.sched_getaffinity(0))
    print(
        f"load average {os.getloadavg()}, CPU cores available {cores}, batch {BATCH}, {args.clips} clips per set"
    )
    with tempfile.TemporaryDirectory(prefix="audioflow-bench-loaders-") as tmp:
        root = Path(tmp)
        for name, paths in write_corpus(root, args.clips).items():
            made = tf_contenders(paths) if args.tf else contenders(paths, args.extra_site)
            rates = timed_rounds(made, args.repeats)
            floor = rates["floor: soundfile + soxr, 1 thread"] * cores
            print(
                f"\n{name}: clips/s (median of {args.repeats}), share of the {cores}-core floor {floor:.0f}/s"
            )
            for contender, rate in rates.items():
                print(f"  {contender:<40} {rate:8.0f}   {rate / floor:6.0%}")
        if not args.tf:
            memory_pass(root, args.memory_files)
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
