"""The classifier recipe behind ``audioflow train``: its parts, the model, training and outputs.

A :class:`Recipe` is the input (sample rate, clip length) and four parts, each a frozen settings
object that declares its defaults once and builds its share of the model:

- :class:`FrontEnd`: waveforms -> ``(batch, frames, bands)`` features (log-mel, PCEN, LEAF);
- :class:`Augmentation`: training-only time shift, gain and SpecAugment (None: no augmentation);
- :class:`TemporalResNet`: the network from features to class probabilities;
- :class:`Schedule`: optimiser, learning-rate schedule, loss, epochs, batch size, callbacks.

Take it and change one part::

    from audioflow.recipe import FrontEnd, Recipe, Schedule
    recipe = Recipe(sample_rate=16000, duration=1.0)
    recipe = recipe.replace(front_end=FrontEnd(kind="pcen"), schedule=Schedule(epochs=40))
    model = recipe.build_model(["yes", "no"])       # uncompiled keras.Model, raw audio in
    result = recipe.train("my_folder/", out="run1")  # what `audioflow train` runs

This package imports no Keras: the parts import it when they build. The modules behind them:

- :mod:`audioflow.recipe.parts`: the parts and :func:`recipe_from_options` (0.2.0's flat options);
- :mod:`audioflow.recipe.model`: ``build_classifier``, ``ClassifierInfo``, the loss, compile,
  callbacks, ``load_classifier`` (also ``audioflow.models``, 0.1.0's and 0.2.0's import path);
- :mod:`audioflow.recipe.network`: the layers of :class:`TemporalResNet`;
- :mod:`audioflow.recipe.data`, :mod:`audioflow.recipe.training`, :mod:`audioflow.recipe.outputs`:
  the steps of a run, ``train_recipe`` and ``train_classifier`` (also ``audioflow.training``).
"""

from audioflow.recipe.parts import *  # noqa: F403  (the parts, their defaults and choices)
from audioflow.recipe.parts import __all__ as __all__
