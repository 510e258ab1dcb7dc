"""Named front ends of published models, each one Keras layer from raw 16 kHz audio.

>>> from audioflow import presets
>>> presets.names()
('ast', 'wav2vec2', 'whisper', 'whisper-v3')
>>> layer = presets.get("whisper")          # (batch, samples) -> (batch, 3000, 80)

========== ====================================================== ============================================
name       reproduces                                             models
========== ====================================================== ============================================
whisper    ``WhisperFeatureExtractor()`` (80 mels, 30 s)          Whisper tiny ... large-v2, distil-whisper
whisper-v3 ``WhisperFeatureExtractor(feature_size=128)``          Whisper large-v3, large-v3-turbo
ast        ``ASTFeatureExtractor()`` (Kaldi fbank, 1024 frames)   AST (Audio Spectrogram Transformer)
wav2vec2   ``Wav2Vec2FeatureExtractor(do_normalize=True)``        wav2vec 2.0, HuBERT, WavLM, XLS-R
========== ====================================================== ============================================

The layers (:mod:`audioflow.layers.presets`) are registered for ``.keras`` saving, so a model
built on one loads with it. Models on plain Kaldi fbank (BEATs, WeNet, WeSpeaker, ECAPA-TDNN)
use :class:`audioflow.layers.KaldiFbank` with their own options (README, "Model front ends").
"""

from __future__ import annotations

from audioflow._validation import check_number, parameter_error

__all__ = ["get", "names"]

#: name -> (layer class name in audioflow.layers.presets, its arguments). All are 16 kHz.
_PRESETS = {
    "ast": ("ASTFeatures", {}),
    "wav2vec2": ("Wav2Vec2Features", {}),
    "whisper": ("WhisperFeatures", {"n_mels": 80}),
    "whisper-v3": ("WhisperFeatures", {"n_mels": 128}),
}
#: The sample rate every preset was made for.
PRESET_SAMPLE_RATE = 16000


def names() -> tuple[str, ...]:
    """The preset names, sorted."""
    return tuple(sorted(_PRESETS))


def get(name: str, /, *, sample_rate: float = PRESET_SAMPLE_RATE, **kwargs):
    """The Keras layer of preset ``name`` (a new one on each call).

    Args:
        name: one of :func:`names`.
        sample_rate: the rate of the audio it will see; every preset is made for 16000 Hz, and
            another rate is a ``ParameterError`` (resample first: ``audioflow.io.load(path,
            sample_rate=16000)``). Default 16000.
        **kwargs: Keras layer arguments (``name``, ``dtype``: the first argument is positional, so
            ``get("whisper", name="front_end")`` names the layer).

    Raises:
        ParameterError: an unknown name (the message lists the known ones) or another sample rate.

    Example:
        >>> layer = get("ast")   # (batch, samples) -> (batch, 1024, 128)
    """
    if not isinstance(name, str) or name not in _PRESETS:
        raise parameter_error("name", f"one of {', '.join(map(repr, names()))}", name=name)
    sample_rate = check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
    if sample_rate != PRESET_SAMPLE_RATE:
        raise parameter_error(
            "sample_rate",
            f"{PRESET_SAMPLE_RATE} for preset {name!r} (the rate its model was trained at)",
            sample_rate=sample_rate,
            hint="Resample the audio to 16 kHz first.",
        )
    from audioflow.layers import presets as preset_layers

    cls_name, arguments = _PRESETS[name]
    return getattr(preset_layers, cls_name)(**arguments, **kwargs)
