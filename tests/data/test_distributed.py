"""Scale-out training on the audioflow pipeline, each run in its own processes (CPU only).

- ``tf.distribute.MultiWorkerMirroredStrategy`` over two local workers (TensorFlow backend):
  each worker reads its shard of the files (``num_shards``/``shard_index``), and over an epoch
  the two together read every file exactly once.
- ``keras.distribution.DataParallel`` on JAX over two virtual CPU devices.

Each test starts fresh interpreters with their own ``KERAS_BACKEND``, so it runs once in CI
(``backend_independent``), whatever backend the suite itself runs under.
"""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_RATE, CLIP_SAMPLES, N_FILES, EPOCHS = 8000, 800, 12, 2
TIMEOUT_S = 150


def _write_files(folder: Path) -> list[str]:
    """``N_FILES`` clips, file ``i`` holding the constant ``(i + 1) / 64``: its id, read back from any sample."""
    import soundfile as sf

    paths = []
    for i in range(N_FILES):
        path = folder / f"clip_{i:02d}.wav"
        sf.write(path, np.full(CLIP_SAMPLES, (i + 1) / 64, np.float32), SAMPLE_RATE, subtype="FLOAT")
        paths.append(str(path))
    return paths


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("localhost", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _environment(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("TF_CONFIG", "XLA_FLAGS")}
    env.update(PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]), TF_CPP_MIN_LOG_LEVEL="3")
    env.update(CUDA_VISIBLE_DEVICES="", **extra)
    return env


def _run_all(commands: list[tuple[list[str], dict]]) -> list[str]:
    """Start every process, wait for all (killing the rest when one fails), return their outputs."""
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for command, env in commands
    ]
    outputs = []
    try:
        for process in processes:
            output, _ = process.communicate(timeout=TIMEOUT_S)
            outputs.append(output)
            assert process.returncode == 0, f"worker failed:\n{output[-3000:]}"
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return outputs


def _front_end_model(keras, layers, *, classes: int = 2):
    inputs = keras.Input((CLIP_SAMPLES,), batch_size=None)
    features = layers.LogMelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=128, hop_length=64, n_mels=8)(inputs)
    pooled = keras.layers.GlobalAveragePooling1D()(features)
    model = keras.Model(inputs, keras.layers.Dense(classes)(pooled))
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def _multi_worker(task_index: int, paths: list[str], record: str):
    """One worker of the MultiWorkerMirroredStrategy run (TF_CONFIG names the cluster and this task)."""
    import keras
    import tensorflow as tf

    from audioflow import layers
    from audioflow.data import audio_dataset

    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    dataset = audio_dataset(
        paths,
        labels=[i % 2 for i in range(len(paths))],
        sample_rate=SAMPLE_RATE,
        duration=CLIP_SAMPLES / SAMPLE_RATE,
        batch_size=4,
        shuffle=True,
        seed=3,
        num_shards=strategy.num_replicas_in_sync,
        shard_index=task_index,
    )
    seen = []

    def remember(audio):  # file ids of a batch, kept in this worker's process
        seen.extend(int(i) for i in np.rint(audio.numpy()[:, 0] * 64) - 1)
        return audio

    dataset = dataset.map(
        lambda x, y: (tf.ensure_shape(tf.py_function(remember, [x], tf.float32), x.shape), y)
    )
    # A custom loop: Keras 3.15's fit() under this strategy fails before its first step (its symbolic
    # build reduces a (x, y) PerReplica batch, which the collective reduce does not take).
    with strategy.scope():
        model = _front_end_model(keras, layers)
        optimizer = keras.optimizers.SGD(0.01)
    loss_function = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction=None)

    @tf.function
    def train_step(x, y):
        def replica_step(x, y):
            with tf.GradientTape() as tape:
                loss = tf.nn.compute_average_loss(
                    loss_function(y, model(x, training=True)), global_batch_size=4
                )
            optimizer.apply_gradients(
                zip(tape.gradient(loss, model.trainable_variables), model.trainable_variables, strict=True)
            )
            return loss

        return strategy.reduce("SUM", strategy.run(replica_step, (x, y)), axis=None)

    losses = []
    for _ in range(EPOCHS):
        losses.append(
            float(np.mean([train_step(x, y) for x, y in strategy.experimental_distribute_dataset(dataset)]))
        )
    result = {"seen": seen, "replicas": strategy.num_replicas_in_sync, "loss": losses}
    Path(record).write_text(json.dumps(result))


