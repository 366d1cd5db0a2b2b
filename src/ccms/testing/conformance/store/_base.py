"""The fixtures every part of the store suite takes: ``make_store`` (yours), ``store``, a second
handle for the races, and threads that switch often."""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import sys
from collections.abc import Iterator

import pytest

from ccms.store.base import (
    ComplaintStore,
)
from ccms.testing.conformance.store._builders import (
    StoreFactory,
)

__all__ = ["StoreSuiteBase"]


class StoreSuiteBase:
    """The fixtures of the store suite's parts; subclass a part (or :class:`StoreSuite`) with a
    ``make_store`` fixture."""

    """The behaviour every complaint store must show; subclass it with a ``make_store`` fixture."""

    @pytest.fixture
    def make_store(self) -> StoreFactory:
        """Return a factory of fresh, empty stores. Subclasses must override this fixture."""
        raise NotImplementedError(
            f"{type(self).__name__} must define a make_store fixture returning a factory of "
            "fresh, empty stores"
        )

    @pytest.fixture
    def store(self, make_store: StoreFactory) -> Iterator[ComplaintStore]:
        """One fresh store, closed after the test."""
        s = make_store()
        yield s
        s.close()

    def second_handle(self, store: ComplaintStore) -> ComplaintStore:
        """Another store object on the same data (default: the same object). Closed after use."""
        return store

    def _close_second(self, store: ComplaintStore, other: ComplaintStore) -> None:
        if other is not store:
            other.close()

    @pytest.fixture
    def busy_switching(self) -> Iterator[None]:
        """Make threads switch very often, so racing writers really interleave."""
        before = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        yield
        sys.setswitchinterval(before)
