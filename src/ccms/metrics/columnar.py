"""The columnar path: the same figures as the accumulators, computed by Polars expressions.

Each function takes a Polars ``DataFrame`` or ``LazyFrame`` (or an Arrow table) with the
case-record columns (from :func:`ccms.metrics.to_polars`, or host data with
:func:`ccms.metrics.arrow_schema`) and computes the figures with a handful of queries run together
by :func:`polars.collect_all`: :func:`kpis` one row a group of counts, sums, nearest-rank
quantiles and the SLA, CSAT and remedy tables, plus one query of the overall quantiles;
:func:`kpi_stats` the mergeable state (histograms); :func:`fairness_cells` the metric's one definition evaluated on the frame;
:func:`feed` any of these into an accumulator. The figures are *identical* to the streaming path,
not merely close (property tests check it), while the per-row work runs in Polars' engine.

>>> from datetime import datetime, timedelta, timezone
>>> from ccms.metrics import CaseRecord, KpiAccumulator, accumulate, to_polars
>>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
>>> rs = [CaseRecord(id=str(i), received_at=t, channel=ch, kind="complaint", severity="low",
...                  segment="general", stage="closed", resolved_at=t + timedelta(minutes=m))
...       for i, (ch, m) in enumerate([("web", 30), ("web", 90), ("phone", 10)])]
>>> table = kpis(to_polars(rs), by=("channel",))
>>> table.by_group[("web",)].resolution.median
1800
>>> table == accumulate(KpiAccumulator(by=("channel",)), rs).result()
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import islice, repeat
from operator import add, truediv
from types import MemberDescriptorType
from typing import Any, Final, TypeVar
from zoneinfo import ZoneInfo

import attrs

from ccms.errors import InvalidInput, MissingExtra, require_aware

try:
    import polars as pl
except ImportError as exc:  # pragma: no cover - the columnar extra is installed in CI
    raise MissingExtra("columnar", "polars") from exc
from ccms.metrics.accumulators import (
    PERIOD_KEYS,
    Durations,
    Summary,
    check_resolution,
    sort_key,
    zone_of,
)
from ccms.metrics.backlog import BacklogAccumulator, BacklogFigures
from ccms.metrics.fairness import MISSING_GROUP, FairnessAccumulator, FairnessMetric
from ccms.metrics.frame import FairnessFrame, MetricSpec
from ccms.metrics.kpi import (
    _DUR_FIELDS as _DUR_NAMES,
)
from ccms.metrics.kpi import (
    _INT_FIELDS as _INT_NAMES,
)
from ccms.metrics.kpi import (
    FIGURES,
    TIMELY_WITHIN,
    CaseStats,
    Figure,
    KpiAccumulator,
    Kpis,
    KpiTable,
    Rate,
)
from ccms.metrics.records import CaseRecord
from ccms.metrics.stats import Correction

__all__ = ["backlog", "fairness", "fairness_cells", "feed", "kpi_stats", "kpis"]

#: A Polars frame, lazy frame or Arrow table (``pyarrow.Table``) of case-record columns.
Frame = pl.DataFrame | pl.LazyFrame | Any
_FIELDS: Final = tuple(a.name for a in attrs.fields(CaseRecord))
UNKNOWN_KEY: Final = "unknown group key {name!r}; allowed: {allowed}"
_US: Final = 1_000_000


def _lazy(frame: Frame) -> pl.LazyFrame:
    if isinstance(frame, pl.LazyFrame):
        return frame
    if isinstance(frame, pl.DataFrame):
        return frame.lazy()
    table = pl.from_arrow(frame)  # an Arrow table, e.g. from ccms.metrics.to_arrow
    assert isinstance(table, pl.DataFrame)
    return table.lazy()


def _key_exprs(by: Sequence[str], zone: ZoneInfo) -> list[pl.Expr]:
    out = []
    for i, name in enumerate(by):
        alias = f"__k{i}"
        if name in PERIOD_KEYS:
            day = pl.col("received_at").dt.convert_time_zone(str(zone)).dt.date()
            if name == "week":
                day = day.dt.truncate("1w")
            elif name == "month":
                day = day.dt.truncate("1mo")
            out.append(day.alias(alias))
        elif name in _FIELDS:
            out.append(pl.col(name).alias(alias))
        else:
            raise InvalidInput(
                UNKNOWN_KEY.format(name=name, allowed=", ".join((*_FIELDS, *PERIOD_KEYS)))
            )
    return out


def _seconds(end: str, start: str = "received_at") -> pl.Expr:
    return (pl.col(end) - pl.col(start)).dt.total_microseconds() // _US


def _key_of(row: Sequence[Any], width: int) -> Any:
    if width == 1:
        return row[0]
    return tuple(row[:width])


#: The nearest-rank quantiles a :class:`~ccms.metrics.Summary` reports. Polars' "equiprobable"
#: method is Hyndman and Fan's definition 1, the inverse of the empirical distribution
#: function: the ``ceil(q·n)``-th smallest value, i.e. the nearest rank (a test checks it
#: against :func:`ccms.metrics.accumulators.quantile_rank` for every size up to thousands).
_QUANTILES: Final = (("median", 0.5), ("p90", 0.9))


@attrs.frozen
class _Plan:
    """The lazy queries of the KPI figures of one frame and settings."""

    names: list[str]  # the key columns (``__k0`` for no grouping)
    width: int  # number of ``by`` names (0: one group keyed ``()``)
    ints: list[str]  # CaseStats integer fields computed
    durations: list[str]  # CaseStats duration fields computed
    lf: pl.LazyFrame  # the frame with key and duration columns added
    base: pl.LazyFrame  # one row per group: ints, and per duration n and total
    extras: dict[str, pl.LazyFrame]  # csat, remedy, cost: [*keys, item, value]
    resolution: int


def _plan(
    frame: Frame,
    by: Sequence[str],
    figures: Iterable[Figure],
    zone: str | ZoneInfo,
    resolution: timedelta | int,
    as_of: datetime | None,
) -> _Plan:
    chosen = set(figures)
    res = check_resolution(resolution)
    z = zone_of(zone)
    if as_of is not None:
        require_aware(as_of, "as_of")
    keys = _key_exprs(by, z)
    names = [f"__k{i}" for i in range(len(by))]
    width = len(names)
    if not names:
        keys = [pl.lit(0).alias("__k0")]
        names = ["__k0"]

    resolved = pl.col("resolved_at").is_not_null()
    responded = pl.col("first_response_at").is_not_null()
    aggs: list[pl.Expr] = [pl.len().alias("n")]
    if "status" in chosen:
        aggs += [
            pl.col("withdrawn").sum().alias("withdrawn"),
            pl.col("rejected").sum().alias("rejected"),
            resolved.sum().alias("resolved"),
            pl.col("closed_at").is_null().sum().alias("open"),
        ]
    if "fcr" in chosen:
        aggs += [
            resolved.sum().alias("fcr_n"),
            (resolved & (pl.col("transfers") == 0) & (pl.col("reopens") == 0)).sum().alias("fcr"),
        ]
    if "reopen" in chosen:
        aggs += [
            (pl.col("reopens") != 0).sum().alias("reopened"),
            pl.col("reopens").cast(pl.Int64).sum().alias("reopens"),
        ]
    if "transfer" in chosen:
        aggs += [
            (pl.col("transfers") != 0).sum().alias("transferred"),
            pl.col("transfers").cast(pl.Int64).sum().alias("transfers"),
        ]
    if "escalation" in chosen:
        aggs.append((pl.col("escalation_level") != 0).sum().alias("escalated"))
    if "repeat" in chosen:
        aggs.append(pl.col("repeat").sum().alias("repeat"))
    if "timely" in chosen:
        within = (pl.col("first_response_at") - pl.col("received_at")) <= TIMELY_WITHIN
        timely_n = responded.sum()
        if as_of is not None:
            overdue = ~responded & ((pl.lit(as_of) - pl.col("received_at")) > TIMELY_WITHIN)
            timely_n = timely_n + overdue.sum()
        aggs += [timely_n.alias("timely_n"), (responded & within).sum().alias("timely")]
    if "happy_call" in chosen:
        due = resolved & ~pl.col("withdrawn") & ~pl.col("rejected")
        resp = due & pl.col("feedback_responded")
        aggs += [
            due.sum().alias("fb_eligible"),
            resp.sum().alias("fb_responded"),
            (resp & pl.col("satisfied").is_not_null()).sum().alias("fb_answered"),
            (resp & pl.col("satisfied").fill_null(False)).sum().alias("fb_satisfied"),
        ]
    ints = [a.meta.output_name() for a in aggs]

    durations: list[tuple[str, pl.Expr]] = []
    if "response" in chosen:
        durations.append(("response", _seconds("first_response_at")))
    if "resolution" in chosen:
        durations.append(("resolution", _seconds("resolved_at")))
    if "business" in chosen:
        durations.append(("response_business", pl.col("business_response_seconds")))
        durations.append(("resolution_business", pl.col("business_resolution_seconds")))
    if "waiting" in chosen:
        durations.append(("waiting", pl.col("waiting_seconds")))
        durations.append(("waiting_business", pl.col("business_waiting_seconds")))
        durations.append(("company", _seconds("resolved_at") - pl.col("waiting_seconds")))
    # Int64 sums are exact here: a billion durations of a year each stay below 2**63 seconds.
    lf = _lazy(frame).with_columns(
        *keys, *[e.cast(pl.Int64).alias(f"__d_{f}") for f, e in durations]
    )
    for field, _ in durations:
        v = pl.col(f"__d_{field}")
        aggs += [v.count().alias(f"{field}:n"), v.sum().alias(f"{field}:t")]
    extras: dict[str, pl.LazyFrame] = {}
    if "happy_call" in chosen:
        due = (
            pl.col("resolved_at").is_not_null()
            & ~pl.col("withdrawn")
            & ~pl.col("rejected")
            & pl.col("feedback_responded")
            & pl.col("csat").is_not_null()
        )
        extras["csat"] = lf.filter(due).group_by([*names, "csat"]).agg(pl.len().alias("__c"))
    if "remedy" in chosen:
        has = lf.filter(pl.col("remedy").is_not_null())
        extras["remedy"] = has.group_by([*names, "remedy"]).agg(pl.len().alias("__c"))
        extras["cost"] = (
            has.filter(pl.col("remedy_amount").is_not_null())
            .with_columns(pl.col("currency").cast(pl.String).fill_null("XXX"))
            .group_by([*names, "currency"])
            .agg(pl.col("remedy_amount").sum().alias("__c"))
        )
    return _Plan(
        names, width, ints, [f for f, _ in durations], lf, lf.group_by(names).agg(aggs),
        extras, res,
    )  # fmt: skip


def _bin(value: pl.Expr, res: int) -> pl.Expr:
    """The lower edge of the ``res``-second bin holding ``value`` (floor division, as the
    accumulator bins)."""
    return (value.cast(pl.Int64) // res) * res


def _keys_column(frame: pl.DataFrame, plan: _Plan) -> list[Any]:
    """The accumulator's keys of a result's rows: a scalar, a tuple, or ``()``."""
    if plan.width == 0:
        return [()] * frame.height
    if plan.width == 1:
        return frame.get_column(plan.names[0]).to_list()
    return list(zip(*(frame.get_column(n).to_list() for n in plan.names), strict=True))


def _extra_maps(
    results: dict[str, pl.DataFrame], plan: _Plan
) -> dict[str, dict[Any, dict[Any, Any]]]:
    """``label -> key -> {item: value}`` for the small per-item queries."""
    out: dict[str, dict[Any, dict[Any, Any]]] = {}
    for label in plan.extras:
        df = results[label]
        per: dict[Any, dict[Any, Any]] = {}
        item = df.columns[-2]
        for k, i, v in zip(
            _keys_column(df, plan),
            df.get_column(item).to_list(),
            df.get_column("__c").to_list(),
            strict=True,
        ):
            per.setdefault(k, {})[i] = v
        out[label] = per
    return out


def kpi_stats(
    frame: Frame,
    by: Sequence[str] = (),
    *,
    figures: Iterable[Figure] = FIGURES,
    zone: str | ZoneInfo = "UTC",
    resolution: timedelta | int = timedelta(minutes=1),
    as_of: datetime | None = None,
) -> dict[Any, CaseStats]:
    """The exact per-group :class:`~ccms.metrics.CaseStats` of a frame (keys as the accumulator
    makes them: a scalar for one ``by`` name, a tuple for several, ``()`` for none).

    This is the mergeable state (histograms included), for merging with other partitions or
    streamed records; :func:`kpis` computes the figures of one frame without building it.
    """
    figures = tuple(figures)
    plan = _plan(frame, by, figures, zone, resolution, as_of)
    res = plan.resolution
    hists = {
        field: plan.lf.select(*plan.names, pl.col(f"__d_{field}").alias("__v"))
        .drop_nulls("__v")
        .group_by([*plan.names, pl.col("__v") // res])
        .agg(pl.len().alias("__c"))
        .group_by(plan.names)
        .agg(pl.col("__v"), pl.col("__c"))
        for field in plan.durations
    }
    queries = {"base": plan.base, **plan.extras, **{"hist:" + f: q for f, q in hists.items()}}
    if "sla" in figures:
        queries["sla"] = _sla_table(plan.lf, plan.names)
    labels = list(queries)
    results = dict(zip(labels, pl.collect_all([queries[k] for k in labels]), strict=True))

    base = results["base"]
    groups: dict[Any, CaseStats] = {}
    ints = [base.get_column(c).to_list() for c in plan.ints]
    sums = {
        f: (base.get_column(f"{f}:n").to_list(), base.get_column(f"{f}:t").to_list())
        for f in plan.durations
    }
    for row, k in enumerate(_keys_column(base, plan)):
        s = CaseStats(res)
        for name, col in zip(plan.ints, ints, strict=True):
            setattr(s, name, int(col[row]))
        for f, (ns, ts) in sums.items():
            d: Durations = getattr(s, f)
            d.n = int(ns[row])
            d.total = int(ts[row] or 0)
        groups[k] = s
    # One int object per bin number for every group's histograms (as the accumulator keys them).
    keys: dict[int, int] = {}
    share = keys.setdefault
    for field in plan.durations:
        hist = results["hist:" + field]
        for k, bins, counts in zip(
            _keys_column(hist, plan),
            hist.get_column("__v").to_list(),
            hist.get_column("__c").to_list(),
            strict=True,
        ):
            d = getattr(groups[k], field)
            d.hist = dict(zip(map(share, bins, bins), counts, strict=True))
            if len(d.hist) > d.limit:
                d.compact()  # crowded bins into the dense window, as the accumulator keeps them
    extra = _extra_maps(results, plan)
    for k, per in extra.get("csat", {}).items():
        groups[k].csat = per
    for k, per in extra.get("remedy", {}).items():
        groups[k].remedies = per
    for k, per in extra.get("cost", {}).items():
        groups[k].cost = {c: Decimal(v) for c, v in per.items()}
    if "sla" in results:
        sla = results["sla"]
        for k, t, met, breached in zip(
            _keys_column(sla, plan),
            sla.get_column("__t").to_list(),
            sla.get_column("__m").to_list(),
            sla.get_column("__b").to_list(),
            strict=True,
        ):
            groups[k].sla[t] = [met or 0, breached or 0]
    return groups


# ------------------------------------------------------------------ kpis: figures column-wise

_T = TypeVar("_T", bound="attrs.AttrsInstance")
_new: Final = object.__new__
#: Per frozen attrs class: the slot setters of its fields in order, or None when ``cls(...)``
#: must build it (a validator, converter, init hook or hash cache, or no slots).
_SETTERS: Final[dict[type, list[Any] | None]] = {}


def _setters(cls: type) -> list[Any] | None:
    """The setters of ``cls``'s slots in field order (see :data:`_SETTERS`)."""
    if cls not in _SETTERS:
        fields = attrs.fields(cls)
        slots: list[Any] = [cls.__dict__.get(f.name) for f in fields]
        hooks = ("__attrs_pre_init__", "__attrs_post_init__", "_attrs_cached_hash")
        plain = not any(hasattr(cls, h) for h in hooks) and not any(
            f.validator or f.converter or not f.init for f in fields
        )
        ok = plain and all(isinstance(s, MemberDescriptorType) for s in slots)
        _SETTERS[cls] = [s.__set__ for s in slots] if ok else None
    return _SETTERS[cls]


