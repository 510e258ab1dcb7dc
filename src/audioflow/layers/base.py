"""The base every audioflow layer builds on, and the conventions new layers follow.

:class:`AudioLayer` gives a layer four things:

- **float32 maths under any dtype policy.** ``autocast`` is off; :meth:`AudioLayer._compute_input`
  turns integer and half-precision inputs into float32 (float64 stays float64) and
  :meth:`AudioLayer._output` casts the result to the layer's compute dtype. Under
  ``mixed_float16`` a layer therefore returns float16 without computing an FFT or a logarithm
  in it. Weights are float32.
- **Arguments kept as passed, for** ``get_config``. ``self._remember(name=value, ...)`` stores
  them JSON-friendly (NumPy scalars become Python scalars, arrays become lists) so a layer built
  with ``n_fft=np.int64(512)`` saves and loads on every backend. Resolved values (a default hop
  length, the HTK flag turned into ``mel_scale``) live in the layer's private config objects
  (:mod:`audioflow.config`), never in ``get_config``. Everything handed to the ops is a Python
  value.
- **Input ranks from** ``keras.InputSpec``. A layer sets ``self.input_spec`` (``min_ndim``/
  ``max_ndim`` or ``ndim``); a wrong rank is a :class:`~audioflow.errors.ParameterError` naming the
  layout (``input_layout``), raised when the layer is called or built.
- **tf.data on every backend.** Called on a ``tf.data`` graph's tensor under JAX or PyTorch
  (``dataset.map(layer)``), a layer computes with TensorFlow ops in that graph: the ops and layers
  take ``ops``/``random`` from :mod:`audioflow._backend.compute` (re-exported by
  ``audioflow._compat``), which resolve to Keras' TensorFlow backend there
  (:mod:`audioflow._backend.tf_data`), and its weights are read by value. Layers therefore use
  those ``ops``, never ``keras.ops`` directly, in ``call``.
- **Another library's argument names** (``sr=``, ``fmin=``, ``num_mel_bins=``, ...) are refused
  with the audioflow name ("audioflow calls it `sample_rate`").

Conventions for the layers that build on it:

- *Signatures written out.* ``__init__(self, *, n_fft: int = 2048, ..., **kwargs:
  Unpack[LayerArguments])``: keyword-only, typed, defaults in the signature, each argument
  described in the docstring with its default (``tests/test_docstrings.py`` holds them to it), so
  a reader, ``help()``, an editor and a type checker see the same thing. ``**kwargs`` carries
  Keras' own arguments (:class:`audioflow._typing.LayerArguments`); another library's spelling
  left in it (``sr=``) is refused here with the audioflow name.
- *Settings validated once.* ``__init__`` builds the frozen settings of each group
  (:mod:`audioflow.config`); ``call`` hands them to the ops' private resolved-settings functions
  (``ops.spectral._stft(x, settings)``, ...), which check nothing again.
- *Thin layers.* Validate Python arguments in ``__init__`` (keyword-only), create weights in
  ``build``, call :mod:`audioflow.ops` in ``call``. A feature layer is composed of smaller layers
  held as attributes (``MFCC`` holds a ``LogMelSpectrogram``, which holds a ``MelSpectrogram`` and a
  ``PowerToDb``); it never subclasses another feature layer. It may compute through one fused op
  (``ops.features.filtered_spectrogram``) using its parts' settings and weights.
- *Learnable parameters* are Keras weights made with ``add_weight`` in ``build``, initialised to
  the exact librosa values, and fixed unless asked (``MelScale(trainable=True)``). A file saved
  before the weight existed still loads: the layer keeps its exact initial values when the file
  holds none (see ``MelScale.load_own_variables``).
- *Random layers* (augmentation) draw from a ``keras.random.SeedGenerator`` created in
  ``__init__`` from a ``seed`` argument (stored in ``get_config``), take a ``training`` argument in
  ``call(inputs, training=None)`` and are the identity when ``training`` is not true, so inference
  and export are deterministic. Each example in a batch gets its own draw, and each step a new one.
- *Stateful (streaming) layers* keep their state explicit: ``call(inputs, state)`` returns
  ``(outputs, new_state)`` and ``initial_state(batch_size)`` gives the starting state, so a
  streaming model can be exported as a pure function. No hidden variables carry audio between
  calls.
"""

