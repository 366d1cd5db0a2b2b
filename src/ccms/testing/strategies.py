"""Hypothesis strategies for ccms' values, calendars, tables and whole complaint lifecycles.

Every strategy takes keyword filters that default to "any" (``None``), checks its arguments when
it is called (a bad argument raises :class:`InvalidStrategyArgument`, which is both a
:class:`ccms.errors.InvalidInput` and a Hypothesis ``InvalidArgument``), and shrinks towards small,
readable examples: a complaint just received by phone with one short concern, a Monday-to-Friday
calendar in UTC, an amount of 0 KRW.

>>> from hypothesis import HealthCheck, given, settings
>>> from ccms.model import fold
>>> from ccms.workflow import default_workflow
>>> @settings(max_examples=10, database=None, suppress_health_check=[HealthCheck.too_slow])
... @given(event_histories(default_workflow(), max_commands=6))
... def check(events):
...     complaint = fold(events)
...     assert complaint.version == events[-1].version
...     assert [e.version for e in events] == sorted(e.version for e in events)
>>> check()

The public models are registered with Hypothesis through its ``hypothesis`` entry point, so
``st.from_type(Complaint)`` draws from :func:`complaints` in any suite once ccms is installed.
"""

from __future__ import annotations

import string
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ccms.errors import CCMSError, InvalidInput
from ccms.model import (
    Actor,
    Agent,
    Authority,
    Channel,
    Complaint,
    Concern,
    Customer,
    CustomerRef,
    Department,
    DomainEvent,
    Feedback,
    Flag,
    Money,
    Organization,
    RemedyKind,
    Result,
    Role,
    Severity,
    Taxonomy,
    VocKind,
    fold,
)
from ccms.policy import BusinessCalendar, SlaTable
from ccms.policy.sla import TARGET_PRESETS
from ccms.scoring import Limits, PointRule, RuleSet
from ccms.testing._records_strategies import case_record_strategy, case_records_lists
from ccms.testing.invalid import INVALID_VALUES, InvalidCommand, invalid_commands
from ccms.workflow import (
    AssignDepartment,
    AssignHandler,
    Classify,
    Close,
    CloseCcCard,
    Command,
    Escalate,
    Fire,
    Notify,
    Receive,
    RecordFeedback,
    RegisterResult,
    Reject,
    Reopen,
    Respond,
    Resume,
    SetFlags,
    Start,
    Transfer,
    WaitOnCustomer,
    Withdraw,
    Workflow,
    default_workflow,
)

__all__ = [
    "INVALID_VALUES",
    "CommandScript",
    "InvalidCommand",
    "InvalidStrategyArgument",
    "Step",
    "agents",
    "aware_datetimes",
    "calendars",
    "case_records",
    "case_records_lists",
    "command_sequences",
    "complaints",
    "concerns",
    "customer_refs",
    "customers",
    "departments",
    "event_histories",
    "invalid_commands",
    "money",
    "organizations",
    "point_rules",
    "sla_tables",
    "taxonomies",
    "voc_codes",
]

T = TypeVar("T")
#: What the lifecycle helpers draw with: a composite's ``draw`` or ``st.data().draw``.
_Draw = Callable[[st.SearchStrategy[Any]], Any]


class InvalidStrategyArgument(InvalidInput, InvalidArgument):
    """A strategy was called with an argument it cannot honour; the message says what to pass.

    Both a :class:`ccms.errors.InvalidInput` and a Hypothesis ``InvalidArgument``, so either
    ``except`` clause catches it.
    """


# --------------------------------------------------------------------------- argument checks

_NOT_GIVEN_MSG: Final = "{where}: {what}; got {value!r}"


def _fail(where: str, what: str, value: object) -> InvalidStrategyArgument:
    return InvalidStrategyArgument(_NOT_GIVEN_MSG.format(where=where, what=what, value=value))


def _choices(
    where: str, value: Iterable[Any] | None, kind: Callable[[Any], T], allowed: str
) -> tuple[T, ...] | None:
    """``None`` (any) or a non-empty tuple of valid choices, converted with ``kind``."""
    if value is None:
        return None
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise _fail(where, f"give a collection of {allowed} (or None for any)", value)
    out: list[T] = []
    for item in value:
        try:
            out.append(kind(item))
        except (ValueError, TypeError, KeyError):
            raise _fail(where, f"every choice must be one of {allowed}", item) from None
    if not out:
        raise _fail(where, f"give at least one of {allowed}, or None for any", value)
    return tuple(dict.fromkeys(out))


def _size(where: str, low: int, high: int | None, *, floor: int = 0) -> None:
    for name, v in (("min", low), ("max", high)):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < floor):
            raise _fail(where, f"{name} size must be an int >= {floor}", v)
    if high is not None and high < low:
        raise _fail(where, f"max size must be >= min size {low}", high)


def _flag(where: str, value: object) -> bool | None:
    if value is not None and not isinstance(value, bool):
        raise _fail(where, "give True, False or None (either)", value)
    return value


def _zone(value: object) -> tzinfo:
    if isinstance(value, tzinfo):
        return value
    if isinstance(value, str):
        try:
            return ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(value) from None
    raise TypeError(value)


def _sample(values: Sequence[T]) -> st.SearchStrategy[T]:
    return st.sampled_from(tuple(values))