def _built(cls: type[_T], columns: dict[str, Sequence[Any]], n: int) -> list[_T]:
    """``n`` instances of the frozen attrs class ``cls``, field ``f`` of the ``i``-th being
    ``columns[f][i]``: the objects ``cls(**fields)`` makes, built a field at a time by the slots'
    own setters (a C call a field, no ``__init__`` frame an object: :func:`kpis` makes tens of
    thousands). Every field must have a column."""
    fields = attrs.fields(cls)
    values = [columns[f.name] for f in fields]
    setters = _setters(cls)
    if setters is None:
        init = [f.alias for f in fields]
        return [cls(**dict(zip(init, row, strict=True))) for row in zip(*values, strict=True)]
    objs: list[_T] = list(map(_new, [cls] * n))
    for put, column in zip(setters, values, strict=True):
        assert len(column) == n  # map() would stop at the shorter
        any(map(put, objs, column))  # each setter returns None: any() runs them all
    return objs


def _rates(successes: Sequence[int], n: Sequence[int]) -> list[Any]:
    """``Rate(successes[i], n[i])`` of each group."""
    return _built(Rate, {"successes": successes, "n": n}, len(n))


def _summaries(
    ns: list[int], totals: list[int], medians: list[Any], p90s: list[Any], res: int, empty: Summary
) -> list[Summary]:
    """The duration summaries of the groups (``empty`` for a group with no duration)."""
    g = len(ns)
    if all(ns):
        means = list(map(truediv, totals, ns))
        columns: dict[str, Sequence[Any]] = {
            "n": ns, "total": totals, "mean": means, "median": medians, "p90": p90s,
            "resolution": [res] * g,
        }  # fmt: skip
        return _built(Summary, columns, g)
    return [
        Summary(n, t, t / n, m, p, res) if n else empty
        for n, t, m, p in zip(ns, totals, medians, p90s, strict=True)
    ]


