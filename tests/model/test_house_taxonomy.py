"""``ccms.model.taxonomy``: a dated VOC code taxonomy: codes in force on a day, renames, moves
and retirements that keep history readable under the code of its time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import RetiredVocCode, TaxonomyError, UnknownVocCode
from ccms.model import Taxonomy

D0 = date(2025, 1, 1)
MOVE = date(2026, 1, 1)
BASE = (
    Taxonomy()
    .add("PRD", "Product", effective=D0, defaults={"department": "production"})
    .add("PRD.DEF", "Defect", effective=D0)
    .add("PRD.DEF.HANDLE", "Handle broke", effective=D0, defaults={"severity": "high"})
    .add("SVC", "Service", effective=D0, defaults={"department": "cs"})
)


def test_defaults_are_inherited_from_ancestors_and_overridden_below() -> None:
    defaults = BASE.defaults_for("PRD.DEF.HANDLE", D0)
    assert defaults.department == "production"
    assert defaults.severity == "high"
    assert BASE.ancestors("PRD.DEF.HANDLE") == ("PRD", "PRD.DEF")
    assert [c.code for c in BASE.children("PRD")] == ["PRD.DEF"]


def test_unknown_codes_are_named_with_their_closest_matches() -> None:
    with pytest.raises(UnknownVocCode, match=r"closest known: PRD\.DEF") as refused:
        BASE.get("PRD.DEFF")
    assert refused.value.code == "PRD.DEFF"
    assert "PRD.DEF" in BASE
    assert "PRD.DEFF" not in BASE
    assert len(BASE) == 4


def test_changes_are_refused_when_they_would_break_the_tree() -> None:
    with pytest.raises(TaxonomyError, match="already exists"):
        BASE.add("PRD", "Again", effective=D0)
    with pytest.raises(UnknownVocCode):
        BASE.add("XYZ.ABC", "No parent", effective=D0)
    with pytest.raises(RetiredVocCode, match="it starts on 2025-01-01"):
        BASE.add("PRD.LATE", "Before its parent", effective=date(2024, 1, 1))
    with pytest.raises(TaxonomyError, match="under its own subtree"):
        BASE.move("PRD", "PRD.DEF", effective=MOVE)


def test_a_rename_keeps_the_old_name_for_the_days_before_it() -> None:
    renamed = BASE.rename("PRD.DEF.HANDLE", "Handle broke off", effective=MOVE)
    code = renamed.get("PRD.DEF.HANDLE")
    assert code.name_as_of(MOVE - timedelta(days=1)) == "Handle broke"
    assert code.name_as_of(MOVE) == "Handle broke off"
    assert BASE.get("PRD.DEF.HANDLE").name_as_of(MOVE) == "Handle broke"  # immutable


def test_a_retirement_ends_the_subtree_and_names_its_successor() -> None:
    retired = BASE.retire("PRD.DEF", effective=MOVE, successor="SVC")
    assert [c.code for c in retired.in_force(MOVE)] == ["PRD", "SVC"]
    with pytest.raises(RetiredVocCode, match=r"retired on 2026-01-01; use 'SVC'") as refused:
        retired.lookup("PRD.DEF", MOVE)
    assert refused.value.successor == "SVC"
    assert retired.current_code("PRD.DEF", MOVE) == "SVC"
    assert retired.current_code("PRD.DEF.HANDLE", MOVE, strict=False) is None
    with pytest.raises(RetiredVocCode, match="no code in force succeeds it"):
        retired.current_code("PRD.DEF.HANDLE", MOVE)
    assert retired.lookup("PRD.DEF.HANDLE", MOVE - timedelta(days=1)).code == "PRD.DEF.HANDLE"


@given(st.integers(0, 2 * 365))
def test_a_move_keeps_history_under_the_old_code_and_maps_it_to_the_new(offset: int) -> None:
    moved = BASE.move("PRD.DEF", "SVC", effective=MOVE)
    day = D0 + timedelta(days=offset)
    in_force = {c.code for c in moved.in_force(day)}
    if day < MOVE:
        assert {"PRD.DEF", "PRD.DEF.HANDLE"} <= in_force
        assert not {"SVC.DEF", "SVC.DEF.HANDLE"} & in_force
    else:
        assert {"SVC.DEF", "SVC.DEF.HANDLE"} <= in_force
        assert not {"PRD.DEF", "PRD.DEF.HANDLE"} & in_force
        assert moved.current_code("PRD.DEF.HANDLE", day) == "SVC.DEF.HANDLE"
        # the moved subtree keeps its own defaults, inherits the new parent's
        assert moved.defaults_for("SVC.DEF.HANDLE", day).department == "cs"
        assert moved.defaults_for("SVC.DEF.HANDLE", day).severity == "high"
    # every code in force that day resolves to itself
    assert all(moved.current_code(code, day) == code for code in in_force)


def test_a_file_mapping_names_the_broken_entry() -> None:
    good = Taxonomy.from_mapping(
        {"codes": [{"code": "PRD", "name": "Product", "valid_from": "2025-01-01"}]}
    )
    assert good.lookup("PRD", D0).name == "Product"
    with pytest.raises(TaxonomyError, match="has no parent 'PRD'"):
        Taxonomy.from_mapping(
            {"codes": [{"code": "PRD.DEF", "name": "Defect", "valid_from": "2025-01-01"}]}, "t.toml"
        )
