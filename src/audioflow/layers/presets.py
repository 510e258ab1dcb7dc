"""The feature extractors of published models as layers: Whisper, AST, Wav2Vec2 (see :mod:`audioflow.presets`).

Each reproduces a Hugging Face ``transformers`` extractor from raw 16 kHz audio inside the model,
so an exported model takes the waveform. Outputs are time-major, ``(batch, frames, features)``
(transformers' Whisper extractor returns ``(batch, features, frames)``: the same numbers, transposed).
"""

from __future__ import annotations

import keras

from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_choice, check_int, check_number
from audioflow.layers.base import AudioLayer, serializable
from audioflow.layers.kaldi import KaldiFbank
from audioflow.layers.whisper import WhisperLogMel
from audioflow.ops.normalize import fix_length, zero_mean_unit_variance

__all__ = ["ASTFeatures", "Wav2Vec2Features", "WhisperFeatures"]

#: 30 s at 16 kHz: the window every Whisper model reads.
WHISPER_SAMPLES = 480000


@serializable
class WhisperFeatures(AudioLayer):
    """transformers' ``WhisperFeatureExtractor``: pad or trim to 30 s, then :class:`WhisperLogMel`.

    Args:
        n_mels: 80 (``feature_size=80``, Whisper tiny to large-v2) or 128 (large-v3). Default: ``80``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples)`` 16 kHz in [-1, 1] -> ``(batch, 3000, n_mels)``.

    Parity: ``layer(x)`` equals ``WhisperFeatureExtractor(feature_size=n_mels)(list(x),
    sampling_rate=16000).input_features`` transposed (each example its own ``max - 8`` floor).

    Example:
        >>> WhisperFeatures()(np.zeros((1, 16000), "float32")).shape
        (1, 3000, 80)
    """

    input_layout = "(batch, samples)"

    def __init__(self, *, n_mels: int = 80, **kwargs: Unpack[LayerArguments]):
        super().__init__(**kwargs)
        self._keep_arguments({"n_mels": check_choice("n_mels", n_mels, (80, 128))})
        self.log_mel = WhisperLogMel(n_mels=self.n_mels, name="log_mel")
        self.input_spec = keras.InputSpec(ndim=2)

    def build(self, input_shape):
        AudioLayer.build(self, input_shape)
        self.log_mel.build((input_shape[0], WHISPER_SAMPLES))

    def _transform(self, x):
        return self.log_mel._transform(fix_length(x, length=WHISPER_SAMPLES))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], WHISPER_SAMPLES // 160, self.n_mels)


@serializable
class ASTFeatures(AudioLayer):
    """transformers' ``ASTFeatureExtractor`` (Audio Spectrogram Transformer, AudioSet defaults).

    Kaldi fbank (``torchaudio.compliance.kaldi.fbank(x, window_type="hanning", num_mel_bins=128)``,
    the waveform as given), frames zero-padded or trimmed to ``max_length``, then
    ``(x - mean) / (2 * std)``.

    Args:
        max_length: frames out (1024 = 10.24 s). Default: ``1024``.
        num_mel_bins: mel bins of the Kaldi filterbank. Default: ``128``.
        mean: AudioSet mean of the features. Default: ``-4.2677393``.
        std: AudioSet standard deviation (> 0). Default: ``4.5689974``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples)`` 16 kHz -> ``(batch, max_length, num_mel_bins)``.

    Parity: equals ``ASTFeatureExtractor()(list(x), sampling_rate=16000).input_values``.

    Example:
        >>> ASTFeatures()(np.zeros((1, 16000), "float32")).shape
        (1, 1024, 128)
    """

    input_layout = "(batch, samples)"

    def __init__(
        self,
        *,
        max_length: int = 1024,
        num_mel_bins: int = 128,
        mean: float = -4.2677393,
        std: float = 4.5689974,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._keep_arguments(
            {
                "max_length": check_int("max_length", max_length, minimum=1),
                "num_mel_bins": check_int("num_mel_bins", num_mel_bins, minimum=4),
                "mean": float(check_number("mean", mean)),
                "std": float(check_number("std", std, exclusive_minimum=0.0)),
            }
        )
        self.fbank = KaldiFbank(window_type="hanning", num_mel_bins=self.num_mel_bins, name="fbank")
        self.input_spec = keras.InputSpec(ndim=2)

    def build(self, input_shape):
        self._build_parts(input_shape, self.fbank)

    def _transform(self, x):
        features = fix_length(self.fbank._transform(x), length=self.max_length, axis=1)
        return (features - self.mean) / (2.0 * self.std)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.max_length, self.num_mel_bins)


@serializable
class Wav2Vec2Features(AudioLayer):
    """transformers' ``Wav2Vec2FeatureExtractor(do_normalize=True)``: each waveform z-scored.

    ``(x - mean) / sqrt(variance + epsilon)`` over each example's samples (wav2vec 2.0, HuBERT,
    WavLM and XLS-R take normalised raw audio).

    Args:
        epsilon: added to the variance (>= 0; transformers' value). Default: ``1e-07``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples)`` -> ``(batch, samples)``.

    Parity: equals ``Wav2Vec2FeatureExtractor(do_normalize=True)(list(x),
    sampling_rate=16000).input_values``.

    Example:
        >>> Wav2Vec2Features()(np.ones((1, 4), "float32")).shape
        (1, 4)
    """

    input_layout = "(batch, samples)"

    def __init__(self, *, epsilon: float = 1e-7, **kwargs: Unpack[LayerArguments]):
        super().__init__(**kwargs)
        self._keep_arguments({"epsilon": float(check_number("epsilon", epsilon, minimum=0.0))})
        self.input_spec = keras.InputSpec(ndim=2)

    def _transform(self, x):
        return zero_mean_unit_variance(x, epsilon=self.epsilon)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
