"""KPI figures pinned on a hand-built month of six complaints (every number computed by hand).

The six records (t0 = Monday 2026-03-02 09:00 UTC):

== ======= ======= ============ ======= =========== ============ ========================
id channel kind    code         segment received    responded    resolved / closed
== ======= ======= ============ ======= =========== ============ ========================
r1 web     compl.  PRD.DEF      general t0          +1 h         +2 h / +2 h
r2 web     compl.  PRD.DEF      vip     t0          +3 h         +10 h / +10 h
r3 phone   inquiry SVC.ATT.RUDE general t0          +30 min      - / open
r4 phone   compl.  PAY.REF      general t0 - 20 d   -            - / open
r5 email   compl.  PAY.REF      general t0          +16 d        +20 d / +20 d (rejected)
r6 web     compl.  PRD.DEF      general 03-31 23:30 -            - / +1 h (withdrawn)
== ======= ======= ============ ======= =========== ============ ========================
"""

from __future__ import annotations

import pickle
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from ccms.errors import InvalidInput, NaiveDatetimeError
from ccms.metrics import (
    BacklogAccumulator,
    CaseRecord,
    KpiAccumulator,
    Rate,
    Summary,
    TaskOnTime,
    TaskOnTimeAccumulator,
    accumulate,
    complaint_rates,
    merge_all,
)

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)
AS_OF = T0 + D


def _rec(id: str, **kw: object) -> CaseRecord:
    base: dict[str, object] = {
        "received_at": T0,
        "kind": "complaint",
        "severity": "low",
        "segment": "general",
        "stage": "closed",
    }
    base.update(kw)
    return CaseRecord(id=id, **base)  # type: ignore[arg-type]


R1 = _rec(
    "r1", channel="web", code="PRD.DEF", first_response_at=T0 + H, resolved_at=T0 + 2 * H,
    closed_at=T0 + 2 * H, remedy="refund", remedy_amount=Decimal("10000"), currency="KRW",
    feedback_responded=True, satisfied=True, csat=5, sla_met=("resolution", "response"),
    business_response_seconds=3600, business_resolution_seconds=7200,
    business_waiting_seconds=0,
)  # fmt: skip
R2 = _rec(
    "r2", channel="web", code="PRD.DEF", segment="vip", first_response_at=T0 + 3 * H,
    resolved_at=T0 + 10 * H, closed_at=T0 + 10 * H, transfers=1, reopens=1, waiting_seconds=7200,
    business_response_seconds=10800, business_resolution_seconds=18000,
    business_waiting_seconds=3600, remedy="exchange", feedback_responded=True, satisfied=False,
    csat=2, sla_met=("response",), sla_breached=("resolution",), escalation_level=1, repeat=True,
)  # fmt: skip
R3 = _rec(
    "r3", channel="phone", kind="inquiry", code="SVC.ATT.RUDE", stage="in_progress",
    first_response_at=T0 + timedelta(minutes=30), sla_met=("response",),
    sla_breached=("response",),
)  # fmt: skip
R4 = _rec("r4", channel="phone", code="PAY.REF", stage="received", received_at=T0 - 20 * D)
R5 = _rec(
    "r5", channel="email", code="PAY.REF", stage="rejected", first_response_at=T0 + 16 * D,
    resolved_at=T0 + 20 * D, closed_at=T0 + 20 * D, rejected=True, remedy="compensation",
    remedy_amount=Decimal("20.5"), currency="USD", feedback_responded=True, csat=1,
)  # fmt: skip
R6 = _rec(
    "r6", channel="web", code="PRD.DEF", stage="withdrawn",
    received_at=datetime(2026, 3, 31, 23, 30, tzinfo=UTC),
    closed_at=datetime(2026, 4, 1, 0, 30, tzinfo=UTC), withdrawn=True,
)  # fmt: skip
RECORDS = [R1, R2, R3, R4, R5, R6]


def _kpis(by: tuple[str, ...] = (), **kw: object):  # type: ignore[no-untyped-def]
    return accumulate(KpiAccumulator(by, **kw), RECORDS).result()  # type: ignore[arg-type]


