"""A layer's own ``__init__`` arguments, taken from its signature instead of retyped to be stored."""

from __future__ import annotations

import inspect


def init_arguments(init, local_values: dict, *, but: tuple = ()) -> dict:
    """The keyword-only arguments of ``init`` (a layer's ``__init__``), less ``but``, as its
    ``locals()`` hold them: the arguments as passed (or defaulted), in signature order.
    """
    parameters = inspect.signature(init).parameters.values()
    return {
        p.name: local_values[p.name] for p in parameters if p.kind is p.KEYWORD_ONLY and p.name not in but
    }


def keep_arguments(layer, arguments: dict) -> dict:
    """``arguments`` as the layer's public attributes and, JSON-friendly, in its ``get_config``."""
    for name, value in arguments.items():
        setattr(layer, name, value)
    layer._remember(**arguments)
    return arguments
