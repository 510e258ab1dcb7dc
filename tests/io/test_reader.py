"""load / info / resample / crop / pad: decoding equals soundfile, resampling equals soxr."""

import numpy as np
import pytest
import soundfile as sf
import soxr

import audioflow
from audioflow.data import crop, fix_length, info, load, pad, resample, to_mono
from tests.io.audio_files import SHARED_AUDIO, make_corrupt_corpus, write_audio

pytestmark = pytest.mark.backend_independent

# (extension, format, subtype, sample rates): every encoding this libsndfile can write.
FORMATS = [
    ("wav", "WAV", "PCM_U8", (8000, 44100)),
    ("wav", "WAV", "PCM_16", (16000, 22050)),
    ("wav", "WAV", "PCM_24", (44100,)),
    ("wav", "WAV", "PCM_32", (48000,)),
    ("wav", "WAV", "FLOAT", (22050,)),
    ("wav", "WAV", "DOUBLE", (16000,)),
    ("wav", "WAV", "ULAW", (8000,)),
    ("wav", "WAV", "ALAW", (8000,)),
    ("flac", "FLAC", "PCM_S8", (16000,)),
    ("flac", "FLAC", "PCM_16", (22050, 44100)),
    ("flac", "FLAC", "PCM_24", (48000,)),
    ("ogg", "OGG", "VORBIS", (22050, 44100)),
    ("opus", "OGG", "OPUS", (16000, 48000)),
    ("mp3", "MP3", "MPEG_LAYER_III", (22050, 44100)),
    ("aiff", "AIFF", "PCM_16", (44100,)),
    ("caf", "CAF", "PCM_16", (16000,)),
]
CASES = [
    pytest.param(ext, fmt, sub, rate, channels, id=f"{sub}-{ext}-{rate}-{channels}ch")
    for ext, fmt, sub, rates in FORMATS
    for rate in rates
    for channels in (1, 2)
]


def test_every_test_format_is_writable_here():
    for _, fmt, sub, _ in FORMATS:
        assert sub in sf.available_subtypes(fmt), (fmt, sub)


@pytest.mark.parametrize("ext, fmt, sub, rate, channels", CASES)
def test_load_equals_soundfile(tmp_path, ext, fmt, sub, rate, channels):
    path = tmp_path / f"clip.{ext}"
    write_audio(path, seconds=0.3, sample_rate=rate, channels=channels, format=fmt, subtype=sub)
    reference, reference_rate = sf.read(path, dtype="float32", always_2d=True)

    meta = info(path)
    assert (meta.format, meta.subtype) == (fmt, sub)
    assert (meta.sample_rate, meta.channels, meta.frames) == (reference_rate, channels, len(reference))
    assert meta.duration == pytest.approx(len(reference) / rate)

    audio, sr = load(path, mono=False)
    assert sr == rate and audio.dtype == np.float32 and audio.shape == reference.shape
    np.testing.assert_array_equal(audio, reference)

    mono, _ = load(path)
    assert mono.shape == (len(reference),)
    np.testing.assert_allclose(mono, reference.mean(axis=1), rtol=0, atol=1e-7)

    # A seek to the middle decodes exactly the same samples as the full read.
    offset, duration = 0.1, 0.05
    part, _ = load(path, mono=False, offset=offset, duration=duration)
    start = round(offset * rate)
    # mpg123 re-primes its decoder after a seek: equal to float32 rounding, not bit for bit.
    atol = 1e-6 if ext == "mp3" else 0
    np.testing.assert_allclose(part, reference[start : start + round(duration * rate)], rtol=0, atol=atol)

    # Resampling equals soxr HQ on soundfile's reading.
    target = 16000 if rate != 16000 else 22050
    resampled, sr = load(path, sample_rate=target, mono=False)
    assert sr == target
    np.testing.assert_array_equal(resampled, soxr.resample(reference, rate, target, quality="HQ"))


def test_load_reads_only_the_requested_frames(tmp_path, monkeypatch):
    path = tmp_path / "long.flac"
    write_audio(path, seconds=20.0, sample_rate=16000)
    requested = []
    original = sf.SoundFile.read

    def spy(self, frames=-1, *args, **kwargs):
        requested.append(frames)
        return original(self, frames, *args, **kwargs)

    monkeypatch.setattr(sf.SoundFile, "read", spy)
    audio, _ = load(path, offset=12.5, duration=1.0)
    assert requested == [16000] and audio.shape == (16000,)


def test_librosa_parity_when_resampling(tmp_path):
    import librosa

    path = tmp_path / "stereo.wav"
    write_audio(path, seconds=0.5, sample_rate=44100, channels=2)
    ours, _ = load(path, sample_rate=22050)
    theirs, _ = librosa.load(path, sr=22050)  # soxr_hq, mean downmix
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-6)
    ours, _ = load(path, sample_rate=16000, mono=False, offset=0.1, duration=0.2)
    theirs, _ = librosa.load(path, sr=16000, mono=False, offset=0.1, duration=0.2)
    np.testing.assert_allclose(ours, theirs.T, rtol=0, atol=1e-6)


