"""A layer's own ``__init__`` arguments: declared once (or taken from its op), not retyped to be stored."""

from __future__ import annotations

import functools
import inspect


def init_arguments(init, local_values: dict, *, but: tuple = ()) -> dict:
    """The keyword-only arguments of ``init`` (a layer's ``__init__``), less ``but``, as its
    ``locals()`` hold them: the arguments as passed (or defaulted), in signature order.
    """
    parameters = inspect.signature(init).parameters.values()
    return {
        p.name: local_values[p.name] for p in parameters if p.kind is p.KEYWORD_ONLY and p.name not in but
    }


def takes_op_arguments(op, *, but: tuple = ()):
    """Give a layer's ``__init__`` the keyword-only arguments of ``op`` (less ``but``), with the
    op's defaults, before the layer's own: a layer and its op share one signature.

    The decorated ``__init__(self, op_arguments, *, ..., **kwargs)`` receives them as the dict
    ``op_arguments`` (defaults filled in, in the op's order); callers, ``help()``,
    ``inspect.signature`` and ``from_config`` see the whole keyword-only signature.
    """
    shared = [
        p for p in inspect.signature(op).parameters.values() if p.kind is p.KEYWORD_ONLY and p.name not in but
    ]

    def decorate(init):
        self_parameter, _, *own = inspect.signature(init).parameters.values()

        @functools.wraps(init)
        def __init__(self, **kwargs):
            op_arguments = {p.name: kwargs.pop(p.name, p.default) for p in shared}
            init(self, op_arguments, **kwargs)

        __init__.__signature__ = inspect.Signature([self_parameter, *shared, *own])
        return __init__

    return decorate
