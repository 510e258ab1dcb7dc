"""tf.data builders: shapes, labels, splits, crops, padding, bad files, cache, sharding."""

import csv
import warnings

import numpy as np
import pytest
import soundfile as sf
import soxr
import tensorflow as tf

import audioflow
from audioflow.data import (
    SkippedFileWarning,
    audio_dataset,
    audio_dataset_from_directory,
    resample,
    skipped_files,
)
from tests.io.audio_files import SHARED_AUDIO, make_corrupt_corpus, write_audio

pytestmark = pytest.mark.backend_independent

SR = 16000


def ramp_start(clip):
    """Sample index of the first sample of a crop of a ramp file (sample i holds i / 2**20)."""
    return int(round(float(clip[0]) * 2**20))


def collect(ds):
    """All elements of a (batched) dataset as numpy: list of (audio, label) or audio."""
    out = []
    for element in ds:
        out.append(tf.nest.map_structure(lambda t: t.numpy(), element))
    return out


@pytest.fixture
def class_dir(tmp_path):
    """dog: 3 files, cat: 2 files, bird: 4 files; lengths vary; a nested sub-folder."""
    root = tmp_path / "classes"
    sizes = {"dog": [0.3, 0.5, 0.7], "cat": [0.4, 0.6], "bird": [0.2, 0.25, 0.3, 0.35]}
    for name, seconds in sizes.items():
        for i, s in enumerate(seconds):
            sub = root / name / ("nested" if i == 0 else "")
            ext = ["wav", "flac", "ogg"][i % 3]
            fmt = {"wav": "WAV", "flac": "FLAC", "ogg": "OGG"}[ext]
            write_audio(sub / f"{name}{i}.{ext}", seconds=s, sample_rate=SR, format=fmt, seed=i)
    (root / "notes.txt").write_text("not audio, ignored")
    write_audio(root / "stray.wav", seconds=0.1)  # root-level file: ignored with inferred labels
    return root


def test_directory_shapes_labels_and_class_names(class_dir):
    ds = audio_dataset_from_directory(class_dir, batch_size=4, duration=0.25, shuffle=False)
    assert ds.class_names == ["bird", "cat", "dog"]
    assert isinstance(ds, tf.data.Dataset)
    assert ds.element_spec[0].shape.as_list() == [None, 4000]
    batches = collect(ds)
    assert [b[0].shape for b in batches] == [(4, 4000), (4, 4000), (1, 4000)]
    labels = np.concatenate([b[1] for b in batches])
    np.testing.assert_array_equal(labels, [0, 0, 0, 0, 1, 1, 2, 2, 2])
    assert labels.dtype == np.int32
    # Label i really is the i-th class folder.
    for path, label in zip(ds.file_paths, labels, strict=True):
        assert f"/{ds.class_names[label]}/" in path

    cat = audio_dataset_from_directory(
        class_dir, label_mode="categorical", class_names=["dog", "cat", "bird"], duration=0.1, shuffle=False
    )
    audio, onehot = next(iter(cat))
    assert onehot.dtype == tf.float32 and onehot.shape[1] == 3
    np.testing.assert_array_equal(onehot.numpy().argmax(1), [0, 0, 0, 1, 1, 2, 2, 2, 2])

    unlabeled = audio_dataset_from_directory(class_dir, labels=None, duration=0.1, batch_size=None)
    assert len(collect(unlabeled)) == 10  # the root-level file is included without labels
    assert unlabeled.element_spec.shape.as_list() == [1600]


