"""The store suite's part: idempotency keys of complaint appends: retries, fingerprints, races."""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
import threading
from datetime import timedelta
from typing import Any

import pytest

from ccms.errors import (
    IdempotencyConflict,
    InvalidInput,
)
from ccms.store.base import (
    AppendResult,
    ComplaintStore,
    fingerprint,
)
from ccms.testing.conformance.store._base import StoreSuiteBase
from ccms.testing.conformance.store._builders import (
    _T0,
    _dump,
    _note,
    received_event,
    record_batch,
    rich_history,
)

__all__ = ["StoreIdempotencySuite"]


class StoreIdempotencySuite(StoreSuiteBase):
    """Idempotency keys of complaint appends: retries, fingerprints, races."""

    # -- idempotency ----------------------------------------------------------------------------

    def test_an_idempotent_retry_writes_nothing_and_returns_the_original(
        self, store: ComplaintStore
    ) -> None:
        history = rich_history()
        (c1, e1), (c2, e2), (c3, e3) = history[:3]
        first = store.append(c1, e1, expected_version=0, idempotency_key="cmd-1")
        before = _dump(store)
        again = store.append(c1, e1, expected_version=0, idempotency_key="cmd-1")
        assert again.duplicate is True
        assert (again.complaint, again.events, again.positions) == (
            first.complaint,
            first.events,
            first.positions,
        )
        assert _dump(store) == before
        # The complaint moves on; a late retry of the second command still gets its own result.
        second = store.append(c2, e2, expected_version=1, idempotency_key="cmd-2")
        store.append(c3, e3, expected_version=2, idempotency_key="cmd-3")
        before = _dump(store)
        late = store.append(c2, e2, expected_version=1, idempotency_key="cmd-2")
        assert late.duplicate is True
        assert late.complaint == c2
        assert late.complaint.version == 2
        assert late.events == e2
        assert late.positions == second.positions
        oldest = store.append(c1, e1, expected_version=0, idempotency_key="cmd-1")
        assert oldest.complaint == c1
        assert oldest.positions == first.positions
        assert _dump(store) == before
        assert store.version(c1.id) == 3
        looked_up = store.idempotent_result("cmd-2")
        assert looked_up is not None
        assert looked_up.duplicate is True
        assert (looked_up.complaint, looked_up.events, looked_up.positions) == (
            c2,
            e2,
            second.positions,
        )
        assert store.idempotent_result("never-used") is None

    def test_an_idempotency_key_of_another_complaint_raises(self, store: ComplaintStore) -> None:
        a = received_event("A", _T0)
        b = received_event("B", _T0)
        store.append(a.apply(None), [a], expected_version=0, idempotency_key="k")
        before = _dump(store)
        with pytest.raises(IdempotencyConflict) as caught:
            store.append(b.apply(None), [b], expected_version=0, idempotency_key="k")
        assert caught.value.key == "k"
        assert _dump(store) == before
        assert store.find("B") is None

    def test_a_key_reused_for_another_command_of_the_same_complaint_conflicts(
        self, store: ComplaintStore
    ) -> None:
        e = received_event("A", _T0)
        a1 = e.apply(None)
        store.append(a1, [e], expected_version=0, idempotency_key="k")
        a2, note = _note(a1, "handled", _T0)
        store.append(a2, note, expected_version=1, idempotency_key="n")
        before = _dump(store)
        a3, other = _note(a2, "another command", _T0)
        for key, first in (("k", e.type), ("n", note[0].type)):
            with pytest.raises(IdempotencyConflict) as caught:
                store.append(a3, other, expected_version=2, idempotency_key=key)
            assert (caught.value.key, caught.value.first) == (key, first)
            assert caught.value.attempted == other[0].type
            assert "on complaint A" in str(caught.value)
        assert _dump(store) == before
        # The same append again is a retry, whatever the versions now.
        assert store.append(a2, note, expected_version=1, idempotency_key="n").duplicate

    def test_a_fingerprint_binds_the_key_to_its_command(self, store: ComplaintStore) -> None:
        receive = fingerprint("receive", {"channel": "phone", "text": "late"})
        a = received_event("A", _T0)
        first = store.append(
            a.apply(None), [a], expected_version=0, idempotency_key="r", fingerprint=receive
        )
        before = _dump(store)
        # A retry of the receive that drew another complaint id gets the first complaint.
        b = received_event("B", _T0 + timedelta(minutes=1))
        again = store.append(
            b.apply(None), [b], expected_version=0, idempotency_key="r", fingerprint=receive
        )
        assert again.duplicate is True
        assert (again.complaint, again.events, again.positions) == (
            first.complaint,
            first.events,
            first.positions,
        )
        # Another command under the key: refused, named, nothing written.
        other = fingerprint("receive", {"channel": "phone", "text": "broken"})
        with pytest.raises(IdempotencyConflict) as caught:
            store.append(
                b.apply(None), [b], expected_version=0, idempotency_key="r", fingerprint=other
            )
        assert (caught.value.first, caught.value.attempted) == ("receive", "receive")
        start = fingerprint("start", {"complaint": "A"})
        a2, note = _note(first.complaint, "started", _T0)
        with pytest.raises(IdempotencyConflict, match="for receive on complaint A, not for start"):
            store.append(a2, note, expected_version=1, idempotency_key="r", fingerprint=start)
        assert _dump(store) == before
        assert store.find("B") is None
        # The fingerprint, not the events, says what the command was: a retry whose policies
        # added other events is still the same command.
        started = store.append(a2, note, expected_version=1, idempotency_key="s", fingerprint=start)
        before = _dump(store)
        a2b, later = _note(first.complaint, "started, seen later", _T0 + timedelta(hours=1))
        retry = store.append(a2b, later, expected_version=1, idempotency_key="s", fingerprint=start)
        assert (retry.duplicate, retry.events, retry.complaint) == (True, note, a2)
        assert retry.positions == started.positions
        # The same fingerprint on another complaint that is not new is a conflict.
        c = received_event("C", _T0)
        store.append(c.apply(None), [c], expected_version=0)
        c2, on_c = _note(c.apply(None), "started", _T0)
        before = _dump(store)
        with pytest.raises(
            IdempotencyConflict, match="on complaint A, not for start on complaint C"
        ):
            store.append(c2, on_c, expected_version=1, idempotency_key="s", fingerprint=start)
        assert _dump(store) == before
        # idempotent_result checks the fingerprint when given one.
        found = store.idempotent_result("s", fingerprint=start)
        assert found is not None
        assert (found.duplicate, found.complaint, found.positions) == (True, a2, started.positions)
        unchecked = store.idempotent_result("s")
        assert unchecked is not None
        assert unchecked.complaint == a2
        with pytest.raises(IdempotencyConflict) as caught:
            store.idempotent_result("s", fingerprint=receive)
        assert (caught.value.first, caught.value.attempted) == ("start", "receive")
        assert store.idempotent_result("never", fingerprint=start) is None

    @pytest.mark.parametrize("bad", [5, "", "no-colon", "x" * 300, b"a:b"])
    def test_a_bad_fingerprint_is_refused_and_writes_nothing(
        self, store: ComplaintStore, bad: Any
    ) -> None:
        e = received_event("A", _T0)
        before = _dump(store)
        with pytest.raises(InvalidInput, match="fingerprint"):
            store.append(
                e.apply(None), [e], expected_version=0, idempotency_key="k", fingerprint=bad
            )
        with pytest.raises(InvalidInput, match="fingerprint"):
            store.idempotent_result("k", fingerprint=bad)
        assert _dump(store) == before

    def test_a_record_key_reused_for_other_records_conflicts(self, store: ComplaintStore) -> None:
        batch = record_batch("idea", "I-1", count=2)
        store.append_records("idea", "I-1", batch, expected_version=0, idempotency_key="r")
        before = _dump(store)
        more = record_batch("idea", "I-1", after=2)
        with pytest.raises(IdempotencyConflict, match="on idea stream I-1"):
            store.append_records("idea", "I-1", more, expected_version=2, idempotency_key="r")
        assert _dump(store) == before
        again = store.append_records("idea", "I-1", batch, expected_version=0, idempotency_key="r")
        assert again.duplicate is True
        # An explicit fingerprint names the command instead of the records.
        task = fingerprint("open_task", {"task": "T-1"})
        store.append_records(
            "idea",
            "I-2",
            record_batch("idea", "I-2"),
            expected_version=0,
            idempotency_key="t",
            fingerprint=task,
        )
        late = store.append_records(
            "idea",
            "I-2",
            record_batch("idea", "I-2", count=2),
            expected_version=0,
            idempotency_key="t",
            fingerprint=task,
        )
        assert (late.duplicate, len(late.records)) == (True, 1)

    @pytest.mark.usefixtures("busy_switching")
    def test_racing_retries_of_one_new_complaint_store_it_once(self, store: ComplaintStore) -> None:
        # Two handles append a new complaint under one key and fingerprint, each with the
        # complaint id it drew: one is stored, the other gets its result (never a conflict).
        other = self.second_handle(store)
        try:
            for r in range(8):
                key = f"recv-{r}"
                command = fingerprint("receive", {"round": r})
                barrier = threading.Barrier(2)
                results: dict[int, AppendResult] = {}
                errors: list[BaseException] = []

                def write(
                    n: int,
                    handle: ComplaintStore,
                    barrier: threading.Barrier = barrier,
                    results: dict[int, AppendResult] = results,
                    errors: list[BaseException] = errors,
                    key: str = key,
                    command: str = command,
                ) -> None:
                    e = received_event(f"R{key}-{n}", _T0)
                    barrier.wait()
                    try:
                        results[n] = handle.append(
                            e.apply(None),
                            [e],
                            expected_version=0,
                            idempotency_key=key,
                            fingerprint=command,
                        )
                    except BaseException as err:
                        errors.append(err)

                threads = [
                    threading.Thread(target=write, args=(n, h))
                    for n, h in enumerate((store, other))
                ]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                assert errors == []
                assert sorted(r.duplicate for r in results.values()) == [False, True]
                assert results[0].complaint == results[1].complaint
                assert results[0].positions == results[1].positions
            assert len(store) == 8
            assert len(list(other.stream())) == 8
        finally:
            self._close_second(store, other)
