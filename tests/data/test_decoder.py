"""The decoder's chunks: handed to TensorFlow without a copy (64-byte aligned)."""

import numpy as np
import pytest

from audioflow.data._report import SkippedFiles
from audioflow.data.decoder import Decoder, aligned_empty
from audioflow.data.options import check_dataset_args
from tests.io.audio_files import write_audio

pytestmark = pytest.mark.backend_independent


def spec(**overrides):
    kwargs = dict(
        label_mode=None, batch_size=4, sample_rate=16000, duration=0.1, crop="start", pad="zeros",
        mono=True, shuffle=False, seed=0, validation_split=None, subset=None, on_error="skip",
        cache=None, num_parallel_calls=1, num_shards=None, shard_index=0,
    )  # fmt: skip
    kwargs.update(overrides)
    return check_dataset_args(**kwargs)


@pytest.mark.parametrize("shape", [(1,), (3, 5), (64, 16000), (7, 1601, 2)])
def test_aligned_empty(shape):
    array = aligned_empty(shape)
    assert array.shape == shape and array.dtype == np.float32 and array.ctypes.data % 64 == 0
    assert array.flags.c_contiguous


@pytest.mark.parametrize("duration, mono", [(0.1, True), (0.1, False), (None, True)])
def test_chunks_are_aligned_for_tensorflow(tmp_path, duration, mono):
    files = []
    for i, seconds in enumerate([0.05, 0.2, 0.12]):
        files.append(str(tmp_path / f"{i}.wav"))
        write_audio(files[-1], seconds=seconds, channels=1 if mono else 2, seed=i)
    (tmp_path / "bad.wav").write_bytes(b"bad")
    files.append(str(tmp_path / "bad.wav"))
    decoder = Decoder(spec(duration=duration, mono=mono), None if mono else 2, SkippedFiles(), files)
    audio, lengths, ok = decoder.decode_chunk(np.arange(4), np.zeros(4, np.int64))
    assert audio.ctypes.data % 64 == 0
    assert list(ok) == [True, True, True, False]
    assert audio.shape[0] == 4 and np.all(audio[3] == 0)
