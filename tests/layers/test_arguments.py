"""The keyword-argument contract of the layers and ops: signatures with librosa's defaults, every
argument described in the docstring with its default, construction by keyword as documented."""

import inspect
import re

import librosa
import numpy as np
import pytest

from audioflow import ParameterError, layers
from audioflow import ops as af

STFT = ["n_fft", "hop_length", "win_length", "window", "center", "pad_mode"]
MEL = ["sample_rate", "n_fft", "n_mels", "f_min", "f_max", "mel_scale", "htk", "norm"]
DB = ["ref", "amin", "top_db"]
DCT = ["n_mfcc", "dct_type", "dct_norm", "lifter"]
MEL_SPECTROGRAM = ["sample_rate", *STFT, "power", *MEL, "trainable_filterbank"]

EXPECTED_LAYER_ARGUMENTS = {
    layers.STFT: STFT,
    layers.InverseSTFT: [*STFT[:-1], "length"],
    layers.Spectrogram: [*STFT, "power"],
    layers.MelScale: [*MEL, "trainable"],
    layers.MelSpectrogram: MEL_SPECTROGRAM,
    layers.LogMelSpectrogram: [*MEL_SPECTROGRAM, *DB],
    layers.MFCC: [*MEL_SPECTROGRAM, *DB, *DCT],
    layers.PowerToDb: DB,
    layers.AmplitudeToDb: DB,
}
EXPECTED_OP_ARGUMENTS = {
    af.stft: STFT,
    af.istft: [*STFT[:-1], "length"],
    af.spectrogram: [*STFT, "power"],
    af.melspectrogram: ["sample_rate", *STFT, "power", *MEL],
    af.log_mel_spectrogram: ["sample_rate", *STFT, "power", *MEL, *DB],
}

# audioflow name -> (librosa function, librosa name): the defaults must be librosa's.
LIBROSA = {
    "sample_rate": (librosa.feature.melspectrogram, "sr"),
    "n_fft": (librosa.stft, "n_fft"),
    "hop_length": (librosa.stft, "hop_length"),
    "win_length": (librosa.stft, "win_length"),
    "window": (librosa.stft, "window"),
    "center": (librosa.stft, "center"),
    "pad_mode": (librosa.stft, "pad_mode"),
    "power": (librosa.feature.melspectrogram, "power"),
    "n_mels": (librosa.filters.mel, "n_mels"),
    "f_min": (librosa.filters.mel, "fmin"),
    "f_max": (librosa.filters.mel, "fmax"),
    "norm": (librosa.filters.mel, "norm"),
    "ref": (librosa.power_to_db, "ref"),
    "top_db": (librosa.power_to_db, "top_db"),
    "n_mfcc": (librosa.feature.mfcc, "n_mfcc"),
    "dct_type": (librosa.feature.mfcc, "dct_type"),
    "dct_norm": (librosa.feature.mfcc, "norm"),
    "lifter": (librosa.feature.mfcc, "lifter"),
    "length": (librosa.istft, "length"),
}


def _keywords(signature: inspect.Signature) -> dict:
    return {p.name: p for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY}


def _args_section(doc: str) -> str:
    return doc.split("Args:", 1)[1]


OWNERS = [*EXPECTED_LAYER_ARGUMENTS, *EXPECTED_OP_ARGUMENTS]
EXPECTED = {**EXPECTED_LAYER_ARGUMENTS, **EXPECTED_OP_ARGUMENTS}


@pytest.mark.parametrize("owner", OWNERS, ids=lambda owner: owner.__name__)
def test_signature_lists_the_keyword_only_arguments_with_librosa_defaults(owner):
    keywords = _keywords(inspect.signature(owner))
    keywords.pop("allow_more_channels_than_samples", None)  # waveform layers' layout check (issue 16)
    assert sorted(keywords) == sorted(set(EXPECTED[owner]))
    for name, parameter in keywords.items():
        if name in LIBROSA and not (name == "amin" or owner in (layers.PowerToDb, layers.AmplitudeToDb)):
            function, librosa_name = LIBROSA[name]
            assert parameter.default == inspect.signature(function).parameters[librosa_name].default, name
    assert "**kwargs" in str(inspect.signature(owner)) or owner is af.istft
    if inspect.isclass(owner):
        assert (
            inspect.signature(owner.__init__).parameters.keys() - {"self"}
            == inspect.signature(owner).parameters.keys()
        )


