"""Hypothesis strategies for ccms' values: aware datetimes, money, customers, concerns, VOC
codes, taxonomies, departments, agents and organizations.

Private module; the public face is :mod:`ccms.testing.strategies`.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Final
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from ccms.model import (
    Agent,
    Authority,
    Concern,
    Customer,
    CustomerRef,
    Department,
    Money,
    Organization,
    RemedyKind,
    Role,
    Severity,
    Taxonomy,
    VocKind,
)
from ccms.testing._strategies_args import (
    _choices,
    _fail,
    _flag,
    _maybe,
    _name,
    _sample,
    _size,
    _zone,
)

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
