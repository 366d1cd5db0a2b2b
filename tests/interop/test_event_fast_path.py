"""``history_event`` builds its event from the validated record without validating it again:
the event is the one pydantic's validation gives, value for value and type for type, and what
the validation refuses is refused too."""

from __future__ import annotations

import math
import string
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from interop_sample import AS_OF, DATA
from pydantic import ValidationError
from same_kit import same

from ccms.errors import InvalidInput
from ccms.interop import HistoricalComplaint, history_event, read_cfpb, read_csv


def _both(record: HistoricalComplaint, **kw: Any) -> tuple[Any, Any]:
    out: list[Any] = []
    for validate in (False, True):
        try:
            out.append(history_event(record, as_of=AS_OF, run="R1", validate=validate, **kw))
        except (InvalidInput, ValidationError) as exc:
            out.append(type(exc))
    return out[0], out[1]


def _fixture_records() -> list[HistoricalComplaint]:
    out: list[HistoricalComplaint] = []
    for name in ("cfpb_awkward.csv", "cfpb_old.csv", "cfpb_sample.csv"):
        with read_cfpb(DATA / name) as reader:
            out += [r for r in reader if isinstance(r, HistoricalComplaint)]
    with read_csv(DATA / "nyc311_dst.csv", DATA / "nyc311.yaml") as reader:
        out += [r for r in reader if isinstance(r, HistoricalComplaint)]
    return out


def test_every_fixture_record_gives_the_validated_event() -> None:
    records = _fixture_records()
    assert len(records) > 250
    accepted = 0
    for record in records:
        fast, full = _both(record)
        if isinstance(fast, type):
            assert fast is full or full is InvalidInput, record.line
            continue
        accepted += 1
        same(fast, full, "event")
        assert fast.model_dump_json() == full.model_dump_json()
        same(fast.apply(None), full.apply(None), "complaint")
    assert accepted > 250


_KEYS = st.sampled_from(["state", "company", "source", "reported_x", "outcome", "zip_code"])
_VALUES = st.one_of(
    st.none(),
    st.text(string.printable, max_size=30),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.just("x" * 20_001),
)


@st.composite
def records(draw: st.DrawFn) -> HistoricalComplaint:
    received = draw(st.datetimes(datetime(2015, 1, 1), datetime(2024, 12, 1)))
    closed = draw(st.one_of(st.none(), st.timedeltas(timedelta(0), timedelta(days=90))))
    return HistoricalComplaint(
        source=draw(st.sampled_from(["cfpb", "desk"])),
        source_id=draw(st.one_of(st.none(), st.text(string.digits, min_size=1, max_size=130))),
        zone=draw(st.sampled_from(["UTC", "America/New_York", "Asia/Seoul"])),
        received_at=received,
        closed_at=None if closed is None else received + closed,
        channel=draw(st.sampled_from(["web", "phone", "public_agency"])),
        codes=draw(st.lists(st.sampled_from(["A", "A.B", "C"]), max_size=3, unique=True)),
        outcome=draw(st.one_of(st.none(), st.sampled_from(
            ["explanation", "monetary_relief", "untimely", "in_progress", "closed"]))),
        reported=draw(st.dictionaries(st.sampled_from(["timely", "disputed"]),
                                      st.one_of(st.none(), st.booleans()))),
        narrative=draw(st.text(max_size=40)),
        region=draw(st.one_of(st.none(), st.just("CA"))),
        attributes=draw(st.dictionaries(_KEYS, _VALUES, max_size=4)),
    )  # fmt: skip


@given(records())
@example(HistoricalComplaint(received_at=date(2024, 1, 1), channel="web",
                             attributes={"n": math.nan}))  # fmt: skip
@example(HistoricalComplaint(source_id="9" * 128, received_at=date(2024, 1, 1), channel="web"))
@example(HistoricalComplaint(received_at=date(2024, 1, 1), channel="web",
                             attributes={"source": "x"}))  # fmt: skip
def test_a_generated_record_gives_the_validated_event_or_both_refuse(
    record: HistoricalComplaint,
) -> None:
    fast, full = _both(record)
    assert isinstance(fast, type) == isinstance(full, type)
    if not isinstance(fast, type):
        same(fast, full, "event")
        assert fast.model_dump_json() == full.model_dump_json()


def test_a_complaint_id_too_long_is_refused_with_the_reason() -> None:
    record = HistoricalComplaint(source="cfpb", source_id="9" * 125, received_at=date(2024, 1, 1),
                                 channel="web")  # fmt: skip
    with pytest.raises(InvalidInput, match="must be 1 to 128 characters"):
        history_event(record, as_of=AS_OF)
