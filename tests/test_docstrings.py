"""Every public layer, op and settings class documents every parameter, with its real default.

The signatures are written in the source; this holds each docstring's ``Args`` to them, so the two
cannot drift apart (a changed default with a stale docstring fails here).
"""

from __future__ import annotations

import inspect
import re

import pytest

from audioflow import config, layers, ops

pytestmark = pytest.mark.backend_independent

LAYERS = [getattr(layers, name) for name in layers.__all__]
OPS = [getattr(ops, name) for name in ops.__all__]
CONFIGS = [config.StftConfig, config.MelConfig, config.DecibelConfig]
OWNERS = [*LAYERS, *OPS, *CONFIGS]


def _parameters(owner) -> list[inspect.Parameter]:
    function = owner.__init__ if inspect.isclass(owner) else owner
    return [
        p
        for p in inspect.signature(function).parameters.values()
        if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _entries(doc: str) -> dict[str, str]:
    """The ``Args`` entries of a Google-style docstring: name -> its text on one line."""
    if "Args:" not in doc:
        return {}
    section = doc.split("Args:", 1)[1]
    entries = {}
    for match in re.finditer(
        r"^    (\*{0,2}\w+): (.+?)(?=^    \*{0,2}\w+: |^\S|\Z)", section, flags=re.M | re.S
    ):
        entries[match.group(1)] = " ".join(match.group(2).split())
    return entries


@pytest.mark.parametrize("owner", OWNERS, ids=lambda owner: owner.__name__)
def test_every_parameter_is_documented_with_its_default(owner):
    entries = _entries(inspect.getdoc(owner) or "")
    for parameter in _parameters(owner):
        assert parameter.name in entries, f"{owner.__name__} does not describe {parameter.name}"
        text = entries[parameter.name]
        assert len(text) > 12, (parameter.name, text)
        # An op's input defaults to None only so that librosa's ``y=`` is refused in audioflow's words.
        is_input = parameter.kind is parameter.POSITIONAL_OR_KEYWORD and parameter.default is None
        if parameter.default is parameter.empty or is_input:
            continue
        written = repr(parameter.default)
        if " object at 0x" in written or written.startswith("<audioflow namespace"):  # a module or namespace
            written = type(parameter.default).__module__.split(".")[0] + "."
            assert "Default: ``" in text and written[:-1] in text, (parameter.name, text)
        else:
            assert f"Default: ``{written}``." in text, (parameter.name, text)


@pytest.mark.parametrize("owner", [*LAYERS, *CONFIGS], ids=lambda owner: owner.__name__)
def test_layers_and_settings_are_keyword_only_and_typed(owner):
    for parameter in _parameters(owner):
        assert parameter.kind is parameter.KEYWORD_ONLY, parameter.name
        assert parameter.annotation is not parameter.empty, parameter.name


@pytest.mark.parametrize("owner", LAYERS, ids=lambda owner: owner.__name__)
def test_layers_type_the_keras_arguments(owner):
    (variadic,) = [
        p for p in inspect.signature(owner.__init__).parameters.values() if p.kind is p.VAR_KEYWORD
    ]
    assert "Unpack[LayerArguments" in str(variadic.annotation), variadic.annotation
    assert "**kwargs" in _entries(inspect.getdoc(owner) or "")
