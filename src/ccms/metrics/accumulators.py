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

from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from fractions import Fraction
from itertools import accumulate as running
from operator import add
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


#: The dense part of a histogram: unsigned 16-bit counts, one slot a bin (2 bytes), beside the
#: dict of the other bins (about 40 bytes a bin with its share of the table). A count past
#: 65,535 carries 65,536 into the dict, so a bin's count is ``dense + hist`` (exact, unbounded).
_DENSE: Final = "H"
_CARRY: Final = 65_536
_SLOT_BYTES: Final = 2
_ENTRY_BYTES: Final = 40
#: Dict bins before the first dense window is chosen; after each compaction the dict may grow
#: to twice what it kept (so compactions are O(log bins) a histogram).
_FIRST_COMPACT: Final = 64


def _zeros(n: int) -> array[int]:
    return array(_DENSE, bytes(_SLOT_BYTES * n))


def _best_segment(bins: Sequence[int]) -> tuple[int, int, int]:
    """The run ``bins[i..j]`` (sorted, distinct) whose dense window saves the most memory:
    ``(gain in slots, first bin, last bin)``; gain <= 0 when no window pays (Kadane's scan)."""
    ratio = _ENTRY_BYTES // _SLOT_BYTES  # a dict entry costs this many slots
    best, first, last = 0, 0, -1
    low, low_b = -bins[0], bins[0]  # min over i <= j of ratio*i - bins[i]
    k = 0  # ratio * j
    for b in bins:
        v = k - b
        if v < low:
            low, low_b = v, b
        gain = v + ratio - 1 - low  # ratio * (j - i + 1) - (b_j - b_i + 1)
        if gain > best:
            best, first, last = gain, low_b, b
        k += ratio
    return best, first, last


def _reach(edge: int, bins: Iterable[int]) -> int:
    """How far past ``edge`` to extend a window over ``bins`` (ordered away from the window):
    the bin maximising the memory saved, or ``edge`` itself when no extension pays."""
    ratio = _ENTRY_BYTES // _SLOT_BYTES
    best_gain, best = 0, edge
    k = 0
    for b in bins:
        k += ratio
        gain = k - abs(b - edge)
        if gain > best_gain:
            best_gain, best = gain, b
    return best