def _maybe(flag: bool | None, strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    if flag is None:
        return st.none() | strategy
    return strategy if flag else st.none()


# --------------------------------------------------------------------------- small values

_ID_CHARS: Final = string.ascii_lowercase + string.digits
# Texts stay short: every character is a choice Hypothesis must generate and shrink.
_WORDS: Final = st.text(st.characters(codec="utf-8"), min_size=1, max_size=24).filter(
    lambda s: bool(s.strip())
)
_SHORT: Final = st.just("") | st.text(st.characters(codec="utf-8"), max_size=16)
_LABELS: Final = st.sampled_from(("Product", "Defect", "Delivery", "Service")) | _WORDS
_SEGMENTS: Final = ("PRD", "DEF", "SVC", "DLV", "PAY", "REF", "ATT", "HANDLE", "LATE", "X1")
_DEPARTMENT_IDS: Final = ("cs", "qa", "logistics", "rnd", "sales", "production", "marketing")
_AGENT_IDS: Final = ("kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon")
_CURRENCIES: Final = ("KRW", "USD", "EUR", "JPY")
#: Zones worth testing first: UTC, no-DST Asian zones, and zones with DST in both hemispheres.
FEATURED_ZONES: Final = (
    "UTC",
    "Asia/Seoul",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "America/Santiago",
    "Asia/Kolkata",
    "Pacific/Chatham",
)
_MIN_INSTANT: Final = datetime(2020, 1, 1, tzinfo=UTC)
_MAX_INSTANT: Final = datetime(2030, 12, 31, tzinfo=UTC)


def _idents(pool: Sequence[str]) -> st.SearchStrategy[str]:
    anything = st.text(_ID_CHARS, min_size=1, max_size=12)
    return _sample(pool) | anything if pool else anything


def aware_datetimes(
    *,
    zones: Iterable[str | tzinfo] | None = None,
    min_value: datetime = _MIN_INSTANT,
    max_value: datetime = _MAX_INSTANT,
) -> st.SearchStrategy[datetime]:
    """Timezone-aware datetimes between two instants, in one of ``zones`` (any IANA zone if None).

    The instant is drawn first and then shown in the zone, so no datetime is imaginary (a
    spring-forward gap) and an ambiguous fall-back time carries the right ``fold``. Shrinks
    towards ``min_value`` in UTC.

    >>> from hypothesis import find
    >>> find(aware_datetimes(zones=["Asia/Seoul"]), lambda d: True)
    datetime.datetime(2020, 1, 1, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Asia/Seoul'))
    >>> aware_datetimes(zones=["Mars/Olympus"])
    Traceback (most recent call last):
    ...
    ccms.testing.strategies.InvalidStrategyArgument: aware_datetimes(zones=...): every choice must be one of IANA zone names or tzinfo objects; got 'Mars/Olympus'
    """
    where = "aware_datetimes"
    chosen = _choices(f"{where}(zones=...)", zones, _zone, "IANA zone names or tzinfo objects")
    for name, v in (("min_value", min_value), ("max_value", max_value)):
        if not isinstance(v, datetime) or v.tzinfo is None or v.utcoffset() is None:
            raise _fail(f"{where}({name}=...)", "give a timezone-aware datetime", v)
    if max_value < min_value:
        raise _fail(
            f"{where}(max_value=...)", f"must not be before min_value {min_value}", max_value
        )
    lo = min_value.astimezone(UTC).replace(tzinfo=None)
    hi = max_value.astimezone(UTC).replace(tzinfo=None)
    instants = st.datetimes(min_value=lo, max_value=hi).map(lambda d: d.replace(tzinfo=UTC))
    zone_strategy: st.SearchStrategy[tzinfo] = (
        _sample(chosen)
        if chosen is not None
        else st.just(UTC) | st.sampled_from([ZoneInfo(z) for z in FEATURED_ZONES]) | st.timezones()
    )
    return st.tuples(instants, zone_strategy).map(lambda pair: pair[0].astimezone(pair[1]))


def money(
    *,
    currencies: Iterable[str] | None = None,
    min_amount: Decimal | int | str = 0,
    max_amount: Decimal | int | str = 10**9,
    places: int = 4,
) -> st.SearchStrategy[Money]:
    """:class:`~ccms.model.Money` with up to ``places`` decimal places (0 to 4).

    >>> from hypothesis import find
    >>> find(money(), lambda m: True)
    Money(amount=Decimal('0'), currency='KRW')
    >>> find(money(currencies=["USD"]), lambda m: m.amount > 100).amount
    Decimal('101')
    """
    where = "money"

    def currency(value: object) -> str:
        if not isinstance(value, str) or len(value) != 3 or not value.isupper():
            raise ValueError(value)
        return value

    chosen = _choices(f"{where}(currencies=...)", currencies, currency, "ISO 4217 codes ('KRW')")
    try:
        lo, hi = Decimal(str(min_amount)), Decimal(str(max_amount))
    except ArithmeticError:
        raise _fail(
            where, "amounts must be Decimals, ints or numeric strings", (min_amount, max_amount)
        ) from None
    if lo < 0 or not lo.is_finite() or not hi.is_finite() or hi < lo or hi >= Decimal(10) ** 14:
        raise _fail(where, "need 0 <= min_amount <= max_amount < 10**14", (min_amount, max_amount))
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 4:
        raise _fail(f"{where}(places=...)", "give an int from 0 to 4", places)
    codes: st.SearchStrategy[str] = (
        _sample(chosen)
        if chosen is not None
        else _sample(_CURRENCIES) | st.from_regex(r"[A-Z]{3}", fullmatch=True)
    )

    @st.composite
    def build(draw: st.DrawFn) -> Money:
        p = draw(st.integers(0, places))
        amount = draw(st.decimals(min_value=lo, max_value=hi, places=p))
        return Money(amount=amount, currency=draw(codes))

    return build()


def customer_refs(
    *, segments: Iterable[str] | None = None, languages: Iterable[str] | None = None
) -> st.SearchStrategy[CustomerRef]:
    """What a complaint records about its customer: an id, segment, region and language."""
    segs = _choices("customer_refs(segments=...)", segments, _name, "non-blank names")
    langs = _choices("customer_refs(languages=...)", languages, _lang, "language codes ('ko')")
    return st.builds(
        CustomerRef,
        id=st.from_regex(r"C-[0-9]{1,6}", fullmatch=True),
        segment=_sample(segs) if segs else _idents(("general", "vip", "corporate")),
        region=st.none() | _sample(("seoul", "busan", "jeju")),
        language=_sample(langs) if langs else _sample(("ko", "en", "ja", "zh")),
    )


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 128:
        raise ValueError(value)
    return value.strip()


def _lang(value: object) -> str:
    if not isinstance(value, str) or not 2 <= len(value) <= 8:
        raise ValueError(value)
    return value


def customers(
    *,
    segments: Iterable[str] | None = None,
    languages: Iterable[str] | None = None,
    with_contact: bool | None = None,
) -> st.SearchStrategy[Customer]:
    """Customers, with or without personal data (masked in every ``repr``).

    ``with_contact=True`` always gives a name, phone and e-mail; ``False`` never; None either.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(customers(with_contact=True))
    ... def check(customer):
    ...     assert customer.phone.reveal() not in repr(customer)
    >>> check()
    """
    contact = _flag("customers(with_contact=...)", with_contact)
    refs = customer_refs(segments=segments, languages=languages)
    names = st.text(string.ascii_letters + "가나다라마바사", min_size=1, max_size=12).filter(
        lambda s: bool(s.strip())
    )
    phones = st.from_regex(r"01[016789]-[0-9]{3,4}-[0-9]{4}", fullmatch=True)
    emails = st.from_regex(r"[a-z][a-z0-9]{0,9}@example\.(com|kr)", fullmatch=True)
    return st.builds(
        lambda ref, name, phone, email: Customer(
            id=ref.id,
            segment=ref.segment,
            region=ref.region,
            language=ref.language,
            name=name,
            phone=phone,
            email=email,
        ),
        refs,
        _maybe(contact, names),
        _maybe(contact, phones),
        _maybe(contact, emails),
    )


# --------------------------------------------------------------------------- VOC codes


def voc_codes(
    taxonomy: Taxonomy | None = None, *, as_of: date | None = None
) -> st.SearchStrategy[str]:
    """VOC codes: from ``taxonomy`` (those in force on ``as_of`` if given), else any valid code.

    >>> from datetime import date
    >>> t = Taxonomy().add("PRD", "Product", effective=date(2025, 1, 1))
    >>> from hypothesis import find
    >>> find(voc_codes(t), lambda c: True), find(voc_codes(), lambda c: "." in c)
    ('PRD', 'PRD.PRD')
    >>> voc_codes(Taxonomy())
    Traceback (most recent call last):
    ...
    ccms.testing.strategies.InvalidStrategyArgument: voc_codes(taxonomy=...): the taxonomy has no codes (in force on the date given); add codes or pass None for any code; got Taxonomy(codes=())
    """
    if as_of is not None and (isinstance(as_of, datetime) or not isinstance(as_of, date)):
        raise _fail("voc_codes(as_of=...)", "give a date (not a datetime) or None", as_of)
    if taxonomy is None:
        segment = _sample(_SEGMENTS) | st.from_regex(r"[A-Z][A-Z0-9_]{0,5}", fullmatch=True)
        return st.lists(segment, min_size=1, max_size=3).map(".".join)
    if not isinstance(taxonomy, Taxonomy):
        raise _fail("voc_codes(taxonomy=...)", "give a ccms.model.Taxonomy or None", taxonomy)
    codes = sorted(c.code for c in taxonomy.codes if as_of is None or c.in_force(as_of))
    if not codes:
        raise _fail(
            "voc_codes(taxonomy=...)",
            "the taxonomy has no codes (in force on the date given); add codes or pass None "
            "for any code",
            taxonomy,
        )
    return _sample(codes)


def concerns(
    *,
    kinds: Iterable[VocKind | str] | None = None,
    severities: Iterable[Severity | str] | None = None,
    classified: bool | None = None,
    taxonomy: Taxonomy | None = None,
) -> st.SearchStrategy[Concern]:
    """One thing a customer raised: kind, text, severity, maybe a code and a requested remedy.

    ``classified=True`` always gives a VOC code (from ``taxonomy`` if given), ``False`` never.

    >>> from hypothesis import find
    >>> find(concerns(kinds=["praise"]), lambda c: True)
    Concern(kind=<VocKind.PRAISE: 'praise'>, code=None, text='0', severity=<Severity.MEDIUM: 'medium'>, requested_remedy=None, outcome=None)
    """
    k = _choices(
        "concerns(kinds=...)", kinds, VocKind, f"VocKind values {[v.value for v in VocKind]}"
    )
    s = _choices(
        "concerns(severities=...)",
        severities,
        Severity,
        f"Severity values {[v.value for v in Severity]}",
    )
    flag = _flag("concerns(classified=...)", classified)
    return st.builds(
        Concern,
        kind=_sample(k or tuple(VocKind)),
        code=_maybe(flag, voc_codes(taxonomy)),
        text=_WORDS,
        severity=_sample(s or (Severity.MEDIUM, Severity.LOW, Severity.HIGH, Severity.CRITICAL)),
        requested_remedy=st.none() | _sample(tuple(RemedyKind)),
    )


@st.composite
def _taxonomy(draw: st.DrawFn, min_codes: int, max_codes: int, history: bool | None) -> Taxonomy:
    base = date(2020, 1, 1)
    taxonomy = Taxonomy()
    size = draw(st.integers(min_codes, max_codes))
    codes: list[str] = []
    segment = _sample(_SEGMENTS) | st.from_regex(r"[A-Z][A-Z0-9]{0,4}", fullmatch=True)
    offsets: dict[str, int] = {}
    attempts = 0
    while len(codes) < size and attempts < size * 4:
        attempts += 1
        parent = draw(st.none() | _sample(codes)) if codes else None
        if parent is not None and parent.count(".") >= 2:
            parent = None
        code = f"{parent}.{draw(segment)}" if parent else draw(segment)
        if code in taxonomy:
            continue
        start = offsets.get(parent, 0) if parent else 0
        offset = start + draw(st.integers(0, 365))
        offsets[code] = offset
        taxonomy = taxonomy.add(
            code,
            draw(_LABELS),
            effective=base + timedelta(days=offset),
            defaults={
                "department": draw(st.none() | _sample(_DEPARTMENT_IDS)),
                "severity": draw(st.none() | _sample(tuple(Severity))),
            },
        )
        codes.append(code)
    if len(codes) < min_codes:  # pragma: no cover - segment space is large
        from hypothesis import reject

        reject()
    changes = (
        draw(st.integers(0, 3)) if history is None else (draw(st.integers(1, 3)) if history else 0)
    )
    # History starts after every code is in force (a parent retired on the day a child starts
    # would give that child an empty validity).
    later = base + timedelta(days=max(800, max(offsets.values(), default=0) + 30))
    for i in range(changes):
        when = later + timedelta(days=30 * i)
        code = draw(_sample(codes))
        entry = taxonomy.get(code)
        if not entry.in_force(when):
            continue
        if draw(st.booleans()):
            taxonomy = taxonomy.rename(code, draw(_LABELS), effective=when)
        else:
            heirs = [
                c.code
                for c in taxonomy.in_force(when)
                if not (c.code == code or c.code.startswith(code + "."))
            ]
            successor = draw(st.none() | _sample(heirs)) if heirs else None
            taxonomy = taxonomy.retire(code, effective=when, successor=successor)
    return taxonomy


def taxonomies(
    *, min_codes: int = 1, max_codes: int = 10, history: bool | None = None
) -> st.SearchStrategy[Taxonomy]:
    """Valid VOC code taxonomies up to three levels deep, all codes starting in 2020-2022.

    ``history=True`` adds renames and retirements (some with successors) from 2022-03 on;
    ``False`` none; None either.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(taxonomies(min_codes=2, max_codes=4, history=True))
    ... def check(taxonomy):
    ...     assert any(c.valid_to is not None or len(c.names) > 1 for c in taxonomy.codes)
    >>> check()
    """
    _size("taxonomies", min_codes, max_codes, floor=0)
    flag = _flag("taxonomies(history=...)", history)
    if flag and max_codes == 0:
        raise _fail("taxonomies", "history=True needs max_codes >= 1", max_codes)
    return _taxonomy(min_codes, max_codes, flag)


# --------------------------------------------------------------------------- organizations


def departments(*, ids: Iterable[str] | None = None) -> st.SearchStrategy[Department]:
    """A department with an id (from ``ids`` if given) and a name."""
    chosen = _choices("departments(ids=...)", ids, _name, "non-blank ids")
    return st.builds(
        Department,
        id=_sample(chosen) if chosen else _idents(_DEPARTMENT_IDS),
        name=_sample(("Customer service", "Quality", "Logistics")) | _WORDS.map(str.strip),
    )


_AUTHORITIES: Final = st.builds(
    Authority,
    remedies=st.frozensets(_sample(tuple(RemedyKind))),
    max_amount=st.none() | money(currencies=["KRW"], max_amount=10**7, places=0),
)


def agents(
    *,
    departments: Iterable[str] | None = None,
    roles: Iterable[Role | str] | None = None,
    active: bool | None = None,
) -> st.SearchStrategy[Agent]:
    """An agent of one of ``departments`` (ids), in one of ``roles``."""
    depts = _choices("agents(departments=...)", departments, _name, "department ids")
    r = _choices("agents(roles=...)", roles, Role, f"Role values {[v.value for v in Role]}")
    flag = _flag("agents(active=...)", active)
    return st.builds(
        Agent,
        id=_idents(_AGENT_IDS),
        name=_sample(("Kim", "Lee", "Park")) | _WORDS.map(str.strip),
        department=_sample(depts) if depts else _idents(_DEPARTMENT_IDS),
        role=_sample(r or (Role.HANDLER, Role.FRONT_LINE, Role.SUPERVISOR, Role.EXECUTIVE)),
        skills=st.frozensets(_sample(("refund", "delivery", "safety", "english")), max_size=3),
        languages=st.frozensets(_sample(("ko", "en", "ja")), min_size=1, max_size=3),
        capacity=st.integers(0, 50),
        authority=_AUTHORITIES,
        active=st.just(flag) if flag is not None else st.booleans().map(lambda b: not b),
    )


_DEPARTMENT_NAMES: Final = _sample(("Customer service", "Quality", "Logistics")) | _WORDS.map(
    str.strip
)
_AGENT_NAMES: Final = _sample(("Kim", "Lee", "Park")) | _WORDS.map(str.strip)
_SKILLS: Final = st.frozensets(_sample(("refund", "delivery", "safety", "english")), max_size=3)
_LANGUAGES: Final = st.frozensets(_sample(("ko", "en", "ja")), min_size=1, max_size=3)


@st.composite
def _organization(
    draw: st.DrawFn,
    dept_range: tuple[int, int],
    agent_range: tuple[int, int],
    roles: tuple[Role, ...] | None,
    active: bool | None,
    staffed: bool,
) -> Organization:
    # Fields are drawn from strategies built once (not a fresh ``agents()`` per agent): fewer,
    # stabler choices make generation and shrinking much faster.
    dept_ids = draw(
        st.lists(
            _idents(_DEPARTMENT_IDS), min_size=dept_range[0], max_size=dept_range[1], unique=True
        )
    )
    count = draw(st.integers(*agent_range)) if dept_ids else 0
    agent_ids = draw(st.lists(_idents(_AGENT_IDS), min_size=count, max_size=count, unique=True))
    role_choices = roles or (Role.HANDLER, Role.FRONT_LINE, Role.SUPERVISOR, Role.EXECUTIVE)
    members: list[Agent] = []
    for i, agent_id in enumerate(agent_ids):
        # ``staffed``: the first agents go one to each department, so every department has one.
        first = staffed and i < len(dept_ids)
        members.append(
            Agent(
                id=agent_id,
                name=draw(_AGENT_NAMES),
                department=dept_ids[i] if first else draw(_sample(dept_ids)),
                role=draw(_sample(role_choices)),
                skills=draw(_SKILLS),
                languages=draw(_LANGUAGES),
                capacity=draw(st.integers(0, 50)),
                authority=draw(_AUTHORITIES),
                active=True if first or active else (active is None and not draw(st.booleans())),
            )
        )
    depts: list[Department] = []
    for dept_id in dept_ids:
        staff = [a.id for a in members if a.department == dept_id]
        head = draw(st.none() | _sample(staff)) if staff else None
        depts.append(Department(id=dept_id, name=draw(_DEPARTMENT_NAMES), head=head))
    return Organization(departments=tuple(depts), agents=tuple(members))


def organizations(
    *,
    min_departments: int = 1,
    max_departments: int = 4,
    min_agents: int = 0,
    max_agents: int = 8,
    roles: Iterable[Role | str] | None = None,
    active: bool | None = None,
    staffed: bool = False,
) -> st.SearchStrategy[Organization]:
    """Valid organizations: unique ids, every agent in a known department, heads among members.

    ``staffed=True`` gives every department at least one active agent (then ``min_agents`` must
    be at least ``max_departments``).

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(organizations(min_departments=2, max_departments=2, min_agents=2, staffed=True))
    ... def check(org):
    ...     assert all(org.members(d.id) for d in org.departments)
    >>> check()
    """
    _size("organizations(departments)", min_departments, max_departments)
    _size("organizations(agents)", min_agents, max_agents)
    r = _choices("organizations(roles=...)", roles, Role, f"Role values {[v.value for v in Role]}")
    flag = _flag("organizations(active=...)", active)
    if max_agents > 0 and max_departments == 0:
        raise _fail(
            "organizations", "agents need a department; raise max_departments", max_departments
        )
    if staffed and min_agents < max_departments:
        raise _fail(
            "organizations(staffed=True)",
            f"min_agents must be >= max_departments ({max_departments}) so each has an agent",
            min_agents,
        )
    return _organization(
        (min_departments, max_departments), (min_agents, max_agents), r, flag, staffed
    )


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


# --------------------------------------------------------------------------- lifecycles

_GAP: Final = st.integers(0, 48 * 60).map(lambda m: timedelta(minutes=m))
_MONEY_REMEDIES: Final = frozenset(
    {RemedyKind.REFUND, RemedyKind.EXCHANGE, RemedyKind.REPAIR, RemedyKind.COMPENSATION}
)


@attrs.frozen(slots=True)
class Step:
    """One generated command: who fires it and when, and whether the workflow accepted it.

    ``accepted`` is what :meth:`Workflow.fire <ccms.workflow.Workflow.fire>` answered when the
    sequence was generated (from the same starting complaint); a store or Desk in front of the
    workflow must agree.
    """

    command: Command
    actor: Actor
    at: datetime
    accepted: bool


@attrs.frozen(slots=True)
class CommandScript:
    """A complaint to open and the commands to send it, valid and invalid mixed."""

    complaint_id: str
    receive: Receive
    steps: tuple[Step, ...]

    def receive_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :meth:`ccms.desk.Desk.receive` that open this complaint."""
        r = self.receive
        return {
            "channel": r.channel,
            "customer": r.customer,
            "concerns": r.concerns,
            "received_at": r.received_at,
            "flags": r.flags,
            "tags": r.tags,
            "complaint_id": self.complaint_id,
        }


@attrs.frozen(slots=True)
class _Walk:
    workflow: Workflow
    organization: Organization | None
    taxonomy: Taxonomy | None
    max_commands: int
    triggers: frozenset[str] | None
    distance: Mapping[str, int] | None
    starts: st.SearchStrategy[datetime]
    receipts: st.SearchStrategy[tuple[Channel, CustomerRef, tuple[Concern, ...]]]

    def options(self, stage: str) -> list[str]:
        out = []
        for trigger in self.workflow.allowed_triggers(stage):
            if self.triggers is not None and trigger not in self.triggers:
                continue
            if self.distance is not None:
                rows = self.workflow.table[(stage, trigger)]
                if not any((r.dest or stage) in self.distance for r in rows):
                    continue
            out.append(trigger)
        return out

    def moving(self, stage: str, options: list[str]) -> list[str]:
        """Mostly the triggers that move the complaint on (to another, non-terminal stage).

        Without this bias a uniform choice ends most walks early (withdraw, reject) or in place
        (escalate, flag, respond), and reopenings after a whole handling cycle would be rare.
        """
        terminal = self.workflow.definition.terminal_stages
        moving = [
            t
            for t in options
            if any(
                r.dest is not None and r.dest != stage and r.dest not in terminal
                for r in self.workflow.table[(stage, t)]
            )
        ]
        return options if not moving or len(moving) == len(options) else moving

    def closer(self, stage: str) -> list[str]:
        """Triggers leading nearer an end stage, nearest first."""
        assert self.distance is not None
        here = self.distance.get(stage, 10**9)
        ranked = []
        for trigger in self.options(stage):
            best = min(
                self.distance.get(r.dest or stage, 10**9)
                for r in self.workflow.table[(stage, trigger)]
            )
            if best < here:
                ranked.append((best, trigger))
        return [t for _, t in sorted(ranked)]


def _actor_for(draw: _Draw, workflow: Workflow, stage: str, trigger: str) -> Actor:
    rows = workflow.table.get((stage, trigger), ())
    roles: set[str] = set()
    for row in rows:
        if row.roles is None:
            return Actor.system()
        roles |= row.roles
    if not roles or Role.SYSTEM.value in roles:
        return Actor.system()
    role = Role(draw(_sample(sorted(roles))))
    return Actor(id=f"{role.value}-desk", role=role)


def _departments_of(org: Organization | None) -> tuple[str, ...]:
    return (
        tuple(d.id for d in org.departments)
        if org is not None and org.departments
        else _DEPARTMENT_IDS[:3]
    )


def _command(
    draw: _Draw,
    trigger: str,
    complaint: Complaint,
    org: Organization | None,
    taxonomy: Taxonomy | None,
    *,
    sloppy: bool = False,
) -> Command:
    """A command for ``trigger`` that the default guards accept (unless ``sloppy``)."""
    depts = _departments_of(org)
    if trigger == "classify":
        n = len(complaint.concerns) + (
            draw(st.sampled_from((-1, 1))) if sloppy and len(complaint.concerns) > 1 else 0
        )
        try:
            codes = voc_codes(taxonomy, as_of=complaint.received_at.date())
        except InvalidStrategyArgument:  # nothing in force that day: any code will do
            codes = voc_codes()
        chosen = tuple(draw(codes) for _ in range(max(n, 1)))
        sev = draw(st.none() | st.tuples(*[_sample(tuple(Severity))] * len(chosen)))
        return Classify(codes=chosen, severities=sev)
    if trigger == "assign_department":
        return AssignDepartment(department=draw(_sample(depts)))
    if trigger == "assign_handler":
        pool: Sequence[str] = _AGENT_IDS[:3]
        if org is not None and org.agents:
            here = [a.id for a in org.agents if a.active and a.department == complaint.department]
            pool = here if here and not sloppy else [a.id for a in org.agents]
        return AssignHandler(handler=draw(_sample(pool)))
    if trigger == "start":
        return Start()
    if trigger == "resume":
        return Resume()
    if trigger == "wait_on_customer":
        return WaitOnCustomer(reason=draw(_SHORT))
    if trigger == "transfer":
        others = [d for d in depts if d != complaint.department]
        target = complaint.department if sloppy or not others else draw(_sample(others))
        return Transfer(to_department=target or depts[0], reason=draw(_SHORT))
    if trigger == "register_result":
        return RegisterResult(result=draw(_results(complaint, org, sloppy=sloppy)))
    if trigger == "notify":
        return Notify(channel=draw(_sample(tuple(Channel))))
    if trigger == "respond":
        return Respond(channel=draw(_sample(tuple(Channel))), note=draw(_SHORT))
    if trigger == "record_feedback":
        satisfied = draw(st.booleans())
        return RecordFeedback(
            feedback=Feedback(
                satisfied=satisfied,
                csat=draw(st.none() | st.integers(1, 5)),
                wants_reopen=not satisfied and draw(st.booleans()),
            )
        )
    if trigger == "reopen":
        return Reopen(reason=draw(_SHORT))
    if trigger == "close":
        return Close(reason=draw(_SHORT))
    if trigger == "withdraw":
        return Withdraw(reason=draw(_SHORT))
    if trigger == "reject":
        reason = draw(_sample(("out_of_scope", "duplicate", "abusive", "other")))
        return Reject(reason=reason, duplicate_of="C-0" if reason == "duplicate" else None)
    if trigger == "escalate":
        return Escalate(level=draw(st.integers(1, 3)), reason=draw(_SHORT))
    if trigger == "close_cc_card":
        return CloseCcCard(reason=draw(_SHORT))
    if trigger == "flag":
        return SetFlags(
            added=draw(st.frozensets(_sample(tuple(Flag)), max_size=2)),
            removed=draw(st.frozensets(_sample(tuple(Flag)), max_size=1)),
        )
    return Fire(name=trigger, note=draw(_SHORT))


@st.composite
def _results(
    draw: st.DrawFn, complaint: Complaint, org: Organization | None, *, sloppy: bool
) -> Result:
    authority: Authority | None = None
    if org is not None and complaint.handler is not None and org.has_agent(complaint.handler):
        authority = org.agent(complaint.handler).authority
    remedies = (
        sorted(authority.remedies) if authority is not None and not sloppy else list(RemedyKind)
    )
    if not remedies:
        remedies = [RemedyKind.NONE]
    remedy = RemedyKind(draw(_sample(remedies)))
    amount: Money | None = None
    if remedy in _MONEY_REMEDIES and draw(st.booleans()):
        cap = Decimal(10**6)
        if authority is not None and not sloppy:
            cap = authority.max_amount.amount if authority.max_amount is not None else Decimal(0)
        amount = Money(
            amount=Decimal(draw(st.integers(0, int(cap) if cap < 10**6 else 10**6))), currency="KRW"
        )
    return Result(remedy=remedy, amount=amount, cause=draw(_SHORT), measures=draw(_SHORT))


def _fire(
    walk: _Walk,
    complaint: Complaint,
    command: Command,
    actor: Actor,
    at: datetime,
    events: Sequence[DomainEvent],
) -> tuple[Complaint, tuple[DomainEvent, ...]] | None:
    try:
        fired = walk.workflow.fire(
            complaint, command, actor=actor, at=at, organization=walk.organization, events=events
        )
    except CCMSError:
        return None
    return fired.complaint, fired.events


@st.composite
def _open(draw: st.DrawFn, walk: _Walk) -> tuple[str, Receive, Complaint, list[DomainEvent]]:
    at = draw(walk.starts)
    channel, customer, items = draw(walk.receipts)
    receive = Receive(channel=channel, customer=customer, concerns=items, received_at=at)
    complaint_id = draw(st.from_regex(r"c[0-9]{1,4}", fullmatch=True))
    fired = walk.workflow.receive(receive, complaint_id=complaint_id, actor=Actor.system(), at=at)
    return complaint_id, receive, fired.complaint, list(fired.events)


@st.composite
def _history(draw: st.DrawFn, walk: _Walk) -> list[DomainEvent]:
    _, _, complaint, events = draw(_open(walk))
    at = complaint.updated_at
    budget = draw(st.integers(0, walk.max_commands))
    done = tried = 0
    while done < budget and tried < 2 * budget + 4:
        tried += 1
        options = walk.options(complaint.stage)
        if not options:
            break
        if draw(st.integers(0, 4)) != 4:  # shrinks to 0: the plain, moving lifecycle
            options = walk.moving(complaint.stage, options)
        trigger = draw(_sample(options))
        at = at + draw(_GAP)
        actor = _actor_for(draw, walk.workflow, complaint.stage, trigger)
        command = _command(draw, trigger, complaint, walk.organization, walk.taxonomy)
        outcome = _fire(walk, complaint, command, actor, at, events)
        if outcome is None:
            continue
        complaint, new = outcome
        events.extend(new)
        done += 1
    if walk.distance is not None:
        for _ in range(4 * len(walk.workflow.definition.stages) + 4):
            if walk.distance.get(complaint.stage) == 0:
                break
            for trigger in walk.closer(complaint.stage):
                at = at + draw(_GAP.map(lambda g: g / 48))  # short gaps: stay inside windows
                actor = _actor_for(draw, walk.workflow, complaint.stage, trigger)
                command = _command(draw, trigger, complaint, walk.organization, walk.taxonomy)
                outcome = _fire(walk, complaint, command, actor, at, events)
                if outcome is not None:
                    complaint, new = outcome
                    events.extend(new)
                    break
        if walk.distance.get(complaint.stage) != 0:
            from hypothesis import reject

            reject()
    return events


def _distances(
    workflow: Workflow, ends: Collection[str], triggers: frozenset[str] | None
) -> dict[str, int]:
    """Stages from which an end stage is reachable, with the number of commands needed."""
    back: dict[str, set[str]] = {}
    for (stage, trigger), rows in workflow.table.items():
        if triggers is not None and trigger not in triggers:
            continue
        for row in rows:
            if row.dest is not None:
                back.setdefault(row.dest, set()).add(stage)
    dist = dict.fromkeys(ends, 0)
    queue = deque(ends)
    while queue:
        here = queue.popleft()
        for before in back.get(here, ()):
            if before not in dist:
                dist[before] = dist[here] + 1
                queue.append(before)
    return dist


def _walk(
    where: str,
    workflow: Workflow | None,
    organization: Organization | None,
    taxonomy: Taxonomy | None,
    max_commands: int,
    triggers: Iterable[str] | None,
    stages: Iterable[str] | None,
    starts: st.SearchStrategy[datetime] | None,
    channels: Iterable[Channel | str] | None = None,
    kinds: Iterable[VocKind | str] | None = None,
    max_concerns: int = 3,
) -> _Walk:
    wf = default_workflow() if workflow is None else workflow
    if not isinstance(wf, Workflow):
        raise _fail(f"{where}(workflow=...)", "give a compiled ccms.workflow.Workflow", workflow)
    if organization is not None and not isinstance(organization, Organization):
        raise _fail(
            f"{where}(organization=...)", "give a ccms.model.Organization or None", organization
        )
    if taxonomy is not None and (not isinstance(taxonomy, Taxonomy) or not len(taxonomy)):
        raise _fail(
            f"{where}(taxonomy=...)", "give a non-empty ccms.model.Taxonomy or None", taxonomy
        )
    _size(f"{where}(max_commands=...)", 0, max_commands)
    _size(f"{where}(max_concerns=...)", 1, max_concerns, floor=1)
    if max_concerns > 20:
        raise _fail(
            f"{where}(max_concerns=...)", "a complaint holds at most 20 concerns", max_concerns
        )
    known = wf.definition.triggers

    def trigger(value: object) -> str:
        if value not in known:
            raise ValueError(value)
        return str(value)

    names = [s.name for s in wf.definition.stages]

    def stage(value: object) -> str:
        if value not in names:
            raise ValueError(value)
        return str(value)

    chosen = _choices(
        f"{where}(triggers=...)", triggers, trigger, f"the workflow's triggers {list(known)}"
    )
    allowed = frozenset(chosen) if chosen is not None else None
    ends = _choices(f"{where}(stages=...)", stages, stage, f"the workflow's stages {names}")
    distance = None
    if ends is not None:
        distance = _distances(wf, ends, allowed)
        if wf.definition.initial not in distance:
            raise _fail(
                f"{where}(stages=...)",
                f"no stage of {list(ends)} can be reached from {wf.definition.initial!r} with the "
                "triggers allowed",
                stages,
            )
    ch = _choices(f"{where}(channels=...)", channels, Channel, "Channel values")
    receipts = st.tuples(
        _sample(ch or (Channel.PHONE, *[c for c in Channel if c is not Channel.PHONE])),
        customer_refs(),
        st.lists(concerns(kinds=kinds, classified=False), min_size=1, max_size=max_concerns).map(
            tuple
        ),
    )
    if starts is None:
        starts = aware_datetimes(
            min_value=datetime(2024, 1, 1, tzinfo=UTC), max_value=datetime(2028, 12, 31, tzinfo=UTC)
        )
    elif not isinstance(starts, st.SearchStrategy):
        raise _fail(
            f"{where}(starts=...)", "give a strategy of aware datetimes (aware_datetimes())", starts
        )
    return _Walk(wf, organization, taxonomy, max_commands, allowed, distance, starts, receipts)


def event_histories(
    workflow: Workflow | None = None,
    *,
    organization: Organization | None = None,
    taxonomy: Taxonomy | None = None,
    max_commands: int = 12,
    triggers: Iterable[str] | None = None,
    stages: Iterable[str] | None = None,
    starts: st.SearchStrategy[datetime] | None = None,
    channels: Iterable[Channel | str] | None = None,
    kinds: Iterable[VocKind | str] | None = None,
) -> st.SearchStrategy[list[DomainEvent]]:
    """Valid event histories of one complaint, made by firing ``workflow`` (default: ccms' own).

    The complaint is received, then up to ``max_commands`` commands are fired, each chosen among
    the triggers the current stage allows (:meth:`Workflow.allowed_triggers`), with arguments the
    guards accept when ``organization`` says who may do what; a command a guard still refuses is
    skipped. So every history folds (:func:`ccms.model.fold`) and reaches reopenings, transfers,
    waits on the customer, escalations and terminal stages as the workflow allows. Time moves
    forward by up to two days a command. ``triggers`` limits the triggers used; ``stages`` makes
    every history end in one of those stages. Shrinks to the single ``received`` event.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(event_histories(stages=["closed"]))
    ... def check(events):
    ...     assert (events[0].type, events[-1].stage) == ("received", "closed")
    >>> check()
    """
    walk = _walk(
        "event_histories",
        workflow,
        organization,
        taxonomy,
        max_commands,
        triggers,
        stages,
        starts,
        channels,
        kinds,
    )
    return _history(walk)


def complaints(
    workflow: Workflow | None = None,
    *,
    organization: Organization | None = None,
    taxonomy: Taxonomy | None = None,
    stages: Iterable[str] | None = None,
    channels: Iterable[Channel | str] | None = None,
    kinds: Iterable[VocKind | str] | None = None,
    max_commands: int = 12,
) -> st.SearchStrategy[Complaint]:
    """Complaints as the workflow makes them: the fold of an :func:`event_histories` history.

    Every field is consistent (stage reachable, counters, timestamps in order, version equal to
    the number of commands); ``stages`` asks for complaints in those stages.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(complaints(stages=["waiting_on_customer"]))
    ... def check(complaint):
    ...     assert complaint.stage == "waiting_on_customer"
    >>> check()
    """
    walk = _walk(
        "complaints",
        workflow,
        organization,
        taxonomy,
        max_commands,
        None,
        stages,
        None,
        channels,
        kinds,
    )
    return _history(walk).map(fold)


@st.composite
def _script(draw: st.DrawFn, walk: _Walk, size: tuple[int, int]) -> CommandScript:
    complaint_id, receive, complaint, events = draw(_open(walk))
    at = complaint.updated_at
    steps: list[Step] = []
    every = walk.workflow.definition.triggers
    for _ in range(draw(st.integers(*size))):
        at = at + draw(_GAP)
        mode = draw(st.integers(0, 2))  # 0: allowed trigger, 1: any trigger, 2: bad arguments
        options = walk.options(complaint.stage)
        trigger = draw(_sample(options)) if mode != 1 and options else draw(_sample(every))
        actor = _actor_for(draw, walk.workflow, complaint.stage, trigger)
        command = _command(
            draw, trigger, complaint, walk.organization, walk.taxonomy, sloppy=mode == 2
        )
        outcome = _fire(walk, complaint, command, actor, at, events)
        steps.append(Step(command, actor, at, outcome is not None))
        if outcome is not None:
            complaint, new = outcome
            events.extend(new)
        at = complaint.updated_at if complaint.updated_at > at else at
    return CommandScript(complaint_id, receive, tuple(steps))


def command_sequences(
    workflow: Workflow | None = None,
    *,
    organization: Organization | None = None,
    taxonomy: Taxonomy | None = None,
    min_size: int = 0,
    max_size: int = 12,
    starts: st.SearchStrategy[datetime] | None = None,
) -> st.SearchStrategy[CommandScript]:
    """A complaint to open and a sequence of commands for it, valid and invalid mixed.

    About a third of the steps fire a trigger the stage allows with good arguments, a third any
    trigger of the workflow (often refused: not allowed from the stage), and a third an allowed
    trigger with arguments a guard or the command refuses (a transfer to the same department, a
    handler from elsewhere, a remedy over the handler's authority, a code count that does not
    match the concerns). Each :class:`Step` says whether the workflow accepted it.

    >>> from hypothesis import given, settings
    >>> @settings(max_examples=5, database=None)
    ... @given(command_sequences(min_size=3, max_size=3))
    ... def check(script):
    ...     assert len(script.steps) == 3
    ...     assert script.receive.received_at <= script.steps[0].at
    >>> check()
    """
    _size("command_sequences", min_size, max_size)
    walk = _walk("command_sequences", workflow, organization, taxonomy, 0, None, None, starts)
    return _script(walk, (min_size, max_size))


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
