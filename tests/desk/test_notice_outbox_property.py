"""The outbox property: every requested notice ends delivered or given up, or is pending a
(re)try; none is lost, and none has its effect twice, across crashes of the host's sender.

A Hypothesis state machine drives a host: commands that request notices, a sender that fetches
the pending notices and hands them to a fake provider (which dedups by the idempotency key, like
a real one), provider failures (retryable or not), crashes between the provider's send and the
report (the report is lost and the host restarts: a new Desk and a new store handle on the same
store), duplicate reports from a second sender, and time passing. After every step the notices
in the store are delivered, given up or pending, every pending one is offered again by
``pending_notices`` once its time comes, and no provider effect happened twice; at the end the
sender drains the outbox and each delivered notice's effect happened exactly once.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ccms.desk import Desk, ManualClock, PendingNotice
from ccms.model import (
    Actor,
    Agent,
    Concern,
    CustomerRef,
    Department,
    NotificationDelivered,
    NotificationRequested,
    Organization,
)
from ccms.policy.notify import NoticePolicy
from ccms.store import InMemoryStore, SQLiteStore
from postgres_kit import postgres_url

pytest.importorskip("jinja2", reason="the notices extra is not installed")

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
ORG = Organization(
    departments=[Department(id="cs", name="CS")],
    agents=[Agent(id="kim", name="Kim", department="cs")],
)
POLICY = NoticePolicy(
    max_attempts=3, backoff=timedelta(minutes=1), max_backoff=timedelta(minutes=4)
)
#: The commands a complaint goes through; each but ``start`` requests a notice by the policy,
#: and the delivered result notice moves it to ``customer_notified`` before ``close``.
STEPS = ("classify", "assign_department", "assign_handler", "start", "register_result", "close")
#: Longer than any backoff: everything pending is due after it.
LATER = timedelta(hours=1)


class Provider:
    """A message provider that dedups on the idempotency key: a key's effect happens once."""

    def __init__(self) -> None:
        self.effects: Counter[str] = Counter()
        self.calls = 0

    def send(self, notice: PendingNotice, outcome: str) -> str:
        self.calls += 1
        if self.effects[notice.idempotency_key]:
            return "ok"  # already delivered under this key: the provider answers as before
        if outcome == "ok":
            self.effects[notice.idempotency_key] += 1
        return outcome


