"""Hypothesis strategies for :class:`~ccms.metrics.CaseRecord` lists (private; re-exported by
``ccms.testing.strategies``), for ccms' own tests and for integrators'.

>>> from hypothesis import given, settings
>>> @settings(max_examples=5)
... @given(case_records_lists(max_size=3))
... def check(records):
...     assert all(r.received_at.tzinfo is not None for r in records)
>>> check()
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ccms.metrics.records import CaseRecord
from ccms.model import RemedyKind

__all__ = ["case_record_strategy", "case_records_lists"]

_START = datetime(2026, 1, 1, tzinfo=UTC)
_CHANNELS = ("web", "phone", "email")
_CODES = (None, "PRD.DEF", "SVC.ATT.RUDE", "PAY.REF")
_HANDLERS = ("kim", "lee", "park")
_REMEDIES = tuple(r.value for r in RemedyKind)  # the material ones first, as the enum has them
_TARGETS = ("response", "resolution")


def _offset(max_days: int) -> st.SearchStrategy[timedelta]:
    return st.integers(0, max_days * 86_400_000_000).map(lambda us: timedelta(microseconds=us))


@st.composite
def case_record_strategy(draw: Any, index: int | None = None) -> CaseRecord:
    """One plausible case record (timestamps in order, amounts with at most 4 places)."""
    bits = draw(st.integers(0, 2**12 - 1))  # one draw for the booleans keeps generation fast

    def bit(i: int) -> bool:
        return bool(bits >> i & 1)

    received = _START + draw(_offset(90))
    first = received + draw(_offset(20)) if bit(0) else None
    resolved = received + draw(_offset(30)) if bit(1) else None
    closed = resolved if resolved is not None and bit(2) else None
    withdrawn = closed is None and bit(3)
    if withdrawn:
        closed = received + draw(_offset(5))
    remedy = draw(st.none() | st.sampled_from(_REMEDIES))
    amount = (
        draw(st.none() | st.integers(0, 10**9).map(lambda i: Decimal(i).scaleb(-2)))
        if remedy
        else None
    )
    responded = bit(4)
    handlers = draw(st.lists(st.sampled_from(_HANDLERS), unique=True, max_size=3))
    met = {t for i, t in enumerate(_TARGETS) if bit(5 + i)}
    breached = {t for i, t in enumerate(_TARGETS) if bit(7 + i)}
    supervisor = bit(9)
    courtesy = bit(10)
    answered = bit(11)
    return CaseRecord(
        id=str(index) if index is not None else draw(st.uuids()).hex,
        received_at=received,
        channel=draw(st.sampled_from(_CHANNELS)),
        kind=draw(st.sampled_from(("complaint", "inquiry"))),
        severity=draw(st.sampled_from(("low", "high"))),
        segment=draw(st.sampled_from(("general", "vip"))),
        stage="closed" if closed else "in_progress",
        code=draw(st.sampled_from(_CODES)),
        region=draw(st.sampled_from((None, "seoul", "busan"))),
        handler=handlers[-1] if handlers else None,
        handlers=tuple(handlers),
        first_response_at=first,
        resolved_at=resolved,
        closed_at=closed,
        withdrawn=withdrawn,
        transfers=draw(st.integers(0, 3)),
        reopens=draw(st.integers(0, 2)),
        escalation_level=draw(st.integers(0, 2)),
        waiting_seconds=draw(st.integers(0, 86_400 * 3)),
        business_response_seconds=draw(st.none() | st.integers(0, 86_400 * 5)),
        business_resolution_seconds=draw(st.none() | st.integers(0, 86_400 * 10)),
        business_waiting_seconds=draw(st.none() | st.integers(0, 86_400)),
        sla_met=tuple(sorted(met)),
        sla_breached=tuple(sorted(breached)),
        remedy=remedy,
        remedy_amount=amount,
        currency=draw(st.sampled_from(("KRW", "USD"))) if amount is not None else None,
        satisfied=(bits % 3 == 0) if responded and answered else None,
        csat=draw(st.none() | st.integers(1, 5)) if responded else None,
        feedback_responded=responded,
        supervisor_requested=supervisor,
        supervisor_honoured=supervisor and bit(0),
        courtesy=courtesy,
        courtesy_upheld=courtesy and bit(1),
        repeat=bits % 5 == 0,
    )


def case_records_lists(
    min_size: int = 0, max_size: int = 30
) -> st.SearchStrategy[list[CaseRecord]]:
    """Lists of case records with distinct ids."""
    return st.integers(min_size, max_size).flatmap(
        lambda n: st.tuples(*[case_record_strategy(i) for i in range(n)]).map(list)
    )
