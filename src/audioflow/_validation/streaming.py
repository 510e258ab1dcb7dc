"""Checks of streaming front ends: which layers can stream, chunk shapes, step model sizes."""

from __future__ import annotations

from audioflow._validation.basic import check_int, parameter_error

_FRAMING_LAYERS = (
    "STFT, Spectrogram, MelSpectrogram, LogMelSpectrogram, MFCC, KaldiSpectrogram, KaldiFbank or KaldiMFCC"
)


def check_streaming_parts(part_names: list[str], framing: tuple[str, ...], energies: tuple[str, ...]):
    """A framing layer, optionally followed by PCEN (on energies: Spectrogram or MelSpectrogram)."""
    received = part_names[0] if len(part_names) == 1 else part_names
    if not part_names or part_names[0] not in framing or len(part_names) > 2:
        raise parameter_error(
            "layer",
            f"an audioflow {_FRAMING_LAYERS} layer, or a list of one followed by PCEN",
            layer=received,
        )
    if len(part_names) == 2 and (part_names[1] != "PCEN" or part_names[0] not in energies):
        raise parameter_error(
            "layer",
            "a Spectrogram or MelSpectrogram followed by PCEN when it has two parts",
            layer=received,
            hint="PCEN normalises energies (not dB, MFCCs or complex parts).",
        )


def check_streamable_settings(center, ref=None, top_db=None):
    """Settings a stream can reproduce exactly: no centring, a fixed dB reference, no clip-wide floor."""
    if center:
        raise parameter_error(
            "center",
            "False for streaming",
            center=center,
            hint="Centring pads both ends of the whole signal, and a stream's end is not known. "
            "Build the layer with center=False.",
        )
    if ref == "max":
        raise parameter_error(
            "ref",
            "a number for streaming",
            ref=ref,
            hint="A clip's maximum is not known until the clip ends. Use a fixed reference, e.g. ref=1.0.",
        )
    if top_db is not None:
        raise parameter_error(
            "top_db",
            "None for streaming",
            top_db=top_db,
            hint="The floor at `max - top_db` needs the whole clip's maximum. Build the layer with "
            "top_db=None (`amin` still keeps silence finite).",
        )


def check_streamable_kaldi(snip_edges: bool, subtract_mean: bool, min_duration: float):
    """Kaldi settings a stream reproduces: whole frames only, no utterance mean, no minimum duration."""
    if not snip_edges:
        raise parameter_error(
            "snip_edges",
            "True for streaming",
            snip_edges=snip_edges,
            hint="snip_edges=False reflects the signal at its end, which a stream does not know yet.",
        )
    if subtract_mean:
        raise parameter_error(
            "subtract_mean",
            "False for streaming",
            subtract_mean=subtract_mean,
            hint="The utterance's mean is known only when it ends.",
        )
    if min_duration:
        raise parameter_error("min_duration", "0 for streaming", min_duration=min_duration)


def check_chunk(shape: tuple, stream_shape: tuple | None):
    """A ``(batch, samples[, channels])`` chunk whose batch (and channels) match the stream's so far."""
    if len(shape) not in (2, 3):
        raise parameter_error("chunk", "of rank 2 or 3: (batch, samples[, channels])", chunk_shape=shape)
    if stream_shape is not None and (shape[0], shape[2:]) != (stream_shape[0], stream_shape[2:]):
        raise parameter_error(
            "chunk",
            "shaped like the stream's earlier chunks in batch size (and channels)",
            chunk_shape=shape,
            stream_shape=stream_shape,
            hint="Call reset() to start a stream of another batch size.",
        )


def check_chunk_samples(chunk_samples, hop_length: int) -> int:
    """A step model's chunk: a positive multiple of ``hop_length`` (each step then makes whole frames)."""
    chunk_samples = check_int("chunk_samples", chunk_samples, minimum=1)
    if chunk_samples % hop_length:
        raise parameter_error(
            "chunk_samples",
            "a multiple of `hop_length`",
            chunk_samples=chunk_samples,
            hop_length=hop_length,
        )
    return chunk_samples


def check_step_pcen(initial_state: str):
    """A step model starts PCEN's smoother from a fixed state (librosa's), not from the first frame."""
    if initial_state != "librosa":
        raise parameter_error(
            "initial_state",
            "'librosa' for a PCEN step model",
            initial_state=initial_state,
            hint="process() streams initial_state='first_frame'; a step model has a fixed starting state.",
        )
