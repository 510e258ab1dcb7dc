"""LFCC: a :class:`Spectrogram`, a linear filterbank, a :class:`PowerToDb` (or log) and a DCT (torchaudio's)."""

from __future__ import annotations

import keras
import numpy as np

from audioflow._compat import ops
from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_bool, check_int, parameter_error
from audioflow.layers.base import AudioLayer, on_axis, serializable
from audioflow.layers.scaling import PowerToDb
from audioflow.layers.spectral import Spectrogram
from audioflow.ops.features import apply_filterbank
from audioflow.ops.lfcc import lfcc_dct_matrix, linear_filterbank

__all__ = ["LFCC"]

_LOG_OFFSET = 1e-6  # torchaudio's log(S + 1e-6) when log_lf


@serializable
class LFCC(AudioLayer):
    """Linear-frequency cepstral coefficients, as ``torchaudio.transforms.LFCC`` (anti-spoofing front ends).

    The power spectrogram through ``n_filter`` linear triangular filters, in dB (``10 log10``,
    floored ``top_db`` below each example's maximum) or natural log (``log_lf``), then an
    orthonormal DCT-II keeping ``n_lfcc`` coefficients. Defaults are torchaudio's, including its
    spectrogram (``n_fft=400``, ``hop_length = win_length // 2``, reflect padding), so
    ``LFCC(sample_rate=16000)(x)[b]`` equals ``torchaudio.transforms.LFCC(sample_rate=16000)(x[b]).T``.
    The dB floor is taken per example (torchaudio called on a batch takes it over the whole batch).

    Args:
        sample_rate: Hz, > 0. Default: ``16000``.
        n_filter: linear filters, >= 1. Default: ``128``.
        f_min: lowest filter corner in Hz, >= 0. Default: ``0.0``.
        f_max: highest filter corner in Hz; None means ``sample_rate // 2``. Default: ``None``.
        n_lfcc: coefficients kept, 1 <= ``n_lfcc`` <= ``n_filter``. Default: ``40``.
        dct_type: 2 (the only type torchaudio's LFCC has). Default: ``2``.
        norm: "ortho" (orthonormal DCT) or None (torchaudio's ``2 *`` unnormalised DCT). Default: ``'ortho'``.
        log_lf: natural log ``log(S + 1e-6)`` instead of dB. Default: ``False``.
        top_db: dB range kept below each example's maximum (None keeps all; unused with
            ``log_lf``). Default: ``80.0``.
        n_fft: FFT size in samples. Default: ``400``.
        win_length: window length <= ``n_fft``; None means ``n_fft``. Default: ``None``.
        hop_length: samples between frames; None means ``win_length // 2`` (torchaudio). Default: ``None``.
        window: window name, tuple or array (periodic, as ``torch.hann_window``). Default: ``'hann'``.
        center: pad ``n_fft // 2`` on both sides. Default: ``True``.
        pad_mode: padding for ``center``: "reflect" matches torchaudio. Default: ``'reflect'``.
        power: exponent of the magnitude, > 0. Default: ``2.0``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples[, channels])`` -> ``(batch, frames, n_lfcc[, channels])``.

    Example:
        >>> LFCC(sample_rate=16000, n_lfcc=20)(np.zeros((2, 16000), "float32")).shape
        (2, 81, 20)
    """

    input_layout = "(batch, samples) or (batch, samples, channels)"

    def __init__(
        self,
        *,
        sample_rate: int = 16000,
        n_filter: int = 128,
        f_min: float = 0.0,
        f_max: float | None = None,
        n_lfcc: int = 40,
        dct_type: int = 2,
        norm: str | None = "ortho",
        log_lf: bool = False,
        top_db: float | None = 80.0,
        n_fft: int = 400,
        win_length: int | None = None,
        hop_length: int | None = None,
        window: str | tuple | list = "hann",
        center: bool = True,
        pad_mode: str = "reflect",
        power: float = 2.0,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        if check_int("dct_type", dct_type) != 2:
            raise parameter_error("dct_type", "2 (torchaudio's LFCC has no other)", dct_type=dct_type)
        window_samples = check_int("win_length", win_length, minimum=1, allow_none=True) or check_int(
            "n_fft", n_fft, minimum=2
        )
        self.spectrogram = Spectrogram(
            n_fft=n_fft,
            win_length=win_length,
            hop_length=hop_length if hop_length is not None else max(window_samples // 2, 1),
            window=window,
            center=center,
            pad_mode=pad_mode,
            power=power,
            name="spectrogram",
        )
        self.power_to_db = PowerToDb(ref=1.0, amin=1e-10, top_db=top_db, name="power_to_db")
        self._filters = linear_filterbank(
            sample_rate=sample_rate, n_fft=n_fft, n_filter=n_filter, f_min=f_min, f_max=f_max
        ).astype(np.float32)
        self._dct = lfcc_dct_matrix(n_lfcc=n_lfcc, n_filter=n_filter, norm=norm).astype(np.float32)
        self._log_lf = check_bool("log_lf", log_lf)
        self._adopt_arguments(self.spectrogram)
        self._adopt_arguments(self.power_to_db)
        for name in ("ref", "amin"):  # fixed by torchaudio, not arguments here
            self._passed.pop(name, None)
            delattr(self, name)
        self._keep_arguments(
            dict(sample_rate=sample_rate, n_filter=n_filter, f_min=f_min, f_max=f_max, n_lfcc=n_lfcc)
        )
        self._keep_arguments(dict(dct_type=dct_type, norm=norm, log_lf=log_lf, hop_length=hop_length))
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        self._build_parts(input_shape, self.spectrogram)
        self.power_to_db.build(
            self.spectrogram.compute_output_shape(input_shape)[:2] + (self._filters.shape[1],)
        )

    def _transform(self, x):
        S = self.spectrogram._transform(x)
        filtered = on_axis(lambda s: apply_filterbank(s, self._filters), S, 2)
        if self._log_lf:
            logs = ops.log(filtered + _LOG_OFFSET)
        else:
            logs = self.power_to_db._transform(filtered)
        return on_axis(lambda s: apply_filterbank(s, self._dct), logs, 2)

    def compute_output_shape(self, input_shape):
        shape = self.spectrogram.compute_output_shape(input_shape)
        return (shape[0], shape[1], self._dct.shape[1], *shape[3:])
