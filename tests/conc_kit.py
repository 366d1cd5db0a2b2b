"""What the concurrency and crash tests share: the wiring of a real Desk, the commands as
picklable intents, the workers that run in other processes, and the checks of a store afterwards.

Not a test module: ``tests/desk/test_concurrency_desk.py`` and
``tests/store/test_crash_writer.py`` import it (``tests/`` is on ``sys.path`` beside the root
``conftest.py``), and the worker processes import it by name.

An *intent* is one command a client means to make, with its idempotency key and, where the
command carries free text, a marker (``mk[<key>]``) that identifies it in the log. A client
retries an intent (same key, same arguments) on :class:`~ccms.errors.ConcurrencyConflict`
and on ``StoreBusy`` (where :mod:`ccms.errors` has it); any other typed error refuses it.
"""

from __future__ import annotations

import functools
import os
import random
import signal
import sqlite3
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import ccms.errors
from ccms.desk import Desk, ManualClock, NoDecision
from ccms.errors import (
    CCMSError,
    ConcurrencyConflict,
    GuardRejected,
    InvalidInput,
    InvalidTransition,
    NotPermitted,
)
from ccms.model import (
    Agent,
    Authority,
    Complaint,
    Concern,
    CustomerRef,
    Department,
    DomainEvent,
    Money,
    Organization,
    RemedyKind,
    Taxonomy,
    fold,
)
from ccms.policy import BusinessCalendar
from ccms.store import ComplaintStore, InMemoryStore, SQLiteStore

#: What the forkserver imports once, so that each worker process starts in milliseconds (the
#: forkserver of Python 3.11 does not see the tests' sys.path, so not this module itself).
PRELOAD = ["pytest", "ccms", "ccms.desk", "ccms.store", "ccms.store.postgres", "psycopg_pool"]

#: A busy database: ``ccms.errors.StoreBusy`` once the store raises it, else (before) nothing
#: more than a conflict.
BUSY: type[Exception] = getattr(ccms.errors, "StoreBusy", ConcurrencyConflict)
#: What a client retries with the same key and arguments.
RETRYABLE: tuple[type[Exception], ...] = (ConcurrencyConflict, BUSY)
#: Typed refusals of an intent: the command does not fit the complaint any more (another
#: client moved it on). Any other answer, InvalidInput included, is unexpected.
REFUSALS: tuple[type[Exception], ...] = (InvalidTransition, GuardRejected, NoDecision, NotPermitted)
#: A Desk that read its clock before loading the complaint refused a command when a writer
#: with a later clock reading committed in between ("go back in time"); counted and retried
#: like a conflict (the Desk now reads the clock after the load: the count should be 0).
STALE_TIME = "commands must not go back in time"

T = TypeVar("T")

SEOUL = ZoneInfo("Asia/Seoul")
T0 = datetime(2026, 10, 5, 9, 0, tzinfo=SEOUL)  # a Monday
_BROAD = Authority(remedies=frozenset(RemedyKind), max_amount=Money(amount="1000000"))
ORG = Organization(
    departments=[
        Department(id="cs", name="Customer service"),
        Department(id="qa", name="Quality"),
    ],
    agents=[
        Agent(id="kim", name="Kim", department="cs", authority=_BROAD, capacity=1000),
        Agent(id="lee", name="Lee", department="cs", authority=_BROAD, capacity=1000),
        Agent(id="han", name="Han", department="qa", authority=_BROAD, capacity=1000),
        Agent(id="seo", name="Seo", department="qa", authority=_BROAD, capacity=1000),
    ],
)
_DAY = datetime(2025, 1, 1).date()
TAXONOMY = (
    Taxonomy()
    .add("DLV", "Delivery", effective=_DAY)
    .add("DLV.LATE", "Late delivery", effective=_DAY)
    .add("PRD", "Product", effective=_DAY, defaults={"department": "qa"})
    .add("PRD.DEF", "Defect", effective=_DAY)
)
CALENDAR = BusinessCalendar(SEOUL, {"mon-fri": [("09:00", "18:00")]})
CODES = ("DLV.LATE", "PRD.DEF")


# -- stores and desks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreSpec:
    """How a process opens the shared store: an SQLite file, or a PostgreSQL schema."""

    kind: str  # "sqlite" or "postgres"
    target: str  # the file, or the URL
    schema: str = "public"
    timeout: float = 30.0

    def open(self) -> ComplaintStore:
        if self.kind == "sqlite":
            return SQLiteStore(self.target, timeout=self.timeout)
        from ccms.store.postgres import PostgresStore

        return PostgresStore(
            self.target, schema=self.schema, min_size=1, max_size=2, timeout=self.timeout
        )


def make_desk(store: ComplaintStore, clock: Any = None) -> Desk:
    """``Desk.standard`` on ``store`` with a small organization (two departments)."""
    return Desk.standard(
        store,
        organization=ORG,
        taxonomy=TAXONOMY,
        calendar=CALENDAR,
        clock=clock or ManualClock(T0),
        fallback_department="cs",
    )


