"""Kaldi spectrogram, filterbank and MFCC features of a batch, with torchaudio.compliance.kaldi's options.

``kaldi_fbank(x, num_mel_bins=80)[b]`` equals ``torchaudio.compliance.kaldi.fbank(x[b:b+1],
num_mel_bins=80)``: the option names and defaults are torchaudio's (``frame_length`` and
``frame_shift`` in milliseconds, ``sample_frequency`` in Hz), so a line of torchaudio code ports
by changing the function name. Differences from torchaudio: the input is a batch ``(batch,
samples)`` instead of ``(channels, samples)`` (no ``channel`` option: pick the channel before), a
signal shorter than one frame gives zero frames (torchaudio raises; Kaldi gives zero frames with
``snip_edges=True`` and reflects as often as needed with ``snip_edges=False``, as here), and
``lengths`` gives each example its own length (:mod:`audioflow.ops.kaldi_core`). Input in any
scale: Kaldi recipes (WeNet, BEATs) pass int16-scale floats (``x * 2 ** 15``).
"""

from __future__ import annotations

from audioflow._validation.kaldi import kaldi_cepstra, kaldi_framing, kaldi_mel
from audioflow.ops.kaldi_core import fbank_features, mfcc_features, spectrogram_features

__all__ = ["kaldi_fbank", "kaldi_mfcc", "kaldi_spectrogram"]


def kaldi_spectrogram(
    x,
    *,
    lengths=None,
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
    seed=None,
):
    """Kaldi's log power spectrogram (``compute-spectrogram-feats``): ``(batch, samples)`` -> ``(batch, frames, bins)``.

    ``bins = padded // 2 + 1`` where ``padded`` is the frame length in samples rounded up to a
    power of two (``round_to_power_of_two``); column 0 holds the frame's log-energy.

    Args:
        x: waveforms ``(batch, samples)``, any scale (int16-scale floats as Kaldi recipes pass them).
        lengths: optional ``(batch,)`` integers, each example's own length in samples (<= samples): its frame
            count, reflected ends and ``subtract_mean`` use only those samples, and its frames past its own
            count are zero; None: every example is ``samples`` long. Default: ``None``.
        blackman_coeff: coefficient of the "blackman" window. Default: ``0.42``.
        dither: standard deviation of Gaussian noise added to each frame (0: none). Default: ``0.0``.
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
        sample_frequency: Hz of ``x`` (> 0). Default: ``16000.0``.
        snip_edges: True: only frames that fit; False: ``(samples + shift // 2) // shift`` frames, the signal
            reflected at its ends. Default: ``True``.
        subtract_mean: subtract each example's mean over its frames from every column. Default: ``False``.
        window_type: "povey" (Hann ** 0.85), "hanning", "hamming", "rectangular" or "blackman".
            Default: ``'povey'``.
        seed: ``keras.random.SeedGenerator``, int or None: the dither noise's seed. Default: ``None``.

    Returns:
        ``(batch, frames, padded // 2 + 1)`` float32 (float64 for float64 input).

    Parity: ``kaldi_spectrogram(x, **options)[b]`` equals
    ``torchaudio.compliance.kaldi.spectrogram(x[b:b+1], **options)`` (float64 reference) to 1e-4 of
    its norm, torchaudio's own tolerance against the Kaldi binaries.

    Example:
        >>> kaldi_spectrogram(np.zeros((2, 16000), "float32")).shape
        (2, 98, 257)
    """
    framing = kaldi_framing(
        blackman_coeff=blackman_coeff,
        dither=dither,
        energy_floor=energy_floor,
        frame_length=frame_length,
        frame_shift=frame_shift,
        min_duration=min_duration,
        preemphasis_coefficient=preemphasis_coefficient,
        raw_energy=raw_energy,
        remove_dc_offset=remove_dc_offset,
        round_to_power_of_two=round_to_power_of_two,
        sample_frequency=sample_frequency,
        snip_edges=snip_edges,
        subtract_mean=subtract_mean,
        window_type=window_type,
    )
    return spectrogram_features(x, framing, lengths=lengths, seed=seed)


