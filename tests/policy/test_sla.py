"""Tests of ccms.policy.sla: pinned clocks with hand-computed numbers, and invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import ConfigError, NaiveDatetimeError, PolicyError, RegistryError
from ccms.model import (
    Actor,
    Classified,
    Complaint,
    ComplaintReceived,
    Concern,
    CustomerNotified,
    CustomerRef,
    DepartmentAssigned,
    DomainEvent,
    HandlerAssigned,
    HandlingStarted,
    Reopened,
    Responded,
    Result,
    ResultRegistered,
    Resumed,
    SlaApplied,
    SlaStatusChanged,
    Transferred,
    WaitingOnCustomer,
    fold,
)
from ccms.policy import BusinessCalendar, PolicyContext, default_registry
from ccms.policy.sla import (
    SlaClock,
    SlaPolicy,
    SlaTable,
    SlaTarget,
    cfpb_timely,
    evaluate_sla,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
H = timedelta(hours=1)
SYS = Actor.system()


class History:
    """Events of one complaint, folded as the default workflow would stamp them."""

    def __init__(self, severity: str = "medium", channel: str = "phone", t0: datetime = T0):
        self.t0 = t0
        self.events: list[DomainEvent] = [
            ComplaintReceived(
                complaint_id="c1",
                version=1,
                at=t0,
                actor=SYS,
                stage="received",
                received_at=t0,
                channel=channel,
                customer=CustomerRef(id="u1"),
                concerns=(Concern(kind="complaint", text="broken", severity=severity),),
            )
        ]

    def add(self, cls: type[DomainEvent], hours: float, **fields: Any) -> History:
        version = self.events[-1].version + 1
        self.events.append(
            cls(
                complaint_id="c1",
                version=version,
                at=self.t0 + hours * H,
                actor=SYS,
                **fields,
            )
        )
        return self

    def extend(self, new: list[DomainEvent]) -> None:
        self.events.extend(new)

    @property
    def complaint(self) -> Complaint:
        return fold(self.events)

    def ctx(self, hours: float) -> PolicyContext:
        return PolicyContext(complaint=self.complaint, events=self.events, now=self.t0 + hours * H)


def table(**targets: Any) -> SlaTable:
    return SlaTable(version="v1", rows=[{"targets": targets}])


def state(h: History, hours: float, tbl: SlaTable, name: str = "resolution", **kw: Any):  # type: ignore[no-untyped-def]
    return evaluate_sla(h.complaint, h.events, h.t0 + hours * H, tbl, **kw)[name]


# --------------------------------------------------------------------------- pinned examples


def test_pause_is_not_counted_and_moves_the_deadline() -> None:
    h = History().add(WaitingOnCustomer, 10, stage="waiting_on_customer")
    h.add(Resumed, 30, stage="in_progress")
    s = state(h, 40, table(resolution="48h"))
    assert s.status == "running"
    assert s.elapsed == 20 * H  # 10h before the pause + 10h after
    assert s.remaining == 28 * H
    assert s.paused == ((T0 + 10 * H, T0 + 30 * H),)
    assert s.paused_total == 20 * H
    assert s.due_at == T0 + 68 * H


def test_paused_clock_reports_paused_and_projects_due_from_now() -> None:
    h = History().add(WaitingOnCustomer, 10, stage="waiting_on_customer")
    s = state(h, 15, table(resolution="48h"))
    assert s.status == "paused"
    assert s.elapsed == 10 * H
    assert s.paused == ((T0 + 10 * H, None),)
    assert s.due_at == T0 + 15 * H + 38 * H


def test_straight_from_waiting_to_result_keeps_paused_time() -> None:
    h = History().add(WaitingOnCustomer, 2, stage="waiting_on_customer")
    h.add(ResultRegistered, 50, stage="result_registered", result=Result(remedy="refund"))
    s = state(h, 60, table(resolution="10h"))
    assert s.status == "met"  # 2h of clock time, 48h paused
    assert s.elapsed == 2 * H
    assert s.paused_total == 48 * H
    assert s.met_at == T0 + 50 * H


def test_first_response_stops_at_first_reply_and_is_never_overridden() -> None:
    h = History().add(Responded, 3, channel="phone").add(CustomerNotified, 30, channel="email")
    s = state(h, 40, table(first_response="4h"), "first_response")
    assert (s.status, s.met_at, s.elapsed) == ("met", T0 + 3 * H, 3 * H)


def test_at_risk_at_the_threshold_and_breach_strictly_after_due() -> None:
    tbl = table(resolution={"duration": "10h", "at_risk": 0.8})
    h = History()
    assert state(h, 7.99, tbl).status == "running"
    assert state(h, 8, tbl).status == "at_risk"
    assert state(h, 10, tbl).status == "at_risk"  # due at exactly 10h: still on time
    assert state(h, 10.001, tbl).status == "breached"


def test_breach_owner_is_who_held_the_complaint_when_the_deadline_passed() -> None:
    h = History().add(DepartmentAssigned, 0.5, stage="department_assigned", department="cs")
    h.add(HandlerAssigned, 1, stage="handler_assigned", handler="kim")
    h.add(Transferred, 5, stage="department_assigned", from_department="cs", to_department="qa")
    h.add(HandlerAssigned, 6, stage="handler_assigned", handler="lee")
    assert state(h, 9, table(resolution="4h")).owner == "kim"
    assert state(h, 9, table(resolution="5.5h")).owner == "qa"  # no handler at 5.5h
    assert state(h, 9, table(resolution="7h")).owner == "lee"


def test_business_time_on_a_seoul_calendar() -> None:
    seoul = ZoneInfo("Asia/Seoul")
    cal = BusinessCalendar(
        "Asia/Seoul", {"mon-fri": [("09:00", "12:00"), ("13:00", "18:00")]}, holidays="KR"
    )
    friday = datetime(2026, 2, 27, 16, tzinfo=seoul)
    h = History(t0=friday)
    tbl = table(first_response={"duration": "4h", "business": True, "calendar": "seoul"})
    s = state(h, 1, tbl, "first_response", calendars={"seoul": cal})
    # 2h on Friday; Mon Mar 2 is a substitute holiday; 09-11 on Tuesday
    assert s.due_at == datetime(2026, 3, 3, 11, tzinfo=seoul)
    assert s.elapsed == H
    later = state(h, 90, tbl, "first_response", calendars={"seoul": cal})  # Tue 10:00
    assert later.elapsed == 3 * H
    assert later.status == "running"  # 3h of 4h is 75%, under the 80% threshold
    assert state(h, 90.5, tbl, "first_response", calendars={"seoul": cal}).status == "at_risk"


def test_missing_calendar_is_refused_with_the_names_given() -> None:
    tbl = table(resolution={"duration": "4h", "business": True, "calendar": "seoul"})
    with pytest.raises(
        PolicyError, match="calendar 'seoul', which is not given; calendars given: kr"
    ):
        SlaPolicy(tbl, {"kr": BusinessCalendar.always_open("UTC")})
    with pytest.raises(PolicyError, match="no calendars were given"):
        evaluate_sla(History().complaint, History().events, T0, tbl)


def test_reopen_restart_and_resume() -> None:
    def hist() -> History:
        h = History().add(
            ResultRegistered, 5, stage="result_registered", result=Result(remedy="apology")
        )
        return h.add(Reopened, 20, stage="handler_assigned", reason="unhappy")

    restart = state(hist(), 23, table(resolution="8h"))
    assert (restart.cycle, restart.started_at, restart.elapsed) == (1, T0 + 20 * H, 3 * H)
    resume = state(hist(), 23, table(resolution={"duration": "8h", "reopen": "resume"}))
    assert (resume.cycle, resume.started_at, resume.elapsed) == (0, T0, 8 * H)
    assert resume.status == "at_risk"
    # reopened 15h after the stop, outside a 12h window: restarts even in resume mode
    windowed = table(resolution={"duration": "8h", "reopen": "resume", "reopen_window": "12h"})
    assert state(hist(), 23, windowed).cycle == 1


def test_cfpb_timely_response_is_fifteen_calendar_days_without_pauses() -> None:
    h = History().add(WaitingOnCustomer, 24, stage="waiting_on_customer")
    s = state(h, 15 * 24, cfpb_timely(), "timely_response")
    assert (s.status, s.due_at) == ("at_risk", T0 + timedelta(days=15))
    assert state(h, 15 * 24 + 0.01, cfpb_timely(), "timely_response").status == "breached"


def test_naive_now_is_refused() -> None:
    h = History()
    with pytest.raises(NaiveDatetimeError):
        evaluate_sla(h.complaint, h.events, datetime(2026, 3, 2), table(resolution="1h"))


# --------------------------------------------------------------------------- tables


def test_most_specific_row_wins_and_ties_go_to_the_first() -> None:
    tbl = SlaTable.from_mapping(
        {
            "version": "v1",
            "rows": [
                {"targets": {"resolution": "5d"}},
                {"severity": "high", "targets": {"resolution": "2d"}},
                {"channel": "phone", "targets": {"resolution": "3d"}},
                {"kind": "complaint", "severity": "high", "targets": {"resolution": "1d"}},
                {"severity": "high", "channel": "phone", "targets": {"resolution": "4h"}},
            ],
        }
    )
    durations = lambda c: tbl.targets_for(c)[0].duration  # noqa: E731
    assert durations(History("high").complaint) == timedelta(
        days=1
    )  # first of the two 2-field rows
    assert durations(History("low").complaint) == timedelta(days=3)
    assert durations(History("low", channel="email").complaint) == timedelta(days=5)
    assert (
        SlaTable(version="v", rows=[{"severity": "low", "targets": {"resolution": 1}}]).match(
            History("high").complaint
        )
        is None
    )


def test_table_from_toml_file_with_defaults(tmp_path: Path) -> None:
    path = tmp_path / "sla.toml"
    path.write_text(
        'version = "2026-03"\n'
        '[defaults]\nbusiness = true\ncalendar = "seoul"\n'
        '[[rows]]\nseverity = "critical"\n'
        'targets = { first_response = "1h", resolution = { duration = "1d", at_risk = 0.5 } }\n',
        encoding="utf-8",
    )
    tbl = SlaTable.from_file(path)
    first, resolution = tbl.rows[0].targets
    assert (first.duration, first.business, first.calendar) == (H, True, "seoul")
    assert (resolution.duration, resolution.at_risk) == (timedelta(days=1), 0.5)


def test_bad_rows_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"rows\[0\]\.severity"):
        SlaTable.from_mapping(
            {"version": "v", "rows": [{"severity": "dire", "targets": {"resolution": 1}}]}
        )
    with pytest.raises(ConfigError, match="needs 'start' and 'stop'"):
        SlaTable.from_mapping({"version": "v", "rows": [{"targets": {"callback": "1h"}}]})


def test_registry_factories() -> None:
    policy = default_registry.create(
        "sla",
        "table",
        version="v2",
        rows=[{"targets": {"resolution": {"duration": "9h", "business": True, "calendar": "kr"}}}],
        calendars={"kr": {"timezone": "Asia/Seoul", "holidays": "KR"}},
    )
    assert isinstance(policy, SlaPolicy)
    assert policy.table.version == "v2"
    assert default_registry.create("sla", "cfpb_timely", days=30).table.version == "cfpb-timely-30d"
    with pytest.raises(ConfigError, match=r"sla policy 'cfpb_timely': days: Input should be"):
        default_registry.create("sla", "cfpb_timely", days="many")
    with pytest.raises((ConfigError, RegistryError), match="version"):
        default_registry.create("sla", "table", rows=[])


# --------------------------------------------------------------------------- the sweep


def test_sweep_applies_then_reports_each_status_once() -> None:
    h = History()
    policy = SlaPolicy(table(first_response="2h", resolution="10h"))
    first = policy.sweep(h.ctx(0))
    assert [type(e) for e in first] == [SlaApplied]
    applied = first[0]
    assert isinstance(applied, SlaApplied)
    assert applied.targets["resolution"]["duration"] == 36000.0
    assert applied.due_at == T0 + 10 * H
    assert (applied.version, applied.actor, applied.trigger, applied.stage) == (2, SYS, "sla", None)
    h.extend(first)
    assert policy.sweep(h.ctx(0)) == []

    at_3h = policy.sweep(h.ctx(3))
    assert [(e.target, e.status) for e in at_3h if isinstance(e, SlaStatusChanged)] == [
        ("first_response", "breached")
    ]
    h.extend(at_3h)
    h.add(ResultRegistered, 8.5, stage="result_registered", result=Result(remedy="apology"))
    at_9h = policy.sweep(h.ctx(9))
    assert [(e.target, e.status) for e in at_9h if isinstance(e, SlaStatusChanged)] == [
        ("resolution", "met")
    ]
    h.extend(at_9h)
    assert policy.sweep(h.ctx(9)) == []
    assert h.complaint.sla_version == "v1"


def test_sweep_skips_at_risk_once_breached() -> None:
    h = History()
    policy = SlaPolicy(table(resolution="10h"))
    h.extend(policy.sweep(h.ctx(0)))
    late = policy.sweep(h.ctx(11))
    assert [e.status for e in late if isinstance(e, SlaStatusChanged)] == ["breached"]
    assert late[0].owner is None
    h.extend(late)
    assert policy.sweep(h.ctx(12)) == []


def test_sweep_reapplies_on_restart_and_reports_the_new_cycle() -> None:
    h = History()
    policy = SlaPolicy(table(resolution="4h"))
    h.extend(policy.sweep(h.ctx(0)))
    h.add(ResultRegistered, 2, stage="result_registered", result=Result(remedy="apology"))
    h.extend(policy.sweep(h.ctx(2)))  # met
    h.add(Reopened, 10, stage="handler_assigned")
    swept = policy.sweep(h.ctx(13.5))
    assert [type(e).__name__ for e in swept] == ["SlaApplied", "SlaStatusChanged"]
    assert swept[1].status == "at_risk"  # 3.5h of the new 4h cycle
    h.extend(swept)
    assert policy.sweep(h.ctx(13.5)) == []


def test_severity_change_keeps_elapsed_and_changes_the_target() -> None:
    tbl = SlaTable(
        version="v1",
        rows=[
            {"targets": {"resolution": "5d"}},
            {"severity": "high", "targets": {"resolution": "1d"}},
        ],
    )
    policy = SlaPolicy(tbl)
    h = History("medium")
    h.extend(policy.sweep(h.ctx(0)))
    h.add(
        Classified,
        2,
        stage="classified",
        concerns=(Concern(kind="complaint", text="x", severity="high"),),
    )
    swept = policy.sweep(h.ctx(3))
    assert isinstance(swept[0], SlaApplied)
    assert swept[0].due_at == T0 + 24 * H
    h.extend(swept)
    s = evaluate_sla(h.complaint, h.events, T0 + 3 * H, tbl)["resolution"]
    assert (s.elapsed, s.due_at) == (3 * H, T0 + 24 * H)
    assert policy.sweep(h.ctx(3)) == []


def test_table_change_after_applied_does_not_rewrite_the_due_date() -> None:
    h = History()
    h.extend(SlaPolicy(table(resolution="10h")).sweep(h.ctx(0)))
    newer = SlaTable(version="v2", rows=[{"targets": {"resolution": "1h"}}])
    s = evaluate_sla(h.complaint, h.events, T0 + 2 * H, newer)["resolution"]
    assert s.due_at == T0 + 10 * H
    assert SlaPolicy(newer).sweep(h.ctx(2)) == []
    assert SlaPolicy(newer).decide(h.ctx(2)).table_version == "v1"  # type: ignore[union-attr]


def test_decide_abstains_without_a_matching_row() -> None:
    policy = SlaPolicy(
        SlaTable(version="v", rows=[{"channel": "press", "targets": {"resolution": 1}}])
    )
    assert policy.decide(History().ctx(0)) is None
    assert policy.sweep(History().ctx(0)) == []


# --------------------------------------------------------------------------- properties

points = st.lists(st.integers(1, 10_000), min_size=0, max_size=12, unique=True).map(sorted)


@given(points, st.integers(0, 20_000))
def test_pausing_never_loses_or_adds_time(cuts: list[int], extra: int) -> None:
    h = History()
    intervals = []
    for i, minute in enumerate(cuts):
        if i % 2 == 0:
            h.add(WaitingOnCustomer, minute / 60, stage="waiting_on_customer")
        else:
            h.add(Resumed, minute / 60, stage="in_progress")
            intervals.append(timedelta(minutes=minute - cuts[i - 1]))
    now = T0 + timedelta(minutes=(cuts[-1] if cuts else 0) + extra)
    if len(cuts) % 2:
        intervals.append(now - (T0 + timedelta(minutes=cuts[-1])))
    s = SlaClock(SlaTarget(name="resolution", duration="3d")).evaluate(h.events, now)
    paused = sum(intervals, timedelta(0))
    assert s.paused_total == paused
    assert s.elapsed == (now - T0) - paused
    assert s.elapsed >= timedelta(0)
    assert s.elapsed + s.remaining == timedelta(days=3)


@given(points, st.integers(0, 20_000), st.booleans())
def test_business_elapsed_never_exceeds_wall_minus_paused(
    cuts: list[int], extra: int, stop: bool
) -> None:
    h = History()
    for i, minute in enumerate(cuts):
        if i % 2 == 0:
            h.add(WaitingOnCustomer, minute / 60, stage="waiting_on_customer")
        else:
            h.add(Resumed, minute / 60, stage="in_progress")
    last = cuts[-1] if cuts else 0
    if stop:
        h.add(
            ResultRegistered,
            (last + 1) / 60,
            stage="result_registered",
            result=Result(remedy="none"),
        )
    now = T0 + timedelta(minutes=last + 1 + extra)
    cal = BusinessCalendar.standard("Asia/Seoul", country="KR")
    s = SlaClock(SlaTarget(name="resolution", duration="8h", business=True), cal).evaluate(
        h.events, now
    )
    assert timedelta(0) <= s.elapsed <= (now - T0) - s.paused_total
    assert s.elapsed + s.remaining == 8 * H


steps = st.lists(
    st.sampled_from(["wait", "resume", "respond", "result", "reopen", "sweep"]), max_size=10
)


@given(steps, st.sampled_from(["restart", "resume"]))
def test_sweep_is_idempotent_and_table_changes_do_not_move_due_dates(
    script: list[str], mode: str
) -> None:
    tbl = table(first_response="2h", resolution={"duration": "6h", "reopen": mode})
    policy = SlaPolicy(tbl)
    h = History()
    hours = 0.0
    for step in script:
        hours += 1.5
        stage = h.complaint.stage
        if step == "wait" and stage in ("received", "in_progress"):
            h.add(WaitingOnCustomer, hours, stage="waiting_on_customer")
        elif step == "resume" and stage == "waiting_on_customer":
            h.add(Resumed, hours, stage="in_progress")
        elif step == "respond":
            h.add(Responded, hours, channel="phone")
        elif step == "result" and stage in ("received", "in_progress", "waiting_on_customer"):
            h.add(ResultRegistered, hours, stage="result_registered", result=Result(remedy="none"))
        elif step == "reopen" and stage == "result_registered":
            h.add(Reopened, hours, stage="in_progress")
        elif step == "sweep":
            h.extend(policy.sweep(h.ctx(hours)))
    h.add(HandlingStarted, hours + 0.1)
    h.extend(policy.sweep(h.ctx(hours + 1)))
    assert policy.sweep(h.ctx(hours + 1)) == []
    before = evaluate_sla(h.complaint, h.events, T0 + (hours + 1) * H, tbl)
    other = table(first_response="9h", resolution="1h")
    after = evaluate_sla(h.complaint, h.events, T0 + (hours + 1) * H, other)
    assert {k: v.due_at for k, v in before.items()} == {k: v.due_at for k, v in after.items()}


def test_the_calendar_time_clock_refuses_naive_datetimes_and_counts_elapsed_time():
    from datetime import datetime as _dt
    from zoneinfo import ZoneInfo

    from ccms.errors import NaiveDatetimeError
    from ccms.policy._sla_clock import WALL_CLOCK

    with pytest.raises(NaiveDatetimeError):
        WALL_CLOCK.add(_dt(2026, 3, 8), timedelta(hours=1))
    with pytest.raises(NaiveDatetimeError):
        WALL_CLOCK.between(_dt(2026, 3, 8), _dt(2026, 3, 9))
    berlin = ZoneInfo("Europe/Berlin")  # clocks go back on 2026-10-25: that day has 25 hours
    start = _dt(2026, 10, 25, tzinfo=berlin)
    assert WALL_CLOCK.between(start, _dt(2026, 10, 26, tzinfo=berlin)) == timedelta(hours=25)
    assert WALL_CLOCK.add(start, timedelta(hours=25)) == _dt(2026, 10, 26, tzinfo=berlin)
