"""Streaming front ends: feature layers run on audio that arrives in chunks.

:class:`StreamingFrontEnd` wraps a feature layer built with ``center=False`` (or a spectrogram
followed by PCEN) and returns, chunk by chunk, exactly the frames the layer computes on the whole
signal. :meth:`StreamingFrontEnd.step_model` gives the same computation as a Keras model whose
state is explicit inputs and outputs, for export (TFLite, ONNX).
"""

from audioflow.streaming.front_end import StreamingFrontEnd

__all__ = ["StreamingFrontEnd"]
