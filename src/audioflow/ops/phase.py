"""Phase reconstruction: Griffin-Lim (librosa's fast variant) and mel inversion by non-negative least squares.

Spectra are time-major magnitudes ``(..., frames, bins)``; the STFT arguments are those of
:func:`audioflow.ops.stft`. Everything runs in the graph (a fixed number of iterations), so a
vocoder-free reconstruction can sit at the end of a model on every backend.
"""

from __future__ import annotations

import math

import numpy as np

from audioflow._compat import ops, random
from audioflow._validation import check_choice, check_int, check_number, parameter_error
from audioflow.ops._tensor import as_float, dtype_name
from audioflow.ops.filters import mel_filterbank
from audioflow.ops.spectral import istft, stft

__all__ = [
    "GRIFFIN_LIM_INITS",
    "check_griffin_lim_args",
    "griffin_lim",
    "mel_to_audio",
    "mel_to_stft",
    "nnls_step_size",
]

#: Initial phases: uniformly random (librosa's default) or zero (``None``: the magnitudes as they are).
GRIFFIN_LIM_INITS = ("random", None)


def check_griffin_lim_args(*, n_iter, momentum, init):
    """``n_iter >= 0``; ``0 <= momentum < 1`` (torchaudio's check; librosa only warns above 1); ``init``."""
    n_iter = check_int("n_iter", n_iter, minimum=0)
    momentum = check_number("momentum", momentum, minimum=0)
    if momentum >= 1:
        raise parameter_error("momentum", "< 1 (Griffin-Lim diverges from 1 on)", momentum=momentum)
    init = check_choice("init", init, GRIFFIN_LIM_INITS)
    return n_iter, momentum, init


def _initial_phases(S, init, seed):
    if init is None:
        return S, ops.zeros_like(S)
    angle = (2.0 * math.pi) * random.uniform(ops.shape(S), dtype=dtype_name(S), seed=seed)
    return S * ops.cos(angle), S * ops.sin(angle)


def griffin_lim(
    S,
    *,
    n_iter: int = 32,
    momentum: float = 0.99,
    init: str | None = "random",
    seed=None,
    length: int | None = None,
    **stft_arguments,
):
    """Waveforms ``(..., samples)`` whose STFT magnitude approximates ``S`` ``(..., frames, bins)``.

    librosa's ``griffinlim`` step for step (the "fast" Griffin-Lim of Perraudin et al. 2013): each
    iteration inverts the current estimate, takes its STFT, subtracts ``momentum / (1 + momentum)``
    of the previous STFT, keeps the phase and restores the magnitude ``S``. ``init=None`` starts
    from zero phase and then equals ``librosa.griffinlim(S.T, init=None)`` to float32 round-off;
    ``init="random"`` draws uniform phases from ``seed`` (a ``keras.random.SeedGenerator``, an int
    or None).

    Args:
        S: magnitude spectrogram ``(..., frames, n_fft // 2 + 1)``, non-negative.
        n_iter: iterations, >= 0. Default: ``32``.
        momentum: in [0, 1) (0 is plain Griffin-Lim; torchaudio's check). Default: ``0.99``.
        init: "random" or None. Default: ``'random'``.
        seed: the random initial phases' seed. Default: ``None``.
        length: output length in samples (None: ``hop_length * (frames - 1)`` with ``center``).
            Default: ``None``.
        **stft_arguments: ``n_fft`` (default ``2 * (bins - 1)``), ``hop_length``, ``win_length``,
            ``window``, ``center``, ``pad_mode``, as :func:`audioflow.ops.stft`.
    """
    n_iter, momentum, init = check_griffin_lim_args(n_iter=n_iter, momentum=momentum, init=init)
    S = as_float(S)
    stft_arguments.setdefault("n_fft", 2 * (S.shape[-1] - 1))
    inverse_arguments = {k: v for k, v in stft_arguments.items() if k != "pad_mode"}
    eps = float(np.finfo(dtype_name(S)).tiny)
    real, imag = _initial_phases(S, init, seed)
    previous = (ops.zeros_like(S), ops.zeros_like(S))
    keep = momentum / (1.0 + momentum)
    for step in range(n_iter):
        signal = istft((real, imag), length=length, **inverse_arguments)
        rebuilt = stft(signal, **stft_arguments)
        real, imag = rebuilt
        if step > 0:
            real, imag = real - keep * previous[0], imag - keep * previous[1]
        scale = S / (ops.sqrt(real * real + imag * imag) + eps)
        real, imag = real * scale, imag * scale
        previous = rebuilt
    return istft((real, imag), length=length, **inverse_arguments)


def nnls_step_size(basis: np.ndarray) -> float:
    """``1 / ||basis.T basis||_2``: the projected-gradient step that never increases the residual."""
    largest = float(np.linalg.norm(np.asarray(basis, np.float64), ord=2)) ** 2
    return 1.0 / largest if largest > 0 else 0.0


