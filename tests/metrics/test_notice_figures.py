"""Notice figures (:mod:`ccms.metrics.notices`): hand-built histories pin every figure, and any
split of the histories, merged in any order, equals one pass."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ccms.errors import InvalidInput
from ccms.metrics import accumulate, merge_all
from ccms.metrics.notices import (
    NOTIFY_TARGET,
    UNKNOWN_DEPARTMENT,
    NoticeAccumulator,
    NoticeCounts,
    StandardCounts,
    notice_figures,
    notice_history,
)
from ccms.model import (
    Actor,
    AppliedStandard,
    ComplaintReceived,
    Concern,
    CustomerRef,
    DepartmentAssigned,
    DomainEvent,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    Result,
    ResultRegistered,
    Transferred,
)

T0 = datetime(2026, 10, 1, 9, tzinfo=UTC)
H = timedelta(hours=1)


class History:
    """A complaint's events, built step by step (versions and ids follow)."""

    def __init__(self, cid: str = "C-1") -> None:
        self.cid = cid
        self.events: list[DomainEvent] = []
        self.notices = 0

    def _head(self, at: datetime) -> dict[str, Any]:
        return {"complaint_id": self.cid, "version": len(self.events) + 1, "at": at,
                    "actor": Actor.system()}  # fmt: skip

    def receive(self, at: datetime) -> History:
        self.events.append(ComplaintReceived(**self._head(at), stage="received", received_at=at,
                                             channel="web", customer=CustomerRef(id="K-1"),
                                             concerns=(Concern(kind="complaint", text="x"),)))  # fmt: skip
        return self

    def request(self, at: datetime, template: str = "receipt", channel: str = "sms") -> str:
        self.notices += 1
        nid = f"{self.cid}/N{self.notices}"
        self.events.append(NotificationRequested(**self._head(at), notification_id=nid,
                                                 template=template, cause="test",
                                                 language="ko", channel=channel,
                                                 recipient="K-1", subject="s", body="b"))  # fmt: skip
        return nid

    def deliver(self, at: datetime, nid: str, attempt: int = 1) -> History:
        self.events.append(NotificationDelivered(**self._head(at), notification_id=nid,
                                                 attempt=attempt))  # fmt: skip
        return self

    def fail(self, at: datetime, nid: str, attempt: int = 1, *, give_up: bool = False) -> History:
        retry = None if give_up else at + timedelta(minutes=10)
        self.events.append(NotificationFailed(**self._head(at), notification_id=nid,
                                              attempt=attempt, reason="busy", gave_up=give_up,
                                              retry_at=retry))  # fmt: skip
        return self

    def department(self, at: datetime, name: str) -> History:
        self.events.append(DepartmentAssigned(**self._head(at), department=name))
        return self

    def transfer(self, at: datetime, to: str) -> History:
        self.events.append(Transferred(**self._head(at), from_department=None, to_department=to))
        return self

    def result(self, at: datetime, verdict: str | None = None) -> History:
        standard = None
        if verdict is not None:
            below = verdict == "below"
            standard = AppliedStandard(table="example", version="2026-01", verdict=verdict,
                                       rule="" if verdict == "no_standard" else "within 10 days",
                                       supervisor="sv-park" if below else None,
                                       reason="customer agreed" if below else "")  # fmt: skip
        self.events.append(ResultRegistered(**self._head(at), result=Result(remedy="repair"),
                                            standard=standard))  # fmt: skip
        return self


def test_delivery_per_channel_and_kind() -> None:
    h = History().receive(T0)
    receipt = h.request(T0)  # sms: fails once, then delivered
    h.fail(T0 + timedelta(minutes=1), receipt)
    h.deliver(T0 + timedelta(minutes=12), receipt, attempt=2)
    told = h.request(T0 + 2 * H, "assignment", "email")  # email: delivered first time
    h.deliver(T0 + 3 * H, told)
    result = h.request(T0 + 4 * H, "result", "sms")  # sms: given up on the second failure
    h.fail(T0 + 5 * H, result)
    h.fail(T0 + 6 * H, result, attempt=2, give_up=True)
    h.request(T0 + 7 * H, "closing", "email")  # email: pending
    f = accumulate(NoticeAccumulator(), [h.events]).result()
    assert f.by_channel == {
        "email": NoticeCounts(requested=2, delivered=1, given_up=0, pending=1),
        "sms": NoticeCounts(requested=2, delivered=1, given_up=1, pending=0, failed_attempts=3,
                            retried=2),
    }  # fmt: skip
    assert f.total == NoticeCounts(4, 2, 1, 1, 3, 2)
    assert list(f.by_kind) == ["assignment", "closing", "receipt", "result"]
    assert f.by_kind["result"] == NoticeCounts(1, 0, 1, 0, 2, 1)
    assert f.by_kind["receipt"] == NoticeCounts(1, 1, 0, 0, 1, 1)
    assert f.total.delivery.successes == 2
    assert f.total.delivery.n == 3
    assert not f.empty


