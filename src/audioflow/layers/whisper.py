"""WhisperLogMel: Whisper's log-mel input features (openai-whisper ``log_mel_spectrogram``), batched."""

from __future__ import annotations

import keras

from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_choice
from audioflow.layers.base import AudioLayer, serializable
from audioflow.layers.mel import MelSpectrogram
from audioflow.ops.whisper import WHISPER_SAMPLE_RATE, WHISPER_STFT, whisper_scale

__all__ = ["WhisperLogMel"]


@serializable
class WhisperLogMel(AudioLayer):
    """Whisper's log-mel spectrogram of 16 kHz audio, each example floored at its own maximum.

    A :class:`~audioflow.layers.MelSpectrogram` (400-point periodic Hann STFT every 160 samples,
    centred with reflect padding, librosa's Slaney mel filters as a fixed weight) with its last
    frame dropped, then ``log10`` clamped at 1e-10, floored at the example's maximum minus 8, and
    ``(x + 4) / 4``.

    Args:
        n_mels: 80 (Whisper tiny to large-v2) or 128 (large-v3). Default: ``80``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ...).

    Shapes: ``(batch, samples)`` -> ``(batch, samples // 160, n_mels)`` (3000 frames for 30 s);
    more than 200 samples (the reflect padding).

    Parity: ``layer(x)[b]`` equals ``whisper.audio.log_mel_spectrogram(x[b], n_mels).T`` to float32
    round-off. openai-whisper takes the ``max - 8`` floor over its whole input, so a batch passed to
    it in one call shares a maximum; here each example has its own (transformers'
    ``WhisperFeatureExtractor`` does the same on batches). ``presets.get("whisper")`` adds the pad
    or trim to 30 s.

    Example:
        >>> WhisperLogMel(n_mels=80)(np.zeros((2, 480000), "float32")).shape
        (2, 3000, 80)
    """

    input_layout = "(batch, samples)"

    def __init__(self, *, n_mels: int = 80, **kwargs: Unpack[LayerArguments]):
        super().__init__(**kwargs)
        self._keep_arguments({"n_mels": check_choice("n_mels", n_mels, (80, 128))})
        self.mel_spectrogram = MelSpectrogram(
            sample_rate=WHISPER_SAMPLE_RATE,
            n_mels=self.n_mels,
            power=2.0,
            name="mel_spectrogram",
            **WHISPER_STFT,
        )
        self.input_spec = keras.InputSpec(ndim=2)

    def build(self, input_shape):
        self._build_parts(input_shape, self.mel_spectrogram)

    def _transform(self, x):
        return whisper_scale(self.mel_spectrogram._transform(x)[:, :-1, :])

    def compute_output_shape(self, input_shape):
        samples = input_shape[1]
        return (
            input_shape[0],
            None if samples is None else samples // WHISPER_STFT["hop_length"],
            self.n_mels,
        )
