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

from audioflow._validation import parameter_error
from audioflow.data._headers import cpu_count
from audioflow.data._report import SkippedFiles
from audioflow.data.decoder import Decoder
from audioflow.errors import MissingDependencyError

__all__ = ["build", "skipped_files"]

# Files decoded per Python call: amortises the fixed cost of one tf.numpy_function call (the
# chunk sizes measured: BENCHMARKS.md, "Measurements behind code choices").
_CHUNK = 64
# Batches prepared ahead of the consumer.
_PREFETCH = 2


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


def build(sources, spec):
    """The dataset(s) of ``sources`` (one :class:`AudioFileSource` per subset, already split,
    sharded and, in skip mode, header-checked)."""
    sources = sources if isinstance(sources, tuple) else (sources,)
    built = []
    for offset, source in enumerate(sources):
        report = source.skipped
        ds = _make_dataset(
            source.paths, source.labels, source.num_classes, source.channels, spec, offset, report
        )
        ds.class_names = None if source.class_names is None else list(source.class_names)
        ds.file_paths = list(source.file_paths)
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
