"""The ``tf.data`` graph of the dataset builders: file indices -> decoded chunks -> batches.

Per epoch::

    file indices (split, sharded) -> shuffle (seeded, re-drawn each epoch)
      -> decode + resample + crop/pad, 64 files per Python call (tf.numpy_function in a
         parallel map; soundfile and soxr release the GIL; only the crop is read)
      -> drop bad files (on_error="skip") -> batch -> prefetch

The result is a plain ``tf.data.Dataset`` (Keras iterates it natively on every backend) with
a known cardinality: with ``on_error="skip"`` the files' headers are read when the dataset is
built, unreadable ones are reported then, and a file that fails later, while decoding, is
replaced by one drawn from a further pass, so that every epoch has the announced length.
"""

from __future__ import annotations

import concurrent.futures
import os

from audioflow._validation import parameter_error
from audioflow.data._report import SkippedFiles
from audioflow.data.decoder import Decoder, channel_mismatch
from audioflow.data.sources import split
from audioflow.errors import AudioDecodeError, MissingDependencyError
from audioflow.io.reader import info

__all__ = ["build", "skipped_files"]

# Files decoded per Python call: amortises the fixed cost of one tf.numpy_function call (the
# chunk sizes measured: BENCHMARKS.md, "Measurements behind code choices").
_CHUNK = 64
# Batches prepared ahead of the consumer.
_PREFETCH = 2
# Files per thread task when on_error="skip" reads the headers at build time.
_PRESCAN_CHUNK = 256


def _tf():
    try:
        import tensorflow as tf
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise MissingDependencyError(
            "audioflow.data datasets are built with tf.data and need TensorFlow. "
            "Install it with `pip install audioflow[tensorflow]` (the datasets then feed "
            "Keras on any backend)."
        ) from error
    return tf


