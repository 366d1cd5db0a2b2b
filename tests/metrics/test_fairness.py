"""Fairness figures pinned with hand-computed numbers.

Worked numbers used below (z = 1.959964 for 95%):

* Wilson 10/20: centre 0.5, half-width z·sqrt(0.25/20 + z²/1600)/(1 + z²/20) = 0.20070.
* Remedy rate, web X 8/10, Y 2/10 vs phone X 6/10, Y 0/10: stratum weights 10·10/20 = 5 each,
  difference (0.2 + 0.2)/2 = 0.2; binomial se sqrt(0.25·(0.016 + 0.024 + 0.016 + 0)) = 0.118322;
  MOVER-Wilson CI (-0.048648, 0.423101); Cochran-Mantel-Haenszel p = 0.111465 (statsmodels'
  StratifiedTable.test_null_odds(correction=False)); Mantel-Haenszel ratio
  (5·0.8 + 5·0.2)/(5·0.6 + 5·0) = 5/3.
* Resolution hours, email [1, 2, 3], phone [3, 4, 5], web [2, 3, 4]: each sample variance 1 h²,
  variance of each mean 1/3 h²; a pair's se = sqrt(2/3) h = 2939.39 s, Welch df 4.
  email - phone = -2 h, t = -2.4495, p = 0.070484 (scipy's ttest_ind(equal_var=False)); the other
  pairs ±1 h, p = 0.287864. Holm: 3·0.070484 = 0.211452, 2·0.287864 = 0.575728 for both others.
  BH: 0.211452, 0.287864, 0.287864.
"""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from ccms.errors import InvalidInput
from ccms.metrics import (
    CaseRecord,
    FairnessAccumulator,
    GroupValue,
    Rate,
    SurveyBiasAccumulator,
    WorkloadAccumulator,
    accumulate,
    benjamini_hochberg,
    gini,
    holm,
    wilson_interval,
)
from ccms.metrics.stats import adjust, normal_quantile, stratified_difference

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
H = 3600
_ids = iter(range(10**9))


def rec(**kw: object) -> CaseRecord:
    base: dict[str, object] = {
        "received_at": T0,
        "channel": "web",
        "kind": "complaint",
        "severity": "low",
        "segment": "general",
        "stage": "closed",
    }
    base.update(kw)
    return CaseRecord(id=str(next(_ids)), **base)  # type: ignore[arg-type]


def remedies(channel: str, code: str, n: int, material: int) -> list[CaseRecord]:
    return [
        rec(channel=channel, code=code, resolved_at=T0,
            remedy="refund" if i < material else "apology")
        for i in range(n)
    ]  # fmt: skip


def hours(channel: str, values: list[int], code: str = "PRD.DEF") -> list[CaseRecord]:
    return [rec(channel=channel, code=code, resolved_at=T0 + timedelta(hours=h)) for h in values]


REMEDY = [
    *remedies("web", "X", 10, 8),
    *remedies("web", "Y", 10, 2),
    *remedies("phone", "X", 10, 6),
    *remedies("phone", "Y", 10, 0),
]
TIMES = [*hours("email", [1, 2, 3]), *hours("phone", [3, 4, 5]), *hours("web", [2, 3, 4])]


def frame_of(records: list[CaseRecord], metric: str = "remedy_rate", **kw: object):  # type: ignore[no-untyped-def]
    return accumulate(FairnessAccumulator(metric, **kw), records).result()  # type: ignore[arg-type]


# ------------------------------------------------------------------------ statistics


def test_wilson_interval() -> None:
    lo, hi = wilson_interval(10, 20)
    assert (lo, hi) == pytest.approx((0.299298, 0.700702), abs=1e-6)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(20, 20)[1] == 1.0
    assert wilson_interval(0, 20)[0] == 0.0
    lo90, hi90 = wilson_interval(10, 20, confidence=0.90)
    assert lo < lo90 < hi90 < hi
    with pytest.raises(InvalidInput, match="need 0 <= successes <= n"):
        wilson_interval(3, 2)
    with pytest.raises(InvalidInput, match="confidence must lie strictly between 0 and 1"):
        normal_quantile(1.0)


