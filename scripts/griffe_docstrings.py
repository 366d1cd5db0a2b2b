"""A griffe extension for the API reference (``make docs``): ccms docstrings read as Markdown.

ccms writes its docstrings for readers of the source and for doctest: examples are bare
``>>>`` blocks anywhere in the text, and cross-references are Sphinx roles
(``:class:`~ccms.desk.Clock```). Rendered as Markdown, a bare ``>>>`` line is a nested block
quote and ``[a][b]`` in an output is taken for a link. This extension, run once the object tree
is loaded, fences every bare doctest block as ``pycon`` and turns each role into an optional
cross-reference (a link when the target is in the reference, plain code when it is not), so
the docstrings need not change for the site.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(
    r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|const):`(~?)([\w.]+)(\(\))?`"
)
_FENCE = re.compile(r"^\s*(```|~~~)")


def _fence_doctests(text: str) -> str:
    """Wrap each run of lines from a ``>>>`` line to the next blank line in a pycon fence."""
    out: list[str] = []
    in_fence = False
    in_example = False
    for line in text.split("\n"):
        stripped = line.strip()
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and not in_example and stripped.startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            in_example = True
        elif in_example and not stripped:
            out.append(f"{indent}```")
            in_example = False
        out.append(line)
    if in_example:
        out.append(f"{indent}```")
    return "\n".join(out)


def _roles(text: str, package: str) -> str:
    def link(match: re.Match[str]) -> str:
        short, target, call = match.group(1), match.group(2), match.group(3) or ""
        title = target.rsplit(".", 1)[-1] if short else target
        identifier = target if target.startswith("ccms") or "." in target else f"{package}.{target}"
        return f'<autoref identifier="{identifier}" optional><code>{title}{call}</code></autoref>'

    # outside fenced code only: a doctest's output may hold anything
    parts = re.split(r"(```.*?```)", text, flags=re.DOTALL)
    return "".join(p if p.startswith("```") else _ROLE.sub(link, p) for p in parts)


class DoctestMarkdown(griffe.Extension):
    """Fence bare doctest blocks and turn Sphinx roles into optional cross-references."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        docstring = obj.docstring
        if docstring is None:
            return
        package = obj.package.path if obj.is_module or obj.parent is None else obj.module.path
        docstring.value = _roles(_fence_doctests(docstring.value), package)
