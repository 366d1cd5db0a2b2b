"""``ccms.testing``: the testing kit for integrators, and ccms' own tests' first tool.

* :mod:`ccms.testing.strategies`: Hypothesis strategies for complaints, customers, taxonomies,
  organizations, calendars, SLA tables, point rules, event histories and command sequences
  (also registered with ``st.from_type`` through Hypothesis' entry point);
* :class:`ComplaintLifecycleMachine`: a stateful test of a workflow, its policies and a store;
* :mod:`ccms.testing.store_contract`: the suite every complaint store must pass.
* :mod:`ccms.testing.conformance`: the suites every routing, calendar, SLA, escalation policy,
  metric accumulator and store must pass, with :mod:`ccms.testing.plugin`, the pytest plugin
  (entry point ``pytest11``) that gives them fixtures and the ``ccms_policy`` marker.

Names are imported when first used (Hypothesis imports this package at start-up, through its
entry point, and that must stay cheap): add new exports to ``_LAZY`` below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ccms.testing.lifecycle import ComplaintLifecycleMachine

__all__ = ["ComplaintLifecycleMachine"]

#: public name -> module that defines it (imported on first access).
_LAZY: dict[str, str] = {
    "ComplaintLifecycleMachine": "ccms.testing.lifecycle",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