def test_multiple_comparison_corrections() -> None:
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.2, 0.01]) == pytest.approx([0.2, 0.02])
    assert benjamini_hochberg([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.04, 0.04])
    assert benjamini_hochberg([0.9, 0.01, 0.02]) == pytest.approx([0.9, 0.03, 0.03])
    assert adjust([0.01, 0.02], "none") == [0.01, 0.02]
    assert holm([]) == []
    with pytest.raises(InvalidInput, match="unknown correction 'bonf'; allowed: holm, bh, none"):
        adjust([0.1], "bonf")  # type: ignore[arg-type]


def test_gini() -> None:
    assert gini([1, 2, 3, 4]) == 0.25  # 2·30/(4·10) - 5/4
    assert gini([0, 0, 0, 4]) == 0.75  # the (n-1)/n maximum
    assert gini([5, 5]) == 0.0
    assert gini([]) == 0.0
    assert gini([0, 0]) == 0.0
    assert gini([Fraction(3, 2), 3, 0]) == pytest.approx(4 / 9)
    with pytest.raises(InvalidInput, match="non-negative"):
        gini([-1, 2])


def test_stratified_difference_of_proportions() -> None:
    s = stratified_difference({"X": [10, 8], "Y": [10, 2]}, {"X": [10, 6], "Y": [10, 0]},
                              "proportion")  # fmt: skip
    assert s.difference == pytest.approx(0.2)
    assert s.se == pytest.approx(0.118322, abs=1e-6)
    assert s.interval() == pytest.approx((-0.048648, 0.423101), abs=1e-6)
    assert s.p_value == pytest.approx(0.111465, abs=1e-6)
    assert s.ratio == pytest.approx(5 / 3)
    assert (s.n_a, s.n_b, s.strata) == (20, 20, 2)


def test_stratified_difference_of_means_and_unshared_strata() -> None:
    cell = lambda vs: [len(vs), sum(vs), sum(v * v for v in vs)]  # noqa: E731
    # stratum Z exists only in a: nothing like to compare it with, so it is left out
    s = stratified_difference(
        {"X": cell([3 * H, 4 * H, 5 * H]), "Z": cell([100 * H])},
        {"X": cell([1 * H, 2 * H, 3 * H])},
        "mean",
    )
    assert (s.difference, s.n_a, s.n_b, s.strata, s.ratio) == (7200.0, 3, 3, 1, 2.0)
    assert s.se == pytest.approx(2939.387691)
    assert s.p_value == pytest.approx(0.070484, abs=1e-6)
    nothing = stratified_difference({"X": [5, 1]}, {"Y": [5, 1]}, "proportion")
    assert (nothing.strata, nothing.p_value, nothing.ratio) == (0, None, None)


def test_a_one_case_cell_borrows_its_group_variance() -> None:
    # a: X [2 h], Y [1 h, 3 h] (sample variance of all a's values: 1 h²); b: X [1 h], Y [1 h, 3 h]
    cell = lambda vs: [len(vs), sum(vs), sum(v * v for v in vs)]  # noqa: E731
    a = {"X": cell([2 * H]), "Y": cell([1 * H, 3 * H])}
    b = {"X": cell([1 * H]), "Y": cell([1 * H, 3 * H])}
    s = stratified_difference(a, b, "mean")
    # weights X 1/2, Y 1; difference (1/2·1 h)/(3/2) = 1/3 h
    assert s.difference == pytest.approx(H / 3)
    # X holds one case a side: va = 1 h² (all of a's values 2,1,3), vb = 4/3 h² (b's 1,1,3);
    # Y: each side's variance 2 h² over 2 cases = 1 h². var = ((1/2)²(1 + 4/3) + 1²(1 + 1))/(3/2)²
    expected = ((0.25 * (1 + 4 / 3) + (2 / 2 + 2 / 2)) ** 0.5) * H / 1.5
    assert s.se == pytest.approx(expected)
    assert s.se > 0