class WallClock:
    """The wall clock shown in Seoul: every process reads the same, increasing time."""

    def now(self) -> datetime:
        return datetime.now(SEOUL)


@dataclass(frozen=True)
class FastClock:
    """Wall time since ``base`` (``time.time()``), ``speed`` times faster, from ``start``: every
    process reads the same increasing time, and the SLA clocks and the escalation ladder have
    hours to find something in the seconds a test runs."""

    base: float
    start: datetime = T0
    speed: float = 50_000.0

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.time() - self.base) * self.speed)


# -- intents --------------------------------------------------------------------------------------

#: The event type each kind of intent records (beside what the policies add).
PRIMARY: Mapping[str, str] = {
    "receive": "received",
    "classify": "classified",
    "assign_department": "department_assigned",
    "assign_handler": "handler_assigned",
    "start": "handling_started",
    "wait_on_customer": "waiting_on_customer",
    "resume": "resumed",
    "respond": "responded",
    "transfer": "transferred",
    "register_result": "result_registered",
    "notify": "customer_notified",
    "record_feedback": "feedback_recorded",
    "close": "closed",
    "reopen": "reopened",
    "escalate": "escalated",
    "set_flags": "flags_changed",
}
#: Kinds whose arguments a router completes: a retry may route again (not resent as duplicates).
ROUTED = frozenset({"assign_department", "assign_handler"})


@dataclass(frozen=True)
class Intent:
    """One command a client means to make, identified by ``key`` (its idempotency key)."""

    key: str
    kind: str
    cid: str
    args: tuple[tuple[str, Any], ...] = ()
    at: datetime | None = None

    @property
    def marker(self) -> str | None:
        """The text that identifies the intent in the log (``None``: a command without text)."""
        return marker(self.key) if self.kind in _MARKED else None


_MARKED = frozenset(
    {
        "receive",
        "wait_on_customer",
        "respond",
        "transfer",
        "register_result",
        "record_feedback",
        "close",
        "reopen",
        "escalate",
        "set_flags",
    }
)


def marker(key: str) -> str:
    return f"mk[{key}]"


def intent(key: str, kind: str, cid: str, at: datetime | None = None, **args: Any) -> Intent:
    return Intent(key=key, kind=kind, cid=cid, args=tuple(sorted(args.items())), at=at)


def apply(desk: Desk, it: Intent) -> Complaint:
    """Make the intent's command through the Desk's public method for it."""
    a = dict(it.args)
    text = marker(it.key)
    opts: dict[str, Any] = {"idempotency_key": it.key}
    if it.at is not None:
        opts["at"] = it.at
    k, cid = it.kind, it.cid
    if k == "receive":
        clock = desk.clock
        if it.at is not None and isinstance(clock, ManualClock) and it.at > clock.now():
            clock.set(it.at)  # a receipt is never after the Desk's clock
        return desk.receive(
            channel=a.get("channel", "phone"),
            customer=CustomerRef(id=a.get("customer", "C-1")),
            concerns=[Concern(kind="complaint", text=f"the parcel is late {text}")],
            received_at=it.at,
            complaint_id=a.get("complaint_id"),
            idempotency_key=it.key,
        )
    if k == "classify":
        return desk.classify(cid, [a["code"]], **opts)
    if k == "assign_department":
        return desk.assign_department(cid, a.get("department"), **opts)
    if k == "assign_handler":
        return desk.assign_handler(cid, a.get("handler"), **opts)
    if k == "start":
        return desk.start(cid, **opts)
    if k == "wait_on_customer":
        return desk.wait_on_customer(cid, text, **opts)
    if k == "resume":
        return desk.resume(cid, **opts)
    if k == "respond":
        return desk.respond(cid, a.get("channel", "sms"), note=text, **opts)
    if k == "transfer":
        return desk.transfer(cid, a["to"], reason=text, **opts)
    if k == "register_result":
        return desk.register_result(cid, {"remedy": "apology", "cause": text}, **opts)
    if k == "notify":
        return desk.notify(cid, a.get("channel", "phone"), **opts)
    if k == "record_feedback":
        feedback = {"satisfied": a.get("satisfied", True), "csat": 4, "comment": text}
        return desk.record_feedback(cid, feedback, **opts)
    if k == "close":
        return desk.close(cid, text, **opts)
    if k == "reopen":
        return desk.reopen(cid, text, **opts)
    if k == "escalate":
        return desk.escalate(cid, a.get("level", 1), text, **opts)
    if k == "set_flags":
        return desk.set_flags(
            cid, add=a.get("add", ()), remove=a.get("remove", ()), reason=text, **opts
        )
    raise AssertionError(f"unknown intent kind {k!r}")


