"""Benchmark: ccms metrics (streaming accumulators and the columnar path) against baselines.

One synthetic month-and-a-half of complaints (seeded numpy draws: channel, VOC code, receipt,
first response, resolution, closure, withdrawals, rejections, transfers, reopens, escalation),
grouped by channel x code (3 x 20 = 60 groups). The figures, the same in every implementation:
volume, withdrawn, rejected, resolved, open, first-contact resolution, reopen and transfer counts,
escalations, and the resolution-time distribution (n, exact total, hourly histogram, from which
mean, median and p90 follow). All measured in this one run:

* streaming: ``KpiAccumulator.update`` over ``CaseRecord`` objects, against a bare
  dict-of-sums loop computing the same figures from the same objects;
* columnar: ``ccms.metrics.columnar.kpis`` on a Polars frame, against a hand-written Polars
  query and a pandas group-by producing the same sufficient statistics.

It also prints the accumulator's state size (pickled bytes) against the number of records, to
show memory grows with groups and histogram bins, not records. The results are checked equal
before any figure is printed. Run: ``python bench/run.py metrics`` (``CCMS_BENCH_METRICS_N``
sets the number of records; default 1,000,000).
"""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import polars as pl

from ccms.metrics import CaseRecord, KpiAccumulator, merge_all
from ccms.metrics.columnar import kpis

N = int(os.environ.get("CCMS_BENCH_METRICS_N", "1000000"))
CHUNK = 200_000
SEED = 20261001
START = datetime(2026, 9, 1, tzinfo=UTC)
BY = ("channel", "code")
FIGURES = ("status", "fcr", "resolution", "reopen", "transfer", "escalation")
RES = 3600  # hourly bins: median and p90 to the hour
CHANNELS = np.array(["web", "phone", "email"])
CODES = np.array([f"C{i:02d}" for i in range(20)])
T = TypeVar("T")


def _timed(fn: Callable[[], T], rounds: int = 1) -> tuple[float, T]:
    best, out = float("inf"), None
    for _ in range(rounds):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    assert out is not None
    return best, out


def columns(n: int, seed: int = SEED) -> dict[str, np.ndarray[Any, Any]]:
    """Seeded synthetic columns (times in whole seconds since START; -1 = missing)."""
    rng = np.random.default_rng(seed)
    received = rng.integers(0, 45 * 86_400, n)
    # resolution times: log-normal around 20 hours, capped at 30 days; 75% resolved
    spell = np.minimum(rng.lognormal(np.log(20 * 3600), 1.0, n).astype(np.int64), 30 * 86_400)
    resolved = np.where(rng.random(n) < 0.75, received + spell, -1)
    closed = np.where((resolved >= 0) & (rng.random(n) < 0.9), resolved, -1)
    withdrawn = (resolved < 0) & (rng.random(n) < 0.1)
    closed = np.where(withdrawn, received + 3600, closed)
    return {
        "channel": rng.integers(0, len(CHANNELS), n),
        "code": np.minimum(rng.geometric(0.2, n) - 1, len(CODES) - 1),  # a Pareto-like mix
        "received": received,
        "resolved": resolved,
        "closed": closed,
        "withdrawn": withdrawn,
        "rejected": (resolved >= 0) & (rng.random(n) < 0.03),
        "transfers": rng.choice([0, 0, 0, 1, 2], n),
        "reopens": (rng.random(n) < 0.08).astype(np.int64),
        "escalation_level": (rng.random(n) < 0.05).astype(np.int64),
    }


def records(cols: dict[str, np.ndarray[Any, Any]], lo: int, hi: int) -> list[CaseRecord]:
    """CaseRecord objects for rows ``lo:hi`` (built outside the timed sections)."""
    sec = timedelta(seconds=1)
    ch = CHANNELS[cols["channel"][lo:hi]].tolist()
    co = CODES[cols["code"][lo:hi]].tolist()
    rec, res, clo = (cols[k][lo:hi].tolist() for k in ("received", "resolved", "closed"))
    wd, rj = cols["withdrawn"][lo:hi].tolist(), cols["rejected"][lo:hi].tolist()
    tr, ro = cols["transfers"][lo:hi].tolist(), cols["reopens"][lo:hi].tolist()
    es = cols["escalation_level"][lo:hi].tolist()
    out = []
    for i in range(hi - lo):
        out.append(
            CaseRecord(
                id=str(lo + i), received_at=START + rec[i] * sec, channel=ch[i],
                kind="complaint", severity="low", segment="general", stage="x", code=co[i],
                resolved_at=START + res[i] * sec if res[i] >= 0 else None,
                closed_at=START + clo[i] * sec if clo[i] >= 0 else None,
                withdrawn=wd[i], rejected=rj[i], transfers=tr[i], reopens=ro[i],
                escalation_level=es[i],
            )
        )  # fmt: skip
    return out


