"""The shape of the source: no function over 80 lines of code, no module over 450 lines.

A function's lines of code are its lines that are neither blank, nor only a comment, nor part of
its docstring (nested functions count in the function that holds them, and on their own).
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "src" / "audioflow"
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 450

pytestmark = pytest.mark.backend_independent


def _code_lines(text: str) -> set[int]:
    """Line numbers that hold a token other than a comment, a newline or an indent."""
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type not in skip and token.type != tokenize.ENDMARKER:
            lines.update(range(token.start[0], token.end[0] + 1))
    return lines


def _docstring_lines(node) -> set[int]:
    body = getattr(node, "body", None)
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
        if isinstance(body[0].value.value, str):
            return set(range(body[0].lineno, body[0].end_lineno + 1))
    return set()


def function_lengths(path: Path) -> dict[str, int]:
    """``{"Class.method" or "function": lines of code}`` of every function in ``path``."""
    text = path.read_text()
    tree = ast.parse(text)
    code = _code_lines(text)
    lengths = {}

    def visit(node, prefix):
        for child in ast.iter_child_nodes(node):
            name = f"{prefix}{getattr(child, 'name', '')}"
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                own = set(range(child.lineno, child.end_lineno + 1)) - _docstring_lines(child)
                lengths[name] = len(own & code)
                visit(child, f"{name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return lengths


MODULES = sorted(SOURCE.rglob("*.py"))


def test_the_checker_counts_code_not_docstrings_or_comments(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(
        'def f(x):\n    """Doc.\n\n    More doc.\n    """\n    # a comment\n\n    y = (x +\n         1)\n    return y\n'
    )
    assert function_lengths(source) == {"f": 4}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_function_is_longer_than_80_lines_of_code(path):
    long = {name: n for name, n in function_lengths(path).items() if n > MAX_FUNCTION_LINES}
    assert not long, f"{path.relative_to(SOURCE)}: functions over {MAX_FUNCTION_LINES} lines of code: {long}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_module_is_longer_than_450_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, (
        f"{path.relative_to(SOURCE)} has {lines} lines (at most {MAX_MODULE_LINES})"
    )
