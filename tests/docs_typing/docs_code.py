"""The Python a reader copies from the documentation: each page's ```python blocks as one module
(the doctest sessions' source lines, in order, and plain blocks as they are)."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

__all__ = ["page_code", "pages_with_code"]

_FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_PARSER = doctest.DocTestParser()


def _block_source(block: str) -> str:
    if ">>>" not in block:
        return block
    examples = _PARSER.get_examples(block)
    return "".join(example.source for example in examples)


def page_code(page: Path) -> str:
    """The page's Python, one block after the other ('' when it has none)."""
    text = page.read_text(encoding="utf-8")
    blocks = [_block_source(m.group(1)) for m in _FENCE.finditer(text)]
    return "\n".join(b for b in blocks if b.strip())


def pages_with_code(docs: Path) -> dict[str, str]:
    """``{module name: code}`` for every page under ``docs`` with Python in it."""
    found: dict[str, str] = {}
    for page in sorted(docs.rglob("*.md")):
        code = page_code(page)
        if code:
            rel = page.relative_to(docs).with_suffix("")
            name = "docs_" + "_".join(rel.parts).replace("-", "_")
            found[name] = code
    return found
