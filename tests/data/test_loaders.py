"""AudioFileSource, torch_loader and grain_loader: no TensorFlow anywhere (run in `make test-notf`).

File ``i`` of a folder holds the constant ``(i + 1) / 64`` (negated in class "b"), so every batch
says which files it read: exactly-once epochs, orders, shards and resumption are asserted on ids.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import soundfile as sf

from audioflow.data import AudioFileSource, grain_loader, torch_loader
from audioflow.errors import AudioDecodeError, ParameterError
from tests.io.audio_files import make_corrupt_corpus

pytestmark = [pytest.mark.backend_independent, pytest.mark.notf]

SR = 8000
PER_CLASS = 7


def write_clip(path, value, samples, channels=1):
    path.parent.mkdir(parents=True, exist_ok=True)
    data = np.full((samples, channels), value, np.float32)
    sf.write(path, data, SR, subtype="FLOAT")


@pytest.fixture
def folder(tmp_path):
    """Two classes of 7 clips of different lengths, with the corrupt corpus inside class "a"."""
    root = tmp_path / "clips"
    for sign, name in ((1, "a"), (-1, "b")):
        for i in range(PER_CLASS):
            write_clip(root / name / f"{name}{i}.wav", sign * (i + 1) / 64, 800 + 160 * i)
    make_corrupt_corpus(root / "a" / "broken")
    return root


def ids(audio) -> list[int]:
    """The file ids a batch holds (first sample of each clip, times 64)."""
    audio = np.asarray(audio["audio"] if isinstance(audio, dict) else audio)
    return [int(round(v)) for v in audio[:, 0] * 64]


def epoch_ids(loader) -> list[int]:
    return [i for audio, _ in loader for i in ids(audio)]


ALL = sorted([i + 1 for i in range(PER_CLASS)] + [-(i + 1) for i in range(PER_CLASS)])


def source(folder, **kwargs):
    options = dict(sample_rate=SR, duration=0.1, seed=0, on_error="skip")
    options.update(kwargs)
    with pytest.warns(UserWarning, match="Skipping"):
        return AudioFileSource.from_directory(folder, **options)


def test_source_items_labels_and_report(folder):
    src = source(folder)
    assert len(src) == 2 * PER_CLASS and src.class_names == ["a", "b"]
    assert len(src.skipped) == 7 and all("/broken/" in p for p in src.skipped.paths)
    audio, label = src[0]
    assert audio.shape == (800,) and audio.dtype == np.float32 and label.dtype == np.int32
    assert [int(src[i][1]) for i in range(len(src))] == [0] * PER_CLASS + [1] * PER_CLASS
    onehot = AudioFileSource.from_paths(src.paths[:2], ["x", "y"], label_mode="categorical", sample_rate=SR)
    np.testing.assert_array_equal(onehot[1][1], [0.0, 1.0])
    whole = AudioFileSource.from_paths(src.paths[:1], sample_rate=SR)
    assert whole[0].shape == (800,)  # no labels: the audio alone, whole clip


def test_csv_manifest_and_split(folder, tmp_path):
    manifest = tmp_path / "list.csv"
    rows = [f"{folder}/b/b{i}.wav,{'odd' if i % 2 else 'even'}" for i in range(PER_CLASS)]
    manifest.write_text("path,label\n" + "\n".join(rows) + "\n")
    train, val = AudioFileSource.from_csv(
        manifest, sample_rate=SR, validation_split=0.3, subset="both", seed=3
    )
    assert (len(train), len(val)) == (5, 2) and not set(train.paths) & set(val.paths)
    assert train.class_names == ["even", "odd"]
    again = AudioFileSource.from_csv(
        manifest, sample_rate=SR, validation_split=0.3, subset="validation", seed=3
    )
    assert again.paths == val.paths


@pytest.mark.parametrize("make", [torch_loader, grain_loader])
def test_every_good_clip_once_per_epoch_in_a_new_seeded_order(folder, make):
    loader = make(source(folder), batch_size=4, seed=5)
    first, second = epoch_ids(loader), epoch_ids(loader)
    assert sorted(first) == sorted(second) == ALL
    assert first != second  # each epoch a new permutation
    again = make(source(folder), batch_size=4, seed=5)
    assert [epoch_ids(again), epoch_ids(again)] == [first, second]  # the same on every run


def test_torch_and_grain_serve_the_same_batches(folder):
    src = source(folder)
    torch_batches = [(ids(a), np.asarray(y).tolist()) for a, y in torch_loader(src, batch_size=3, seed=1)]
    grain_batches = [(ids(a), np.asarray(y).tolist()) for a, y in grain_loader(src, batch_size=3, seed=1)]
    assert torch_batches == grain_batches


def test_workers_read_each_clip_once_and_report_what_they_skip(folder):
    src = source(folder)
    deleted = src.paths[3]
    os.remove(deleted)  # deleted after the scan: met while decoding, in a worker process
    loader = torch_loader(src, batch_size=4, seed=2, num_workers=2)
    served = epoch_ids(loader)
    expected = list(ALL)
    expected.remove(4)  # a/a3.wav holds 4 / 64
    assert sorted(served) == expected
    assert deleted in loader.skipped and "no such file" in dict(loader.skipped.files)[deleted]
    assert epoch_ids(torch_loader(src, batch_size=4, seed=2)) == served  # as with no workers


def test_grain_workers_read_each_clip_once_and_report_what_they_skip(folder):
    src = source(folder)
    deleted = src.paths[-1]
    os.remove(deleted)
    loader = grain_loader(src, batch_size=4, seed=2, num_workers=2)
    served = epoch_ids(loader)
    assert sorted(served) == [v for v in ALL if v != -PER_CLASS]
    assert deleted in loader.skipped


@pytest.mark.parametrize(
    "make, names", [(torch_loader, ("rank", "world_size")), (grain_loader, ("shard_index", "shard_count"))]
)
def test_shards_are_disjoint_and_complete(folder, make, names):
    src = source(folder)
    shards = [
        epoch_ids(make(src, batch_size=2, seed=9, **dict(zip(names, (k, 3), strict=True)))) for k in range(3)
    ]
    assert sorted(sum(shards, [])) == ALL
    assert all(abs(len(a) - len(b)) <= 1 for a in shards for b in shards)
    with pytest.raises(ParameterError, match="`seed` must be an integer when the loader is sharded"):
        make(
            AudioFileSource.from_paths(src.paths, sample_rate=SR),
            batch_size=2,
            **dict(zip(names, (0, 2), strict=True)),
        )


def test_torch_loader_resumes_mid_epoch(folder):
    src = source(folder)
    reference = torch_loader(src, batch_size=3, seed=4)
    epoch_ids(reference)  # epoch 0
    whole = [ids(a) for a, _ in reference]  # epoch 1
    loader = torch_loader(src, batch_size=3, seed=4)
    epoch_ids(loader)
    iterator = iter(loader)
    head = [ids(next(iterator)[0]) for _ in range(2)]
    state = loader.state_dict()
    assert (state["epoch"], state["batches"]) == (1, 2)
    resumed = torch_loader(src, batch_size=3, seed=4)
    resumed.load_state_dict(state)
    assert head + [ids(a) for a, _ in resumed] == whole
    assert resumed.epoch == 2
    with pytest.raises(ParameterError, match="same seed"):
        torch_loader(src, batch_size=3, seed=5).load_state_dict(state)


def test_grain_iterator_state_resumes_mid_epoch(folder):
    src = source(folder)
    loader = grain_loader(src, batch_size=3, seed=4)
    whole = [ids(a) for a, _ in loader]
    iterator = iter(grain_loader(src, batch_size=3, seed=4))
    head = [ids(next(iterator)[0]) for _ in range(2)]
    state = iterator.get_state()
    fresh = iter(grain_loader(src, batch_size=3, seed=4))
    fresh.set_state(state)
    assert head + [ids(a) for a, _ in fresh] == whole


@pytest.mark.parametrize("make", [torch_loader, grain_loader])
def test_whole_clips_are_padded_with_lengths_and_bucketed_by_duration(folder, make):
    src = source(folder, duration=None)
    audio, _ = next(iter(make(src, batch_size=4, seed=0)))
    lengths = np.asarray(audio["length"])
    assert np.asarray(audio["audio"]).shape == (4, lengths.max())
    for row, length in enumerate(lengths):
        assert not np.asarray(audio["audio"])[row, length:].any()
    durations = src.durations()
    assert sorted(set(np.round(durations * SR).astype(int))) == [800 + 160 * i for i in range(PER_CLASS)]
    bucketed = make(src, batch_size=None, max_duration=0.45, num_buckets=3, seed=0)
    served = []
    for audio, _ in bucketed:
        seconds = np.asarray(audio["length"]) / SR
        assert seconds.sum() <= 0.45 + 1e-9 or len(seconds) == 1
        assert seconds.max() - seconds.min() <= 0.25  # one bucket's clips
        served += ids(audio)
    assert sorted(served) == ALL


def test_raise_mode_names_the_file(folder):
    with pytest.raises(AudioDecodeError, match="broken"):
        loader = torch_loader(
            AudioFileSource.from_directory(folder, sample_rate=SR, duration=0.1), batch_size=50
        )
        next(iter(loader))


def test_bad_inputs_are_errors_or_named_skips_never_hangs(tmp_path):
    root = tmp_path / "clips"
    write_clip(root / "a" / "good.wav", 1 / 64, 800)
    os.mkfifo(root / "a" / "pipe.wav")
    buffer = root / "a" / "cut.wav"
    write_clip(buffer, 2 / 64, 8000)
    buffer.write_bytes(buffer.read_bytes()[:100])  # truncated inside the data
    os.symlink(root / "loop", root / "loop", target_is_directory=True)  # a link to itself
    (root / "b").mkdir()
    (root / "b" / "notes.txt").write_text("no audio here")
    with pytest.raises(
        ParameterError, match="class sub-folders each hold at least one audio file.*No audio in: .*clips/b'"
    ):
        AudioFileSource.from_directory(root, sample_rate=SR, follow_links=True)
    (root / "b" / "notes.txt").unlink()
    write_clip(root / "b" / "other.wav", -1 / 64, 800)
    with pytest.warns(UserWarning) as caught:
        src = AudioFileSource.from_directory(root, sample_rate=SR, duration=0.1, on_error="skip", seed=0)
    skipped = dict(src.skipped.files)
    assert str(root / "a" / "pipe.wav") in skipped and "FIFO" in skipped[str(root / "a" / "pipe.wav")]
    assert any("pipe.wav" in str(w.message) for w in caught)
    served = epoch_ids(torch_loader(src, batch_size=8))
    readable = [int(round(64 * sf.read(p, dtype="float32")[0][0])) for p in src.paths]
    assert sorted(served) == sorted(readable) and 1 in served and -1 in served
    with pytest.raises(AudioDecodeError, match="FIFO"):
        AudioFileSource.from_paths([root / "a" / "pipe.wav"], sample_rate=SR)[0]


def test_loader_arguments_are_checked(folder):
    src = AudioFileSource.from_paths([folder / "a" / "a0.wav"], sample_rate=SR)
    with pytest.raises(ParameterError, match="`source` must be an audioflow.data.AudioFileSource"):
        torch_loader([1, 2], batch_size=2)
    with pytest.raises(ParameterError, match="`rank` must be < `world_size`"):
        torch_loader(src, batch_size=2, rank=2, world_size=2, seed=0)
    with pytest.raises(ParameterError, match="`drop_remainder` must be False with `max_duration`"):
        grain_loader(src, batch_size=None, max_duration=1.0, drop_remainder=True)
