"""Hypothesis entry point: registers strategies for ccms' public models with ``st.from_type``."""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Called by Hypothesis when it loads entry points (group ``hypothesis``)."""
    from ccms.testing import _register

    _register.register_type_strategies()