# ------------------------------------------------------------------------------- volume


def test_volume_by_kind_code_channel_segment() -> None:
    assert _kpis(("kind",)).counts() == {("complaint",): 5, ("inquiry",): 1}
    assert _kpis(("code",)).counts() == {("PAY.REF",): 2, ("PRD.DEF",): 3, ("SVC.ATT.RUDE",): 1}
    assert _kpis(("channel",)).counts() == {("email",): 1, ("phone",): 2, ("web",): 3}
    assert _kpis(("segment",)).counts() == {("general",): 5, ("vip",): 1}
    assert _kpis(("channel", "segment")).counts() == {
        ("email", "general"): 1,
        ("phone", "general"): 2,
        ("web", "general"): 2,
        ("web", "vip"): 1,
    }
    assert _kpis().counts() == {(): 6}


def test_volume_by_period_in_the_accumulator_zone() -> None:
    # r6 arrives 03-31 23:30 UTC, which is 04-01 08:30 in Seoul.
    assert _kpis(("month",)).counts() == {(date(2026, 2, 1),): 1, (date(2026, 3, 1),): 5}
    assert _kpis(("month",), zone="Asia/Seoul").counts() == {
        (date(2026, 2, 1),): 1,
        (date(2026, 3, 1),): 4,
        (date(2026, 4, 1),): 1,
    }
    # weeks start on Monday: r4 (Tue 02-10) -> 02-09; t0 -> 03-02; r6 (Tue 03-31) -> 03-30
    assert _kpis(("week",)).counts() == {
        (date(2026, 2, 9),): 1,
        (date(2026, 3, 2),): 4,
        (date(2026, 3, 30),): 1,
    }
    assert _kpis(("day",)).counts() == {
        (date(2026, 2, 10),): 1,
        (date(2026, 3, 2),): 4,
        (date(2026, 3, 31),): 1,
    }
    assert _kpis(("month", "channel")).counts()[(date(2026, 3, 1), "web")] == 3


def test_unknown_group_key_and_figure_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="unknown group key 'colour'; allowed: id, "):
        KpiAccumulator(("colour",))
    with pytest.raises(InvalidInput, match="unknown KPI figure 'speed'; allowed: fcr, "):
        KpiAccumulator(figures=("speed",))  # type: ignore[arg-type]
    with pytest.raises(NaiveDatetimeError):
        KpiAccumulator(as_of=datetime(2026, 3, 3))
    with pytest.raises(InvalidInput, match="unknown time zone 'Mars/Base'"):
        KpiAccumulator(zone="Mars/Base")
    with pytest.raises(InvalidInput, match="resolution must be a whole number of seconds"):
        KpiAccumulator(resolution=timedelta(milliseconds=1500))


# ---------------------------------------------------------------------- complaint rates


def test_complaint_rate_per_host_denominator() -> None:
    counts = _kpis(("month",)).counts()
    rates = complaint_rates(counts, {date(2026, 2, 1): 1000, date(2026, 3, 1): 2000})
    assert rates == {(date(2026, 2, 1),): Fraction(1), (date(2026, 3, 1),): Fraction(5, 2)}
    per_customer = complaint_rates(counts, {date(2026, 2, 1): 3, date(2026, 3, 1): 0}, per=1)
    assert per_customer == {(date(2026, 2, 1),): Fraction(1, 3), (date(2026, 3, 1),): 0}
    with pytest.raises(InvalidInput, match="no denominator for period"):
        complaint_rates(counts, {date(2026, 2, 1): 1000})


# ---------------------------------------------------------------- status, fcr, reopen ...


def test_status_counts() -> None:
    k = _kpis().overall
    assert (k.count, k.withdrawn, k.rejected, k.resolved, k.open) == (6, 1, 1, 3, 2)


def test_first_contact_resolution() -> None:
    # resolved: r1 (clean), r2 (transferred and reopened), r5 (clean)
    assert _kpis().overall.fcr == Rate(2, 3)
    web = _kpis(("channel",)).by_group[("web",)]
    assert web.fcr == Rate(1, 2)
    assert web.fcr.value == 0.5


