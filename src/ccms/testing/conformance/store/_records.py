"""The store suite's part: record streams, their idempotency keys and the global log."""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccms.errors import (
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
    NaiveDatetimeError,
)
from ccms.store.base import (
    COMPLAINT,
    ComplaintStore,
    InvalidAppend,
    InvalidRecordAppend,
    Record,
    RecordAppendResult,
    StoredEvent,
    StoredRecord,
    StreamConflict,
)
from ccms.testing.conformance.store._base import StoreSuiteBase
from ccms.testing.conformance.store._builders import (
    _T0,
    NEW_YORK,
    RECORD_KINDS,
    RICH_DATA,
    SEOUL,
    StoreFactory,
    _dump,
    _entry_value,
    received_event,
    record_batch,
    rich_history,
)
from ccms.testing.conformance.store._reference import LogModel, _model_append

__all__ = ["StoreRecordSuite"]


class StoreRecordSuite(StoreSuiteBase):
    """Record streams, their idempotency keys and the global log."""

    # -- record streams -------------------------------------------------------------------------

    def test_a_new_store_has_no_records_log_or_checkpoints(self, store: ComplaintStore) -> None:
        assert store.records("idea", "IDEA-1") == []
        assert store.stream_version("idea", "IDEA-1") == 0
        assert store.stream_ids("idea") == []
        assert store.latest_records("idea") == []
        assert list(store.log()) == []
        assert list(store.log(after=5, kinds={"idea", COMPLAINT})) == []
        assert store.checkpoint("p1") == (0, None)
        assert store.last_position() == 0

    def test_records_round_trip_exactly(self, store: ComplaintStore) -> None:
        at = datetime(2026, 3, 8, 1, 30, 15, 123456, tzinfo=NEW_YORK)  # DST starts that day
        first = Record(
            kind="improvement_task",
            stream_id="TASK-손잡이-1",
            version=1,
            type="create",
            at=at,
            data=RICH_DATA,
        )
        second = Record(
            kind="improvement_task",
            stream_id="TASK-손잡이-1",
            version=2,
            type="report",
            at=at.astimezone(SEOUL),
            data={"tuple": ("a", 1), "empty": {}},
        )
        result = store.append_records(
            "improvement_task", "TASK-손잡이-1", [first, second], expected_version=0
        )
        assert result == RecordAppendResult((first, second), (1, 2), False)
        got = store.records("improvement_task", "TASK-손잡이-1")
        assert got == [first, second]
        assert got[0].data == RICH_DATA
        assert json.dumps(got[0].data, sort_keys=True) == json.dumps(RICH_DATA, sort_keys=True)
        assert got[1].data == {"tuple": ["a", 1], "empty": {}}  # what JSON holds
        assert type(got[0].data["flags"]["on"]) is bool
        assert type(got[0].data["counts"][0]) is int
        assert type(got[0].data["counts"][4]) is float
        assert str(got[0].data["counts"][5]) == "-0.0"
        for r, written in zip(got, (at, at.astimezone(SEOUL)), strict=True):
            assert r.at == written
            assert r.at.utcoffset() == written.utcoffset()
        # A reader gets its own data: changing it changes nothing stored.
        mine = got[0].data
        assert isinstance(mine, dict)
        mine["title"] = "changed"
        mine["owner"]["tags"].append("x")
        assert store.records("improvement_task", "TASK-손잡이-1")[0].data == RICH_DATA
        assert store.latest_records("improvement_task") == [second]
        (entry1, entry2) = store.log()
        assert isinstance(entry1, StoredRecord)
        assert (entry1.position, entry1.kind, entry1.stream_id) == (
            1,
            "improvement_task",
            "TASK-손잡이-1",
        )
        assert entry1.record == first
        assert entry2 == StoredRecord(2, second)

    def test_records_and_complaint_events_share_one_ordered_log(
        self, store: ComplaintStore
    ) -> None:
        history = rich_history()
        (c1, e1), (c2, e2) = history[:2]
        a = store.append(c1, e1, expected_version=0)
        t = store.append_records(
            "idea", "IDEA-1", record_batch("idea", "IDEA-1", count=2), expected_version=0
        )
        b = store.append(c2, e2, expected_version=1)  # two events
        u = store.append_records(
            "activity", "TR-1", record_batch("activity", "TR-1"), expected_version=0
        )
        v = store.append_records(
            "idea", "IDEA-1", record_batch("idea", "IDEA-1", after=2, count=3), expected_version=2
        )
        assert a.positions == (1,)
        assert t.positions == (2, 3)
        assert b.positions == (4, 5)
        assert u.positions == (6,)
        assert v.positions == (7, 8, 9)
        assert store.last_position() == 9
        log = list(store.log())
        assert [e.position for e in log] == list(range(1, 10))
        kinds = [
            COMPLAINT,
            "idea",
            "idea",
            COMPLAINT,
            COMPLAINT,
            "activity",
            "idea",
            "idea",
            "idea",
        ]
        assert [e.kind for e in log] == kinds
        ids = [c1.id, "IDEA-1", "IDEA-1", c1.id, c1.id, "TR-1", "IDEA-1", "IDEA-1", "IDEA-1"]
        assert [e.stream_id for e in log] == ids
        events = [e for e in log if isinstance(e, StoredEvent)]
        assert events == list(store.stream())  # the stream: complaint events only
        assert [s.position for s in store.stream(after=1)] == [4, 5]
        assert store.events(c1.id) == [*e1, *e2]
        assert store.records("idea", "IDEA-1") == [*t.records, *v.records]
        assert store.stream_version("idea", "IDEA-1") == 5
        assert store.stream_version("activity", "TR-1") == 1
        assert store.stream_version("activity", "IDEA-1") == 0  # kinds are separate
        assert len(store) == 1
        assert list(store.ids()) == [c1.id]

    def test_the_same_id_in_two_kinds_is_two_streams(self, store: ComplaintStore) -> None:
        store.append_records("idea", "X-1", record_batch("idea", "X-1"), expected_version=0)
        store.append_records(
            "activity", "X-1", record_batch("activity", "X-1", count=3), expected_version=0
        )
        assert store.stream_version("idea", "X-1") == 1
        assert store.stream_version("activity", "X-1") == 3
        assert [r.version for r in store.records("idea", "X-1")] == [1]
        assert [r.kind for r in store.records("activity", "X-1")] == ["activity"] * 3
        with pytest.raises(StreamConflict):
            store.append_records(
                "idea", "X-1", record_batch("idea", "X-1", after=3), expected_version=3
            )

    def test_streams_are_listed_in_first_stored_order_with_their_latest_record(
        self, store: ComplaintStore
    ) -> None:
        order = ["T-3", "T-1", "T-2"]
        versions = dict.fromkeys(order, 0)
        for round_ in range(3):
            for sid in order if round_ % 2 == 0 else reversed(order):
                batch = record_batch("improvement_task", sid, after=versions[sid], count=round_ + 1)
                store.append_records("improvement_task", sid, batch, expected_version=versions[sid])
                versions[sid] += len(batch)
            store.append_records(
                "idea", f"I-{round_}", record_batch("idea", f"I-{round_}"), expected_version=0
            )
        assert store.stream_ids("improvement_task") == order
        assert store.stream_ids("idea") == ["I-0", "I-1", "I-2"]
        assert store.stream_ids("activity") == []
        latest = store.latest_records("improvement_task")
        assert latest == [store.records("improvement_task", sid)[-1] for sid in order]
        assert [r.version for r in latest] == [6, 6, 6]
        assert [r.data["n"] for r in latest] == [6, 6, 6]
        assert [r.stream_id for r in store.latest_records("idea")] == ["I-0", "I-1", "I-2"]

    def test_a_stale_stream_version_conflicts_and_writes_nothing(
        self, store: ComplaintStore
    ) -> None:
        store.append_records(
            "improvement_task",
            "TASK-1",
            record_batch("improvement_task", "TASK-1", count=2),
            expected_version=0,
        )
        before = _dump(store)
        # A batch with one clashing version (2 is stored) is refused whole, 3 included.
        clash = record_batch("improvement_task", "TASK-1", after=1, count=2)
        with pytest.raises(StreamConflict) as caught:
            store.append_records("improvement_task", "TASK-1", clash, expected_version=1)
        err = caught.value
        assert isinstance(err, ConcurrencyConflict)
        assert isinstance(err, RuntimeError)
        assert (err.kind, err.stream_id, err.complaint_id) == (
            "improvement_task",
            "TASK-1",
            "TASK-1",
        )
        assert (err.expected, err.actual) == (1, 2)
        assert "improvement_task stream TASK-1 is at version 2, not the expected 1" in str(err)
        with pytest.raises(StreamConflict) as created:  # a second "create"
            store.append_records(
                "improvement_task",
                "TASK-1",
                record_batch("improvement_task", "TASK-1"),
                expected_version=0,
            )
        assert (created.value.expected, created.value.actual) == (0, 2)
        with pytest.raises(StreamConflict) as ahead:
            store.append_records(
                "improvement_task",
                "TASK-1",
                record_batch("improvement_task", "TASK-1", after=4),
                expected_version=4,
            )
        assert (ahead.value.expected, ahead.value.actual) == (4, 2)
        with pytest.raises(StreamConflict):  # a stream never written is at 0
            store.append_records(
                "improvement_task",
                "TASK-2",
                record_batch("improvement_task", "TASK-2", after=1),
                expected_version=1,
            )
        assert _dump(store) == before

    @pytest.mark.parametrize(
        "case",
        [
            "no_records",
            "other_stream",
            "other_kind",
            "second_of_another_stream",
            "version_gap",
            "versions_repeat",
            "first_not_next",
            "negative_expected",
            "bool_expected",
            "not_a_record",
            "a_lone_record",
            "kind_complaint",
            "stream_id_too_long",
            "stream_id_not_str",
        ],
    )
    def test_invalid_record_appends_are_rejected_and_write_nothing(
        self, store: ComplaintStore, case: str
    ) -> None:
        store.append_records("idea", "I-1", record_batch("idea", "I-1"), expected_version=0)
        before = _dump(store)
        two = record_batch("idea", "I-1", after=1, count=2)
        args: dict[str, tuple[Any, Any, Any, Any]] = {
            "no_records": ("idea", "I-1", [], 1),
            "other_stream": ("idea", "I-1", record_batch("idea", "I-2", after=1), 1),
            "other_kind": ("idea", "I-1", record_batch("activity", "I-1", after=1), 1),
            "second_of_another_stream": (
                "idea",
                "I-1",
                [two[0], *record_batch("idea", "I-2", after=2)],
                1,
            ),
            "version_gap": ("idea", "I-1", [two[0], *record_batch("idea", "I-1", after=3)], 1),
            "versions_repeat": ("idea", "I-1", [two[0], two[0]], 1),
            "first_not_next": ("idea", "I-1", two[1:], 1),
            "negative_expected": ("idea", "I-1", record_batch("idea", "I-1"), -1),
            "bool_expected": ("idea", "I-1", two[:1], True),
            "not_a_record": ("idea", "I-1", [{"version": 2}], 1),
            "a_lone_record": ("idea", "I-1", two[0], 1),
            "kind_complaint": (COMPLAINT, "I-1", [], 1),
            "stream_id_too_long": ("idea", "I" * 129, [], 0),
            "stream_id_not_str": ("idea", 7, [], 0),
        }
        kind, stream_id, records, expected = args[case]
        with pytest.raises(InvalidInput) as caught:
            store.append_records(kind, stream_id, records, expected_version=expected)
        assert isinstance(caught.value, ValueError)
        if case not in {"kind_complaint", "stream_id_too_long", "stream_id_not_str"}:
            assert isinstance(caught.value, InvalidRecordAppend)
            assert isinstance(caught.value, InvalidAppend)
            assert (caught.value.kind, caught.value.stream_id) == ("idea", "I-1")
            assert str(caught.value).startswith("cannot append to idea stream I-1: ")
            assert "allowed:" in str(caught.value)
        assert _dump(store) == before

    @pytest.mark.parametrize(
        ("field", "value", "error", "message"),
        [
            ("kind", COMPLAINT, InvalidInput, "Record.kind 'complaint' is the complaints' own"),
            ("kind", "", InvalidInput, "Record.kind must be a str of 1 to 128 characters"),
            ("kind", None, InvalidInput, "Record.kind must be a str"),
            ("stream_id", "x" * 129, InvalidInput, "Record.stream_id must be a str of 1 to 128"),
            ("stream_id", "", InvalidInput, "Record.stream_id must be a str"),
            ("type", "", InvalidInput, "Record.type must be a str"),
            ("version", 0, InvalidInput, "Record.version must be an int >= 1"),
            ("version", True, InvalidInput, "Record.version must be an int >= 1"),
            ("version", 1.0, InvalidInput, "Record.version must be an int >= 1"),
            ("at", datetime(2026, 10, 1), NaiveDatetimeError, "Record.at must be a timezone-aware"),
            ("at", "2026-10-01T00:00:00Z", InvalidInput, "Record.at must be an aware datetime"),
            ("data", [1, 2], InvalidInput, "Record.data must be a JSON object"),
            ("data", {"s": {1, 2}}, InvalidInput, "Record.data['s'] is a set"),
            (
                "data",
                {"a": [0, {"b": float("nan")}]},
                InvalidInput,
                "Record.data['a'][1]['b'] is nan",
            ),
            ("data", {"a": float("inf")}, InvalidInput, "Record.data['a'] is inf"),
            ("data", {1: "x"}, InvalidInput, "Record.data has the key 1 (int)"),
            ("data", {"d": {"at": _T0}}, InvalidInput, "Record.data['d']['at'] is a datetime"),
            ("data", {"m": Decimal("1.5")}, InvalidInput, "Record.data['m'] is a Decimal"),
        ],
    )
    def test_a_record_is_checked_when_built(
        self, field: str, value: Any, error: type[Exception], message: str
    ) -> None:
        fields: dict[str, Any] = {
            "kind": "idea",
            "stream_id": "I-1",
            "version": 1,
            "type": "create",
            "at": _T0,
            "data": {},
        }
        fields[field] = value
        with pytest.raises(error) as caught:
            Record(**fields)
        assert str(caught.value).startswith(message), str(caught.value)

    def test_a_record_cycle_is_refused(self) -> None:
        looped: dict[str, Any] = {}
        looped["self"] = looped
        with pytest.raises(InvalidInput, match="nested too deeply"):
            Record(kind="idea", stream_id="I", version=1, type="t", at=_T0, data=looped)

    def test_record_reads_check_the_kind(self, store: ComplaintStore) -> None:
        for read in (
            lambda: store.records(COMPLAINT, "C-1"),
            lambda: store.stream_version(COMPLAINT, "C-1"),
            lambda: store.stream_ids(COMPLAINT),
            lambda: store.latest_records(COMPLAINT),
        ):
            with pytest.raises(InvalidInput, match="'complaint' is the complaints' own"):
                read()

    # -- idempotency of records -----------------------------------------------------------------

    def test_an_idempotent_record_retry_writes_nothing_and_returns_the_original(
        self, store: ComplaintStore
    ) -> None:
        batch = record_batch("idea", "I-1", count=2)
        first = store.append_records(
            "idea", "I-1", batch, expected_version=0, idempotency_key="r-1"
        )
        assert first.duplicate is False
        before = _dump(store)
        again = store.append_records(
            "idea", "I-1", batch, expected_version=0, idempotency_key="r-1"
        )
        assert again == RecordAppendResult(first.records, first.positions, True)
        assert _dump(store) == before
        # The stream moves on; a late retry still gets its own first result.
        store.append_records(
            "idea", "I-1", record_batch("idea", "I-1", after=2), expected_version=2
        )
        before = _dump(store)
        late = store.append_records("idea", "I-1", batch, expected_version=0, idempotency_key="r-1")
        assert late == RecordAppendResult(tuple(batch), (1, 2), True)
        assert _dump(store) == before
        # The same key for another stream, another kind, or a complaint.
        for kind, sid in (("idea", "I-2"), ("activity", "I-1")):
            with pytest.raises(IdempotencyConflict) as caught:
                store.append_records(
                    kind, sid, record_batch(kind, sid), expected_version=0, idempotency_key="r-1"
                )
            assert caught.value.key == "r-1"
            assert "idea stream I-1" in str(caught.value)
        e = received_event("C-1", _T0)
        with pytest.raises(IdempotencyConflict) as complaint:
            store.append(e.apply(None), [e], expected_version=0, idempotency_key="r-1")
        assert "for idea stream I-1, not complaint C-1" in str(complaint.value)
        with pytest.raises(IdempotencyConflict):
            store.idempotent_result("r-1")
        assert _dump(store) == before
        assert store.find("C-1") is None

    def test_complaint_and_record_keys_share_one_namespace(self, store: ComplaintStore) -> None:
        e = received_event("C-1", _T0)
        store.append(e.apply(None), [e], expected_version=0, idempotency_key="k")
        before = _dump(store)
        with pytest.raises(IdempotencyConflict) as caught:
            store.append_records(
                "idea", "I-1", record_batch("idea", "I-1"), expected_version=0, idempotency_key="k"
            )
        assert caught.value.key == "k"
        assert "for complaint C-1, not idea stream I-1" in str(caught.value)
        assert _dump(store) == before
        found = store.idempotent_result("k")
        assert found is not None
        assert found.complaint.id == "C-1"
        # A key checked before a malformed append still refuses it as malformed first.
        with pytest.raises(InvalidRecordAppend):
            store.append_records("idea", "I-1", [], expected_version=0, idempotency_key="k")

    # -- the global log -------------------------------------------------------------------------

    def test_the_log_is_lazy_and_sees_appends_made_meanwhile(self, store: ComplaintStore) -> None:
        for i in range(3):
            store.append_records(
                "activity", f"A{i}", record_batch("activity", f"A{i}"), expected_version=0
            )
        it = store.log(kinds={"activity"})
        first = next(it)
        assert isinstance(first, StoredRecord)
        assert first.stream_id == "A0"
        store.append_records("activity", "A3", record_batch("activity", "A3"), expected_version=0)
        e = received_event("C", _T0)
        store.append(e.apply(None), [e], expected_version=0)
        assert [x.stream_id for x in it] == ["A1", "A2", "A3"]

    def test_log_checks_its_arguments(self, store: ComplaintStore) -> None:
        e = received_event("C", _T0)
        store.append(e.apply(None), [e], expected_version=0)
        store.append_records("idea", "I", record_batch("idea", "I"), expected_version=0)
        with pytest.raises(InvalidInput, match=r"log\(after=\.\.\.\)"):
            list(store.log(after="1"))  # type: ignore[arg-type]
        with pytest.raises(InvalidInput, match=r"log\(kinds=\.\.\.\)"):
            list(store.log(kinds=[1]))  # type: ignore[list-item]
        assert [x.kind for x in store.log(kinds="idea")] == ["idea"]  # one kind, by name
        assert [x.kind for x in store.log(kinds=[COMPLAINT])] == [COMPLAINT]
        assert list(store.log(kinds=())) == []
        assert list(store.log(kinds={"unknown"})) == []
        assert [x.position for x in store.log(after=-5)] == [1, 2]

    def test_the_log_pages_and_filters_like_the_full_log(self, make_store: StoreFactory) -> None:
        kinds = st.sampled_from([COMPLAINT, *RECORD_KINDS[:3]])

        @settings(deadline=None, max_examples=40)
        @given(
            plan=st.lists(st.tuples(kinds, st.integers(0, 2), st.integers(1, 3)), max_size=25),
            after=st.integers(-1, 60),
            chosen=st.frozensets(kinds, max_size=4),
        )
        def check(plan: list[tuple[str, int, int]], after: int, chosen: frozenset[str]) -> None:
            model = LogModel()
            with make_store() as store:
                for kind, which, count in plan:
                    sid = f"S{which}"
                    _model_append(store, model, kind, sid, count)
                full = [_entry_value(x) for x in store.log()]
                assert full == model.log()
                assert [_entry_value(x) for x in store.log(after=after)] == [
                    x for x in full if x[0] > after
                ]
                assert [_entry_value(x) for x in store.log(kinds=chosen)] == [
                    x for x in full if x[1] in chosen
                ]
                assert [_entry_value(x) for x in store.log(after, kinds=chosen)] == model.log(
                    after, chosen
                )
                assert [_entry_value(s) for s in store.stream(after=after)] == model.log(
                    after, frozenset({COMPLAINT})
                )
                assert store.last_position() == len(model.entries)

        check()