def test_given_up_at_the_first_attempt_is_not_a_retry() -> None:
    h = History().receive(T0)
    nid = h.request(T0)
    h.fail(T0 + H, nid, give_up=True)
    c = accumulate(NoticeAccumulator(), [h.events]).result().total
    assert (c.given_up, c.retried, c.failed_attempts) == (1, 0, 1)


def test_a_report_after_the_notice_is_settled_is_not_counted_again() -> None:
    h = History().receive(T0)
    nid = h.request(T0)
    h.deliver(T0 + H, nid)
    h.deliver(T0 + 2 * H, nid, attempt=2)  # a duplicate report of the host's sender
    h.fail(T0 + 3 * H, nid, give_up=True)
    c = accumulate(NoticeAccumulator(), [h.events]).result().total
    assert c == NoticeCounts(requested=1, delivered=1, given_up=0, pending=0)


def test_the_window_counts_notices_requested_in_it_as_of_its_end() -> None:
    start, end = T0 + 10 * H, T0 + 20 * H
    h = History().receive(T0)
    before = h.request(T0 + H)  # requested before the window: not counted ...
    h.deliver(T0 + 11 * H, before)  # ... even when delivered in it
    inside = h.request(T0 + 12 * H)
    h.deliver(T0 + 21 * H, inside)  # delivered after the end: pending at the end
    failing = h.request(T0 + 13 * H, channel="email")
    h.fail(T0 + 14 * H, failing)
    h.fail(end, failing, attempt=2, give_up=True)  # at the end: not read
    h.request(end, channel="chat")  # requested at the end: outside
    f = accumulate(NoticeAccumulator(start, end), [h.events]).result()
    assert f.by_channel == {
        "sms": NoticeCounts(requested=1, delivered=0, given_up=0, pending=1),
        "email": NoticeCounts(requested=1, delivered=0, given_up=0, pending=1, failed_attempts=1),
    }  # fmt: skip
    assert (f.start, f.end) == (start, end)
    everything = accumulate(NoticeAccumulator(), [h.events]).result()
    assert everything.total == NoticeCounts(4, 2, 1, 1, 2, 1)


def test_the_notify_time_from_result_to_delivered_result_notice() -> None:
    end = T0 + 10 * 24 * H
    quick = History("C-1").receive(T0).result(T0 + H)
    n = quick.request(T0 + H, "result", "sms")
    quick.fail(T0 + 2 * H, n)
    quick.deliver(T0 + 3 * H, n, attempt=2)  # 2 hours after the result
    slow = History("C-2").receive(T0).result(T0 + H)
    n = slow.request(T0 + H, "result", "email")
    slow.deliver(T0 + 31 * H, n)  # 30 hours: outside a day
    lost = History("C-3").receive(T0).result(T0 + H)
    n = lost.request(T0 + H, "result", "sms")
    lost.fail(T0 + 2 * H, n, give_up=True)  # never told, and the day has passed: judged
    recent = History("C-4").receive(T0).result(end - 2 * H)
    recent.request(end - 2 * H, "result", "sms")  # not told yet, within the day: not judged
    other = History("C-5").receive(T0).result(T0 + H)
    n = other.request(T0 + H, "receipt", "sms")  # not a result notice: does not tell the result
    other.deliver(T0 + 2 * H, n)
    histories = [h.events for h in (quick, slow, lost, recent, other)]
    notify = accumulate(NoticeAccumulator(end=end), histories).result().notify
    assert notify.target == NOTIFY_TARGET // timedelta(seconds=1) == 86_400
    assert (notify.results, notify.notified, notify.not_notified) == (5, 2, 3)
    assert (notify.time.n, notify.time.median, notify.time.p90) == (2, 7200, 108_000)
    assert (notify.within.successes, notify.within.n) == (1, 4)
    narrow = NoticeAccumulator(end=end, target=timedelta(hours=1))
    assert accumulate(narrow, histories).result().notify.within.successes == 0


