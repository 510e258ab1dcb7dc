"""Checks of the Kaldi front-end options (torchaudio.compliance.kaldi's names), resolved once.

:func:`kaldi_framing` resolves the framing options shared by the spectrogram, fbank and MFCC
(milliseconds to samples, the padded FFT size) and :func:`kaldi_mel` the mel-bank options
(``high_freq`` and ``vtln_high`` <= 0 as offsets from the Nyquist frequency), each raising a
:class:`~audioflow.errors.ParameterError` naming the argument where torchaudio asserts.
"""

from __future__ import annotations

from typing import NamedTuple

from audioflow._validation.basic import (
    check_bool,
    check_choice,
    check_int,
    check_number,
    memoised,
    parameter_error,
)

#: ``window_type`` values, as torchaudio.compliance.kaldi (Kaldi's ``--window-type``).
KALDI_WINDOWS = ("hamming", "hanning", "povey", "rectangular", "blackman")
#: Most samples in one Kaldi frame (2**16: 4 s at 16 kHz), so a typo fails here, not in memory.
MAX_KALDI_WINDOW = 2**16
#: Most mel bins of a Kaldi filterbank.
MAX_KALDI_MEL_BINS = 4096


class KaldiFraming(NamedTuple):
    """Resolved framing options: sizes in samples, floats and bools as Python values."""

    sample_frequency: float
    window_size: int
    window_shift: int
    padded_window_size: int
    window_type: str
    blackman_coeff: float
    snip_edges: bool
    dither: float
    remove_dc_offset: bool
    preemphasis_coefficient: float
    raw_energy: bool
    energy_floor: float
    min_duration: float
    subtract_mean: bool


class KaldiMel(NamedTuple):
    """Resolved mel-bank options: ``high_freq`` and ``vtln_high`` as frequencies in Hz."""

    num_mel_bins: int
    low_freq: float
    high_freq: float
    vtln_low: float
    vtln_high: float
    vtln_warp: float
    use_energy: bool
    htk_compat: bool
    use_log_fbank: bool
    use_power: bool


def _next_power_of_two(x: int) -> int:
    return 1 if x == 0 else 2 ** (x - 1).bit_length()


@memoised
def kaldi_framing(
    *,
    blackman_coeff: float,
    dither: float,
    energy_floor: float,
    frame_length: float,
    frame_shift: float,
    min_duration: float,
    preemphasis_coefficient: float,
    raw_energy: bool,
    remove_dc_offset: bool,
    round_to_power_of_two: bool,
    sample_frequency: float,
    snip_edges: bool,
    subtract_mean: bool,
    window_type: str,
) -> KaldiFraming:
    """The framing options checked and resolved (``frame_length``/``frame_shift`` ms -> samples)."""
    sample_frequency = float(check_number("sample_frequency", sample_frequency, exclusive_minimum=0.0))
    frame_length = check_number("frame_length", frame_length, exclusive_minimum=0.0)
    frame_shift = check_number("frame_shift", frame_shift, exclusive_minimum=0.0)
    # torchaudio: int(sample_frequency * ms * 0.001), truncated.
    window_size = int(sample_frequency * frame_length * 0.001)
    window_shift = int(sample_frequency * frame_shift * 0.001)
    if not 2 <= window_size <= MAX_KALDI_WINDOW:
        raise parameter_error(
            "frame_length",
            f"at least 2 and at most {MAX_KALDI_WINDOW} samples long at `sample_frequency`",
            frame_length=frame_length,
            sample_frequency=sample_frequency,
            samples=window_size,
        )
    if window_shift < 1:
        raise parameter_error(
            "frame_shift",
            "at least one sample long at `sample_frequency`",
            frame_shift=frame_shift,
            sample_frequency=sample_frequency,
        )
    round_to_power_of_two = check_bool("round_to_power_of_two", round_to_power_of_two)
    padded = _next_power_of_two(window_size) if round_to_power_of_two else window_size
    if padded % 2:
        raise parameter_error(
            "frame_length",
            "an even number of samples when `round_to_power_of_two=False`",
            frame_length=frame_length,
            samples=window_size,
            hint="Use round_to_power_of_two=True or change frame_length.",
        )
    return KaldiFraming(
        sample_frequency=sample_frequency,
        window_size=window_size,
        window_shift=window_shift,
        padded_window_size=padded,
        window_type=check_choice("window_type", window_type, KALDI_WINDOWS),
        blackman_coeff=float(check_number("blackman_coeff", blackman_coeff)),
        snip_edges=check_bool("snip_edges", snip_edges),
        dither=float(check_number("dither", dither, minimum=0.0)),
        remove_dc_offset=check_bool("remove_dc_offset", remove_dc_offset),
        preemphasis_coefficient=float(
            check_number("preemphasis_coefficient", preemphasis_coefficient, minimum=0.0, maximum=1.0)
        ),
        raw_energy=check_bool("raw_energy", raw_energy),
        energy_floor=float(check_number("energy_floor", energy_floor, minimum=0.0)),
        min_duration=float(check_number("min_duration", min_duration, minimum=0.0)),
        subtract_mean=check_bool("subtract_mean", subtract_mean),
    )


