"""Responsibility-improvement tasks: verification from data, owner scores, CC Cards, the subscriber."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.desk import Desk, ManualClock
from ccms.errors import InvalidInput, InvalidTransition, NotPermitted
from ccms.model import Actor, Complaint, Concern, CustomerRef
from ccms.policy import BusinessCalendar, EarlyWarning
from ccms.scoring import (
    CcCardCloser,
    ImprovementBoard,
    UnknownItem,
    rate_reduction_test,
)
from ccms.store import InMemoryStore

SEOUL = ZoneInfo("Asia/Seoul")
T0 = datetime(2026, 3, 2, 9, tzinfo=SEOUL)
LEAD = Actor(id="choi", role="supervisor")


def complaint(cid: str, code: str, at: datetime, stage: str = "closed") -> Complaint:
    return Complaint(
        id=cid,
        version=2,
        received_at=at,
        updated_at=at,
        channel="phone",
        customer=CustomerRef(id="u"),
        concerns=(Concern(kind="complaint", text="x", code=code),),
        stage=stage,
    )


def spread(code: str, n: int, start: datetime, days: int, prefix: str) -> list[Complaint]:
    """``n`` complaints of ``code`` spread evenly over ``days`` from ``start``."""
    step = timedelta(days=days) / max(n, 1)
    return [complaint(f"{prefix}{i}", code, start + step * i) for i in range(n)]


def done_task(board: ImprovementBoard, **kw: object) -> str:
    task = board.open_task(
        title="handles",
        source="repeat_code",
        codes=["PRD.DEF"],
        department="rnd",
        executive="exec-park",
        now=T0,
        **kw,  # type: ignore[arg-type]
    )
    board.start(task.id, now=T0)
    board.complete(task.id, now=T0 + timedelta(days=10))
    return task.id


# -- the test ----------------------------------------------------------------------------------


def test_rate_test_by_hand() -> None:
    # 20 complaints before, 6 after, equal exposure: P(X <= 6), X ~ Bin(26, 1/2)
    by_hand = sum(math.comb(26, i) for i in range(7)) / 2**26
    assert sum(math.comb(26, i) for i in range(7)) == 313_912
    assert rate_reduction_test(20, 30, 6, 30) == pytest.approx(by_hand, rel=1e-12)
    # a 30% target: p0 = 0.7 * 30 / (30 + 0.7 * 30) = 21/51
    p0 = Fraction(21, 51)
    exact = sum(math.comb(26, i) * p0**i * (1 - p0) ** (26 - i) for i in range(7))
    assert rate_reduction_test(20, 30, 6, 30, 0.3) == pytest.approx(float(exact), rel=1e-12)


@given(
    st.integers(0, 200),
    st.integers(0, 200),
    st.floats(0.5, 100),
    st.floats(0.5, 100),
    st.floats(0, 0.9),
)
def test_rate_test_is_a_probability_monotone_in_the_after_count(
    kb: int, ka: int, eb: float, ea: float, r: float
) -> None:
    p = rate_reduction_test(kb, eb, ka, ea, r)
    assert 0 <= p <= 1
    assert rate_reduction_test(kb, eb, ka + 1, ea, r) >= p - 1e-12  # more after: weaker evidence
    assert rate_reduction_test(kb, eb, ka, ea, 0) <= p + 1e-12  # a bigger target is harder


@pytest.mark.parametrize("bad", [(-1, 1, 0, 1, 0), (1, 0, 1, 1, 0), (1, 1, 1, 1, 1.0)])
def test_rate_test_rejects_bad_arguments(bad: tuple[int, float, int, float, float]) -> None:
    with pytest.raises(InvalidInput):
        rate_reduction_test(*bad)


# -- verification --------------------------------------------------------------------------------


def test_verified_from_data_when_the_rate_drops() -> None:
    board = ImprovementBoard(target_reduction=0.3)
    tid = done_task(board)
    task = board.get(tid)
    window = timedelta(days=30)
    data = (
        spread("PRD.DEF.HANDLE", 20, task.created_at - window, 30, "b")
        + spread("PRD.DEF.ELEC", 6, task.done_at, 30, "a")  # type: ignore[arg-type]
        + spread("DLV.LATE", 50, task.created_at - window, 70, "x")  # other codes do not count
        + [complaint("r1", "PRD.DEF", task.done_at, stage="rejected")]  # type: ignore[arg-type]
    )
    with pytest.raises(InvalidInput, match="after-window ends"):
        board.verify(tid, data, now=task.done_at + timedelta(days=29))  # type: ignore[operator]
    done = board.verify(tid, data, now=task.done_at + window)  # type: ignore[operator]
    assert done.stage == "verified"
    assert done.effect is not None
    assert (done.effect.count_before, done.effect.count_after) == (20, 6)
    assert done.effect.p_value == pytest.approx(0.04363, abs=1e-5)
    assert done.effect.reduction == pytest.approx(0.7)


def test_not_effective_goes_back_to_work_and_verification_is_not_by_hand() -> None:
    board = ImprovementBoard()
    tid = done_task(board)
    task = board.get(tid)
    window = timedelta(days=30)
    data = spread("PRD.DEF", 10, task.created_at - window, 30, "b") + spread(
        "PRD.DEF",
        9,
        task.done_at,
        30,
        "a",  # type: ignore[arg-type]
    )
    back = board.verify(tid, data, now=task.done_at + window)  # type: ignore[operator]
    assert back.stage == "in_progress"
    assert back.effect is not None
    assert not back.effect.verified
    with pytest.raises(InvalidTransition, match="cannot fire 'verify'"):
        board.verify(tid, data, now=back.updated_at)
    again = board.complete(tid, now=back.updated_at)
    # no person can set "verified": only the measured effect does
    with pytest.raises(NotPermitted, match="improvement task IMP-1 in stage 'done'"):
        board._fire(tid, "verify", actor=LEAD, at=again.updated_at)


def test_due_dates_count_working_days_of_the_calendar() -> None:
    calendar = BusinessCalendar("Asia/Seoul", {"mon-fri": [("09:00", "18:00")]}, holidays="KR")
    board = ImprovementBoard(calendar=calendar, due_in_days=5)
    # Mon 2 March 2026 + 5 working days = Mon 9 March
    assert board.due_from(T0) == datetime(2026, 3, 9, 9, tzinfo=SEOUL)
    # Fri 27 Feb + 1 working day: Sat, Sun and the substitute holiday on Mon 2 March are skipped
    one = ImprovementBoard(calendar=calendar, due_in_days=1)
    assert one.due_from(datetime(2026, 2, 27, 9, tzinfo=SEOUL)) == datetime(
        2026, 3, 3, 9, tzinfo=SEOUL
    )


def test_owner_score_by_hand() -> None:
    board = ImprovementBoard(report_every=timedelta(days=14))
    window = timedelta(days=30)
    # A: done on day 10 (due day 30), verified, reports in both 14-day periods of its 28 days
    a = board.open_task(
        title="A",
        source="analyst",
        codes=["X"],
        department="rnd",
        now=T0,
        due_at=T0 + timedelta(days=30),
    )
    board.report(a.id, "plan agreed", now=T0 + timedelta(days=1), by="lee")
    board.report(a.id, "supplier changed", now=T0 + timedelta(days=15), by="lee")
    board.complete(a.id, now=T0 + timedelta(days=28))
    data = spread("X", 20, T0 - window, 30, "b")
    board.verify(a.id, data, now=T0 + timedelta(days=28) + window)
    # B: done late on day 40 (due day 30), not effective, one report in two periods (of 40 days)
    b = board.open_task(
        title="B",
        source="analyst",
        codes=["Y"],
        department="rnd",
        now=T0,
        due_at=T0 + timedelta(days=30),
    )
    board.report(b.id, "started", now=T0 + timedelta(days=2), by="lee")
    board.complete(b.id, now=T0 + timedelta(days=40))
    more = spread("Y", 5, T0 - window, 30, "c") + spread("Y", 5, T0 + timedelta(days=40), 30, "d")
    board.verify(b.id, more, now=T0 + timedelta(days=70))
    # C: another owner's task is not counted; a cancelled one neither
    board.open_task(title="C", source="analyst", codes=["Z"], department="cs", now=T0)
    score = board.score("rnd", now=T0 + timedelta(days=80))
    assert (score.tasks, score.on_time, score.effect, score.reports) == (2, (1, 2), (1, 2), (3, 4))
    assert score.score == pytest.approx(100 * (0.4 * 0.5 + 0.4 * 0.5 + 0.2 * 0.75))  # 55.0
    # B is back in progress after its effect fell short; C was never started: both past due
    assert [t.title for t in board.overdue(T0 + timedelta(days=80))] == ["B", "C"]
    assert board.score("nobody", now=T0).score is None


def test_unknown_task_and_time_going_back() -> None:
    board = ImprovementBoard()
    with pytest.raises(UnknownItem, match="no improvement task 'IMP-9'"):
        board.get("IMP-9")
    tid = done_task(board)
    with pytest.raises(InvalidInput, match="must not go back in time"):
        board.cancel(tid, "x", now=T0, actor=LEAD)
    assert board.get(tid).stage == "done"
    with pytest.raises(NotPermitted):
        board.cancel(tid, "x", now=T0 + timedelta(days=11), actor=Actor(id="k", role="handler"))


# -- CC Cards and the subscriber -----------------------------------------------------------------


def test_cc_card_closes_only_when_its_task_is_verified() -> None:
    clock = ManualClock(T0)
    board = ImprovementBoard(owners={"PRD": ("rnd", "exec-park")})
    desk = Desk(InMemoryStore(), clock=clock, sweepers=[EarlyWarning(), CcCardCloser(board)])
    desk.subscribe(board)
    c = desk.receive(
        channel="phone",
        customer=CustomerRef(id="u1"),
        concerns=[Concern(kind="complaint", text="충전 중 화재가 발생했습니다", code="PRD.SAF")],
    )
    assert c.cc_card == f"CC-{c.id}"
    (task,) = board.open_tasks()
    assert (task.source, task.codes, task.department, task.executive, task.complaints) == (
        "early_warning",
        ("PRD.SAF",),
        "rnd",
        "exec-park",
        (c.id,),
    )
    with pytest.raises(InvalidInput, match="closes only when its task is verified"):
        board.cc_card_closures(task.id, [c], now=T0)
    board.complete(task.id, now=T0 + timedelta(days=5))
    window = timedelta(days=30)
    history = spread("PRD.SAF", 12, T0 - window, 30, "old")
    clock.set(T0 + timedelta(days=40))
    assert board.verify(task.id, history, now=clock.now()).stage == "verified"
    (event,) = board.cc_card_closures(task.id, [desk.get(c.id)], now=clock.now())
    assert event.card_id == c.cc_card
    # the sweeper proposes the same on the complaint's next command
    after = desk.classify(c.id, ["PRD.SAF"])
    assert after.cc_card is None
    assert desk.history(c.id)[-1].type == "cc_card_closed"


def test_a_card_opened_before_classification_waits_for_the_code() -> None:
    board = ImprovementBoard()
    desk = Desk(InMemoryStore(), clock=ManualClock(T0), sweepers=[EarlyWarning()])
    desk.subscribe(board)
    first = desk.receive(
        channel="phone",
        customer=CustomerRef(id="u1"),
        concerns=[Concern(kind="complaint", text="충전 중 화재가 발생했습니다")],
    )
    second = desk.receive(
        channel="web",
        customer=CustomerRef(id="u2"),
        concerns=[Concern(kind="complaint", text="히터에서 불꽃, 화상을 입었어요")],
    )
    assert first.cc_card is not None
    assert second.cc_card is not None
    assert len(board) == 0
    desk.classify(first.id, ["PRD.SAF"])
    desk.classify(second.id, ["PRD.SAF"])
    (task,) = board
    assert (task.codes, task.complaints, task.version) == (("PRD.SAF",), (first.id, second.id), 2)
