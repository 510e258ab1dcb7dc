"""Dataset-level hardening: identical data whatever the cache, non-regular files, streamed WAV."""

import os
import threading
import warnings

import numpy as np
import pytest
import soundfile as sf
import tensorflow as tf

import audioflow
from audioflow.data import SkippedFileWarning, audio_dataset, decode_error_from
from tests.io.audio_files import write_audio

pytestmark = pytest.mark.backend_independent


def clips(ds):
    return [x.numpy() for x in ds]


@pytest.mark.parametrize("sample_rate", [None, 16000])
def test_cache_none_and_memory_give_the_same_training_data(tmp_path, sample_rate):
    """MP3 (inexact seeks) among others: the crops do not depend on the cache setting."""
    files = []
    for i, (fmt, extra) in enumerate(
        [("MP3", {"bitrate_mode": "VARIABLE"}), ("MP3", {}), ("FLAC", {}), ("OGG", {}), ("WAV", {})] * 2
    ):
        path = tmp_path / f"{i}.{fmt.lower()}"
        rng = np.random.default_rng(i)
        sf.write(path, (0.3 * rng.standard_normal(3 * 22050)).astype(np.float32), 22050, format=fmt, **extra)
        files.append(path)
    kwargs = dict(duration=0.5, batch_size=None, shuffle=False, seed=7, sample_rate=sample_rate or 22050)
    if sample_rate is None:
        kwargs["sample_rate"] = 22050  # native: no resampling, so bit for bit
    plain = audio_dataset(files, **kwargs)
    cached = audio_dataset(files, cache="memory", **kwargs)
    for _ in range(2):  # the first pass fills the cache, the second reads it (new random crops)
        for a, b in zip(clips(plain), clips(cached), strict=True):
            if sample_rate is None:
                np.testing.assert_array_equal(a, b)
            else:  # soxr over an excerpt vs the whole file: the same to float rounding
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def run_guarded(fifo, function):
    """Run ``function``; if it blocks on the FIFO, unblock it (a writer opens) and fail."""
    outcome = {}

    def target():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - handed to the test
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(30)
    if thread.is_alive():
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))  # the reader sees end of file
        thread.join(30)
        pytest.fail("reading a FIFO blocked")
    return outcome


def test_a_fifo_is_a_decode_error_not_a_hang(tmp_path):
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    good = tmp_path / "good.wav"
    write_audio(good, seconds=0.3)
    outcome = run_guarded(fifo, lambda: clips(audio_dataset([fifo, good], duration=0.2, shuffle=False)))
    error = decode_error_from(outcome["error"])
    assert error is not None and error.path == str(fifo) and "FIFO" in error.reason

    def skipping():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ds = audio_dataset([fifo, good], duration=0.2, on_error="skip", batch_size=None)
            return ds, clips(ds), caught

    ds, got, caught = run_guarded(fifo, skipping)["value"]
    assert len(got) == 1 and ds.skipped.paths == [str(fifo)]
    assert any("FIFO" in str(w.message) for w in caught if issubclass(w.category, SkippedFileWarning))


def test_a_folder_in_a_file_list_is_a_decode_error(tmp_path):
    (tmp_path / "folder.wav").mkdir()
    with pytest.raises(tf.errors.OpError) as caught:
        clips(audio_dataset([tmp_path / "folder.wav"], duration=0.2))
    error = decode_error_from(caught.value)
    assert isinstance(error, audioflow.AudioDecodeError) and "directory" in error.reason
