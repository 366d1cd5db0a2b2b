"""Remedy standards (분쟁해결기준): the remedy a defect calls for, as a versioned table of data.

A :class:`RemedyStandards` table holds dated versions; each version is an ordered list of rules
from product category, defect kind, days since purchase and repair count to the standard
remedies (any of them meets the standard). It is loaded and validated like the taxonomy (TOML,
YAML or JSON, errors naming the key) and read as of a date: by default the purchase date.
:func:`check_remedy` says whether a remedy is below, at or above the standard.

ccms ships :meth:`RemedyStandards.example_table`, in the shape of Korea's consumer dispute resolution
standards for general goods. It is an EXAMPLE: the host must verify it against the standards in
force and its own warranty terms before relying on it.

>>> from datetime import date
>>> table = RemedyStandards.example_table()
>>> table.example
True
>>> check = check_remedy(
...     table, "repair", category="appliance", defect="performance",
...     purchased_on=date(2026, 3, 1), reported_on=date(2026, 3, 11),
... )
>>> check.verdict, [r.value for r in check.standard.remedies], check.standard.rule
(<RemedyVerdict.BELOW: 'below'>, ['exchange', 'refund'], 'performance defect within 10 days of purchase')
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import Field, model_validator

from ccms._files import load_mapping, validate_mapping
from ccms.errors import InvalidInput
from ccms.model import RemedyKind
from ccms.model.types import Frozen, Name

__all__ = [
    "REMEDY_RANK",
    "RemedyCheck",
    "RemedyRule",
    "RemedyStandardVersion",
    "RemedyStandards",
    "RemedyVerdict",
    "StandardRemedy",
    "check_remedy",
]

#: How much each remedy gives the customer, to compare a remedy with the standard: a refund is
#: above an exchange, an exchange above a repair, a repair above compensation, and compensation
#: above words alone (apology, explanation) and nothing.
REMEDY_RANK: Final[Mapping[RemedyKind, int]] = {
    RemedyKind.NONE: 0,
    RemedyKind.EXPLANATION: 1,
    RemedyKind.APOLOGY: 1,
    RemedyKind.COMPENSATION: 2,
    RemedyKind.REPAIR: 3,
    RemedyKind.EXCHANGE: 4,
    RemedyKind.REFUND: 5,
}

#: The example table, shipped in the wheel next to this module.
_EXAMPLE_FILE: Final = "remedy_standards_example.toml"

_Label = Annotated[str, Field(min_length=1, max_length=200)]


class RemedyVerdict(StrEnum):
    """A remedy against the standard."""

    BELOW = "below"  # gives less than every standard remedy: needs a supervisor
    AT = "at"  # one of the standard remedies
    ABOVE = "above"  # gives more than every standard remedy
    NO_STANDARD = "no_standard"  # no rule covers the case


class RemedyRule(Frozen):
    """One rule: ``"*"`` matches any category or defect; ``within_days`` is inclusive (None: any).

    Days count from the purchase date (the purchase day is day 0), so "within 10 days" covers a
    defect reported up to ten days after the day of purchase.
    """

    name: _Label
    category: Name = "*"
    defect: Name = "*"
    within_days: Annotated[int, Field(ge=0)] | None = None
    min_repairs: Annotated[int, Field(ge=0)] = 0
    remedies: Annotated[tuple[RemedyKind, ...], Field(min_length=1)]
    compensation: Annotated[str, Field(max_length=500)] = ""

    def matches(self, category: str, defect: str, days: int, repairs: int) -> bool:
        """Whether this rule covers the case."""
        return (
            self.category in ("*", category)
            and self.defect in ("*", defect)
            and (self.within_days is None or days <= self.within_days)
            and repairs >= self.min_repairs
        )


class RemedyStandardVersion(Frozen):
    """The rules in force from ``effective`` until the next version's."""

    version: Name
    effective: date
    source: Annotated[str, Field(max_length=500)] = ""
    rules: Annotated[tuple[RemedyRule, ...], Field(min_length=1)]


class StandardRemedy(Frozen):
    """The standard a case falls under: the version and rule applied, and what they allow."""

    version: Name
    rule: _Label
    remedies: tuple[RemedyKind, ...]
    compensation: str = ""
    days_since_purchase: int
    repairs: int