from __future__ import annotations

import inspect

import keras
import numpy as np

from audioflow._backend import tf_data, torch_compile
from audioflow._backend.compute import ops
from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_bool, check_channels_last, check_foreign_names, parameter_error
from audioflow.config import arguments_of, python_value, window_argument
from audioflow.ops._tensor import COMPUTE_DTYPES, channels_first, channels_last, dtype_name

__all__ = [
    "AudioLayer",
    "arguments_of",
    "channels_first",
    "channels_last",
    "config_value",
    "on_axis",
    "serializable",
    "window_argument",
]


def serializable(cls):
    """Register ``cls`` for ``.keras`` saving under the package name "audioflow"."""
    return keras.saving.register_keras_serializable(package="audioflow")(cls)


def config_value(value):
    """An argument as passed, JSON-friendly: NumPy scalars as Python scalars, arrays as lists."""
    value = python_value(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (tuple, list)):
        return [config_value(item) for item in value]
    return value


class AudioLayer(keras.layers.Layer):
    """Base of the audioflow layers: float32 maths, config as passed, input ranks, names.

    Subclasses set ``input_layout`` (a description of the accepted shapes, for error messages),
    set ``self.input_spec`` in ``__init__``, call ``self._remember(**arguments)`` with their
    arguments as passed, and define ``_transform(x)`` (the maths on a float tensor); the default
    ``call`` is ``self._output(self._transform(self._compute_input(inputs)))``.

    Example:
        >>> class Square(AudioLayer):
        ...     input_layout = "(batch, samples)"
        ...     def __init__(self, **kwargs):
        ...         super().__init__(**kwargs)
        ...         self.input_spec = keras.InputSpec(ndim=2)
        ...     def _transform(self, x):
        ...         return keras.ops.square(x)
    """

    #: The accepted input layout, named in rank errors.
    input_layout = "(batch, samples) or (batch, samples, channels)"
    #: Whether a call refuses more channels than samples (waveform layers: :meth:`_take_waveforms`).
    _checks_channels = False

    def __init__(self, **kwargs: Unpack[LayerArguments]):
        check_foreign_names(kwargs, self._argument_names())
        kwargs.pop("autocast", None)
        super().__init__(autocast=False, **kwargs)
        self._passed = {}

    @classmethod
    def _argument_names(cls) -> frozenset:
        """The keyword arguments the layer's ``__init__`` (and its bases') declare."""
        names = set()
        for klass in cls.__mro__:
            if "__init__" in vars(klass) and issubclass(klass, AudioLayer):
                names.update(inspect.signature(klass.__init__).parameters)
        return frozenset(names)

    def _take_waveforms(self, allow_more_channels_than_samples: bool):
        """Mark this layer as taking waveforms ``(batch, samples[, channels])``.

        A call then refuses a static channel axis longer than the time axis (a channels-first
        array, :func:`~audioflow._validation.check_channels_last`) unless
        ``allow_more_channels_than_samples``, which is public and in ``get_config`` when true.
        """
        allow = check_bool("allow_more_channels_than_samples", allow_more_channels_than_samples)
        self.allow_more_channels_than_samples = allow
        self._checks_channels = not allow
        if allow:
            self._remember(allow_more_channels_than_samples=True)

    def _remember(self, **arguments):
        """Keep the arguments exactly as passed (JSON-friendly), for ``get_config``."""
        self._passed.update({key: config_value(value) for key, value in arguments.items()})

    def _keep_arguments(self, arguments: dict) -> dict:
        """Set ``arguments`` as public attributes (Python values, as passed), remember them, return them."""
        for name, value in arguments.items():
            setattr(self, name, python_value(value))
        self._remember(**arguments)
        return arguments

    def _adopt_arguments(self, part: AudioLayer):
        """Take a part's arguments as this layer's own public attributes and config (composition)."""
        for name in part._passed:
            setattr(self, name, getattr(part, name))
        self._passed.update(part._passed)

    def get_config(self):
        config = super().get_config()
        config.update(self._passed)
        return config

    def __call__(self, inputs, *args, **kwargs):
        shape = getattr(inputs, "shape", None)
        if shape is not None:
            self._check_rank(tuple(shape))
            if self._checks_channels:
                check_channels_last(tuple(shape), layer=self.name)
        if shape is not None and _is_empty_batch(inputs, shape):
            empty = self._empty_batch_output(tuple(shape))
            if empty is not None:
                return empty
        keras_call = super().__call__
        if not self.built and torch_compile.compiling():
            # Building makes NumPy filterbanks and new weights, which torch.compile cannot trace: the
            # first call runs eagerly, and the next one is traced into a single graph.
            return torch_compile.call_eagerly(keras_call, inputs, *args, **kwargs)
        if tf_data.in_tensorflow_data_graph(inputs):
            # dataset.map(layer) under JAX or PyTorch: TensorFlow ops in the tf.data graph.
            return tf_data.call_in_tensorflow(self, keras_call, inputs, *args, **kwargs)
        return keras_call(inputs, *args, **kwargs)

    def _empty_batch_output(self, input_shape):
        """Zeros of the output shape for a concrete empty batch (no maths to run: some backends'
        convolutions and reshapes refuse empty tensors); None when that shape is not fully known."""
        output_shape = self.compute_output_shape(input_shape)
        if not all(isinstance(d, int) for d in output_shape):
            return None
        return ops.zeros(output_shape, dtype=self.compute_dtype)

    def _check_rank(self, input_shape):
        """A :class:`ParameterError` in audioflow's words when ``input_shape`` breaks ``input_spec``."""
        spec = self.input_spec
        if not isinstance(spec, keras.InputSpec):
            return
        rank = len(input_shape)
        low = spec.ndim if spec.ndim is not None else spec.min_ndim
        high = spec.ndim if spec.ndim is not None else spec.max_ndim
        if (low is None or rank >= low) and (high is None or rank <= high):
            return
        ranks = " or ".join(map(str, range(low, high + 1))) if low and high else f">= {low}"
        raise parameter_error(
            "inputs",
            f"of rank {ranks}: {self.input_layout}",
            layer=self.name,
            input_shape=tuple(input_shape),
        )

    def build(self, input_shape):
        self._check_rank(tuple(input_shape))
        self.built = True

    def _build_parts(self, input_shape, *parts: AudioLayer):
        """Build this layer and then its ``parts`` in order, each on the output shape of the one before."""
        AudioLayer.build(self, input_shape)
        for part in parts:
            part.build(input_shape)
            input_shape = part.compute_output_shape(input_shape)

    def call(self, inputs):
        return self._output(self._transform(self._compute_input(inputs)))

    def _transform(self, x):
        """The layer's maths on a float tensor in its own layout, without dtype casts.

        A feature layer composes its parts' ``_transform`` so intermediate results stay float32.
        """
        raise NotImplementedError(f"{type(self).__name__} defines call() or _transform()")

    def _compute_input(self, x):
        """``x`` as a float32 tensor (float64 stays float64): what the maths runs on."""
        x = ops.convert_to_tensor(x)
        if dtype_name(x) not in COMPUTE_DTYPES:
            x = ops.cast(x, "float32")
        return x

    def _output(self, y):
        """``y`` cast to the layer's compute dtype (float16 under ``mixed_float16``)."""
        return ops.cast(y, self.compute_dtype) if dtype_name(y) != self.compute_dtype else y


def _is_empty_batch(inputs, shape) -> bool:
    """A concrete (not symbolic) input whose batch axis is statically 0."""
    if isinstance(inputs, keras.KerasTensor) or len(shape) == 0:
        return False
    return isinstance(shape[0], int) and shape[0] == 0


def on_axis(fn, x, axis: int):
    """``fn`` applied with ``axis`` moved last, then moved back (for ``(..., bins, channels)``)."""
    if axis in (-1, len(x.shape) - 1):
        return fn(x)
    return ops.moveaxis(fn(ops.moveaxis(x, axis, -1)), -1, axis)