def kaldi_fbank(
    x,
    *,
    lengths=None,
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
    seed=None,
):
    """Kaldi's log mel filterbank (``compute-fbank-feats``): ``(batch, samples)`` -> ``(batch, frames, bins)``.

    ``bins = num_mel_bins`` (+1 with ``use_energy``). The framing options are those of
    :func:`kaldi_spectrogram`.

    Args:
        x: waveforms ``(batch, samples)``, any scale (int16-scale floats as Kaldi recipes pass them).
        lengths: optional ``(batch,)`` integers, each example's own length in samples (<= samples): its frame
            count, reflected ends and ``subtract_mean`` use only those samples, and its frames past its own
            count are zero; None: every example is ``samples`` long. Default: ``None``.
        blackman_coeff: coefficient of the "blackman" window. Default: ``0.42``.
        dither: standard deviation of Gaussian noise added to each frame (0: none). Default: ``0.0``.
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
        sample_frequency: Hz of ``x`` (> 0). Default: ``16000.0``.
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
        seed: ``keras.random.SeedGenerator``, int or None: the dither noise's seed. Default: ``None``.

    Returns:
        ``(batch, frames, num_mel_bins + use_energy)``.

    Parity: ``kaldi_fbank(x, **options)[b]`` equals ``torchaudio.compliance.kaldi.fbank(x[b:b+1],
    **options)`` to 1e-4 of its norm; kaldi-native-fbank's default fbank agrees too.

    Example:
        >>> kaldi_fbank(np.zeros((2, 16000), "float32"), num_mel_bins=80).shape
        (2, 98, 80)
    """
    framing = kaldi_framing(
        blackman_coeff=blackman_coeff,
        dither=dither,
        energy_floor=energy_floor,
        frame_length=frame_length,
        frame_shift=frame_shift,
        min_duration=min_duration,
        preemphasis_coefficient=preemphasis_coefficient,
        raw_energy=raw_energy,
        remove_dc_offset=remove_dc_offset,
        round_to_power_of_two=round_to_power_of_two,
        sample_frequency=sample_frequency,
        snip_edges=snip_edges,
        subtract_mean=subtract_mean,
        window_type=window_type,
    )
    mel = kaldi_mel(
        num_mel_bins=num_mel_bins,
        low_freq=low_freq,
        high_freq=high_freq,
        vtln_low=vtln_low,
        vtln_high=vtln_high,
        vtln_warp=vtln_warp,
        sample_frequency=framing.sample_frequency,
        use_energy=use_energy,
        htk_compat=htk_compat,
        use_log_fbank=use_log_fbank,
        use_power=use_power,
    )
    return fbank_features(x, framing, mel, lengths=lengths, seed=seed)


def kaldi_mfcc(
    x,
    *,
    lengths=None,
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
    seed=None,
):
    """Kaldi's MFCCs (``compute-mfcc-feats``): ``(batch, samples)`` -> ``(batch, frames, num_ceps)``.

    The log mel filterbank (:func:`kaldi_fbank` with ``use_log_fbank=True, use_power=True``) times
    the orthonormal DCT, liftered; ``use_energy`` puts the log-energy in place of C0, and
    ``htk_compat`` moves C0 last (times sqrt(2) without ``use_energy``).

    Args:
        x: waveforms ``(batch, samples)``, any scale (int16-scale floats as Kaldi recipes pass them).
        lengths: optional ``(batch,)`` integers, each example's own length in samples (<= samples): its frame
            count, reflected ends and ``subtract_mean`` use only those samples, and its frames past its own
            count are zero; None: every example is ``samples`` long. Default: ``None``.
        blackman_coeff: coefficient of the "blackman" window. Default: ``0.42``.
        cepstral_lifter: L of the lifter ``1 + L / 2 sin(pi i / L)`` (>= 0; 0: none). Default: ``22.0``.
        dither: standard deviation of Gaussian noise added to each frame (0: none). Default: ``0.0``.
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
        sample_frequency: Hz of ``x`` (> 0). Default: ``16000.0``.
        snip_edges: True: only frames that fit; False: ``(samples + shift // 2) // shift`` frames, the signal
            reflected at its ends. Default: ``True``.
        subtract_mean: subtract each example's mean over its frames from every column. Default: ``False``.
        use_energy: put the frame's log-energy in place of C0. Default: ``False``.
        vtln_high: upper VTLN cutoff in Hz; < 0 is an offset from Nyquist. Default: ``-500.0``.
        vtln_low: lower VTLN cutoff in Hz. Default: ``100.0``.
        vtln_warp: VTLN warp factor (> 0; 1.0: no warping). Default: ``1.0``.
        window_type: "povey" (Hann ** 0.85), "hanning", "hamming", "rectangular" or "blackman".
            Default: ``'povey'``.
        seed: ``keras.random.SeedGenerator``, int or None: the dither noise's seed. Default: ``None``.

    Returns:
        ``(batch, frames, num_ceps)``.

    Parity: ``kaldi_mfcc(x, **options)[b]`` equals ``torchaudio.compliance.kaldi.mfcc(x[b:b+1],
    **options)`` to 1e-4 of its norm.

    Example:
        >>> kaldi_mfcc(np.zeros((2, 16000), "float32")).shape
        (2, 98, 13)
    """
    framing = kaldi_framing(
        blackman_coeff=blackman_coeff,
        dither=dither,
        energy_floor=energy_floor,
        frame_length=frame_length,
        frame_shift=frame_shift,
        min_duration=min_duration,
        preemphasis_coefficient=preemphasis_coefficient,
        raw_energy=raw_energy,
        remove_dc_offset=remove_dc_offset,
        round_to_power_of_two=round_to_power_of_two,
        sample_frequency=sample_frequency,
        snip_edges=snip_edges,
        subtract_mean=subtract_mean,
        window_type=window_type,
    )
    mel = kaldi_mel(
        num_mel_bins=num_mel_bins,
        low_freq=low_freq,
        high_freq=high_freq,
        vtln_low=vtln_low,
        vtln_high=vtln_high,
        vtln_warp=vtln_warp,
        sample_frequency=framing.sample_frequency,
        use_energy=use_energy,
        htk_compat=htk_compat,
    )
    num_ceps, cepstral_lifter = kaldi_cepstra(
        num_ceps=num_ceps, num_mel_bins=mel.num_mel_bins, cepstral_lifter=cepstral_lifter
    )
    return mfcc_features(
        x, framing, mel, num_ceps=num_ceps, cepstral_lifter=cepstral_lifter, lengths=lengths, seed=seed
    )