def chunks(cols: dict[str, np.ndarray[Any, Any]]) -> Iterator[list[CaseRecord]]:
    for lo in range(0, N, CHUNK):
        yield records(cols, lo, min(N, lo + CHUNK))


def bare_loop(rs: list[CaseRecord], groups: dict[Any, list[Any]]) -> None:
    """The same figures with plain dicts and lists: the floor a Python loop can reach."""
    sec = timedelta(seconds=1)
    get = groups.get
    for r in rs:
        k = (r.channel, r.code)
        s = get(k)
        if s is None:
            s = groups[k] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, {}]
        s[0] += 1
        if r.withdrawn:
            s[1] += 1
        if r.rejected:
            s[2] += 1
        if r.closed_at is None:
            s[3] += 1
        t = r.resolved_at
        if t is not None:
            s[4] += 1
            if not r.transfers and not r.reopens:
                s[5] += 1
            v = (t - r.received_at) // sec
            s[11] += 1
            s[12] += v
            h = s[13]
            b = v // RES
            h[b] = h.get(b, 0) + 1
        if r.reopens:
            s[6] += 1
            s[7] += r.reopens
        if r.transfers:
            s[8] += 1
            s[9] += r.transfers
        if r.escalation_level:
            s[10] += 1


def polars_frame(cols: dict[str, np.ndarray[Any, Any]]) -> pl.DataFrame:
    def ts(name: str) -> pl.Expr:
        us = pl.col(name) * 1_000_000 + int(START.timestamp() * 1_000_000)
        when = pl.when(pl.col(name) >= 0).then(us.cast(pl.Datetime("us", "UTC")))
        return when.otherwise(None).alias(name + "_at")

    raw = pl.DataFrame(
        {
            "channel": CHANNELS[cols["channel"]],
            "code": CODES[cols["code"]],
            **{k: cols[k] for k in ("received", "resolved", "closed", "withdrawn", "rejected",
                                    "transfers", "reopens", "escalation_level")},
        }
    )  # fmt: skip
    return raw.with_columns(ts("received"), ts("resolved"), ts("closed")).drop(
        "received", "resolved", "closed"
    )