# -------------------------------------------------------------------- outcome fairness


def test_outcome_remedy_rate_by_group_with_wilson_intervals() -> None:
    frame = frame_of(REMEDY, min_n=20)
    assert frame.overall == GroupValue(None, 40, 0.4, *wilson_interval(16, 40))
    web = frame.by_group["web"]
    assert (web.n, web.value) == (20, 0.5)
    assert (web.low, web.high) == pytest.approx((0.299298, 0.700702), abs=1e-6)
    assert frame.by_group["phone"].value == 0.3
    (c,) = frame.comparisons()
    # groups in sorted order: phone - web
    assert (c.a, c.b, c.n_a, c.n_b, c.strata) == ("phone", "web", 20, 20, 2)
    assert c.difference == pytest.approx(-0.2)
    assert (c.low, c.high) == pytest.approx((-0.423101, 0.048648), abs=1e-6)
    assert c.ratio == pytest.approx(0.6)
    assert c.p_value == c.p_adjusted == pytest.approx(0.111465, abs=1e-6)
    assert c.verdict == "no_difference"
    assert frame.difference() == pytest.approx(0.2)
    assert frame.ratio() == pytest.approx(0.6)
    assert frame.flags == []


def test_min_group_size_gives_no_verdict() -> None:
    frame = frame_of(REMEDY, min_n=30)  # 20 per side < 30
    (c,) = frame.comparisons()
    assert (c.verdict, c.p_adjusted) == ("insufficient", 1.0)
    assert c.difference == pytest.approx(-0.2)  # still reported, just not judged
    assert frame.difference() is None
    assert frame.ratio() is None
    assert frame.flags == []


def test_stratification_compares_like_with_like() -> None:
    # web handles mostly the easy code X, phone mostly Y; within each code both get the same rate
    records = [
        *remedies("web", "X", 50, 40),
        *remedies("web", "Y", 10, 1),
        *remedies("phone", "X", 10, 8),
        *remedies("phone", "Y", 50, 5),
    ]
    crude = frame_of(records, control=None)
    (c,) = crude.comparisons()
    assert c.difference == pytest.approx(13 / 60 - 41 / 60)
    assert c.verdict == "differs"
    assert crude.flags == [
        "Complaints via phone got a material remedy 46.7 points less often than via web "
        "(difference -46.7 points, 95% CI -60.1 to -29.3; n=60 vs 60; holm-adjusted p=3.11e-07)"
    ]
    stratified = frame_of(records)
    (s,) = stratified.comparisons()
    assert s.difference == pytest.approx(0.0, abs=1e-12)
    assert s.verdict == "no_difference"
    assert stratified.flags == []


def test_remedy_amount_in_one_currency() -> None:
    records = [
        rec(channel="web", resolved_at=T0, remedy="refund", remedy_amount=Decimal("100.5"),
            currency="KRW"),
        rec(channel="web", resolved_at=T0, remedy="apology"),  # no amount: counts as 0
        rec(channel="web", resolved_at=T0, remedy="refund", remedy_amount=Decimal(5),
            currency="USD"),  # another currency: left out
    ]  # fmt: skip
    acc = accumulate(FairnessAccumulator("remedy_amount", currency="KRW", control=None), records)
    assert acc.cells == {"web": {None: (2, 1_005_000, 1_005_000**2)}}
    assert acc.result().by_group["web"].value == 502_500  # in 1/10,000 KRW: 50.25 KRW
    with pytest.raises(InvalidInput, match="needs currency="):
        FairnessAccumulator("remedy_amount")


# ------------------------------------------------------- every metric's eligibility/value

