"""The store suite's part: personal data: redact() for erasure and retention, and the
fingerprints a redaction neutralises."""

from __future__ import annotations

import ccms.testing._needs_hypothesis  # noqa: F401  (MissingExtra without it)

# isort: split
from datetime import timedelta
from typing import Any

import pytest

from ccms.errors import (
    ComplaintNotFound,
    ConcurrencyConflict,
    IdempotencyConflict,
    InvalidInput,
)
from ccms.model import (
    Channel,
    Complaint,
    Customer,
    DomainEvent,
    HandlingStarted,
    Responded,
)
from ccms.store.base import (
    AppendResult,
    ComplaintStore,
    InvalidAppend,
    fingerprint,
)
from ccms.testing.conformance.store._base import StoreSuiteBase
from ccms.testing.conformance.store._builders import (
    _T0,
    advance,
    received_event,
)

__all__ = ["StoreRedactionSuite"]


class StoreRedactionSuite(StoreSuiteBase):
    """Personal data: redact() for erasure and retention."""

    # -- personal data: redact (erasure and retention) ------------------------------------------

    def _redaction_fixture(self, store: ComplaintStore) -> tuple[Complaint, list[DomainEvent]]:
        """Complaint R (three appends, the second with a key, a wake-up) beside complaint S."""
        r1 = received_event("R", _T0, customer_id="CUST-R", text="홍길동 010-1234-5678")
        c = r1.apply(None)
        store.append(c, [r1], expected_version=0)
        c, r2 = advance(c, Responded, _T0 + timedelta(hours=1), channel=Channel.SMS, note="hi")
        store.append(c, [r2], expected_version=1, idempotency_key="redact-key")
        c, r3 = advance(c, HandlingStarted, _T0 + timedelta(hours=2), stage="in_progress")
        store.append(c, [r3], expected_version=2, wake_at=_T0 + timedelta(days=3))
        s1 = received_event("S", _T0, customer_id="CUST-S", text="another customer")
        store.append(s1.apply(None), [s1], expected_version=0)
        return c, [r1, r2, r3]

    def test_redact_rewrites_a_history_in_place(self, store: ComplaintStore) -> None:
        from ccms.model import redact

        complaint, history = self._redaction_fixture(store)
        store.save_customer(Customer(id="CUST-R", name="홍길동", phone="010-1234-5678"))
        log_before = [(e.position, e.kind, e.stream_id) for e in store.log()]
        last, wake = store.last_position(), store.wake_at("R")
        new_history = [redact(e, customer_id="anon-R") for e in history]
        snapshot = redact(complaint, customer_id="anon-R")
        store.redact([(snapshot, new_history)], customer=Customer(id="CUST-R", segment="general"))
        assert store.get("R") == snapshot
        assert store.events("R") == new_history
        assert store.events("R")[0].concerns[0].text == "[redacted]"  # type: ignore[attr-defined]
        assert [(e.position, e.kind, e.stream_id) for e in store.log()] == log_before
        assert [s.event for s in store.stream() if s.complaint_id == "R"] == new_history
        assert (store.last_position(), store.wake_at("R"), store.version("R")) == (last, wake, 3)
        assert [c.id for c in store.query(customer_id="anon-R")] == ["R"]
        assert store.query(customer_id="CUST-R") == []
        again = store.idempotent_result("redact-key")
        assert again is not None
        assert again.complaint == new_history[1].apply(new_history[0].apply(None))
        assert list(again.events) == [new_history[1]]
        assert store.get_customer("CUST-R").phone is None
        assert store.events("S")[0].concerns[0].text == "another customer"  # type: ignore[attr-defined]
        # the store keeps working: the next append goes on from the rewritten snapshot
        after, event = advance(snapshot, Responded, _T0 + timedelta(hours=3), channel=Channel.SMS)
        store.append(after, [event], expected_version=3)
        assert store.events("R") == [*new_history, event]

    def test_a_refused_redaction_writes_nothing(self, store: ComplaintStore) -> None:
        from ccms.model import redact

        complaint, history = self._redaction_fixture(store)
        s = store.get("S")
        good = (redact(s), [redact(e) for e in store.events("S")])
        stale = complaint.model_copy(update={"version": 2})
        before = [(e.position, e.kind, e.stream_id, repr(e)) for e in store.log()]
        refusals: list[tuple[type[Exception], list[Any]]] = [
            (ConcurrencyConflict, [good, (redact(stale), [redact(e) for e in history[:2]])]),
            (InvalidAppend, [good, (redact(complaint), [redact(e) for e in history[:2]])]),
            (InvalidAppend, [good, (redact(complaint), [history[0], history[2], history[1]])]),
            (InvalidAppend, [good, good]),
            (
                ComplaintNotFound,
                [good, (received_event("Q", _T0).apply(None), [received_event("Q", _T0)])],
            ),
            (InvalidInput, [("R", history)]),
        ]
        for error, items in refusals:
            with pytest.raises(error):
                store.redact(items)
            assert [(e.position, e.kind, e.stream_id, repr(e)) for e in store.log()] == before
            assert store.get("S") == s
            assert store.get("R") == complaint
        with pytest.raises(InvalidInput):
            store.redact(customer="CUST-R")  # type: ignore[arg-type]

    def test_redact_with_nothing_changes_nothing(self, store: ComplaintStore) -> None:
        complaint, history = self._redaction_fixture(store)
        store.redact()
        store.redact([(complaint, history)])
        assert store.get("R") == complaint
        assert store.events("R") == history

    # -- a redaction leaves no fingerprint that could confirm a guess -----------------------------

    def _received_with_key(
        self, store: ComplaintStore, cid: str, customer_id: str, key: str
    ) -> tuple[str, str]:
        """Complaint ``cid`` received under ``key`` with a fingerprint of its contact details;
        returns that fingerprint and one of a wrong guess."""
        right = fingerprint("receive", {"phone": "010-1234-5678", "complaint": None})
        wrong = fingerprint("receive", {"phone": "010-9999-0000", "complaint": None})
        e = received_event(cid, _T0, customer_id=customer_id, text="late delivery")
        store.append(e.apply(None), [e], expected_version=0, idempotency_key=key, fingerprint=right)
        return right, wrong

    def _answers_alike(self, store: ComplaintStore, key: str, right: str, wrong: str) -> None:
        """A right and a wrong guess get the same answer: nothing confirms either."""
        by_right = store.idempotent_result(key, fingerprint=right)
        by_wrong = store.idempotent_result(key, fingerprint=wrong)
        assert by_right is not None
        assert by_right == by_wrong == store.idempotent_result(key)
        assert by_right.duplicate

    def test_a_redaction_neutralises_its_complaints_fingerprints(
        self, store: ComplaintStore
    ) -> None:
        from ccms.model import redact

        right, wrong = self._received_with_key(store, "FP", "CUST-FP", "fp-key")
        other_right, other_wrong = self._received_with_key(store, "FQ", "CUST-FQ", "fq-key")
        # Before: the fingerprint tells a right guess from a wrong one.
        assert store.idempotent_result("fp-key", fingerprint=right) is not None
        with pytest.raises(IdempotencyConflict):
            store.idempotent_result("fp-key", fingerprint=wrong)
        history = [redact(e, customer_id="anon-FP") for e in store.events("FP")]
        store.redact([(redact(store.get("FP"), customer_id="anon-FP"), history)])
        # After: both guesses get the redacted complaint; the key still answers its retry.
        self._answers_alike(store, "fp-key", right, wrong)
        assert store.idempotent_result("fp-key") == AppendResult(
            history[0].apply(None), history, True, (1,)
        )
        retry = received_event("FP", _T0 + timedelta(minutes=5), customer_id="CUST-FP")
        again = store.append(
            retry.apply(None),
            [retry],
            expected_version=0,
            idempotency_key="fp-key",
            fingerprint=wrong,
        )
        assert (again.duplicate, again.complaint) == (True, store.get("FP"))
        # Another command under the key is still refused, and still named.
        elsewhere = received_event("FX", _T0)
        with pytest.raises(IdempotencyConflict, match="for receive on complaint FP") as caught:
            store.append(
                elsewhere.apply(None),
                [elsewhere],
                expected_version=0,
                idempotency_key="fp-key",
                fingerprint=fingerprint("start", {"complaint": "FX"}),
            )
        assert caught.value.first == "receive"
        # A complaint left alone keeps its fingerprint.
        with pytest.raises(IdempotencyConflict):
            store.idempotent_result("fq-key", fingerprint=other_wrong)
        assert store.idempotent_result("fq-key", fingerprint=other_right) is not None

    def test_redacting_a_customer_neutralises_the_fingerprints_of_their_complaints(
        self, store: ComplaintStore
    ) -> None:
        right, wrong = self._received_with_key(store, "FC", "CUST-FC", "fc-key")
        other_right, other_wrong = self._received_with_key(store, "FD", "CUST-FD", "fd-key")
        store.save_customer(Customer(id="CUST-FC", name="Kim", phone="010-1234-5678"))
        with pytest.raises(IdempotencyConflict):
            store.idempotent_result("fc-key", fingerprint=wrong)
        store.redact(customer=Customer(id="CUST-FC", segment="general"))
        self._answers_alike(store, "fc-key", right, wrong)
        assert store.get_customer("CUST-FC").phone is None
        with pytest.raises(IdempotencyConflict):
            store.idempotent_result("fd-key", fingerprint=other_wrong)
        assert store.idempotent_result("fd-key", fingerprint=other_right) is not None