@memoised
def kaldi_mel(
    *,
    num_mel_bins: int,
    low_freq: float,
    high_freq: float,
    vtln_low: float,
    vtln_high: float,
    vtln_warp: float,
    sample_frequency: float,
    use_energy: bool = False,
    htk_compat: bool = False,
    use_log_fbank: bool = True,
    use_power: bool = True,
) -> KaldiMel:
    """The mel-bank options checked, ``high_freq``/``vtln_high`` <= 0 resolved against Nyquist."""
    num_mel_bins = check_int("num_mel_bins", num_mel_bins, minimum=4, maximum=MAX_KALDI_MEL_BINS)
    nyquist = 0.5 * float(sample_frequency)
    low = float(check_number("low_freq", low_freq))
    high = float(check_number("high_freq", high_freq))
    resolved_high = high + nyquist if high <= 0.0 else high
    if not 0.0 <= low < nyquist:
        raise parameter_error("low_freq", "in [0, Nyquist)", low_freq=low, nyquist=nyquist)
    if not 0.0 < resolved_high <= nyquist:
        raise parameter_error(
            "high_freq",
            "in (0, Nyquist], or <= 0 as an offset from Nyquist",
            high_freq=high,
            nyquist=nyquist,
        )
    if not low < resolved_high:
        raise parameter_error(
            "high_freq", "above `low_freq`", high_freq=high, resolved=resolved_high, low_freq=low
        )
    warp = float(check_number("vtln_warp", vtln_warp, exclusive_minimum=0.0))
    vtln_low = float(check_number("vtln_low", vtln_low))
    vtln_high = float(check_number("vtln_high", vtln_high))
    resolved_vtln_high = vtln_high + nyquist if vtln_high < 0.0 else vtln_high
    if warp != 1.0:
        if not low < vtln_low < resolved_high:
            raise parameter_error(
                "vtln_low",
                "between `low_freq` and `high_freq`",
                vtln_low=vtln_low,
                low_freq=low,
                high_freq=resolved_high,
            )
        if not (0.0 < resolved_vtln_high < resolved_high and vtln_low < resolved_vtln_high):
            raise parameter_error(
                "vtln_high",
                "above `vtln_low` and below `high_freq` (< 0: an offset from Nyquist)",
                vtln_high=vtln_high,
                resolved=resolved_vtln_high,
                vtln_low=vtln_low,
                high_freq=resolved_high,
            )
    return KaldiMel(
        num_mel_bins=num_mel_bins,
        low_freq=low,
        high_freq=resolved_high,
        vtln_low=vtln_low,
        vtln_high=resolved_vtln_high,
        vtln_warp=warp,
        use_energy=check_bool("use_energy", use_energy),
        htk_compat=check_bool("htk_compat", htk_compat),
        use_log_fbank=check_bool("use_log_fbank", use_log_fbank),
        use_power=check_bool("use_power", use_power),
    )


@memoised
def kaldi_cepstra(*, num_ceps: int, num_mel_bins: int, cepstral_lifter: float) -> tuple[int, float]:
    """``(num_ceps, cepstral_lifter)`` checked: ``1 <= num_ceps <= num_mel_bins``, lifter >= 0."""
    num_ceps = check_int("num_ceps", num_ceps, minimum=1)
    if num_ceps > num_mel_bins:
        raise parameter_error("num_ceps", "<= `num_mel_bins`", num_ceps=num_ceps, num_mel_bins=num_mel_bins)
    return num_ceps, float(check_number("cepstral_lifter", cepstral_lifter, minimum=0.0))
