"""The columnar path: the same figures as the accumulators, computed by Polars expressions.

Each function takes a Polars ``DataFrame`` or ``LazyFrame`` (or an Arrow table) with the
case-record columns (from :func:`ccms.metrics.to_polars`, or host data with
:func:`ccms.metrics.arrow_schema`) and computes the figures with a handful of queries run together
by :func:`polars.collect_all`: :func:`kpis` one grouped query of counts, sums and nearest-rank
quantiles plus one ungrouped query for the overall quantiles; :func:`kpi_stats` the mergeable
state (histograms); :func:`fairness_cells` the metric's one definition evaluated on the frame;
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
    extras: dict[str, pl.LazyFrame]  # csat, remedy, cost, met, breached: [*keys, item, value]
    resolution: int


def _plan(
    frame: Frame,
    by: Sequence[str],
    figures: Iterable[Figure],
    zone: str | ZoneInfo,
    resolution: timedelta | int,
    as_of: datetime | None,
    *,
    quantiles: bool,
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
        if quantiles:
            aggs += [_bin(v.quantile(q, "equiprobable"), res).alias(f"{field}:{label}")
                     for label, q in _QUANTILES]  # fmt: skip
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
            .with_columns(pl.col("currency").fill_null("XXX"))
            .group_by([*names, "currency"])
            .agg(pl.col("remedy_amount").sum().alias("__c"))
        )
    if "sla" in chosen:
        extras["breached"] = (
            lf.select(*names, pl.col("sla_breached").alias("__t"))
            .explode("__t")
            .filter(pl.col("__t").is_not_null())
            .group_by([*names, "__t"])
            .agg(pl.len().alias("__c"))
        )
        extras["met"] = (
            lf.select(*names, pl.col("sla_met").alias("__t"), "sla_breached")
            .explode("__t")
            .filter(
                pl.col("__t").is_not_null()
                & ~pl.col("sla_breached").list.contains(pl.col("__t")).fill_null(False)
            )
            .group_by([*names, "__t"])
            .agg(pl.len().alias("__c"))
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
    plan = _plan(frame, by, figures, zone, resolution, as_of, quantiles=False)
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
            getattr(groups[k], field).hist = dict(zip(map(share, bins, bins), counts, strict=True))
    extra = _extra_maps(results, plan)
    for k, per in extra.get("csat", {}).items():
        groups[k].csat = per
    for k, per in extra.get("remedy", {}).items():
        groups[k].remedies = per
    for k, per in extra.get("cost", {}).items():
        groups[k].cost = {c: Decimal(v) for c, v in per.items()}
    for label, i in (("met", 0), ("breached", 1)):
        for k, per in extra.get(label, {}).items():
            sla = groups[k].sla
            for t, c in per.items():
                sla.setdefault(t, [0, 0])[i] += c
    return groups


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

    One grouped query computes every count, sum and nearest-rank quantile per group, and one
    ungrouped query the overall quantiles (the overall counts are the sums of the groups'), so
    the cost grows with the rows, and the Python work is a few objects per group.
    """
    acc = KpiAccumulator(by, figures=figures, zone=zone, resolution=resolution, as_of=as_of)
    plan = _plan(frame, by, acc.figures, acc.zone, acc.resolution, as_of, quantiles=True)
    res = plan.resolution
    overall_q = [
        _bin(pl.col(f"__d_{f}").quantile(q, "equiprobable"), res).alias(f"{f}:{label}")
        for f in plan.durations
        for label, q in _QUANTILES
    ]
    queries = {"base": plan.base, **plan.extras}
    if overall_q:
        queries["overall"] = plan.lf.select(overall_q)
    labels = list(queries)
    results = dict(zip(labels, pl.collect_all([queries[k] for k in labels]), strict=True))
    base = results["base"]
    extra = _extra_maps(results, plan)
    empty = Summary(0, 0, None, None, None, res)
    columns = base.columns
    at = {c: i for i, c in enumerate(columns)}
    int_at = [(name, at[name]) for name in plan.ints]
    dur_at = [
        (f, at[f"{f}:n"], at[f"{f}:t"], at[f"{f}:median"], at[f"{f}:p90"]) for f in plan.durations
    ]
    zero = dict.fromkeys(_INT_NAMES, 0)
    no_durations = dict.fromkeys(_DUR_NAMES, empty)

    def figures_of(row: Sequence[Any]) -> tuple[dict[str, int], dict[str, Summary]]:
        counts = zero.copy()
        for name, i in int_at:
            counts[name] = row[i]
        durations = no_durations.copy()
        for f, i_n, i_t, i_m, i_p in dur_at:
            n = row[i_n]
            if n:
                t = row[i_t]
                durations[f] = Summary(n, t, t / n, row[i_m], row[i_p], res)
        return counts, durations

    sla_of: dict[Any, dict[Any, list[int]]] = {}
    for label, i in (("met", 0), ("breached", 1)):
        for k, per in extra.get(label, {}).items():
            sla = sla_of.setdefault(k, {})
            for t, c in per.items():
                sla.setdefault(t, [0, 0])[i] += c
    csat_of = extra.get("csat", {})
    remedy_of = extra.get("remedy", {})
    cost_of = {
        k: {c: Decimal(v) for c, v in per.items()} for k, per in extra.get("cost", {}).items()
    }
    nothing: dict[Any, Any] = {}
    single = plan.width == 1
    keys = _keys_column(base, plan)
    rows = base.rows()
    by_group: dict[tuple[Any, ...], Kpis] = {}
    for i in sorted(range(len(keys)), key=lambda i: sort_key(keys[i])):
        k = keys[i]
        counts, durations = figures_of(rows[i])
        by_group[(k,) if single else k] = Kpis.from_parts(
            counts,
            durations,
            sla_of.get(k, nothing),
            csat_of.get(k, nothing),
            remedy_of.get(k, nothing),
            cost_of.get(k, nothing),
        )

    # The overall counts are the groups' sums; the overall quantiles come from their own query.
    totals = [0] * len(columns)
    for i, c in enumerate(columns):
        if c not in plan.names and not c.endswith((":median", ":p90")):
            totals[i] = int(base.get_column(c).sum() or 0)
    if "overall" in results:
        for c, v in results["overall"].row(0, named=True).items():
            totals[at[c]] = v
    sla_all: dict[Any, list[int]] = {}
    for sla in sla_of.values():
        for t, (m, b) in sla.items():
            c = sla_all.setdefault(t, [0, 0])
            c[0] += m
            c[1] += b
    merged: list[dict[Any, Any]] = []
    for per in (csat_of, remedy_of, cost_of):
        into: dict[Any, Any] = {}
        for mapping in per.values():
            for item, v in mapping.items():
                into[item] = into[item] + v if item in into else v
        merged.append(into)
    overall = Kpis.from_parts(*figures_of(totals), sla_all, *merged)
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
