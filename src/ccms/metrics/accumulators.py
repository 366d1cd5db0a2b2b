"""The accumulator protocol, group keys and exact duration histograms.

Every calculator in :mod:`ccms.metrics` is a single-pass **accumulator**:

* ``update(record)`` folds one record in (mutates the accumulator; O(1) per record);
* ``merge(other)`` returns a **new** accumulator equal to one that had seen both inputs; neither
  operand changes. Merging is exact (integers, :class:`~decimal.Decimal`, fractions), associative
  and commutative, so partitions can be combined in any order or tree;
* ``result()`` returns an immutable figure object and leaves the accumulator usable.

State is O(groups) (for durations, O(groups x distinct bins), see :class:`Durations`).

>>> from datetime import datetime, timezone
>>> from ccms.metrics import CaseRecord, KpiAccumulator
>>> t = datetime(2026, 1, 5, tzinfo=timezone.utc)
>>> rs = [CaseRecord(id=str(i), received_at=t, channel=ch, kind="complaint", severity="low",
...                  segment="general", stage="received") for i, ch in enumerate("aab")]
>>> left, right = accumulate(KpiAccumulator(by=("channel",)), rs[:2]), KpiAccumulator(by=("channel",))
>>> accumulate(right, rs[2:]).merge(left).result().by_group[("b",)].count
1
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, Final, Protocol, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from ccms.errors import InvalidInput

__all__ = [
    "PERIOD_KEYS",
    "Accumulator",
    "Durations",
    "Summary",
    "accumulate",
    "group_key",
    "merge_all",
    "quantile_rank",
    "sort_key",
]

T_contra = TypeVar("T_contra", contravariant=True)
R_co = TypeVar("R_co", covariant=True)
A = TypeVar("A", bound="Accumulator[Any, Any]")

#: Group keys computed from ``received_at`` in the accumulator's zone.
PERIOD_KEYS: Final = ("day", "week", "month")
UNKNOWN_KEY: Final = "unknown group key {name!r}; allowed: {allowed}"
BAD_ZONE: Final = "unknown time zone {zone!r}; give an IANA name such as 'Asia/Seoul'"
BAD_RESOLUTION: Final = "resolution must be a whole number of seconds >= 1, got {value!r}"
EMPTY_MERGE: Final = "merge_all needs at least one accumulator"


class Accumulator(Protocol[T_contra, R_co]):
    """A single-pass, mergeable calculator (see the module docstring for the contract)."""

    def update(self, item: T_contra) -> None:
        """Fold one item in."""
        ...

    def merge(self, other: Self) -> Self:
        """A new accumulator equal to one that saw both inputs."""
        ...

    def result(self) -> R_co:
        """The figures so far."""
        ...


def accumulate(acc: A, items: Iterable[Any]) -> A:
    """Feed every item to ``acc.update`` and return ``acc``."""
    update = acc.update
    for item in items:
        update(item)
    return acc


def merge_all(accs: Sequence[A]) -> A:
    """Merge accumulators pairwise as a balanced tree (depth log₂ n); inputs are not changed.

    A single accumulator is returned as it is.

    >>> from ccms.metrics import KpiAccumulator
    >>> merge_all([KpiAccumulator(), KpiAccumulator()]).result().overall.count
    0
    """
    if not accs:
        raise InvalidInput(EMPTY_MERGE)
    level = list(accs)
    while len(level) > 1:
        nxt = [level[i].merge(level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def zone_of(zone: str | ZoneInfo) -> ZoneInfo:
    """A :class:`~zoneinfo.ZoneInfo` from a name, with a message naming what is allowed."""
    if isinstance(zone, ZoneInfo):
        return zone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(BAD_ZONE.format(zone=zone)) from None


def period_start(day: date, period: str) -> date:
    """The first day of the ``day``/``week`` (Monday)/``month`` holding ``day``."""
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    return day


def group_key(by: Sequence[str], allowed: Iterable[str], zone: ZoneInfo) -> Callable[[Any], Any]:
    """A fast key function for ``by``: a scalar for one attribute, a tuple for several.

    Names must be record attributes or a period key (``day``, ``week``, ``month`` of
    ``received_at`` in ``zone``).
    """
    allowed = tuple(allowed)
    for name in by:
        if name not in allowed and name not in PERIOD_KEYS:
            raise InvalidInput(
                UNKNOWN_KEY.format(name=name, allowed=", ".join((*allowed, *PERIOD_KEYS)))
            )
    if not by:
        return lambda r: ()
    if not any(n in PERIOD_KEYS for n in by):
        from operator import attrgetter

        return attrgetter(*by)

    def part(name: str) -> Callable[[Any], Any]:
        if name in PERIOD_KEYS:
            return lambda r: period_start(r.received_at.astimezone(zone).date(), name)
        from operator import attrgetter

        return attrgetter(name)

    parts = [part(n) for n in by]
    if len(parts) == 1:
        return parts[0]
    return lambda r: tuple(p(r) for p in parts)


def sort_key(k: Any) -> Any:
    """The order of group keys in results: each part as text, missing (None) parts last."""
    parts = k if isinstance(k, tuple) else (k,)
    return tuple((p is None, str(p)) for p in parts)


def quantile_rank(q: Fraction, n: int) -> int:
    """The 1-based nearest rank ``ceil(q·n)`` (at least 1) of the ``q`` quantile of ``n`` values.

    >>> quantile_rank(Fraction(1, 2), 4), quantile_rank(Fraction(9, 10), 10), quantile_rank(Fraction(9, 10), 11)
    (2, 9, 10)
    """
    return max(1, -((-q.numerator * n) // q.denominator))


_HALF: Final = Fraction(1, 2)
_P90: Final = Fraction(9, 10)
#: The quantiles a :class:`Summary` reports: the median and the 90th percentile.
_QUANTILES: Final = (_HALF, _P90)


@attrs.frozen
class Summary:
    """Mean, median and p90 of a duration, in seconds.

    ``total`` and ``n`` are exact; ``mean = total / n`` (exact to the whole second the durations
    were floored to). ``median`` and ``p90`` are nearest-rank quantiles reported as the lower edge
    of their bin: the true nearest-rank value ``v`` satisfies ``value <= v < value + resolution``.
    All None when ``n == 0``.
    """

    n: int
    total: int
    mean: float | None
    median: int | None
    p90: int | None
    resolution: int


@attrs.define
class Durations:
    """Exact mergeable state for a distribution of whole-second durations.

    Keeps ``n``, the exact ``total`` and a histogram of ``seconds // resolution`` bins. Memory is
    O(distinct bins): at one-minute bins, a year of durations needs at most 525,600 bins and a
    typical month of complaints a few thousand.

    >>> d = Durations(60)
    >>> for s in (30, 90, 150, 610): d.add(s)
    >>> d.summary()
    Summary(n=4, total=880, mean=220.0, median=60, p90=600, resolution=60)
    """

    resolution: int = 60
    n: int = 0
    total: int = 0
    hist: dict[int, int] = attrs.field(factory=dict)

    def add(self, seconds: int) -> None:
        """Add one duration."""
        self.n += 1
        self.total += seconds
        b = seconds // self.resolution
        h = self.hist
        h[b] = h.get(b, 0) + 1

    def merged(self, other: Durations) -> Durations:
        """A new state holding both (resolutions must agree); neither operand changes."""
        out = Durations(self.resolution, self.n, self.total, dict(self.hist))
        out.absorb(other)
        return out

    def absorb(self, other: Durations) -> None:
        """Add ``other`` into this state in place (resolutions must agree; ``other`` unchanged).

        The cost is the size of ``other``'s histogram, not of this one's, so folding many
        groups into one total is linear in the bins.
        """
        if other.resolution != self.resolution:
            raise InvalidInput(
                f"cannot merge durations binned at {self.resolution}s with {other.resolution}s"
            )
        self.n += other.n
        self.total += other.total
        hist = self.hist
        if not hist:
            hist.update(other.hist)
            return
        get = hist.get
        for b, c in other.hist.items():
            hist[b] = get(b, 0) + c

    def quantile(self, q: Fraction) -> int | None:
        """Lower bin edge (seconds) of the nearest-rank ``q`` quantile, or None if empty."""
        return self.quantiles((q,))[0]

    def quantiles(self, qs: Sequence[Fraction]) -> tuple[int | None, ...]:
        """Lower bin edges of the nearest-rank quantiles ``qs`` (ascending), in one sorted walk."""
        if self.n == 0:
            return tuple(None for _ in qs)
        ranks = [quantile_rank(q, self.n) for q in qs]
        out: list[int] = []
        seen = 0
        hist = self.hist
        i = 0
        for b in sorted(hist):
            seen += hist[b]
            while i < len(ranks) and seen >= ranks[i]:
                out.append(b * self.resolution)
                i += 1
            if i == len(ranks):
                return tuple(out)
        raise AssertionError("unreachable")  # pragma: no cover

    def summary(self) -> Summary:
        """Mean, median and p90 (see :class:`Summary`)."""
        if self.n == 0:
            return Summary(0, 0, None, None, None, self.resolution)
        median, p90 = self.quantiles(_QUANTILES)
        return Summary(self.n, self.total, self.total / self.n, median, p90, self.resolution)


def check_resolution(resolution: timedelta | int) -> int:
    """Bin width in whole seconds from a timedelta or int."""
    seconds = (
        resolution // timedelta(seconds=1) if isinstance(resolution, timedelta) else resolution
    )
    if (isinstance(resolution, timedelta) and resolution % timedelta(seconds=1)) or seconds < 1:
        raise InvalidInput(BAD_RESOLUTION.format(value=resolution))
    return int(seconds)
