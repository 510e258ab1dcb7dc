"""The docs site's Python snippets run as written (``docs/**/*.md``, each page in its own namespace).

Blocks fenced as ``python`` run in order; the gallery's blocks that include ``examples/*.py``
(``--8<--``) are run by ``tests/test_examples.py`` instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)
PAGES = sorted(p for p in DOCS.rglob("*.md") if BLOCK.search(p.read_text()))


def snippets(page: Path) -> list[str]:
    return [code for code in BLOCK.findall(page.read_text()) if "--8<--" not in code]


def test_the_pages_with_snippets_are_found():
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {
        "index.md",
        "coming-from/librosa.md",
        "coming-from/torchaudio.md",
        "coming-from/keras.md",
    } <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_snippets_run(page):
    namespace: dict = {"__name__": "__docs__"}
    for code in snippets(page):
        exec(compile(code, str(page), "exec"), namespace)
