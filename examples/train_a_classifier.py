"""Train the recipe's classifier on a small synthetic dataset, changing one part of the recipe.

``audioflow.synthetic`` writes a folder with one sub-folder per class (tones, chirps, noise
bursts); ``Recipe.train`` runs what ``audioflow train`` runs and writes the model, a report and
the plots. Here the recipe is made small (8 kHz, quarter-second crops, 32 mel bands, the small
network without augmentation, six epochs) so that it trains in seconds; the defaults are
``Recipe()``.

Run: ``python examples/train_a_classifier.py [OUT_DIR]`` (writes ``train_a_classifier_curves.png``
and ``train_a_classifier_confusion.png``).
"""

import shutil
import sys
from pathlib import Path

from audioflow.recipe import FrontEnd, Recipe, Schedule, TemporalResNet
from audioflow.synthetic import make_synthetic_dataset


def main(out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    data = out / "synthetic-data"
    make_synthetic_dataset(
        data, examples_per_class=10, duration=0.5, classes=["tone", "chirp_up", "noise_burst"], overwrite=True
    )
    recipe = Recipe(sample_rate=8000, duration=0.25).replace(
        front_end=FrontEnd(n_mels=32),
        augmentation=None,
        model=TemporalResNet(size="small"),
        schedule=Schedule(epochs=6, batch_size=8),
    )
    result = recipe.train(data, out=out / "run", validation_split=0.3, force=True)
    print(f"validation accuracy {result.evaluation.accuracy:.3f} on {result.evaluation.clips} clips")
    pictures = {
        "curves": out / "train_a_classifier_curves.png",
        "confusion": out / "train_a_classifier_confusion.png",
    }
    shutil.copy(result.outputs["training_curves.png"], pictures["curves"])
    shutil.copy(result.outputs["confusion_matrix.png"], pictures["confusion"])
    for picture in pictures.values():
        print(f"wrote {picture}")
    return pictures


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("."))
