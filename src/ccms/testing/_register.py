"""Registration of ccms' models with Hypothesis (filled in as strategies are added)."""

from __future__ import annotations


def register_type_strategies() -> None:
    """Register a strategy for each public model so ``st.from_type(Model)`` works."""
