"""Kaldi front-end layers: KaldiSpectrogram, KaldiFbank, KaldiMFCC (torchaudio.compliance.kaldi's options).

``KaldiFbank(num_mel_bins=80)(x)[b]`` equals ``torchaudio.compliance.kaldi.fbank(x[b:b+1],
num_mel_bins=80)``, batched and inside the model (exportable with it). The arguments are
torchaudio's, with its defaults; the maths is :mod:`audioflow.ops.kaldi`. Used by AST, BEATs,
WeNet, WeSpeaker and ECAPA-style speaker models (80 or 128 bins).

``call(inputs, lengths=None, training=None)``: ``inputs`` ``(batch, samples)`` in any scale;
``lengths`` (optional, ``(batch,)`` integers) gives each example its own length, frame count and
``subtract_mean`` (its frames past its own count are zero). ``dither > 0`` adds Gaussian noise
from the layer's ``keras.random.SeedGenerator`` (``seed``) when ``training`` is true (as
``Model.fit`` calls it), a new draw per example and step; inference and export are deterministic
(torchaudio dithers on every call: pass ``training=True`` for that).
"""

from __future__ import annotations

import keras

from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_int
from audioflow._validation.kaldi import kaldi_cepstra, kaldi_framing, kaldi_mel
from audioflow.config import arguments_of
from audioflow.layers.base import AudioLayer, serializable
from audioflow.ops.kaldi_core import fbank_features, kaldi_num_frames, mfcc_features, spectrogram_features

__all__ = ["KaldiFbank", "KaldiMFCC", "KaldiSpectrogram"]

#: The framing options every Kaldi layer takes (torchaudio's names), in torchaudio's order.
_FRAMING = (
    "blackman_coeff",
    "dither",
    "energy_floor",
    "frame_length",
    "frame_shift",
    "min_duration",
    "preemphasis_coefficient",
    "raw_energy",
    "remove_dc_offset",
    "round_to_power_of_two",
    "sample_frequency",
    "snip_edges",
    "subtract_mean",
    "window_type",
)
_MEL = (
    "num_mel_bins",
    "low_freq",
    "high_freq",
    "vtln_low",
    "vtln_high",
    "vtln_warp",
    "use_energy",
    "htk_compat",
)


def _without_seed(arguments: dict) -> dict:
    return {name: value for name, value in arguments.items() if name != "seed"}


class _KaldiLayer(AudioLayer):
    """What the three Kaldi layers share: arguments kept, framing resolved, dither seed, lengths."""

    input_layout = "(batch, samples)"

    def _setup(self, arguments: dict, seed):
        seed = check_int("seed", seed, allow_none=True)
        self._keep_arguments({**arguments, "seed": seed})
        self._framing = kaldi_framing(**{name: arguments[name] for name in _FRAMING})
        self.seed_generator = keras.random.SeedGenerator(seed) if self._framing.dither > 0 else None
        self.input_spec = keras.InputSpec(ndim=2)

    def _mel_options(self, arguments: dict, **overrides):
        return kaldi_mel(
            **{name: arguments[name] for name in _MEL},
            sample_frequency=self._framing.sample_frequency,
            **overrides,
        )

    def call(self, inputs, lengths=None, training=None):
        x = self._compute_input(inputs)
        framing = self._framing
        if framing.dither > 0 and not training:
            framing = framing._replace(dither=0.0)
        return self._output(self._features(x, framing, lengths, self.seed_generator))

    def _transform(self, x):
        """The features without dither or lengths (what a layer composed of this one computes)."""
        return self._features(x, self._framing._replace(dither=0.0), None, None)

    def _features(self, x, framing, lengths, seed):
        raise NotImplementedError

    def _bins(self) -> int:
        raise NotImplementedError

    def compute_output_shape(self, inputs_shape, lengths_shape=None):
        samples = inputs_shape[1]
        frames = None if samples is None else kaldi_num_frames(int(samples), self._framing)
        return (inputs_shape[0], frames, self._bins())


