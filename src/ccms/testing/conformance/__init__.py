"""Conformance suites: the properties every policy, accumulator and store must have.

Each suite is a pytest test class. Subclass it in a test module and give the one fixture it
needs, returning your implementation; the ``ccms`` pytest plugin (installed with ccms) also
lets a class name a registered policy with a marker instead:

=========================  =======================  ===============================================
suite                      fixture                  what it checks
=========================  =======================  ===============================================
:class:`HandlerRouterSuite`  ``handler_router``     an existing, active handler with capacity, or
                                                    reasons; never an unavailable agent; pure
:class:`DepartmentRouterSuite`  ``department_router``  a known department, an abstention or a
                                                    PolicyError saying why; deterministic
:class:`CalendarSuite`     ``business_calendar``    add/between inverse, monotonic, additive,
                                                    never ending in closed time; naive refused
:class:`SlaPolicySuite`    ``sla_policy``           consistent states, clocks only move forward,
                                                    paused time not counted, idempotent sweep
:class:`EscalationSuite`   ``escalation_policy``    levels never fall with time, sweep only raises
                                                    and is idempotent, deterministic
:class:`AccumulatorSuite`  ``make_accumulator``     merge exact, associative, commutative, with
                                                    an identity; operands unchanged
:class:`PointRulesSuite`  ``point_rules``          entries pure; replay deterministic, an event fed
                                                    twice earns nothing; reversals restore balance
:class:`StoreSuite`        ``make_store``           the store contract (versions, conflicts,
                                                    idempotency, queries, races)
=========================  =======================  ===============================================

A broken policy fails with a :class:`ConformanceError` naming the property and what was seen,
and Hypothesis prints the smallest input that shows it. See ``docs/testing-policies.md``.

>>> from datetime import timedelta
>>> class WallTime:  # plain elapsed time, and no check for naive datetimes
...     def add(self, start, duration):
...         return start + duration
...     def between(self, start, end):
...         return end - start
...     def __repr__(self):
...         return "WallTime()"
>>> CalendarSuite().test_naive_datetimes_are_refused(WallTime())
Traceback (most recent call last):
...
ccms.errors.ConformanceError: WallTime() breaks 'refuses naive datetimes': add(naive, 1h) returned datetime.datetime(2026, 3, 2, 10, 0); expected NaiveDatetimeError
"""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
from ccms.errors import ConformanceError
from ccms.testing.conformance._accumulators import AccumulatorSuite
from ccms.testing.conformance._calendar import CalendarSuite
from ccms.testing.conformance._common import run_property, seeded
from ccms.testing.conformance._escalation import EscalationSuite
from ccms.testing.conformance._history import Script, ScriptStep, play, scripts
from ccms.testing.conformance._history import Step as Step  # the old name of ScriptStep
from ccms.testing.conformance._points import PointRulesSuite
from ccms.testing.conformance._routing import (
    DepartmentRouterSuite,
    HandlerRouterSuite,
    RoutingCase,
    routing_contexts,
)
from ccms.testing.conformance._sla import SlaPolicySuite, sample_organization
from ccms.testing.conformance.store import StoreSuite

__all__ = [
    "AccumulatorSuite",
    "CalendarSuite",
    "ConformanceError",
    "DepartmentRouterSuite",
    "EscalationSuite",
    "HandlerRouterSuite",
    "PointRulesSuite",
    "RoutingCase",
    "Script",
    "ScriptStep",
    "SlaPolicySuite",
    "StoreSuite",
    "play",
    "routing_contexts",
    "run_property",
    "sample_organization",
    "scripts",
    "seeded",
]
