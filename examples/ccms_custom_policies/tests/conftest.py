"""Hypothesis settings for this package's tests, and pytester for the wrong-variant checks."""

from __future__ import annotations

from hypothesis import settings

pytest_plugins = ["pytester"]

# Derandomized: the same examples on every run, so a landing never hangs on luck.
settings.register_profile(
    "example", max_examples=25, deadline=None, derandomize=True, database=None
)
settings.load_profile("example")
