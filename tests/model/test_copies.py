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