# a: resolved 2 h, waited 30 min, 2 transfers, refund 100 KRW, supervisor asked and honoured,
#    courtesy upheld, happy call: satisfied, CSAT 4
# b: resolved 1 h, apology, supervisor asked not honoured, courtesy not upheld, answered only
# c: open, withdrawn, 1 transfer, waited 10 min
# d: resolved 3 h, rejected, compensation 5 USD, courtesy not upheld, unsatisfied, CSAT 2
A = rec(resolved_at=T0 + timedelta(hours=2), waiting_seconds=1800, transfers=2, remedy="refund",
        remedy_amount=Decimal(100), currency="KRW", supervisor_requested=True,
        supervisor_honoured=True, courtesy=True, courtesy_upheld=True, feedback_responded=True,
        satisfied=True, csat=4)  # fmt: skip
B = rec(resolved_at=T0 + timedelta(hours=1), remedy="apology", supervisor_requested=True,
        courtesy=True, feedback_responded=True)  # fmt: skip
C = rec(stage="withdrawn", withdrawn=True, transfers=1, waiting_seconds=600)
D = rec(resolved_at=T0 + timedelta(hours=3), rejected=True, remedy="compensation",
        remedy_amount=Decimal(5), currency="USD", courtesy=True, feedback_responded=True,
        satisfied=False, csat=2)  # fmt: skip

CELLS = {
    "remedy_rate": (3, 2),
    "remedy_amount": (2, 1_000_000, 10**12),
    "resolution_time": (3, 21_600, 7200**2 + 3600**2 + 10800**2),
    "company_time": (3, 19_800, 5400**2 + 3600**2 + 10800**2),
    "transfers": (4, 3, 5),
    "waiting_time": (4, 2400, 1800**2 + 600**2),
    "withdrawal_rate": (4, 1),
    "supervisor_honoured": (2, 1),
    "courtesy_upheld": (4, 1),
    "courtesy_csat": (2, 6, 20),
    "response_rate": (2, 2),
    "satisfaction": (2, 1),
    "csat": (2, 6, 20),
}


@pytest.mark.parametrize(("metric", "cell"), CELLS.items())
def test_each_metric_counts_the_documented_cases(metric: str, cell: tuple[int, ...]) -> None:
    currency = "KRW" if metric == "remedy_amount" else None
    acc = accumulate(FairnessAccumulator(metric, control=None, currency=currency),  # type: ignore[arg-type]
                     [A, B, C, D])  # fmt: skip
    assert acc.cells == {"web": {None: cell}}
    assert acc.result().spec.dimension == {
        "remedy_rate": "outcome", "remedy_amount": "outcome", "resolution_time": "procedural",
        "company_time": "procedural", "transfers": "procedural", "waiting_time": "procedural",
        "withdrawal_rate": "procedural", "supervisor_honoured": "interactional",
        "courtesy_upheld": "interactional", "courtesy_csat": "interactional",
        "response_rate": "survey", "satisfaction": "survey", "csat": "survey",
    }[metric]  # fmt: skip


def test_records_without_a_group_form_the_unknown_group() -> None:
    records = [A, rec(region="seoul", transfers=1)]
    acc = accumulate(FairnessAccumulator("transfers", by="region", control=None), records)
    assert A.region is None
    assert acc.cells == {"seoul": {None: (1, 1, 1)}, "unknown": {None: (1, 2, 4)}}
    assert acc.result().overall.n == 2
    named = accumulate(
        FairnessAccumulator("transfers", by="region", control=None, missing="(none)"), records
    )
    assert set(named.cells) == {"seoul", "(none)"}


def test_unknown_metric_and_attribute_are_rejected() -> None:
    with pytest.raises(InvalidInput, match="unknown fairness metric 'speed'; allowed: remedy_rate"):
        FairnessAccumulator("speed")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="unknown record attribute 'colour' for by"):
        FairnessAccumulator("csat", by="colour")
    with pytest.raises(InvalidInput, match="unknown method 'pairwise'"):
        frame_of(REMEDY).difference("pairwise")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match="cannot merge fairness accumulators"):
        FairnessAccumulator("csat").merge(FairnessAccumulator("csat", by="segment"))


# ------------------------------------------------------- procedural: times, corrections


