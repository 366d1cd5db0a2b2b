"""Invariants of build_report over generated case records (January to March 2026)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from ccms.metrics import CaseRecord
from ccms.report import Report, build_report, render_markdown
from ccms.testing.strategies import case_records_lists

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)  # reports February, compared with January
FEB, MAR = datetime(2026, 2, 1, tzinfo=UTC), AS_OF


def report_of(records: list[CaseRecord], **kw: object) -> Report:
    return build_report(records, as_of=AS_OF, **kw)  # type: ignore[arg-type]


@given(case_records_lists(max_size=15))
def test_sections_agree_with_each_other_and_with_a_direct_count(records: list[CaseRecord]) -> None:
    r = report_of(records)
    v, i, h = r.volume, r.issues, r.handling
    february = [x for x in records if FEB <= x.received_at < MAR]
    complaints = [x for x in february if x.kind == "complaint"]
    assert v.total == len(february) == sum(c.count for c in v.by_kind)
    assert v.covered == len(complaints) == h.received
    assert v.covered == sum(p.count for p in v.trend) == sum(c.count for c in v.by_channel)
    assert i.concerns == sum(max(1, len(x.codes)) for x in complaints)
    assert i.concerns == sum(c.count for c in i.pareto)
    counts = [c.count for c in i.pareto]
    assert counts == sorted(counts, reverse=True)
    if i.pareto:
        assert abs(i.pareto[-1].cumulative - 1.0) < 1e-9
        k = len(i.vital_few)
        assert i.vital_few == tuple(c.code for c in i.pareto[:k])
        assert i.pareto[k - 1].cumulative >= 0.8 - 1e-9
        assert k == 1 or i.pareto[k - 2].cumulative < 0.8 - 1e-9
    open_at = [
        x for x in records
        if x.kind == "complaint" and x.received_at <= AS_OF
        and (x.closed_at is None or x.closed_at > AS_OF)
    ]  # fmt: skip
    assert h.backlog.open == len(open_at)
    assert h.backlog_overdue + h.backlog_on_track <= h.backlog.open
    assert all(s.met + s.breached == s.rate.n for s in h.sla)
    assert render_markdown(r).startswith("# Monthly VOC report 2026-02\n")
    # every kind's classified concerns (the ccms demo console's count), none unclassified
    every = [c for x in february for c in (x.codes or ((x.code,) if x.code is not None else ()))]
    assert i.concerns_all_kinds == len(every) == sum(c.count for c in i.by_code_all_kinds)
    assert {c.key: c.count for c in i.by_code_all_kinds} == dict(Counter(every))
    covered = {c.code: c.count for c in i.pareto}
    assert all(covered.get(c.key, 0) <= c.count for c in i.by_code_all_kinds)


@given(case_records_lists(max_size=12), st.data())
def test_order_and_split_do_not_matter(records: list[CaseRecord], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(records))
    keep = data.draw(st.lists(st.booleans(), min_size=len(records), max_size=len(records)))
    kept = [x for x, k in zip(shuffled, keep, strict=True) if k]
    apart = [x for x, k in zip(shuffled, keep, strict=True) if not k]
    expected = report_of(records)
    assert report_of(shuffled) == expected
    assert report_of(kept, previous=apart) == expected
