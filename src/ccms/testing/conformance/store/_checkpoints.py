"""The store suite's part: checkpoints, racing writers of records and checkpoints, and a state machine against the reference model."""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import threading
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ccms.errors import (
    ConcurrencyConflict,
    InvalidInput,
)
from ccms.model import (
    StageChanged,
)
from ccms.store.base import (
    COMPLAINT,
    AppendResult,
    CheckpointConflict,
    ComplaintStore,
    InvalidCheckpoint,
    RecordAppendResult,
    StoredEvent,
    StoredRecord,
    StreamConflict,
)
from ccms.testing.conformance.store._base import StoreSuiteBase
from ccms.testing.conformance.store._builders import (
    _T0,
    RECORD_KINDS,
    RICH_DATA,
    StoreFactory,
    _dump,
    _entry_value,
    advance,
    received_event,
    record_batch,
)
from ccms.testing.conformance.store._reference import LogModel, _model_append

__all__ = ["StoreCheckpointSuite"]


class StoreCheckpointSuite(StoreSuiteBase):
    """Checkpoints, racing writers of records and checkpoints, and a state machine against the reference model."""

    # -- checkpoints ----------------------------------------------------------------------------

    def test_a_checkpoint_is_compare_and_set(self, store: ComplaintStore) -> None:
        assert store.checkpoint("p1") == (0, None)
        store.save_checkpoint("p1", position=3, state={"seen": [1, 2, 3]}, expected_position=0)
        assert store.checkpoint("p1") == (3, {"seen": [1, 2, 3]})
        assert store.checkpoint("p2") == (0, None)  # names are independent
        before = _dump(store)
        with pytest.raises(CheckpointConflict) as caught:  # someone who read (0, None)
            store.save_checkpoint("p1", position=5, state={"late": True}, expected_position=0)
        err = caught.value
        assert isinstance(err, ConcurrencyConflict)
        assert (err.name, err.expected, err.actual) == ("p1", 0, 3)
        assert "checkpoint p1 is at position 3, not the expected 0" in str(err)
        with pytest.raises(CheckpointConflict):
            store.save_checkpoint("p1", position=9, state={}, expected_position=4)
        with pytest.raises(InvalidCheckpoint) as back:  # a projection never goes back
            store.save_checkpoint("p1", position=2, state={}, expected_position=3)
        assert isinstance(back.value, InvalidInput)
        assert "position 2 is before expected_position 3" in str(back.value)
        assert _dump(store) == before
        store.save_checkpoint("p1", position=3, state={"again": 1}, expected_position=3)
        assert store.checkpoint("p1") == (3, {"again": 1})
        store.save_checkpoint("p1", position=40, state=RICH_DATA, expected_position=3)
        position, state = store.checkpoint("p1")
        assert position == 40
        assert state == RICH_DATA
        assert state is not None
        state["title"] = "changed"  # the reader's own copy
        assert store.checkpoint("p1")[1] == RICH_DATA
        store.save_checkpoint("p2", position=0, state={}, expected_position=0)
        assert store.checkpoint("p2") == (0, {})

    @pytest.mark.parametrize(
        ("name", "position", "state", "expected"),
        [
            ("", 1, {}, 0),
            (7, 1, {}, 0),
            ("p1", -1, {}, 0),
            ("p1", True, {}, 0),
            ("p1", 1, {}, -1),
            ("p1", 1, {}, None),
            ("p1", 1, {"s": {1}}, 0),
            ("p1", 1, {"at": _T0}, 0),
            ("p1", 1, [1], 0),
        ],
    )
    def test_a_bad_checkpoint_is_refused(
        self, store: ComplaintStore, name: Any, position: Any, state: Any, expected: Any
    ) -> None:
        store.save_checkpoint("p1", position=0, state={"ok": 1}, expected_position=0)
        before = _dump(store)
        with pytest.raises(InvalidCheckpoint) as caught:
            store.save_checkpoint(name, position=position, state=state, expected_position=expected)
        assert "allowed:" in str(caught.value)
        assert _dump(store) == before

    # -- racing writers of records and checkpoints ----------------------------------------------

    @pytest.mark.usefixtures("busy_switching")
    def test_two_racing_record_writers_one_wins(self, store: ComplaintStore) -> None:
        other = self.second_handle(store)
        try:
            rounds = 12
            winners: list[int] = []
            for r in range(rounds):
                barrier = threading.Barrier(2)
                outcome: dict[int, str] = {}

                def write(
                    n: int,
                    handle: ComplaintStore,
                    r: int = r,
                    barrier: threading.Barrier = barrier,
                    outcome: dict[int, str] = outcome,
                ) -> None:
                    batch = record_batch("idea", "RACE", after=r, data={"writer": n})
                    barrier.wait()
                    try:
                        handle.append_records("idea", "RACE", batch, expected_version=r)
                        outcome[n] = "won"
                    except StreamConflict as err:
                        outcome[n] = f"lost at {err.actual}"

                threads = [
                    threading.Thread(target=write, args=(n, h))
                    for n, h in enumerate((store, other))
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert sorted(outcome.values()) == [f"lost at {r + 1}", "won"]
                winners.append(next(n for n, o in outcome.items() if o == "won"))
            got = other.records("idea", "RACE")
            assert [x.version for x in got] == list(range(1, rounds + 1))
            assert [x.data["writer"] for x in got] == winners
            assert [x.position for x in store.log()] == list(range(1, rounds + 1))
        finally:
            self._close_second(store, other)

    @pytest.mark.usefixtures("busy_switching")
    def test_two_projections_racing_on_a_checkpoint_one_wins(self, store: ComplaintStore) -> None:
        other = self.second_handle(store)
        try:
            for r in range(12):
                expected, _ = store.checkpoint("cs_points")
                barrier = threading.Barrier(2)
                outcome: dict[int, str] = {}

                def save(
                    n: int,
                    handle: ComplaintStore,
                    expected: int = expected,
                    barrier: threading.Barrier = barrier,
                    outcome: dict[int, str] = outcome,
                ) -> None:
                    barrier.wait()
                    try:
                        handle.save_checkpoint(
                            "cs_points",
                            position=expected + 1 + n,
                            state={"by": n},
                            expected_position=expected,
                        )
                        outcome[n] = "won"
                    except CheckpointConflict as err:
                        outcome[n] = f"lost to {err.actual}"

                threads = [
                    threading.Thread(target=save, args=(n, h)) for n, h in enumerate((store, other))
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                winner = next(n for n, o in outcome.items() if o == "won")
                assert sorted(outcome.values()) == [f"lost to {expected + 1 + winner}", "won"], r
                assert other.checkpoint("cs_points") == (expected + 1 + winner, {"by": winner})
        finally:
            self._close_second(store, other)

    @pytest.mark.usefixtures("busy_switching")
    def test_concurrent_appends_of_every_kind_get_contiguous_positions(
        self, store: ComplaintStore
    ) -> None:
        other = self.second_handle(store)
        try:
            per_writer = 20
            results: dict[str, list[AppendResult | RecordAppendResult]] = {"c": [], "r": []}
            barrier = threading.Barrier(2)

            def complaints(handle: ComplaintStore) -> None:
                barrier.wait()
                for i in range(per_writer):
                    e = received_event(f"C{i}", _T0)
                    c1 = e.apply(None)
                    results["c"].append(handle.append(c1, [e], expected_version=0))
                    c2, one = advance(c1, StageChanged, _T0, note="one")
                    c2, two = advance(c2, StageChanged, _T0, same_command=True, note="two")
                    results["c"].append(handle.append(c2, [one, two], expected_version=1))

            def records(handle: ComplaintStore) -> None:
                barrier.wait()
                for i in range(per_writer):
                    kind = RECORD_KINDS[i % len(RECORD_KINDS)]
                    sid = f"S{i % 3}"
                    version = handle.stream_version(kind, sid)
                    batch = record_batch(kind, sid, after=version, count=1 + i % 3)
                    results["r"].append(
                        handle.append_records(kind, sid, batch, expected_version=version)
                    )

            threads = [
                threading.Thread(target=complaints, args=(store,)),
                threading.Thread(target=records, args=(other,)),
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            everything = results["c"] + results["r"]
            for result in everything:
                first = result.positions[0]
                assert result.positions == tuple(range(first, first + len(result.positions)))
            positions = sorted(p for result in everything for p in result.positions)
            total = per_writer * 3 + sum(1 + i % 3 for i in range(per_writer))
            assert positions == list(range(1, total + 1))
            by_position = {x.position: x for x in store.log()}
            assert sorted(by_position) == positions
            assert store.last_position() == other.last_position() == total
            for result in results["r"]:
                assert isinstance(result, RecordAppendResult)
                assert [by_position[p] for p in result.positions] == [
                    StoredRecord(p, r)
                    for p, r in zip(result.positions, result.records, strict=True)
                ]
            for result in results["c"]:
                assert isinstance(result, AppendResult)
                assert [by_position[p] for p in result.positions] == [
                    StoredEvent(p, e) for p, e in zip(result.positions, result.events, strict=True)
                ]
        finally:
            self._close_second(store, other)

    # -- the reference model --------------------------------------------------------------------

    def test_streams_the_log_and_checkpoints_match_a_reference_model(
        self, make_store: StoreFactory
    ) -> None:
        contract = self

        class Machine(RuleBasedStateMachine):
            """Appends of complaints and records (right and stale versions, idempotency keys
            reused right and wrong) and checkpoint saves, by two handles, against LogModel."""

            def __init__(self) -> None:
                super().__init__()
                self.store = make_store()
                self.handles = (self.store, contract.second_handle(self.store))
                self.model = LogModel()

            def teardown(self) -> None:
                contract._close_second(self.store, self.handles[1])
                self.store.close()

            @rule(
                handle=st.integers(0, 1),
                which=st.integers(0, 3),
                key=st.none() | st.sampled_from(["k1", "k2", "k3"]),
                resend=st.booleans(),
            )
            def append_complaint(
                self, handle: int, which: int, key: str | None, resend: bool
            ) -> None:
                _model_append(
                    self.handles[handle],
                    self.model,
                    COMPLAINT,
                    f"C{which}",
                    1,
                    key=key,
                    resend=resend,
                )

            @rule(
                handle=st.integers(0, 1),
                kind=st.sampled_from(RECORD_KINDS[:3]),
                which=st.integers(0, 2),
                count=st.integers(1, 3),
                offset=st.sampled_from([0, 0, 0, -1, 1]),
                key=st.none() | st.sampled_from(["k1", "k2", "k3"]),
                resend=st.booleans(),
            )
            def append_records(
                self,
                handle: int,
                kind: str,
                which: int,
                count: int,
                offset: int,
                key: str | None,
                resend: bool,
            ) -> None:
                _model_append(
                    self.handles[handle],
                    self.model,
                    kind,
                    f"S{which}",
                    count,
                    key=key,
                    offset=offset,
                    resend=resend,
                )

            @rule(
                handle=st.integers(0, 1),
                name=st.sampled_from(["p1", "p2"]),
                ahead=st.integers(0, 3),
                offset=st.sampled_from([0, 0, -1, 2]),
            )
            def save_checkpoint(self, handle: int, name: str, ahead: int, offset: int) -> None:
                stored, _ = self.model.checkpoints.get(name, (0, {}))
                expected = max(stored + offset, 0)
                position = expected + ahead
                state = {"at": position, "by": handle}
                store = self.handles[handle]
                if expected != stored:
                    with pytest.raises(CheckpointConflict):
                        store.save_checkpoint(
                            name, position=position, state=state, expected_position=expected
                        )
                else:
                    store.save_checkpoint(
                        name, position=position, state=state, expected_position=expected
                    )
                    self.model.checkpoints[name] = (position, state)

            @precondition(lambda self: bool(self.model.entries))
            @rule(handle=st.integers(0, 1), data=st.data())
            def page_the_log(self, handle: int, data: st.DataObject) -> None:
                store = self.handles[handle]
                after = data.draw(st.integers(0, len(self.model.entries)), label="after")
                kinds = data.draw(
                    st.none() | st.frozensets(st.sampled_from([COMPLAINT, *RECORD_KINDS])),
                    label="kinds",
                )
                assert [_entry_value(x) for x in store.log(after, kinds=kinds)] == self.model.log(
                    after, kinds
                )

            @invariant()
            def the_log_is_the_model(self) -> None:
                for store in self.handles:
                    assert [_entry_value(x) for x in store.log()] == self.model.log()
                    assert store.last_position() == len(self.model.entries)

            @invariant()
            def every_stream_is_the_model(self) -> None:
                store = self.handles[1]
                for kind in RECORD_KINDS:
                    ids = self.model.stream_ids(kind)
                    assert store.stream_ids(kind) == ids
                    latest = [self.model.records(kind, sid)[-1] for sid in ids]
                    assert store.latest_records(kind) == latest
                    for sid in ids:
                        assert store.records(kind, sid) == self.model.records(kind, sid)
                        assert store.stream_version(kind, sid) == self.model.version(kind, sid)
                for cid, complaint in self.model.complaints.items():
                    assert store.get(cid) == complaint
                for name in ("p1", "p2"):
                    assert store.checkpoint(name) == self.model.checkpoints.get(name, (0, None))

        run_state_machine_as_test(
            Machine,
            settings=settings(max_examples=30, stateful_step_count=30, deadline=None),
        )