def test_reopen_transfer_escalation_repeat_rates() -> None:
    k = _kpis().overall
    assert k.reopen == Rate(1, 6)
    assert k.reopens == 1
    assert k.transfers == 1
    assert k.transferred == Rate(1, 6)
    assert k.transfers_per_complaint == pytest.approx(1 / 6)
    assert k.escalation == Rate(1, 6)
    assert k.repeat == Rate(1, 6)
    vip = _kpis(("segment",)).by_group[("vip",)]
    assert (vip.reopen.value, vip.transfers_per_complaint, vip.escalation.value) == (1, 1, 1)


# ---------------------------------------------------------------------------- durations


def test_first_response_time_calendar() -> None:
    # 3600, 10800, 1800, 16 d = 1 382 400; nearest rank: median rank 2, p90 rank 4
    assert _kpis().overall.response == Summary(
        n=4, total=1_398_600, mean=349_650.0, median=3600, p90=1_382_400, resolution=60
    )


def test_resolution_time_calendar() -> None:
    # 7200, 36000, 20 d = 1 728 000; median rank 2, p90 rank 3
    assert _kpis().overall.resolution == Summary(
        n=3, total=1_771_200, mean=590_400.0, median=36_000, p90=1_728_000, resolution=60
    )


def test_quantiles_are_lower_bin_edges() -> None:
    # 2-hour bins: 1800 and 3600 share bin 0, so the median (rank 2) reads 0
    response = _kpis(resolution=timedelta(hours=2)).overall.response
    assert (response.median, response.p90, response.mean) == (0, 1_382_400, 349_650.0)
    exact = _kpis(resolution=1).overall.response
    assert (exact.median, exact.p90) == (3600, 1_382_400)


def test_business_time() -> None:
    k = _kpis().overall
    assert k.response_business == Summary(2, 14_400, 7200.0, 3600, 10_800, 60)
    assert k.resolution_business == Summary(2, 25_200, 12_600.0, 7200, 18_000, 60)


def test_company_time_apart_from_waiting_on_the_customer() -> None:
    k = _kpis().overall
    # waiting over all six: 0, 7200, 0, 0, 0, 0; median rank 3, p90 rank 6
    assert k.waiting == Summary(6, 7200, 1200.0, 0, 7200, 60)
    assert k.waiting_business == Summary(2, 3600, 1800.0, 0, 3600, 60)
    # company = resolution - waiting: 7200, 28800, 1 728 000
    assert k.company == Summary(3, 1_764_000, 588_000.0, 28_800, 1_728_000, 60)
    assert k.company.total + 7200 == k.resolution.total


def test_empty_summary_is_all_none() -> None:
    phone = _kpis(("channel",)).by_group[("phone",)]
    assert phone.resolution == Summary(0, 0, None, None, None, 60)
    assert phone.fcr.value is None


# ------------------------------------------------------------------------ SLA and timely


def test_sla_compliance_per_target() -> None:
    # response: met r1, r2; r3 both met and breached -> breached. resolution: r1 met, r2 breached
    assert _kpis().overall.sla == {"resolution": Rate(1, 2), "response": Rate(2, 3)}
    assert _kpis(("channel",)).by_group[("phone",)].sla == {"response": Rate(0, 1)}


def test_cfpb_timely_response() -> None:
    # responded within 15 days: r1, r2, r3; r5 answered on day 16
    assert _kpis().overall.timely == Rate(3, 4)
    # judged at t0 + 1 d, unanswered r4 is 21 days old and counts as not timely; r6 is later
    assert _kpis(as_of=AS_OF).overall.timely == Rate(3, 5)


def test_timely_boundary_is_inclusive() -> None:
    r = _rec("x", channel="web", first_response_at=T0 + 15 * D)
    late = _rec("y", channel="web", first_response_at=T0 + 15 * D + timedelta(seconds=1))
    assert accumulate(KpiAccumulator(), [r, late]).result().overall.timely == Rate(1, 2)


# ------------------------------------------------------------------- happy call, remedy


