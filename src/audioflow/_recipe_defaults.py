"""The recipe's choices and defaults, without importing Keras (the CLI builds its parser from them).

Public as :data:`audioflow.models.FRONTENDS`, :data:`audioflow.models.SIZES` and
:data:`audioflow.models.TRAINING_DEFAULTS`.
"""

#: Front ends of :func:`audioflow.models.build_classifier`.
FRONTENDS = ("logmel", "pcen", "leaf")
#: Per model size: channels of the two 2-D stem convolutions, of the 1-D stem, and of the three
#: residual stages.
SIZES = {
    "small": {"stem2d": (4, 8), "stem": 16, "stages": (24, 32, 48)},
    "medium": {"stem2d": (8, 16), "stem": 32, "stages": (48, 64, 96)},
    "large": {"stem2d": (16, 32), "stem": 48, "stages": (72, 96, 144)},
}
#: Defaults of the recipe (``audioflow train`` uses them as its option defaults).
TRAINING_DEFAULTS = {
    "frontend": "logmel",
    "size": "medium",
    "augment": True,
    "n_fft": None,  # from the sample rate: see default_stft
    "hop_length": None,
    "n_mels": 40,
    "epochs": 20,
    "batch_size": 32,
    "learning_rate": 3e-3,
    "weight_decay": 1e-2,
    "label_smoothing": 0.1,
    "warmup_epochs": 1,
}
