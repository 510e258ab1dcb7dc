"""Features of waveforms by name: ``"spectrogram"``, ``"logspectrogram"``, ``"mel"``, ``"logmel"``, ``"mfcc"``.

One entry point for code that picks the feature kind at run time (the command line's
``plot`` and ``features``, notebooks, scripts): :func:`feature_layer` builds the Keras layer
for a kind, :func:`extract_features` applies it to NumPy waveforms and returns NumPy arrays,
and :func:`feature_settings` gives the resolved settings (hop length, mel range) a plot or a
file name needs. The numbers are those of :mod:`audioflow.layers`, i.e. librosa's::

    from audioflow.extract import extract_features
    S = extract_features(y, sample_rate=22050, kind="logmel", n_mels=64)   # (frames, 64), dB
    # = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=22050, n_mels=64)).T

Options are the layers' keyword arguments, with librosa's defaults (``n_fft=2048``,
``hop_length=n_fft // 4``, ``n_mels=128``, ``top_db=80``, ``n_mfcc=20``...).
"""

from __future__ import annotations

import numpy as np

from audioflow._validation import check_choice, check_number, parameter_error

__all__ = [
    "FEATURE_KINDS",
    "FRONT_END_KINDS",
    "LIBROSA_KINDS",
    "FEATURE_OPTIONS",
    "extract_features",
    "feature_layer",
    "feature_settings",
]

#: The feature kinds: librosa's, from the plainest to the most processed, then the model front ends
#: (Kaldi's, as torchaudio.compliance.kaldi at its defaults, and Whisper's log-mel at 16 kHz).
LIBROSA_KINDS = ("spectrogram", "logspectrogram", "mel", "logmel", "mfcc")
FRONT_END_KINDS = ("kaldi-spectrogram", "kaldi-fbank", "kaldi-mfcc", "whisper")
FEATURE_KINDS = LIBROSA_KINDS + FRONT_END_KINDS

_STFT = ("n_fft", "win_length", "hop_length", "window", "center", "pad_mode", "power")
_MEL = ("n_mels", "f_min", "f_max", "mel_scale", "htk", "norm")
_DB = ("top_db", "ref", "amin")
_MFCC = ("n_mfcc", "dct_type", "dct_norm", "lifter")
#: The options (layer keyword arguments) that apply to each kind.
FEATURE_OPTIONS = {
    "spectrogram": _STFT,
    "logspectrogram": _STFT + _DB,
    "mel": _STFT + _MEL,
    "logmel": _STFT + _MEL + _DB,
    "mfcc": _STFT + _MEL + _DB + _MFCC,
    "kaldi-spectrogram": (),
    "kaldi-fbank": ("n_mels",),  # num_mel_bins
    "kaldi-mfcc": ("n_mels", "n_mfcc"),  # num_mel_bins, num_ceps
    "whisper": (),
}
_KALDI_LAYERS = {
    "kaldi-spectrogram": "KaldiSpectrogram",
    "kaldi-fbank": "KaldiFbank",
    "kaldi-mfcc": "KaldiMFCC",
}


def _check_options(kind, options):
    check_choice("kind", kind, FEATURE_KINDS)
    allowed = FEATURE_OPTIONS[kind]
    for name, value in options.items():
        if name not in allowed:
            raise parameter_error(
                name,
                f"an option of {kind!r} features (one of {', '.join(allowed)})",
                **{name: value, "kind": kind},
            )


def feature_layer(kind: str = "logmel", *, sample_rate: float = 22050, **options):
    """The Keras layer that computes features of one kind from ``(batch, samples)`` waveforms.

    Args:
        kind: one of :data:`FEATURE_KINDS`: ``"spectrogram"`` (power STFT magnitude,
            :class:`~audioflow.layers.Spectrogram`), ``"logspectrogram"`` (the same in dB,
            ``Spectrogram`` then ``PowerToDb``), ``"mel"`` (power mel spectrogram,
            :class:`~audioflow.layers.MelSpectrogram`), ``"logmel"`` (in dB,
            :class:`~audioflow.layers.LogMelSpectrogram`), ``"mfcc"``
            (:class:`~audioflow.layers.MFCC`), ``"kaldi-spectrogram"``, ``"kaldi-fbank"``,
            ``"kaldi-mfcc"`` (:class:`~audioflow.layers.KaldiFbank` and its siblings at torchaudio's
            defaults; ``n_mels`` is ``num_mel_bins``, ``n_mfcc`` is ``num_ceps``) or ``"whisper"``
            (:class:`~audioflow.layers.WhisperLogMel`, 16 kHz).
        sample_rate: Hz of the input (librosa ``sr``); used by the mel kinds.
        **options: keyword arguments of those layers that apply to ``kind``: STFT ``n_fft,
            win_length, hop_length, window, center, pad_mode, power``; mel ``n_mels, f_min,
            f_max, mel_scale, htk, norm``; dB ``top_db, ref, amin`` (``ref="max"``: 0 dB at each example's
            peak, librosa ``ref=np.max``); MFCC ``n_mfcc, dct_type, dct_norm, lifter``.

    Returns:
        A ``keras.layers.Layer`` mapping ``(batch, samples)`` float32 to time-major
        ``(batch, frames, bins)``.

    Raises:
        ParameterError: an unknown kind, an option that does not apply to ``kind``, or an
            invalid value (worded by the layer that owns the option).

    Example:
        >>> layer = feature_layer("mfcc", sample_rate=16000, n_mfcc=13)   # doctest: +SKIP
    """
    _check_options(kind, options)
    from audioflow import layers

    if kind in _KALDI_LAYERS or kind == "whisper":
        return _front_end_layer(kind, sample_rate, options)
    stft = {k: v for k, v in options.items() if k in _STFT}
    if kind == "spectrogram":
        return layers.Spectrogram(**stft)
    if kind == "logspectrogram":
        import keras

        decibels = {k: v for k, v in options.items() if k in _DB}
        return keras.Sequential(
            [layers.Spectrogram(**stft), layers.PowerToDb(**decibels)], name="log_spectrogram"
        )
    layer = {"mel": layers.MelSpectrogram, "logmel": layers.LogMelSpectrogram, "mfcc": layers.MFCC}[kind]
    return layer(sample_rate=sample_rate, **options)