class RemedyCheck(Frozen):
    """A remedy compared with the standard (``standard`` is None when no rule covers the case)."""

    remedy: RemedyKind
    verdict: RemedyVerdict
    standard: StandardRemedy | None = None


class RemedyStandards(Frozen):
    """A named, versioned remedy-standards table. See the module docstring for an example."""

    name: Name
    example: bool = False
    versions: Annotated[tuple[RemedyStandardVersion, ...], Field(min_length=1)]

    @model_validator(mode="after")
    def _check(self) -> RemedyStandards:
        effective = [v.effective for v in self.versions]
        if effective != sorted(effective) or len(set(effective)) != len(effective):
            raise ValueError("versions must have distinct, increasing effective dates")
        names = [v.version for v in self.versions]
        if len(set(names)) != len(names):
            raise ValueError("version names must be distinct")
        return self

    def version_as_of(self, as_of: date) -> RemedyStandardVersion:
        """The version in force on ``as_of``; :class:`InvalidInput` before the first."""
        current: RemedyStandardVersion | None = None
        for version in self.versions:
            if version.effective <= as_of:
                current = version
        if current is None:
            raise InvalidInput(
                f"remedy standards {self.name!r} have no version in force on {as_of}: "
                f"the first starts on {self.versions[0].effective}"
            )
        return current

    def lookup(
        self,
        *,
        category: str,
        defect: str,
        purchased_on: date,
        reported_on: date,
        repairs: int = 0,
        as_of: date | None = None,
    ) -> StandardRemedy | None:
        """The standard for a case, from the version in force on ``as_of`` (default: purchase).

        ``repairs`` counts the earlier repairs of the same defect. None when no rule matches.
        """
        if reported_on < purchased_on:
            raise InvalidInput(
                f"a defect reported on {reported_on} cannot precede the purchase on {purchased_on}"
            )
        if repairs < 0:
            raise InvalidInput(f"repairs must be 0 or more, got {repairs}")
        version = self.version_as_of(as_of if as_of is not None else purchased_on)
        days = (reported_on - purchased_on).days
        for rule in version.rules:
            if rule.matches(category, defect, days, repairs):
                return StandardRemedy(
                    version=version.version,
                    rule=rule.name,
                    remedies=rule.remedies,
                    compensation=rule.compensation,
                    days_since_purchase=days,
                    repairs=repairs,
                )
        return None

    # -- files -----------------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<mapping>") -> RemedyStandards:
        """Build from a mapping shaped like the example file; errors name the key."""
        return validate_mapping(cls, data, source)

    @classmethod
    def from_file(cls, path: str | Path) -> RemedyStandards:
        """Load a TOML, YAML or JSON remedy-standards file."""
        return cls.from_mapping(load_mapping(path), str(path))

    @classmethod
    def example_table(cls) -> RemedyStandards:
        """The example table shipped with ccms (Korean general goods, simplified; verify it)."""
        return _example()


@cache
def _example() -> RemedyStandards:
    return RemedyStandards.from_file(Path(__file__).parent / "data" / _EXAMPLE_FILE)


def check_remedy(
    standards: RemedyStandards,
    remedy: RemedyKind | str,
    *,
    category: str,
    defect: str,
    purchased_on: date,
    reported_on: date,
    repairs: int = 0,
    as_of: date | None = None,
) -> RemedyCheck:
    """Whether ``remedy`` is below, at or above the standard for the case (see :meth:`lookup`).

    At: one of the standard remedies. Above: ranked (:data:`REMEDY_RANK`) over every standard
    remedy. Below: anything else.
    """
    remedy = RemedyKind(remedy)
    standard = standards.lookup(
        category=category,
        defect=defect,
        purchased_on=purchased_on,
        reported_on=reported_on,
        repairs=repairs,
        as_of=as_of,
    )
    if standard is None:
        verdict = RemedyVerdict.NO_STANDARD
    elif remedy in standard.remedies:
        verdict = RemedyVerdict.AT
    elif REMEDY_RANK[remedy] > max(REMEDY_RANK[r] for r in standard.remedies):
        verdict = RemedyVerdict.ABOVE
    else:
        verdict = RemedyVerdict.BELOW
    return RemedyCheck(remedy=remedy, verdict=verdict, standard=standard)
