"""End to end, on the current Keras backend: mixed formats + broken files -> fit; torch adapter.

Not marked backend_independent: `make test` runs these under TensorFlow, JAX and PyTorch.
"""

import warnings

import keras
import numpy as np
import pytest

import audioflow
from audioflow.data import SkippedFileWarning, audio_dataset_from_directory
from tests.data.audio_files import make_corrupt_corpus, write_audio

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
    assert train.class_names == ["noise", "tone"]
    model = tiny_model()
    keras.utils.set_random_seed(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(train, validation_data=val, epochs=6, verbose=0, shuffle=False)
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
    if keras.backend.backend() != "tensorflow":
        # JAX and PyTorch iterate the dataset eagerly: the error is audioflow's own. Under the
        # TensorFlow backend it is raised inside a tf.function, as a tf.errors.OpError whose
        # message carries the same text.
        assert isinstance(caught.value, audioflow.AudioDecodeError)


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