def _lists(table: pl.LazyFrame, names: list[str], label: str) -> pl.LazyFrame:
    """A ``[*keys, item, *values]`` table as one row a group: the lists of its columns, named
    ``label:column`` and sorted by item (the order :meth:`Kpis.from_parts` gives them, when Polars
    orders the items as Python does)."""
    lists = pl.exclude(names).sort_by(pl.nth(len(names))).name.prefix(f"{label}:")
    return table.group_by(names).agg(lists)


def _sla_table(lf: pl.LazyFrame, names: list[str]) -> pl.LazyFrame:
    """``[*keys, __t, __m, __b]``: the SLA targets of each group and their met and breached
    counts (a target both met and breached counts breached, as the accumulator counts it).

    The rows are first counted per group and pair of lists (a few combinations a group), so only
    those are exploded; each element counts its combination's rows, repeats included.
    """
    weight = pl.len().cast(pl.Int64).alias("__w")
    combos = lf.group_by([*names, "sla_met", "sla_breached"]).agg(weight)
    breached = (
        combos.select(*names, pl.col("sla_breached").alias("__t"), "__w")
        .explode("__t")
        .filter(pl.col("__t").is_not_null())
        .group_by([*names, "__t"])
        .agg(pl.col("__w").sum().alias("__b"))
    )
    met = (
        combos.select(*names, pl.col("sla_met").alias("__t"), "sla_breached", "__w")
        .explode("__t")
        .filter(
            pl.col("__t").is_not_null()
            & ~pl.col("sla_breached").list.contains(pl.col("__t")).fill_null(False)
        )
        .group_by([*names, "__t"])
        .agg(pl.col("__w").sum().alias("__m"))
    )
    both = pl.concat([met, breached], how="diagonal")
    return both.group_by([*names, "__t"]).agg(pl.col("__m").sum(), pl.col("__b").sum())


