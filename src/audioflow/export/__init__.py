"""Export models that take raw audio to deployable artefacts (ONNX: :mod:`audioflow.export._onnx`)."""
