"""Imported first by every module of :mod:`ccms.testing` that needs Hypothesis: without it,
importing one raises :class:`~ccms.errors.MissingExtra` naming the ``testing`` extra.

``ccms.testing`` itself and its pytest plugin (loaded in every pytest run of a host) do not
import this: they load without Hypothesis.
"""

from __future__ import annotations

from ccms.errors import MissingExtra

__all__: list[str] = []

try:
    import hypothesis  # noqa: F401
except ImportError as exc:
    raise MissingExtra("testing", "hypothesis") from exc
