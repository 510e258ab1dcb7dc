"""The parts of :func:`audioflow.models.build_classifier`: STFT sizes, front ends, augmentation, network body.

Each builder takes a Keras tensor and returns the next one (functional API), so the classifier
reads as a list of steps; layer names are part of the saved model's layout.
"""

from __future__ import annotations

import keras

from audioflow._validation import check_int, check_number, parameter_error

_WINDOW_SECONDS = 0.025
_HOP_SECONDS = 0.010
_SHIFT_SECONDS = 0.1
_TIME_MASK_SECONDS = 0.1


def default_stft(sample_rate) -> dict:
    """The recipe's STFT for a sample rate: 25 ms Hann window, FFT of the next power of two, 10 ms hop.

    Returns ``{"n_fft", "win_length", "hop_length"}`` in samples (Kaldi's and LEAF's 25 ms / 10 ms):
    8 kHz -> 256, 200, 80; 16 kHz -> 512, 400, 160; 44.1 kHz -> 2048, 1102, 441.
    """
    check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
    win_length = max(2, int(round(_WINDOW_SECONDS * sample_rate)))
    return {
        "n_fft": 1 << (win_length - 1).bit_length(),
        "win_length": win_length,
        "hop_length": max(1, int(round(_HOP_SECONDS * sample_rate))),
    }


def resolve_stft(sample_rate, n_fft, win_length, hop_length) -> dict:
    """:func:`default_stft` with the sizes the caller gave; ``n_fft`` alone keeps 25 ms when it fits."""
    stft = default_stft(sample_rate)
    if n_fft is not None:
        check_int("n_fft", n_fft, minimum=2)
        stft["n_fft"] = n_fft
        stft["win_length"] = min(stft["win_length"], n_fft) if win_length is None else win_length
    elif win_length is not None:
        stft["win_length"] = win_length
        stft["n_fft"] = max(stft["n_fft"], 1 << (int(win_length) - 1).bit_length())
    if hop_length is not None:
        stft["hop_length"] = hop_length
    check_int("win_length", stft["win_length"], minimum=1)
    check_int("hop_length", stft["hop_length"], minimum=1)
    if stft["win_length"] > stft["n_fft"]:
        raise parameter_error("win_length", "<= `n_fft`", win_length=stft["win_length"], n_fft=stft["n_fft"])
    return stft


def waveform_augmentation(x, *, sample_rate, duration, seed):
    """Training-only random time shift (up to 0.1 s, a quarter of the clip at most) and gain (+-6 dB)."""
    from audioflow import layers

    x = layers.RandomTimeShift(
        max_shift=min(_SHIFT_SECONDS, duration / 4), sample_rate=sample_rate, seed=_offset(seed, 0),
        name="random_time_shift",
    )(x)  # fmt: skip
    return layers.RandomGain(gain_db=(-6.0, 6.0), seed=_offset(seed, 1), name="random_gain")(x)


def frontend(x, kind, *, sample_rate, stft, n_mels, f_min, f_max):
    """Waveform -> ``(batch, frames, bands)`` features of the front end ``kind`` (see FRONTENDS).

    "logmel": librosa's dB log-mel, then each band to zero mean and unit variance over the clip's
    frames (instance normalisation, the cepstral mean and variance normalisation of speech front
    ends: removes the microphone's and the voice's spectral tilt and the gain). "pcen": the mel
    power spectrogram through a trainable PCEN (sPCEN), which normalises gain and tilt itself.
    "leaf": the LEAF layer (Gabor filters, Gaussian pooling, sPCEN), ``n_mels`` filters, the
    STFT's window and hop.
    """
    from audioflow import layers

    if kind == "leaf":
        return layers.Leaf(
            n_filters=n_mels, sample_rate=sample_rate, win_length=max(2, stft["win_length"]),
            hop_length=stft["hop_length"], f_min=f_min, f_max=f_max, name="leaf",
        )(x)  # fmt: skip
    if kind == "pcen":
        x = layers.MelSpectrogram(
            sample_rate=sample_rate, n_mels=n_mels, f_min=f_min, f_max=f_max, power=2.0, name="mel", **stft
        )(x)
        return layers.PCEN(
            sample_rate=sample_rate, hop_length=stft["hop_length"], trainable=True, name="pcen"
        )(x)
    x = layers.LogMelSpectrogram(
        sample_rate=sample_rate, n_mels=n_mels, f_min=f_min, f_max=f_max, name="logmel", **stft
    )(x)
    return keras.layers.GroupNormalization(groups=-1, axis=-1, center=False, scale=False, name="normalize")(x)