def test_a_result_notice_tells_the_latest_result_before_it() -> None:
    h = History().receive(T0).result(T0 + H)
    first = h.request(T0 + H, "result")
    h.deliver(T0 + 2 * H, first)  # the first result: told after 1 hour
    h.result(T0 + 10 * H)  # reopened and registered again
    h.deliver(T0 + 11 * H, h.request(T0 + 10 * H, "result", "email"))  # told after 1 hour
    h.result(T0 + 20 * H)  # the third result is never told
    notify = accumulate(NoticeAccumulator(end=T0 + 100 * H), [h.events]).result().notify
    assert (notify.results, notify.notified, notify.time.total) == (3, 2, 7200)
    assert (notify.within.successes, notify.within.n) == (2, 3)


def test_a_result_notice_requested_again_counts_its_first_delivery() -> None:
    h = History().receive(T0).result(T0)
    sms = h.request(T0, "result", "sms")
    h.fail(T0 + H, sms, give_up=True)
    phone = h.request(T0 + 2 * H, "result", "phone")  # the handler tells by phone instead
    h.deliver(T0 + 3 * H, phone)
    notify = accumulate(NoticeAccumulator(), [h.events]).result().notify
    assert (notify.notified, notify.time.total) == (1, 3 * 3600)


def test_results_before_the_window_are_not_counted_nor_told() -> None:
    start = T0 + 10 * H
    h = History().receive(T0).result(T0 + H, "below")
    h.deliver(T0 + 11 * H, h.request(T0 + 11 * H, "result"))  # told in the window, result before
    f = accumulate(NoticeAccumulator(start), [h.events]).result()
    assert (f.notify.results, f.notify.notified, f.standards.results) == (0, 0, 0)
    assert f.total.delivered == 1


def test_remedy_standards_per_department() -> None:
    a = History("C-1").receive(T0).result(T0 + H, "at")  # before any department: unknown
    a.department(T0 + 2 * H, "qa").result(T0 + 3 * H, "below")  # reopened, in qa: below
    b = History("C-2").receive(T0).department(T0, "qa").result(T0 + H, "above")
    c = History("C-3").receive(T0).department(T0, "cs").transfer(T0 + H, "md")
    c.result(T0 + 2 * H, "at")
    d = History("C-4").receive(T0).department(T0, "md").result(T0 + H, "no_standard")
    e = History("C-5").receive(T0).department(T0, "md").result(T0 + H)  # no check at all
    f = accumulate(NoticeAccumulator(), [h.events for h in (a, b, c, d, e)]).result()
    assert f.standards_by_department == {
        "md": StandardCounts(at=1, no_standard=1, unchecked=1),
        "qa": StandardCounts(below=1, above=1),
        UNKNOWN_DEPARTMENT: StandardCounts(at=1),
    }
    s = f.standards
    assert s == StandardCounts(below=1, at=2, above=1, no_standard=1, unchecked=1)
    assert (s.checked, s.results) == (4, 6)
    assert (s.below_share.value, s.at_share.value, s.above_share.value) == (0.25, 0.5, 0.25)
    assert f.notify.results == 6


def test_nothing_sent_is_empty() -> None:
    f = accumulate(NoticeAccumulator(), [History().receive(T0).events, []]).result()
    assert f.empty
    assert f.total == NoticeCounts()
    assert f.by_channel == {}
    assert f.notify.time.n == 0
    assert f.notify.within.value is None
    assert f.standards.below_share.value is None


def test_bad_settings_are_refused() -> None:
    with pytest.raises(InvalidInput, match="before its end"):
        NoticeAccumulator(T0, T0)
    with pytest.raises(InvalidInput, match="positive duration"):
        NoticeAccumulator(target=timedelta(0))
    with pytest.raises(InvalidInput):
        NoticeAccumulator(datetime(2026, 10, 1))  # naive
    with pytest.raises(InvalidInput, match="different settings"):
        NoticeAccumulator(T0).merge(NoticeAccumulator())


def test_store_helpers_read_every_history() -> None:
    h = History().receive(T0).department(T0, "qa").result(T0 + H, "at")
    h.deliver(T0 + 2 * H, h.request(T0 + H, "result"))
    kept = notice_history(h.events)
    assert [type(e).__name__ for e in kept] == [
        "DepartmentAssigned", "ResultRegistered", "NotificationRequested",
        "NotificationDelivered",
    ]  # fmt: skip

    class Store:
        def query(self, **filters: Any) -> list[Any]:
            return [type("C", (), {"id": "C-1"})()]

        def events(self, complaint_id: str) -> list[DomainEvent]:
            return h.events

    f = notice_figures(Store())
    assert f == accumulate(NoticeAccumulator(), [h.events]).result()
    assert (f.total.delivered, f.standards.at, f.notify.notified) == (1, 1, 1)