@pytest.mark.skipif(not SHARED_AUDIO.is_dir(), reason="../shared/data/real-audio not present")
def test_real_recordings():
    files = sorted(SHARED_AUDIO.glob("*.ogg"))
    assert files
    for path in files[:6]:
        reference, rate = sf.read(path, dtype="float32", always_2d=True)
        audio, sr = load(path, mono=False)
        np.testing.assert_array_equal(audio, reference)
        assert info(path).frames == len(reference)
        start = len(reference) // 3
        part, _ = load(path, mono=False, offset=start / rate, duration=0.5)
        np.testing.assert_array_equal(part, reference[start : start + round(0.5 * rate)])
        audio16, sr = load(path, sample_rate=16000)
        assert sr == 16000
        expected = soxr.resample(reference.mean(axis=1), rate, 16000)
        length = int(np.ceil(len(reference) * 16000 / rate))  # librosa's length rule
        np.testing.assert_array_equal(audio16, np.pad(expected, (0, length - len(expected)))[:length])


def test_corrupt_files_raise_with_path_and_reason(tmp_path):
    expected = make_corrupt_corpus(tmp_path)
    for name, fragment in expected.items():
        path = tmp_path / name
        for reader in (load, info):
            with pytest.raises(audioflow.AudioDecodeError, match=fragment) as caught:
                reader(path)
            assert caught.value.path == str(path) and name in str(caught.value)
            assert isinstance(caught.value, OSError)
    with pytest.raises(audioflow.AudioDecodeError, match="no such file"):
        load(tmp_path / "missing.wav")
    with pytest.raises(audioflow.AudioDecodeError, match="directory"):
        info(tmp_path)


def test_offset_past_the_end(tmp_path):
    path = tmp_path / "a.wav"
    write_audio(path, seconds=1.0)
    with pytest.raises(audioflow.AudioDecodeError, match="past the end"):
        load(path, offset=1.0)
    audio, _ = load(path, offset=0.75, duration=10.0)  # a short read is returned as is
    assert audio.shape == (4000,)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"sample_rate": 0}, "`sample_rate` must be a positive integer. Received: sample_rate=0."),
        ({"sample_rate": 16000.0}, "`sample_rate` must be an integer or None"),
        ({"mono": "yes"}, "`mono` must be True or False"),
        ({"offset": -1.0}, "`offset` must be >= 0.0"),
        ({"duration": 0}, "`duration` must be > 0.0"),
    ],
)
def test_load_validates_before_io(kwargs, match):
    with pytest.raises(audioflow.ParameterError, match=match.replace("(", r"\(").replace(")", r"\)")):
        load("/nonexistent/file.wav", **kwargs)


def test_resample_and_shape_helpers():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1000, 2)).astype(np.float32)
    # soxr's samples, to librosa's length ceil(1000 / 3) = 334 (soxr alone rounds: 333).
    ours = resample(x, 48000, 16000)
    assert ours.shape == (334, 2)
    np.testing.assert_array_equal(ours[:333], soxr.resample(x, 48000, 16000, "HQ"))
    assert np.all(ours[333:] == 0)
    assert resample(x, 16000, 16000) is not None and resample(x, 16000, 16000).shape == x.shape
    with pytest.raises(audioflow.ParameterError, match="`quality` must be one of"):
        resample(x, 1, 2, quality="best")
    np.testing.assert_allclose(to_mono(x), x.mean(axis=1))

    ramp = np.arange(10, dtype=np.float32)
    np.testing.assert_array_equal(crop(ramp, 4, "start"), [0, 1, 2, 3])
    np.testing.assert_array_equal(crop(ramp, 4, "center"), [3, 4, 5, 6])
    starts = {int(crop(ramp, 4, "random", rng=seed)[0]) for seed in range(200)}
    assert starts == set(range(7))  # uniform over every valid start, none outside
    np.testing.assert_array_equal(crop(ramp, 4, "random", rng=5), crop(ramp, 4, "random", rng=5))
    np.testing.assert_array_equal(crop(ramp, 20), ramp)
    np.testing.assert_array_equal(pad(ramp[:3], 7), [0, 1, 2, 0, 0, 0, 0])
    np.testing.assert_array_equal(pad(ramp[:3], 7, "repeat"), [0, 1, 2, 0, 1, 2, 0])
    assert pad(x[:3], 5).shape == (5, 2) and np.all(pad(x[:3], 5)[3:] == 0)
    np.testing.assert_array_equal(fix_length(ramp, 4, "center"), [3, 4, 5, 6])
    with pytest.raises(audioflow.ParameterError, match="`mode` must be one of 'zeros', 'repeat'"):
        pad(ramp, 4, "reflect")
    with pytest.raises(audioflow.ParameterError, match="`length` must be a positive integer"):
        crop(ramp, 0)
