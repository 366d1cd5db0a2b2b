"""Copies of models never answer from the original's cached lookups."""

from __future__ import annotations

from datetime import date

from ccms.model import Agent, Department, Organization, Taxonomy


def test_an_updated_organization_copy_reads_its_own_agents():
    org = Organization(
        departments=[Department(id="cs", name="CS")],
        agents=[Agent(id="kim", name="Kim", department="cs")],
    )
    assert org.agent("kim").active  # fills the original's cached index
    retired = org.agents[0].model_copy(update={"active": False})
    copy = org.model_copy(update={"agents": (retired,)})
    assert copy.agent("kim").active is False
    assert org.agent("kim").active is True


def test_an_updated_taxonomy_copy_reads_its_own_codes():
    tax = Taxonomy().add("PRD", "Product", effective=date(2025, 1, 1))
    assert "PRD" in tax
    empty = tax.model_copy(update={"codes": ()})
    assert "PRD" not in empty
    assert "PRD" in tax


def test_a_model_built_from_validated_values_equals_the_validated_one():
    from datetime import UTC, datetime

    from ccms.model import Complaint, Concern, CustomerRef

    values = {
        "id": "C-1", "version": 1, "received_at": datetime(2026, 3, 2, 9, tzinfo=UTC),
        "updated_at": datetime(2026, 3, 2, 9, tzinfo=UTC), "channel": "web",
        "customer": CustomerRef(id="CUST-1"), "concerns": (Concern(kind="complaint", text="x"),),
        "stage": "received",
    }  # fmt: skip
    validated = Complaint(**values)
    values["channel"] = validated.channel  # the enum the validation makes of "web"
    built = Complaint._from_validated(values)
    assert built == validated
    assert built.model_dump() == validated.model_dump()
    assert built.model_fields_set == validated.model_fields_set
    # a mutable default is each instance's own, as pydantic makes it
    other = Complaint._from_validated(values)
    assert built.attributes == {}
    assert built.attributes is not other.attributes
