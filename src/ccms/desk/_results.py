"""Private: registering a result against the remedy standards (분쟁해결기준) the Desk is given.

:class:`RemedyCase` is what the standard is looked up by (product category, defect kind,
purchase date, the date the defect was reported, earlier repairs of it); :func:`applied_standard`
compares the remedy with the standard and returns the :class:`~ccms.model.AppliedStandard`
recorded on the ``result_registered`` event; :func:`check_below` runs the ``remedy_standard``
guard for a workflow whose ``register_result`` does not name it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Final

import attrs

from ccms.errors import GuardRejected, InvalidInput
from ccms.model import Actor, AppliedStandard, Complaint, DomainEvent, Organization, RemedyKind
from ccms.policy.remedy_standards import RemedyStandards, check_remedy
from ccms.workflow import Command, Workflow
from ccms.workflow.guards import GuardContext, remedy_standard

__all__ = ["CASE_ATTRIBUTES", "RemedyCase", "applied_standard", "check_below"]

#: The complaint attributes a case is read from when ``register_result`` is given none.
CASE_ATTRIBUTES: Final[Mapping[str, str]] = {
    "category": "product_category",
    "defect": "defect",
    "purchased_on": "purchased_on",
    "repairs": "repairs",
}


def _day(value: object) -> date:
    if isinstance(value, datetime):
        raise InvalidInput(f"a remedy case takes dates, not datetimes, got {value!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(f"a remedy case's date must be a date or YYYY-MM-DD, got {value!r}")


def _optional_day(value: object) -> date | None:
    return None if value is None else _day(value)


def _repairs(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidInput(f"RemedyCase.repairs must be an int >= 0, got {value!r}")


def _name(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= 128:
        raise InvalidInput(f"RemedyCase.{attribute.name} must be a str of 1 to 128 characters")


@attrs.frozen(slots=True, kw_only=True)
class RemedyCase:
    """What the remedy standard is looked up by: the product ``category``, the ``defect`` kind,
    the purchase date, the date the defect was reported (default: the complaint's receipt
    date, in the zone it was received in) and the number of earlier ``repairs`` of the same
    defect.

    >>> RemedyCase(category="kettle", defect="performance", purchased_on="2026-03-01").purchased_on
    datetime.date(2026, 3, 1)
    """

    category: str = attrs.field(validator=_name)
    defect: str = attrs.field(validator=_name)
    purchased_on: date = attrs.field(converter=_day)
    reported_on: date | None = attrs.field(default=None, converter=_optional_day)
    repairs: int = attrs.field(default=0, validator=_repairs)

    @classmethod
    def of(cls, complaint: Complaint) -> RemedyCase | None:
        """The case a complaint's attributes describe (:data:`CASE_ATTRIBUTES`), or ``None``
        if it lacks the category, the defect or the purchase date."""
        values: dict[str, Any] = {
            field: complaint.attributes.get(key) for field, key in CASE_ATTRIBUTES.items()
        }
        if any(values[k] is None for k in ("category", "defect", "purchased_on")):
            return None
        if values["repairs"] is None:
            values["repairs"] = 0
        try:
            return cls(**values)
        except InvalidInput as exc:
            raise InvalidInput(f"complaint {complaint.id}: its attributes: {exc}") from None


def applied_standard(
    standards: RemedyStandards,
    complaint: Complaint,
    remedy: RemedyKind,
    case: RemedyCase | Mapping[str, Any] | None,
    *,
    actor: Actor,
    reason: str = "",
) -> AppliedStandard | None:
    """The standard ``remedy`` is checked against for ``complaint`` (``None`` without a case),
    read as of the purchase date. Below the standard, ``actor`` is recorded as the supervisor
    who approved it with ``reason`` (the guard checks they may)."""
    if case is None:
        found = RemedyCase.of(complaint)
    elif isinstance(case, RemedyCase):
        found = case
    else:
        try:
            found = RemedyCase(**dict(case))
        except TypeError as exc:
            raise InvalidInput(f"complaint {complaint.id}: invalid remedy case: {exc}") from None
    if found is None:
        return None
    reported = found.reported_on or complaint.received_at.date()
    try:
        check = check_remedy(
            standards,
            remedy,
            category=found.category,
            defect=found.defect,
            purchased_on=found.purchased_on,
            reported_on=reported,
            repairs=found.repairs,
        )
        version = standards.version_as_of(found.purchased_on).version
    except InvalidInput as exc:
        raise InvalidInput(f"complaint {complaint.id}: {exc}") from None
    standard = check.standard
    below = check.verdict.value == "below"
    return AppliedStandard(
        table=standards.name,
        version=standard.version if standard else version,
        rule=standard.rule if standard else "",
        remedies=standard.remedies if standard else (),
        compensation=standard.compensation if standard else "",
        verdict=check.verdict.value,
        days_since_purchase=(reported - found.purchased_on).days,
        repairs=found.repairs,
        supervisor=actor.id if below else None,
        reason=reason if below else "",
    )


def check_below(
    workflow: Workflow,
    complaint: Complaint,
    command: Command,
    *,
    actor: Actor,
    at: datetime,
    organization: Organization,
    history: tuple[DomainEvent, ...],
) -> None:
    """Run the ``remedy_standard`` guard when the workflow's ``register_result`` from the
    complaint's stage does not (a custom workflow); raise its :class:`GuardRejected`."""
    rows = workflow.table.get((complaint.stage, "register_result"))
    if not rows or any("remedy_standard" in row.guards for row in rows):
        return
    why = remedy_standard(GuardContext(complaint, command, actor, at, organization, history))
    if why is not None:
        raise GuardRejected(
            complaint.id,
            stage=complaint.stage,
            trigger="register_result",
            allowed=workflow.allowed_triggers(complaint.stage),
            guard="remedy_standard",
            reason=why,
        )
