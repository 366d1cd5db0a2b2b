"""The stages in which SLA clocks pause have one home: the workflow's ``StageSpec(paused=True)``.

The policy layer sits below the workflow and cannot read it, so ``DEFAULT_PAUSE_STAGES`` (the
SLA targets' default) and the metrics' waiting stage are checked against the default workflow here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ccms.metrics.records import WAITING_STAGE
from ccms.model import Actor, ComplaintReceived, Concern, CustomerRef, Resumed, WaitingOnCustomer
from ccms.model import fold as fold_events
from ccms.policy.sla import DEFAULT_PAUSE_STAGES, SlaTable, SlaTarget, evaluate_sla
from ccms.workflow import default_workflow
from ccms.workflow.default import voc_definition

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_the_sla_default_pauses_where_the_default_workflow_says() -> None:
    assert frozenset(DEFAULT_PAUSE_STAGES) == voc_definition().paused_stages
    assert frozenset(DEFAULT_PAUSE_STAGES) == default_workflow().definition.paused_stages
    assert SlaTarget(name="resolution", duration=timedelta(hours=1)).pause == (DEFAULT_PAUSE_STAGES)


def test_the_metrics_waiting_stage_is_a_paused_stage() -> None:
    assert WAITING_STAGE in voc_definition().paused_stages


def test_a_clock_pauses_in_every_stage_the_workflow_marks_paused() -> None:
    for stage in sorted(voc_definition().paused_stages):
        events = [
            ComplaintReceived(
                complaint_id="c1",
                version=1,
                at=T0,
                actor=Actor.system(),
                stage="received",
                received_at=T0,
                channel="phone",
                customer=CustomerRef(id="u1"),
                concerns=(Concern(kind="complaint", text="broken"),),
            ),
            WaitingOnCustomer(
                complaint_id="c1",
                version=2,
                at=T0 + timedelta(hours=1),
                actor=Actor.system(),
                stage=stage,
            ),
            Resumed(
                complaint_id="c1",
                version=3,
                at=T0 + timedelta(hours=5),
                actor=Actor.system(),
                stage="in_progress",
            ),
        ]
        table = SlaTable(version="v1", rows=[{"targets": {"resolution": "48h"}}])
        state = evaluate_sla(fold_events(events), events, T0 + timedelta(hours=6), table)
        assert state["resolution"].paused_total == timedelta(hours=4), stage
        assert state["resolution"].elapsed == timedelta(hours=2), stage


def test_the_standard_desk_pauses_its_sla_clocks_where_its_workflow_says() -> None:
    from ccms.desk import Desk
    from ccms.model import Department, Organization
    from ccms.policy import BusinessCalendar, SlaPolicy
    from ccms.store import InMemoryStore
    from ccms.workflow import StageSpec, Workflow

    base = voc_definition()
    parcel = StageSpec(name="awaiting_parcel", paused=True, description="waiting on a parcel")
    definition = base.model_copy(update={"stages": (*base.stages, parcel)})
    org = Organization(departments=[Department(id="cs", name="CS")])
    calendar = BusinessCalendar.always_open("UTC")

    def pauses(workflow: Workflow | None) -> set[tuple[str, ...]]:
        desk = Desk.standard(
            InMemoryStore(), organization=org, taxonomy=None, calendar=calendar, workflow=workflow
        )
        (sla,) = [s for s in desk.sweepers if isinstance(s, SlaPolicy)]
        return {t.pause for row in sla.table.rows for t in row.targets}

    assert pauses(None) == {DEFAULT_PAUSE_STAGES}
    assert pauses(Workflow(definition)) == {("awaiting_parcel", "waiting_on_customer")}
