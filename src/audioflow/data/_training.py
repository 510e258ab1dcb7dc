""":func:`training_inputs`: the recipe's training and validation data, in the loader of the backend.

The one place the classifier recipe (``audioflow train``) chooses its input pipeline: ``tf.data``
under TensorFlow, :func:`torch_loader` under PyTorch, :func:`grain_loader` under JAX, so that
only the TensorFlow backend needs TensorFlow. All three read the same files with the same
split, labels, crops and skipped-file report (they share :class:`AudioFileSource`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Literal

from audioflow._backend import configured_backend
from audioflow._validation import parameter_error

__all__ = ["training_inputs"]


def training_inputs(
    directory: str | os.PathLike,
    *,
    class_names: Sequence[str] | None = None,
    sample_rate: int = 16000,
    duration: float = 1.0,
    batch_size: int = 32,
    validation_split: float = 0.2,
    seed: int = 0,
    on_error: Literal["raise", "skip"] = "raise",
    cache: Literal["memory"] | None = "memory",
    backend: Literal["tensorflow", "jax", "torch"] | None = None,
):
    """``(train, validation)`` batches of a folder with one sub-folder per class, for ``model.fit``.

    The split is Keras' (the last ``validation_split`` of the list shuffled with ``seed``).
    Training clips are random crops (new ones every epoch, reshuffled every epoch); validation
    clips are the centre of each file, the same every epoch. Both are zero-padded to
    ``duration``, mono, at ``sample_rate``, with int labels.

    Args:
        directory: the data folder (one sub-folder of audio per class).
        class_names: the classes in label order (default: the sorted sub-folder names).
        sample_rate: Hz (default 16000).
        duration: seconds per clip (default 1.0).
        batch_size: clips per batch (default 32).
        validation_split: fraction in (0, 1) held out (default 0.2).
        seed: the split's, the shuffles' and the crops' seed (default 0).
        on_error: "raise" or "skip" (unreadable files reported, as the builders do).
        cache: "memory" (default: decoded clips kept after their first read) or None.
        backend: the Keras backend to feed (default: the configured one): "tensorflow" gives
            ``tf.data.Dataset`` s, "torch" :func:`audioflow.data.torch_loader` s, "jax"
            :func:`audioflow.data.grain_loader` s (no worker processes: the recipe's clips are
            short and cached).

    Returns:
        ``(train, validation)``; each has ``class_names``, ``file_paths`` and ``skipped``.

    Raises:
        ParameterError: invalid arguments; a split that leaves a subset empty; no readable file.
    """
    if backend is None:  # Keras' own answer once it is loaded (it may have been set in code)
        keras = sys.modules.get("keras")
        backend = keras.backend.backend() if keras is not None else configured_backend()
    if backend not in ("tensorflow", "jax", "torch"):
        raise parameter_error("backend", 'one of "tensorflow", "jax", "torch"', backend=backend)
    common = dict(
        class_names=class_names, sample_rate=sample_rate, duration=duration, pad="zeros", mono=True,
        seed=seed, validation_split=validation_split, on_error=on_error,
    )  # fmt: skip
    if backend == "tensorflow":
        from audioflow.data.builders import audio_dataset_from_directory

        tf_options = dict(common, batch_size=batch_size, shuffle=True, cache=cache)
        train = audio_dataset_from_directory(directory, crop="random", subset="training", **tf_options)
        validation = audio_dataset_from_directory(directory, crop="center", subset="validation", **tf_options)
        return train, validation
    from audioflow.data.source import AudioFileSource

    train_source = AudioFileSource.from_directory(
        directory, crop="random", subset="training", cache=cache, **common
    )
    val_source = AudioFileSource.from_directory(
        directory, crop="center", subset="validation", cache=cache, **common
    )
    if backend == "torch":
        from audioflow.data._torch_loader import torch_loader as make
    else:
        from audioflow.data._grain_loader import grain_loader as make
    return make(train_source, batch_size=batch_size, seed=seed), make(
        val_source, batch_size=batch_size, shuffle=False, seed=seed
    )