def test_resampling_equals_soxr_and_whole_clips_come_with_lengths(tmp_path):
    paths = []
    for i, (seconds, rate) in enumerate([(0.3, 22050), (0.5, 44100), (0.2, 16000)]):
        paths.append(tmp_path / f"{i}.wav")
        write_audio(paths[-1], seconds=seconds, sample_rate=rate, channels=2, seed=i)
    ds = audio_dataset(paths, batch_size=3, sample_rate=SR, shuffle=False)
    x = next(iter(ds))
    assert set(x) == {"audio", "length"}
    audio, lengths = x["audio"].numpy(), x["length"].numpy()
    assert audio.shape == (3, lengths.max())
    for row, length, path in zip(audio, lengths, paths, strict=True):
        reference, rate = sf.read(path, dtype="float32")
        expected = soxr.resample(reference.mean(axis=1), rate, SR, quality="HQ")
        assert length == len(expected)
        np.testing.assert_allclose(row[:length], expected, rtol=0, atol=1e-7)
        assert np.all(row[length:] == 0)


def test_crop_modes_and_padding(tmp_path):
    long, short = tmp_path / "long.wav", tmp_path / "short.wav"
    write_audio(long, seconds=2.0, sample_rate=SR, subtype="FLOAT", signal="ramp")
    write_audio(short, seconds=0.1, sample_rate=SR, subtype="FLOAT", signal="ramp")

    def clips(**kwargs):
        ds = audio_dataset([long, short], duration=0.25, batch_size=None, shuffle=False, **kwargs)
        return [c for c in collect(ds)]

    start, short_clip = clips(crop="start")
    assert ramp_start(start) == 0
    np.testing.assert_array_equal(start, np.arange(4000) / 2**20)
    center = clips(crop="center")[0]
    assert ramp_start(center) == (32000 - 4000) // 2
    np.testing.assert_array_equal(np.diff(center * 2**20), 1)  # contiguous
    # Short clips: zeros appended, or the clip tiled.
    np.testing.assert_array_equal(short_clip[:1600], np.arange(1600) / 2**20)
    assert np.all(short_clip[1600:] == 0)
    repeated = clips(pad="repeat")[1]
    np.testing.assert_array_equal(repeated, np.tile(np.arange(1600), 3)[:4000] / 2**20)


