"""Argument limits and name tables shared by the checks in :mod:`audioflow._validation`."""

# Size limits: far beyond any real use, low enough that a typo fails here instead of as a
# MemoryError (or a minutes-long build) later.

#: Largest FFT: 2**20 samples (47.5 s at 22.05 kHz).
MAX_N_FFT = 2**20
#: Most mel bands (the DCT of an MFCC layer is an ``n_mels x n_mels`` matrix before truncation).
MAX_N_MELS = 4096
#: Most filterbank elements, ``(n_fft // 2 + 1) * n_mels``: 2**27 float32 values = 512 MiB.
MAX_FILTERBANK_ELEMENTS = 2**27
#: Largest hop and output length in samples (2**28 = 3.4 hours at 22.05 kHz; 1 GiB of float32).
MAX_SAMPLES = 2**28
#: Widest delta filter, in frames.
MAX_DELTA_WIDTH = 1001


# librosa (and Keras, tf.signal, torchaudio) argument names users carry over.

FOREIGN_NAMES = {
    "sr": ("sample_rate", "librosa"),
    "fmin": ("f_min", "librosa"),
    "fmax": ("f_max", "librosa"),
    "ref_value": ("ref", "librosa"),
    "sampling_rate": ("sample_rate", "Keras"),
    "fft_length": ("n_fft", "Keras and tf.signal"),
    "sequence_length": ("win_length", "Keras"),
    "sequence_stride": ("hop_length", "Keras"),
    "frame_step": ("hop_length", "tf.signal"),
    "num_mel_bins": ("n_mels", "Keras and tf.signal"),
    "min_freq": ("f_min", "Keras"),
    "max_freq": ("f_max", "Keras"),
    "lower_edge_hertz": ("f_min", "tf.signal"),
    "upper_edge_hertz": ("f_max", "tf.signal"),
    "n_hop": ("hop_length", "kapre"),
    "win_fn": ("window", "torchaudio"),
    "mel_scale": ("htk", "torchaudio"),
}


#: ``center`` padding modes, as ``np.pad`` (librosa.stft accepts all but "wrap").
PAD_MODES = ("constant", "reflect", "edge", "symmetric", "wrap")
#: Edge modes of ``delta``, as ``scipy.signal.savgol_filter`` / ``librosa.feature.delta``.
DELTA_MODES = ("interp", "nearest", "mirror", "constant", "wrap")
#: audioflow's own window names beyond scipy's: "kaiser" alone means ("kaiser", 12.0).
DEFAULT_KAISER_BETA = 12.0
