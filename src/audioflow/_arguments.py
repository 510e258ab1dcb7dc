"""The keyword arguments that layers, ops and settings share: each one described once.

A layer, op or config lists its keyword arguments by name with :func:`keyword_arguments`; its
signature (``inspect.signature``, ``help()``) and the ``Args`` part of its docstring are built
from here, as matplotlib interpolates shared parameter descriptions into docstrings:

- each argument's description is written once, in :data:`DESCRIPTIONS`;
- each default is declared once: the fields of the frozen settings in :mod:`audioflow.config`
  (registered with :func:`settings`) for the STFT, mel and dB arguments, and
  :data:`_OTHER_DEFAULTS` for the rest.

A docstring holds the line ``{arguments}`` where the ``Args`` entries go; every entry ends with the
argument's default. This module imports neither Keras nor a backend.
"""

from __future__ import annotations

import inspect

# Google-style entries: "name: description", continuation lines indented by four spaces.
_DESCRIPTIONS = """
sample_rate: of the input in Hz, > 0 (librosa ``sr``, torchaudio ``sample_rate``, Keras
    ``sampling_rate``).
n_fft: FFT size in samples, from 2 to 2**20 (librosa/torchaudio ``n_fft``, Keras/tf.signal
    ``fft_length``); 2048 samples = 93 ms at 22.05 kHz. Gives ``n_fft // 2 + 1`` bins.
hop_length: samples between frames (librosa/torchaudio ``hop_length``, Keras
    ``sequence_stride``, tf.signal ``frame_step``); None means ``win_length // 4`` (512 for the
    default ``n_fft``).
win_length: window length in samples, <= ``n_fft`` (torchaudio ``win_length``, Keras
    ``sequence_length``, tf.signal ``frame_length``); None means ``n_fft``. A shorter window is
    zero-padded and centred inside ``n_fft``, as librosa does.
window: periodic, as ``scipy.signal.get_window(..., fftbins=True)`` (librosa, torchaudio): a
    name ("hann", "hamming", "blackman", "bartlett", "kaiser", "rectangular", any scipy window;
    "kaiser" alone is ``("kaiser", 12.0)``), a tuple with its parameters (``("kaiser", beta)``,
    ``("tukey", 0.25)``), or ``win_length`` samples as an array (the ops also take a tensor or a
    Keras variable, and gradients flow to it). See :func:`audioflow.ops.get_window`.
center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
    ``t * hop_length`` (librosa/torchaudio ``center``).
pad_mode: how ``center`` pads, as ``np.pad``: "constant" (zeros: librosa's default since 0.9),
    "reflect" (torchaudio, nnAudio and ``keras.ops.stft``), "edge", "symmetric" or "wrap" (which
    librosa.stft refuses). Padding wider than the signal reflects (wraps) repeatedly, as
    ``np.pad``; an empty signal can only be padded with "constant".
power: exponent of the STFT magnitude, > 0: 2.0 the power spectrogram (librosa, torchaudio
    default), 1.0 the magnitude (Keras ``STFTSpectrogram(mode="magnitude")``).
n_mels: mel bands, >= 1 (librosa/torchaudio ``n_mels``, Keras/tf.signal ``num_mel_bins``).
f_min: lowest filter edge in Hz, >= 0 (librosa ``fmin``, Keras ``min_freq``).
f_max: highest filter edge in Hz, <= ``sample_rate / 2``; None means ``sample_rate / 2``
    (librosa ``fmax``, Keras ``max_freq``).
mel_scale: "slaney" (librosa's default: linear below 1 kHz, logarithmic above) or "htk"
    (``2595 log10(1 + f / 700)``, tf.signal and Keras); torchaudio ``mel_scale``.
htk: the older spelling (librosa ``htk``, audioflow 0.1.0 configs): ``htk=True`` means
    ``mel_scale="htk"``. Accepted so that old configurations load.
norm: mel filter normalisation: "slaney" (each triangle has unit area, librosa's default), None
    (peak 1, as tf.signal/HTK/Keras) or a positive number p (each filter divided by its p-norm).
trainable_filterbank: learn the mel filterbank weight (False: librosa's filterbank, fixed).
trainable: whether the filterbank is learnt (Keras' ``trainable``; False by default here).
ref: the power mapped to 0 dB (> 0), or "max" for each example's own maximum (librosa
    ``ref=np.max``; torchaudio ``AmplitudeToDB`` has no reference).
amin: smallest power considered (> 0; torchaudio ``amin``), so silence gives a finite
    ``10 log10(amin / ref)`` dB (-100 dB with the defaults).
top_db: dynamic range in dB kept below each example's maximum (>= 0); None keeps all (librosa
    ``top_db``, torchaudio ``AmplitudeToDB(top_db=...)``).
n_mfcc: coefficients kept, 1 <= ``n_mfcc`` <= ``n_mels`` (librosa/torchaudio ``n_mfcc``;
    tf.signal keeps all and you slice).
dct_type: 1, 2 or 3 (librosa ``dct_type``; torchaudio and tf.signal use 2).
dct_norm: the DCT's normalisation: "ortho" (orthonormal, librosa's default) or None (librosa's
    ``mfcc`` calls it ``norm``).
lifter: sinusoidal liftering ``1 + (lifter / 2) sin(pi (k + 1) / lifter)`` when > 0 (librosa
    ``lifter``; 22 is common); 0 for none.
length: output length in samples (>= 0): the output is trimmed or zero-padded to it. None gives
    ``hop_length * (frames - 1)`` samples when ``center=True``; pass the original length to get
    it back exactly.
"""