def lifecycle_choices(stage: str, department: str | None) -> list[tuple[str, dict[str, Any]]]:
    """The commands that move a complaint on from ``stage`` (arguments without the key)."""
    other = "qa" if department == "cs" else "cs"
    table: dict[str, list[tuple[str, dict[str, Any]]]] = {
        "received": [("classify", {"code": c}) for c in CODES],
        "classified": [("assign_department", {}), ("register_result", {})],
        "department_assigned": [("assign_handler", {})],
        "handler_assigned": [("start", {})],
        "in_progress": [
            ("wait_on_customer", {}),
            ("register_result", {}),
            ("transfer", {"to": other}),
        ],
        "waiting_on_customer": [("resume", {})],
        "result_registered": [("notify", {"channel": "phone"})],
        "customer_notified": [("record_feedback", {"satisfied": False}), ("close", {})],
        "feedback_recorded": [("close", {}), ("reopen", {})],
        "closed": [("reopen", {})],
    }
    return table.get(stage, [])


def choose(rng: random.Random, key: str, complaint: Complaint) -> Intent:
    """A command for ``complaint`` as its client sees it: mostly one that moves it on."""
    moves = lifecycle_choices(complaint.stage, complaint.department)
    if moves and rng.random() < 0.65:
        kind, args = rng.choice(moves)
        return intent(key, kind, complaint.id, **args)
    roll = rng.random()
    if roll < 0.4:
        flag = rng.choice(("vip", "supervisor_requested"))
        if flag in complaint.flags:
            return intent(key, "set_flags", complaint.id, remove=(flag,))
        return intent(key, "set_flags", complaint.id, add=(flag,))
    if roll < 0.7 and complaint.closed_at is None:
        return intent(key, "respond", complaint.id, channel=rng.choice(("sms", "email")))
    return intent(key, "escalate", complaint.id, level=rng.randint(1, 3))


# -- a client that retries -----------------------------------------------------------------------