class Backend:
    """Handles on one store of a kind; ``reopen`` is a restart of the host process."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.directory: Path | None = None
        self.schema = ""
        self.url = ""
        self.memory: InMemoryStore | None = None
        self.handles: list[Any] = []
        if kind == "sqlite":
            self.directory = Path(tempfile.mkdtemp(prefix="ccms-outbox-"))
        elif kind == "postgres":
            self.url = postgres_url()
            self.schema = f"t_{uuid.uuid4().hex[:20]}"
        else:
            self.memory = InMemoryStore()

    def open(self) -> Any:
        if self.memory is not None:
            return self.memory
        if self.directory is not None:
            handle: Any = SQLiteStore(self.directory / "outbox.db", durability="normal")
        else:
            from ccms.store.postgres import PostgresStore

            handle = PostgresStore(self.url, schema=self.schema, max_size=2)
        self.handles.append(handle)
        return handle

    def close(self) -> None:
        for handle in self.handles:
            handle.close()
        if self.memory is not None:
            self.memory.close()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
        if self.schema:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')


class OutboxMachine(RuleBasedStateMachine):
    kind = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.backend = Backend(self.kind)
        self.clock = ManualClock(T0)
        self.provider = Provider()
        self.desk = self._desk()
        self.complaints: dict[str, int] = {}  # id -> how many STEPS done
        self.in_flight: list[PendingNotice] = []
        self.delivered_reports: list[str] = []

    def _desk(self) -> Desk:
        return Desk(self.backend.open(), organization=ORG, clock=self.clock, notices=POLICY)

    def teardown(self) -> None:
        try:
            self._drain()
        finally:
            self.backend.close()

    # -- the host --------------------------------------------------------------------------------

    @rule(text=st.sampled_from(["kettle leaks", "late delivery", "rude reply"]))
    def receive(self, text: str) -> None:
        c = self.desk.receive(
            channel="web",
            customer=CustomerRef(id=f"CUST-{len(self.complaints)}"),
            concerns=[Concern(kind="complaint", text=text)],
        )
        self.complaints[c.id] = 0

    @precondition(lambda self: any(n < len(STEPS) for n in self.complaints.values()))
    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        # In the order received, not by id: ids are new ULIDs each run, so an order by id made
        # the same draw pick another complaint when Hypothesis replayed an example.
        open_ = [cid for cid, n in self.complaints.items() if n < len(STEPS)]
        cid = data.draw(st.sampled_from(open_))
        self._advance(cid)

    @rule()
    def advance_all(self) -> None:
        """Every open complaint takes its next step (busy hour at the desk)."""
        for cid in list(self.complaints):  # in the order received (see advance)
            if self.complaints[cid] < len(STEPS):
                self._advance(cid)

    def _advance(self, cid: str) -> None:
        step = STEPS[self.complaints[cid]]
        if step == "close" and self.desk.get(cid).stage != "customer_notified":
            return  # the result notice is not delivered yet
        if step == "classify":
            self.desk.classify(cid, ["PRD.DEF"])
        elif step == "assign_department":
            self.desk.assign_department(cid, "cs")
        elif step == "assign_handler":
            self.desk.assign_handler(cid, "kim")
        elif step == "start":
            self.desk.start(cid)
        elif step == "register_result":
            self.desk.register_result(
                cid, {"remedy": "apology"}, actor=Actor(id="kim", role="handler")
            )
        else:
            self.desk.close(cid)
        self.complaints[cid] += 1

    @rule(limit=st.integers(1, 4))
    def fetch(self, limit: int) -> None:
        self.in_flight = self.desk.pending_notices(limit=limit)

    @rule(
        outcome=st.sampled_from(["ok", "ok", "ok", "retryable", "permanent"]),
        crash=st.sampled_from([False, False, True]),
    )
    def send(self, outcome: str, crash: bool) -> None:
        """The sender sends the next notice it holds (fetching some first if it holds none)."""
        if not self.in_flight:
            self.in_flight = self.desk.pending_notices(limit=3)
            if not self.in_flight:
                return
        notice = self.in_flight.pop(0)
        answer = self.provider.send(notice, outcome)
        if crash:  # between the provider's send and the report: the report is lost
            self.restart()
            return
        if answer == "ok":
            self.desk.notice_delivered(notice)
            self.delivered_reports.append(notice.notification_id)
        else:
            self.desk.notice_failed(
                notice, f"provider said {answer}", retryable=answer == "retryable"
            )

    @precondition(lambda self: bool(self.delivered_reports))
    @rule(data=st.data())
    def report_again(self, data: st.DataObject) -> None:
        """A second sender (another process) reports a delivery again: nothing is written."""
        nid = data.draw(st.sampled_from(self.delivered_reports))
        other = self._desk()
        before = other.get(other.notice(nid).requested.complaint_id).version
        after = other.notice_delivered(nid).version
        assert after == before

    @rule()
    def restart(self) -> None:
        self.in_flight = []
        self.desk = self._desk()

    @rule(minutes=st.integers(0, 10))
    def wait(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    # -- the property ----------------------------------------------------------------------------

    def _requested(self) -> list[NotificationRequested]:
        store = self.desk.store
        return [s.event for s in store.stream() if isinstance(s.event, NotificationRequested)]

    @invariant()
    def every_notice_is_delivered_given_up_or_pending_and_offered(self) -> None:
        requested = self._requested()
        offered = {
            n.notification_id
            for n in self.desk.pending_notices(self.clock.now() + LATER, limit=None)
        }
        delivered_events = Counter(
            s.event.notification_id
            for s in self.desk.store.stream()
            if isinstance(s.event, NotificationDelivered)
        )
        for event in requested:
            state = self.desk.notice(event.notification_id)
            key = event.notification_id
            assert self.provider.effects[key] <= 1
            assert delivered_events[key] <= 1
            if state.status == "pending":
                assert key in offered, f"{key} is pending but never offered again"
            else:
                assert key not in offered
            if state.status == "delivered":
                assert self.provider.effects[key] == 1
            if state.status == "given_up":
                assert self.provider.effects[key] == 0
                assert state.failures >= 1
        assert len(offered) == sum(
            self.desk.notice(e.notification_id).status == "pending" for e in requested
        )

    def _drain(self) -> None:
        """The sender runs until the outbox is empty, the provider answering ok."""
        for _ in range(50):
            self.clock.advance(LATER)
            pending = self.desk.pending_notices()
            if not pending:
                break
            for notice in pending:
                assert self.provider.send(notice, "ok") == "ok"
                self.desk.notice_delivered(notice)
        for event in self._requested():
            state = self.desk.notice(event.notification_id)
            assert state.status in ("delivered", "given_up")
            expected = 1 if state.status == "delivered" else 0
            assert self.provider.effects[event.notification_id] == expected
        assert sum(self.provider.effects.values()) == sum(
            self.desk.notice(e.notification_id).status == "delivered" for e in self._requested()
        )


class MemoryOutbox(OutboxMachine):
    kind = "memory"


class SQLiteOutbox(OutboxMachine):
    kind = "sqlite"


class PostgresOutbox(OutboxMachine):
    kind = "postgres"


TestOutboxOnMemory = MemoryOutbox.TestCase
TestOutboxOnMemory.settings = settings(stateful_step_count=50, deadline=None)
TestOutboxOnSQLite = SQLiteOutbox.TestCase
TestOutboxOnSQLite.settings = settings(max_examples=15, stateful_step_count=40, deadline=None)


@pytest.fixture(scope="module")
def _postgres() -> str:
    return postgres_url()


@pytest.mark.usefixtures("_postgres")
class TestOutboxOnPostgres(PostgresOutbox.TestCase):  # type: ignore[misc, valid-type]
    settings = settings(max_examples=8, stateful_step_count=20, deadline=None)
