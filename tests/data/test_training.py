"""End to end, on the current Keras backend: mixed formats + broken files -> fit; torch adapter.

Not marked backend_independent: `make test` runs these under TensorFlow, JAX and PyTorch.
"""

import warnings

import keras
import numpy as np
import pytest

import audioflow
from audioflow.data import SkippedFileWarning, audio_dataset_from_directory
from tests.io.audio_files import make_corrupt_corpus, write_audio

SR = 16000


@pytest.fixture
def mixed_folder(tmp_path):
    """Two classes (a 440 Hz tone vs noise), mixed formats and rates, and broken files among them."""
    root = tmp_path / "clips"
    formats = [
        ("wav", "WAV", "PCM_16"),
        ("flac", "FLAC", "PCM_24"),
        ("ogg", "OGG", "VORBIS"),
        ("mp3", "MP3", None),
    ]
    rng = np.random.default_rng(0)
    for label in ("noise", "tone"):
        for i in range(8):
            ext, fmt, sub = formats[i % 4]
            rate = [16000, 22050, 44100, 48000][i % 4]
            path = root / label / f"{label}{i}.{ext}"
            write_audio(
                path,
                seconds=float(rng.uniform(0.4, 0.8)),
                sample_rate=rate,
                channels=1 + i % 2,
                format=fmt,
                subtype=sub,
                seed=i,
            )
            if label == "noise":  # replace the tone by pure noise
                import soundfile as sf

                data = (0.3 * rng.standard_normal((int(0.6 * rate), 1 + i % 2))).astype(np.float32)
                sf.write(path, data, rate, format=fmt, subtype=sub)
    make_corrupt_corpus(root / "tone" / "broken")  # broken files inside a class folder
    return root


