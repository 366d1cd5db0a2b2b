"""The one place scikit-learn is imported: a missing extra is a typed error naming it."""

from __future__ import annotations

import importlib
from typing import Any

from ccms.errors import MissingExtra

__all__ = ["sklearn_module"]


def sklearn_module(name: str) -> Any:
    """``importlib.import_module(name)`` for a scikit-learn module, or :class:`MissingExtra`."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise MissingExtra("classify", "scikit-learn") from exc