def cpu_count() -> int:
    """The number of CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _first_channel_count(paths):
    for path in paths[:100]:
        try:
            return info(path).channels
        except AudioDecodeError:
            continue
    return None  # decided by the first file decoded


def _prescan(paths, label_ids, channels, report, source):
    """Skip mode: read every header now (threads), report the unreadable files, keep the rest."""

    def check(part):
        return [_header_error(path, channels) for path in part]

    # A few hundred files per task: one task per file cost more than reading a WAV header.
    parts = [paths[i : i + _PRESCAN_CHUNK] for i in range(0, len(paths), _PRESCAN_CHUNK)]
    with concurrent.futures.ThreadPoolExecutor(cpu_count()) as pool:
        results = [error for part in pool.map(check, parts) for error in part]
    for error in results:
        if error is not None:
            report._add(error)
    keep = [i for i, error in enumerate(results) if error is None]
    if not keep:
        raise parameter_error(
            source,
            "holding at least one readable audio file",
            hint=f"All {len(paths)} file(s) were skipped:\n{report.summary()}",
            num_files=len(paths),
        )
    return [paths[i] for i in keep], None if label_ids is None else [label_ids[i] for i in keep]


def _header_error(path, channels):
    try:
        meta = info(path)
    except AudioDecodeError as error:
        return error
    if channels is not None and meta.channels != channels:
        return channel_mismatch(path, meta.channels, channels)
    return None


def build(paths, label_ids, num_classes, class_names, spec, source):
    """Split, shard and build the dataset(s); ``source`` names the argument the files came from."""
    if spec.label_mode == "binary" and label_ids is not None and num_classes != 2:
        raise parameter_error(
            "label_mode",
            '"binary" only with exactly 2 classes',
            label_mode="binary",
            num_classes=num_classes,
        )
    channels = None if spec.mono else _first_channel_count(paths)
    subsets = split(paths, label_ids, spec)
    built = []
    for offset, (name, (sub_paths, sub_labels)) in enumerate(subsets.items()):
        sub_paths = sub_paths[spec.shard_index :: spec.num_shards]
        sub_labels = None if sub_labels is None else sub_labels[spec.shard_index :: spec.num_shards]
        if not sub_paths:
            raise parameter_error(
                "num_shards",
                "at most the number of files",
                num_shards=spec.num_shards,
                num_files=len(subsets[name][0]),
            )
        report = SkippedFiles()
        all_paths = sub_paths
        if spec.on_error == "skip":
            sub_paths, sub_labels = _prescan(sub_paths, sub_labels, channels, report, source)
        ds = _make_dataset(sub_paths, sub_labels, num_classes, channels, spec, offset, report)
        ds.class_names = None if class_names is None else list(class_names)
        ds.file_paths = list(all_paths)
        ds.skipped = report
        built.append(ds)
    return tuple(built) if spec.subset == "both" else built[0]


def _make_dataset(paths, label_ids, num_classes, channels, spec, offset, report):
    tf = _tf()
    decoder = Decoder(spec, channels, report, paths)
    n = len(paths)
    parallel = cpu_count() if spec.num_parallel_calls == "auto" else spec.num_parallel_calls
    label_table = tf.constant(label_ids if label_ids is not None else [0] * n, dtype=tf.int32)
    audio_shape = [None, spec.length] if spec.mono else [None, spec.length, channels]
    has_labels = label_ids is not None

    def encode_label(label):
        if spec.label_mode == "categorical":
            return tf.one_hot(label, num_classes, dtype=tf.float32)
        if spec.label_mode == "binary":
            return tf.cast(label, tf.float32)
        return label

    def decode(index, draw):
        audio, length, ok = tf.numpy_function(
            decoder.decode_chunk, [index, draw], [tf.float32, tf.int32, tf.bool], stateful=False
        )
        audio.set_shape(audio_shape)
        length.set_shape([None])
        ok.set_shape([None])
        # Ops only where needed: every iterator (each epoch) instantiates and optimises this
        # function again, and an unused label gather costs time on every pass.
        outputs = [audio, length] + ([tf.gather(label_table, index)] if has_labels else [])
        if spec.on_error == "skip":  # drop the bad files; a gather copies, so only if there are any
            outputs = tf.cond(
                tf.reduce_all(ok), lambda: list(outputs), lambda: [tf.boolean_mask(t, ok) for t in outputs]
            )
        audio, length = outputs[:2]
        x = audio if spec.length is not None else {"audio": audio, "length": length}
        return (x, encode_label(outputs[2])) if has_labels else x

    def chunks(seed_offset, repeat):
        """Decoded chunks of one pass (or of endless passes) over the files, in shuffled order."""
        # The same `seed` gives the same shuffles and crops; training and validation differ.
        base = spec.seed * 4 + 2 * offset + 2**32 * seed_offset
        shuffle_seed, crop_seed = base % (2**63), (base + 1) % (2**63)
        indices = tf.data.Dataset.range(n)
        if spec.shuffle:
            indices = indices.shuffle(n, seed=shuffle_seed, reshuffle_each_iteration=True)
        if repeat:
            indices = indices.repeat()
        draws = tf.data.Dataset.random(seed=crop_seed, rerandomize_each_iteration=True)
        ds = tf.data.Dataset.zip((indices, draws)).batch(_CHUNK)
        return ds.map(decode, num_parallel_calls=parallel, deterministic=True)

    ds = chunks(0, repeat=False)
    if spec.on_error == "skip":
        # Files that fail while decoding leave a gap: fill it from further passes (read only
        # when a gap exists), so the epoch keeps the length announced to Keras.
        ds = ds.concatenate(chunks(1, repeat=True))
    num_batches = n if spec.batch_size is None else -(-n // spec.batch_size)
    if spec.length is not None and spec.batch_size is not None:
        # Fixed-length clips: rebatch() moves slices of whole chunks; unbatch().batch() went
        # through tf.data once per example (slower per clip: BENCHMARKS.md).
        # The sizes [b, ..., b, n % b] cut the stream into exactly one epoch.
        sizes = [spec.batch_size] * (n // spec.batch_size) + (
            [n % spec.batch_size] if n % spec.batch_size else []
        )
        ds = ds.rebatch(sizes if spec.on_error == "skip" else spec.batch_size)
        if spec.on_error == "skip":
            ds = ds.take(num_batches)
    else:
        ds = ds.unbatch()
        if spec.on_error == "skip":
            ds = ds.take(n)
    if spec.length is None:

        def trim(x, *label):  # drop the chunk's padding; padded_batch re-pads to the batch
            x = {"audio": x["audio"][: x["length"]], "length": x["length"]}
            return (x, *label) if label else x

        ds = ds.map(trim)
        if spec.batch_size is not None:
            ds = ds.padded_batch(spec.batch_size)
    # Every file gives one example (or stops iteration), so the size is known even though
    # chunking and unbatch() hide it from tf.data; Keras uses it for steps and progress bars.
    ds = ds.apply(tf.data.experimental.assert_cardinality(num_batches))
    ds = ds.prefetch(_PREFETCH)
    options = tf.data.Options()
    # tf.data's autotuner costs a CPU thread's worth of modelling, which slows decoding on a
    # 2-core machine (BENCHMARKS.md), so parallelism is set explicitly.
    options.autotune.enabled = False
    options.experimental_distribute.auto_shard_policy = (
        tf.data.experimental.AutoShardPolicy.OFF
        if spec.num_shards > 1
        else tf.data.experimental.AutoShardPolicy.DATA
    )
    ds = ds.with_options(options)
    ds._audioflow_report = report  # found by skipped_files() from derived datasets
    return ds


def skipped_files(dataset) -> SkippedFiles:
    """The :class:`SkippedFiles` report of a dataset built by audioflow, or of one derived from it.

    ``dataset.skipped`` is the same object for a dataset returned by a builder; this function
    also follows transformations (``ds.map(...).unbatch()...``) back to the builder's dataset.

    Raises:
        ParameterError: ``dataset`` does not come from an audioflow builder.
    """
    from audioflow.data import _tf_compat

    seen, stack = set(), [dataset]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        report = getattr(current, "_audioflow_report", None)
        if isinstance(report, SkippedFiles):
            return report
        stack += _tf_compat.input_datasets(current)
    raise parameter_error(
        "dataset",
        "a dataset built by audioflow.data (or derived from one)",
        dataset=type(dataset).__name__,
    )
