"""The ``docs_typing`` marker (the documentation's code under mypy, tests/docs_typing)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "docs_typing: mypy --strict over the documentation's code and the examples, without "
        "the pydantic plugin (one run, cached)",
    )