@pytest.mark.backend_independent
def test_multi_worker_mirrored_training_reads_each_file_once_per_epoch(tmp_path):
    paths = _write_files(tmp_path)
    ports = _free_ports(2)
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    commands = []
    for index in range(2):
        tf_config = json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}})
        env = _environment(KERAS_BACKEND="tensorflow", TF_CONFIG=tf_config)
        arguments = [str(index), json.dumps(paths), str(tmp_path / f"worker{index}.json")]
        commands.append(([sys.executable, __file__, "multi_worker", *arguments], env))
    _run_all(commands)

    results = [json.loads((tmp_path / f"worker{index}.json").read_text()) for index in range(2)]
    assert [r["replicas"] for r in results] == [2, 2]
    assert all(np.isfinite(r["loss"]).all() and len(r["loss"]) == EPOCHS for r in results)
    seen = [r["seen"] for r in results]
    for ids in seen:  # each worker reads its own half of the (shuffled) files, each once per epoch
        assert len(set(ids)) == N_FILES // 2 and all(ids.count(i) == EPOCHS for i in ids)
    assert not set(seen[0]) & set(seen[1])
    assert sorted(set(seen[0]) | set(seen[1])) == list(range(N_FILES))


def _data_parallel(paths: list[str], record: str):
    """Two steps of keras.distribution.DataParallel on JAX over the two virtual CPU devices."""
    import jax
    import keras

    from audioflow import layers
    from audioflow.data import audio_dataset

    devices = keras.distribution.list_devices("cpu")
    distribution = keras.distribution.DataParallel(devices=devices)
    keras.distribution.set_distribution(distribution)
    dataset = audio_dataset(
        paths,
        labels=[i % 2 for i in range(len(paths))],
        sample_rate=SAMPLE_RATE,
        duration=CLIP_SAMPLES / SAMPLE_RATE,
        batch_size=4,
        seed=0,
    )
    model = _front_end_model(keras, layers)
    history = model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)
    filterbank = next(w for w in model.weights if "filterbank" in w.path)
    result = {
        "jax_devices": len(jax.devices()),
        "mesh_devices": int(np.prod(distribution.device_mesh.shape)),
        "weight_devices": len(filterbank.value.sharding.device_set),
        "batch_layout_devices": len(distribution.get_data_layout((4, CLIP_SAMPLES)).device_mesh.devices.flat),
        "loss": history.history["loss"],
    }
    Path(record).write_text(json.dumps(result))


@pytest.mark.backend_independent
def test_keras_distribution_data_parallel_on_jax_uses_two_devices(tmp_path):
    paths = _write_files(tmp_path)
    record = tmp_path / "data_parallel.json"
    env = _environment(KERAS_BACKEND="jax", XLA_FLAGS="--xla_force_host_platform_device_count=2")
    _run_all([([sys.executable, __file__, "data_parallel", json.dumps(paths), str(record)], env)])
    result = json.loads(record.read_text())
    assert result["jax_devices"] == result["mesh_devices"] == 2
    assert result["weight_devices"] == 2  # weights replicated on both devices
    assert result["batch_layout_devices"] == 2  # batches split over both
    assert len(result["loss"]) == 1 and np.isfinite(result["loss"]).all()


if __name__ == "__main__":  # a worker process started by the tests above
    role, arguments = sys.argv[1], sys.argv[2:]
    if role == "multi_worker":
        _multi_worker(int(arguments[0]), json.loads(arguments[1]), arguments[2])
    else:
        _data_parallel(json.loads(arguments[0]), arguments[1])