def test_procedural_time_group_values_and_normal_interval() -> None:
    frame = frame_of(TIMES, "resolution_time", min_n=3)
    web = frame.by_group["web"]
    # mean 3 h, sd 1 h: 10800 ± t(0.975, 2 df)·3600/√3 = 10800 ± 4.302653·2078.46
    assert (web.n, web.value) == (3, 10_800.0)
    assert (web.low, web.high) == pytest.approx((1857.10, 19742.90), abs=0.01)
    assert frame.overall.value == 10_800.0


def test_between_groups_with_holm() -> None:
    frame = frame_of(TIMES, "resolution_time", min_n=3)
    comps = frame.comparisons()
    assert [(c.a, c.b, c.difference) for c in comps] == [
        ("email", "phone", -7200.0),
        ("email", "web", -3600.0),
        ("phone", "web", 3600.0),
    ]
    assert [c.p_value for c in comps] == pytest.approx([0.070484, 0.287864, 0.287864], abs=1e-6)
    assert [c.p_adjusted for c in comps] == pytest.approx([0.211452, 0.575728, 0.575728],
                                                          abs=1e-6)  # fmt: skip
    assert [c.verdict for c in comps] == ["no_difference"] * 3  # three cases a side: Welch's t
    assert comps[0].ratio == 0.5
    assert frame.difference() == 7200.0
    assert frame.ratio() == 0.5
    assert frame.flags == []
    assert frame.explain(comps[0]) == (
        "Complaints via email waited 2.0 hours less for a resolution than via phone, like for "
        "like by code (difference -2.0 hours, 95% CI -4.3 to 0.3; n=3 vs 3; "
        "holm-adjusted p=0.211)"
    )


def test_correction_changes_the_verdict() -> None:
    strict = frame_of(TIMES, "resolution_time", min_n=3, alpha=0.08)
    assert strict.comparisons()[0].verdict == "no_difference"  # 0.2115 >= 0.08
    assert strict.flags == []
    raw = frame_of(TIMES, "resolution_time", min_n=3, alpha=0.08, correction="none")
    assert raw.comparisons()[0].verdict == "differs"  # 0.0705 < 0.08
    assert raw.flags[0].endswith("(difference -2.0 hours, 95% CI -4.3 to 0.3; n=3 vs 3; p=0.0705)")
    bh = frame_of(TIMES, "resolution_time", min_n=3, correction="bh")
    assert [c.p_adjusted for c in bh.comparisons()] == pytest.approx(
        [0.211452, 0.287864, 0.287864], abs=1e-6
    )


def test_to_overall_compares_each_group_with_all_others() -> None:
    frame = frame_of(TIMES, "resolution_time", min_n=3)
    email = frame.comparisons("to_overall")[0]
    # email [1,2,3] h vs others [3,4,5,2,3,4] h: means 2 h vs 3.5 h; variances of the mean
    # 1/3 and 1.1/6 h², Welch df 4.286351, t(0.975, df) = 2.704803 (scipy)
    assert (email.a, email.b, email.n_a, email.n_b) == ("email", "all others", 3, 6)
    assert email.difference == -5400.0
    assert email.high - email.difference == pytest.approx(6999.117804, rel=1e-6)
    # phone 4 h vs 2.5 h, web 3 h vs 3 h: the largest gap is 1.5 h
    assert [c.difference for c in frame.comparisons("to_overall")] == [-5400.0, 5400.0, 0.0]
    assert frame.difference("to_overall") == 5400.0


def test_flag_wording_by_attribute() -> None:
    records = [*hours("email", [1, 2, 3]), *hours("phone", [3, 4, 5])]
    by_handler = [attrs_evolve(r, handler="kim" if r.channel == "email" else "lee")
                  for r in records]  # fmt: skip
    frame = frame_of(by_handler, "resolution_time", by="handler", min_n=3, alpha=0.08,
                     correction="none")  # fmt: skip
    assert frame.flags[0].startswith(
        "Complaints handled by kim waited 2.0 hours less for a resolution than handled by lee"
    )
    by_segment = [attrs_evolve(r, segment="vip" if r.channel == "email" else "general")
                  for r in records]  # fmt: skip
    frame = frame_of(by_segment, "resolution_time", by="segment", min_n=3, alpha=0.08,
                     correction="none")  # fmt: skip
    assert frame.flags[0].startswith("Complaints with segment general waited 2.0 hours longer")
    assert repr(frame) == (
        "FairnessFrame(metric='resolution_time', by='segment', control='code', groups=2, flags=1)"
    )