@attrs.define(eq=False)
class Durations:
    """Exact mergeable state for a distribution of whole-second durations.

    Keeps ``n``, the exact ``total`` and a histogram of ``seconds // resolution`` bins. Memory is
    O(distinct bins), bounded by the durations' range over the resolution: at one-minute bins a
    year of durations needs at most 525,600 bins, a typical month of complaints a few thousand.
    The bins live in two parts whose counts add up: a dense window of 16-bit counts (2 bytes a
    bin, where the bins are crowded) and the dict ``hist`` of the rest (sparse tails, and carries
    of counts past 65,535). :meth:`compact` moves bins from the dict into the window when that
    saves memory; :meth:`add` and :meth:`absorb` call it as the dict grows. Writing a count into
    ``hist`` directly is always correct. :meth:`counts` gives the whole histogram.

    >>> d = Durations(60)
    >>> for s in (30, 90, 150, 610): d.add(s)
    >>> d.summary()
    Summary(n=4, total=880, mean=220.0, median=60, p90=600, resolution=60)
    >>> d.counts()
    {0: 1, 1: 1, 2: 1, 10: 1}
    """

    resolution: int = 60
    n: int = 0
    total: int = 0
    #: Bins outside the dense window, and carries of 65,536 (bin -> count).
    hist: dict[int, int] = attrs.field(factory=dict)
    #: The first bin of the dense window, its number of slots, and its counts.
    lo: int = 0
    size: int = 0
    dense: array[int] = attrs.field(factory=lambda: array(_DENSE))
    #: ``compact`` runs when ``hist`` grows past this many bins.
    limit: int = _FIRST_COMPACT

    def add(self, seconds: int) -> None:
        """Add one duration."""
        self.n += 1
        self.total += seconds
        self.add_bin(seconds // self.resolution, 1)

    def add_bin(self, b: int, count: int) -> None:
        """Add ``count`` durations to bin ``b`` (bin number, not seconds); not to ``n``/``total``."""
        i = b - self.lo
        if 0 <= i < self.size:
            dense = self.dense
            c = dense[i] + count
            if c < _CARRY:
                dense[i] = c
                return
            dense[i] = c % _CARRY
            count = c - c % _CARRY
        h = self.hist
        c = h.get(b, 0)
        h[b] = c + count
        if not c and len(h) > self.limit:
            self.compact()

    def carry(self, i: int) -> None:
        """Slot ``i`` of the window overflowed on adding one: keep 0 there and 65,536 in the dict
        (the generated KPI update calls this on ``OverflowError``)."""
        self.dense[i] = 0
        b = self.lo + i
        self.hist[b] = self.hist.get(b, 0) + _CARRY

    def compact(self) -> None:
        """Move dict bins into the dense window (choosing or widening it) where that saves memory."""
        h = self.hist
        bins = sorted(h)
        lo, end = self.lo, self.lo + self.size
        if self.size == 0:
            gain, new_lo, last = _best_segment(bins) if bins else (0, 0, -1)
            new_end = last + 1
            if gain <= 0:
                new_lo = new_end = 0
        else:
            i, j = bisect_left(bins, lo), bisect_left(bins, end)
            new_lo = _reach(lo, reversed(bins[:i]))
            new_end = _reach(end - 1, bins[j:]) + 1
        if (new_lo, new_end) == (lo, end):
            self.limit = len(h) + max(_FIRST_COMPACT, len(h))
            return
        dense = _zeros(new_end - new_lo)
        if self.size:
            dense[lo - new_lo : end - new_lo] = self.dense
        else:
            lo = end = new_lo
        # The new slots are zero: their bins' counts move in whole. Bins of the old window still
        # in the dict (carries, direct writes) stay there: the two parts add up.
        for first, stop in ((new_lo, lo), (end, new_end)):
            for b in bins[bisect_left(bins, first) : bisect_left(bins, stop)]:
                c = h[b]
                if c < _CARRY:
                    dense[b - new_lo] = c
                    del h[b]
        self.lo, self.size, self.dense = new_lo, new_end - new_lo, dense
        self.limit = len(h) + max(_FIRST_COMPACT, len(h))

    def counts(self) -> dict[int, int]:
        """The whole histogram, bin -> count (occupied bins only, in bin order)."""
        out: dict[int, int] = {}
        h = self.hist
        lo, end = self.lo, self.lo + self.size
        below = sorted(b for b in h if b < lo)
        above = sorted(b for b in h if b >= end)
        for b in below:
            if h[b]:
                out[b] = h[b]
        get = h.get
        for i, c in enumerate(self.dense):
            c += get(lo + i, 0) if h else 0
            if c:
                out[lo + i] = c
        for b in above:
            if h[b]:
                out[b] = h[b]
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Durations):
            return NotImplemented
        return (self.resolution, self.n, self.total, self.counts()) == (
            other.resolution, other.n, other.total, other.counts(),
        )  # fmt: skip

    __hash__ = None  # type: ignore[assignment]

    def copy(self) -> Durations:
        """An equal state sharing nothing mutable with this one."""
        return Durations(
            self.resolution, self.n, self.total, dict(self.hist), self.lo, self.size,
            array(_DENSE, self.dense), self.limit,
        )  # fmt: skip

    def merged(self, other: Durations) -> Durations:
        """A new state holding both (resolutions must agree); neither operand changes."""
        out = self.copy()
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
        if other.size:
            self._absorb_window(other)
        hist = self.hist
        if not hist and not self.size:
            hist.update(other.hist)
            if len(hist) > self.limit:
                self.compact()
            return
        put = self.add_bin
        for b, c in other.hist.items():
            put(b, c)

    def _absorb_window(self, other: Durations) -> None:
        o_lo, o_end = other.lo, other.lo + other.size
        if not self.size and not self.hist:
            self.lo, self.size, self.dense = o_lo, other.size, array(_DENSE, other.dense)
            return
        lo, end = self.lo, self.lo + self.size
        new_lo, new_end = min(lo, o_lo), max(end, o_end)
        span = new_end - new_lo
        if self.size and span > 2 * (self.size + other.size):  # far apart: keep other's as bins
            put = self.add_bin
            for i, c in enumerate(other.dense):
                if c:
                    put(o_lo + i, c)
            return
        if not self.size:
            new_lo, new_end = o_lo, o_end
        if (new_lo, new_end) != (lo, end):
            dense = _zeros(new_end - new_lo)
            if self.size:
                dense[lo - new_lo : end - new_lo] = self.dense
            self.lo, self.size, self.dense = new_lo, new_end - new_lo, dense
            for b in [b for b, c in self.hist.items() if new_lo <= b < new_end and c < _CARRY]:
                if dense[b - new_lo] + self.hist[b] < _CARRY:
                    dense[b - new_lo] += self.hist.pop(b)
        at = o_lo - self.lo
        part = self.dense[at : at + other.size]
        try:
            self.dense[at : at + other.size] = array(_DENSE, map(add, part, other.dense))
        except OverflowError:
            for i, c in enumerate(other.dense):
                if c:
                    self.add_bin(o_lo + i, c)

    def quantile(self, q: Fraction) -> int | None:
        """Lower bin edge (seconds) of the nearest-rank ``q`` quantile, or None if empty."""
        return self.quantiles((q,))[0]

    def quantiles(self, qs: Sequence[Fraction]) -> tuple[int | None, ...]:
        """Lower bin edges of the nearest-rank quantiles ``qs`` (ascending), in one sorted walk."""
        if self.n == 0:
            return tuple(None for _ in qs)
        ranks = [quantile_rank(q, self.n) for q in qs]
        out: list[int] = []
        h = self.hist
        lo, size = self.lo, self.size
        end = lo + size
        below = sorted(b for b in h if b < lo)
        above = sorted(b for b in h if b >= end)
        seen = 0
        i = 0
        for b in below:
            seen += h[b]
            while i < len(ranks) and seen >= ranks[i]:
                out.append(b * self.resolution)
                i += 1
        if i < len(ranks) and size:
            window = self.dense.tolist()
            if len(below) + len(above) < len(h):
                for b, c in h.items():
                    if lo <= b < end:
                        window[b - lo] += c
            cum = list(running(window, initial=seen))
            while i < len(ranks) and cum[-1] >= ranks[i]:
                out.append((lo + bisect_left(cum, ranks[i]) - 1) * self.resolution)
                i += 1
            seen = cum[-1]
        for b in above:
            if i == len(ranks):
                break
            seen += h[b]
            while i < len(ranks) and seen >= ranks[i]:
                out.append(b * self.resolution)
                i += 1
        if i < len(ranks):  # pragma: no cover
            raise AssertionError("unreachable")
        return tuple(out)

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
