"""Notice figures from the event log: delivery per channel, the notify time, remedy standards.

:class:`NoticeAccumulator` reads complaint histories (each the events of one complaint, in order,
as a store's ``events(complaint_id)`` returns them) and computes, over a window
``[start, end)`` (either bound may be open):

* **delivery**, per channel and per notice kind: notices *requested* in the window
  (:class:`~ccms.model.NotificationRequested`), and what had become of them by ``end``:
  *delivered* (:class:`~ccms.model.NotificationDelivered`), *given up* (a
  :class:`~ccms.model.NotificationFailed` that ends the attempts) or still *pending*, so
  ``delivered + given_up + pending == requested``; the failed attempts reported, and the notices
  that needed more than one attempt (*retried*);
* **the notify time** (the "notify" SLA: 처리결과 통보): for each result registered in the window
  (:class:`~ccms.model.ResultRegistered`), the time until its result notice was delivered: the
  first delivery, before ``end``, of a ``result`` notice requested at or after that result and
  before the next one. Median and p90 of the delivered, and the share delivered within
  ``target``; a result counts in that share once its outcome is known (delivered, or not
  delivered and ``target`` had passed by ``end``);
* **remedy standards** (a fairness-of-outcome figure), per department: the results registered in
  the window by their verdict against the remedy standard recorded on the event (below, at,
  above, no standard applies) and those registered without a check. The department is the
  complaint's department when the result was registered (``unknown`` if none yet).

An event at or after ``end`` is not read (the figures are as of ``end``). State is counts per
channel, kind and department and one duration histogram: O(groups), and :meth:`merge` is exact,
associative and commutative, so histories split over processes combine to the figures of one pass.
A complaint's history must not be split across partitions.

>>> from datetime import datetime, timedelta, timezone
>>> from ccms.model import (Actor, NotificationDelivered, NotificationFailed,
...                         NotificationRequested)
>>> t = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)
>>> def head(v, minutes):
...     return dict(complaint_id="C-1", version=v, at=t + timedelta(minutes=minutes),
...                 actor=Actor.system())
>>> history = [
...     NotificationRequested(**head(2, 0), notification_id="N-1", template="receipt",
...                           cause="received", channel="sms", recipient="CUST-7",
...                           language="ko", subject="s", body="b"),
...     NotificationFailed(**head(3, 1), notification_id="N-1", attempt=1, reason="busy",
...                        retry_at=t + timedelta(minutes=5)),
...     NotificationDelivered(**head(4, 6), notification_id="N-1", attempt=2),
... ]
>>> figures = accumulate(NoticeAccumulator(), [history]).result()
>>> sms = figures.by_channel["sms"]
>>> sms.requested, sms.delivered, sms.pending, sms.failed_attempts, sms.retried
(1, 1, 0, 1, 1)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final, Self

import attrs

from ccms.errors import InvalidInput, require_aware
from ccms.metrics.accumulators import Durations, Summary, accumulate, check_resolution
from ccms.metrics.kpi import Rate
from ccms.metrics.records import StoreLike
from ccms.model import (
    DepartmentAssigned,
    DomainEvent,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    ResultRegistered,
    Transferred,
)

__all__ = [
    "NOTIFY_TARGET",
    "READS",
    "RESULT_KIND",
    "UNKNOWN_DEPARTMENT",
    "VERDICTS",
    "NoticeAccumulator",
    "NoticeCounts",
    "NoticeFigures",
    "NotifyTimes",
    "StandardCounts",
    "histories",
    "notice_figures",
    "notice_history",
]

#: The notify SLA's default target: the result notice delivered within a day of the result.
NOTIFY_TARGET: Final = timedelta(days=1)
#: The notice kind that tells the customer the result (:class:`ccms.notices.NoticeKind`).
RESULT_KIND: Final = "result"
#: The department of a result registered before any department was assigned.
UNKNOWN_DEPARTMENT: Final = "unknown"
#: The verdicts of a remedy against the standard, as the counts name them.
VERDICTS: Final = ("below", "at", "above", "no_standard")
MISMATCH: Final = "cannot merge notice figures with different settings: {mine} vs {theirs}"
BAD_WINDOW: Final = "the window's start {start} must be before its end {end}"
BAD_TARGET: Final = "the notify target must be a positive duration, got {value!r}"
_SEC: Final = timedelta(seconds=1)

# The integer slots of one channel's / kind's state.
_REQUESTED, _DELIVERED, _GIVEN_UP, _FAILED, _RETRIED = range(5)
# The integer slots of the notify state.
_RESULTS, _NOTIFIED, _WITHIN, _JUDGED = range(4)
# The integer slots of one department's remedy-standard state: the VERDICTS, then unchecked.
_UNCHECKED = len(VERDICTS)


@attrs.frozen
class NoticeCounts:
    """Notices requested in the window and what had become of them by its end.

    ``requested == delivered + given_up + pending``: *pending* were neither delivered nor given
    up by the window's end. ``failed_attempts`` counts the failed delivery attempts reported for
    them (retried or not); ``retried`` the notices with at least one failed attempt before they
    were delivered or given up.
    """

    requested: int = 0
    delivered: int = 0
    given_up: int = 0
    pending: int = 0
    failed_attempts: int = 0
    retried: int = 0

    @property
    def delivery(self) -> Rate:
        """Delivered out of the notices whose fate is known (delivered or given up)."""
        return Rate(self.delivered, self.delivered + self.given_up)


@attrs.frozen
class NotifyTimes:
    """The notify SLA: from a result's registration to the delivery of its result notice.

    ``time`` summarises the ``notified`` results' times (seconds); ``within`` counts those
    delivered within ``target`` seconds out of the results whose outcome is known.
    """

    target: int
    results: int
    notified: int
    time: Summary
    within: Rate

    @property
    def not_notified(self) -> int:
        """Results registered in the window whose notice was not delivered by its end."""
        return self.results - self.notified


@attrs.frozen
class StandardCounts:
    """Results by their remedy's verdict against the standard; ``unchecked`` had no check."""

    below: int = 0
    at: int = 0
    above: int = 0
    no_standard: int = 0
    unchecked: int = 0

    @property
    def checked(self) -> int:
        """Results whose remedy was compared with a standard that applies."""
        return self.below + self.at + self.above

    @property
    def below_share(self) -> Rate:
        """Below the standard, of the checked."""
        return Rate(self.below, self.checked)

    @property
    def at_share(self) -> Rate:
        """At the standard, of the checked."""
        return Rate(self.at, self.checked)

    @property
    def above_share(self) -> Rate:
        """Above the standard, of the checked."""
        return Rate(self.above, self.checked)

    @property
    def results(self) -> int:
        """Every result counted."""
        return self.checked + self.no_standard + self.unchecked


