"""Hypothesis strategies for ccms' values, calendars, tables and whole complaint lifecycles.

Every strategy takes keyword filters that default to "any" (``None``), checks its arguments when
it is called (a bad argument raises :class:`InvalidStrategyArgument`, which is both a
:class:`ccms.errors.InvalidInput` and a Hypothesis ``InvalidArgument``), and shrinks towards small,
readable examples: a complaint just received by phone with one short concern, a Monday-to-Friday
calendar in UTC, an amount of 0 KRW.

>>> from hypothesis import HealthCheck, given, settings
>>> from ccms.model import fold
>>> from ccms.workflow import default_workflow
>>> @settings(max_examples=10, database=None, suppress_health_check=[HealthCheck.too_slow])
... @given(event_histories(default_workflow(), max_commands=6))
... def check(events):
...     complaint = fold(events)
...     assert complaint.version == events[-1].version
...     assert [e.version for e in events] == sorted(e.version for e in events)
>>> check()

The strategies live in private modules by subject (values, calendars and tables, whole
lifecycles, with their argument checks in one), and
:func:`invalid_commands` in :mod:`ccms.testing.invalid`; this module is their public face.

The public models are registered with Hypothesis through its ``hypothesis`` entry point, so
``st.from_type(Complaint)`` draws from :func:`complaints` in any suite once ccms is installed.
"""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
from ccms.testing._records_strategies import case_records_lists
from ccms.testing._strategies_args import InvalidStrategyArgument
from ccms.testing._strategies_lifecycle import (
    CommandScript,
    CommandStep,
    command_sequences,
    complaints,
    event_histories,
)
from ccms.testing._strategies_lifecycle import Step as Step  # the old name of CommandStep
from ccms.testing._strategies_tables import calendars, case_records, point_rules, sla_tables
from ccms.testing._strategies_values import (
    agents,
    aware_datetimes,
    concerns,
    customer_refs,
    customers,
    departments,
    money,
    organizations,
    taxonomies,
    voc_codes,
)
from ccms.testing.invalid import INVALID_VALUES, InvalidCommand, invalid_commands

__all__ = [
    "INVALID_VALUES",
    "CommandScript",
    "CommandStep",
    "InvalidCommand",
    "InvalidStrategyArgument",
    "agents",
    "aware_datetimes",
    "calendars",
    "case_records",
    "case_records_lists",
    "command_sequences",
    "complaints",
    "concerns",
    "customer_refs",
    "customers",
    "departments",
    "event_histories",
    "invalid_commands",
    "money",
    "organizations",
    "point_rules",
    "sla_tables",
    "taxonomies",
    "voc_codes",
]
