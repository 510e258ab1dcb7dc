"""Argument checks: the only place that words argument errors.

Every message has one format::

    `win_length` must be <= `n_fft`. Received: win_length=1024, n_fft=512.

optionally followed by a hint. ``basic`` holds the format and the generic checks, ``spectral`` the
checks of the spectral ops and layers, ``learning`` those of augmentation, PCEN and LEAF,
``streaming`` those of streaming front ends.
"""

from audioflow._limits import DELTA_MODES, MAX_SAMPLES, PAD_MODES, scipy_window
from audioflow._validation.basic import (
    check_bool,
    check_channels_last,
    check_choice,
    check_foreign_names,
    check_input,
    check_int,
    check_librosa_names,
    check_number,
    is_int,
    is_number,
    parameter_error,
    python_value,
)
from audioflow._validation.export import (
    EXPORT_FORMATS,
    FORMAT_BACKENDS,
    check_export_args,
    formats_for_backend,
    unexportable_layer_error,
)
from audioflow._validation.learning import (
    MASK_VALUES,
    NOISE_COLORS,
    check_augment_range,
    check_fits_axis,
    check_gain_args,
    check_mixup_batch,
    check_noise_args,
    check_pcen_args,
    check_spec_augment_args,
)
from audioflow._validation.onnx import (
    MIN_ONNX_OPSET,
    check_onnx_opset,
    check_waveform_model,
    onnx_domain_error,
    onnx_layer_error,
)
from audioflow._validation.spectral import (
    MEL_SCALES,
    check_db_args,
    check_delta_args,
    check_mel_args,
    check_mfcc_args,
    check_mfcc_input,
    check_power,
    check_stft_args,
    check_window,
    is_tensor_window,
    resolve_mel_scale,
)
from audioflow._validation.streaming import (
    check_chunk,
    check_chunk_samples,
    check_step_pcen,
    check_streamable_settings,
    check_streaming_parts,
)

__all__ = [
    "EXPORT_FORMATS",
    "FORMAT_BACKENDS",
    "check_export_args",
    "formats_for_backend",
    "unexportable_layer_error",
    "MIN_ONNX_OPSET",
    "check_onnx_opset",
    "check_waveform_model",
    "onnx_domain_error",
    "onnx_layer_error",
    "MAX_SAMPLES",
    "DELTA_MODES",
    "MASK_VALUES",
    "NOISE_COLORS",
    "MEL_SCALES",
    "PAD_MODES",
    "check_augment_range",
    "check_bool",
    "check_channels_last",
    "check_choice",
    "check_chunk",
    "check_chunk_samples",
    "check_db_args",
    "check_delta_args",
    "check_fits_axis",
    "check_foreign_names",
    "check_gain_args",
    "check_mixup_batch",
    "check_input",
    "check_int",
    "check_librosa_names",
    "check_mel_args",
    "check_mfcc_args",
    "check_mfcc_input",
    "check_noise_args",
    "check_number",
    "check_pcen_args",
    "check_power",
    "check_spec_augment_args",
    "check_stft_args",
    "check_step_pcen",
    "check_streamable_settings",
    "check_streaming_parts",
    "check_window",
    "is_int",
    "is_number",
    "is_tensor_window",
    "parameter_error",
    "python_value",
    "resolve_mel_scale",
    "scipy_window",
]