@attrs.frozen
class NoticeFigures:
    """The figures of a :class:`NoticeAccumulator` (keys sorted; ``total`` sums every channel)."""

    start: datetime | None
    end: datetime | None
    total: NoticeCounts
    by_channel: Mapping[str, NoticeCounts]
    by_kind: Mapping[str, NoticeCounts]
    notify: NotifyTimes
    standards: StandardCounts
    standards_by_department: Mapping[str, StandardCounts]

    @property
    def empty(self) -> bool:
        """Nothing was requested and no result was registered in the window."""
        return not self.total.requested and not self.standards.results


def _add(mine: dict[str, list[int]], theirs: Mapping[str, list[int]]) -> None:
    for key, counts in theirs.items():
        have = mine.get(key)
        if have is None:
            mine[key] = list(counts)
        else:
            for i, c in enumerate(counts):
                have[i] += c


def _total(groups: Mapping[str, list[int]], size: int) -> list[int]:
    out = [0] * size
    for counts in groups.values():
        for i, c in enumerate(counts):
            out[i] += c
    return out


@attrs.define
class _Notice:
    """One notice of the history being read."""

    channel: str
    kind: str
    counted: bool  # requested in the window
    result: int | None  # index of the result (in this history) it tells, for result notices
    failures: int = 0
    done: bool = False