def _parse(text: str) -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    name = ""
    for line in text.strip().splitlines():
        if line.startswith(" "):
            entries[name].append(line)
        else:
            name, _, description = line.partition(": ")
            entries[name] = [description]
    return entries


#: Each argument's description, as docstring lines (continuations indented by four spaces).
DESCRIPTIONS = _parse(_DESCRIPTIONS)

# Defaults of the arguments that no settings class holds.
_OTHER_DEFAULTS = {
    "power": (2.0, "float"),
    "trainable_filterbank": (False, "bool"),
    "trainable": (False, "bool"),
    "n_mfcc": (20, "int"),
    "dct_type": (2, "int"),
    "dct_norm": ("ortho", "str | None"),
    "lifter": (0.0, "float"),
    "length": (None, "int | None"),
}
_SETTINGS: dict[str, inspect.Parameter] = {}
_KEYWORD = inspect.Parameter.KEYWORD_ONLY


def settings(cls):
    """Class decorator for the frozen settings: their fields declare those arguments' defaults."""
    for parameter in inspect.signature(cls).parameters.values():
        annotation = str(parameter.annotation).removeprefix("InitVar[").removesuffix("]")
        _SETTINGS.setdefault(parameter.name, parameter.replace(annotation=annotation))
    return keyword_arguments(*inspect.signature(cls).parameters, signature=False)(cls)


def _parameter(name: str, defaults: dict, inherited: dict) -> inspect.Parameter:
    if name in inherited:  # a subclass describing its base's arguments in its own words
        parameter = inherited[name]
    elif name in _SETTINGS:
        parameter = _SETTINGS[name]
    else:
        default, annotation = _OTHER_DEFAULTS[name]
        parameter = inspect.Parameter(name, _KEYWORD, default=default, annotation=annotation)
    if name not in defaults:
        return parameter
    annotation = parameter.annotation
    if defaults[name] is None and "None" not in str(annotation):
        annotation = f"{annotation} | None"
    return parameter.replace(default=defaults[name], annotation=annotation)


def describe(parameters, docs: dict) -> str:
    """The ``Args`` entries (8-space indent) of ``parameters``, each ending with its default."""
    lines = []
    for parameter in parameters:
        name = parameter.name
        text = docs[name].splitlines() if name in docs else DESCRIPTIONS[name]
        entry = [f"{name}: {text[0]}"] + [f"    {line.strip()}" for line in text[1:]]
        default = f"Default: ``{parameter.default!r}``."
        if len(entry[-1]) + len(default) < 92:
            entry[-1] += " " + default
        else:
            entry.append(f"    {default}")
        lines.extend("        " + line for line in entry)
    return "\n".join(lines)