def hand_polars(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """A hand-written Polars query for the same sufficient statistics."""
    resolved = pl.col("resolved_at").is_not_null()
    lf = frame.lazy()
    base = lf.group_by(BY).agg(
        pl.len().alias("n"),
        pl.col("withdrawn").sum(),
        pl.col("rejected").sum(),
        resolved.sum().alias("resolved"),
        pl.col("closed_at").is_null().sum().alias("open"),
        (resolved & (pl.col("transfers") == 0) & (pl.col("reopens") == 0)).sum().alias("fcr"),
        (pl.col("reopens") != 0).sum().alias("reopened"),
        pl.col("reopens").sum(),
        (pl.col("transfers") != 0).sum().alias("transferred"),
        pl.col("transfers").sum(),
        (pl.col("escalation_level") != 0).sum().alias("escalated"),
    )
    seconds = (pl.col("resolved_at") - pl.col("received_at")).dt.total_seconds()
    hist = (
        lf.filter(resolved)
        .with_columns(seconds.alias("v"))
        .group_by([*BY, pl.col("v") // RES])
        .agg(pl.len().alias("c"), pl.col("v").sum().alias("t"))
    )
    return pl.collect_all([base, hist])


def pandas_frame(cols: dict[str, np.ndarray[Any, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "channel": pd.Categorical.from_codes(cols["channel"], CHANNELS),
            "code": pd.Categorical.from_codes(cols["code"], CODES),
            **{k: cols[k] for k in ("received", "resolved", "closed", "withdrawn", "rejected",
                                    "transfers", "reopens", "escalation_level")},
        }
    )  # fmt: skip


def pandas_groupby(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same sufficient statistics with a pandas group-by."""
    resolved = df["resolved"] >= 0
    work = pd.DataFrame(
        {
            "channel": df["channel"],
            "code": df["code"],
            "n": 1,
            "withdrawn": df["withdrawn"],
            "rejected": df["rejected"],
            "resolved": resolved,
            "open": df["closed"] < 0,
            "fcr": resolved & (df["transfers"] == 0) & (df["reopens"] == 0),
            "reopened": df["reopens"] != 0,
            "reopens": df["reopens"],
            "transferred": df["transfers"] != 0,
            "transfers": df["transfers"],
            "escalated": df["escalation_level"] != 0,
        }
    )
    base = work.groupby(["channel", "code"], observed=True).sum()
    done = df[resolved]
    v = done["resolved"] - done["received"]
    hist = (
        pd.DataFrame({"channel": done["channel"], "code": done["code"], "b": v // RES, "v": v})
        .groupby(["channel", "code", "b"], observed=True)["v"]
        .agg(["size", "sum"])
    )
    return base, hist


def main() -> None:
    print(f"records: {N:,}; groups: channel x code; figures: {', '.join(FIGURES)}; "
          f"hourly bins")  # fmt: skip
    cols = columns(N)

    # ---------------------------------------------------------------- streaming, chunked
    acc = KpiAccumulator(BY, figures=FIGURES, resolution=RES)
    bare: dict[Any, list[Any]] = {}
    t_acc = t_bare = 0.0
    sizes: list[tuple[int, int]] = []
    seen = 0
    for chunk in chunks(cols):
        t0 = time.perf_counter()
        update = acc.update
        for r in chunk:
            update(r)
        t_acc += time.perf_counter() - t0
        t0 = time.perf_counter()
        bare_loop(chunk, bare)
        t_bare += time.perf_counter() - t0
        if not sizes:  # state size after 1k, 10k and 100k records of the first chunk
            for m in (1_000, 10_000, 100_000):
                if m <= len(chunk):
                    part = KpiAccumulator(BY, figures=FIGURES, resolution=RES)
                    for r in chunk[:m]:
                        part.update(r)
                    sizes.append((m, len(pickle.dumps(part))))
        seen += len(chunk)
        del chunk
    sizes.append((seen, len(pickle.dumps(acc))))

    # check: the bare loop computed the same figures
    for k, s in acc.groups.items():
        b = bare[k]
        assert (s.n, s.withdrawn, s.rejected, s.open, s.resolved, s.fcr) == tuple(b[:6])
        assert (s.reopened, s.reopens, s.transferred, s.transfers, s.escalated) == tuple(b[6:11])
        assert (s.resolution.n, s.resolution.total, s.resolution.hist) == (b[11], b[12], b[13])

    # ------------------------------------------------------------------------- columnar
    frame = polars_frame(cols)
    df = pandas_frame(cols)
    del cols
    # Interleaved rounds, best of each: a busy machine slows all three alike.
    t_col = t_pl = t_pd = float("inf")
    for _ in range(5):
        t, table = _timed(lambda: kpis(frame, BY, figures=FIGURES, resolution=RES))
        t_col = min(t_col, t)
        t, (pl_base, _) = _timed(lambda: hand_polars(frame))
        t_pl = min(t_pl, t)
        t, (pd_base, _) = _timed(lambda: pandas_groupby(df))
        t_pd = min(t_pd, t)
    streaming = acc.result()
    assert table == streaming, "columnar figures differ from the accumulator's"
    assert int(pl_base["n"].sum()) == int(pd_base["n"].sum()) == N
    assert int(pl_base["fcr"].sum()) == int(pd_base["fcr"].sum()) == streaming.overall.fcr.successes

    def rate(seconds: float) -> str:
        return f"{N / seconds / 1e6:6.2f}M rows/s"

    print("\nstreaming (CaseRecord objects):")
    print(f"  ccms KpiAccumulator.update   {rate(t_acc)}")
    print(f"  bare dict-of-sums loop       {rate(t_bare)}")
    print(f"  ratio accumulator/bare speed {t_bare / t_acc:.2f}x  (target >= 0.5x)")
    print("\ncolumnar (Polars frame; best of 5 interleaved rounds):")
    print(f"  ccms columnar.kpis           {rate(t_col)}")
    print(f"  hand-written polars query    {rate(t_pl)}")
    print(f"  pandas group-by              {rate(t_pd)}")
    print(f"  ratio ccms/hand polars time  {t_col / t_pl:.2f}x  (target <= 1.5x)")
    print(f"  ratio pandas/hand polars time {t_pd / t_pl:.2f}x")
    print(f"  columnar vs streaming speed  {t_acc / t_col:.1f}x faster")
    print("\naccumulator state (pickled) against records seen:")
    for m, size in sizes:
        print(f"  {m:>10,} records -> {size / 1024:8.1f} KiB  ({len(acc.groups)} groups max)")
    print(f"\noverall: {streaming.overall.count:,} complaints, FCR "
          f"{streaming.overall.fcr.value:.3f}, median resolution "
          f"{streaming.overall.resolution.median // 3600} h, p90 "
          f"{streaming.overall.resolution.p90 // 3600} h")  # fmt: skip
    # merge cost depends on groups and bins only, not on the records behind them
    t_merge, _ = _timed(lambda: merge_all([acc, acc, acc, acc]), rounds=5)
    print(f"merge of 4 full states: {t_merge * 1000:.1f} ms")


if __name__ == "__main__":
    main()
