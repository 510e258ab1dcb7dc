"""Scale-out with the TensorFlow-free loaders, each run in fresh processes (CPU only).

- PyTorch DDP: two processes (gloo), ``torch_loader(rank=r, world_size=2)``: over each epoch the
  two ranks read disjoint halves that together hold every file once.
- JAX ``keras.distribution.DataParallel`` over two virtual CPU devices, fed by ``grain_loader``.

File ``i`` holds the constant ``(i + 1) / 64``, so every batch says which files were read.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.backend_independent, pytest.mark.notf]

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RATE, CLIP_SAMPLES, N_FILES, EPOCHS = 8000, 800, 12, 2
TIMEOUT_S = 240


def _write_files(folder: Path) -> list[str]:
    import soundfile as sf

    paths = []
    for i in range(N_FILES):
        path = folder / f"clip_{i:02d}.wav"
        sf.write(path, np.full(CLIP_SAMPLES, (i + 1) / 64, np.float32), SAMPLE_RATE, subtype="FLOAT")
        paths.append(str(path))
    return paths


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _environment(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("XLA_FLAGS",)}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]), CUDA_VISIBLE_DEVICES="", **extra)
    return env


def _run_all(commands):
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for command, env in commands
    ]
    try:
        for process in processes:
            output, _ = process.communicate(timeout=TIMEOUT_S)
            assert process.returncode == 0, f"process failed:\n{output[-3000:]}"
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def _source(paths):
    from audioflow.data import AudioFileSource

    labels = [i % 2 for i in range(len(paths))]
    return AudioFileSource.from_paths(
        paths, labels, sample_rate=SAMPLE_RATE, duration=CLIP_SAMPLES / SAMPLE_RATE
    )


def _ddp_rank(rank: int, port: int, paths: list[str], record: str):
    """One rank of a DDP run: a linear model on each clip's mean, trained EPOCHS epochs."""
    import torch
    import torch.distributed as dist

    from audioflow.data import torch_loader

    dist.init_process_group("gloo", init_method=f"tcp://localhost:{port}", rank=rank, world_size=2)
    loader = torch_loader(_source(paths), batch_size=3, seed=3, rank=rank, world_size=2)
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(1, 2))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    seen, losses = [], []
    for _ in range(EPOCHS):
        epoch_ids = []
        for audio, label in loader:
            epoch_ids += [int(v) - 1 for v in torch.round(audio[:, 0] * 64)]
            loss = torch.nn.functional.cross_entropy(model(audio.mean(dim=1, keepdim=True)), label)
            optimizer.zero_grad()
            loss.backward()  # DDP averages the gradients of both ranks here
            optimizer.step()
            losses.append(float(loss))
        seen.append(epoch_ids)
    weights = [p.detach().numpy().tolist() for p in model.parameters()]
    dist.destroy_process_group()
    Path(record).write_text(json.dumps({"seen": seen, "loss": losses, "weights": weights}))


def test_ddp_two_processes_read_each_file_once_per_epoch(tmp_path):
    paths = _write_files(tmp_path)
    port = _free_port()
    records = [tmp_path / f"rank{rank}.json" for rank in range(2)]
    env = _environment(KERAS_BACKEND="torch", OMP_NUM_THREADS="1")
    _run_all(
        [
            (
                [
                    sys.executable,
                    __file__,
                    "ddp",
                    str(rank),
                    str(port),
                    json.dumps(paths),
                    str(records[rank]),
                ],
                env,
            )
            for rank in range(2)
        ]
    )
    results = [json.loads(record.read_text()) for record in records]
    for epoch in range(EPOCHS):
        first, second = (r["seen"][epoch] for r in results)
        assert len(first) == len(second) == N_FILES // 2
        assert not set(first) & set(second)
        assert sorted(first + second) == list(range(N_FILES))
    assert results[0]["seen"][0] != results[0]["seen"][1]  # a new permutation each epoch
    assert results[0]["weights"] == results[1]["weights"]  # DDP kept the replicas in step
    assert all(np.isfinite(r["loss"]).all() for r in results)


def _data_parallel(paths: list[str], record: str):
    """keras.distribution.DataParallel on JAX over two virtual CPU devices, fed by grain_loader."""
    import jax
    import keras

    from audioflow.data import grain_loader

    distribution = keras.distribution.DataParallel(devices=keras.distribution.list_devices("cpu"))
    keras.distribution.set_distribution(distribution)
    # One process here; on many hosts: shard_index=jax.process_index(), shard_count=jax.process_count().
    loader = grain_loader(
        _source(paths), batch_size=4, seed=0, shard_index=jax.process_index(), shard_count=jax.process_count()
    )
    model = keras.Sequential([keras.Input((CLIP_SAMPLES,)), keras.layers.Dense(2)])
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(loader, epochs=EPOCHS, verbose=0)
    seen = [int(round(v * 64)) - 1 for audio, _ in loader for v in audio[:, 0]]
    result = {
        "jax_devices": len(jax.devices()),
        "weight_devices": len(model.weights[0].value.sharding.device_set),
        "loss": history.history["loss"],
        "seen": seen,
        "epoch": loader.epoch,
    }
    Path(record).write_text(json.dumps(result))


def test_keras_data_parallel_on_jax_with_grain_loader(tmp_path):
    paths = _write_files(tmp_path)
    record = tmp_path / "data_parallel.json"
    env = _environment(KERAS_BACKEND="jax", XLA_FLAGS="--xla_force_host_platform_device_count=2")
    _run_all([([sys.executable, __file__, "data_parallel", json.dumps(paths), str(record)], env)])
    result = json.loads(record.read_text())
    assert result["jax_devices"] == result["weight_devices"] == 2
    assert len(result["loss"]) == EPOCHS and np.isfinite(result["loss"]).all()
    assert sorted(result["seen"]) == list(range(N_FILES))
    assert result["epoch"] == EPOCHS + 1  # fit's epochs, then the pass above


if __name__ == "__main__":  # a process started by the tests above
    role, arguments = sys.argv[1], sys.argv[2:]
    if role == "ddp":
        _ddp_rank(int(arguments[0]), int(arguments[1]), json.loads(arguments[2]), arguments[3])
    else:
        _data_parallel(json.loads(arguments[0]), arguments[1])
