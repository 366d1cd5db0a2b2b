"""The columnar path: the same figures as the accumulators, computed by Polars expressions.

Each function takes a Polars ``DataFrame`` or ``LazyFrame`` with the case-record columns (from
:func:`ccms.metrics.to_polars`, or host data with :func:`ccms.metrics.arrow_schema`), computes the
accumulators' exact sufficient statistics with a handful of group-bys (run together by
:func:`polars.collect_all`), and hands them to the accumulator's ``result``. The figures are
therefore *identical* to the streaming path, not merely close (a property test checks it), while
the per-row work runs in Polars' engine.

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
from typing import Any, Final
from zoneinfo import ZoneInfo

import attrs
import polars as pl

from ccms.errors import InvalidInput, require_aware
from ccms.metrics.accumulators import PERIOD_KEYS, Durations, check_resolution, zone_of
from ccms.metrics.fairness import FairnessAccumulator, FairnessMetric
from ccms.metrics.frame import FairnessFrame
from ccms.metrics.kpi import (
    FIGURES,
    TIMELY_WITHIN,
    BacklogAccumulator,
    BacklogFigures,
    CaseStats,
    Figure,
    KpiAccumulator,
    KpiTable,
)
from ccms.metrics.records import CaseRecord
from ccms.metrics.stats import Correction

__all__ = ["backlog", "fairness", "fairness_cells", "kpi_stats", "kpis"]

Frame = pl.DataFrame | pl.LazyFrame
_FIELDS: Final = tuple(a.name for a in attrs.fields(CaseRecord))
UNKNOWN_KEY: Final = "unknown group key {name!r}; allowed: {allowed}"
_US: Final = 1_000_000


def _lazy(frame: Frame) -> pl.LazyFrame:
    return frame.lazy() if isinstance(frame, pl.DataFrame) else frame


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
    makes them: a scalar for one ``by`` name, a tuple for several, ``()`` for none)."""
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
    lf = _lazy(frame).with_columns(keys)

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
    queries: dict[str, pl.LazyFrame] = {"base": lf.group_by(names).agg(aggs)}

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
    # One histogram query per duration (collect_all runs them in parallel). Int64 sums are
    # exact here: a billion durations of a year each stay below 2**63 seconds.
    for field, expr in durations:
        queries["hist:" + field] = (
            lf.select(*[pl.col(n) for n in names], expr.cast(pl.Int64).alias("__v"))
            .filter(pl.col("__v").is_not_null())
            .group_by([*names, pl.col("__v") // res])
            .agg(pl.len().alias("c"), pl.col("__v").sum().alias("t"))
        )
    if "happy_call" in chosen:
        due = (
            pl.col("resolved_at").is_not_null()
            & ~pl.col("withdrawn")
            & ~pl.col("rejected")
            & pl.col("feedback_responded")
            & pl.col("csat").is_not_null()
        )
        queries["csat"] = lf.filter(due).group_by([*names, "csat"]).len()
    if "remedy" in chosen:
        has = lf.filter(pl.col("remedy").is_not_null())
        queries["remedy"] = has.group_by([*names, "remedy"]).len()
        queries["cost"] = (
            has.filter(pl.col("remedy_amount").is_not_null())
            .with_columns(pl.col("currency").fill_null("XXX"))
            .group_by([*names, "currency"])
            .agg(pl.col("remedy_amount").sum())
        )
    if "sla" in chosen:
        queries["breached"] = (
            lf.select(*names, pl.col("sla_breached").alias("__t"))
            .explode("__t")
            .filter(pl.col("__t").is_not_null())
            .group_by([*names, "__t"])
            .len()
        )
        queries["met"] = (
            lf.select(*names, pl.col("sla_met").alias("__t"), "sla_breached")
            .explode("__t")
            .filter(
                pl.col("__t").is_not_null()
                & ~pl.col("sla_breached").list.contains(pl.col("__t")).fill_null(False)
            )
            .group_by([*names, "__t"])
            .len()
        )

    labels = list(queries)
    results = dict(zip(labels, pl.collect_all([queries[k] for k in labels]), strict=True))

    def key(row: Sequence[Any]) -> Any:
        return _key_of(row, width) if width else ()

    groups: dict[Any, CaseStats] = {}
    base = results["base"]
    cols = [c for c in base.columns if c not in names]
    for row in base.iter_rows():
        s = CaseStats(res)
        for name, value in zip(cols, row[len(names) :], strict=True):
            setattr(s, name, int(value))
        groups[key(row)] = s
    for field, _ in durations:
        hist = results["hist:" + field]
        lists = [hist[c].to_list() for c in hist.columns]
        row_keys: Iterable[Any]
        if width == 0:
            row_keys = [()] * hist.height
        elif width == 1:
            row_keys = lists[0]
        else:
            row_keys = zip(*lists[:width], strict=True)
        for k, b, c, t in zip(row_keys, lists[-3], lists[-2], lists[-1], strict=True):
            d: Durations = getattr(groups[k], field)
            d.n += c
            d.total += t
            d.hist[b] = d.hist.get(b, 0) + c
    if "csat" in results:
        for row in results["csat"].iter_rows():
            groups[key(row)].csat[row[-2]] = row[-1]
    if "remedy" in results:
        for row in results["remedy"].iter_rows():
            groups[key(row)].remedies[row[-2]] = row[-1]
        for row in results["cost"].iter_rows():
            groups[key(row)].cost[row[-2]] = Decimal(row[-1])
    if "sla" in chosen:
        for label, i in (("met", 0), ("breached", 1)):
            for row in results[label].iter_rows():
                c = groups[key(row)].sla.setdefault(row[-2], [0, 0])
                c[i] += row[-1]
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
    :class:`~ccms.metrics.KpiAccumulator`, same figures."""
    acc = KpiAccumulator(by, figures=figures, zone=zone, resolution=resolution, as_of=as_of)
    acc.load(
        kpi_stats(frame, by, figures=acc.figures, zone=zone, resolution=resolution, as_of=as_of)
    )
    return acc.result()


# ----------------------------------------------------------------------------- fairness

_RESOLVED = pl.col("resolved_at").is_not_null()
_TRUE = pl.lit(True)
_MATERIAL = ["refund", "exchange", "repair", "compensation"]
_RES_S = _seconds("resolved_at")
_HAPPY_DUE = _RESOLVED & ~pl.col("withdrawn") & ~pl.col("rejected")

#: Eligibility and value expressions of the built-in fairness metrics (see ``METRICS``).
_EXPRS: Final[dict[str, tuple[pl.Expr, pl.Expr]]] = {
    "remedy_rate": (_RESOLVED, pl.col("remedy").is_in(_MATERIAL).fill_null(False)),
    "remedy_amount": (
        _RESOLVED,
        (pl.col("remedy_amount").cast(pl.Decimal(38, 4)) * 10_000).cast(pl.Int128).fill_null(0),
    ),
    "resolution_time": (_RESOLVED, _RES_S),
    "company_time": (_RESOLVED, _RES_S - pl.col("waiting_seconds")),
    "transfers": (_TRUE, pl.col("transfers")),
    "waiting_time": (_TRUE, pl.col("waiting_seconds")),
    "withdrawal_rate": (_TRUE, pl.col("withdrawn")),
    "supervisor_honoured": (pl.col("supervisor_requested"), pl.col("supervisor_honoured")),
    "courtesy_upheld": (_TRUE, pl.col("courtesy_upheld")),
    "courtesy_csat": (pl.col("courtesy") & pl.col("csat").is_not_null(), pl.col("csat")),
    "response_rate": (_HAPPY_DUE, pl.col("feedback_responded")),
    "satisfaction": (pl.col("satisfied").is_not_null(), pl.col("satisfied")),
    "csat": (pl.col("csat").is_not_null(), pl.col("csat")),
}


def fairness_cells(
    frame: Frame,
    metric: FairnessMetric,
    by: str = "channel",
    control: str | None = "code",
    *,
    currency: str | None = None,
) -> FairnessAccumulator:
    """A :class:`~ccms.metrics.FairnessAccumulator` filled from a frame (mergeable further)."""
    acc = FairnessAccumulator(metric, by, control, currency=currency)
    eligible, value = _EXPRS[acc.spec.name]
    if acc.spec.name == "remedy_amount":
        eligible = eligible & (
            pl.col("remedy_amount").is_null() | (pl.col("currency") == currency).fill_null(False)
        )
    keys = [pl.col(by).alias("__g"), (pl.col(control) if control else pl.lit(None)).alias("__s")]
    v = value.cast(pl.Int128)
    aggs = [pl.len().alias("n"), v.sum().alias("k")]
    if acc.spec.kind == "mean":
        aggs.append((v * v).sum().alias("q"))
    cells = (
        _lazy(frame)
        .filter(eligible.fill_null(False) & pl.col(by).is_not_null())
        .group_by(keys)
        .agg(aggs)
        .collect()
    )
    for row in cells.iter_rows():
        acc.add_cell(row[0], row[1], tuple(int(x) for x in row[2:]))
    return acc


def fairness(
    frame: Frame,
    metric: FairnessMetric,
    by: str = "channel",
    control: str | None = "code",
    *,
    currency: str | None = None,
    confidence: float = 0.95,
    min_n: int = 30,
    correction: Correction = "holm",
    alpha: float = 0.05,
) -> FairnessFrame:
    """The :class:`~ccms.metrics.FairnessFrame` of a frame; same as
    :class:`~ccms.metrics.FairnessAccumulator` would give."""
    acc = fairness_cells(frame, metric, by, control, currency=currency)
    acc.options.update(confidence=confidence, min_n=min_n, correction=correction, alpha=alpha)
    return acc.result()


# ------------------------------------------------------------------------------ backlog


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
    res = acc.resolution
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
    return acc.result()
