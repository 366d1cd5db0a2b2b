"""Remedy standards: the example table's boundaries, versions as of a date, and the verdicts."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import ConfigError, InvalidInput
from ccms.model import RemedyKind
from ccms.policy.remedy_standards import (
    REMEDY_RANK,
    RemedyStandards,
    RemedyVerdict,
    check_remedy,
)

BOUGHT = date(2026, 1, 31)
TABLE = RemedyStandards.example_table()


def _standard(days: int, repairs: int = 0, defect: str = "performance") -> set[RemedyKind] | None:
    found = TABLE.lookup(
        category="appliance",
        defect=defect,
        purchased_on=BOUGHT,
        reported_on=BOUGHT + timedelta(days=days),
        repairs=repairs,
    )
    return None if found is None else set(found.remedies)


def test_the_example_is_marked_as_an_example() -> None:
    assert TABLE.example is True
    assert "verify" in TABLE.versions[0].source


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, {RemedyKind.EXCHANGE, RemedyKind.REFUND}),
        (10, {RemedyKind.EXCHANGE, RemedyKind.REFUND}),  # the 10th day is still within 10 days
        (11, {RemedyKind.EXCHANGE, RemedyKind.REPAIR}),
        (30, {RemedyKind.EXCHANGE, RemedyKind.REPAIR}),
        (31, {RemedyKind.REPAIR}),
        (365, {RemedyKind.REPAIR}),
        (366, None),  # after the warranty: no standard
    ],
)
def test_days_since_purchase_on_both_sides_of_each_boundary(
    days: int, expected: set[RemedyKind] | None
) -> None:
    assert _standard(days) == expected


@pytest.mark.parametrize(
    ("days", "repairs", "expected"),
    [
        (200, 1, {RemedyKind.REPAIR}),
        (200, 2, {RemedyKind.EXCHANGE, RemedyKind.REFUND}),  # recurring after two repairs
        (365, 2, {RemedyKind.EXCHANGE, RemedyKind.REFUND}),
        (366, 2, None),  # outside the warranty, repairs do not matter
    ],
)
def test_repair_count_on_both_sides_of_the_boundary(
    days: int, repairs: int, expected: set[RemedyKind] | None
) -> None:
    assert _standard(days, repairs) == expected


def test_another_defect_kind_has_no_standard_in_the_example() -> None:
    assert _standard(3, defect="cosmetic") is None


@pytest.mark.parametrize(
    ("remedy", "days", "verdict"),
    [
        ("refund", 10, RemedyVerdict.AT),
        ("exchange", 10, RemedyVerdict.AT),
        ("repair", 10, RemedyVerdict.BELOW),
        ("repair", 11, RemedyVerdict.AT),
        ("refund", 11, RemedyVerdict.ABOVE),
        ("compensation", 30, RemedyVerdict.BELOW),
        ("exchange", 31, RemedyVerdict.ABOVE),
        ("apology", 31, RemedyVerdict.BELOW),
        ("apology", 366, RemedyVerdict.NO_STANDARD),
    ],
)
def test_check_remedy_verdicts(remedy: str, days: int, verdict: RemedyVerdict) -> None:
    check = check_remedy(
        TABLE,
        remedy,
        category="appliance",
        defect="performance",
        purchased_on=BOUGHT,
        reported_on=BOUGHT + timedelta(days=days),
    )
    assert check.verdict is verdict
    assert check.remedy is RemedyKind(remedy)
    assert (check.standard is None) == (verdict is RemedyVerdict.NO_STANDARD)
    if check.standard is not None:
        assert check.standard.days_since_purchase == days
        assert check.standard.version == "example-2026"


def _two_versions() -> RemedyStandards:
    rule = {"name": "r", "defect": "performance", "within_days": 10}
    return RemedyStandards.from_mapping(
        {
            "name": "acme",
            "versions": [
                {
                    "version": "v1",
                    "effective": "2025-01-01",
                    "rules": [{**rule, "remedies": ["repair"]}],
                },
                {
                    "version": "v2",
                    "effective": "2026-01-01",
                    "rules": [{**rule, "remedies": ["refund"], "category": "phone"}],
                },
            ],
        },
        "acme.toml",
    )


@pytest.mark.parametrize(
    ("bought", "version"),
    [(date(2025, 12, 31), "v1"), (date(2026, 1, 1), "v2")],
)
def test_the_version_is_read_as_of_the_purchase_date(bought: date, version: str) -> None:
    found = _two_versions().lookup(
        category="phone", defect="performance", purchased_on=bought, reported_on=date(2026, 1, 2)
    )
    assert found is not None
    assert found.version == version


def test_the_version_can_be_read_as_of_the_receipt_date_instead() -> None:
    table = _two_versions()
    found = table.lookup(
        category="phone",
        defect="performance",
        purchased_on=date(2025, 12, 30),
        reported_on=date(2026, 1, 2),
        as_of=date(2026, 1, 2),
    )
    assert found is not None
    assert found.version == "v2"
    assert (
        table.lookup(
            category="tv",
            defect="performance",
            purchased_on=date(2026, 1, 1),
            reported_on=date(2026, 1, 2),
        )
        is None
    )  # v2's rule is for phones only


def test_before_the_first_version_and_bad_dates_are_refused() -> None:
    table = _two_versions()
    with pytest.raises(InvalidInput, match="no version in force on 2024-12-31"):
        table.lookup(
            category="phone",
            defect="performance",
            purchased_on=date(2024, 12, 31),
            reported_on=date(2025, 1, 2),
        )
    with pytest.raises(InvalidInput, match="cannot precede the purchase"):
        table.lookup(
            category="phone",
            defect="performance",
            purchased_on=date(2025, 6, 2),
            reported_on=date(2025, 6, 1),
        )
    with pytest.raises(InvalidInput, match="repairs must be 0 or more"):
        table.lookup(
            category="phone",
            defect="performance",
            purchased_on=date(2025, 6, 2),
            reported_on=date(2025, 6, 3),
            repairs=-1,
        )


def test_invalid_tables_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"t\.toml: versions\[0\]\.rules\[0\]\.remedies\[0\]"):
        RemedyStandards.from_mapping(
            {
                "name": "x",
                "versions": [
                    {
                        "version": "v",
                        "effective": "2025-01-01",
                        "rules": [{"name": "r", "remedies": ["cash"]}],
                    }
                ],
            },
            "t.toml",
        )
    with pytest.raises(ConfigError, match="increasing effective dates"):
        RemedyStandards.from_mapping(
            {
                "name": "x",
                "versions": [
                    {
                        "version": "a",
                        "effective": "2026-01-01",
                        "rules": [{"name": "r", "remedies": ["repair"]}],
                    },
                    {
                        "version": "b",
                        "effective": "2025-01-01",
                        "rules": [{"name": "r", "remedies": ["repair"]}],
                    },
                ],
            },
            "t.toml",
        )


def test_the_example_file_ships_inside_the_package() -> None:
    import ccms.policy

    path = Path(ccms.policy.__file__).parent / "data" / "remedy_standards_example.toml"
    assert RemedyStandards.from_file(path) == TABLE


_ORDER = {RemedyVerdict.BELOW: 0, RemedyVerdict.AT: 1, RemedyVerdict.ABOVE: 2}


@given(
    days=st.integers(0, 400),
    repairs=st.integers(0, 4),
    pair=st.permutations(list(RemedyKind)).map(lambda p: (p[0], p[1])),
)
def test_a_remedy_that_gives_more_never_gets_a_lower_verdict(
    days: int, repairs: int, pair: tuple[RemedyKind, RemedyKind]
) -> None:
    low, high = sorted(pair, key=REMEDY_RANK.__getitem__)
    case = {
        "category": "appliance",
        "defect": "performance",
        "purchased_on": BOUGHT,
        "reported_on": BOUGHT + timedelta(days=days),
        "repairs": repairs,
    }
    a, b = check_remedy(TABLE, low, **case), check_remedy(TABLE, high, **case)  # type: ignore[arg-type]
    if a.standard is None:
        assert a.verdict is b.verdict is RemedyVerdict.NO_STANDARD
    elif REMEDY_RANK[low] < REMEDY_RANK[high]:
        assert _ORDER[a.verdict] <= _ORDER[b.verdict]


@given(days=st.integers(0, 399), repairs=st.integers(0, 4))
def test_in_the_example_waiting_longer_never_raises_the_standard(days: int, repairs: int) -> None:
    def best(d: int) -> int:
        found = TABLE.lookup(
            category="appliance",
            defect="performance",
            purchased_on=BOUGHT,
            reported_on=BOUGHT + timedelta(days=d),
            repairs=repairs,
        )
        return -1 if found is None else max(REMEDY_RANK[r] for r in found.remedies)

    assert best(days + 1) <= best(days)