# ------------------------------------------------------------------------- merge property

_TEMPLATES = ("receipt", "result", "closing")
_CHANNELS = ("sms", "email", "phone")
_VERDICTS = (None, "below", "at", "above", "no_standard")
_step = st.one_of(
    st.tuples(st.just("request"), st.sampled_from(_TEMPLATES), st.sampled_from(_CHANNELS)),
    st.tuples(st.just("deliver"), st.integers(0, 5)),
    st.tuples(st.just("fail"), st.integers(0, 5), st.booleans()),
    st.tuples(st.just("result"), st.sampled_from(_VERDICTS)),
    st.tuples(st.just("department"), st.sampled_from(("qa", "md", "cs"))),
    st.tuples(st.just("transfer"), st.sampled_from(("qa", "md"))),
)


@st.composite
def _history(draw: st.DrawFn, n: int) -> list[DomainEvent]:
    h = History(f"C-{n}")
    t = T0 + timedelta(minutes=draw(st.integers(0, 3000)))
    h.receive(t)
    ids: list[str] = []
    for step in draw(st.lists(_step, max_size=12)):
        t += timedelta(minutes=draw(st.integers(0, 1800)))
        if step[0] == "request":
            ids.append(h.request(t, step[1], step[2]))
        elif step[0] in ("deliver", "fail") and ids:
            nid = ids[step[1] % len(ids)]
            h.deliver(t, nid) if step[0] == "deliver" else h.fail(t, nid, give_up=step[2])
        elif step[0] == "result":
            h.result(t, step[1])
        elif step[0] == "department":
            h.department(t, step[1])
        elif step[0] == "transfer":
            h.transfer(t, step[1])
    return h.events


_histories = st.integers(0, 8).flatmap(lambda k: st.tuples(*(_history(i) for i in range(k))))
_windows = st.sampled_from([(None, None), (T0 + 20 * H, None), (None, T0 + 40 * H),
                            (T0 + 10 * H, T0 + 60 * H)])  # fmt: skip


def _make(window: tuple[datetime | None, datetime | None], target: int) -> NoticeAccumulator:
    return NoticeAccumulator(*window, target=timedelta(hours=target))


@given(_histories, _windows, st.sampled_from([1, 24]), st.integers(1, 4), st.randoms())
@example((), (None, None), 24, 1, random.Random(0))
def test_merging_partitions_equals_one_pass(
    histories: tuple[list[DomainEvent], ...],
    window: tuple[datetime | None, datetime | None],
    target: int,
    parts: int,
    rnd: random.Random,
) -> None:
    whole = accumulate(_make(window, target), histories)
    split: list[list[list[DomainEvent]]] = [[] for _ in range(parts)]
    for h in histories:
        split[rnd.randrange(parts)].append(h)
    accs = [accumulate(_make(window, target), p) for p in split]
    before = {id(a): a.state() for a in accs}
    rnd.shuffle(accs)
    merged = merge_all(accs)
    assert merged.state() == whole.state()
    assert merged.result() == whole.result()
    assert all(a.state() == before[id(a)] for a in accs)  # operands unchanged
    a, b, c = (accumulate(_make(window, target), p) for p in ([*split, [], []])[:3])
    assert a.merge(b).state() == b.merge(a).state()
    assert a.merge(b).merge(c).state() == a.merge(b.merge(c)).state()
    assert a.merge(_make(window, target)).state() == a.state()
    f = whole.result()
    for counts in (f.total, *f.by_channel.values(), *f.by_kind.values()):
        assert counts.delivered + counts.given_up + counts.pending == counts.requested
        assert min(counts.delivered, counts.given_up, counts.pending) >= 0
        assert counts.retried <= counts.delivered + counts.given_up
    assert f.notify.notified == f.notify.time.n <= f.notify.within.n <= f.notify.results
    assert sum(s.results for s in f.standards_by_department.values()) == f.notify.results


def test_an_accumulator_pickles_with_its_state() -> None:
    import pickle

    h = History().receive(T0).department(T0, "qa").result(T0 + H, "below")
    h.deliver(T0 + 2 * H, h.request(T0 + H, "result"))
    acc = accumulate(NoticeAccumulator(end=T0 + 100 * H), [h.events])
    back = pickle.loads(pickle.dumps(acc))
    assert back.state() == acc.state()
    assert back.merge(acc).result().total.requested == 2