def tiny_model():
    from audioflow.layers import LogMelSpectrogram

    model = keras.Sequential(
        [
            keras.Input((SR // 4,)),
            LogMelSpectrogram(sample_rate=SR, n_fft=512, hop_length=256, n_mels=32),
            keras.layers.Lambda(lambda x: x / 80.0),
            keras.layers.GlobalAveragePooling1D(),
            keras.layers.Dense(2),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def test_fit_on_a_folder_with_broken_files(mixed_folder):
    model = tiny_model()
    keras.utils.set_random_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train, val = audio_dataset_from_directory(
            mixed_folder,
            sample_rate=SR,
            duration=0.25,
            batch_size=4,
            validation_split=0.25,
            subset="both",
            seed=0,
            on_error="skip",
        )
        history = model.fit(train, validation_data=val, epochs=6, verbose=0, shuffle=False)
    assert train.class_names == ["noise", "tone"]
    # Skipping keeps the length known: Keras runs every epoch clean (no "ran out of data").
    assert not [w for w in caught if "ran out of data" in str(w.message)]
    readable = sum("/broken/" not in path for path in train.file_paths)
    assert int(train.cardinality()) == -(-readable // 4)
    losses = history.history["loss"]
    assert all(np.isfinite(losses)) and losses[-1] < losses[0]
    assert history.history["accuracy"][-1] >= 0.8  # a tone vs noise is easy: it learned
    # Every broken file is reported, by whichever subset met it, and nothing else is.
    skipped = {p for p in train.skipped.paths} | {p for p in val.skipped.paths}
    broken = {p for p in train.file_paths + val.file_paths if "/broken/" in p}
    assert skipped == broken and len(broken) == 7
    assert any(issubclass(w.category, SkippedFileWarning) for w in caught)
    # Predictions come out for every good file.
    good = sum(1 for p in train.file_paths + val.file_paths if "/broken/" not in p)
    assert sum(int(x.shape[0]) for x, _ in train) + sum(int(x.shape[0]) for x, _ in val) == good


def test_fit_raise_mode_surfaces_the_file(mixed_folder):
    ds = audio_dataset_from_directory(mixed_folder, sample_rate=SR, duration=0.25, batch_size=4, seed=0)
    model = tiny_model()
    with pytest.raises(Exception, match="Cannot decode audio file '.*/broken/") as caught:
        model.fit(ds, epochs=1, verbose=0, shuffle=False)
    # On every backend the dataset is plain tf.data: TensorFlow reports the failure, and
    # decode_error_from gives back audioflow's own error, naming the file.
    error = audioflow.data.decode_error_from(caught.value)
    assert isinstance(error, audioflow.AudioDecodeError) and "/broken/" in error.path


def test_files_failing_while_decoding_are_topped_up(tmp_path):
    """A header that reads but samples that do not (NaN) are found late: the epoch keeps its length."""
    import soundfile as sf

    for i in range(10):
        write_audio(tmp_path / "a" / f"{i}.wav", seconds=0.3, seed=i)
        write_audio(tmp_path / "b" / f"{i}.wav", seconds=0.3, seed=10 + i)
    bad = np.zeros((4000, 1), np.float32)
    bad[100] = np.nan
    sf.write(tmp_path / "b" / "nan.wav", bad, SR, subtype="FLOAT")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = audio_dataset_from_directory(
            tmp_path, sample_rate=SR, duration=0.25, batch_size=4, seed=0, on_error="skip"
        )
        assert int(ds.cardinality()) == 6  # 21 files: the NaN one passes the header check
        sizes = [[int(x.shape[0]) for x, _ in ds] for _ in range(2)]
        model = tiny_model()
        model.fit(ds, epochs=2, verbose=0)
    assert sizes == [[4, 4, 4, 4, 4, 1]] * 2
    assert ds.skipped.paths == [str(tmp_path / "b" / "nan.wav")]
    assert "not finite" in ds.skipped.files[0].reason
    assert not [w for w in caught if "ran out of data" in str(w.message)]
    assert len([w for w in caught if issubclass(w.category, SkippedFileWarning)]) == 1


def test_no_readable_file_is_an_error(tmp_path):
    make_corrupt_corpus(tmp_path / "bad")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedFileWarning)
        with pytest.raises(audioflow.ParameterError, match="at least one readable audio file"):
            audio_dataset_from_directory(tmp_path, labels=None, duration=0.25, on_error="skip")


def test_torch_adapter(mixed_folder):
    import torch

    from audioflow.data import TorchAudioDataset

    ds = audio_dataset_from_directory(
        mixed_folder,
        sample_rate=SR,
        duration=0.25,
        batch_size=5,
        seed=1,
        on_error="skip",
        label_mode="categorical",
    )
    adapter = TorchAudioDataset(ds)
    assert isinstance(adapter, torch.utils.data.IterableDataset)
    loader = torch.utils.data.DataLoader(adapter, batch_size=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedFileWarning)
        batches = list(loader)
    assert sum(x.shape[0] for x, _ in batches) == 16
    x, y = batches[0]
    assert x.dtype == torch.float32 and x.shape == (5, SR // 4) and y.shape == (5, 2)
    assert y.dtype == torch.float32  # one-hot labels stay float
    assert adapter.skipped is ds.skipped and len(adapter.skipped) == 7
    # A plain PyTorch step on it.
    net = torch.nn.Sequential(torch.nn.Linear(SR // 4, 2))
    loss = torch.nn.functional.cross_entropy(net(x), y.argmax(1))
    loss.backward()
    assert torch.isfinite(loss)
    whole = audio_dataset_from_directory(mixed_folder / "noise", labels=None, sample_rate=SR, batch_size=3)
    first = next(iter(TorchAudioDataset(whole)))
    assert set(first) == {"audio", "length"} and first["length"].dtype == torch.int32
    assert first["audio"].shape == (3, int(first["length"].max()))


def test_torch_adapter_int_labels_and_batches(mixed_folder):
    import torch

    from audioflow.data import TorchAudioDataset

    ds = audio_dataset_from_directory(
        mixed_folder / "noise", labels=None, sample_rate=SR, duration=0.25, batch_size=4, seed=0
    )
    ds_labels = audio_dataset_from_directory(
        mixed_folder, sample_rate=SR, duration=0.25, batch_size=4, seed=0, on_error="skip"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedFileWarning)
        x, y = next(iter(torch.utils.data.DataLoader(TorchAudioDataset(ds_labels), batch_size=None)))
    assert y.dtype == torch.int64  # what CrossEntropyLoss takes
    torch.nn.functional.cross_entropy(torch.zeros(4, 2), y)
    # The batches are the dataset's: a DataLoader batch_size stacks batches (documented).
    stacked = next(iter(torch.utils.data.DataLoader(TorchAudioDataset(ds), batch_size=2)))
    assert stacked.shape == (2, 4, SR // 4)
    assert "batch_size=None" in TorchAudioDataset.__doc__ and "(4, 8, 16000)" in TorchAudioDataset.__doc__


def test_torch_adapter_raises_audio_decode_error(mixed_folder):
    from audioflow.data import TorchAudioDataset

    ds = audio_dataset_from_directory(mixed_folder, sample_rate=SR, duration=0.25, batch_size=4, seed=0)
    with pytest.raises(audioflow.AudioDecodeError, match="Cannot decode audio file '.*/broken/"):
        list(TorchAudioDataset(ds))