def _front_end_layer(kind: str, sample_rate: float, options: dict):
    """A Kaldi layer (torchaudio's defaults at ``sample_rate``) or Whisper's log-mel (16 kHz only)."""
    from audioflow import layers

    if kind == "whisper":
        if sample_rate != 16000:
            raise parameter_error(
                "sample_rate",
                "16000 for whisper features",
                sample_rate=sample_rate,
                hint="Resample to 16 kHz.",
            )
        return layers.WhisperLogMel()
    renamed = {"n_mels": "num_mel_bins", "n_mfcc": "num_ceps"}
    arguments = {renamed[name]: value for name, value in options.items()}
    return getattr(layers, _KALDI_LAYERS[kind])(sample_frequency=float(sample_rate), **arguments)


def feature_settings(kind: str = "logmel", *, sample_rate: float = 22050, **options) -> dict:
    """The settings :func:`feature_layer` uses for ``kind``, defaults resolved (for titles and reports).

    Returns a dict with ``n_fft`` and ``hop_length`` (resolved: ``win_length // 4`` by
    default, as librosa), plus ``n_mels, f_min, f_max`` (``f_max`` resolved to
    ``sample_rate / 2``) for the mel kinds, ``top_db`` (and ``ref`` when not 1.0) for the dB
    kinds and ``n_mfcc`` for MFCCs; other options given are included as passed.
    """
    _check_options(kind, options)
    if kind == "whisper":
        return {"n_fft": 400, "hop_length": 160, "n_mels": 80}
    if kind in _KALDI_LAYERS:
        window = int(sample_rate * 0.025)
        settings = {"n_fft": 1 << (window - 1).bit_length(), "hop_length": int(sample_rate * 0.01)}
        if kind != "kaldi-spectrogram":
            settings["n_mels"] = options.get("n_mels", 23)
        if kind == "kaldi-mfcc":
            settings["n_mfcc"] = options.get("n_mfcc", 13)
        return settings
    n_fft = options.get("n_fft", 2048)
    window = options.get("win_length") or n_fft
    settings = {"n_fft": n_fft, "hop_length": options.get("hop_length") or window // 4}
    if kind in ("mel", "logmel", "mfcc"):
        f_max = options.get("f_max")
        settings.update(
            n_mels=options.get("n_mels", 128),
            f_min=options.get("f_min", 0.0),
            f_max=sample_rate / 2 if f_max is None else f_max,
        )
    if kind in ("logspectrogram", "logmel", "mfcc"):
        settings["top_db"] = options.get("top_db", 80.0)
        if options.get("ref", 1.0) != 1.0:
            settings["ref"] = options["ref"]
    if kind == "mfcc":
        settings["n_mfcc"] = options.get("n_mfcc", 20)
    for name, value in options.items():
        settings.setdefault(name, value)
    return settings


def extract_features(waveform, *, sample_rate: float, kind: str = "logmel", **options) -> np.ndarray:
    """Features of one waveform ``(samples,)`` or a batch ``(batch, samples)``, as a NumPy array.

    Args:
        waveform: mono samples, shape ``(samples,)`` or ``(batch, samples)``.
        sample_rate: Hz of ``waveform`` (librosa ``sr``).
        kind, **options: as :func:`feature_layer`.

    Returns:
        float32 ``(frames, bins)`` for one waveform, ``(batch, frames, bins)`` for a batch:
        time-major, the transpose of librosa's ``(bins, frames)``.

    Example:
        >>> S = extract_features(y, sample_rate=22050, kind="mel")   # doctest: +SKIP
        >>> # S.T equals librosa.feature.melspectrogram(y=y, sr=22050) to 1e-5 (relative)
    """
    check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
    y = np.asarray(waveform, dtype=np.float32)
    if y.ndim not in (1, 2):
        raise parameter_error(
            "waveform",
            "mono samples of shape (samples,) or (batch, samples)",
            hint="Mix multichannel audio down to mono first.",
            shape=y.shape,
        )
    layer = feature_layer(kind, sample_rate=sample_rate, **options)
    from keras import ops

    features = ops.convert_to_numpy(layer(ops.convert_to_tensor(y[None] if y.ndim == 1 else y)))
    features = np.asarray(features, dtype=np.float32)
    return features[0] if y.ndim == 1 else features