def test_happy_call_satisfaction_and_csat() -> None:
    k = _kpis().overall
    # due a happy call: resolved and neither withdrawn nor rejected -> r1, r2 (r5 rejected)
    assert k.happy_call == Rate(2, 2)
    assert k.satisfied == Rate(1, 2)
    assert k.csat == {2: 1, 5: 1}
    assert k.csat_mean == 3.5


def test_remedy_mix_and_cost() -> None:
    k = _kpis().overall
    assert k.remedy_mix == {"compensation": 1, "exchange": 1, "refund": 1}
    assert k.remedy_cost == {"KRW": Decimal("10000"), "USD": Decimal("20.5")}
    no_currency = _rec("x", channel="web", remedy="refund", remedy_amount=Decimal("3.25"))
    table = accumulate(KpiAccumulator(), [no_currency, no_currency]).result()
    assert table.overall.remedy_cost == {"XXX": Decimal("6.50")}


def test_figure_selection_leaves_other_families_empty() -> None:
    k = _kpis(figures=("reopen",)).overall
    assert (k.count, k.reopen, k.fcr, k.response.n, k.sla) == (6, Rate(1, 6), Rate(0, 0), 0, {})


# ------------------------------------------------------------------------------ backlog


def test_backlog_and_backlog_age() -> None:
    # open at t0 + 1 d: r3 (1 d), r4 (21 d), r5 (closed on day 20, so still open: 1 d)
    acc = accumulate(BacklogAccumulator(AS_OF), RECORDS)
    figures = acc.result()[()]
    assert figures.open == 3
    assert figures.age == Summary(3, 1_987_200, 662_400.0, 86_400, 1_814_400, 60)
    assert figures.oldest == 1_814_400
    by_channel = accumulate(BacklogAccumulator(AS_OF, ("channel",)), RECORDS).result()
    assert {k: v.open for k, v in by_channel.items()} == {("email",): 1, ("phone",): 2}
    assert by_channel[("phone",)].oldest == 1_814_400


def test_backlog_merge_checks_settings() -> None:
    with pytest.raises(InvalidInput, match="different moments or groupings"):
        BacklogAccumulator(AS_OF).merge(BacklogAccumulator(AS_OF + D))


# ---------------------------------------------------------------- improvement tasks


def test_improvement_task_on_time_rate() -> None:
    d = lambda day: datetime(2026, 1, day, tzinfo=UTC)  # noqa: E731
    pairs = [(d(10), d(10)), (d(10), d(9)), (d(10), d(12)), (d(15), None), (d(25), None)]
    result = accumulate(TaskOnTimeAccumulator(as_of=d(20)), pairs).result()
    assert result == TaskOnTime(on_time=2, late=1, overdue=1, pending=1)
    assert result.rate == Rate(2, 4)
    # without a moment to judge by, open tasks are pending
    assert accumulate(TaskOnTimeAccumulator(), pairs).result().rate == Rate(2, 3)


# ---------------------------------------------------------------------- engine details


def test_merge_at_a_non_default_resolution() -> None:
    left = accumulate(KpiAccumulator(("channel",), resolution=3600), RECORDS[:3])
    right = accumulate(KpiAccumulator(("channel",), resolution=3600), RECORDS[3:])
    whole = accumulate(KpiAccumulator(("channel",), resolution=3600), RECORDS)
    assert left.merge(right).result() == whole.result()
    assert right.merge(left).groups == whole.groups


def test_merge_rejects_different_settings() -> None:
    with pytest.raises(InvalidInput, match="cannot merge KPI accumulators with different"):
        KpiAccumulator(("channel",)).merge(KpiAccumulator(("segment",)))


def test_merge_leaves_operands_unchanged_and_pickles() -> None:
    left = accumulate(KpiAccumulator(("channel",)), RECORDS[:2])
    before = left.result()
    merged = merge_all([left, accumulate(KpiAccumulator(("channel",)), RECORDS[2:])])
    assert left.result() == before
    copy = pickle.loads(pickle.dumps(merged))
    assert copy.result() == merged.result() == _kpis(("channel",))
    copy.update(R1)
    assert copy.result().overall.count == 7