class NoticeAccumulator:
    """Notice and remedy-standard figures from complaint histories (see the module docstring).

    Args:
        start, end: the window (aware; None leaves that side open).
        target: the notify SLA's target (default :data:`NOTIFY_TARGET`).
        resolution: the bin width of the notify-time histogram (default one minute).

    ``update`` takes one complaint's events in order.
    """

    def __init__(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        target: timedelta = NOTIFY_TARGET,
        resolution: timedelta | int = timedelta(minutes=1),
    ) -> None:
        self.start = require_aware(start, "start") if start is not None else None
        self.end = require_aware(end, "end") if end is not None else None
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise InvalidInput(BAD_WINDOW.format(start=self.start, end=self.end))
        if not isinstance(target, timedelta) or target <= timedelta(0):
            raise InvalidInput(BAD_TARGET.format(value=target))
        self.target = target
        self.resolution = check_resolution(resolution)
        self._channels: dict[str, list[int]] = {}
        self._kinds: dict[str, list[int]] = {}
        self._notify = [0, 0, 0, 0]
        self._times = Durations(self.resolution)
        self._departments: dict[str, list[int]] = {}

    def _settings(self) -> tuple[Any, ...]:
        return (self.start, self.end, self.target, self.resolution)

    def _in(self, at: datetime) -> bool:
        return self.start is None or at >= self.start

    def update(self, history: Iterable[DomainEvent]) -> None:
        """Fold one complaint's history (its events in order) in."""
        end = self.end
        department: str | None = None
        notices: dict[str, _Notice] = {}
        results: list[datetime] = []  # registrations in the window, in order
        delivered: list[datetime | None] = []
        latest: int | None = None  # the result a result notice requested now would tell
        channels, kinds = self._channels, self._kinds
        for e in history:
            if end is not None and e.at >= end:
                continue
            if isinstance(e, NotificationRequested):
                kind = e.template
                channel = e.channel.value
                counted = self._in(e.at)
                tells = latest if kind == RESULT_KIND else None
                notices[e.notification_id] = _Notice(channel, kind, counted, tells)
                if counted:
                    for groups, key in ((channels, channel), (kinds, kind)):
                        counts = groups.get(key)
                        if counts is None:
                            counts = groups[key] = [0, 0, 0, 0, 0]
                        counts[_REQUESTED] += 1
            elif isinstance(e, NotificationDelivered | NotificationFailed):
                notice = notices.get(e.notification_id)
                if notice is None or notice.done:
                    continue  # requested before the history read, or already settled
                slot: int | None = None
                if isinstance(e, NotificationDelivered):
                    notice.done = True
                    slot = _DELIVERED
                    if notice.result is not None and delivered[notice.result] is None:
                        delivered[notice.result] = e.at
                else:
                    notice.failures += 1
                    if e.gave_up:
                        notice.done = True
                        slot = _GIVEN_UP
                if notice.counted:
                    for groups, key in ((channels, notice.channel), (kinds, notice.kind)):
                        counts = groups[key]
                        if isinstance(e, NotificationFailed):
                            counts[_FAILED] += 1
                        if slot is not None:
                            counts[slot] += 1
                            if notice.failures and (slot == _DELIVERED or notice.failures > 1):
                                counts[_RETRIED] += 1
            elif isinstance(e, ResultRegistered):
                latest = None
                if self._in(e.at):
                    latest = len(results)
                    results.append(e.at)
                    delivered.append(None)
                    self._standard(department, _verdict(e))
            elif isinstance(e, DepartmentAssigned):
                department = e.department
            elif isinstance(e, Transferred):
                department = e.to_department
        self._settle(results, delivered)

    def _standard(self, department: str | None, verdict: str | None) -> None:
        key = department or UNKNOWN_DEPARTMENT
        counts = self._departments.get(key)
        if counts is None:
            counts = self._departments[key] = [0] * (len(VERDICTS) + 1)
        counts[VERDICTS.index(verdict) if verdict is not None else _UNCHECKED] += 1

    def _settle(self, results: list[datetime], delivered: list[datetime | None]) -> None:
        notify, target, end = self._notify, self.target, self.end
        for registered, told in zip(results, delivered, strict=True):
            notify[_RESULTS] += 1
            if told is not None:
                took = max(told - registered, timedelta(0))
                notify[_NOTIFIED] += 1
                notify[_JUDGED] += 1
                self._times.add(took // _SEC)
                if took <= target:
                    notify[_WITHIN] += 1
            elif end is not None and end - registered > target:
                notify[_JUDGED] += 1

    def merge(self, other: Self) -> Self:
        """A new accumulator holding both inputs (settings must agree); neither changes."""
        if other._settings() != self._settings():
            raise InvalidInput(MISMATCH.format(mine=self._settings(), theirs=other._settings()))
        out = type(self)(self.start, self.end, target=self.target, resolution=self.resolution)
        for mine, a, b in (
            (out._channels, self._channels, other._channels),
            (out._kinds, self._kinds, other._kinds),
            (out._departments, self._departments, other._departments),
        ):
            _add(mine, a)
            _add(mine, b)
        out._notify = [x + y for x, y in zip(self._notify, other._notify, strict=True)]
        out._times = self._times.merged(other._times)
        return out

    def result(self) -> NoticeFigures:
        """The figures so far (the accumulator stays usable)."""

        def counts(c: list[int]) -> NoticeCounts:
            pending = c[_REQUESTED] - c[_DELIVERED] - c[_GIVEN_UP]
            return NoticeCounts(c[0], c[1], c[2], pending, c[_FAILED], c[_RETRIED])

        def standards(c: list[int]) -> StandardCounts:
            return StandardCounts(*c)

        n = self._notify
        return NoticeFigures(
            start=self.start,
            end=self.end,
            total=counts(_total(self._channels, 5)),
            by_channel={k: counts(v) for k, v in sorted(self._channels.items())},
            by_kind={k: counts(v) for k, v in sorted(self._kinds.items())},
            notify=NotifyTimes(
                target=self.target // _SEC,
                results=n[_RESULTS],
                notified=n[_NOTIFIED],
                time=self._times.summary(),
                within=Rate(n[_WITHIN], n[_JUDGED]),
            ),
            standards=standards(_total(self._departments, len(VERDICTS) + 1)),
            standards_by_department={k: standards(v) for k, v in sorted(self._departments.items())},
        )

    def state(self) -> tuple[Any, ...]:
        """A plain, comparable snapshot of the state (for tests)."""
        t = self._times
        return (
            self._settings(),
            {k: tuple(v) for k, v in sorted(self._channels.items())},
            {k: tuple(v) for k, v in sorted(self._kinds.items())},
            tuple(self._notify),
            (t.n, t.total, t.counts()),
            {k: tuple(v) for k, v in sorted(self._departments.items())},
        )

    def __repr__(self) -> str:
        return (
            f"NoticeAccumulator(start={self.start}, end={self.end}, "
            f"channels={len(self._channels)}, departments={len(self._departments)})"
        )


def _verdict(event: ResultRegistered) -> str | None:
    """The verdict recorded on a result's registration, or None when no check was made."""
    standard = event.standard
    return None if standard is None else standard.verdict


#: The event classes a :class:`NoticeAccumulator` reads.
READS: Final = (
    NotificationRequested,
    NotificationDelivered,
    NotificationFailed,
    ResultRegistered,
    DepartmentAssigned,
    Transferred,
)


def notice_history(events: Iterable[DomainEvent]) -> tuple[DomainEvent, ...]:
    """The events of a history that the notice figures read (:data:`READS`), in order: what
    to keep of each complaint when histories are held for a later pass."""
    return tuple(e for e in events if isinstance(e, READS))


def histories(store: StoreLike, **filters: Any) -> Iterable[tuple[DomainEvent, ...]]:
    """The :func:`notice_history` of every complaint ``store.query(**filters)`` returns."""
    for complaint in store.query(**filters):
        yield notice_history(store.events(complaint.id))


def notice_figures(
    store: StoreLike,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    target: timedelta = NOTIFY_TARGET,
    **filters: Any,
) -> NoticeFigures:
    """The notice figures of every complaint in ``store`` (one pass; see the module docstring)."""
    acc = NoticeAccumulator(start, end, target=target)
    return accumulate(acc, histories(store, **filters)).result()