@serializable
class KaldiSpectrogram(_KaldiLayer):
    """Kaldi's log power spectrogram, as ``torchaudio.compliance.kaldi.spectrogram``, batched.

    Args:
        blackman_coeff: coefficient of the "blackman" window. Default: ``0.42``.
        dither: standard deviation of Gaussian noise added to each frame in training (0: none).
            Default: ``0.0``.
        energy_floor: floor on the log-energy column, as ``log(energy_floor)`` (0: eps only).
            Default: ``1.0``.
        frame_length: frame length in ms (25 ms = 400 samples at 16 kHz; at least 2 samples).
            Default: ``25.0``.
        frame_shift: frame shift in ms (> 0; 10 ms = 160 samples at 16 kHz). Default: ``10.0``.
        min_duration: an example shorter than this many seconds has no frames. Default: ``0.0``.
        preemphasis_coefficient: in [0, 1]: ``x[n] -= c * x[n - 1]`` within each frame. Default: ``0.97``.
        raw_energy: log-energy before pre-emphasis and window (False: after). Default: ``True``.
        remove_dc_offset: subtract each frame's mean. Default: ``True``.
        round_to_power_of_two: zero-pad each frame to the next power of two for the FFT. Default: ``True``.
        sample_frequency: Hz of the input (> 0). Default: ``16000.0``.
        snip_edges: True: only frames that fit; False: ``(samples + shift // 2) // shift`` frames, the signal
            reflected at its ends. Default: ``True``.
        subtract_mean: subtract each example's mean over its frames from every column. Default: ``False``.
        window_type: "povey" (Hann ** 0.85), "hanning", "hamming", "rectangular" or "blackman".
            Default: ``'povey'``.
        seed: int or None, the dither's seed. Default: ``None``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ...).

    Shapes: ``(batch, samples)`` -> ``(batch, frames, padded // 2 + 1)`` (257 at the defaults;
    column 0 is the log-energy). An input shorter than a frame gives zero frames.

    Parity: ``layer(x)[b]`` equals ``torchaudio.compliance.kaldi.spectrogram(x[b:b+1], **same)``
    to 1e-4 of its norm (float32 round-off; tests/layers/test_kaldi.py).

    Example:
        >>> KaldiSpectrogram()(np.zeros((2, 16000), "float32")).shape
        (2, 98, 257)
    """

    def __init__(
        self,
        *,
        blackman_coeff: float = 0.42,
        dither: float = 0.0,
        energy_floor: float = 1.0,
        frame_length: float = 25.0,
        frame_shift: float = 10.0,
        min_duration: float = 0.0,
        preemphasis_coefficient: float = 0.97,
        raw_energy: bool = True,
        remove_dc_offset: bool = True,
        round_to_power_of_two: bool = True,
        sample_frequency: float = 16000.0,
        snip_edges: bool = True,
        subtract_mean: bool = False,
        window_type: str = "povey",
        seed: int | None = None,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._setup(_without_seed(arguments_of(KaldiSpectrogram, locals())), seed)

    def _features(self, x, framing, lengths, seed):
        return spectrogram_features(x, framing, lengths=lengths, seed=seed)

    def _bins(self) -> int:
        return self._framing.padded_window_size // 2 + 1


@serializable
class KaldiFbank(_KaldiLayer):
    """Kaldi's log mel filterbank, as ``torchaudio.compliance.kaldi.fbank``, batched.

    Args:
        blackman_coeff: coefficient of the "blackman" window. Default: ``0.42``.
        dither: standard deviation of Gaussian noise added to each frame in training (0: none).
            Default: ``0.0``.
        energy_floor: floor on the log-energy column, as ``log(energy_floor)`` (0: eps only).
            Default: ``1.0``.
        frame_length: frame length in ms (25 ms = 400 samples at 16 kHz; at least 2 samples).
            Default: ``25.0``.
        frame_shift: frame shift in ms (> 0; 10 ms = 160 samples at 16 kHz). Default: ``10.0``.
        high_freq: upper edge of the mel bank in Hz; <= 0 is an offset from Nyquist (0.0 is Nyquist).
            Default: ``0.0``.
        htk_compat: put the energy column last instead of first. Default: ``False``.
        low_freq: lower edge of the mel bank in Hz, in [0, Nyquist) and below ``high_freq``.
            Default: ``20.0``.
        min_duration: an example shorter than this many seconds has no frames. Default: ``0.0``.
        num_mel_bins: triangular mel filters (> 3; 80 or 128 in most models: AST and BEATs use 128, WeNet and
            WeSpeaker 80). Default: ``23``.
        preemphasis_coefficient: in [0, 1]: ``x[n] -= c * x[n - 1]`` within each frame. Default: ``0.97``.
        raw_energy: log-energy before pre-emphasis and window (False: after). Default: ``True``.
        remove_dc_offset: subtract each frame's mean. Default: ``True``.
        round_to_power_of_two: zero-pad each frame to the next power of two for the FFT. Default: ``True``.
        sample_frequency: Hz of the input (> 0). Default: ``16000.0``.
        snip_edges: True: only frames that fit; False: ``(samples + shift // 2) // shift`` frames, the signal
            reflected at its ends. Default: ``True``.
        subtract_mean: subtract each example's mean over its frames from every column. Default: ``False``.
        use_energy: prepend (or append, ``htk_compat``) the frame's log-energy. Default: ``False``.
        use_log_fbank: log of the mel energies (floored at float32 eps). Default: ``True``.
        use_power: power spectrum (False: magnitude). Default: ``True``.
        vtln_high: upper VTLN cutoff in Hz; < 0 is an offset from Nyquist. Default: ``-500.0``.
        vtln_low: lower VTLN cutoff in Hz. Default: ``100.0``.
        vtln_warp: VTLN warp factor (> 0; 1.0: no warping). Default: ``1.0``.
        window_type: "povey" (Hann ** 0.85), "hanning", "hamming", "rectangular" or "blackman".
            Default: ``'povey'``.
        seed: int or None, the dither's seed. Default: ``None``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples)`` -> ``(batch, frames, num_mel_bins + use_energy)``.

    Parity: ``layer(x)[b]`` equals ``torchaudio.compliance.kaldi.fbank(x[b:b+1], **same)`` to 1e-4
    of its norm; kaldi-native-fbank's default fbank agrees too.

    Example:
        >>> KaldiFbank(num_mel_bins=80)(np.zeros((2, 16000), "float32")).shape
        (2, 98, 80)
    """

    def __init__(
        self,
        *,
        blackman_coeff: float = 0.42,
        dither: float = 0.0,
        energy_floor: float = 1.0,
        frame_length: float = 25.0,
        frame_shift: float = 10.0,
        high_freq: float = 0.0,
        htk_compat: bool = False,
        low_freq: float = 20.0,
        min_duration: float = 0.0,
        num_mel_bins: int = 23,
        preemphasis_coefficient: float = 0.97,
        raw_energy: bool = True,
        remove_dc_offset: bool = True,
        round_to_power_of_two: bool = True,
        sample_frequency: float = 16000.0,
        snip_edges: bool = True,
        subtract_mean: bool = False,
        use_energy: bool = False,
        use_log_fbank: bool = True,
        use_power: bool = True,
        vtln_high: float = -500.0,
        vtln_low: float = 100.0,
        vtln_warp: float = 1.0,
        window_type: str = "povey",
        seed: int | None = None,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        arguments = _without_seed(arguments_of(KaldiFbank, locals()))
        self._setup(arguments, seed)
        self._mel = self._mel_options(arguments, use_log_fbank=use_log_fbank, use_power=use_power)

    def _features(self, x, framing, lengths, seed):
        return fbank_features(x, framing, self._mel, lengths=lengths, seed=seed)

    def _bins(self) -> int:
        return self._mel.num_mel_bins + int(self._mel.use_energy)


@serializable
class KaldiMFCC(_KaldiLayer):
    """Kaldi's MFCCs, as ``torchaudio.compliance.kaldi.mfcc``, batched.

    Args:
        blackman_coeff: coefficient of the "blackman" window. Default: ``0.42``.
        cepstral_lifter: L of the lifter ``1 + L / 2 sin(pi i / L)`` (>= 0; 0: none). Default: ``22.0``.
        dither: standard deviation of Gaussian noise added to each frame in training (0: none).
            Default: ``0.0``.
        energy_floor: floor on the log-energy column, as ``log(energy_floor)`` (0: eps only).
            Default: ``1.0``.
        frame_length: frame length in ms (25 ms = 400 samples at 16 kHz; at least 2 samples).
            Default: ``25.0``.
        frame_shift: frame shift in ms (> 0; 10 ms = 160 samples at 16 kHz). Default: ``10.0``.
        high_freq: upper edge of the mel bank in Hz; <= 0 is an offset from Nyquist (0.0 is Nyquist).
            Default: ``0.0``.
        htk_compat: move C0 (or the log-energy) last; C0 times sqrt(2) without ``use_energy``.
            Default: ``False``.
        low_freq: lower edge of the mel bank in Hz, in [0, Nyquist) and below ``high_freq``.
            Default: ``20.0``.
        num_ceps: cepstra kept, in [1, ``num_mel_bins``]. Default: ``13``.
        min_duration: an example shorter than this many seconds has no frames. Default: ``0.0``.
        num_mel_bins: triangular mel filters (> 3; 80 or 128 in most models: AST and BEATs use 128, WeNet and
            WeSpeaker 80). Default: ``23``.
        preemphasis_coefficient: in [0, 1]: ``x[n] -= c * x[n - 1]`` within each frame. Default: ``0.97``.
        raw_energy: log-energy before pre-emphasis and window (False: after). Default: ``True``.
        remove_dc_offset: subtract each frame's mean. Default: ``True``.
        round_to_power_of_two: zero-pad each frame to the next power of two for the FFT. Default: ``True``.
        sample_frequency: Hz of the input (> 0). Default: ``16000.0``.
        snip_edges: True: only frames that fit; False: ``(samples + shift // 2) // shift`` frames, the signal
            reflected at its ends. Default: ``True``.
        subtract_mean: subtract each example's mean over its frames from every column. Default: ``False``.
        use_energy: put the frame's log-energy in place of C0. Default: ``False``.
        vtln_high: upper VTLN cutoff in Hz; < 0 is an offset from Nyquist. Default: ``-500.0``.
        vtln_low: lower VTLN cutoff in Hz. Default: ``100.0``.
        vtln_warp: VTLN warp factor (> 0; 1.0: no warping). Default: ``1.0``.
        window_type: "povey" (Hann ** 0.85), "hanning", "hamming", "rectangular" or "blackman".
            Default: ``'povey'``.
        seed: int or None, the dither's seed. Default: ``None``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples)`` -> ``(batch, frames, num_ceps)``.

    Parity: ``layer(x)[b]`` equals ``torchaudio.compliance.kaldi.mfcc(x[b:b+1], **same)`` to 1e-4 of
    its norm.

    Example:
        >>> KaldiMFCC()(np.zeros((2, 16000), "float32")).shape
        (2, 98, 13)
    """

    def __init__(
        self,
        *,
        blackman_coeff: float = 0.42,
        cepstral_lifter: float = 22.0,
        dither: float = 0.0,
        energy_floor: float = 1.0,
        frame_length: float = 25.0,
        frame_shift: float = 10.0,
        high_freq: float = 0.0,
        htk_compat: bool = False,
        low_freq: float = 20.0,
        num_ceps: int = 13,
        min_duration: float = 0.0,
        num_mel_bins: int = 23,
        preemphasis_coefficient: float = 0.97,
        raw_energy: bool = True,
        remove_dc_offset: bool = True,
        round_to_power_of_two: bool = True,
        sample_frequency: float = 16000.0,
        snip_edges: bool = True,
        subtract_mean: bool = False,
        use_energy: bool = False,
        vtln_high: float = -500.0,
        vtln_low: float = 100.0,
        vtln_warp: float = 1.0,
        window_type: str = "povey",
        seed: int | None = None,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        arguments = _without_seed(arguments_of(KaldiMFCC, locals()))
        self._setup(arguments, seed)
        self._mel = self._mel_options(arguments)
        self._num_ceps, self._lifter = kaldi_cepstra(
            num_ceps=num_ceps, num_mel_bins=self._mel.num_mel_bins, cepstral_lifter=cepstral_lifter
        )

    def _features(self, x, framing, lengths, seed):
        return mfcc_features(
            x,
            framing,
            self._mel,
            num_ceps=self._num_ceps,
            cepstral_lifter=self._lifter,
            lengths=lengths,
            seed=seed,
        )

    def _bins(self) -> int:
        return self._num_ceps
