"""KPI calculators: volume, speed, SLA, reopen, transfer, escalation, happy call, remedy.

:class:`KpiAccumulator` computes every per-group KPI in one pass over case records. It keeps exact
sufficient statistics per group (:class:`CaseStats`: integer counts, whole-second sums, duration
histograms, Decimal costs) and turns them into figures in :meth:`KpiAccumulator.result`
(:class:`KpiTable` of :class:`Kpis`). Choose the figure families with ``figures=`` (all by
default); each family is one block of the generated ``update`` function, so a narrower selection
is faster. ``by`` names record attributes and/or the periods ``day``, ``week``, ``month``
(of ``received_at`` in ``zone``).

Definitions (denominators in brackets):

* **fcr** first-contact resolution: resolved with no transfer and no reopen [resolved].
* **response** / **resolution**: calendar seconds from receipt to first response / resolution;
  **business**: the same in business time (records built with a calendar); **waiting**: seconds
  waiting on the customer [all], and **company** time = resolution - waiting [resolved].
* **timely** (CFPB style): first response within 15 calendar days [responded, plus unanswered
  complaints older than 15 days at ``as_of`` when given].
* **sla**: per target, met / (met + breached); a target both met and breached counts breached.
* **reopen** rate: reopened at least once [all]; **transfers**: total and per complaint;
  **escalation** rate: escalation level > 0 [all]; **repeat** rate [all].
* **happy_call**: response rate = feedback recorded / resolved and not withdrawn or rejected;
  **satisfied** [answered]; **csat** distribution and mean [scored].
* **remedy** mix (count per kind) and cost (Decimal sum per currency).

>>> from datetime import datetime, timedelta, timezone
>>> from ccms.metrics import CaseRecord
>>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
>>> def rec(i, ch, hours, reopens=0):
...     return CaseRecord(id=str(i), received_at=t, channel=ch, kind="complaint",
...                       severity="low", segment="general", stage="closed",
...                       resolved_at=t + timedelta(hours=hours), reopens=reopens)
>>> acc = KpiAccumulator(by=("channel",))
>>> for r in [rec(1, "web", 2), rec(2, "web", 4, reopens=1), rec(3, "phone", 1)]:
...     acc.update(r)
>>> table = acc.result()
>>> web = table.by_group[("web",)]
>>> web.count, web.reopen.value, web.resolution.mean / 3600, web.fcr.value
(2, 0.5, 3.0, 0.5)
>>> table.overall.count
3
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, Literal, Self, get_args
from zoneinfo import ZoneInfo

import attrs

from ccms.errors import InvalidInput, require_aware
from ccms.metrics.accumulators import (
    Durations,
    Summary,
    check_resolution,
    group_key,
    sort_key,
    zone_of,
)
from ccms.metrics.records import CaseRecord
from ccms.metrics.stats import wilson_interval

__all__ = [
    "FIGURES",
    "TIMELY_WITHIN",
    "CaseStats",
    "Figure",
    "KpiAccumulator",
    "KpiTable",
    "Kpis",
    "Rate",
    "complaint_rates",
]

Figure = Literal[
    "fcr",
    "response",
    "resolution",
    "business",
    "waiting",
    "timely",
    "sla",
    "reopen",
    "transfer",
    "escalation",
    "repeat",
    "status",
    "happy_call",
    "remedy",
]
#: Every figure family, in the order the generated update runs them.
FIGURES: Final[tuple[Figure, ...]] = get_args(Figure)
#: CFPB's timely-response window: 15 calendar days.
TIMELY_WITHIN: Final = timedelta(days=15)
UNKNOWN_FIGURE: Final = "unknown KPI figure {value!r}; allowed: {allowed}"
MISMATCH: Final = "cannot merge KPI accumulators with different settings: {mine} vs {theirs}"
MISSING_DENOMINATOR: Final = "no denominator for period {period!r}; give one for every period"

_ZERO: Final = Decimal(0)
_SEC: Final = timedelta(seconds=1)


@attrs.frozen
class Rate:
    """``successes`` out of ``n``; ``value`` is None when ``n == 0``.

    >>> Rate(3, 4).value, [round(x, 3) for x in Rate(3, 4).interval()]
    (0.75, [0.301, 0.954])
    """

    successes: int
    n: int

    @property
    def value(self) -> float | None:
        """``successes / n`` or None."""
        return self.successes / self.n if self.n else None

    def interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """The Wilson score interval."""
        return wilson_interval(self.successes, self.n, confidence)


_INT_FIELDS: Final = (
    "n",
    "fcr_n",
    "fcr",
    "timely_n",
    "timely",
    "reopened",
    "reopens",
    "transfers",
    "transferred",
    "escalated",
    "repeat",
    "withdrawn",
    "rejected",
    "resolved",
    "open",
    "fb_eligible",
    "fb_responded",
    "fb_answered",
    "fb_satisfied",
)
_DUR_FIELDS: Final = (
    "response",
    "resolution",
    "response_business",
    "resolution_business",
    "waiting",
    "waiting_business",
    "company",
)
_DICT_FIELDS: Final = ("csat", "remedies")


class CaseStats:
    """Exact per-group state of :class:`KpiAccumulator` (ints, histograms, Decimal sums)."""

    __slots__ = (*_INT_FIELDS, *_DUR_FIELDS, *_DICT_FIELDS, "cost", "sla")

    n: int
    fcr_n: int
    fcr: int
    timely_n: int
    timely: int
    reopened: int
    reopens: int
    transfers: int
    transferred: int
    escalated: int
    repeat: int
    withdrawn: int
    rejected: int
    resolved: int
    open: int
    fb_eligible: int
    fb_responded: int
    fb_answered: int
    fb_satisfied: int
    response: Durations
    resolution: Durations
    response_business: Durations
    resolution_business: Durations
    waiting: Durations
    waiting_business: Durations
    company: Durations
    csat: dict[int, int]
    remedies: dict[str, int]
    cost: dict[str, Decimal]
    sla: dict[str, list[int]]  # target -> [met, breached]

    def __init__(self, resolution: int = 60) -> None:
        for name in _INT_FIELDS:
            setattr(self, name, 0)
        for name in _DUR_FIELDS:
            setattr(self, name, Durations(resolution))
        self.csat = {}
        self.remedies = {}
        self.cost = {}
        self.sla = {}

    def merged(self, other: CaseStats) -> CaseStats:
        """A new state holding both; neither operand changes."""
        out = CaseStats.__new__(CaseStats)
        for name in _INT_FIELDS:
            setattr(out, name, getattr(self, name))
        for name in _DUR_FIELDS:
            d: Durations = getattr(self, name)
            setattr(out, name, d.copy())
        for name in (*_DICT_FIELDS, "cost"):
            setattr(out, name, dict(getattr(self, name)))
        out.sla = {t: list(c) for t, c in self.sla.items()}
        out.absorb(other)
        return out

    def absorb(self, other: CaseStats) -> None:
        """Add ``other`` into this state in place (``other`` unchanged); linear in its size."""
        for name in _INT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for name in _DUR_FIELDS:
            getattr(self, name).absorb(getattr(other, name))
        for name in (*_DICT_FIELDS, "cost"):
            mine: dict[Any, Any] = getattr(self, name)
            for k, v in getattr(other, name).items():
                mine[k] = mine[k] + v if k in mine else v
        sla = self.sla
        for t, c in other.sla.items():
            m = sla.get(t)
            if m is None:
                sla[t] = list(c)
            else:
                m[0] += c[0]
                m[1] += c[1]

    def state(self) -> dict[str, Any]:
        """A plain, comparable snapshot of the state (for tests and pickling)."""
        out: dict[str, Any] = {name: getattr(self, name) for name in _INT_FIELDS}
        for name in _DUR_FIELDS:
            d = getattr(self, name)
            out[name] = (d.n, d.total, d.counts())
        out["csat"] = dict(sorted(self.csat.items()))
        out["remedies"] = dict(sorted(self.remedies.items()))
        out["cost"] = dict(sorted(self.cost.items()))
        out["sla"] = {t: tuple(c) for t, c in sorted(self.sla.items())}
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CaseStats) and self.state() == other.state()

    __hash__ = None  # type: ignore[assignment]

    def __getstate__(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)


@attrs.frozen(eq=True)
class Kpis:
    """The KPI figures of one group (or of all records); see the module docstring."""

    count: int
    withdrawn: int
    rejected: int
    resolved: int
    open: int
    fcr: Rate
    reopen: Rate
    reopens: int
    transfers: int
    transferred: Rate
    escalation: Rate
    repeat: Rate
    response: Summary
    resolution: Summary
    response_business: Summary
    resolution_business: Summary
    waiting: Summary
    waiting_business: Summary
    company: Summary
    timely: Rate
    sla: Mapping[str, Rate]
    happy_call: Rate
    satisfied: Rate
    csat: Mapping[int, int]
    remedy_mix: Mapping[str, int]
    remedy_cost: Mapping[str, Decimal]

    @property
    def transfers_per_complaint(self) -> float | None:
        """Transfers divided by complaints, or None for an empty group."""
        return self.transfers / self.count if self.count else None

    @property
    def csat_mean(self) -> float | None:
        """Mean CSAT score (1-5) over scored complaints, or None."""
        n = sum(self.csat.values())
        return sum(k * v for k, v in self.csat.items()) / n if n else None

    @classmethod
    def from_stats(cls, s: CaseStats) -> Kpis:
        """The figures of one :class:`CaseStats`."""
        return cls.from_parts(
            {name: getattr(s, name) for name in _INT_FIELDS},
            {name: getattr(s, name).summary() for name in _DUR_FIELDS},
            s.sla,
            s.csat,
            s.remedies,
            s.cost,
        )

    @classmethod
    def from_parts(
        cls,
        counts: Mapping[str, int],
        durations: Mapping[str, Summary],
        sla: Mapping[str, Sequence[int]],
        csat: Mapping[int, int],
        remedies: Mapping[str, int],
        cost: Mapping[str, Decimal],
    ) -> Kpis:
        """The figures from exact counts (the names of :class:`CaseStats`' integer fields),
        duration summaries, SLA ``[met, breached]`` per target, CSAT counts, remedy counts and
        costs. Both the accumulator and the columnar path build their figures here."""
        c = counts
        n = c["n"]
        return cls(
            count=n,
            withdrawn=c["withdrawn"],
            rejected=c["rejected"],
            resolved=c["resolved"],
            open=c["open"],
            fcr=Rate(c["fcr"], c["fcr_n"]),
            reopen=Rate(c["reopened"], n),
            reopens=c["reopens"],
            transfers=c["transfers"],
            transferred=Rate(c["transferred"], n),
            escalation=Rate(c["escalated"], n),
            repeat=Rate(c["repeat"], n),
            response=durations["response"],
            resolution=durations["resolution"],
            response_business=durations["response_business"],
            resolution_business=durations["resolution_business"],
            waiting=durations["waiting"],
            waiting_business=durations["waiting_business"],
            company=durations["company"],
            timely=Rate(c["timely"], c["timely_n"]),
            sla={t: Rate(m, m + b) for t, (m, b) in sorted(sla.items())},
            happy_call=Rate(c["fb_responded"], c["fb_eligible"]),
            satisfied=Rate(c["fb_satisfied"], c["fb_answered"]),
            csat=dict(sorted(csat.items())),
            remedy_mix=dict(sorted(remedies.items())),
            remedy_cost=dict(sorted(cost.items())),
        )


@attrs.frozen
class KpiTable:
    """KPIs of every group and of all records together.

    ``by_group`` keys are tuples in the order of ``by`` (``()`` when ``by`` is empty).
    """

    by: tuple[str, ...]
    overall: Kpis
    by_group: Mapping[tuple[Any, ...], Kpis]

    def counts(self) -> dict[tuple[Any, ...], int]:
        """Volume per group."""
        return {k: v.count for k, v in self.by_group.items()}


# The figure blocks of the generated update function. ``r`` is the record, ``s`` its group's
# CaseStats; constants come from the namespace built in KpiAccumulator._compile. A new bin's key
# is the accumulator's one int object for that bin number (``KEY``), shared by every group's
# histograms as CPython shares the ints up to 256: a bin then costs its dict slot, not also an
# int of its own (about half the state at a million records).


def _dur(field: str, pad: str = "    ") -> str:
    """The update of duration ``field`` by ``v`` seconds, its lines indented by ``pad`` after the
    first: the bin's slot of the dense window, or its dict entry (see :class:`Durations`)."""
    lines = (
        f"d = s.{field}; d.n += 1; d.total += v; b = v // RES; i = b - d.lo",
        "if 0 <= i < d.size:",
        "    try: d.dense[i] += 1",
        "    except OverflowError: d.carry(i)",
        "else:",
        "    h = d.hist; c = h.get(b)",
        "    if c: h[b] = c + 1",
        "    else:",
        "        h[KEY(b, b)] = 1",
        "        if len(h) > d.limit: d.compact()",
    )
    return ("\n" + pad).join(lines)


_BLOCKS: Final[dict[str, str]] = {
    "status": """
if r.withdrawn: s.withdrawn += 1
if r.rejected: s.rejected += 1
if r.resolved_at is not None: s.resolved += 1
if r.closed_at is None: s.open += 1
""",
    "fcr": """
if r.resolved_at is not None:
    s.fcr_n += 1
    if not r.transfers and not r.reopens: s.fcr += 1
""",
    "response": f"""
t = r.first_response_at
if t is not None:
    v = (t - r.received_at) // SEC
    {_dur("response")}
""",
    "resolution": f"""
t = r.resolved_at
if t is not None:
    v = (t - r.received_at) // SEC
    {_dur("resolution")}
""",
    "business": f"""
v = r.business_response_seconds
if v is not None:
    {_dur("response_business")}
v = r.business_resolution_seconds
if v is not None:
    {_dur("resolution_business")}
""",
    "waiting": f"""
w = r.waiting_seconds
v = w
{_dur("waiting", "")}
v = r.business_waiting_seconds
if v is not None:
    {_dur("waiting_business")}
t = r.resolved_at
if t is not None:
    v = (t - r.received_at) // SEC - w
    {_dur("company")}
""",
    "timely": """
t = r.first_response_at
if t is not None:
    s.timely_n += 1
    if t - r.received_at <= TIMELY: s.timely += 1
elif AS_OF is not None and AS_OF - r.received_at > TIMELY:
    s.timely_n += 1
""",
    "sla": """
br = r.sla_breached
me = r.sla_met
if br or me:
    sl = s.sla
    for t in br:
        c = sl.get(t)
        if c is None: c = sl[t] = [0, 0]
        c[1] += 1
    for t in me:
        if t not in br:
            c = sl.get(t)
            if c is None: c = sl[t] = [0, 0]
            c[0] += 1
""",
    "reopen": """
if r.reopens:
    s.reopened += 1
    s.reopens += r.reopens
""",
    "transfer": """
if r.transfers:
    s.transferred += 1
    s.transfers += r.transfers
""",
    "escalation": """
if r.escalation_level: s.escalated += 1
""",
    "repeat": """
if r.repeat: s.repeat += 1
""",
    "happy_call": """
if r.resolved_at is not None and not r.withdrawn and not r.rejected:
    s.fb_eligible += 1
    if r.feedback_responded:
        s.fb_responded += 1
        v = r.satisfied
        if v is not None:
            s.fb_answered += 1
            if v: s.fb_satisfied += 1
        v = r.csat
        if v is not None:
            h = s.csat; h[v] = h.get(v, 0) + 1
""",
    "remedy": """
k = r.remedy
if k is not None:
    m = s.remedies; m[k] = m.get(k, 0) + 1
    a = r.remedy_amount
    if a is not None:
        cur = r.currency or "XXX"
        m = s.cost; m[cur] = m.get(cur, ZERO) + a
""",
}


def _indent(block: str) -> str:
    return "".join(f"    {line}\n" for line in block.strip("\n").splitlines())


class KpiAccumulator:
    """All per-group KPIs in one pass (see the module docstring).

    Args:
        by: record attributes and/or ``day``/``week``/``month`` to group by (``()``: one group).
        figures: the figure families to compute (default: all of :data:`FIGURES`).
        zone: time zone of the period keys.
        resolution: histogram bin width for medians and p90 (default one minute).
        as_of: the moment unanswered complaints are judged against the 15-day timely window.

    ``update`` is generated once per settings (like attrs' generated ``__init__``): one flat
    function with no per-record allocation beyond new groups and histogram bins.
    ``merge`` returns a new accumulator; the operands are unchanged.
    """

    update: Callable[[CaseRecord], None]

    def __init__(
        self,
        by: Sequence[str] = (),
        *,
        figures: Iterable[Figure] = FIGURES,
        zone: str | ZoneInfo = "UTC",
        resolution: timedelta | int = timedelta(minutes=1),
        as_of: datetime | None = None,
    ) -> None:
        self.by = tuple(by)
        chosen = set(figures)
        for f in chosen:
            if f not in FIGURES:
                raise InvalidInput(UNKNOWN_FIGURE.format(value=f, allowed=", ".join(FIGURES)))
        self.figures = tuple(f for f in FIGURES if f in chosen)
        self.zone = zone_of(zone)
        self.resolution = check_resolution(resolution)
        self.as_of = require_aware(as_of, "as_of") if as_of is not None else None
        self._groups: dict[Any, CaseStats] = {}
        self._bin_keys: dict[int, int] = {}  # one int object per bin number (see _dur)
        self._compile()

    def _settings(self) -> tuple[Any, ...]:
        return (self.by, self.figures, str(self.zone), self.resolution, self.as_of)

    def _compile(self) -> None:
        key = group_key(self.by, (a.name for a in attrs.fields(CaseRecord)), self.zone)
        resolution = self.resolution
        namespace: dict[str, Any] = {
            "key": key,
            "groups": self._groups,
            "new": lambda: CaseStats(resolution),
            "SEC": _SEC,
            "RES": resolution,
            "TIMELY": TIMELY_WITHIN,
            "AS_OF": self.as_of,
            "ZERO": _ZERO,
            "KEY": self._bin_keys.setdefault,
        }
        body = "".join(_indent(_BLOCKS[f]) for f in self.figures)
        source = (
            "def update(r):\n"
            "    k = key(r)\n"
            "    s = groups.get(k)\n"
            "    if s is None:\n"
            "        s = groups[k] = new()\n"
            "    s.n += 1\n" + body
        )
        exec(compile(source, f"<ccms.metrics.kpi update {self.figures}>", "exec"), namespace)
        self.update = namespace["update"]

    def _empty(self) -> Self:
        return type(self)(
            self.by,
            figures=self.figures,
            zone=self.zone,
            resolution=self.resolution,
            as_of=self.as_of,
        )

    def merge(self, other: Self) -> Self:
        """A new accumulator holding both inputs (settings must agree)."""
        if other._settings() != self._settings():
            raise InvalidInput(MISMATCH.format(mine=self._settings(), theirs=other._settings()))
        out = self._empty()
        groups = out._groups
        # A group on one side only is copied through merged() with an empty state of the same
        # resolution, so the result never shares mutable state with an operand.
        empty = CaseStats(self.resolution)
        for k, s in self._groups.items():
            groups[k] = s.merged(other._groups.get(k, empty))
        for k, s in other._groups.items():
            if k not in groups:
                groups[k] = s.merged(empty)
        return out

    @property
    def groups(self) -> Mapping[Any, CaseStats]:
        """The raw per-group state (keys as produced by the key function)."""
        return self._groups

    def load(self, groups: Mapping[Any, CaseStats]) -> None:
        """Merge precomputed per-group state into this accumulator (used by the columnar path).

        The states are taken over, not copied: do not change them afterwards.
        """
        mine = self._groups
        for k, s in groups.items():
            have = mine.get(k)
            if have is None:
                mine[k] = s
            else:
                have.absorb(s)

    def result(self) -> KpiTable:
        """The KPI table; keys are tuples in the order of ``by``.

        The overall figures come from one running total that every group is added into in
        place, so the cost is linear in the groups' histogram bins.
        """
        single = len(self.by) == 1
        by_group: dict[tuple[Any, ...], Kpis] = {}
        total = CaseStats(self.resolution)
        for k in sorted(self._groups, key=sort_key):
            s = self._groups[k]
            by_group[(k,) if single else k] = Kpis.from_stats(s)
            total.absorb(s)
        return KpiTable(self.by, Kpis.from_stats(total), by_group)

    def __getstate__(self) -> dict[str, Any]:
        return {"settings": self._settings(), "groups": self._groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        by, figures, zone, resolution, as_of = state["settings"]
        self.__init__(by, figures=figures, zone=zone, resolution=resolution, as_of=as_of)  # type: ignore[misc]
        self._groups.update(state["groups"])

    def __repr__(self) -> str:
        return (
            f"KpiAccumulator(by={self.by!r}, figures={len(self.figures)} of {len(FIGURES)}, "
            f"groups={len(self._groups)})"
        )


def complaint_rates(
    counts: Mapping[Any, int],
    denominators: Mapping[Any, int | Decimal],
    *,
    per: int = 1000,
) -> dict[Any, Fraction]:
    """Complaints per ``per`` units of the host's denominator (orders, customers), per period.

    ``counts`` maps a period (or any key) to a volume, e.g. ``KpiTable.counts()`` grouped by
    ``month``; every key needs a denominator. Exact fractions.

    >>> from datetime import date
    >>> complaint_rates({date(2026, 1, 1): 12}, {date(2026, 1, 1): 4000})
    {datetime.date(2026, 1, 1): Fraction(3, 1)}
    """
    out: dict[Any, Fraction] = {}
    for period, count in counts.items():
        plain = period[0] if isinstance(period, tuple) and len(period) == 1 else period
        if plain in denominators:
            den = denominators[plain]
        elif period in denominators:
            den = denominators[period]
        else:
            raise InvalidInput(MISSING_DENOMINATOR.format(period=period))
        out[period] = Fraction(count * per) / Fraction(den) if den else Fraction(0)
    return out
