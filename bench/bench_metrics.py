"""Benchmark: ccms metrics at real scale, against baselines measured in the same run.

The shape: one synthetic month and a half of complaints (seeded numpy draws), 1,000,000 records by
default (``CCMS_BENCH_METRICS_N``), grouped by channel x VOC code: 8 channels x 200 codes = 1,600
groups, every one present. Every column the KPIs read is filled (first response, resolution,
closure, withdrawals, rejections, transfers, reopens, escalations, repeats, waiting and business
time, SLA targets met and breached, remedies and amounts, the happy call and CSAT), and every
contender computes the figures of ``KpiAccumulator``'s **default settings**: all figure families,
one-minute bins for the median and p90. Contenders are interleaved (the order rotates every
round); each time is a median with its min and max; the results are checked equal before any
figure is printed. Compared:

* **streaming**: ``KpiAccumulator.update`` over ``CaseRecord`` objects against a bare
  dict-of-sums loop (a hand-written function computing the same exact state from the same
  objects), chunk by chunk, alternating which goes first. Target: ccms at least 0.8x its speed.
* **columnar**: ``ccms.metrics.columnar.kpis`` on a Polars frame against (a) the query a Polars
  user writes for the same table (counts, and mean/median/p90 with Polars' own quantiles, per
  group and overall, SLA, CSAT and remedy tables) and (b) hand-written Polars computing the same
  sufficient statistics ccms derives its figures from (counts, sums and nearest-rank one-minute
  bins per group and overall, the same small tables). Targets: at most 1.5x (a) and 1.2x (b).
* **memory**: each path (the accumulator fed ``CaseRecord`` objects; ``kpi_stats`` of each chunk
  loaded into one accumulator) over 1,000,000 records in a fresh process, the input generated and
  dropped 100,000 rows at a time: peak resident size, state size (deep size of its Python
  objects) and bins, the two states compared equal. Targets: peak at 10M / peak at 1M <= 1.5
  (memory O(groups)), and (peak - state) at 10M / at 1M <= 1.2 (no per-row data held).
* **Dask**: ``accumulate_frame`` over 4 partitions of ``to_dask(frame)`` equals one pass exactly.

``CCMS_BENCH_METRICS_10M=1`` (``=only``: nothing else) adds the 10,000,000-record memory runs.
Each ratio is the median of the ratios of the same round (or chunk), with its min and max.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl

from _figures import figure, interleaved, peak_rss_mib, target
from ccms.metrics import CaseRecord, CaseStats, Durations, KpiAccumulator
from ccms.metrics.columnar import kpi_stats, kpis

N = int(os.environ.get("CCMS_BENCH_METRICS_N", "1000000"))
BIG = os.environ.get("CCMS_BENCH_METRICS_10M", "") not in ("", "0")
BIG_N = 10_000_000
CHUNK = 100_000
SEED = 20261001
START = datetime(2026, 9, 1, tzinfo=UTC)
START_US = int(START.timestamp()) * 1_000_000
BY = ("channel", "code")
RES = 60  # the default: one-minute bins
ROUNDS = 7
CHANNELS = np.array(["web", "phone", "email", "chat", "app", "sms", "visit", "letter"])
CODES = np.array([f"C{i:03d}" for i in range(200)])
REMEDIES = np.array(["refund", "exchange", "repair", "compensation", "apology", "explanation"])
DURATIONS = ("response", "resolution", "response_business", "resolution_business", "waiting",
             "waiting_business", "company")  # fmt: skip
SEC = timedelta(seconds=1)


# ----------------------------------------------------------------------------- the data


def columns(n: int, seed: int = SEED) -> dict[str, np.ndarray[Any, Any]]:
    """Seeded synthetic columns (times in whole seconds since START; -1 = missing)."""
    rng = np.random.default_rng(seed)
    received = rng.integers(0, 45 * 86_400, n)
    responded = rng.random(n) < 0.9
    reply = np.minimum(rng.lognormal(np.log(4 * 3600), 1.0, n).astype(np.int64), 20 * 86_400)
    spell = np.minimum(rng.lognormal(np.log(20 * 3600), 1.0, n).astype(np.int64), 30 * 86_400)
    resolved = rng.random(n) < 0.75
    closed = resolved & (rng.random(n) < 0.9)
    withdrawn = ~resolved & (rng.random(n) < 0.1)
    waiting = np.where(rng.random(n) < 0.2, rng.integers(600, 2 * 86_400, n), 0)
    weights = 1.0 / (np.arange(len(CODES)) + 10.0)  # a long tail of codes, none empty
    remedy = np.where(resolved & (rng.random(n) < 0.6), rng.integers(0, len(REMEDIES), n), -1)
    paid = (remedy >= 0) & (remedy < 4) & (rng.random(n) < 0.7)
    fed = resolved & ~withdrawn & (rng.random(n) < 0.5)
    return {
        "channel": rng.integers(0, len(CHANNELS), n),
        "code": rng.choice(len(CODES), n, p=weights / weights.sum()),
        "received": received,
        "response": np.where(responded, reply, -1),
        "resolution": np.where(resolved, spell, -1),
        "closed": np.where(closed, spell, np.where(withdrawn, 3600, -1)),
        "withdrawn": withdrawn,
        "rejected": resolved & (rng.random(n) < 0.03),
        "transfers": rng.choice([0, 0, 0, 1, 2], n),
        "reopens": (rng.random(n) < 0.08).astype(np.int64),
        "escalation_level": (rng.random(n) < 0.05).astype(np.int64),
        "repeat": rng.random(n) < 0.04,
        "waiting": np.where(resolved, np.minimum(waiting, spell), waiting),
        "met": rng.integers(0, 4, n),  # bit 0: response met, bit 1: resolution met
        "breached": rng.integers(0, 8, n) == 0,  # resolution breached
        "remedy": remedy,
        "amount": np.where(paid, rng.integers(1, 500_000, n) * 100, -1),
        "fed": fed,
        "satisfied": np.where(fed & (rng.random(n) < 0.9), rng.random(n) < 0.7, -1),
        "csat": np.where(fed & (rng.random(n) < 0.8), rng.integers(1, 6, n), -1),
    }


def _business(seconds: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """A stand-in for business time: 9 of 24 hours on 5 of 7 days."""
    return np.where(seconds >= 0, seconds * 45 // 168, -1)


def records(c: dict[str, np.ndarray[Any, Any]], lo: int, hi: int) -> list[CaseRecord]:
    """CaseRecord objects for rows ``lo:hi`` (built outside the timed sections)."""
    col = {k: v[lo:hi].tolist() for k, v in c.items()}
    ch, co = CHANNELS[c["channel"][lo:hi]].tolist(), CODES[c["code"][lo:hi]].tolist()
    names = REMEDIES.tolist()  # str, not numpy.str_
    rem = [names[i] if i >= 0 else None for i in col["remedy"]]
    b_resp, b_res = (
        _business(c["response"][lo:hi]).tolist(),
        _business(c["resolution"][lo:hi]).tolist(),
    )
    b_wait = _business(c["waiting"][lo:hi]).tolist()
    out = []
    for i in range(hi - lo):
        at = START + col["received"][i] * SEC
        resp, res, clo = col["response"][i], col["resolution"][i], col["closed"][i]
        met = col["met"][i]
        amount = col["amount"][i]
        sat, csat = col["satisfied"][i], col["csat"][i]
        out.append(
            CaseRecord(
                id=str(lo + i), received_at=at, channel=ch[i], kind="complaint", severity="low",
                segment="general", stage="x", code=co[i],
                first_response_at=at + resp * SEC if resp >= 0 else None,
                resolved_at=at + res * SEC if res >= 0 else None,
                closed_at=at + clo * SEC if clo >= 0 else None,
                withdrawn=col["withdrawn"][i], rejected=col["rejected"][i],
                transfers=col["transfers"][i], reopens=col["reopens"][i],
                escalation_level=col["escalation_level"][i], repeat=col["repeat"][i],
                waiting_seconds=col["waiting"][i],
                business_response_seconds=b_resp[i] if b_resp[i] >= 0 else None,
                business_resolution_seconds=b_res[i] if b_res[i] >= 0 else None,
                business_waiting_seconds=b_wait[i],
                sla_met=("resolution", "response")[: met.bit_count()] if met else (),
                sla_breached=("resolution",) if col["breached"][i] else (),
                remedy=rem[i], remedy_amount=Decimal(amount) if amount >= 0 else None,
                currency="KRW" if amount >= 0 else None, feedback_responded=col["fed"][i],
                satisfied=bool(sat) if sat >= 0 else None, csat=csat if csat >= 0 else None,
            )
        )  # fmt: skip
    return out


def polars_frame(c: dict[str, np.ndarray[Any, Any]]) -> pl.DataFrame:
    """The same rows as a Polars frame with the documented case-record columns."""
    received = c["received"] * 1_000_000 + START_US

    def at(offset: np.ndarray[Any, Any]) -> pl.Series:
        s = pl.Series(np.where(offset >= 0, received + offset * 1_000_000, 0))
        return s.cast(pl.Datetime("us", "UTC")).scatter(np.flatnonzero(offset < 0), None)

    def nullable(a: np.ndarray[Any, Any], dtype: Any = pl.Int64) -> pl.Series:
        return pl.Series(a).cast(dtype).scatter(np.flatnonzero(a < 0), None)

    met = c["met"]
    sla_met = [[], ["resolution"], ["resolution"], ["resolution", "response"]]
    return pl.DataFrame(
        {
            "channel": CHANNELS[c["channel"]],
            "code": CODES[c["code"]],
            "received_at": pl.Series(received).cast(pl.Datetime("us", "UTC")),
            "first_response_at": at(c["response"]),
            "resolved_at": at(c["resolution"]),
            "closed_at": at(c["closed"]),
            **{k: c[k] for k in ("withdrawn", "rejected", "transfers", "reopens",
                                 "escalation_level", "repeat")},
            "waiting_seconds": c["waiting"],
            "business_response_seconds": nullable(_business(c["response"])),
            "business_resolution_seconds": nullable(_business(c["resolution"])),
            "business_waiting_seconds": _business(c["waiting"]),
            "sla_met": pl.Series([sla_met[m] for m in met.tolist()], dtype=pl.List(pl.String)),
            "sla_breached": pl.Series(
                [["resolution"] if b else [] for b in c["breached"].tolist()],
                dtype=pl.List(pl.String),
            ),
            "remedy": pl.Series(np.where(c["remedy"] >= 0, REMEDIES[c["remedy"]], "")).scatter(
                np.flatnonzero(c["remedy"] < 0), None
            ),
            "remedy_amount": nullable(c["amount"]).cast(pl.Decimal(18, 4)),
            "currency": pl.Series(np.where(c["amount"] >= 0, "KRW", "")).scatter(
                np.flatnonzero(c["amount"] < 0), None
            ),
            "feedback_responded": c["fed"],
            "satisfied": nullable(c["satisfied"]).cast(pl.Boolean),
            "csat": nullable(c["csat"]),
        }
    )  # fmt: skip


# ----------------------------------------------------------------- streaming contenders


def bare_loop(rs: list[CaseRecord], groups: dict[Any, list[Any]]) -> None:
    """The same exact state with plain dicts and lists: the floor a Python loop can reach."""
    get = groups.get
    for r in rs:
        k = (r.channel, r.code)
        s = get(k)
        if s is None:
            # 0 n, 1 withdrawn, 2 rejected, 3 resolved, 4 open, 5 fcr, 6 reopened, 7 reopens,
            # 8 transferred, 9 transfers, 10 escalated, 11 repeat, 12 timely_n, 13 timely,
            # 14 fb_eligible, 15 fb_responded, 16 fb_answered, 17 fb_satisfied,
            # 18-24 durations [n, total, hist], 25 sla, 26 csat, 27 remedies, 28 cost
            s = groups[k] = [0] * 18 + [[0, 0, {}] for _ in range(7)] + [{}, {}, {}, {}]
        s[0] += 1
        if r.withdrawn:
            s[1] += 1
        if r.rejected:
            s[2] += 1
        res = r.resolved_at
        if res is not None:
            s[3] += 1
            if not r.transfers and not r.reopens:
                s[5] += 1
        if r.closed_at is None:
            s[4] += 1
        first = r.first_response_at
        if first is not None:
            v = (first - r.received_at) // SEC
            d = s[18]
            d[0] += 1
            d[1] += v
            h = d[2]
            b = v // RES
            h[b] = h.get(b, 0) + 1
            s[12] += 1
            if v <= 15 * 86_400:
                s[13] += 1
        if res is not None:
            v = (res - r.received_at) // SEC
            d = s[19]
            d[0] += 1
            d[1] += v
            h = d[2]
            b = v // RES
            h[b] = h.get(b, 0) + 1
        for i, v in ((20, r.business_response_seconds), (21, r.business_resolution_seconds),
                     (22, r.waiting_seconds), (23, r.business_waiting_seconds)):  # fmt: skip
            if v is not None:
                d = s[i]
                d[0] += 1
                d[1] += v
                h = d[2]
                b = v // RES
                h[b] = h.get(b, 0) + 1
        if res is not None:
            v = (res - r.received_at) // SEC - r.waiting_seconds
            d = s[24]
            d[0] += 1
            d[1] += v
            h = d[2]
            b = v // RES
            h[b] = h.get(b, 0) + 1
        breached = r.sla_breached
        for t in breached:
            c = s[25].setdefault(t, [0, 0])
            c[1] += 1
        for t in r.sla_met:
            if t not in breached:
                c = s[25].setdefault(t, [0, 0])
                c[0] += 1
        if r.reopens:
            s[6] += 1
            s[7] += r.reopens
        if r.transfers:
            s[8] += 1
            s[9] += r.transfers
        if r.escalation_level:
            s[10] += 1
        if r.repeat:
            s[11] += 1
        if res is not None and not r.withdrawn and not r.rejected:
            s[14] += 1
            if r.feedback_responded:
                s[15] += 1
                if r.satisfied is not None:
                    s[16] += 1
                    if r.satisfied:
                        s[17] += 1
                if r.csat is not None:
                    m = s[26]
                    m[r.csat] = m.get(r.csat, 0) + 1
        if r.remedy is not None:
            m = s[27]
            m[r.remedy] = m.get(r.remedy, 0) + 1
            if r.remedy_amount is not None:
                m = s[28]
                cur = r.currency or "XXX"
                m[cur] = m.get(cur, 0) + r.remedy_amount


_BARE_INTS = ("n", "withdrawn", "rejected", "resolved", "open", "fcr", "reopened", "reopens",
              "transferred", "transfers", "escalated", "repeat", "timely_n", "timely",
              "fb_eligible", "fb_responded", "fb_answered", "fb_satisfied")  # fmt: skip


def same_state(s: CaseStats, b: list[Any]) -> bool:
    ints = all(getattr(s, name) == b[i] for i, name in enumerate(_BARE_INTS))
    durs = all(
        (getattr(s, f).n, getattr(s, f).total, getattr(s, f).counts()) == tuple(b[18 + i])
        for i, f in enumerate(DURATIONS)
    )
    sla = {t: list(c) for t, c in s.sla.items()} == b[25]
    return ints and durs and sla and (s.csat, s.remedies, s.cost) == (b[26], b[27], b[28])


# ------------------------------------------------------------------ columnar contenders


def _duration_columns() -> list[pl.Expr]:
    def since(col: str) -> pl.Expr:
        return (pl.col(col) - pl.col("received_at")).dt.total_seconds()

    return [
        since("first_response_at").alias("response"),
        since("resolved_at").alias("resolution"),
        pl.col("business_response_seconds").alias("response_business"),
        pl.col("business_resolution_seconds").alias("resolution_business"),
        pl.col("waiting_seconds").alias("waiting"),
        pl.col("business_waiting_seconds").alias("waiting_business"),
        (since("resolved_at") - pl.col("waiting_seconds")).alias("company"),
    ]


def _counts() -> list[pl.Expr]:
    resolved = pl.col("resolved_at").is_not_null()
    responded = pl.col("first_response_at").is_not_null()
    due = resolved & ~pl.col("withdrawn") & ~pl.col("rejected")
    answered = due & pl.col("feedback_responded")
    return [
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
        pl.col("repeat").sum(),
        responded.sum().alias("timely_n"),
        (pl.col("response") <= 15 * 86_400).sum().alias("timely"),
        due.sum().alias("fb_eligible"),
        answered.sum().alias("fb_responded"),
        (answered & pl.col("satisfied").is_not_null()).sum().alias("fb_answered"),
        (answered & pl.col("satisfied").fill_null(False)).sum().alias("fb_satisfied"),
    ]


def _tables(lf: pl.LazyFrame) -> list[pl.LazyFrame]:
    """SLA met/breached per target, CSAT counts, remedy mix and cost, per group."""
    due = (pl.col("resolved_at").is_not_null() & ~pl.col("withdrawn") & ~pl.col("rejected")
           & pl.col("feedback_responded") & pl.col("csat").is_not_null())  # fmt: skip
    return [
        lf.select(*BY, pl.col("sla_breached").alias("t")).explode("t").drop_nulls("t")
        .group_by(*BY, "t").len(),
        lf.select(*BY, pl.col("sla_met").alias("t"), "sla_breached").explode("t")
        .filter(pl.col("t").is_not_null() & ~pl.col("sla_breached").list.contains(pl.col("t")))
        .group_by(*BY, "t").len(),
        lf.filter(due).group_by(*BY, "csat").len(),
        lf.drop_nulls("remedy").group_by(*BY, "remedy").len(),
        lf.drop_nulls("remedy_amount").group_by(*BY, "currency").agg(pl.col("remedy_amount").sum()),
    ]  # fmt: skip


def user_query(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """What a Polars user writes for the same table: counts and mean/median/p90 per group and
    overall (Polars' own median and quantile), and the SLA, CSAT and remedy tables."""
    lf = frame.lazy().with_columns(_duration_columns())
    aggs = [*_counts()]
    for d in DURATIONS:
        v = pl.col(d)
        aggs += [v.count().alias(f"{d}_n"), v.mean().alias(f"{d}_mean"),
                 v.median().alias(f"{d}_median"), v.quantile(0.9).alias(f"{d}_p90")]  # fmt: skip
    return pl.collect_all([lf.group_by(BY).agg(aggs), lf.select(aggs), *_tables(lf)])


def same_statistics(frame: pl.DataFrame) -> list[pl.DataFrame]:
    """Hand-written Polars for the sufficient statistics ccms derives its figures from: counts,
    sums and nearest-rank one-minute bins per group, overall bins, the same small tables."""
    lf = frame.lazy().with_columns(_duration_columns())
    aggs = [*_counts()]
    overall = []
    for d in DURATIONS:
        v = pl.col(d)
        aggs += [v.count().alias(f"{d}_n"), v.sum().alias(f"{d}_total")]
        for label, q in (("median", 0.5), ("p90", 0.9)):
            binned = (v.quantile(q, "equiprobable").cast(pl.Int64) // RES * RES).alias(
                f"{d}_{label}"
            )
            aggs.append(binned)
            overall.append(binned)
    return pl.collect_all([lf.group_by(BY).agg(aggs), lf.select(overall), *_tables(lf)])


# ------------------------------------------------------------------------------ memory


def deep_size(obj: object, seen: set[int] | None = None) -> int:
    """Bytes held by the Python objects reachable from ``obj`` (each counted once)."""
    seen = set() if seen is None else seen
    if id(obj) in seen or obj is None or isinstance(obj, (bool, str)):
        return 0
    seen.add(id(obj))
    if isinstance(obj, int) and -5 <= obj <= 256:
        return 0  # cached by the interpreter
    size = sys.getsizeof(obj)
    if isinstance(obj, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in obj.items())
    elif isinstance(obj, (list, tuple, set)):
        size += sum(deep_size(x, seen) for x in obj)
    elif isinstance(obj, CaseStats):
        size += sum(deep_size(getattr(obj, n), seen) for n in CaseStats.__slots__)
    elif isinstance(obj, Durations):  # the dense window's counts and the dict of other bins
        size += deep_size(obj.hist, seen) + deep_size(obj.dense, seen) + deep_size(obj.limit, seen)
    return size


def state_size(acc: KpiAccumulator) -> tuple[int, int]:
    """Deep bytes of the accumulator's groups, and the number of histogram bins they hold."""
    bins = sum(len(getattr(s, f).counts()) for s in acc.groups.values() for f in DURATIONS)
    return deep_size(dict(acc.groups)), bins


# -------------------------------------------------------------------------------- main


def chunks(c: dict[str, np.ndarray[Any, Any]], n: int) -> Iterator[list[CaseRecord]]:
    for lo in range(0, n, CHUNK):
        yield records(c, lo, min(n, lo + CHUNK))


def streaming(c: dict[str, np.ndarray[Any, Any]]) -> KpiAccumulator:
    acc = KpiAccumulator(BY)
    bare: dict[Any, list[Any]] = {}
    t_acc: list[float] = []
    t_bare: list[float] = []
    for i, chunk in enumerate(chunks(c, N)):
        runs = [
            ("acc", lambda ch=chunk: _feed(acc, ch)),
            ("bare", lambda ch=chunk: bare_loop(ch, bare)),
        ]
        for name, fn in runs if i % 2 == 0 else runs[::-1]:
            t0 = time.perf_counter()
            fn()
            (t_acc if name == "acc" else t_bare).append(time.perf_counter() - t0)
        del chunk
    assert len(acc.groups) == len(bare) == len(CHANNELS) * len(CODES), len(acc.groups)
    assert all(same_state(s, bare[k]) for k, s in acc.groups.items()), "bare loop differs"

    per_chunk = CHUNK / 1e6
    rate_acc = sorted(per_chunk / t for t in t_acc)
    rate_bare = sorted(per_chunk / t for t in t_bare)
    ratios = sorted(b / a for a, b in zip(t_acc, t_bare, strict=True))
    med = statistics.median
    print(f"\nstreaming, {len(t_acc)} chunks of {CHUNK:,} CaseRecord objects, interleaved "
          "(M records/s: median, min, max):")  # fmt: skip
    print(
        f"  ccms KpiAccumulator.update   {med(rate_acc):5.3f}  ({rate_acc[0]:.3f} .. {rate_acc[-1]:.3f})"
    )
    print(
        f"  bare dict-of-sums loop       {med(rate_bare):5.3f}  ({rate_bare[0]:.3f} .. {rate_bare[-1]:.3f})"
    )
    print(
        f"  per-chunk speed ratio ccms/bare: median {med(ratios):.3f} ({ratios[0]:.3f} .. {ratios[-1]:.3f})"
    )
    figure(
        "streaming ccms update",
        (med(rate_acc), rate_acc[0], rate_acc[-1]),
        "M records/s",
        compares="KpiAccumulator.update, default settings, 1,600 groups",
    )
    figure(
        "streaming bare loop",
        (med(rate_bare), rate_bare[0], rate_bare[-1]),
        "M records/s",
        compares="hand-written dict-of-sums loop, same exact state",
    )
    target("streaming accumulator speed / bare loop", med(ratios), ">=", 0.8, unit="x",
           compares="median over chunks of time(bare)/time(ccms)")  # fmt: skip
    t0 = time.perf_counter()
    acc.result()
    print(f"  result() of {len(acc.groups):,} groups: {time.perf_counter() - t0:.2f} s")
    figure("streaming result()", time.perf_counter() - t0, "s")

    return acc


def _feed(acc: KpiAccumulator, rs: list[CaseRecord]) -> None:
    update = acc.update
    for r in rs:
        update(r)


def columnar(frame: pl.DataFrame, acc: KpiAccumulator) -> None:
    table = kpis(frame, BY)
    streamed = acc.result()
    assert table == streamed, "columnar figures differ from the accumulator's"
    user = user_query(frame)
    same = same_statistics(frame)
    for base in (user[0], same[0]):
        assert int(base["n"].sum()) == N
    by = same[0].sort(BY)
    for k, kp in list(table.by_group.items())[:: len(table.by_group) // 40]:
        row = by.filter((pl.col("channel") == k[0]) & (pl.col("code") == k[1])).row(0, named=True)
        for d in DURATIONS:
            s = getattr(kp, d)
            assert (s.n, s.total, s.median, s.p90) == (
                row[f"{d}_n"],
                row[f"{d}_total"] or 0,
                row[f"{d}_median"],
                row[f"{d}_p90"],
            ), d
        assert (kp.count, kp.fcr.successes, kp.timely.successes) == (
            row["n"],
            row["fcr"],
            row["timely"],
        )
    overall = same[1].row(0, named=True)
    assert all(getattr(table.overall, d).p90 == overall[f"{d}_p90"] for d in DURATIONS)

    t = interleaved(
        {
            "ccms": lambda: kpis(frame, BY),
            "user": lambda: user_query(frame),
            "same": lambda: same_statistics(frame),
            "ccms_state": lambda: kpi_stats(frame, BY),
        },
        rounds=ROUNDS,
    )
    print(f"\ncolumnar, {N:,} rows, {len(table.by_group):,} groups, default settings "
          f"({ROUNDS} interleaved rounds):")  # fmt: skip
    labels = {
        "ccms": "ccms columnar.kpis          ",
        "user": "(a) Polars user's query     ",
        "same": "(b) same sufficient stats   ",
        "ccms_state": "ccms kpi_stats (merge state)",
    }
    for k, label in labels.items():
        print(f"  {label} {t[k]}")
        figure(f"columnar {k}", t[k], "s", compares=label.strip())

    def per_round(base: str) -> list[float]:
        """time(ccms kpis) / time(base), each pair timed in the same round, sorted."""
        return sorted(a / b for a, b in zip(t["ccms"].seconds, t[base].seconds, strict=True))

    med = statistics.median
    for base, label, limit, what in (
        ("user", "Polars user's query", 1.5, "counts + mean/median/p90 per group and overall"),
        ("same", "same sufficient statistics", 1.2, "hand-written Polars, the same exact stats"),
    ):
        ratios = per_round(base)
        print(f"  ccms kpis / {label}: per round median {med(ratios):.2f}x (min {ratios[0]:.2f}, "
              f"max {ratios[-1]:.2f}); ratio of the medians {t['ccms'].median / t[base].median:.2f}x")  # fmt: skip
        figure(f"columnar kpis / {label}", (med(ratios), ratios[0], ratios[-1]), "x",
               compares=f"time ratio per round, {what}")  # fmt: skip
        target(f"columnar kpis / {label}", med(ratios), "<=", limit,
               compares=f"median over rounds of the same-round time ratio, {what}")  # fmt: skip
    print(f"  columnar vs streaming: {N / t['ccms'].median / 1e6:.1f}M rows/s")


def dask_run(frame: pl.DataFrame, acc: KpiAccumulator) -> None:
    try:
        from ccms.metrics.dask import accumulate_frame, to_dask
    except ImportError:  # pragma: no cover - the dask extra
        print("\ndask: not installed (pip install 'ccms[dask]')")
        return
    ddf = to_dask(frame, npartitions=4)
    t0 = time.perf_counter()
    on_dask = accumulate_frame(ddf, lambda: KpiAccumulator(BY), scheduler="threads")
    spent = time.perf_counter() - t0
    equal = dict(on_dask.groups) == dict(acc.groups) and on_dask.result() == acc.result()
    print(
        f"\ndask: accumulate_frame over {ddf.npartitions} partitions of to_dask(frame): "
        f"{spent:.1f} s, equal to one pass: {equal}"
    )
    figure("dask 4 partitions", spent, "s", equal=equal)
    target(
        "dask 4 partitions equal one pass",
        float(equal),
        ">=",
        1.0,
        unit="",
        compares="1.0 = every group's exact state and the table equal the single pass",
    )


# ------------------------------------------------------------------ memory at 1M and 10M

MEM_CHUNK = 100_000  # rows generated, fed and dropped at a time: the bench holds one chunk


def memory_child(path: str, n: int) -> dict[str, Any]:
    """One path over ``n`` records in chunks, in this (fresh) process: peak memory and state.

    Chunk ``i`` is drawn from seed ``SEED + 1000 + i``, so the 1M run is the first tenth of the
    10M run. ``accumulator``: CaseRecord objects of the chunk fed to ``update``; ``columnar``: the
    chunk's Polars frame through ``kpi_stats``, loaded into one accumulator.
    """
    rss_start = peak_rss_mib()
    acc = KpiAccumulator(BY)
    t0 = time.perf_counter()
    for i, lo in enumerate(range(0, n, MEM_CHUNK)):
        c = columns(min(MEM_CHUNK, n - lo), SEED + 1000 + i)
        if path == "accumulator":
            rs = records(c, 0, len(c["channel"]))
            _feed(acc, rs)
            del rs
        else:
            frame = polars_frame(c)
            acc.load(kpi_stats(frame, BY))
            del frame
        del c
    seconds = time.perf_counter() - t0
    peak = peak_rss_mib()  # before measuring the state (its traversal and digest allocate)
    gc.collect()
    size, bins = state_size(acc)
    state = {repr(k): _plain_state(s) for k, s in sorted(acc.groups.items())}
    digest = hashlib.sha256(repr(state).encode()).hexdigest()
    return {"path": path, "n": n, "seconds": seconds, "peak_rss_mib": peak,
            "rss_at_start_mib": rss_start, "state_bytes": size, "bins": bins,
            "groups": len(acc.groups), "digest": digest}  # fmt: skip


def _plain_state(s: CaseStats) -> dict[str, Any]:
    out = s.state()
    out["cost"] = {k: str(v.normalize()) for k, v in out["cost"].items()}  # 1E+2 == 100.00
    return out


def run_child(path: str, n: int) -> dict[str, Any]:
    """:func:`memory_child` in a new interpreter, so its peak resident size is its own."""
    cmd = [sys.executable, __file__, "--memory", path, str(n)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def memory(big: bool) -> None:
    sizes = (1_000_000, BIG_N) if big else (1_000_000,)
    print(
        f"\nmemory: each path over {' and '.join(f'{m:,}' for m in sizes)} records in a fresh "
        f"process, generated and dropped {MEM_CHUNK:,} at a time ({len(CHANNELS) * len(CODES):,} "
        "groups, default settings); peak resident size of that process, and the accumulator's "
        "state (deep size of its Python objects):"
    )
    runs: dict[tuple[str, int], dict[str, Any]] = {}
    for m in sizes:
        for path in ("accumulator", "columnar"):
            r = runs[(path, m)] = run_child(path, m)
            print(
                f"  {path:11s} {m:>10,} records: peak {r['peak_rss_mib']:7,.0f} MiB "
                f"(at start {r['rss_at_start_mib']:,.0f}); state {r['state_bytes'] / 2**20:6,.0f} "
                f"MiB in {r['bins']:>10,} bins ({r['state_bytes'] / r['bins']:.0f} B a bin); "
                f"{r['seconds']:,.0f} s with generating the records"
            )
            figure(f"memory {path} {m:,}: peak RSS", r["peak_rss_mib"], "MiB",
                   compares="fresh process, chunked input", state_bytes=r["state_bytes"],
                   bins=r["bins"], groups=r["groups"], seconds=r["seconds"])  # fmt: skip
        equal = runs[("accumulator", m)]["digest"] == runs[("columnar", m)]["digest"]
        print(f"  {m:,} records: the columnar chunks' state equals the accumulator's: {equal}")
        target(f"{m:,} records: columnar state equals the accumulator's", float(equal), ">=",
               1.0, unit="", compares="1.0 = every group's exact state equal")  # fmt: skip
    if not big:
        print("  (10M records: set CCMS_BENCH_METRICS_10M=1)")
        return
    print("  what grows from 1M to 10M records (1,600 groups either way):")
    for path in ("accumulator", "columnar"):
        one, ten = runs[(path, 1_000_000)], runs[(path, BIG_N)]
        rest_one = one["peak_rss_mib"] - one["state_bytes"] / 2**20
        rest_ten = ten["peak_rss_mib"] - ten["state_bytes"] / 2**20
        print(
            f"  {path:11s} peak x{ten['peak_rss_mib'] / one['peak_rss_mib']:.2f}; state "
            f"x{ten['state_bytes'] / one['state_bytes']:.2f} (bins x{ten['bins'] / one['bins']:.2f}"
            f"); peak minus state x{rest_ten / rest_one:.2f} ({rest_one:,.0f} -> {rest_ten:,.0f} MiB)"
        )
        target(f"memory O(groups), {path}: peak RSS 10M / 1M", ten["peak_rss_mib"] /
               one["peak_rss_mib"], "<=", 1.5,
               compares="peak resident size of a fresh process at 10M over 1M records, groups "
               "fixed (O(records) would be ~10x)")  # fmt: skip
        target(f"no per-row data held, {path}: (peak - state) 10M / 1M", rest_ten / rest_one,
               "<=", 1.2, compares="peak resident size less the state's deep size, 10M over 1M")  # fmt: skip


def main() -> None:
    if os.environ.get("CCMS_BENCH_METRICS_10M") == "only":
        memory(big=True)
        return
    print(
        f"records: {N:,}; groups: {len(CHANNELS)} channels x {len(CODES)} codes; "
        "KpiAccumulator default settings (all figures, one-minute bins)"
    )
    c = columns(N)
    acc = streaming(c)
    frame = polars_frame(c)
    del c
    gc.collect()
    columnar(frame, acc)
    dask_run(frame, acc)
    del frame
    memory(BIG)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--memory"]:
        print(json.dumps(memory_child(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
