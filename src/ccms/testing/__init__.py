"""Testing kit for users of ccms: Hypothesis strategies, stateful machines, conformance suites."""

from __future__ import annotations

__all__: list[str] = []
