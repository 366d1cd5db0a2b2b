"""The context index: what the built-in policies read beside a complaint's own history.

The repeat detector wants the customer's earlier complaints, the early warning and the spike test
want how many complaints of a code arrived in a window (and in the windows before), the handler
routers want each agent's open load, a per-department assignment counter (round robin) and the
previous handler (sticky). A :class:`ContextIndex` keeps all of it incrementally: the Desk feeds
it every complaint it stores, and before each command it catches up with whatever other
processes appended to the same store (read from the store's global log after the index's
position), so several Desks on one database read the same inputs. It is rebuilt from the
store's snapshots when a Desk starts.

Each complaint costs the index a few numbers (its codes, received time, customer, handler,
department, stage); the answers cost a binary search or a dictionary lookup, never a pass over
the store.

>>> from datetime import datetime, timedelta, timezone
>>> from ccms.model import Actor, ComplaintReceived, Concern, CustomerRef, fold
>>> start = datetime(2026, 10, 1, tzinfo=timezone.utc)
>>> def complaint(cid, day, code, customer="u1"):
...     at = start.replace(day=day, hour=10)
...     return fold([ComplaintReceived(complaint_id=cid, version=1, at=at, actor=Actor.system(),
...         stage="received", received_at=at, channel="web", customer=CustomerRef(id=customer),
...         concerns=(Concern(kind="complaint", text="late", code=code),))])
>>> index = ContextIndex(start=start, min_baseline=3)
>>> for i, day in enumerate([2, 3, 5, 6, 6]):
...     _ = index.record(complaint(f"c{i}", day, "DLV.LATE"))
>>> index.code_counts(complaint("c9", 6, "DLV.LATE"))
({'DLV.LATE': 3}, {'DLV.LATE': [1, 0, 1, 1]})
>>> index.customer_complaints("u1")
['c0', 'c1', 'c2', 'c3', 'c4']
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from ccms.errors import InvalidInput
from ccms.model import Complaint
from ccms.store import ComplaintStore

__all__ = [
    "ASSIGNMENT_COUNTER",
    "CODE_BASELINE",
    "CUSTOMER_HISTORY",
    "DEPARTMENT_LOAD",
    "PREVIOUS_HANDLER",
    "RECENT_CODE_COUNTS",
    "ContextIndex",
    "LazyExtra",
]

#: The ``ctx.extra`` keys the Desk fills from the index (what the built-in policies read).
CUSTOMER_HISTORY: Final = "customer_history"
RECENT_CODE_COUNTS: Final = "recent_code_counts"
CODE_BASELINE: Final = "code_baseline"
ASSIGNMENT_COUNTER: Final = "assignment_counter"
PREVIOUS_HANDLER: Final = "previous_handler"
DEPARTMENT_LOAD: Final = "department_load"


@attrs.define(slots=True)
class _Entry:
    """What the index keeps of one complaint."""

    version: int
    customer: str
    received: float  # UTC epoch seconds
    codes: tuple[str, ...]
    handler: str | None
    department: str | None
    stage: str
    open: bool
    last_handler: str | None  # the handler, else the last previous handler

    @classmethod
    def of(cls, c: Complaint) -> _Entry:
        return cls(
            version=c.version,
            customer=c.customer.id,
            received=c.received_at.timestamp(),
            codes=tuple(dict.fromkeys(c.codes)),
            handler=c.handler,
            department=c.department,
            stage=c.stage,
            open=c.closed_at is None,
            last_handler=c.handler or (c.previous_handlers[-1] if c.previous_handlers else None),
        )


class _Times:
    """Sorted received times of the complaints with one code, with their ids alongside."""

    __slots__ = ("ids", "times")

    def __init__(self) -> None:
        self.times: list[float] = []
        self.ids: list[str] = []

    def add(self, t: float, cid: str) -> None:
        i = bisect_right(self.times, t)
        self.times.insert(i, t)
        self.ids.insert(i, cid)

    def remove(self, t: float, cid: str) -> None:
        i = bisect_left(self.times, t)
        while i < len(self.times) and self.times[i] == t:
            if self.ids[i] == cid:
                del self.times[i]
                del self.ids[i]
                return
            i += 1

    def count(self, a: float, b: float) -> int:
        """How many times lie in ``(a, b]``."""
        return bisect_right(self.times, b) - bisect_right(self.times, a)

    def between(self, a: float, b: float) -> list[str]:
        """The ids received in ``[a, b]``."""
        return self.ids[bisect_left(self.times, a) : bisect_right(self.times, b)]


class LazyExtra(Mapping[str, Any]):
    """A read-only mapping whose values are computed on first access (then kept).

    The Desk hands each policy the inputs the index can give; a policy that never reads the
    customer's history does not pay for fetching it.

    >>> calls = []
    >>> extra = LazyExtra({"a": lambda: calls.append("a") or 1}, {"b": 2})
    >>> extra["b"], calls
    (2, [])
    >>> extra["a"], extra["a"], calls
    (1, 1, ['a'])
    >>> sorted(extra)
    ['a', 'b']
    """

    __slots__ = ("_done", "_memo", "_providers")

    def __init__(
        self,
        providers: Mapping[str, Callable[[], Any]],
        given: Mapping[str, Any] | None = None,
        memo: dict[str, Any] | None = None,
    ) -> None:
        self._providers = dict(providers)
        self._done: dict[str, Any] = dict(given or {})
        # Provider values shared with other mappings of the same inputs (the contexts of one
        # sweep over one complaint): computed once for all of them.
        self._memo: dict[str, Any] = {} if memo is None else memo
        for key in self._done:
            self._providers.pop(key, None)

    def __getitem__(self, key: str) -> Any:
        try:
            return self._done[key]
        except KeyError:
            provider = self._providers.pop(key)  # KeyError for unknown keys, as a dict
            memo = self._memo
            value = memo[key] if key in memo else memo.setdefault(key, provider())
            self._done[key] = value
            return value

    def __iter__(self) -> Iterator[str]:
        return iter([*self._done, *self._providers])

    def __len__(self) -> int:
        return len(self._done) + len(self._providers)

    def __repr__(self) -> str:
        return f"LazyExtra({sorted(self)})"


class ContextIndex:
    """The Desk's index of every stored complaint (see the module docs).

    ``window`` is the recent window of the code counts (24 hours), ``baseline_windows`` how many
    windows of the same length before it make a code's baseline (14), counting only windows
    after ``start`` (when the data begin; default: the earliest complaint indexed), and a code
    with fewer than ``min_baseline`` such windows has no baseline (no spike test yet).
    ``repeat_window`` bounds how far back a customer's earlier complaint counts for the
    dependents a change wakes (30 days, the repeat detector's default).
    """

    def __init__(
        self,
        *,
        window: timedelta = timedelta(hours=24),
        baseline_windows: int = 14,
        min_baseline: int = 7,
        repeat_window: timedelta = timedelta(days=30),
        start: datetime | None = None,
    ) -> None:
        if window <= timedelta(0) or repeat_window <= timedelta(0):
            raise InvalidInput(f"index windows must be positive, got {window} and {repeat_window}")
        if baseline_windows < 1 or not 0 <= min_baseline <= baseline_windows:
            raise InvalidInput(
                f"need baseline_windows >= 1 and 0 <= min_baseline <= baseline_windows, got "
                f"{baseline_windows} and {min_baseline}"
            )
        self.window = window
        self.baseline_windows = baseline_windows
        self.min_baseline = min_baseline
        self.repeat_window = repeat_window
        self._start = None if start is None else start.timestamp()
        self._fixed_start = start is not None
        self.position = 0
        self._lock = threading.RLock()
        self._entries: dict[str, _Entry] = {}
        self._codes: dict[str, _Times] = {}
        self._customers: dict[str, list[str]] = {}
        self._load: dict[str, int] = {}
        self._department_load: dict[str, int] = {}
        self._counters: dict[str, int] = {}
        self._unassigned: dict[str, set[str]] = {}  # stage -> open complaints with no handler

    def __repr__(self) -> str:
        return f"ContextIndex({len(self._entries)} complaints, position {self.position})"

    def __len__(self) -> int:
        return len(self._entries)

    # -- keeping it -----------------------------------------------------------------------------

    def rebuild(self, store: ComplaintStore) -> None:
        """Index every complaint the store holds, from its snapshots (on start-up)."""
        with self._lock:
            position = store.last_position()  # read first: later appends are caught up again
            for complaint in store.query():
                self.record(complaint, wake=False)
            self.position = max(self.position, position)

    def catch_up(self, store: ComplaintStore) -> list[str]:
        """Index what others appended to ``store`` since :attr:`position`; returns the open
        complaints whose inputs changed (see :meth:`record`)."""
        with self._lock:
            end = store.last_position()
            if end == self.position:
                return []
            changed: dict[str, None] = {}
            last = self.position
            for stored in store.stream(after=self.position):
                changed.setdefault(stored.complaint_id, None)
                last = stored.position
            # records of other kinds may follow the last complaint event: nothing to read there
            last = max(last, end)
            woken: list[str] = []
            for cid in changed:
                found = store.find(cid)
                if found is not None:
                    woken.extend(self.record(found))
            self.position = last
            return woken

    def advance(self, positions: Iterable[int]) -> None:
        """Note that the Desk's own append wrote ``positions`` (already :meth:`record`-ed); the
        position moves on only if nobody else wrote in between (else :meth:`catch_up` reads)."""
        with self._lock:
            ordered = sorted(positions)
            if ordered and ordered[0] == self.position + 1:
                self.position = ordered[-1]

    def record(self, complaint: Complaint, *, wake: bool = True) -> list[str]:
        """Index the latest version of ``complaint`` (older versions are ignored).

        Returns the ids of the *other* open complaints whose policy inputs this changed: those
        with a code gained or lost, received in the windows that count it, and the customer's
        later complaints (their repeat history). The Desk wakes them, so a spike or a repeat is
        seen on the complaints it concerns without sweeping every complaint. ``wake=False``
        (a rebuild from snapshots) skips that search.
        """
        with self._lock:
            old = self._entries.get(complaint.id)
            if old is not None and old.version >= complaint.version:
                return []
            new = _Entry.of(complaint)
            if self._start is None or (not self._fixed_start and new.received < self._start):
                self._start = new.received
            if old is None:
                self._customers.setdefault(new.customer, []).append(complaint.id)
            self._move_load(old, -1)
            self._move_load(new, +1)
            if old is not None and old.open and old.handler is None:
                self._unassigned.get(old.stage, set()).discard(complaint.id)
            if new.open and new.handler is None:
                self._unassigned.setdefault(new.stage, set()).add(complaint.id)
            if new.handler is not None and (old is None or old.handler != new.handler):
                dept = new.department or ""
                self._counters[dept] = self._counters.get(dept, 0) + 1
            before = set(old.codes) if old is not None else set()
            after = set(new.codes)
            if old is not None and old.received != new.received:
                before, after = set(), after  # re-index every code at the new time
                for code in old.codes:
                    self._codes[code].remove(old.received, complaint.id)
            for code in before - after:
                self._codes[code].remove(new.received, complaint.id)
            for code in sorted(after - before):
                self._codes.setdefault(code, _Times()).add(new.received, complaint.id)
            self._entries[complaint.id] = new
            changed = before ^ after
            return self._dependents(complaint.id, new, changed) if changed and wake else []

    def _move_load(self, entry: _Entry | None, step: int) -> None:
        if entry is None or not entry.open:
            return
        if entry.handler is not None:
            n = self._load.get(entry.handler, 0) + step
            if n:
                self._load[entry.handler] = n
            else:
                self._load.pop(entry.handler, None)
        if entry.department is not None:
            n = self._department_load.get(entry.department, 0) + step
            if n:
                self._department_load[entry.department] = n
            else:
                self._department_load.pop(entry.department, None)

    def _dependents(self, cid: str, entry: _Entry, codes: set[str]) -> list[str]:
        t = entry.received
        horizon = self.window.total_seconds() * (self.baseline_windows + 1)
        found: dict[str, None] = {}
        for code in sorted(codes):
            times = self._codes.get(code)
            if times is not None:
                found.update(dict.fromkeys(times.between(t, t + horizon)))
        until = t + self.repeat_window.total_seconds()
        for other in self._customers.get(entry.customer, ()):
            received = self._entries[other].received
            if t <= received <= until:
                found.setdefault(other, None)
        found.pop(cid, None)
        return [o for o in found if self._entries[o].open]

    # -- answering ------------------------------------------------------------------------------

    def version(self, complaint_id: str) -> int:
        """The version indexed for a complaint (0 if it is not indexed)."""
        entry = self._entries.get(complaint_id)
        return 0 if entry is None else entry.version

    def open_load(self) -> dict[str, int]:
        """Open complaints per handler id (as :meth:`ccms.store.ComplaintStore.open_load`)."""
        with self._lock:
            return dict(self._load)

    def department_load(self) -> dict[str, int]:
        """Open complaints per department."""
        with self._lock:
            return dict(self._department_load)

    def assignment_counter(self, department: str | None) -> int:
        """Handler assignments made so far in ``department``: round robin's turn."""
        return self._counters.get(department or "", 0)

    def customer_complaints(self, customer_id: str) -> list[str]:
        """The ids of the customer's complaints, in the order they were indexed."""
        with self._lock:
            return list(self._customers.get(customer_id, ()))

    def backlog(self, stages: Iterable[str]) -> list[str]:
        """Open complaints without a handler in one of ``stages``, by id."""
        with self._lock:
            return sorted(cid for stage in set(stages) for cid in self._unassigned.get(stage, ()))

    def code_counts(self, complaint: Complaint) -> tuple[dict[str, int], dict[str, list[int]]]:
        """``(recent_code_counts, code_baseline)`` for ``complaint`` (see the module docs):
        per code, complaints received in ``(t - window, t]`` (this one included), and the
        counts of the earlier windows that start after the data begin."""
        with self._lock:
            t = complaint.received_at.timestamp()
            width = self.window.total_seconds()
            first = t if self._start is None else self._start
            stored = self._entries.get(complaint.id)
            indexed = set(stored.codes) if stored is not None else set()
            counts: dict[str, int] = {}
            baseline: dict[str, list[int]] = {}
            empty = _Times()
            for code in dict.fromkeys(complaint.codes):
                times = self._codes.get(code, empty)
                counts[code] = times.count(t - width, t) + (code not in indexed)
                windows = [
                    times.count(t - (i + 1) * width, t - i * width)
                    for i in range(1, self.baseline_windows + 1)
                    if t - (i + 1) * width >= first
                ]
                if len(windows) >= self.min_baseline:
                    baseline[code] = windows
            return counts, baseline

    def previous_handler(self, complaint: Complaint, store: ComplaintStore) -> str | None:
        """Who should get ``complaint`` back: its own last handler once reopened, else the
        handler of the customer's latest earlier complaint sharing a code (a repeat)."""
        if complaint.reopen_count > 0:
            return complaint.handler or (
                complaint.previous_handlers[-1] if complaint.previous_handlers else None
            )
        codes = set(complaint.codes)
        if not codes:
            return None
        t = complaint.received_at.timestamp()
        best: tuple[float, str] | None = None
        with self._lock:
            for other in self._customers.get(complaint.customer.id, ()):
                entry = self._entries[other]
                if other == complaint.id or entry.received > t or entry.last_handler is None:
                    continue
                if codes.intersection(entry.codes) and (best is None or entry.received > best[0]):
                    best = (entry.received, entry.last_handler)
        return None if best is None else best[1]

    def customer_history(self, complaint: Complaint, store: ComplaintStore) -> list[Complaint]:
        """The customer's other complaints that can be repeats of this one (a code in common,
        received up to ``repeat_window`` before it), read from the store by id; the index
        picks them, so a customer with years of history costs what is relevant."""
        t = complaint.received_at.timestamp()
        since = t - self.repeat_window.total_seconds()
        codes = set(complaint.codes)
        if not codes:
            return []
        with self._lock:
            wanted = [
                cid
                for cid in self._customers.get(complaint.customer.id, ())
                if cid != complaint.id
                and since <= (entry := self._entries[cid]).received <= t
                and not codes.isdisjoint(entry.codes)
            ]
        found = (store.find(cid) for cid in wanted)
        return [c for c in found if c is not None]

    def extra(
        self,
        complaint: Complaint,
        store: ComplaintStore,
        given: Mapping[str, Any] | None = None,
        memo: dict[str, Any] | None = None,
    ) -> LazyExtra:
        """The inputs for a context of ``complaint``, each computed when a policy reads it;
        ``given`` values stand in for (or add to) the index's own. ``memo``: a dict shared by
        the mappings of one ``complaint`` read at one time (the contexts of one sweep), where
        each input is kept once computed, so the sweepers after the first read it for free."""
        counts: list[tuple[dict[str, int], dict[str, list[int]]]] = []

        def code_counts() -> tuple[dict[str, int], dict[str, list[int]]]:
            if not counts:
                counts.append(self.code_counts(complaint))
            return counts[0]

        return LazyExtra(
            {
                CUSTOMER_HISTORY: lambda: self.customer_history(complaint, store),
                RECENT_CODE_COUNTS: lambda: code_counts()[0],
                CODE_BASELINE: lambda: code_counts()[1],
                ASSIGNMENT_COUNTER: lambda: self.assignment_counter(complaint.department),
                PREVIOUS_HANDLER: lambda: self.previous_handler(complaint, store),
                DEPARTMENT_LOAD: self.department_load,
            },
            given,
            memo,
        )