def mel_to_stft(M, basis: np.ndarray, *, power: float = 2.0, n_iter: int = 100):
    """Non-negative least squares ``min |X basis.T - M|`` for ``X >= 0``, then ``X ** (1 / power)``.

    As ``librosa.feature.inverse.mel_to_stft``: ``M`` is a mel spectrogram ``(..., frames, n_mels)``,
    ``basis`` the mel filterbank ``(n_mels, bins)``; the result is a magnitude spectrogram
    ``(..., frames, bins)``. librosa starts from the clipped pseudo-inverse solution and runs
    L-BFGS-B on the host; here the same start is refined by ``n_iter`` steps of accelerated
    projected gradient (FISTA) in the graph. The problem is under-determined (more bins than mel
    bands), so the two need not find the same minimiser: compare residuals, not ``X``.

    Args:
        M: mel spectrogram ``(..., frames, n_mels)``, non-negative.
        basis: the mel filterbank ``(n_mels, bins)`` (``mel_filterbank(...).T``).
        power: the exponent ``M`` was made with, > 0. Default: ``2.0``.
        n_iter: projected-gradient iterations, >= 0. Default: ``100``.
    """
    n_iter = check_int("n_iter", n_iter, minimum=0)
    power = check_number("power", power, exclusive_minimum=0)
    M = as_float(M)
    dtype = dtype_name(M)
    basis = np.asarray(basis, np.float64)
    step = nnls_step_size(basis)
    basis_t = ops.convert_to_tensor(basis.astype(dtype))
    pinv = ops.convert_to_tensor(np.linalg.pinv(basis).T.astype(dtype))  # (n_mels, bins)
    X = ops.relu(ops.matmul(M, pinv))
    Y, momentum = X, 1.0
    target = ops.matmul(M, basis_t)  # M basis: the gradient's constant part, (..., frames, bins)
    for _ in range(n_iter):
        # gradient of 0.5 |Y B.T - M|^2 is (Y B.T - M) B = (Y B.T) B - M B
        gradient = ops.matmul(ops.matmul(Y, ops.transpose(basis_t)), basis_t) - target
        updated = ops.relu(Y - step * gradient)
        next_momentum = (1.0 + math.sqrt(1.0 + 4.0 * momentum * momentum)) / 2.0
        Y = updated + ((momentum - 1.0) / next_momentum) * (updated - X)
        X, momentum = updated, next_momentum
    return ops.power(X, 1.0 / power)


def mel_to_audio(
    M,
    *,
    sample_rate: float = 22050,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    n_iter: int = 32,
    length: int | None = None,
    nnls_iter: int = 100,
    seed=None,
    **mel_arguments,
):
    """Waveforms from a mel spectrogram ``(..., frames, n_mels)``: :func:`mel_to_stft`, then :func:`griffin_lim`.

    As ``librosa.feature.inverse.mel_to_audio(M.T, sr=sample_rate, ...)``; ``mel_arguments`` are
    the filterbank's (``f_min``, ``f_max``, ``mel_scale``, ``htk``, ``norm``) as
    :func:`audioflow.ops.mel_filterbank`; ``nnls_iter`` the NNLS iterations, ``seed`` the random
    initial phases' (Griffin-Lim's ``init="random"``, librosa's default).

    Args:
        M: mel spectrogram ``(..., frames, n_mels)``, non-negative.
        sample_rate: Hz of the audio, > 0. Default: ``22050``.
        n_fft: FFT size. Default: ``2048``.
        hop_length: samples between frames (None: ``win_length // 4``). Default: ``None``.
        win_length: window length (None: ``n_fft``). Default: ``None``.
        window: window name, tuple or array. Default: ``'hann'``.
        center: frames centred. Default: ``True``.
        pad_mode: padding of the STFTs in the iterations. Default: ``'constant'``.
        power: the exponent ``M`` was made with. Default: ``2.0``.
        n_iter: Griffin-Lim iterations. Default: ``32``.
        length: output samples (None: from the frames). Default: ``None``.
        nnls_iter: iterations of the non-negative least squares. Default: ``100``.
        seed: the random initial phases' seed. Default: ``None``.
        **mel_arguments: the filterbank's ``f_min``, ``f_max``, ``mel_scale``, ``htk``, ``norm``.
    """
    M = as_float(M)
    basis = mel_filterbank(sample_rate, n_fft, M.shape[-1], dtype=np.float64, **mel_arguments).T
    magnitudes = mel_to_stft(M, basis, power=power, n_iter=nnls_iter)
    return griffin_lim(
        magnitudes,
        n_iter=n_iter,
        seed=seed,
        length=length,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )
