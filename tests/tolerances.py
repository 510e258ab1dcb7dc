"""Named tolerance tiers, as fractions of the reference's norm (or absolute dB for dB outputs)."""

import numpy as np

#: float32 spectrogram / mel power relative to librosa (issue target 1e-5).
POWER_RTOL = 1e-5
#: complex STFT relative to librosa.
STFT_RTOL = 1e-5
#: log-mel in dB, above the floor (issue target 0.01 dB).
DB_ATOL = 0.01
#: host-side NumPy constants (filterbanks, conversions) computed in float64.
CONSTANT_RTOL = 1e-6
#: waveform reconstruction by istft(stft(x)), relative to the signal's norm.
RECONSTRUCTION_RTOL = 1e-5


def relative_error(actual, expected) -> float:
    """``||actual - expected|| / ||expected||`` (Frobenius), as one number."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shape {actual.shape} != reference {expected.shape}"
    scale = np.linalg.norm(expected)
    return float(np.linalg.norm(actual - expected) / (scale if scale > 0 else 1.0))


def max_db_error_above_floor(actual, expected, top_db: float = 80.0) -> float:
    """Largest |difference| in dB where the reference is above its own floor (max - top_db)."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"shape {actual.shape} != reference {expected.shape}"
    above = expected > expected.max() - top_db + 1e-3
    return float(np.max(np.abs(actual - expected)[above])) if above.any() else 0.0


#: class probabilities of an exported model against the Keras model, absolute (issue 11 target 1e-4).
PROBABILITY_ATOL = 1e-4

#: Kaldi features (and Whisper's log-mel) relative to torchaudio.compliance.kaldi / openai-whisper:
#: torchaudio's own tolerance against the Kaldi binaries (fbank and mfcc rtol 1e-4).
KALDI_RTOL = 1e-4