def attrs_evolve(r: CaseRecord, **changes: object) -> CaseRecord:
    import attrs

    return attrs.evolve(r, **changes)


def test_fairness_accumulator_merges_and_pickles() -> None:
    left = accumulate(FairnessAccumulator("remedy_rate", min_n=20), REMEDY[:25])
    right = accumulate(FairnessAccumulator("remedy_rate", min_n=20), REMEDY[25:])
    merged = pickle.loads(pickle.dumps(left.merge(right)))
    whole = accumulate(FairnessAccumulator("remedy_rate", min_n=20), REMEDY)
    assert merged.cells == whole.cells
    assert merged.result().comparisons() == whole.result().comparisons()


# ----------------------------------------------------------------------- workload, survey


def test_workload_gini_against_capacity() -> None:
    records = [rec(handlers=hs, handler=hs[-1])
               for hs in [("kim",), ("kim",), ("lee",), ("lee", "kim"), ("lee",)]]  # fmt: skip
    w = accumulate(WorkloadAccumulator(capacity={"kim": 2, "lee": 1, "park": 1}), records).result()
    assert w.assignments == {"kim": 3, "lee": 3, "park": 0}
    assert w.load == {"kim": Fraction(3, 2), "lee": Fraction(3), "park": Fraction(0)}
    # capacity-weighted: the loads per unit of capacity 0, 1.5, 1.5, 3 (kim's capacity is 2):
    # 2·(1·0 + 2·1.5 + 3·1.5 + 4·3)/(4·6) - 5/4 = 3/8
    assert w.gini == pytest.approx(3 / 8)
    assert w.flags == (
        "handler lee carried 3.0 assignments per unit of capacity, 2.0x the mean of 1.5",
    )
    final = accumulate(WorkloadAccumulator(final_only=True), records).result()
    # final handlers: kim, kim, lee, kim, lee; no capacity means 1 each: loads 2, 3 -> Gini 0.1
    assert final.assignments == {"kim": 3, "lee": 2}
    assert final.gini == pytest.approx(0.1)
    assert final.flags == ()
    with pytest.raises(InvalidInput, match="capacity of 'kim' must be positive"):
        WorkloadAccumulator(capacity={"kim": 0})


def test_survey_bias_warnings() -> None:
    records = []
    for i in range(10):
        records.append(rec(segment="vip", resolved_at=T0, feedback_responded=i < 9,
                           csat=5 if i < 9 else None))  # fmt: skip
        records.append(rec(segment="general", resolved_at=T0, feedback_responded=i < 4,
                           csat=3 if i < 2 else None))  # fmt: skip
    records.append(rec(segment="general", withdrawn=True, resolved_at=T0))  # not due a call
    result = accumulate(SurveyBiasAccumulator(by="segment"), records).result()
    assert result.response == {"general": Rate(4, 10), "vip": Rate(9, 10)}
    assert result.overall == Rate(13, 20)
    assert result.csat_mean == {"general": 3.0, "vip": 5.0}
    assert result.warnings == (
        "CSAT with segment general is unreliable: only 40% answered the happy call (4 of 10; "
        "the rule needs 50%)",
        "CSAT with segment general is unreliable: its response rate 40% differs from the "
        "overall 65% by more than 20 points",
        "CSAT with segment vip is unreliable: its response rate 90% differs from the overall 65% "
        "by more than 20 points",
    )
    lenient = accumulate(SurveyBiasAccumulator("segment", min_rate=0.4, max_gap=0.3), records)
    assert lenient.result().warnings == ()
