"""The host's own company: who works where, its VOC codes and its working hours.

A real host loads these from its HR system and its configuration; here they are a few lines of
data, enough for every command of the API to have somebody to route to.
"""

from __future__ import annotations

from datetime import date

from ccms.model import Agent, Department, Organization, Role, Taxonomy
from ccms.policy import BusinessCalendar

__all__ = ["TIMEZONE", "calendar", "organization", "taxonomy"]

TIMEZONE = "Asia/Seoul"

_SINCE = date(2025, 1, 1)


def organization() -> Organization:
    """Customer service and quality, each with handlers and a supervisor."""
    return Organization(
        departments=[
            Department(id="cs", name="Customer service", head="park"),
            Department(id="qa", name="Quality", head="choi"),
        ],
        agents=[
            Agent(id="kim", name="Kim", department="cs"),
            Agent(id="lee", name="Lee", department="cs", languages={"ko", "en"}),
            Agent(id="park", name="Park", department="cs", role=Role.SUPERVISOR),
            Agent(id="han", name="Han", department="qa"),
            Agent(id="choi", name="Choi", department="qa", role=Role.SUPERVISOR),
        ],
    )


def taxonomy() -> Taxonomy:
    """Delivery and product codes; product complaints go to quality by default."""
    return (
        Taxonomy()
        .add("DLV", "Delivery", effective=_SINCE)
        .add("DLV.LATE", "Late delivery", effective=_SINCE)
        .add("PRD", "Product", effective=_SINCE, defaults={"department": "qa"})
        .add("PRD.DEF", "Defect", effective=_SINCE)
        .add("INQ", "Inquiry", effective=_SINCE)
        .add("INQ.PRODUCT", "Product inquiry", effective=_SINCE)
    )


def calendar() -> BusinessCalendar:
    """Weekdays 09:00-18:00 in Seoul, Korean public holidays closed."""
    return BusinessCalendar(TIMEZONE, {"mon-fri": [("09:00", "18:00")]}, holidays="KR")