def keyword_arguments(*names: str, signature: bool = True, docs: dict | None = None, **defaults):
    """Decorator: the keyword-only arguments ``names`` of a layer class, op or settings class.

    Records their defaults (for :func:`take_arguments`), replaces the docstring line
    ``{arguments}`` with their ``Args`` entries and sets the signature: an op's own parameters,
    then ``names`` with their defaults, then its ``**kwargs``; a layer's ``__init__`` likewise, so
    ``inspect.signature(Layer)`` lists them. A layer class's own ``__init__(self, arguments,
    **kwargs)`` is called with the declared arguments (defaults filled in) as the dict
    ``arguments`` and everything else (Keras' ``name``, ...) in ``kwargs``; an op calls
    :func:`take_arguments` itself. ``docs`` gives an entry that means something particular here
    (a dB layer's ``ref`` of magnitudes); ``defaults`` a default that differs from the shared one
    (``amin=None``). A subclass without its own ``__init__`` keeps its base's defaults.
    """

    def decorate(owner):
        is_class = inspect.isclass(owner)
        own_init = is_class and "__init__" in vars(owner)
        inherited = dict(inspect.signature(owner.__init__).parameters) if is_class and not own_init else {}
        parameters = [_parameter(name, defaults, inherited) for name in dict.fromkeys(names)]
        owner._keyword_defaults = {p.name: p.default for p in parameters}
        if owner.__doc__ and "{arguments}" in owner.__doc__:
            owner.__doc__ = owner.__doc__.replace("        {arguments}", describe(parameters, docs or {}))
        if signature and not is_class:
            owner.__signature__ = _signature(owner, parameters)
        elif signature and own_init:
            owner.__init__ = _passing_arguments(owner, owner.__init__, parameters)
        return owner

    return decorate


def _signature(function, parameters, *, skip: int = 0) -> inspect.Signature:
    """``function``'s own parameters (but the first ``skip``), ``parameters``, its ``**kwargs``."""
    own = list(inspect.signature(function).parameters.values())[skip:]
    declared = {p.name for p in parameters}
    variadic = [p for p in own if p.kind is inspect.Parameter.VAR_KEYWORD]
    leading = [p for p in own if p.kind is not inspect.Parameter.VAR_KEYWORD and p.name not in declared]
    return inspect.Signature(leading + parameters + variadic)


def _passing_arguments(cls, init, parameters):
    """``cls.__init__(self, arguments, **kwargs)`` called as ``cls(**kwargs)``: ``arguments`` holds the
    declared keyword arguments as passed, defaults filled in; ``kwargs`` the rest (Keras')."""

    def __init__(self, *args, **kwargs):
        if args:  # keyword-only, as the signature says
            raise TypeError(
                f"{cls.__name__}.__init__() takes 1 positional argument but {len(args) + 1} were given"
            )
        init(self, take_arguments(cls, kwargs), **kwargs)

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__.__doc__ = init.__doc__
    signature = _signature(init, parameters, skip=2)  # without self and the arguments dict
    self_parameter = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
    __init__.__signature__ = signature.replace(parameters=[self_parameter, *signature.parameters.values()])
    return __init__


def argument_names(owner) -> tuple:
    """The keyword arguments ``owner`` declares, in order."""
    return tuple(owner._keyword_defaults)


def take_arguments(owner, kwargs: dict, *, only: bool = False) -> dict:
    """Pop ``owner``'s declared keyword arguments out of ``kwargs``, defaults filled in (in order).

    What is left in ``kwargs`` is not the owner's: Keras layer arguments, or unknown names that the
    caller refuses as it always has. With ``only``, any name left is refused here, as Python
    refuses an unexpected keyword argument (TypeError).
    """
    arguments = {name: kwargs.pop(name, default) for name, default in owner._keyword_defaults.items()}
    for name in kwargs if only else ():
        raise TypeError(f"{owner.__name__}() got an unexpected keyword argument {name!r}")
    return arguments


def arguments_for(owner, arguments: dict) -> dict:
    """The entries of ``arguments`` that ``owner`` (a part of a composed layer, an op) declares."""
    return {name: arguments[name] for name in owner._keyword_defaults if name in arguments}