def spec_augment(x, *, sample_rate, hop_length, seed):
    """Training-only SpecAugment: two band masks of up to 1/8 of the bands, two time masks up to 0.1 s."""
    from audioflow import layers

    frames, bands = x.shape[1], x.shape[2]
    return layers.SpecAugment(
        freq_mask_param=max(1, bands // 8), n_freq_masks=2,
        time_mask_param=max(1, min(round(_TIME_MASK_SECONDS * sample_rate / hop_length), frames // 4)),
        n_time_masks=2, seed=_offset(seed, 3), name="spec_augment",
    )(x)  # fmt: skip


@keras.saving.register_keras_serializable(package="audioflow")
class GlobalMaxPool(keras.layers.GlobalMaxPooling1D):
    """``GlobalMaxPooling1D`` through ``keras.ops.amax``: the same maximum, but ``keras.ops.max`` (which
    Keras' layer uses) breaks ``torch.compile``'s graph under the torch backend."""

    def call(self, inputs):
        return keras.ops.amax(
            inputs, axis=1 if self.data_format == "channels_last" else 2, keepdims=self.keepdims
        )


def body(x, size, *, kernel_size, dropout, classes):
    """Features -> class probabilities: 2-D stem, temporal ResNet stages, max + mean pooling, softmax."""
    x = _stem(x, size)
    for index, channels in enumerate(size["stages"], start=1):
        x = _residual_stage(x, channels, kernel_size, index)
    x = keras.layers.Concatenate(name="pool")(
        [
            GlobalMaxPool(name="max_pool")(x),
            keras.layers.GlobalAveragePooling1D(name="avg_pool")(x),
        ]
    )
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    return keras.layers.Dense(classes, activation="softmax", name="probabilities")(x)


def _offset(seed, offset):
    return None if seed is None else seed + offset


def _stem(x, size):
    """2-D convolutions over (time, band) that tolerate small shifts in frequency (other voices,
    other recorders), pooled over bands, then the bands x channels as the channels of a 1-D stem."""
    conv, bn, relu = keras.layers.Conv2D, keras.layers.BatchNormalization, keras.layers.Activation
    x = keras.layers.Reshape((x.shape[1], x.shape[2], 1), name="add_channel")(x)
    for index, channels in enumerate(size["stem2d"], start=1):
        x = conv(channels, 3, padding="same", use_bias=False, name=f"stem2d_conv{index}")(x)
        x = bn(momentum=0.9, name=f"stem2d_bn{index}")(x)
        x = relu("relu", name=f"stem2d_relu{index}")(x)
        x = keras.layers.MaxPooling2D((1, 2), padding="same", name=f"stem2d_pool{index}")(x)
    x = keras.layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]), name="bands_to_channels")(x)
    x = keras.layers.Conv1D(size["stem"], 3, padding="same", use_bias=False, name="stem_conv")(x)
    x = bn(momentum=0.9, name="stem_bn")(x)
    return relu("relu", name="stem_relu")(x)


def _residual_stage(x, channels, kernel_size, index):
    """Two 1-D convolutions (the first halves the frame rate) plus a strided 1x1 shortcut."""
    conv, bn, relu = keras.layers.Conv1D, keras.layers.BatchNormalization, keras.layers.Activation
    y = conv(channels, kernel_size, strides=2, padding="same", use_bias=False, name=f"stage{index}_conv1")(x)
    y = bn(momentum=0.9, name=f"stage{index}_bn1")(y)
    y = relu("relu", name=f"stage{index}_relu1")(y)
    y = conv(channels, kernel_size, padding="same", use_bias=False, name=f"stage{index}_conv2")(y)
    y = bn(momentum=0.9, name=f"stage{index}_bn2")(y)
    shortcut = conv(channels, 1, strides=2, padding="same", use_bias=False, name=f"stage{index}_shortcut")(x)
    shortcut = bn(momentum=0.9, name=f"stage{index}_shortcut_bn")(shortcut)
    y = keras.layers.Add(name=f"stage{index}_add")([y, shortcut])
    return relu("relu", name=f"stage{index}_relu2")(y)
