"""Report options for imported data: the one timely figure, fairness by any field, source-field
breakdowns, code names, time to close and the period of every complaint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ccms.errors import InvalidInput
from ccms.metrics import CaseRecord
from ccms.report import (
    UNKNOWN_GROUP,
    build_report,
    code_name,
    render_html,
    render_json,
    render_markdown,
)

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


def _records(n: int = 40, **kw: Any) -> list[CaseRecord]:
    out = []
    for i in range(n):
        t = datetime(2026, 10, 1 + i % 28, 9, tzinfo=UTC)
        base: dict[str, Any] = {
            "channel": "web" if i % 2 else "phone",
            "kind": "complaint",
            "severity": "low",
            "segment": "general",
            "stage": "closed",
            "code": "MORTGAGE.ESCROW" if i % 3 else "DEBT",
            "codes": ("MORTGAGE.ESCROW",) if i % 3 else ("DEBT",),
            "resolved_at": t + timedelta(hours=2),
            "closed_at": t + timedelta(hours=3),
            "remedy": "compensation" if i % 4 == 0 else "explanation",
        }
        base.update(kw)
        out.append(CaseRecord(id=f"c{i}", received_at=t, **base))
    return out


def _attributes(n: int = 40) -> dict[str, dict[str, Any]]:
    states = ["CA", "NY", "", "TX"]
    out: dict[str, dict[str, Any]] = {}
    for i in range(n):
        a: dict[str, Any] = {"reported_timely": "yes" if i % 5 else "no"}
        if states[i % 4]:
            a["state"] = states[i % 4]
        if i == 7:
            a["reported_timely"] = "unknown"
        out[f"c{i}"] = a
    return out


def test_the_source_flag_is_the_one_timely_figure() -> None:
    report = build_report(_records(), as_of=AS_OF, attributes=_attributes())
    h = report.handling
    flags = [a["reported_timely"] for a in _attributes().values()]
    yes, no = flags.count("yes"), flags.count("no")
    assert (h.timely.successes, h.timely.n, h.timely_basis) == (yes, yes + no, "reported")
    assert "1 without a flag not counted" in h.timely_definition
    md = render_markdown(report)
    assert md.count("timely response (source-reported)") == 1
    assert "within 15 days" not in md
    assert "Timely response: 79% (31 of 39); source-reported" in md
    assert "source-reported" in render_html(report)


def test_the_sla_tables_timely_target_when_there_is_no_flag() -> None:
    records = _records(sla_met=("timely_response",))
    records[0] = CaseRecord(**{**_fields(records[0]), "sla_met": (),
                               "sla_breached": ("timely_response",)})  # fmt: skip
    h = build_report(records, as_of=AS_OF).handling
    (target,) = [s for s in h.sla if s.target == "timely_response"]
    assert h.timely_basis == "sla"
    assert h.timely == target.rate  # the same figure as the SLA table's line: never two
    assert (h.timely.successes, h.timely.n) == (39, 40)
    md = render_markdown(build_report(records, as_of=AS_OF))
    assert "timely response (SLA target timely_response) | 98% (39 of 40)" in md


def test_no_timely_line_without_a_flag_or_a_target() -> None:
    report = build_report(_records(), as_of=AS_OF)
    assert report.handling.timely_basis == "none"
    assert report.handling.timely.n == 0
    md = render_markdown(report)
    assert "timely" not in md.lower().replace("timely_response", "")


def _fields(r: CaseRecord) -> dict[str, Any]:
    import attrs

    return attrs.asdict(r, recurse=False)


def test_fairness_by_an_imported_field_keeps_the_missing_values() -> None:
    attributes = _attributes()
    report = build_report(_records(), as_of=AS_OF, attributes=attributes,
                          fairness_by=("state",), fairness_metrics=("remedy_rate",),
                          min_n=5)  # fmt: skip
    f = report.fairness
    assert f.tested == ("remedy_rate by state",)
    groups = {g.group: g.n for g in f.gaps}
    assert UNKNOWN_GROUP in groups  # the complaints without a state are a group, not dropped
    assert sum(groups.values()) == 40
    with pytest.raises(InvalidInput, match="fairness_by field 'state' is neither"):
        build_report(_records(), as_of=AS_OF, fairness_by=("state",))
    with pytest.raises(
        InvalidInput, match=r"breakdowns field 'county' .* attributes: reported_timely, state"
    ):
        build_report(_records(), as_of=AS_OF, attributes=attributes, breakdowns=("county",))


def test_fairness_by_a_record_field_with_none_counts_it_as_unknown() -> None:
    records = _records(region=None)[:20] + _records(region="Seoul")[20:]
    report = build_report(records, as_of=AS_OF, fairness_by=("region",),
                          fairness_metrics=("remedy_rate",), min_n=5)  # fmt: skip
    assert {g.group: g.n for g in report.fairness.gaps} == {UNKNOWN_GROUP: 20, "Seoul": 20}


def test_breakdowns_count_every_record_with_its_monetary_share() -> None:
    report = build_report(_records(), as_of=AS_OF, attributes=_attributes(),
                          breakdowns={"state": "State", "channel": "channel"})  # fmt: skip
    state, channel = report.fields
    assert (state.field, state.label, state.total) == ("state", "State", 40)
    rows = {v.value: (v.count, v.monetary) for v in state.values}
    # state by i % 4 (CA, NY, none, TX); monetary relief when i % 4 == 0: every CA complaint
    assert rows == {"CA": (10, 10), "NY": (10, 0), UNKNOWN_GROUP: (10, 0), "TX": (10, 0)}
    assert {v.value: v.monetary_share for v in state.values}["CA"] == 1.0
    assert {v.value: v.count for v in channel.values} == {"phone": 20, "web": 20}
    assert '"label": "State"' in render_json(report)
    assert "## Source fields" in render_markdown(report)


def test_code_names_are_shown_beside_the_codes() -> None:
    names = {"MORTGAGE": "Mortgage", "MORTGAGE.ESCROW": "Escrow trouble"}
    assert code_name("MORTGAGE.ESCROW", names) == "Mortgage > Escrow trouble"
    assert code_name("DEBT", names) is None
    report = build_report(_records(), as_of=AS_OF, code_names=names)
    top = {c.code: c.name for c in report.issues.top}
    assert top == {"MORTGAGE.ESCROW": "Mortgage > Escrow trouble", "DEBT": None}
    md = render_markdown(report)
    assert "| code | name | concerns |" in md
    assert r"| MORTGAGE.ESCROW | Mortgage \> Escrow trouble | 26 |" in md  # > escaped
    assert r"Top issue: MORTGAGE.ESCROW (Mortgage \> Escrow trouble)" in md
    assert "| code | concerns |" in render_markdown(build_report(_records(), as_of=AS_OF))


def test_time_to_close_beside_time_to_resolve() -> None:
    h = build_report(_records(), as_of=AS_OF).handling
    assert (h.resolution.n, h.resolution.mean) == (40, 7200.0)
    assert (h.closure.n, h.closure.mean) == (40, 10800.0)
    md = render_markdown(build_report(_records(), as_of=AS_OF))
    assert "| time to close (mean / median / p90) | 3h 0m / 3h 0m / 3h 0m |" in md


def test_period_all_spans_every_complaint() -> None:
    from ccms.interop import HistoricalComplaint, import_history
    from ccms.report import report_from_store
    from ccms.store import InMemoryStore

    store = InMemoryStore()
    rows = [
        HistoricalComplaint(source="t", source_id=str(i), zone="America/New_York",
                            received_at=datetime(2024, 1 + i, 3).date(), channel="web",
                            outcome="explanation", codes=("X",),
                            attributes={"state": "CA" if i else ""})
        for i in range(6)
    ]  # fmt: skip
    import_history(store, rows, as_of=AS_OF)
    report = report_from_store(store, period="all", zone="America/New_York",
                               breakdowns=("state",))  # fmt: skip
    assert report.period.label == "2024-01-03 to 2024-06-03"
    assert report.title == "VOC report 2024-01-03 to 2024-06-03"
    assert report.volume.covered == 6
    assert {v.value: v.count for v in report.fields[0].values} == {"CA": 5, UNKNOWN_GROUP: 1}
