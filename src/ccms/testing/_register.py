"""Registration of ccms' public models with Hypothesis, so ``st.from_type(Model)`` works.

Hypothesis calls :func:`register_type_strategies` through its ``hypothesis`` entry point (see
``pyproject.toml``) when it is imported. The strategies themselves are deferred: the models are
imported here, but :mod:`ccms.testing.strategies` (workflow, policies, scoring) is imported only
when a test first asks for one of them.

>>> from hypothesis import find, given, settings, strategies as st
>>> from ccms.model import Complaint, Money
>>> find(st.from_type(Money), lambda m: True)
Money(amount=Decimal('0'), currency='KRW')
>>> @settings(max_examples=5, database=None)
... @given(st.from_type(Complaint))
... def check(complaint):
...     assert complaint.version >= 1
>>> check()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["register_type_strategies", "registered_types"]


def _later(name: str) -> Callable[[Any], Any]:
    def build(strategies: Any) -> Any:
        return getattr(strategies, name)()

    return build


def _model_factories() -> dict[type, Callable[[Any], Any]]:
    from ccms import model

    return {
        model.Complaint: _later("complaints"),
        model.Concern: _later("concerns"),
        model.Customer: _later("customers"),
        model.CustomerRef: _later("customer_refs"),
        model.Organization: _later("organizations"),
        model.Agent: _later("agents"),
        model.Department: _later("departments"),
        model.Taxonomy: _later("taxonomies"),
        model.Money: _later("money"),
    }


def _policy_factories() -> dict[type, Callable[[Any], Any]]:
    from ccms.policy import BusinessCalendar, SlaTable

    return {BusinessCalendar: _later("calendars"), SlaTable: _later("sla_tables")}


#: The packages whose public types get a strategy, each with the factories of its types.
PACKAGES: dict[str, Callable[[], dict[type, Callable[[Any], Any]]]] = {
    "ccms.model": _model_factories,
    "ccms.policy": _policy_factories,
}


def _factories() -> dict[type, Callable[[Any], Any]]:
    return {kind: factory for build in PACKAGES.values() for kind, factory in build().items()}


def registered_types() -> tuple[type, ...]:
    """The types :func:`register_type_strategies` registers, in registration order."""
    return tuple(_factories())


def register_type_strategies(package: str | None = None) -> None:
    """Register a (deferred) strategy for each public model so ``st.from_type(Model)`` works.

    ``package`` (``"ccms.model"`` or ``"ccms.policy"``) registers only that package's types;
    ``None`` registers them all. Registering twice is harmless (the later one wins, and it is the
    same strategy).
    """
    from hypothesis import strategies as st

    factories = _factories() if package is None else PACKAGES[package]()
    for kind, factory in factories.items():
        # A function of the type, not a strategy: Hypothesis calls it at the first
        # ``from_type``, so registering imports nothing (the strategies module included).
        def resolve(_: type, factory: Callable[[Any], Any] = factory) -> Any:
            from ccms.testing import strategies

            return factory(strategies)

        st.register_type_strategy(kind, resolve)
