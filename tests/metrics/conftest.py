"""Markers of the metrics tests (registered here so ``--strict-markers`` accepts them)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "dask_cluster: starts a local Dask cluster (deselect with -m 'not dask_cluster')"
    )