def test_decibel_defaults():
    for owner in (layers.LogMelSpectrogram, layers.MFCC, af.log_mel_spectrogram):
        assert _keywords(inspect.signature(owner))["amin"].default == 1e-10  # librosa.power_to_db
    for owner in (layers.PowerToDb, layers.AmplitudeToDb):
        assert _keywords(inspect.signature(owner))["amin"].default is None  # the layer's own floor
    assert inspect.signature(librosa.power_to_db).parameters["amin"].default == 1e-10


@pytest.mark.parametrize("owner", OWNERS, ids=lambda owner: owner.__name__)
def test_docstring_describes_every_argument_with_its_default(owner):
    doc = inspect.getdoc(owner)
    assert "{arguments}" not in doc
    args = _args_section(doc)
    for name, parameter in _keywords(inspect.signature(owner)).items():
        entry = re.search(rf"^    {name}: (.+?)(?=^    \w+:|^\S|\Z)", args, flags=re.M | re.S)
        assert entry is not None, f"{owner.__name__} does not describe {name}"
        text = " ".join(entry.group(1).split())
        assert len(text) > 40, (name, text)
        assert f"Default: ``{parameter.default!r}``." in text, (name, text)
    for section in ("Shapes", "Parity", "Example") if inspect.isclass(owner) else ():
        assert f"{section}:" in doc, (owner.__name__, section)


def test_delta_describes_every_argument():
    args = _args_section(inspect.getdoc(layers.Delta))
    for parameter in _keywords(inspect.signature(layers.Delta)):
        assert re.search(rf"^\s+{parameter}: ", args, flags=re.M), parameter


def test_descriptions_name_other_libraries_and_units():
    doc = " ".join(inspect.getdoc(layers.MelSpectrogram).split())
    for phrase in ("librosa ``sr``", "Keras ``sampling_rate``", "tf.signal ``frame_step``", "93 ms", "in Hz"):
        assert phrase in doc, phrase


@pytest.mark.parametrize("cls", list(EXPECTED_LAYER_ARGUMENTS), ids=lambda cls: cls.__name__)
def test_passing_every_default_equals_passing_nothing(cls):
    defaults = {name: p.default for name, p in _keywords(inspect.signature(cls)).items()}
    explicit = cls(**defaults).get_config()
    implicit = cls().get_config()
    for config in (explicit, implicit):
        config.pop("name")
    if "htk" in defaults:  # remembered only when given
        assert explicit.pop("htk", None) is None
    assert explicit == implicit


@pytest.mark.parametrize("cls", list(EXPECTED_LAYER_ARGUMENTS), ids=lambda cls: cls.__name__)
def test_unknown_and_foreign_keywords_are_refused(cls):
    with pytest.raises((TypeError, ValueError), match="bogus"):
        cls(bogus=1)
    with pytest.raises(TypeError):
        cls(512)
    foreign = {"fft_length": 512} if "n_fft" in EXPECTED_LAYER_ARGUMENTS[cls] else {"sr": 16000}
    if cls in (layers.PowerToDb, layers.AmplitudeToDb):
        return  # takes neither n_fft nor sample_rate: a foreign name is just unknown there
    with pytest.raises(ParameterError, match="audioflow calls it"):
        cls(**foreign)


def test_ops_refuse_unknown_keywords_in_their_own_name():
    x = np.zeros(4000, "float32")
    for function in (af.stft, af.spectrogram, af.melspectrogram):
        with pytest.raises(
            TypeError, match=rf"{function.__name__}\(\) got an unexpected keyword argument 'bogus'"
        ):
            function(x, bogus=1)
        with pytest.raises(
            ParameterError, match="audioflow calls it `sample_rate`|audioflow calls it `n_fft`"
        ):
            function(x, **({"sr": 8000} if function is af.melspectrogram else {"fft_length": 512}))
    with pytest.raises(TypeError, match=r"istft\(\) got an unexpected keyword argument 'pad_mode'"):
        af.istft(af.stft(x, n_fft=512), n_fft=512, pad_mode="constant")


def test_a_part_receives_the_arguments_of_the_whole():
    mfcc = layers.MFCC(
        sample_rate=8000, n_fft=256, hop_length=80, n_mels=20, n_mfcc=8, top_db=None, ref="max"
    )
    log_mel = mfcc.log_mel_spectrogram
    spectrogram = log_mel.mel_spectrogram.spectrogram
    assert (spectrogram.n_fft, spectrogram.hop_length) == (256, 80)
    assert log_mel.mel_spectrogram.mel_filters.n_mels == 20
    assert (log_mel.power_to_db.top_db, log_mel.power_to_db.ref, log_mel.power_to_db.amin) == (
        None,
        "max",
        1e-10,
    )