@pytest.mark.parametrize("rate, fmt", [(22050, "WAV"), (44100, "FLAC"), (48000, "WAV")])
def test_resampled_crops_equal_cropping_the_fully_resampled_file(tmp_path, rate, fmt):
    path = tmp_path / f"long.{fmt.lower()}"
    write_audio(path, seconds=3.0, sample_rate=rate, format=fmt)
    reference, _ = sf.read(path, dtype="float32")
    full = soxr.resample(reference, rate, SR, quality="HQ")
    length = 8000
    for crop, first in [("center", (len(full) - length) // 2), ("start", 0)]:
        (clip,) = collect(audio_dataset([path], duration=0.5, crop=crop, batch_size=None))
        np.testing.assert_allclose(clip, full[first : first + length], rtol=0, atol=1e-4 * np.abs(full).max())


def test_random_crops_are_redrawn_each_epoch_and_reproducible(tmp_path):
    files = []
    for i in range(6):
        files.append(tmp_path / f"{i}.wav")
        write_audio(files[-1], seconds=3.0, sample_rate=SR, subtype="FLOAT", signal="ramp")

    def epochs(seed, n=3):
        ds = audio_dataset(files, labels=list(range(6)), duration=0.5, batch_size=None, seed=seed)
        return [[(int(label), ramp_start(clip)) for clip, label in collect(ds)] for _ in range(n)]

    first = epochs(seed=7)
    assert epochs(seed=7) == first  # same seed, same shuffles and crops, epoch by epoch
    assert first[0] != first[1] != first[2]  # order and crops re-drawn every epoch
    starts = [start for epoch in first for _, start in epoch]
    assert len(set(starts)) > 12 and 0 <= min(starts) and max(starts) <= 48000 - 8000
    assert all(sorted(label for label, _ in epoch) == list(range(6)) for epoch in first)
    assert epochs(seed=8) != first


def test_split_sizes_are_disjoint_and_deterministic(class_dir):
    train, val = audio_dataset_from_directory(
        class_dir, validation_split=0.34, subset="both", seed=3, duration=0.1
    )
    assert (len(train.file_paths), len(val.file_paths)) == (6, 3)  # int(0.34 * 9) = 3, as Keras
    assert not set(train.file_paths) & set(val.file_paths)
    assert len(set(train.file_paths) | set(val.file_paths)) == 9
    again = audio_dataset_from_directory(
        class_dir, validation_split=0.34, subset="validation", seed=3, duration=0.1
    )
    assert again.file_paths == val.file_paths
    for ds in (train, val):
        for x, _y in ds:
            assert x.shape[1] == 1600
    other = audio_dataset_from_directory(
        class_dir, validation_split=0.34, subset="validation", seed=4, duration=0.1
    )
    assert other.file_paths != val.file_paths


def test_csv_manifest_and_label_mapping(tmp_path):
    for i in range(4):
        write_audio(tmp_path / "audio" / f"{i}.wav", seconds=0.2, seed=i)
    manifest = tmp_path / "train.csv"
    with open(manifest, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["path", "label"])
        for i, label in enumerate(["yes", "no", "yes", "maybe"]):
            writer.writerow([f"audio/{i}.wav", label])
    ds = audio_dataset(manifest, duration=0.1, shuffle=False, batch_size=None)
    assert ds.class_names == ["maybe", "no", "yes"]
    assert [int(y) for _, y in ds] == [2, 1, 2, 0]
    ds = audio_dataset(
        manifest, class_names=["yes", "no", "maybe"], duration=0.1, shuffle=False, batch_size=None
    )
    assert [int(y) for _, y in ds] == [0, 1, 0, 2]
    with pytest.raises(audioflow.ParameterError, match="Unknown label\\(s\\): 'maybe'"):
        audio_dataset(manifest, class_names=["yes", "no"], duration=0.1)
    with pytest.raises(audioflow.ParameterError, match='"binary" only with exactly 2 classes'):
        audio_dataset(manifest, label_mode="binary", duration=0.1)

    with open(manifest, "a", newline="") as handle:
        csv.writer(handle).writerow(["audio/gone.wav", "no"])
    with pytest.raises(audioflow.ParameterError, match="row 6: '.*gone.wav'"):
        audio_dataset(manifest, duration=0.1)
    (tmp_path / "bad.csv").write_text("file,label\na.wav,x\n")
    with pytest.raises(audioflow.ParameterError, match="`path` column"):
        audio_dataset(tmp_path / "bad.csv")


def test_clear_errors_for_bad_directories_and_labels(class_dir, tmp_path):
    (tmp_path / "empty" / "a").mkdir(parents=True)
    (tmp_path / "empty" / "a" / "readme.txt").write_text("no audio here")
    with pytest.raises(audioflow.ParameterError, match="`directory` must be a folder holding audio files"):
        audio_dataset_from_directory(tmp_path / "empty")
    with pytest.raises(audioflow.ParameterError, match="`directory` must be an existing directory"):
        audio_dataset_from_directory(tmp_path / "nowhere")
    with pytest.raises(audioflow.ParameterError, match="`class_names` must be the names of the sub-folders"):
        audio_dataset_from_directory(class_dir, class_names=["dog", "cat"])
    with pytest.raises(audioflow.ParameterError, match="one label per audio file"):
        audio_dataset_from_directory(class_dir, labels=[0, 1])
    with pytest.raises(audioflow.ParameterError, match="integers in range\\(0, 2\\)"):
        audio_dataset([class_dir / "cat" / "cat1.flac"], labels=[5], class_names=["a", "b"])
    with pytest.raises(audioflow.ParameterError, match="index 1: '.*missing.wav'"):
        audio_dataset([class_dir / "cat" / "cat1.flac", tmp_path / "missing.wav"])


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"batch_size": 0}, "`batch_size` must be a positive integer. Received: batch_size=0."),
        ({"sample_rate": None, "duration": 1.0}, "`sample_rate` must be set when `duration` is set"),
        ({"duration": -1.0}, "`duration` must be > 0.0"),
        ({"crop": "middle"}, "`crop` must be one of 'random', 'center', 'start'"),
        ({"pad": "edge"}, "`pad` must be one of 'zeros', 'repeat'"),
        ({"on_error": "ignore"}, "`on_error` must be one of 'raise', 'skip'"),
        ({"label_mode": "onehot"}, "`label_mode` must be one of"),
        ({"validation_split": 0.2}, "`subset` must be set together with `validation_split`"),
        ({"validation_split": 1.5, "subset": "both"}, "`validation_split` must be < 1"),
        ({"validation_split": 0.2, "subset": "training"}, "`seed` must be an integer when"),
        ({"subset": "test", "validation_split": 0.1}, "`subset` must be one of"),
        ({"cache": 3}, '`cache` must be None, "memory" or a directory path'),
        ({"num_parallel_calls": 0}, "`num_parallel_calls` must be a positive integer"),
        ({"num_shards": 2, "shard_index": 2}, "`shard_index` must be < `num_shards`"),
        ({"mono": 1}, "`mono` must be True or False"),
        ({"labels": "folders"}, '`labels` must be "inferred", None, or a list'),
        ({"class_names": ["a", "a"]}, "`class_names` must be unique"),
    ],
)
def test_arguments_are_validated_before_any_io(kwargs, match):
    # The directory does not exist: the argument error must come first.
    with pytest.raises(audioflow.ParameterError, match=match.replace("(", r"\(").replace(")", r"\)")):
        audio_dataset_from_directory("/nonexistent/dir", **kwargs)


