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


def _factories() -> dict[type, Callable[[Any], Any]]:
    from ccms import model
    from ccms.policy import BusinessCalendar, SlaTable

    def later(name: str, **kwargs: Any) -> Callable[[Any], Any]:
        def build(strategies: Any) -> Any:
            return getattr(strategies, name)(**kwargs)

        return build

    return {
        model.Complaint: later("complaints"),
        model.Concern: later("concerns"),
        model.Customer: later("customers"),
        model.CustomerRef: later("customer_refs"),
        model.Organization: later("organizations"),
        model.Agent: later("agents"),
        model.Department: later("departments"),
        model.Taxonomy: later("taxonomies"),
        model.Money: later("money"),
        BusinessCalendar: later("calendars"),
        SlaTable: later("sla_tables"),
    }


def registered_types() -> tuple[type, ...]:
    """The types :func:`register_type_strategies` registers, in registration order."""
    return tuple(_factories())


def register_type_strategies() -> None:
    """Register a (deferred) strategy for each public model so ``st.from_type(Model)`` works."""
    from hypothesis import strategies as st

    for kind, factory in _factories().items():

        def deferred(factory: Callable[[Any], Any] = factory) -> Any:
            from ccms.testing import strategies

            return factory(strategies)

        st.register_type_strategy(kind, st.deferred(deferred))
