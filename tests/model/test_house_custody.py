"""Custody and remedy materiality each have one home in the model; the old names point at it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from ccms.model import (
    MATERIAL_REMEDIES,
    Actor,
    DepartmentAssigned,
    HandlerAssigned,
    RemedyKind,
    Transferred,
    holder_at,
    owner_at,
)

T = datetime(2026, 3, 29, tzinfo=UTC)


def _history() -> list[HandlerAssigned | DepartmentAssigned | Transferred]:
    system = Actor.system()
    return [
        DepartmentAssigned(complaint_id="c", version=2, at=T, actor=system, department="cs"),
        HandlerAssigned(
            complaint_id="c", version=3, at=T + timedelta(hours=1), actor=system, handler="kim"
        ),
        Transferred(
            complaint_id="c",
            version=4,
            at=T + timedelta(hours=5),
            actor=system,
            from_department="cs",
            to_department="logistics",
        ),
    ]


def test_holder_walks_assignment_and_transfer() -> None:
    h = _history()
    assert holder_at(h, T - timedelta(seconds=1)) == (None, None)
    assert holder_at(h, T) == (None, "cs")
    assert holder_at(h, T + timedelta(hours=1)) == ("kim", "cs")
    assert holder_at(h, T + timedelta(hours=6)) == (None, "logistics")
    assert [owner_at(h, T + timedelta(hours=k)) for k in (-1, 0, 2, 6)] == [
        None,
        "cs",
        "kim",
        "logistics",
    ]


def test_holder_compares_instants_not_wall_times() -> None:
    # 03:30 in Seoul is 18:30 UTC the day before: before the handler came, after the department.
    seoul = (T + timedelta(hours=1)).astimezone(ZoneInfo("Asia/Seoul")) - timedelta(minutes=30)
    assert holder_at(_history(), seoul) == (None, "cs")


def test_the_old_homes_are_the_model_ones() -> None:
    from ccms.policy import routing
    from ccms.scoring import holder_at as scoring_holder_at

    assert scoring_holder_at is holder_at
    assert routing.MONETARY_REMEDIES == MATERIAL_REMEDIES


def test_materiality_lives_on_remedy_kind() -> None:
    assert {r for r in RemedyKind if r.material} == MATERIAL_REMEDIES
    assert not RemedyKind.APOLOGY.material
    assert not RemedyKind.NONE.material
