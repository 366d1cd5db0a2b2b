"""build_report: each section pinned on the hand-made sample (figures worked out by hand)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from report_sample import (
    AS_OF,
    at,
    fair_october,
    october,
    rec,
    sample_report,
    september,
    tasks,
)

from ccms.errors import InvalidInput, NaiveDatetimeError
from ccms.metrics import FairnessAccumulator, TaskOnTime
from ccms.report import Period, build_report, parse_period
from ccms.report.build import NEEDS_MOMENT

# --------------------------------------------------------------------------- periods


def test_period_kinds_labels_and_previous() -> None:
    q = Period.containing("quarter", date(2026, 12, 31))
    assert (q.label, q.start, q.end, q.previous().label) == (
        "2026-Q4", date(2026, 10, 1), date(2027, 1, 1), "2026-Q3",
    )  # fmt: skip
    w = parse_period("2026-W53")
    assert (w.start, w.end, w.previous().label) == (
        date(2026, 12, 28),
        date(2027, 1, 4),
        "2026-W52",
    )
    jan = parse_period("2026-01")
    assert jan.previous() == Period("month", date(2025, 12, 1), date(2026, 1, 1), "2025-12")
    custom = Period.between("week", date(2026, 10, 5), date(2026, 10, 15))
    assert custom.previous() == Period.between("week", date(2026, 9, 25), date(2026, 10, 5))


def test_quarter_trend_buckets_are_weeks_from_the_first_day() -> None:
    q = parse_period("2026-Q4")  # Oct 1 2026 is a Thursday
    buckets = q.buckets()
    assert buckets[:3] == (date(2026, 10, 1), date(2026, 10, 5), date(2026, 10, 12))
    assert buckets[-1] == date(2026, 12, 28)
    assert len(buckets) == 14
    assert q.bucket_of(date(2026, 10, 4)) == date(2026, 10, 1)
    assert q.bucket_of(date(2026, 10, 7)) == date(2026, 10, 5)


def test_period_errors_name_what_is_allowed() -> None:
    with pytest.raises(
        InvalidInput, match="unknown report period 'year'; allowed: week, month, quarter"
    ):
        build_report([], period="year", as_of=AS_OF)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="cannot read report period '2026-13'"):
        parse_period("2026-13")
    with pytest.raises(InvalidInput, match="must end after it starts"):
        Period.between("month", date(2026, 10, 5), date(2026, 10, 5))


# --------------------------------------------------------------------------- which period


def test_as_of_at_midnight_reports_the_period_that_just_ended() -> None:
    r = sample_report()
    assert (r.period.label, r.previous_period.label, r.as_of) == ("2026-10", "2026-09", AS_OF)
    assert r.title == "Monthly VOC report 2026-10"


def test_as_of_inside_the_period_cuts_it_there() -> None:
    r = sample_report(as_of=at(10, 15, 12))
    assert r.period.label == "2026-10"
    assert r.volume.covered == 12  # the twelve DLV.LATE of Oct 1-12
    assert r.volume.total == 13  # and the inquiry of Oct 15 09:00
    assert r.handling.backlog.open == 1  # only the open September complaint
    assert r.handling.backlog.oldest == (at(10, 15, 12) - at(9, 10)) // timedelta(seconds=1)


def test_start_picks_the_period_and_as_of_defaults_to_its_end() -> None:
    r = build_report(september() + october(), start=date(2026, 10, 5))
    assert r.period.label == "2026-10"
    assert r.as_of == AS_OF
    assert r == build_report(september() + october(), as_of=AS_OF)


def test_previous_records_may_come_separately() -> None:
    assert sample_report() == build_report(
        october(),
        previous=september(),
        as_of=AS_OF,
        denominators={"orders": 3400},
        previous_denominators={"orders": 3000},
        improvements=tasks(),
    )


def test_zone_sets_the_period_bounds() -> None:
    # 2026-09-30 16:00 UTC is 2026-10-01 01:00 in Seoul.
    late = rec("z", datetime(2026, 9, 30, 16, tzinfo=UTC), code="X")
    seoul = build_report([late], start=date(2026, 10, 1), zone="Asia/Seoul")
    utc = build_report([late], start=date(2026, 10, 1))
    assert (seoul.volume.covered, utc.volume.covered, utc.volume.previous_covered) == (1, 0, 1)
    assert seoul.zone == "Asia/Seoul"
    assert seoul.as_of.isoformat() == "2026-11-01T00:00:00+09:00"


def test_moment_errors() -> None:
    with pytest.raises(InvalidInput, match=re.escape(NEEDS_MOMENT)):
        build_report([])
    with pytest.raises(NaiveDatetimeError, match="as_of must be a timezone-aware datetime"):
        build_report([], as_of=datetime(2026, 11, 1))
    with pytest.raises(InvalidInput, match="is before the report period 2026-10 starts"):
        build_report([], period=parse_period("2026-10"), as_of=at(9, 30))
    with pytest.raises(InvalidInput, match="unknown time zone 'Mars/Base'; give an IANA name"):
        build_report([], as_of=AS_OF, zone="Mars/Base")
    with pytest.raises(InvalidInput, match="code_level must be a whole number >= 1"):
        build_report([], as_of=AS_OF, code_level=0)


# --------------------------------------------------------------------------- sections


def test_volume() -> None:
    v = sample_report().volume
    assert (v.total, v.previous_total, v.covered, v.previous_covered) == (18, 3, 17, 3)
    assert [(c.key, c.count) for c in v.by_kind] == [("complaint", 17), ("inquiry", 1)]
    assert [(c.key, c.count) for c in v.by_channel] == [("web", 9), ("phone", 6), ("chat", 2)]
    assert v.change == pytest.approx(14 / 3)
    assert len(v.trend) == 31
    assert len(v.previous_trend) == 30
    ones = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 20, 21, 22, 28, 30}
    assert [p.count for p in v.trend] == [int(d in ones) for d in range(1, 32)]
    assert [p.start.day for p in v.previous_trend if p.count] == [3, 5, 10]


def test_main_issues_top_codes_pareto_and_vital_few() -> None:
    i = sample_report().issues
    assert i.concerns == 18  # the PRD.DEF complaint carries two concerns
    assert [(c.code, c.count, c.previous, c.change) for c in i.pareto] == [
        ("DLV.LATE", 12, 1, 11),
        ("PAY.REFUND", 3, 2, 1),
        ("(unclassified)", 1, 0, 1),
        ("PRD.DEF", 1, 0, 1),
        ("SVC.ATT", 1, 0, 1),
    ]
    assert [c.share for c in i.pareto[:2]] == [12 / 18, 3 / 18]
    assert [c.cumulative for c in i.pareto] == [12 / 18, 15 / 18, 16 / 18, 17 / 18, 1.0]
    assert i.vital_few == ("DLV.LATE", "PAY.REFUND")
    assert sample_report(top=2).issues.top == i.pareto[:2]


def test_spike_is_the_exact_conditional_test() -> None:
    (s,) = sample_report().issues.spikes
    p = Fraction(31, 61)  # October's share of the 61 days
    tail = 13 * p**12 * (1 - p) + p**13  # P(X >= 12), X ~ Binomial(13, 31/61)
    assert (s.code, s.count, s.previous) == ("DLV.LATE", 12, 1)
    assert s.expected == pytest.approx(31 / 30)
    assert s.p_value == pytest.approx(float(tail), rel=1e-12)
    assert s.ratio == pytest.approx(12 * 30 / 31)
    # PAY.REFUND (3 vs 2) is below the minimum count; a stricter alpha drops DLV.LATE too.
    assert sample_report(spike_alpha=0.001).issues.spikes == ()
    assert sample_report(spike_min_count=13).issues.spikes == ()


def test_spike_of_a_period_cut_short_uses_the_days_so_far() -> None:
    (s,) = sample_report(as_of=at(10, 15, 12)).issues.spikes  # 14.5 days of October
    p = 14.5 / (14.5 + 30)
    assert s.expected == pytest.approx(14.5 / 30)
    assert s.p_value == pytest.approx(13 * p**12 * (1 - p) + p**13, rel=1e-12)


def test_no_spikes_without_a_previous_period() -> None:
    assert build_report(october(), as_of=AS_OF).issues.spikes == ()


def test_code_level_and_kinds() -> None:
    top = sample_report(code_level=1).issues.pareto
    assert [(c.code, c.count) for c in top] == [
        ("DLV", 12), ("PAY", 3), ("(unclassified)", 1), ("PRD", 1), ("SVC", 1),
    ]  # fmt: skip
    every = sample_report(kinds=None)
    assert every.volume.covered == 18
    assert every.covered == "all VOC"
    assert ("INQ.ORDER", 1) in [(c.code, c.count) for c in every.issues.pareto]
    assert every.handling.received == 18


def test_complaint_rates() -> None:
    (orders,) = sample_report().rates
    assert (orders.denominator, orders.units, orders.complaints, orders.per) == (
        "orders", 3400, 17, 1000,
    )  # fmt: skip
    assert (orders.rate, orders.previous_rate) == (Fraction(5), Fraction(1))
    assert sample_report(previous_denominators=None).rates[0].previous_rate is None


def test_handling_and_sla() -> None:
    h = sample_report().handling
    assert (h.received, h.resolved, h.open, h.withdrawn, h.rejected) == (17, 12, 4, 1, 0)
    assert (h.response.n, h.response.mean, h.response.median) == (12, 3600.0, 3600)
    assert (h.resolution.n, h.resolution.mean, h.resolution.p90) == (12, 14400.0, 14400)
    assert (h.company.mean, h.waiting.n) == (14400.0, 17)
    # no source flag and no timely_response SLA target: no timely figure (no 15-day line)
    assert (h.timely.successes, h.timely.n, h.timely_basis) == (0, 0, "none")
    assert h.timely_definition.startswith("no timely figure")
    # time to close: the 12 closed in 5h and the withdrawn one in 1h (resolution: 4h)
    assert (h.closure.n, h.closure.total, h.closure.median) == (13, 12 * 5 * 3600 + 3600, 18000)
    assert [(s.target, s.met, s.breached, s.rate.value) for s in h.sla] == [
        ("resolution", 10, 2, 10 / 12)
    ]
    assert (h.fcr.successes, h.fcr.n) == (11, 12)
    assert h.transfers_per_complaint == pytest.approx(1 / 17)
    assert h.backlog_business_age is None


def test_backlog_counts_every_open_record_at_as_of() -> None:
    h = sample_report().handling
    ages = [4_460_400, 1_004_400, 918_000, 831_600, 313_200]  # Sep 10, Oct 20-22, Oct 28 09:00
    assert (h.backlog.open, h.backlog.oldest) == (5, 4_460_400)
    assert (h.backlog.age.mean, h.backlog.age.median) == (sum(ages) / 5, 918_000)
    assert (h.backlog_overdue, h.backlog_on_track) == (2, 1)


def test_backlog_business_age_with_a_calendar() -> None:
    from ccms.policy import BusinessCalendar

    cal = BusinessCalendar.always_open("UTC")
    h = sample_report(calendar=cal).handling
    assert h.backlog_business_age is not None
    assert h.backlog_business_age.total == h.backlog.age.total  # always open: equal


def test_improvement_measures() -> None:
    imp = sample_report().improvements
    assert [(r.title, r.state, r.days_late) for r in imp.rows] == [
        ("Carrier scorecard", "overdue", 6),
        ("Handle supplier audit", "open", None),
        ("Refund batch twice a day", "done late", 3),
        ("Courier SLA renegotiated", "done on time", None),
    ]  # finished before October: left out
    assert imp.on_time == TaskOnTime(on_time=1, late=1, overdue=1, pending=1)
    assert imp.rows[0].owner == "logistics"
    assert imp.rows[0].due == date(2026, 10, 25)


def test_a_task_sent_back_to_work_is_not_done_whatever_it_did_before() -> None:
    from report_sample import Task

    redo = Task(
        "Courier SLA renegotiated", "logistics", date(2026, 10, 10), "in_progress", at(10, 8)
    )  # completed on 10-08, its effect fell short: back in progress
    r = build_report(october(), as_of=AS_OF, improvements=[redo])
    assert [(row.state, row.days_late) for row in r.improvements.rows] == [("overdue", 21)]


def test_fairness_flags_come_from_the_fairness_frame() -> None:
    records = fair_october()
    r = build_report(records, as_of=AS_OF, fairness_by=("channel",),
                     fairness_metrics=("remedy_rate",))  # fmt: skip
    acc = FairnessAccumulator("remedy_rate", by="channel")
    for x in records:
        acc.update(x)
    f = r.fairness
    assert [fl.text for fl in f.flags] == acc.result().flags
    assert f.flags[0].text.startswith(
        "Complaints via phone got a material remedy 30.0 points less often than via web, "
        "like for like by code (difference -30.0 points"
    )
    assert (f.flags[0].dimension, f.tested) == ("outcome", ("remedy_rate by channel",))
    gaps = {g.group: g for g in f.gaps}
    assert gaps["phone"].difference == pytest.approx(-30.0)
    assert gaps["web"].difference == pytest.approx(30.0)
    assert gaps["phone"].low < -30 < gaps["phone"].high < 0
    assert (gaps["phone"].unit, gaps["phone"].verdict, gaps["phone"].n) == (
        "points",
        "differs",
        100,
    )
    # Workload: kim held 200 complaints, lee 100: Gini = |200-100|·2 / (2·2²·150) = 1/6.
    assert f.workload_gini == pytest.approx(1 / 6)
    assert f.workload_flags == ()


def test_small_groups_get_no_verdict() -> None:
    f = sample_report().fairness
    assert f.flags == ()
    assert f.gaps == ()
    assert f.min_n == 30
    assert len(f.tested) == 14  # 7 metrics by channel and by segment


def test_highlights() -> None:
    assert sample_report().highlights() == (
        "17 complaints received in 2026-10 (+467% on 2026-09).",
        "Top issue: DLV.LATE, 12 concerns (67%).",
        "Spike: DLV.LATE rose to 12 from 1 in 2026-09.",
        "SLA targets met 83% of the time (10 of 12).",
        "Backlog at 2026-11-01 00:00: 5 open, 2 past due.",
        "0 fairness flags (no difference survived the correction).",
        "4 improvement measures tracked, 1 overdue.",
    )


def test_report_is_frozen() -> None:
    import attrs

    r = sample_report()
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        r.title = "x"  # type: ignore[misc]


def test_empty_period() -> None:
    r = build_report([], as_of=AS_OF)
    assert (r.volume.total, r.issues.top, r.issues.vital_few, r.handling.backlog.open) == (
        0, (), (), 0,
    )  # fmt: skip
    assert r.highlights()[0] == "0 complaints received in 2026-10 (no data for 2026-09)."
