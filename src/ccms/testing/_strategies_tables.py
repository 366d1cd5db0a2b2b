"""Hypothesis strategies for ccms' calendars and tables: business calendars, SLA tables,
CS-point rule sets and metric case records.

Private module; the public face is :mod:`ccms.testing.strategies`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from ccms.model import (
    Channel,
    RemedyKind,
    Severity,
    VocKind,
)
from ccms.policy import BusinessCalendar, SlaTable
from ccms.policy.sla import TARGET_PRESETS
from ccms.scoring import Limits, PointRule, RuleSet
from ccms.testing._records_strategies import case_record_strategy
from ccms.testing._strategies_args import (
    _choices,
    _fail,
    _flag,
    _name,
    _sample,
    _size,
    _zone,
)
from ccms.testing._strategies_values import FEATURED_ZONES

# --------------------------------------------------------------------------- calendars

CALENDAR_SHAPES: Final = ("office", "lunch", "overnight", "24x7", "weekend", "random")
_HOLIDAY_COUNTRIES: Final = ("KR", "US", "GB", "DE", "JP", "AU")


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def _random_day(draw: st.DrawFn) -> list[tuple[str, str]]:
    cuts = sorted(draw(st.lists(st.integers(0, 47).map(lambda h: h * 30), max_size=6, unique=True)))
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    out = [(_hhmm(a), _hhmm(b)) for a, b in pairs]
    start = max(pairs[-1][1] + 60 if pairs else 0, 18 * 60)
    if start < 24 * 60 and draw(st.booleans()):
        # an overnight shift: it ends the next morning (and may run into that day's hours)
        out.append((_hhmm(start), _hhmm(draw(st.integers(1, 8)) * 60)))
    return out


@st.composite
def _calendar(
    draw: st.DrawFn,
    zones: st.SearchStrategy[tzinfo],
    shapes: tuple[str, ...],
    holidays: bool | None,
) -> BusinessCalendar:
    zone = draw(zones)
    name = zone.key if isinstance(zone, ZoneInfo) else "UTC"
    shape = draw(_sample(shapes))
    open_at = draw(st.integers(6, 10))
    close_at = draw(st.integers(open_at + 4, 20))
    hours: dict[str, Any]
    if shape == "office":
        hours = {"mon-fri": [(f"{open_at:02d}:00", f"{close_at:02d}:00")]}
    elif shape == "lunch":
        lunch = draw(st.integers(open_at + 1, close_at - 2))
        hours = {
            "mon-fri": [
                (f"{open_at:02d}:00", f"{lunch:02d}:00"),
                (f"{lunch + 1:02d}:00", f"{close_at:02d}:00"),
            ]
        }
    elif shape == "overnight":
        start = draw(st.integers(18, 23))
        hours = {"mon-fri": [(f"{start:02d}:00", f"{draw(st.integers(2, 8)):02d}:00")]}
    elif shape == "24x7":
        hours = {"daily": [("00:00", "24:00")]}
    elif shape == "weekend":
        hours = {
            "mon-fri": [(f"{open_at:02d}:00", f"{close_at:02d}:00")],
            "sat": [(f"{open_at:02d}:00", f"{open_at + 4:02d}:00")],
        }
    else:
        days = {d: draw(_random_day()) for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
        if not any(days.values()):
            days["mon"] = [("09:00", "18:00")]
        hours = days
    spec: Any = None
    use = draw(st.booleans()) if holidays is None else holidays
    if use:
        spec = draw(
            _sample(_HOLIDAY_COUNTRIES)
            | st.lists(st.dates(date(2024, 1, 1), date(2028, 12, 31)), min_size=1, max_size=8).map(
                tuple
            )
        )
    closures = (
        draw(st.lists(st.dates(date(2024, 1, 1), date(2028, 12, 31)), max_size=2, unique=True))
        if use
        else []
    )
    return BusinessCalendar(name, hours, holidays=spec, closures=closures)


def calendars(
    *,
    zones: Iterable[str | ZoneInfo] | None = None,
    shapes: Iterable[str] | None = None,
    holidays: bool | None = None,
) -> st.SearchStrategy[BusinessCalendar]:
    """Business calendars in any zone (DST zones included) with varied weekly hours.

    ``shapes`` picks among ``"office"`` (Mon-Fri, one interval), ``"lunch"`` (a lunch break),
    ``"overnight"`` (shifts past midnight), ``"24x7"``, ``"weekend"`` (Saturday mornings too)
    and ``"random"`` (any intervals, any days). ``holidays=True`` adds a country's public
    holidays or a list of dates and some company closures; ``False`` none; None either.
    Shrinks towards an office calendar in UTC without holidays.

    >>> from hypothesis import find
    >>> find(calendars(zones=["Asia/Seoul"], shapes=["24x7"], holidays=False), lambda c: True)
    BusinessCalendar(timezone='Asia/Seoul', hours={'daily': [('00:00', '24:00')]})
    """

    def as_zone(value: object) -> ZoneInfo:
        z = _zone(value)
        if not isinstance(z, ZoneInfo):
            raise TypeError(value)
        return z

    chosen = _choices("calendars(zones=...)", zones, as_zone, "IANA zone names")
    kinds = _choices("calendars(shapes=...)", shapes, _shape, f"{list(CALENDAR_SHAPES)}")
    flag = _flag("calendars(holidays=...)", holidays)
    zone_strategy: st.SearchStrategy[tzinfo] = (
        _sample(chosen)
        if chosen is not None
        else st.sampled_from([ZoneInfo(z) for z in FEATURED_ZONES]) | st.timezones()
    )
    return _calendar(zone_strategy, kinds or CALENDAR_SHAPES, flag)


def _shape(value: object) -> str:
    if value not in CALENDAR_SHAPES:
        raise ValueError(value)
    return str(value)


# --------------------------------------------------------------------------- SLA tables


def _duration_text(minutes: int) -> str:
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d"] * bool(days) + [f"{hours}h"] * bool(hours) + [f"{mins}m"] * bool(mins)
    return " ".join(parts) or "1m"


@st.composite
def _sla_table(
    draw: st.DrawFn,
    names: tuple[str, ...],
    business: bool | None,
    calendar_names: tuple[str, ...],
    max_rows: int,
) -> SlaTable:
    def target(name: str) -> dict[str, Any]:
        spec: dict[str, Any] = {"duration": _duration_text(draw(st.integers(1, 30 * 24 * 60)))}
        is_business = draw(st.booleans()) if business is None else business
        if is_business:
            spec["business"] = True
            spec["calendar"] = draw(_sample(calendar_names))
        if draw(st.booleans()):
            spec["at_risk"] = draw(st.sampled_from((0.5, 0.75, 0.9, 1.0)))
        if draw(st.booleans()):
            spec["reopen"] = "resume"
        return spec

    def targets() -> dict[str, Any]:
        picked = draw(st.lists(_sample(names), min_size=1, max_size=len(names), unique=True))
        return {n: target(n) for n in picked}

    rows: list[dict[str, Any]] = [{"targets": targets()}]
    for _ in range(draw(st.integers(0, max_rows - 1))):
        row: dict[str, Any] = {"targets": targets()}
        if draw(st.booleans()):
            row["kind"] = draw(_sample(tuple(VocKind))).value
        if draw(st.booleans()):
            row["severity"] = draw(_sample(tuple(Severity))).value
        if draw(st.booleans()):
            row["channel"] = draw(_sample(tuple(Channel))).value
        if draw(st.booleans()):
            row["segment"] = draw(_sample(("general", "vip")))
        rows.append(row)
    version = draw(st.from_regex(r"v[0-9]{1,3}", fullmatch=True))
    return SlaTable.from_mapping({"version": version, "rows": rows})


def sla_tables(
    *,
    targets: Iterable[str] | None = None,
    business: bool | None = None,
    calendar_names: Iterable[str] = ("default",),
    max_rows: int = 4,
) -> st.SearchStrategy[SlaTable]:
    """Versioned SLA tables: a catch-all first row, then rows matching kind, severity, channel.

    ``targets`` picks among the preset target names (first_response, resolution,
    notify_after_result, timely_response); ``business=True`` makes every target run on one of
    ``calendar_names`` (give the policy those calendars), ``False`` none, None either.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(sla_tables(targets=["resolution"], business=False))
    ... def check(table):
    ...     assert [t.name for row in table.rows for t in row.targets] == ["resolution"] * len(table.rows)
    >>> check()
    """
    names = _choices("sla_tables(targets=...)", targets, _preset, f"{sorted(TARGET_PRESETS)}")
    flag = _flag("sla_tables(business=...)", business)
    cals = _choices("sla_tables(calendar_names=...)", calendar_names, _name, "calendar names")
    if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
        raise _fail("sla_tables(max_rows=...)", "give an int >= 1", max_rows)
    assert cals is not None
    return _sla_table(names or tuple(sorted(TARGET_PRESETS)), flag, cals, max_rows)


def _preset(value: object) -> str:
    if value not in TARGET_PRESETS:
        raise ValueError(value)
    return str(value)


# --------------------------------------------------------------------------- point rules

_RULE_EVENTS: Final[tuple[tuple[str, dict[str, list[Any]]], ...]] = (
    ("reopened", {}),
    ("feedback_recorded", {"feedback.satisfied": [True, False]}),
    ("sla_status_changed", {"status": ["met", "breached", "at_risk"]}),
    ("transferred", {}),
    ("received", {"concerns.kind": [k.value for k in VocKind]}),
    ("result_registered", {"result.remedy": [r.value for r in RemedyKind]}),
    ("escalated", {"level": [1, 2, 3]}),
)
_RECIPIENTS: Final = ("handler", "actor", "deadline_holder", "result_registrant")


@st.composite
def _rule_set(draw: st.DrawFn, size: tuple[int, int], signs: str) -> RuleSet:
    count = draw(st.integers(*size))
    rules: list[PointRule] = []
    for i in range(count):
        event, conditions = draw(_sample(_RULE_EVENTS))
        when: dict[str, Any] = {}
        for path, values in conditions.items():
            if draw(st.booleans()):
                when[path] = draw(_sample(values))
        magnitude = draw(st.integers(1, 10))
        sign = -1 if signs == "bad" or (signs == "any" and draw(st.booleans())) else 1
        rules.append(
            PointRule(
                id=f"r{i}",
                event=event,
                when=when,
                to=draw(_sample(_RECIPIENTS)),
                points=sign * magnitude,
            )
        )
    version = draw(st.from_regex(r"r[0-9]{1,3}", fullmatch=True))
    cap = draw(st.none() | st.integers(1, 100))
    expire = draw(st.none() | st.integers(1, 730))
    return RuleSet(
        version=version,
        rules=tuple(rules),
        limits=Limits(cap_good=cap, cap_bad=cap, expire_after_days=expire),
    )


def point_rules(
    *, min_rules: int = 0, max_rules: int = 6, signs: str = "any"
) -> st.SearchStrategy[RuleSet]:
    """CS-point rule sets (:class:`ccms.scoring.RuleSet`): rules on common events, with limits.

    ``signs`` is ``"good"`` (only positive points), ``"bad"`` (only negative) or ``"any"``.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=10, database=None)
    ... @given(point_rules(signs="bad"))
    ... def check(rule_set):
    ...     assert all(rule.points < 0 for rule in rule_set.rules)
    >>> check()
    """
    _size("point_rules", min_rules, max_rules)
    if signs not in ("good", "bad", "any"):
        raise _fail("point_rules(signs=...)", "give 'good', 'bad' or 'any'", signs)
    return _rule_set((min_rules, max_rules), signs)


# --------------------------------------------------------------------------- case records

#: Case records (:class:`ccms.metrics.records.CaseRecord`) for the metrics path.
case_records = case_record_strategy