def _group_quantiles(plan: _Plan) -> list[pl.Expr]:
    """Each group's nearest-rank median and p90 bins of the durations. Dropping the nulls first
    gives Polars contiguous values to select from (much faster than quantiles of the column
    with its nulls; the same values)."""
    res = plan.resolution
    return [
        _bin(pl.col(f"__d_{f}").drop_nulls().quantile(q, "equiprobable"), res).alias(f"{f}:{label}")
        for f in plan.durations
        for label, q in _QUANTILES
    ]


def _overall_quantiles(plan: _Plan) -> pl.LazyFrame:
    """One row: the nearest-rank median and p90 bins of every duration over all rows, from each
    duration's histogram of bins (one hash aggregation a duration instead of selecting among a
    million values twice): the first bin whose running count reaches rank ``ceil(q·n)``,
    computed in integers as the accumulator computes it."""
    res = plan.resolution
    parts = []
    for f in plan.durations:
        bins = (
            plan.lf.select((pl.col(f"__d_{f}") // res).alias("__b"))
            .drop_nulls()
            .group_by("__b")
            .agg(pl.len().cast(pl.Int64).alias("__c"))
            .sort("__b")
            .with_columns(pl.col("__c").cum_sum().alias("__r"))
        )
        n = pl.col("__c").sum()
        edges = []
        for label, q in _QUANTILES:
            r = Fraction(str(q))
            rank = (n * r.numerator + r.denominator - 1) // r.denominator  # ceil(q·n)
            edge = pl.col("__b").filter(pl.col("__r") >= rank).first() * res
            edges.append(edge.alias(f"{f}:{label}"))
        parts.append(bins.select(edges))
    return pl.concat(parts, how="horizontal")


def _as_python_orders(dtype: Any) -> bool:
    """Whether Polars sorts values of ``dtype`` as Python sorts what ``to_list`` makes of them
    (text by code point, integers and booleans by value)."""
    return bool(dtype == pl.String or dtype == pl.Boolean or dtype.is_integer())


def _flat(base: pl.DataFrame, label: str) -> tuple[list[int], pl.DataFrame] | None:
    """The ``label:`` list columns of ``base`` (see :func:`_lists`: items, then values) as the
    number of items of each group (0 for a group not in the table) and one flat table of every
    group's items and values in turn; None without such columns."""
    names = [c for c in base.columns if c.startswith(f"{label}:")]
    if not names:
        return None
    lengths = base.select(pl.col(names[0]).list.len().fill_null(0)).to_series().to_list()
    return lengths, base.select(names).drop_nulls().explode(names)


def _item_dicts(
    flat: tuple[list[int], pl.DataFrame] | None, g: int, value: Any = None
) -> list[dict[Any, Any]]:
    """A fresh ``{item: value}`` of each of ``g`` groups from a :func:`_flat` table, items in
    Python's order. ``value`` makes the values from the flat value columns (e.g.
    :class:`~ccms.metrics.kpi.Rate` objects from the SLA counts). Built from flat lists of all
    groups (a few big lists, not a small list a group and column)."""
    if flat is None:
        return [{} for _ in range(g)]
    lengths, table = flat
    items, *values = (table.get_column(c).to_list() for c in table.columns)
    pairs = zip(items, values[0] if value is None else value(*values), strict=True)
    chunks = map(islice, repeat(pairs), lengths)  # each takes its group's pairs from ``pairs``
    ordered = _as_python_orders(table.dtypes[0])
    return list(map(dict, chunks if ordered else map(sorted, chunks)))


def _sla_rates(met: list[int], breached: list[int]) -> list[Any]:
    """``Rate(met, met + breached)`` of each target (of every group, flat)."""
    return _rates(met, list(map(add, met, breached)))


def _costs(amounts: list[Any]) -> list[Any]:
    """The groups' cost sums as Decimals (a host's frame may hold whole amounts as integers)."""
    return amounts if all(type(v) is Decimal for v in amounts) else list(map(Decimal, amounts))


def _totals(flat: tuple[list[int], pl.DataFrame] | None) -> dict[Any, tuple[Any, ...]]:
    """The sums over all groups of a :func:`_flat` table's values, per item."""
    if flat is None:
        return {}
    table = flat[1]
    item, *values = table.columns
    return {r[0]: r[1:] for r in table.group_by(item).agg(pl.col(values).sum()).iter_rows()}


def kpis(
    frame: Frame,
    by: Sequence[str] = (),
    *,
    figures: Iterable[Figure] = FIGURES,
    zone: str | ZoneInfo = "UTC",
    resolution: timedelta | int = timedelta(minutes=1),
    as_of: datetime | None = None,
) -> KpiTable:
    """The :class:`~ccms.metrics.KpiTable` of a frame; same arguments as
    :class:`~ccms.metrics.KpiAccumulator`, same figures.

    Two queries: one row a group with every count, sum, nearest-rank quantile and the group's
    SLA, CSAT and remedy lists; and the overall quantiles (the overall counts are the sums of the
    groups'). So the cost grows with the rows, and the Python work is a few objects a group,
    built a field at a time over all groups.
    """
    acc = KpiAccumulator(by, figures=figures, zone=zone, resolution=resolution, as_of=as_of)
    plan = _plan(frame, by, acc.figures, acc.zone, acc.resolution, as_of)
    res = plan.resolution
    names = plan.names
    query = plan.base
    tables = {"sla": _sla_table(plan.lf, names)} if "sla" in acc.figures else {}
    tables.update((label, plan.extras[label]) for label in ("csat", "remedy", "cost")
                  if label in plan.extras)  # fmt: skip
    if plan.durations:
        tables["quantiles"] = plan.lf.group_by(names).agg(_group_quantiles(plan))
    for label, table in tables.items():
        per_group = table if label == "quantiles" else _lists(table, names, label)
        query = query.join(per_group, on=names, how="left", nulls_equal=True)
    queries = [query, _overall_quantiles(plan)] if plan.durations else [query]
    base, *overall_q = pl.collect_all(queries)

    # The groups in the accumulator's order, then every figure a column (a list over groups).
    if all(base.schema[k] == pl.String for k in names[: plan.width]):
        # Text (and no keys): Polars sorts as sort_key, by code point with missing parts last.
        base = base.sort(names, nulls_last=True)
        keys = _keys_column(base, plan)
    else:
        keys = _keys_column(base, plan)
        order = sorted(range(len(keys)), key=list(map(sort_key, keys)).__getitem__)
        keys = [keys[i] for i in order]
        base = base.select(pl.all().gather(order))
    g = len(keys)
    col = {
        c: base.get_column(c).to_list()
        for c, dtype in base.schema.items()
        if c not in names and not isinstance(dtype, pl.List)
    }
    zeros = [0] * g
    ints = {name: col.get(name, zeros) for name in _INT_NAMES}
    empty = Summary(0, 0, None, None, None, res)
    durations = {f: [empty] * g for f in _DUR_NAMES}
    for f in plan.durations:
        durations[f] = _summaries(
            col[f"{f}:n"], col[f"{f}:t"], col[f"{f}:median"], col[f"{f}:p90"], res, empty
        )
    flat = {label: _flat(base, label) for label in ("sla", "csat", "remedy", "cost")}
    # Kpis.from_parts, a field at a time (a test checks the two agree).
    n = ints["n"]
    groups = _built(
        Kpis,
        {
            "count": n,
            **{name: ints[name] for name in ("withdrawn", "rejected", "resolved", "open")},
            "fcr": _rates(ints["fcr"], ints["fcr_n"]),
            "reopen": _rates(ints["reopened"], n),
            "reopens": ints["reopens"],
            "transfers": ints["transfers"],
            "transferred": _rates(ints["transferred"], n),
            "escalation": _rates(ints["escalated"], n),
            "repeat": _rates(ints["repeat"], n),
            **durations,
            "timely": _rates(ints["timely"], ints["timely_n"]),
            "sla": _item_dicts(flat["sla"], g, _sla_rates),
            "happy_call": _rates(ints["fb_responded"], ints["fb_eligible"]),
            "satisfied": _rates(ints["fb_satisfied"], ints["fb_answered"]),
            "csat": _item_dicts(flat["csat"], g),
            "remedy_mix": _item_dicts(flat["remedy"], g),
            "remedy_cost": _item_dicts(flat["cost"], g, _costs),
        },
        g,
    )
    by_group: dict[tuple[Any, ...], Kpis] = dict(
        zip([(k,) for k in keys] if plan.width == 1 else keys, groups, strict=True)
    )

    # The overall counts are the groups' sums; the overall quantiles come from their own query.
    counts = {name: sum(ints[name]) for name in _INT_NAMES}
    quantiles = overall_q[0].row(0, named=True) if overall_q else {}
    overall_durations = dict.fromkeys(_DUR_NAMES, empty)
    for f in plan.durations:
        count, total = sum(col[f"{f}:n"]), sum(filter(None, col[f"{f}:t"]))
        if count:
            overall_durations[f] = Summary(
                count, total, total / count, quantiles[f"{f}:median"], quantiles[f"{f}:p90"], res
            )
    items = {label: _totals(table) for label, table in flat.items()}
    overall = Kpis.from_parts(
        counts,
        overall_durations,
        items["sla"],
        {k: v for k, (v,) in items["csat"].items()},
        {k: v for k, (v,) in items["remedy"].items()},
        {k: Decimal(v) for k, (v,) in items["cost"].items()},
    )
    return KpiTable(acc.by, overall, by_group)


# ----------------------------------------------------------------------------- fairness


def fairness_cells(
    frame: Frame,
    metric: FairnessMetric | MetricSpec,
    by: str = "channel",
    control: str | None = "code",
    *,
    currency: str | None = None,
    missing: str = MISSING_GROUP,
) -> FairnessAccumulator:
    """A :class:`~ccms.metrics.FairnessAccumulator` filled from a frame (mergeable further).

    The metric's one definition (its :class:`~ccms.metrics.MetricSpec`) is evaluated on the
    frame, exactly as the accumulator evaluates it on batches of records.
    """
    acc = FairnessAccumulator(metric, by, control, currency=currency, missing=missing)
    acc.add_frame(frame)
    return acc


def fairness(
    frame: Frame,
    metric: FairnessMetric | MetricSpec,
    by: str = "channel",
    control: str | None = "code",
    *,
    currency: str | None = None,
    missing: str = MISSING_GROUP,
    confidence: float = 0.95,
    min_n: int = 30,
    correction: Correction = "holm",
    alpha: float = 0.05,
) -> FairnessFrame:
    """The :class:`~ccms.metrics.FairnessFrame` of a frame; equal to what
    :class:`~ccms.metrics.FairnessAccumulator` gives for the same records."""
    acc = fairness_cells(frame, metric, by, control, currency=currency, missing=missing)
    acc.options.update(confidence=confidence, min_n=min_n, correction=correction, alpha=alpha)
    return acc.result()


# ------------------------------------------------------------------------------ backlog


def _fill_backlog(acc: BacklogAccumulator, frame: Frame) -> None:
    res = acc.resolution
    as_of = acc.as_of
    by = acc.by
    keys = _key_exprs(by, acc.zone)
    names = [f"__k{i}" for i in range(len(by))] or ["__k0"]
    if not by:
        keys = [pl.lit(0).alias("__k0")]
    age = (pl.lit(as_of) - pl.col("received_at")).dt.total_microseconds() // _US
    is_open = (pl.col("received_at") <= as_of) & (
        pl.col("closed_at").is_null() | (pl.col("closed_at") > as_of)
    )
    hist = (
        _lazy(frame)
        .filter(is_open)
        .with_columns(*keys, age.alias("__a"))
        .group_by([*names, pl.col("__a") // res])
        .agg(pl.len().alias("c"), pl.col("__a").cast(pl.Int128).sum().alias("t"),
             pl.col("__a").max().alias("m"))
        .collect()
    )  # fmt: skip
    width = len(by)
    groups = acc._groups
    for row in hist.iter_rows():
        *_, b, c, t, m = row
        k = _key_of(row, width) if width else ()
        g = groups.get(k)
        if g is None:
            g = groups[k] = [Durations(res), m]
        d: Durations = g[0]
        d.n += c
        d.total += int(t)
        d.hist[b] = d.hist.get(b, 0) + c
        g[1] = max(g[1], m)


def backlog(
    frame: Frame,
    as_of: datetime,
    by: Sequence[str] = (),
    *,
    zone: str | ZoneInfo = "UTC",
    resolution: timedelta | int = timedelta(minutes=1),
) -> dict[tuple[Any, ...], BacklogFigures]:
    """Backlog and age at ``as_of``, as :class:`~ccms.metrics.BacklogAccumulator` gives."""
    acc = BacklogAccumulator(as_of, by, zone=zone, resolution=resolution)
    _fill_backlog(acc, frame)
    return acc.result()


# --------------------------------------------------------------------------- any accumulator

Fed = TypeVar("Fed", KpiAccumulator, FairnessAccumulator, BacklogAccumulator)
CANNOT_FEED: Final = (
    "the columnar path feeds KpiAccumulator, FairnessAccumulator and BacklogAccumulator, "
    "not {kind}; feed its records one by one with update()"
)


def feed(acc: Fed, frame: Frame) -> Fed:
    """Fold a frame of case-record columns into ``acc`` in place (a KPI, fairness or backlog
    accumulator, with its own settings) and return it: the same state as ``update`` on each row.

    >>> from datetime import datetime, timezone
    >>> from ccms.metrics import CaseRecord, KpiAccumulator, to_polars
    >>> t = datetime(2026, 1, 5, tzinfo=timezone.utc)
    >>> rs = [CaseRecord(id="1", received_at=t, channel="web", kind="complaint",
    ...                  severity="low", segment="general", stage="received")]
    >>> feed(KpiAccumulator(("channel",)), to_polars(rs)).result().counts()
    {('web',): 1}
    """
    if isinstance(acc, KpiAccumulator):
        acc.load(
            kpi_stats(
                frame, acc.by, figures=acc.figures, zone=acc.zone, resolution=acc.resolution,
                as_of=acc.as_of,
            )
        )  # fmt: skip
    elif isinstance(acc, FairnessAccumulator):
        acc.add_frame(frame)
    elif isinstance(acc, BacklogAccumulator):
        _fill_backlog(acc, frame)
    else:
        raise InvalidInput(CANNOT_FEED.format(kind=type(acc).__name__))
    return acc
