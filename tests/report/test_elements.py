"""CS points, ideas and institutional improvements in the report, from a real ledger, idea box and
institutional register (tests/report/elements_sample.py), and the every-kind code count."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import attrs
import pytest
from elements_sample import AS_OF, Sample, at, build
from report_sample import sample_report
from rich.console import Console

from ccms.cli.demo_output import print_scoring
from ccms.demo import ScoringSummary, collect
from ccms.errors import InvalidInput, NaiveDatetimeError
from ccms.metrics import CaseRecord
from ccms.model import Actor, ComplaintReceived, Concern, CustomerRef, fold
from ccms.report import (
    Count,
    CsPoints,
    IdeaRow,
    Ideas,
    Institutional,
    InstitutionalRow,
    PointsRow,
    Report,
    RulePoints,
    StageCount,
    build_report,
    render_html,
    render_json,
    render_markdown,
    report_from_store,
)
from ccms.scoring import DEFAULT_RULES, ImprovementBoard, Ledger


@pytest.fixture(scope="module")
def sample() -> Sample:
    return build()


def report_of(sample: Sample, **kw: object) -> Report:
    options: dict[str, object] = {
        "points": sample.ledger,
        "ideas": sample.ideas,
        "institutional": sample.register,
    }
    options.update(kw)
    return sample_report(**options)


# -- CS points ---------------------------------------------------------------------------------


def test_cs_points_section(sample: Sample) -> None:
    p = report_of(sample).points
    assert p is not None
    kim = PointsRow("kim", 42, "commendation", (), (
        RulePoints("training_taken", 2), RulePoints("prevention_completed", 20),
        RulePoints("idea_adopted", 20)))  # fmt: skip
    han = PointsRow("han", 10, None, (), (RulePoints("prevention_completed", 10),))
    # choi's fault was withdrawn: the entry and its reversal both count 0 and are not listed
    choi = PointsRow("choi", 2, None, (), (RulePoints("training_taken", 2),))
    lee = PointsRow("lee", 2, None, (), (RulePoints("training_taken", 2),))
    park = PointsRow("park", -25, None, ("mandatory_training",), (
        RulePoints("fault_upheld", -10), RulePoints("rude_upheld", -15)))  # fmt: skip
    assert p == CsPoints(
        entries=11,  # jung's training of 11-03 is recorded after the cut-off
        agents=5,
        period_good=20 + 10 + 10 + 2 + 2,  # kim's October, lee, choi (Sep entries left out)
        period_bad=-25,  # park; choi's withdrawn fault counts 0
        top=(kim, han, choi),
        bottom=(lee, park),
        tiers=(Count("commendation", 1),),
        consequences=(Count("mandatory_training", 1),),
        rule_set="ccms-2026.1",
    )
    assert len(sample.ledger) == 12
    assert (kim.standing, han.standing, park.standing) == (
        "commendation",
        "-",
        "mandatory_training",
    )


def test_points_are_read_as_of_the_cut_off(sample: Sample) -> None:
    p = report_of(sample, as_of=at(10, 9, 12)).points  # October cut on the 9th at noon
    assert p is not None
    # kim's and han's September entries; choi's and lee's trainings, park's and choi's faults
    assert p.entries == 6
    assert [(r.agent, r.balance) for r in (*p.top, *p.bottom)] == [
        ("han", 10), ("kim", 2), ("lee", 2), ("choi", -8), ("park", -10)]  # fmt: skip
    assert (p.period_good, p.period_bad) == (4, -20)  # choi's fault is not withdrawn yet
    assert p.bottom[0].by_rule == (RulePoints("training_taken", 2), RulePoints("fault_upheld", -10))


def test_points_shown_and_overlap(sample: Sample) -> None:
    p = report_of(sample, points_shown=1).points
    assert p is not None
    assert ([r.agent for r in p.top], [r.agent for r in p.bottom]) == (["kim"], ["park"])
    p = report_of(sample, points_shown=10).points
    assert p is not None
    assert [r.agent for r in p.top] == ["kim", "han", "choi", "lee", "park"]
    assert p.bottom == ()  # every agent is already among the top
    p = report_of(sample, points_shown=0).points
    assert p is not None
    assert (p.top, p.bottom, p.entries) == ((), (), 11)
    for bad in (-1, 1.5, True):
        with pytest.raises(InvalidInput, match="points_shown must be a whole number >= 0"):
            report_of(sample, points_shown=bad)


def test_points_mirror_the_demo_console() -> None:
    """``ccms demo``'s "CS points" table shows the same rows for the same ledger (with nothing
    recorded after its moment, as in the demo)."""
    ledger = build(late=False).ledger
    console = Console(record=True, width=200)
    print_scoring(console, ScoringSummary(now=AS_OF, ledger=ledger, board=ImprovementBoard(),
                                          verified=None))  # fmt: skip
    printed = console.export_text()
    table = [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in printed.splitlines()
        if line.startswith("│")
    ]
    p = build_report([], as_of=AS_OF, points=ledger).points
    assert p is not None
    shown = [[r.agent, f"{r.balance:+d}", r.standing,
              ", ".join(f"{b.rule} {b.points:+d}" for b in r.by_rule)]
             for r in (*p.top, *p.bottom)]  # fmt: skip
    assert table == shown
    assert f"CS points: {p.entries} ledger entries under rule set {p.rule_set} " in printed


def test_a_ledger_without_entries_or_rules_attributes_is_counted_by_len(sample: Sample) -> None:
    ledger = sample.ledger

    class Bare:  # only what LedgerLike requires
        def __len__(self) -> int:
            return 99

        def balances(self, *, now: datetime, period: str | None = None) -> dict[str, int]:
            return ledger.balances(now=now, period=period)

        def standing(self, agent: str, *, now: datetime) -> object:
            return ledger.standing(agent, now=now)

        def explain(self, agent: str, *, now: datetime) -> object:
            return ledger.explain(agent, now=now)

    p = build_report([], as_of=AS_OF, points=Bare()).points  # type: ignore[arg-type]
    full = build_report([], as_of=AS_OF, points=ledger).points
    assert p is not None
    assert full is not None
    assert (p.entries, p.rule_set) == (99, None)
    assert attrs.evolve(p, entries=full.entries, rule_set=full.rule_set) == full


def test_no_ledger_and_an_empty_ledger() -> None:
    assert build_report([], as_of=AS_OF).points is None
    p = build_report([], as_of=AS_OF, points=Ledger(DEFAULT_RULES)).points
    assert p == CsPoints(0, 0, 0, 0, (), (), rule_set="ccms-2026.1")


# -- ideas ---------------------------------------------------------------------------------------


def test_ideas_section(sample: Sample) -> None:
    d = report_of(sample).ideas
    assert (d.total, d.proposed, d.reviewed, d.adopted, d.declined, d.pending) == (5, 3, 2, 1, 1, 3)
    assert d.by_stage == (
        StageCount("proposed", 2, 0, 2),  # IDEA-3, and IDEA-5 (reviewed only after the cut-off)
        StageCount("under_review", 0, 1, 1),  # IDEA-4
        StageCount("adopted", 0, 1, 1),  # IDEA-1, proposed in September
        StageCount("declined", 1, 0, 1),  # IDEA-2
    )  # IDEA-6 is proposed after the cut-off
    assert d.rows == (
        IdeaRow("IDEA-1", "Photo upload for damage claims", "kim", "cs", date(2026, 9, 25),
                "adopted", date(2026, 10, 10)),
        IdeaRow("IDEA-2", "Night-shift refund desk", "lee", None, date(2026, 10, 5), "declined",
                date(2026, 10, 20)),
        IdeaRow("IDEA-3", "Courier rating | *stars*", "choi", None, date(2026, 10, 22),
                "proposed", None),
        IdeaRow("IDEA-5", "Callback slots", "han", None, date(2026, 10, 28), "proposed", None),
    )  # fmt: skip
    assert sum(s.total for s in d.by_stage) == d.total
    assert sum(s.in_period for s in d.by_stage) == d.proposed


def test_ideas_without_steps_are_counted_in_their_current_stage() -> None:
    @attrs.frozen
    class Plain:  # no steps, no proposer
        id: str
        title: str
        stage: str
        created_at: datetime
        updated_at: datetime

    ideas = [
        Plain("A", "a", "adopted", at(9, 1), at(10, 3)),
        Plain("B", "b", "withdrawn_by_host", at(10, 2), at(10, 2)),  # a stage of the host's own
        Plain("C", "c", "under_review", at(9, 1), at(9, 2)),
    ]
    d = build_report([], as_of=AS_OF, ideas=ideas).ideas
    assert d.by_stage == (
        StageCount("proposed", 0, 0, 0),
        StageCount("under_review", 0, 1, 1),
        StageCount("adopted", 0, 1, 1),
        StageCount("declined", 0, 0, 0),
        StageCount("withdrawn_by_host", 1, 0, 1),
    )
    assert (d.adopted, d.reviewed, d.pending) == (1, 0, 1)
    assert [(r.id, r.proposer, r.decided) for r in d.rows] == [
        ("A", None, date(2026, 10, 3)), ("B", None, None)]  # fmt: skip


def test_naive_item_dates_are_refused() -> None:
    @attrs.frozen
    class Naive:
        id: str = "X"
        title: str = "x"
        stage: str = "proposed"
        created_at: datetime = datetime(2026, 10, 1)
        updated_at: datetime = datetime(2026, 10, 1)

    with pytest.raises(NaiveDatetimeError, match="idea created_at"):
        build_report([], as_of=AS_OF, ideas=[Naive()])


# -- institutional improvements ------------------------------------------------------------------


def test_institutional_section(sample: Sample) -> None:
    n = report_of(sample).institutional
    assert (n.total, n.discovered, n.open) == (5, 3, 3)
    # INS-2 accept+plan, INS-3 reject, INS-4 report+feed back+teach, INS-5 accept+plan
    assert n.moved == 8
    zero = {"discovered", "accepted", "executed", "reported", "fed_back"}
    assert {s.stage: (s.in_period, s.before) for s in n.by_stage if s.stage not in zero} == {
        "rejected": (1, 0), "planned": (2, 1), "taught": (0, 1)}  # fmt: skip
    assert [s.stage for s in n.by_stage] == [
        "discovered", "accepted", "rejected", "planned", "executed", "reported", "fed_back",
        "taught"]  # fmt: skip
    assert n.overdue == (
        InstitutionalRow("INS-1", "Return shipping charged", "logistics / lee", "short",
                         date(2026, 10, 15), 16),
        # executed on 11-05, after the cut-off: planned and overdue at 11-01
        InstitutionalRow("INS-5", "Warranty needs the box", "rnd / lee", "short",
                         date(2026, 10, 25), 6),
    )  # fmt: skip
    assert [i.id for i in sample.register.overdue(AS_OF)] == ["INS-1"]  # today INS-5 is executed


def test_institutional_as_of_mid_period(sample: Sample) -> None:
    n = report_of(sample, as_of=at(10, 6, 12)).institutional
    assert (n.total, n.discovered, n.open) == (4, 2, 4)  # INS-5 is found on 10-20
    stages = {s.stage: s.total for s in n.by_stage if s.total}
    # INS-3 is rejected on 10-07 and INS-4 taught on 10-07: later than the cut-off
    assert stages == {"planned": 2, "discovered": 1, "fed_back": 1}
    assert n.moved == 4  # INS-2 accept+plan, INS-4 report+feed back
    assert [r.id for r in n.overdue] == []  # INS-1 is due 10-15


# -- the report as a whole -----------------------------------------------------------------------


def test_highlights_mention_the_elements(sample: Sample) -> None:
    lines = report_of(sample).highlights()
    assert lines[-3:] == (
        "CS points: 11 ledger entries; +44 good and -25 bad points earned in 2026-10; highest kim "
        "+42; mandatory_training due for 1 agent.",
        "Ideas: 3 proposed in 2026-10, 1 adopted and 1 declined; 3 awaiting a decision.",
        "Institutional improvements: 5 items, 3 open, 2 planned items overdue.",
    )
    assert len(sample_report().highlights()) == len(lines) - 3


def test_markdown_shows_the_elements(sample: Sample) -> None:
    md = render_markdown(report_of(sample))
    lines = md.splitlines()
    assert [line for line in lines if line.startswith("## ")][-3:] == [
        "## CS points", "## Ideas", "## Institutional improvements"]  # fmt: skip
    assert "| agent | points | standing | points by rule |" in lines
    assert "|---|---:|---|---|" in lines
    assert ("| kim | +42 | commendation | training_taken +2, prevention_completed +20, "
            "idea_adopted +20 |") in lines  # fmt: skip
    assert "| park | -25 | mandatory_training | fault_upheld -10, rude_upheld -15 |" in lines
    assert "| proposed | 2 | 0 | 2 |" in lines
    assert (
        "| IDEA-3 | Courier rating \\| \\*stars\\* | choi | - | 2026-10-22 | proposed | - |"
        in lines
    )
    assert "| planned | 2 | 1 | 3 |" in lines
    assert (
        "| INS-1 | Return shipping charged | logistics / lee | short | 2026-10-15 | 16 |" in lines
    )
    assert md.endswith("| INS-5 | Warranty needs the box | rnd / lee | short | 2026-10-25 | 6 |\n")


def test_html_shows_the_elements(sample: Sample) -> None:
    page = render_html(report_of(sample))
    for heading in ("CS points", "Ideas", "Institutional improvements"):
        assert f"<h2>{heading}</h2>" in page
    assert '<td>kim</td><td class="num">+42</td><td>commendation</td>' in page
    assert "<td>Courier rating | *stars*</td>" in page
    assert "<td>INS-5</td><td>Warranty needs the box</td><td>rnd / lee</td>" in page
    assert page.count('src="data:image/svg+xml') == 4


def test_nothing_to_show_is_said_plainly() -> None:
    r = build_report([], as_of=AS_OF)
    md = render_markdown(r)
    assert "No CS-point ledger was given for this report." in md
    assert "No idea was proposed by 2026-11-01 00:00." in md
    assert "No institutional-improvement item was recorded by 2026-11-01 00:00." in md
    page = render_html(r)
    assert '<p class="none">No CS-point ledger was given for this report.</p>' in page
    assert '<p class="none">No idea was proposed by 2026-11-01 00:00.</p>' in page
    empty = render_markdown(build_report([], as_of=AS_OF, points=Ledger(DEFAULT_RULES)))
    assert "The CS-point ledger held no entries at 2026-11-01 00:00." in empty
    assert not any(
        line.startswith(("CS points", "Ideas", "Institutional")) for line in r.highlights()
    )


def test_json_keys(sample: Sample) -> None:
    doc = json.loads(render_json(report_of(sample)))
    p, d, n = doc["points"], doc["ideas"], doc["institutional"]
    assert (p["entries"], p["agents"], p["period_good"], p["period_bad"]) == (11, 5, 44, -25)
    assert p["rule_set"] == "ccms-2026.1"
    assert p["top"][0] == {
        "agent": "kim", "balance": 42, "tier": "commendation", "consequences": [],
        "by_rule": [{"rule": "training_taken", "points": 2},
                    {"rule": "prevention_completed", "points": 20},
                    {"rule": "idea_adopted", "points": 20}]}  # fmt: skip
    assert [r["agent"] for r in p["bottom"]] == ["lee", "park"]
    assert p["tiers"] == [{"key": "commendation", "count": 1}]
    assert p["consequences"] == [{"key": "mandatory_training", "count": 1}]
    assert {s["stage"]: s["total"] for s in d["by_stage"]} == {
        "proposed": 2, "under_review": 1, "adopted": 1, "declined": 1}  # fmt: skip
    assert (d["total"], d["proposed"], d["adopted"], d["declined"], d["pending"]) == (5, 3, 1, 1, 3)
    assert d["rows"][0] == {"id": "IDEA-1", "title": "Photo upload for damage claims",
                            "proposer": "kim", "department": "cs", "proposed": "2026-09-25",
                            "stage": "adopted", "decided": "2026-10-10"}  # fmt: skip
    assert (n["total"], n["discovered"], n["open"], n["moved"]) == (5, 3, 3, 8)
    assert n["overdue"][0]["due"] == "2026-10-15"
    assert {s["stage"]: s["in_period"] for s in n["by_stage"]}["planned"] == 2
    assert json.loads(render_json(build_report([], as_of=AS_OF)))["points"] is None


def test_no_personal_data_beyond_employee_ids(sample: Sample) -> None:
    """Idea texts, rules of institutional items and decision notes stay out of the report."""
    doc = render_json(report_of(sample))
    for text in ("too costly", "rule of ", "policy change", "carrier contract"):
        assert text not in doc


def test_report_from_store_passes_the_elements_through(sample: Sample) -> None:
    t = at(10, 7)
    events = [ComplaintReceived(complaint_id="c1", version=1, at=t, actor=Actor.system(),
              stage="received", received_at=t, channel="web", customer=CustomerRef(id="k1"),
              concerns=(Concern(kind="complaint", code="PRD.DEF", text="broken"),))]  # fmt: skip

    class OneComplaint:
        def query(self, **filters: object) -> list[object]:
            return [fold(events)]

        def events(self, complaint_id: str) -> list[object]:
            return events

    r = report_from_store(OneComplaint(), period="month", zone="UTC", points=sample.ledger,  # type: ignore[arg-type]
                          ideas=sample.ideas, institutional=sample.register)  # fmt: skip
    assert r.period.label == "2026-10"
    direct = build_report([], period="month", start=date(2026, 10, 1), zone="UTC",
                          points=sample.ledger, ideas=sample.ideas,
                          institutional=sample.register)  # fmt: skip
    assert (r.points, r.ideas, r.institutional) == (direct.points, direct.ideas,
                                                    direct.institutional)  # fmt: skip
    plain = report_from_store(OneComplaint(), period="month", zone="UTC")  # type: ignore[arg-type]
    assert (plain.points, plain.ideas, plain.institutional) == (None, Ideas(), Institutional())


# -- the code count of ccms demo ------------------------------------------------------------------


def test_every_kind_code_count_is_the_demo_definition_in_the_period() -> None:
    r = sample_report()
    i = r.issues
    # The covered count (complaints, unclassified as one concern) is unchanged ...
    assert [(c.code, c.count) for c in i.pareto] == [
        ("DLV.LATE", 12), ("PAY.REFUND", 3), ("(unclassified)", 1), ("PRD.DEF", 1),
        ("SVC.ATT", 1)]  # fmt: skip
    # ... and every kind's classified concerns: the inquiry's code in, the unclassified one out
    assert i.by_code_all_kinds == (
        Count("DLV.LATE", 12), Count("PAY.REFUND", 3), Count("INQ.ORDER", 1), Count("PRD.DEF", 1),
        Count("SVC.ATT", 1))  # fmt: skip
    assert i.concerns_all_kinds == 18
    md = render_markdown(r).splitlines()
    assert ("Classified concerns of every VOC kind, by code (as the ccms demo console counts "
            "them; top 5 of 5 codes, 18 concerns):") in md  # fmt: skip
    assert "| INQ.ORDER | 1 | 0 |" in md
    doc = json.loads(render_json(r))
    assert doc["issues"]["by_code_all_kinds"][2] == {"key": "INQ.ORDER", "count": 1}
    assert doc["issues"]["concerns_all_kinds"] == 18


def test_every_kind_code_count_matches_the_demo_console_on_a_store() -> None:
    """The console's "Top VOC codes (concerns)" table and ``issues.by_code_all_kinds`` count the
    same concerns when the store holds only the period (labels aside: the console adds names)."""
    t = at(10, 7)

    def received(cid: str, concerns: tuple[Concern, ...]) -> ComplaintReceived:
        return ComplaintReceived(complaint_id=cid, version=1, at=t, actor=Actor.system(),
                                 stage="received", received_at=t, channel="web",
                                 customer=CustomerRef(id=f"k-{cid}"), concerns=concerns)  # fmt: skip

    events = {
        "c1": [received("c1", (Concern(kind="complaint", code="PRD.DEF", text="x"),
                               Concern(kind="inquiry", code="INQ.ORDER", text="y")))],
        "c2": [received("c2", (Concern(kind="praise", code="PRS.STAFF", text="z"),))],
        "c3": [received("c3", (Concern(kind="complaint", text="no code"),
                               Concern(kind="complaint", code="PRD.DEF", text="w")))],
        "c4": [received("c4", (Concern(kind="complaint", text="nothing classified"),))],
    }  # fmt: skip

    class Store:
        def query(self, **filters: object) -> list[object]:
            return [fold(e) for e in events.values()]

        def events(self, complaint_id: str) -> list[object]:
            return events[complaint_id]

    class DeskLike:  # what collect reads
        store = Store()
        taxonomy = None
        sweepers = ()

    summary = collect(DeskLike(), now=AS_OF)  # type: ignore[arg-type]
    r = report_from_store(Store(), period="month", zone="UTC")  # type: ignore[arg-type]
    assert dict(summary.codes) == {c.key: c.count for c in r.issues.by_code_all_kinds}
    assert dict(summary.codes) == {"PRD.DEF": 2, "INQ.ORDER": 1, "PRS.STAFF": 1}
    # The report's own section counts complaint records only, with (unclassified):
    assert {c.code: c.count for c in r.issues.pareto} == {
        "PRD.DEF": 2, "INQ.ORDER": 1, "(unclassified)": 1}  # fmt: skip


def test_every_kind_count_follows_code_level() -> None:
    t = datetime(2026, 10, 5, tzinfo=UTC)
    rs = [CaseRecord(id="a", received_at=t, channel="web", kind="praise", severity="low",
                     segment="general", stage="closed", codes=("PRS.STAFF", "PRS.SHOP"))]  # fmt: skip
    i = build_report(rs, as_of=AS_OF, code_level=1).issues
    assert (i.concerns, i.by_code_all_kinds, i.concerns_all_kinds) == (0, (Count("PRS", 2),), 2)
    md = render_markdown(build_report(rs, as_of=AS_OF))
    assert "| PRS.SHOP | 1 | 0 |" in md
