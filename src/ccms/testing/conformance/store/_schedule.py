"""The store suite's part: the wake-up schedule: due, reschedule, against a reference schedule."""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccms.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    NaiveDatetimeError,
)
from ccms.model import (
    Closed,
    Complaint,
    Reopened,
)
from ccms.store.base import (
    ASAP,
    LATEST,
    ComplaintStore,
    InvalidAppend,
)
from ccms.testing.conformance.store._base import StoreSuiteBase
from ccms.testing.conformance.store._builders import (
    _T0,
    NEW_YORK,
    SEOUL,
    Command,
    StoreFactory,
    _dump,
    _note,
    _wake_ups,
    advance,
    complaint_histories,
    received_event,
    reference_due,
    rich_history,
)

__all__ = ["StoreScheduleSuite"]


class StoreScheduleSuite(StoreSuiteBase):
    """The wake-up schedule: due, reschedule, against a reference schedule."""

    # -- the wake-up schedule -------------------------------------------------------------------

    def test_an_append_wakes_at_the_next_tick_by_default(self, store: ComplaintStore) -> None:
        assert store.due(ASAP) == []
        e = received_event("W", _T0)
        store.append(e.apply(None), [e], expected_version=0)
        assert store.wake_at("W") == ASAP
        assert store.due(ASAP) == ["W"]
        assert store.due(_T0.astimezone(SEOUL)) == ["W"]
        with pytest.raises(ComplaintNotFound):
            store.wake_at("nope")

    def test_a_wake_up_comes_back_as_the_same_instant_in_utc(self, store: ComplaintStore) -> None:
        at = datetime(2026, 10, 1, 18, 30, 0, 123456, tzinfo=SEOUL)
        e = received_event("W", _T0)
        store.append(e.apply(None), [e], expected_version=0, wake_at=at)
        got = store.wake_at("W")
        assert got == at
        assert got is not None
        assert got.utcoffset() == timedelta(0)
        assert store.due(at - timedelta(microseconds=1)) == []
        assert store.due(at) == ["W"]
        assert store.due(at.astimezone(NEW_YORK)) == ["W"]

    def test_nothing_scheduled_is_never_due(self, store: ComplaintStore) -> None:
        e = received_event("N", _T0)
        c1 = e.apply(None)
        store.append(c1, [e], expected_version=0, wake_at=None)
        assert store.wake_at("N") is None
        assert store.due(LATEST) == []
        assert store.reschedule("N", version=1, wake_at=_T0) is True
        assert store.due(LATEST) == ["N"]
        c2, note = _note(c1, "later", _T0)
        store.append(c2, note, expected_version=1, wake_at=None)
        assert store.due(LATEST) == []

    def test_reschedule_is_guarded_by_the_version(self, store: ComplaintStore) -> None:
        e = received_event("R", _T0)
        c1 = e.apply(None)
        store.append(c1, [e], expected_version=0, wake_at=None)
        later = _T0 + timedelta(hours=3)
        before = _dump(store)
        assert store.reschedule("R", version=0, wake_at=later) is False
        assert store.reschedule("R", version=2, wake_at=later) is False
        assert store.reschedule("nope", version=1, wake_at=later) is False
        assert _dump(store) == before
        assert store.reschedule("R", version=1, wake_at=later) is True
        assert store.wake_at("R") == later
        assert store.due(later - timedelta(microseconds=1)) == []
        assert store.due(later) == ["R"]
        c2, note = _note(c1, "moved on", _T0)
        store.append(c2, note, expected_version=1, wake_at=None)
        assert store.reschedule("R", version=1, wake_at=ASAP) is False
        assert store.wake_at("R") is None
        assert store.reschedule("R", version=2, wake_at=ASAP) is True
        assert store.due(_T0) == ["R"]
        assert store.reschedule("R", version=2, wake_at=None) is True
        assert store.due(LATEST) == []
        assert store.events("R") == [e, *note]  # rescheduling appends nothing
        assert store.get("R") == c2

    @pytest.mark.parametrize(
        ("wake_at", "version", "error"),
        [
            (datetime(2026, 10, 1), 1, NaiveDatetimeError),
            ("2026-10-01T00:00:00Z", 1, InvalidInput),
            (_T0, True, InvalidInput),
            (_T0, -1, InvalidInput),
            (_T0, "1", InvalidInput),
        ],
    )
    def test_a_bad_reschedule_is_refused(
        self, store: ComplaintStore, wake_at: Any, version: Any, error: type[Exception]
    ) -> None:
        e = received_event("R", _T0)
        store.append(e.apply(None), [e], expected_version=0, wake_at=None)
        before = _dump(store)
        with pytest.raises(error):
            store.reschedule("R", version=version, wake_at=wake_at)
        assert _dump(store) == before

    def test_closed_complaints_are_never_due(self, store: ComplaintStore) -> None:
        e = received_event("C", _T0)
        c1 = e.apply(None)
        store.append(c1, [e], expected_version=0)
        c2, closed = advance(c1, Closed, _T0 + timedelta(hours=1), stage="closed")
        store.append(c2, [closed], expected_version=1)  # the default: ASAP
        assert store.wake_at("C") == ASAP
        assert store.due(LATEST) == []
        assert store.reschedule("C", version=2, wake_at=_T0) is True
        assert store.wake_at("C") == _T0
        assert store.due(LATEST) == []
        c3, reopened = advance(c2, Reopened, _T0 + timedelta(hours=2), stage="in_progress")
        assert c3.closed_at is None
        store.append(c3, [reopened], expected_version=2, wake_at=_T0 + timedelta(hours=5))
        assert store.due(_T0 + timedelta(hours=4)) == []
        assert store.due(_T0 + timedelta(hours=5)) == ["C"]

    def test_due_is_ordered_by_wake_up_then_id_and_cut_at_the_limit(
        self, store: ComplaintStore
    ) -> None:
        # Same instants written in different zones; ties broken by id.
        t = _T0 + timedelta(hours=10)
        wakes: dict[str, datetime | None] = {
            "B": t.astimezone(SEOUL),
            "A": t.astimezone(NEW_YORK),
            "C": t - timedelta(hours=1),
            "D": ASAP,
            "E": None,
            "F": t + timedelta(microseconds=1),
            "G": LATEST,
        }
        for cid, wake in wakes.items():
            e = received_event(cid, _T0)
            store.append(e.apply(None), [e], expected_version=0, wake_at=wake)
        assert store.due(t) == ["D", "C", "A", "B"]
        assert store.due(t, limit=3) == ["D", "C", "A"]
        assert store.due(t, limit=1) == ["D"]
        assert store.due(t, limit=100) == ["D", "C", "A", "B"]
        assert store.due(t + timedelta(microseconds=1)) == ["D", "C", "A", "B", "F"]
        assert store.due(LATEST) == ["D", "C", "A", "B", "F", "G"]
        beyond = datetime.max.replace(tzinfo=NEW_YORK)  # later than any UTC datetime
        assert store.due(beyond) == ["D", "C", "A", "B", "F", "G"]
        assert store.due(ASAP) == ["D"]
        assert store.due(t - timedelta(hours=2)) == ["D"]

    @pytest.mark.parametrize(
        ("now", "limit", "error"),
        [
            (datetime(2026, 10, 1), None, NaiveDatetimeError),
            ("now", None, InvalidInput),
            (_T0, 0, InvalidInput),
            (_T0, -1, InvalidInput),
            (_T0, True, InvalidInput),
            (_T0, 1.5, InvalidInput),
        ],
    )
    def test_due_checks_its_arguments(
        self, store: ComplaintStore, now: Any, limit: Any, error: type[Exception]
    ) -> None:
        with pytest.raises(error):
            store.due(now, limit=limit)

    @pytest.mark.parametrize("new", [True, False])
    @pytest.mark.parametrize(
        ("wake_at", "error"),
        [
            (datetime(2026, 10, 1), NaiveDatetimeError),
            ("2026-10-01T00:00:00Z", InvalidAppend),
            (0, InvalidAppend),
        ],
    )
    def test_a_bad_wake_up_refuses_the_append_and_writes_nothing(
        self, store: ComplaintStore, wake_at: Any, error: type[Exception], new: bool
    ) -> None:
        e = received_event("X", _T0)
        c1 = e.apply(None)
        if not new:
            store.append(c1, [e], expected_version=0, wake_at=_T0)
        before = _dump(store)
        snapshot, events = (c1, (e,)) if new else _note(c1, "x", _T0)
        with pytest.raises(error) as caught:
            store.append(snapshot, events, expected_version=snapshot.version - 1, wake_at=wake_at)
        assert isinstance(caught.value, InvalidInput)
        assert _dump(store) == before

    def test_a_failed_or_duplicate_append_leaves_the_schedule(self, store: ComplaintStore) -> None:
        e = received_event("F", _T0)
        c1 = e.apply(None)
        store.append(c1, [e], expected_version=0, wake_at=_T0, idempotency_key="k1")
        c2, note = _note(c1, "second", _T0)
        store.append(c2, note, expected_version=1, wake_at=None, idempotency_key="k2")
        before = _dump(store)
        stale, stale_note = _note(c1, "stale", _T0)
        with pytest.raises(ConcurrencyConflict):
            store.append(stale, stale_note, expected_version=1, wake_at=ASAP)
        with pytest.raises(ConcurrencyConflict):
            store.append(c1, [e], expected_version=0, wake_at=ASAP)
        other = received_event("G", _T0)
        with pytest.raises(IdempotencyConflict):
            store.append(
                other.apply(None), [other], expected_version=0, idempotency_key="k1", wake_at=ASAP
            )
        again = store.append(c1, [e], expected_version=0, wake_at=ASAP, idempotency_key="k1")
        assert again.duplicate is True
        assert _dump(store) == before
        assert store.wake_at("F") is None
        assert store.due(LATEST) == []

    def test_last_position_is_the_end_of_the_stream(self, store: ComplaintStore) -> None:
        assert store.last_position() == 0
        results = [store.append(c, e, expected_version=c.version - 1) for c, e in rich_history()]
        assert store.last_position() == results[-1].positions[-1]
        assert store.last_position() == [s.position for s in store.stream()][-1]
        assert list(store.stream(after=store.last_position())) == []

    def test_due_matches_a_reference_schedule(self, make_store: StoreFactory) -> None:
        @settings(deadline=None)
        @given(
            histories=complaint_histories(max_size=12),
            data=st.data(),
            nows=st.lists(_wake_ups().filter(lambda w: w is not None), min_size=1, max_size=5),
            limit=st.none() | st.integers(1, 5),
        )
        def check(
            histories: list[list[Command]],
            data: st.DataObject,
            nows: list[datetime],
            limit: int | None,
        ) -> None:
            schedule: dict[str, datetime | None] = {}
            stored: dict[str, Complaint] = {}
            with make_store() as store:
                longest = max((len(h) for h in histories), default=0)
                for step in range(longest):
                    for history in histories:
                        if step >= len(history):
                            continue
                        snapshot, events = history[step]
                        if data.draw(st.booleans(), label="default wake-up"):
                            store.append(snapshot, events, expected_version=snapshot.version - 1)
                            wake: datetime | None = ASAP
                        else:
                            wake = data.draw(_wake_ups(), label="wake_at")
                            store.append(
                                snapshot,
                                events,
                                expected_version=snapshot.version - 1,
                                wake_at=wake,
                            )
                        schedule[snapshot.id] = wake
                        stored[snapshot.id] = snapshot
                        if stored and data.draw(st.integers(0, 2), label="reschedule?") == 0:
                            cid = data.draw(st.sampled_from(sorted(stored)), label="whom")
                            offset = data.draw(st.sampled_from([-1, 0, 0, 1]), label="offset")
                            wake = data.draw(_wake_ups(), label="rescheduled to")
                            done = store.reschedule(
                                cid, version=stored[cid].version + offset, wake_at=wake
                            )
                            assert done is (offset == 0)
                            if done:
                                schedule[cid] = wake
                assert store.reschedule("never-stored", version=0, wake_at=ASAP) is False
                for cid, wake in schedule.items():
                    got = store.wake_at(cid)
                    assert got == wake, cid
                    assert got is None or got.utcoffset() == timedelta(0)
                for now in [*nows, ASAP, LATEST]:
                    assert store.due(now) == reference_due(schedule, stored, now), now
                    assert store.due(now, limit=limit) == reference_due(
                        schedule, stored, now, limit
                    )

        check()