def _corrupt_dir(tmp_path):
    root = tmp_path / "mixed"
    expected = make_corrupt_corpus(root / "bad")
    good = []
    for i, (ext, fmt) in enumerate([("wav", "WAV"), ("flac", "FLAC"), ("ogg", "OGG"), ("mp3", "MP3")]):
        for j in range(2):
            good.append(root / "good" / f"{i}{j}.{ext}")
            write_audio(good[-1], seconds=0.3, sample_rate=22050, format=fmt, seed=j)
    return root, expected, good


def test_skip_mode_reports_every_bad_file_and_keeps_every_good_one(tmp_path):
    root, expected, good = _corrupt_dir(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Files whose header cannot be read are reported when the dataset is built.
        ds = audio_dataset_from_directory(root, duration=0.2, batch_size=3, on_error="skip", seed=0)
        labels = np.concatenate([y for _, y in collect(ds)])
        labels_again = np.concatenate([y for _, y in collect(ds)])  # second epoch: no new warnings
    assert sorted(labels) == sorted(labels_again) == [1] * len(good)  # every good file, class "good"
    skipped = {str(path).rsplit("/", 1)[1]: reason for path, reason in ds.skipped}
    assert set(skipped) == set(expected)
    for name, fragment in expected.items():
        assert fragment in skipped[name]
    ours = [w for w in caught if issubclass(w.category, SkippedFileWarning)]
    assert len(ours) == len(expected)
    assert all("Skipping '" in str(w.message) and "/bad/" in str(w.message) for w in ours)
    # The report also follows derived datasets; it is the same object.
    assert skipped_files(ds.unbatch().map(lambda x, y: x).take(2)) is ds.skipped
    assert "7 file(s) skipped" in ds.skipped.summary()
    with pytest.raises(audioflow.ParameterError, match="built by audioflow.data"):
        skipped_files(tf.data.Dataset.range(3))


def decode_error_of(ds):
    """The AudioDecodeError that stops iterating ``ds`` (through decode_error_from)."""
    with pytest.raises(tf.errors.OpError) as caught:  # a plain tf.data dataset: TensorFlow's error
        collect(ds)
    error = audioflow.data.decode_error_from(caught.value)
    assert isinstance(error, audioflow.AudioDecodeError), caught.value
    assert str(error) in str(caught.value)  # the text names the file and the reason already
    return error


def test_raise_mode_stops_with_audio_decode_error(tmp_path):
    root, expected, _ = _corrupt_dir(tmp_path)
    for name, fragment in expected.items():
        ds = audio_dataset([root / "bad" / name], duration=0.2, batch_size=None)
        error = decode_error_of(ds)
        assert fragment in error.reason and error.path.endswith(name)
    ds = audio_dataset_from_directory(root, duration=0.2, seed=1)
    assert "/bad/" in decode_error_of(ds).path
    assert len(ds.skipped) == 0


def test_decode_error_from_follows_chains_and_ignores_other_errors():
    error = audioflow.AudioDecodeError("a.wav", "broken")
    assert audioflow.data.decode_error_from(error) is error
    try:
        try:
            raise error
        except OSError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert audioflow.data.decode_error_from(outer) is error
    assert audioflow.data.decode_error_from(ValueError("unrelated")) is None
    assert audioflow.data.decode_error_from(tf.errors.UnknownError(None, None, "no file here")) is None


def test_stereo_and_channel_mismatch(tmp_path):
    write_audio(tmp_path / "a.wav", seconds=0.3, channels=2)
    write_audio(tmp_path / "b.wav", seconds=0.3, channels=2, seed=1)
    write_audio(tmp_path / "c.wav", seconds=0.3, channels=1)
    ds = audio_dataset(
        [tmp_path / "a.wav", tmp_path / "b.wav"], mono=False, duration=0.2, shuffle=False, crop="start"
    )
    audio = next(iter(ds))
    assert audio.shape == (2, 3200, 2)
    reference, _ = sf.read(tmp_path / "a.wav", dtype="float32")
    np.testing.assert_array_equal(audio[0].numpy(), reference[:3200])
    with pytest.warns(SkippedFileWarning, match="has 1 channel\\(s\\) but the dataset has 2"):
        mixed = audio_dataset(
            sorted(tmp_path.glob("*.wav")), mono=False, duration=0.2, on_error="skip", shuffle=False
        )
    assert next(iter(mixed)).shape == (2, 3200, 2)
    assert mixed.skipped.paths == [str(tmp_path / "c.wav")]


@pytest.mark.parametrize("cache", ["memory", "disk"])
def test_cache_gives_the_same_clips(tmp_path, cache):
    files = []
    for i in range(4):
        files.append(tmp_path / f"{i}.flac")
        write_audio(files[-1], seconds=1.0, sample_rate=22050, format="FLAC", seed=i)
    cache_arg = str(tmp_path / "cache") if cache == "disk" else "memory"
    kwargs = dict(duration=0.5, crop="center", batch_size=None, shuffle=False, sample_rate=SR)
    plain = collect(audio_dataset(files, **kwargs))
    cached = audio_dataset(files, cache=cache_arg, **kwargs)
    for _ in range(2):  # first pass fills the cache, second reads it
        for a, b in zip(plain, collect(cached), strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-4 * np.abs(a).max())
    whole = audio_dataset(files, cache=cache_arg, batch_size=None, shuffle=False, sample_rate=SR)
    for path, x in zip(files, collect(whole), strict=True):
        reference, rate = sf.read(path, dtype="float32")
        np.testing.assert_array_equal(x["audio"], soxr.resample(reference, rate, SR))
    if cache == "disk":
        assert len(list((tmp_path / "cache").glob("*.npy"))) == 4


def test_shards_partition_the_files(class_dir):
    shards = [
        audio_dataset_from_directory(class_dir, num_shards=3, shard_index=i, seed=5, duration=0.1)
        for i in range(3)
    ]
    paths = [set(s.file_paths) for s in shards]
    assert [len(p) for p in paths] == [3, 3, 3]
    assert len(set.union(*paths)) == 9
    assert sum(int(tf.shape(x)[0]) for s in shards for x, _ in s) == 9


def test_works_with_a_distribution_strategy(class_dir):
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    ds = audio_dataset_from_directory(class_dir, duration=0.1, batch_size=4, seed=0)
    distributed = strategy.experimental_distribute_dataset(ds)
    total = 0
    for _x, y in distributed:
        total += int(strategy.experimental_local_results(y)[0].shape[0])
    assert total == 9

    @tf.function
    def step(x, y):
        return tf.reduce_sum(x, axis=1) * tf.cast(y, tf.float32)

    results = [strategy.run(step, args=batch) for batch in distributed]
    assert sum(int(strategy.experimental_local_results(r)[0].shape[0]) for r in results) == 9


def test_report_fills_during_iteration(tmp_path):
    make_corrupt_corpus(tmp_path / "bad")
    good = [tmp_path / f"{i}.wav" for i in range(40)]
    for path in good:
        write_audio(path, seconds=0.1)
    files = [tmp_path / "bad" / "text.wav"] + good + [tmp_path / "bad" / "empty.wav"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = audio_dataset(files, duration=0.1, batch_size=4, shuffle=False, on_error="skip")
        iterator = iter(ds)
        first = next(iterator)
        assert first.shape == (4, 1600)
        assert str(files[0]) in ds.skipped  # known before the pass ends
        rest = sum(int(x.shape[0]) for x in iterator)
    assert 4 + rest == 40
    assert ds.skipped.paths == [str(files[0]), str(files[-1])]
    messages = [str(w.message) for w in caught if issubclass(w.category, SkippedFileWarning)]
    assert len(messages) == 2 and "text.wav" in messages[0] and "empty.wav" in messages[1]


def test_a_crop_reads_only_its_part_of_a_long_file(tmp_path, monkeypatch):
    path = tmp_path / "hour.flac"
    write_audio(path, seconds=60.0, sample_rate=22050, format="FLAC")
    requested = []
    original = sf.SoundFile.read

    def spy(self, frames=-1, *args, **kwargs):
        requested.append(frames)
        return original(self, frames, *args, **kwargs)

    monkeypatch.setattr(sf.SoundFile, "read", spy)
    ds = audio_dataset([path] * 4, duration=1.0, batch_size=None, seed=0)
    clips = collect(ds)
    assert [c.shape for c in clips] == [(16000,)] * 4
    # 1 s at 22.05 kHz plus the resampler's context (128 output samples, grid alignment).
    assert len(requested) == 4 and all(0 < n < 22050 + 1000 for n in requested)


def test_tf_compat_iterator_is_a_tf_data_iterator(tmp_path):
    """_tf_compat subclasses TensorFlow internals: pin down what Keras relies on."""
    write_audio(tmp_path / "a.wav", seconds=0.2)
    ds = audio_dataset([tmp_path / "a.wav"], duration=0.1)
    iterator = iter(ds)
    assert isinstance(iterator, tf.data.Iterator)  # Keras' TF trainer checks this type
    assert iterator.element_spec == ds.element_spec
    assert next(iterator).shape == (1, 1600)
    assert isinstance(ds.map(lambda x: x), tf.data.Dataset)
    assert int(ds.cardinality()) == 1


@pytest.mark.skipif(not SHARED_AUDIO.is_dir(), reason="../shared/data/real-audio not present")
def test_real_recordings_through_the_pipeline():
    files = sorted(SHARED_AUDIO.glob("*.ogg"))[:4]
    ds = audio_dataset(files, duration=2.0, crop="center", batch_size=None, shuffle=False)
    for path, clip in zip(files, collect(ds), strict=True):
        reference, rate = sf.read(path, dtype="float32", always_2d=True)
        full = resample(reference.mean(axis=1), rate, SR)  # librosa's length (tested in tests/io)
        first = max(0, (len(full) - 32000) // 2)
        expected = np.pad(full[first : first + 32000], (0, max(0, 32000 - len(full))))
        np.testing.assert_allclose(clip, expected, rtol=0, atol=1e-4 * np.abs(full).max())