@dataclass
class Tally:
    """What one client did: counts, and each intent's outcome (for the checks afterwards)."""

    tried: int = 0  # intents sent (a retry of one intent is not counted again)
    accepted: int = 0
    conflicts: int = 0  # ConcurrencyConflict answers (each one retried)
    busy: int = 0  # StoreBusy answers (each one retried)
    stale: int = 0  # "commands must not go back in time" answers (retried)
    refused: int = 0
    duplicates: int = 0  # resends of an accepted intent (same key, same arguments)
    ticks: int = 0  # Desk.tick() calls
    tick_events: int = 0  # events the ticks recorded
    #: the contended rounds whose first attempt this client won
    round_wins: list[int] = field(default_factory=list)
    #: (key, kind, cid, version, marker) of every accepted intent (first acceptance)
    accepted_log: list[tuple[str, str, str, int, str | None]] = field(default_factory=list)
    #: (key, kind, cid, error type, marker) of every refused intent
    refused_log: list[tuple[str, str, str, str, str | None]] = field(default_factory=list)
    #: (key, version first returned, version returned to the resend)
    resends: list[tuple[str, int, int]] = field(default_factory=list)
    #: retryable answers to commands that had been stored all the same
    stored_anyway: list[str] = field(default_factory=list)
    #: exceptions outside ccms.errors, or ccms errors that are neither retried nor refusals
    unexpected: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, other: Tally) -> None:
        for name in (
            "tried",
            "accepted",
            "conflicts",
            "busy",
            "stale",
            "refused",
            "duplicates",
            "ticks",
            "tick_events",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.accepted_log += other.accepted_log
        self.refused_log += other.refused_log
        self.resends += other.resends
        self.round_wins += other.round_wins
        self.unexpected += other.unexpected
        self.stored_anyway += other.stored_anyway
        self.seconds = max(self.seconds, other.seconds)

    def figures(self) -> str:
        return (
            f"tried {self.tried}, accepted {self.accepted}, conflicts {self.conflicts}, "
            f"busy {self.busy}, stale clock {self.stale}, refused {self.refused}, "
            f"resent duplicates {self.duplicates}, ticks {self.ticks} (recording "
            f"{self.tick_events} events), retryable answers to stored commands "
            f"{len(self.stored_anyway)}"
        )

    def refusals(self) -> str:
        """The refusals by command and error, most frequent first."""
        counts = Counter(f"{kind} {error}" for _, kind, _, error, _ in self.refused_log)
        return ", ".join(f"{what} {n}" for what, n in counts.most_common()) or "none"


def send(
    desk: Desk,
    it: Intent,
    tally: Tally,
    *,
    attempts: int = 400,
    count: bool = True,
    own_key: bool = True,
) -> Complaint | None:
    """Send ``it`` until it is accepted or refused; the stored complaint, or ``None``.

    With ``own_key`` (no other client uses the key), a retryable answer after which the key is
    found stored is a lie ("nothing was changed"): a client without a key would have made the
    command twice. It is recorded in ``tally.stored_anyway``, and the stored result returned.
    """
    if count:
        tally.tried += 1
    for _ in range(attempts):
        try:
            return apply(desk, it)
        except RETRYABLE as exc:
            count_retry(tally, exc)
            found = read(lambda: desk.store.idempotent_result(it.key)) if own_key else None
            if found is not None:
                tally.stored_anyway.append(f"{it.kind} {it.key}: {type(exc).__name__}: {exc}")
                return found.complaint
        except InvalidInput as exc:
            if STALE_TIME not in str(exc):
                tally.unexpected.append(f"{it.kind} {it.key}: {type(exc).__name__}: {exc}")
                return None
            tally.stale += 1
        except REFUSALS as exc:
            tally.refused += 1
            tally.refused_log.append((it.key, it.kind, it.cid, type(exc).__name__, it.marker))
            return None
        except CCMSError as exc:
            tally.unexpected.append(f"{it.kind} {it.key}: {type(exc).__name__}: {exc}")
            return None
        except Exception as exc:
            tally.unexpected.append(
                f"{it.kind} {it.key}: untyped {type(exc).__module__}.{type(exc).__name__}: "
                f"{exc}\n{traceback.format_exc(limit=6)}"
            )
            return None
        time.sleep(0)  # let the winner go on
    tally.unexpected.append(f"{it.kind} {it.key}: still conflicting after {attempts} attempts")
    return None


#: Told (once per process) when this process's store first answers busy.
_on_first_busy: list[Callable[[], object]] = []


def count_retry(tally: Tally, exc: BaseException) -> None:
    """Count a retryable answer: busy or a conflict."""
    if isinstance(exc, BUSY) and BUSY is not ConcurrencyConflict:
        if not tally.busy:
            for tell in _on_first_busy:
                tell()
        tally.busy += 1
    else:
        tally.conflicts += 1


def read(fn: Callable[[], T], attempts: int = 400) -> T:
    """A read, retried while the store is busy."""
    for _ in range(attempts - 1):
        try:
            return fn()
        except BUSY:
            time.sleep(0.001)
    return fn()


def accept(tally: Tally, it: Intent, stored: Complaint) -> None:
    tally.accepted += 1
    tally.accepted_log.append((it.key, it.kind, it.cid, stored.version, it.marker))


# -- the concurrency worker -----------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What every worker of one concurrency run does."""

    spec: StoreSpec
    seed: int
    shared: tuple[str, ...]  # ids of the complaints every worker works on
    steps: int  # free-running intents per worker
    rounds: int  # contended rounds: every worker at one expected version, one wins
    common: tuple[Intent, ...] = ()  # intents every worker sends at once (one key each)
    new_share: float = 0.1  # share of free steps that receive a complaint of the worker's own
    resend_share: float = 0.08  # share of free steps that resend an accepted intent
    tick_share: float = 0.06  # share of free steps that run Desk.tick() (racing the commands)
    clock: Any = None  # what every client's Desk reads the time from (default: WallClock())


def desk_worker(plan: Plan, w: int, barrier: Any, out: Any, busy_seen: Any = None) -> None:
    """One client process: contended rounds, the common intents, then free interleaving.

    ``busy_seen`` (a queue) is told the worker's number once its store first answers busy (or
    the worker dies).
    """
    tally = Tally()
    start = time.perf_counter()
    if busy_seen is not None:
        _on_first_busy.append(lambda: busy_seen.put(w))
    try:
        _work(plan, w, barrier, tally)
    except BaseException as exc:  # reported, never lost in the child
        tally.unexpected.append(
            f"worker {w} died: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=8)}"
        )
        barrier.abort()
        if busy_seen is not None:
            busy_seen.put(w)
    tally.seconds = time.perf_counter() - start
    out.put((w, tally))


def _open(spec: StoreSpec, tally: Tally) -> ComplaintStore:
    for _ in range(3_000):
        try:
            return spec.open()
        except RETRYABLE as exc:
            count_retry(tally, exc)
            time.sleep(0.01)
    return spec.open()


def _work(plan: Plan, w: int, barrier: Any, tally: Tally) -> None:
    rng = random.Random(plan.seed * 1_000 + w)
    store = _open(plan.spec, tally)
    try:
        desk = make_desk(store, plan.clock or WallClock())
        barrier.wait(timeout=120)
        # Contended rounds: all read one version, then all write at it: exactly one wins.
        for r in range(plan.rounds):
            cid = plan.shared[r % len(plan.shared)]
            barrier.wait(timeout=120)
            seen = read(functools.partial(store.version, cid))
            barrier.wait(timeout=120)
            it = intent(f"r{r}-w{w}", "escalate", cid, level=1 + (w % 3))
            tally.tried += 1
            try:
                stored: Complaint | None = apply_at(desk, it, seen)
                tally.round_wins.append(r)
            except RETRYABLE as exc:
                count_retry(tally, exc)
                stored = send(desk, it, tally, count=False)
            if stored is not None:
                accept(tally, it, stored)
        # The common intents: every worker sends the same key and command at once.
        for it in plan.common:
            barrier.wait(timeout=120)
            stored = send(desk, it, tally, own_key=False)
            if stored is not None:
                tally.accepted_log.append((it.key, it.kind, it.cid, stored.version, it.marker))
        barrier.wait(timeout=120)
        # Free interleaving on the shared complaints (and a few of the worker's own).
        mine: list[str] = []
        done: list[tuple[Intent, int]] = []
        for i in range(plan.steps):
            key = f"w{w}-{i}"
            roll = rng.random()
            if roll < plan.resend_share and done:
                it, version = rng.choice(done)
                again = send(desk, it, tally, count=False)
                tally.duplicates += 1
                tally.resends.append((it.key, version, -1 if again is None else again.version))
                continue
            if roll < plan.resend_share + plan.new_share:
                it = intent(key, "receive", "", customer=f"C-{w}")
                stored = send(desk, it, tally)
                if stored is not None:
                    it = Intent(it.key, it.kind, stored.id, it.args, it.at)
                    accept(tally, it, stored)
                    mine.append(stored.id)
                    done.append((it, stored.version))
                continue
            if roll < plan.resend_share + plan.new_share + plan.tick_share:
                for cid, version in tick(desk, tally):
                    tally.accepted_log.append(
                        (f"tick-{key}-{cid}-{version}", "tick", cid, version, None)
                    )
                continue
            cid = rng.choice(plan.shared + tuple(mine[-2:]))
            it = choose(rng, key, read(functools.partial(desk.get, cid)))
            stored = send(desk, it, tally)
            if stored is not None:
                accept(tally, it, stored)
                if it.kind not in ROUTED:
                    done.append((it, stored.version))
    finally:
        store.close()


def tick(desk: Desk, tally: Tally, attempts: int = 400) -> list[tuple[str, int]]:
    """``desk.tick()`` (retried while busy); the (complaint, version) pairs it wrote."""
    tally.ticks += 1
    for _ in range(attempts):
        try:
            recorded = desk.tick()
        except RETRYABLE as exc:
            count_retry(tally, exc)
            continue
        except Exception as exc:
            tally.unexpected.append(
                f"tick: {type(exc).__module__}.{type(exc).__name__}: {exc}\n"
                f"{traceback.format_exc(limit=6)}"
            )
            return []
        tally.tick_events += len(recorded)
        return sorted({(e.complaint_id, e.version) for e in recorded})
    tally.unexpected.append(f"tick: still busy after {attempts} attempts")
    return []


def apply_at(desk: Desk, it: Intent, expected_version: int) -> Complaint:
    """``it`` at the version the client saw (an escalation: valid in every stage)."""
    a = dict(it.args)
    return desk.escalate(
        it.cid,
        a["level"],
        marker(it.key),
        expected_version=expected_version,
        idempotency_key=it.key,
    )


# -- checks of a store ----------------------------------------------------------------------------


def texts(event: DomainEvent) -> Iterator[str]:
    """The free text of an event, where the markers are."""
    for name in ("reason", "note"):
        value = getattr(event, name, None)
        if isinstance(value, str) and value:
            yield value
    result = getattr(event, "result", None)
    if result is not None and result.cause:
        yield result.cause
    feedback = getattr(event, "feedback", None)
    if feedback is not None and feedback.comment:
        yield feedback.comment
    if event.type == "received":  # later events (classified) carry the concerns again
        for concern in getattr(event, "concerns", None) or ():
            yield concern.text


@dataclass
class StoreView:
    """Everything read back from a store, checked for the invariants every store keeps."""

    histories: dict[str, list[DomainEvent]]
    snapshots: dict[str, Complaint]
    positions: list[int]
    #: marker -> [(complaint id, version)] of every event whose free text holds it
    markers: dict[str, list[tuple[str, int]]]


def check_store(store: ComplaintStore) -> StoreView:
    """Every stream folds to its snapshot with versions contiguous from 1, and the global log
    holds each event once at positions 1, 2, ... with no gap. Raises AssertionError."""
    histories: dict[str, list[DomainEvent]] = {}
    snapshots: dict[str, Complaint] = {}
    for cid in store.ids():
        events = store.events(cid)
        snapshot = store.get(cid)
        versions = [e.version for e in events]
        assert versions, f"complaint {cid} is stored without events"
        assert versions == sorted(versions), f"{cid}: versions out of order: {versions}"
        assert sorted(set(versions)) == list(range(1, snapshot.version + 1)), (
            f"{cid}: versions {sorted(set(versions))} are not 1..{snapshot.version} "
            "(a lost or half-written command)"
        )
        folded = fold(events)
        assert folded == snapshot, f"{cid}: the fold of its events differs from the snapshot"
        assert store.version(cid) == snapshot.version
        histories[cid] = events
        snapshots[cid] = snapshot
    log = list(store.log())
    positions = [entry.position for entry in log]
    assert positions == list(range(1, len(positions) + 1)), (
        f"the global log's positions have gaps or repeats: {_irregular(positions)}"
    )
    assert store.last_position() == len(positions)
    by_stream: dict[str, list[DomainEvent]] = defaultdict(list)
    for entry in log:
        if entry.kind == "complaint":
            by_stream[entry.stream_id].append(entry.event)  # type: ignore[union-attr]
    assert set(by_stream) == set(histories), "the log and the complaints disagree on streams"
    for cid, events in histories.items():
        assert by_stream[cid] == events, f"{cid}: the log holds other events than events()"
    markers: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for cid, events in histories.items():
        for e in events:
            for text in texts(e):
                start = 0
                while (at := text.find("mk[", start)) >= 0:
                    end = text.index("]", at)
                    markers[text[at : end + 1]].append((cid, e.version))
                    start = end
    return StoreView(histories, snapshots, positions, dict(markers))


def check_time_events_once(view: StoreView) -> None:
    """The time-driven policies record each finding once, whoever swept when: an SLA target's
    status once per clock (between two ``sla_applied``); a ladder escalation above every
    escalation before it (the clients' own carry markers); an early warning either above every
    step before it or, at the same step, telling only people never told before (a relay)."""
    for cid, events in view.histories.items():
        statuses: set[tuple[str, str]] = set()
        escalated = 0
        step = 0
        told: set[str] = set()
        for event in events:
            e: Any = event
            where = f"{cid} v{e.version}"
            if e.type == "sla_applied":
                statuses = set()
            elif e.type == "sla_status_changed":
                assert (e.target, e.status) not in statuses, f"{where}: SLA {e.status} twice"
                statuses.add((e.target, e.status))
            elif e.type == "escalated":
                if "mk[" not in e.reason:
                    assert e.level > escalated, f"{where}: the ladder escalated to {e.level} again"
                escalated = max(escalated, e.level)
            elif e.type == "early_warning_raised":
                notify = set(e.notify)
                if e.step > step:
                    step = e.step
                else:
                    again = f"{where}: early warning step {e.step} again, telling {sorted(notify)}"
                    assert e.step == step, again
                    assert notify, again
                    assert not notify & told, f"{again} (told before: {sorted(told)})"
                told |= notify


def _irregular(positions: Sequence[int]) -> str:
    counts = Counter(positions)
    repeats = sorted(p for p, n in counts.items() if n > 1)[:10]
    missing = sorted(set(range(1, max(positions, default=0) + 1)) - set(counts))[:10]
    return f"repeated {repeats}, missing {missing}, {len(positions)} entries"


def check_exactly_once(
    store: ComplaintStore,
    view: StoreView,
    accepted: Sequence[tuple[str, str, str, int, str | None]],
    refused: Sequence[tuple[str, str, str, str, str | None]] = (),
    *,
    every_version_claimed: bool | str = True,
) -> list[str]:
    """Each accepted intent is in the log exactly once, at the version it was answered with;
    no two intents share a version; a refused intent left nothing; with
    ``every_version_claimed`` every stored version is some accepted intent's; with
    ``"but ticks"`` a version may be a tick's (unreported: the tick was interrupted by a busy
    store), if all of it is what a tick writes. Returns those versions."""
    claims: dict[tuple[str, int], set[str]] = defaultdict(set)
    kinds: dict[str, tuple[str, str, int, str | None]] = {}
    for key, kind, cid, version, mark in accepted:
        if key in kinds:
            assert kinds[key] == (kind, cid, version, mark), (
                f"intent {key} was answered with two results: {kinds[key]} and "
                f"{(kind, cid, version, mark)}"
            )
        kinds[key] = (kind, cid, version, mark)
        claims[(cid, version)].add(key)
    for (cid, version), keys in claims.items():
        assert len(keys) == 1, f"{cid} version {version} is claimed by intents {sorted(keys)}"
    for key, (kind, cid, version, mark) in kinds.items():
        history = view.histories.get(cid)
        assert history is not None, f"accepted intent {key} ({kind}): complaint {cid} is lost"
        if kind == "tick":  # a version a tick wrote: it must be there, and nobody else's
            assert version <= view.snapshots[cid].version, f"{key}: {cid} has no v{version}"
            continue
        at = [e.type for e in history if e.version == version]
        assert PRIMARY[kind] in at, (
            f"accepted intent {key} ({kind}) answered with {cid} version {version}, "
            f"whose events are {at}"
        )
        if mark is not None:
            found = view.markers.get(mark, [])
            assert found == [(cid, version)], (
                f"accepted intent {key} ({kind}) should be in the log once, at {cid} version "
                f"{version}; found at {found}"
            )
        previous = store.idempotent_result(key)
        assert previous is not None, f"accepted intent {key}: the store forgot its key"
        assert (previous.complaint.id, previous.complaint.version) == (cid, version), (
            f"intent {key}: the key answers {previous.complaint.id} v{previous.complaint.version}"
        )
    for key, kind, _cid, error, mark in refused:
        if key in kinds:
            continue  # refused on a resend after it was accepted
        if mark is not None:
            assert mark not in view.markers, (
                f"refused intent {key} ({kind}, {error}) is in the log at {view.markers[mark]}"
            )
        assert store.idempotent_result(key) is None, f"refused intent {key} left its key"
    unclaimed: list[str] = []
    for cid, snapshot in view.snapshots.items():
        for v in range(1, snapshot.version + 1):
            if (cid, v) in claims:
                continue
            events = [e for e in view.histories[cid] if e.version == v]
            types = [e.type for e in events]
            assert every_version_claimed is not True, (
                f"{cid}: version {v} ({types}) was written by no accepted intent"
            )
            # a tick interrupted by a busy store cannot say what it had written before:
            # only what a tick writes, and nothing of a client's, may be left unclaimed
            assert all(e.actor.role == "system" for e in events), f"{cid} v{v}: {events}"
            assert not any("mk[" in t for e in events for t in texts(e)), f"{cid} v{v}: {events}"
            assert set(types) <= _TICK_TYPES, f"{cid} v{v}: {types} unclaimed"
            unclaimed.append(f"{cid} v{v} {types}")
    return unclaimed


#: What a tick writes: the time-driven policies' findings, and a backlog offer.
_TICK_TYPES = frozenset(
    {
        "sla_applied",
        "sla_status_changed",
        "escalated",
        "early_warning_raised",
        "cc_card_opened",
        "flags_changed",
        "repeat_detected",
        "handler_assigned",
    }
)


# -- the crash writer -----------------------------------------------------------------------------

#: The commands a crash-test complaint goes through, in order (a full lifecycle, with a wait, a
#: reply, flags and an escalation on the way).
LIFECYCLE: tuple[tuple[str, dict[str, Any]], ...] = (
    ("receive", {}),
    ("classify", {"code": "PRD.DEF"}),
    ("set_flags", {"add": ("vip",)}),
    ("assign_department", {"department": "qa"}),
    ("assign_handler", {"handler": "han"}),
    ("start", {}),
    ("respond", {"channel": "sms"}),
    ("wait_on_customer", {}),
    ("resume", {}),
    ("escalate", {"level": 2}),
    ("register_result", {}),
    ("notify", {"channel": "phone"}),
    ("record_feedback", {"satisfied": True}),
    ("close", {}),
)


def crash_plan(seed: int, active: int = 3) -> Iterator[Intent]:
    """An endless, deterministic sequence of intents of one writer: ``active`` complaints at a
    time, interleaved, each through :data:`LIFECYCLE`, then replaced by a new one."""
    rng = random.Random(seed)
    at = T0
    born = 0
    progress: dict[str, int] = {}
    while True:
        while len(progress) < active:
            progress[f"K-{seed}-{born:05d}"] = 0
            born += 1
        cid = rng.choice(sorted(progress))
        step = progress[cid]
        kind, args = LIFECYCLE[step]
        at += timedelta(minutes=rng.randint(1, 30))
        extra = {"complaint_id": cid, "customer": f"C-{born % 4}"} if kind == "receive" else {}
        yield intent(f"{cid}.{step:02d}", kind, cid, at, **args, **extra)
        progress[cid] = step + 1
        if step + 1 == len(LIFECYCLE):
            del progress[cid]


def read_acks(path: Path) -> list[tuple[str, str, int]]:
    """The acknowledged intents (key, complaint id, version), in order; a torn last line (the
    writer was killed while writing it) does not count."""
    if not path.exists():
        return []
    text = path.read_text()
    lines = text.split("\n")[:-1]  # only lines with their newline were acknowledged
    acks = []
    for line in lines:
        key, cid, version = line.split(" ")
        acks.append((key, cid, int(version)))
    return acks


def _last_words(path: str, where: str, in_transaction: bool) -> None:
    """Say (fsynced) where the writer is about to die, then SIGKILL it."""
    with open(path, "w", encoding="utf-8") as note:
        note.write(f"{int(in_transaction)} {where}")
        note.flush()
        os.fsync(note.fileno())
    os.kill(os.getpid(), signal.SIGKILL)


def _die_at_statement(n: int, note: str) -> None:
    """SIGKILL this process when its SQLite connection starts statement ``n`` (the trace
    callback runs as a statement begins, so inside an append's transaction too)."""
    connect = sqlite3.connect
    seen = [0]

    def connecting(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = connect(*args, **kwargs)

        def trace(statement: str) -> None:
            seen[0] += 1
            if seen[0] >= n:
                _last_words(note, " ".join(statement.split()[:3]), conn.in_transaction)

        conn.set_trace_callback(trace)
        return conn

    sqlite3.connect = connecting  # type: ignore[assignment]


def _die_at_query(n: int, note: str) -> None:
    """SIGKILL this process as it is about to send its ``n``-th PostgreSQL statement (between
    an append's call and its durability barrier too)."""
    import psycopg

    execute = psycopg.Connection.execute
    seen = [0]

    def executing(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        seen[0] += 1
        if seen[0] >= n:
            text = query.decode() if isinstance(query, bytes) else str(query)
            _last_words(note, " ".join(text.split()[:3]), False)
        return execute(self, query, *args, **kwargs)

    psycopg.Connection.execute = executing  # type: ignore[method-assign]


def crash_writer(spec: StoreSpec, acks: str, seed: int, die_at: int | None, ready: Any) -> None:
    """The writer a crash test kills: resume the plan after the last acknowledged intent, and
    acknowledge each intent (a line in ``acks``, fsynced) only after the Desk returned it.

    With ``die_at``, the writer kills itself at that SQLite statement or PostgreSQL query and
    leaves a note of where (``acks + ".kill"``).
    """
    if die_at is not None:
        if spec.kind == "sqlite":
            _die_at_statement(die_at, acks + ".kill")
        else:
            _die_at_query(die_at, acks + ".kill")
    done = read_acks(Path(acks))
    store = spec.open()
    desk = make_desk(store)
    ready.set()
    tally = Tally()
    with open(acks, "a", encoding="utf-8") as out:
        for n, it in enumerate(crash_plan(seed)):
            if n < len(done):
                assert done[n][0] == it.key, f"acknowledgements out of plan order at {n}"
                continue
            stored = send(desk, it, tally)
            if stored is None:
                raise SystemExit(f"crash writer: {it.key} not stored: {tally.unexpected}")
            out.write(f"{it.key} {stored.id} {stored.version}\n")
            out.flush()
            os.fsync(out.fileno())


def check_crash(
    store: ComplaintStore, seed: int, acks: Sequence[tuple[str, str, int]], keys_from: int = 0
) -> int:
    """After a kill: no half-written command and nothing acknowledged lost; every complaint's
    history is a prefix of its plan, each intent once; the keys of ``acks[keys_from:]`` (those
    not checked before) answer their versions. Returns the number of stored intents."""
    view = check_store(store)
    plan: dict[str, list[Intent]] = defaultdict(list)
    horizon = len(acks) + 2  # at most one intent was in flight beyond the acknowledged ones
    for n, it in enumerate(crash_plan(seed)):
        if n >= horizon:
            break
        plan[it.cid].append(it)
    stored = 0
    for cid, history in view.histories.items():
        kinds = [PRIMARY[it.kind] for it in plan[cid]]
        by_version: dict[int, list[str]] = defaultdict(list)
        for e in history:
            by_version[e.version].append(e.type)
        got = [by_version[v] for v in sorted(by_version)]
        assert len(got) <= len(kinds), f"{cid}: {len(got)} versions, more than its plan held"
        for v, (types, kind) in enumerate(zip(got, kinds, strict=False), start=1):
            assert kind in types, f"{cid} version {v} holds {types}, not the planned {kind}"
            mark = marker(plan[cid][v - 1].key)
            if plan[cid][v - 1].marker is not None:
                assert view.markers.get(mark) == [(cid, v)], (
                    f"{cid}: intent {plan[cid][v - 1].key} found at {view.markers.get(mark)}"
                )
        stored += len(got)
    for n, (key, cid, version) in enumerate(acks):
        history = view.histories.get(cid)
        assert history is not None, f"acknowledged {key} lost: complaint {cid} is not stored"
        assert view.snapshots[cid].version >= version, (
            f"acknowledged {key} ({cid} v{version}) lost: the store has {cid} at "
            f"v{view.snapshots[cid].version}"
        )
        if n < keys_from:
            continue
        previous = store.idempotent_result(key)
        assert previous is not None, f"acknowledged {key}: the store forgot its key"
        assert previous.complaint.version == version, (
            f"acknowledged {key} ({cid} v{version}): its key answers v{previous.complaint.version}"
        )
    assert stored >= len(acks), f"{stored} intents stored, {len(acks)} acknowledged"
    assert stored <= len(acks) + 1, f"{stored} intents stored, {len(acks)} acknowledged (+1)"
    return stored


def reference_histories(seed: int, intents: int) -> dict[str, list[DomainEvent]]:
    """The histories the first ``intents`` of :func:`crash_plan` give in one uninterrupted run
    (one Desk, an in-memory store): what a killed and restarted writer must have stored too."""
    store = InMemoryStore()
    desk = make_desk(store)
    tally = Tally()
    for n, it in enumerate(crash_plan(seed)):
        if n >= intents:
            break
        stored = send(desk, it, tally)
        assert stored is not None, f"the reference run refused {it.key}: {tally.unexpected}"
    return {cid: store.events(cid) for cid in store.ids()}


def first_difference(
    got: Mapping[str, Sequence[DomainEvent]], want: Mapping[str, Sequence[DomainEvent]]
) -> str | None:
    """Where two sets of histories first differ (``None``: they are equal)."""
    if list(got) != list(want):
        return f"complaints {list(got)} against {list(want)}"
    for cid, events in want.items():
        for i, (a, b) in enumerate(zip(got[cid], events, strict=False)):
            if a != b:
                return f"{cid} event {i}: {a!r} against {b!r}"
        if len(got[cid]) != len(events):
            return f"{cid}: {len(got[cid])} events against {len(events)}"
    return None
