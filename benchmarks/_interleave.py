"""Interleaved timing across backends: one resident worker process per Keras backend, driven in rounds.

The Keras backend is fixed per process, so each backend's contenders live in their own worker. The
driver starts every worker, waits until each has built and warmed up its contenders, then asks them
in turn for one timed round each, rotating the order, so that load on a shared machine falls on all
contenders alike. A worker answers one JSON line per request on stdout:

    READY {"rows": [{"name", "mode", "description", "first_call_ms", ...}], "unavailable": {...}}
    DONE  {"name": [wall_s, cpu_s], ...}        (after "ROUND <r>")
    ENV   {...}                                 (after "QUIT")
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time


def serve(contenders, environment, gap: float) -> None:
    """Worker side: ``contenders`` is a list of (row dict, callable running one timed unit)."""
    unavailable = {}
    ready = []
    for row, run in contenders:
        if run is None:
            unavailable[row["name"]] = row.get("error", "unavailable")
        else:
            ready.append((row, run))
    _send("READY", {"rows": [row for row, _ in ready], "unavailable": unavailable})
    for line in sys.stdin:
        command = line.split()
        if not command:
            continue
        if command[0] == "QUIT":
            break
        r = int(command[1])
        times = {}
        order = list(range(len(ready)))
        order = order[r % max(len(order), 1) :] + order[: r % max(len(order), 1)]
        for i in order:
            row, run = ready[i]
            time.sleep(gap)  # let the previous contender's spinning worker threads idle
            wall0, cpu0 = time.perf_counter(), time.process_time()
            run()
            times[row["name"]] = [time.perf_counter() - wall0, time.process_time() - cpu0]
        _send("DONE", times)
    _send("ENV", environment())


def _send(tag: str, payload) -> None:
    sys.stdout.write(f"{tag} {json.dumps(payload)}\n")
    sys.stdout.flush()


def _receive(process, tag: str):
    for line in process.stdout:
        if line.startswith(tag + " "):
            return json.loads(line[len(tag) + 1 :])
    process.wait()
    process.log.seek(0)
    raise RuntimeError(f"worker ended before {tag}: {process.log.read()[-3000:]}")


def drive(commands: dict[str, list[str]], repeats: int, env_overrides: dict[str, dict] | None = None):
    """Run the workers (one command per backend) for ``repeats`` interleaved rounds.

    Returns ``{backend: {"rows": [...with "wall"/"cpu" lists], "unavailable": ..., "environment": ...}}``.
    Workers are started one after another (their set-up is not timed) and then all stay resident.
    """
    workers, results = {}, {}
    for backend, command in commands.items():
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        env.update((env_overrides or {}).get(backend, {}))
        print(f"[bench] starting {backend} worker ...", file=sys.stderr, flush=True)
        log = tempfile.TemporaryFile(mode="w+")  # a file, not a pipe: a chatty worker must not block
        process = subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True
        )
        process.log = log
        try:
            ready = _receive(process, "READY")
        except RuntimeError as error:
            print(f"[bench] {backend} worker failed: {error}", file=sys.stderr)
            process.kill()
            continue
        for row in ready["rows"]:
            row.update(wall=[], cpu=[])
        workers[backend] = process
        results[backend] = dict(rows=ready["rows"], unavailable=ready["unavailable"])
    for r in range(repeats):
        names = list(workers)
        for backend in names[r % len(names) :] + names[: r % len(names)]:
            process = workers[backend]
            process.stdin.write(f"ROUND {r}\n")
            process.stdin.flush()
            times = _receive(process, "DONE")
            for row in results[backend]["rows"]:
                wall, cpu = times[row["name"]]
                row["wall"].append(wall)
                row["cpu"].append(cpu)
        print(f"[bench] round {r + 1}/{repeats} done", file=sys.stderr, flush=True)
    for backend, process in workers.items():
        process.stdin.write("QUIT\n")
        process.stdin.flush()
        results[backend]["environment"] = _receive(process, "ENV")
        process.wait(timeout=120)
    return results


def base_environment(backend: str) -> dict:
    """Versions, threads and devices of this process (call after the contenders are built)."""
    env = dict(python=platform.python_version(), nproc=os.cpu_count(), keras_backend=backend)
    try:
        env["load_average"] = [round(v, 2) for v in os.getloadavg()]
    except OSError:
        pass
    import keras
    import numpy as np

    env.update(keras=keras.__version__, numpy=np.__version__)
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        env.update(
            tensorflow=tf.__version__,
            tf_devices=[d.name for d in tf.config.list_physical_devices()],
            tf_intra_op_threads=tf.config.threading.get_intra_op_parallelism_threads()
            or "default (all cores)",
        )
    if "torch" in sys.modules:
        import torch

        env.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
        if torch.cuda.is_available():
            env.update(
                torch_device=torch.cuda.get_device_name(0),
                torch_peak_memory_mb=round(torch.cuda.max_memory_allocated() / 2**20, 1),
            )
    if "jax" in sys.modules:
        import jax

        device = jax.devices()[0]
        env.update(jax=jax.__version__, jax_device=str(device))
        stats = device.memory_stats() if hasattr(device, "memory_stats") else None
        if stats and "peak_bytes_in_use" in stats:
            env["jax_peak_memory_mb"] = round(stats["peak_bytes_in_use"] / 2**20, 1)
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        if tf.config.list_physical_devices("GPU"):
            info = tf.config.experimental.get_memory_info("GPU:0")
            env["tf_peak_memory_mb"] = round(info["peak"] / 2**20, 1)
    for name in ("librosa", "kapre", "torchaudio", "nnAudio"):
        module = sys.modules.get(name)
        if module is not None:
            env[name] = getattr(module, "__version__", "?")
    try:
        import audioflow

        env["audioflow"] = audioflow.__version__
    except Exception:  # noqa: BLE001 - reported as missing
        pass
    return env


def median_iqr_ms(values) -> tuple[float, float]:
    import numpy as np

    q1, median, q3 = np.percentile(np.asarray(values) * 1e3, [25, 50, 75])
    return float(median), float(q3 - q1)
