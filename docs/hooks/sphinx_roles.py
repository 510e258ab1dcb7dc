"""Griffe extension for the API pages: Sphinx roles in docstrings shown as code.

audioflow's docstrings cross-reference with Sphinx roles (``:class:`~audioflow.recipe.Recipe```,
``:func:`audioflow.ops.num_frames```), which Markdown would print as they are. Each role becomes
inline code of the name it points to (the last dotted part for a ``~`` target), so the page reads
as the source means.
"""

from __future__ import annotations

import re

import griffe

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj):`(~?)([^`]+)`")


def _plain(match: re.Match) -> str:
    short, target = match.groups()
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


class SphinxRoles(griffe.Extension):
    def on_instance(self, *, node, obj, agent, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_plain, obj.docstring.value)
