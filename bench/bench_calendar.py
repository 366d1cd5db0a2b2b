"""Benchmark: ccms BusinessCalendar against businesstimedelta, pandas and a day-by-day walk.

One calendar for every contender: Monday to Friday 09:00-18:00 in Asia/Seoul **less the Korean
public holidays** (the ``holidays`` package's ``KR`` calendar for 2026-2028, the same dates given
to each peer), and **aware datetimes** (``ZoneInfo("Asia/Seoul")``) in and out for everyone. The
same seeded cases for every contender: starts over 2026 in whole minutes, durations of 1 to 500
whole business hours (pandas counts whole business hours). Contenders are interleaved round by
round (the order rotates); times are medians with min and max.

Prints calls/s of ``add`` and ``between`` and the ratios ccms/peer, how each agrees with the
day-by-day walk (an independent reference), cost against duration, and the targets, MET or MISSED
from this run's figures: ccms at least 10x each peer on ``add`` (and ``between`` where the peer has
one), its cost flat in the duration, and the reference walk agreeing with ccms on every case.
Run: ``python bench/run.py calendar``.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as wall
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from _figures import figure, interleaved, target
from ccms.policy import BusinessCalendar

ZONE = ZoneInfo("Asia/Seoul")
OPEN, CLOSE = 9, 18
SEED = 20260101
N = 800  # cases, the same for every contender
ROUNDS = 5
YEARS = range(2026, 2029)
KR = holidays.country_holidays("KR", years=YEARS)
HOLIDAYS: frozenset[date] = frozenset(KR)


def _cases(n: int, max_hours: int = 500, seed: int = SEED) -> list[tuple[datetime, int]]:
    rng = random.Random(seed)
    base = datetime(2026, 1, 1, tzinfo=ZONE)
    return [
        (base + timedelta(minutes=rng.randrange(365 * 24 * 60)), rng.randint(1, max_hours))
        for _ in range(n)
    ]


# ------------------------------------------------------------------ independent reference


def _working(day: datetime) -> bool:
    return day.weekday() < 5 and day.date() not in HOLIDAYS


def walk_add(start: datetime, hours: int) -> datetime:
    """Day-by-day walk on aware Seoul times (no DST there); a result at close is the close."""
    left = timedelta(hours=hours)
    t = start
    while True:
        opening = t.replace(hour=OPEN, minute=0, second=0, microsecond=0)
        closing = t.replace(hour=CLOSE, minute=0, second=0, microsecond=0)
        if _working(t) and t < closing:
            begin = max(t, opening)
            available = closing - begin
            if left <= available:
                return begin + left
            left -= available
        t = (t + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def walk_between(start: datetime, end: datetime) -> timedelta:
    total = timedelta(0)
    t = start
    while t < end:
        nxt = (t + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        if _working(t):
            opening = t.replace(hour=OPEN, minute=0, second=0, microsecond=0)
            closing = t.replace(hour=CLOSE, minute=0, second=0, microsecond=0)
            lo, hi = max(t, opening), min(end, closing)
            if hi > lo:
                total += hi - lo
        t = nxt
    return total


# ------------------------------------------------------------------ peers


def _btd() -> Any:
    try:
        import businesstimedelta as btd
        import pytz
    except ImportError:  # pragma: no cover - bench extra not installed
        return None
    tz = pytz.timezone(ZONE.key)
    return btd.Rules(
        [
            btd.WorkDayRule(
                start_time=wall(OPEN), end_time=wall(CLOSE), working_days=[0, 1, 2, 3, 4], tz=tz
            ),
            btd.HolidayRule(KR, tz=tz),
        ]
    )


def _pandas_offset() -> Any:
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover
        return None
    return pd.offsets.CustomBusinessHour(
        start=f"{OPEN:02d}:00", end=f"{CLOSE:02d}:00", holidays=sorted(HOLIDAYS)
    )


def _btd_add(rules: Any, start: datetime, hours: int) -> datetime:
    import businesstimedelta as btd

    out: datetime = start + btd.BusinessTimeDelta(rules, hours=hours)
    return out.astimezone(ZONE)


def _btd_between(rules: Any, start: datetime, end: datetime) -> timedelta:
    out: timedelta = rules.difference(start, end).timedelta
    return out


def _pd_add(offset: Any, start: datetime, hours: int) -> datetime:
    import pandas as pd

    out: datetime = (pd.Timestamp(start) + offset * hours).to_pydatetime()
    return out.astimezone(ZONE)


def _same_instant(cal: BusinessCalendar, a: datetime, b: datetime) -> bool:
    """Whether ``a`` and ``b`` are the same point of business time (e.g. 18:00 and the next
    opening)."""
    lo, hi = min(a, b), max(a, b)
    return cal.between(lo, hi) == timedelta(0)


def _agreement(
    name: str,
    cal: BusinessCalendar,
    cases: Sequence[tuple[datetime, int]],
    theirs: Sequence[datetime],
    reference: Sequence[datetime],
) -> int:
    exact = sum(1 for t, r in zip(theirs, reference, strict=True) if t == r)
    same = sum(1 for t, r in zip(theirs, reference, strict=True) if _same_instant(cal, t, r))
    print(f"  {name:18s} add equals the walk on {exact:>5}/{len(cases)}; the same business "
          f"instant on {same:>5}/{len(cases)}")  # fmt: skip
    bad = [(c, t, r) for c, t, r in zip(cases, theirs, reference, strict=True) if t != r]
    for (start, hours), t, r in bad[:1]:
        print(f"    e.g. {start:%a %Y-%m-%d %H:%M} + {hours}h: {name} {t:%a %m-%d %H:%M}, "
              f"walk {r:%a %m-%d %H:%M}")  # fmt: skip
    figure(f"{name} add agrees with the walk", exact, "cases", of=len(cases), same_instant=same)
    return same


# ------------------------------------------------------------------ main


def main() -> None:
    cal = BusinessCalendar(ZONE.key, {"mon-fri": [(f"{OPEN:02d}:00", f"{CLOSE:02d}:00")]},
                           holidays="KR")  # fmt: skip
    rules, offset = _btd(), _pandas_offset()
    print(f"{N:,} cases for every contender; Korean holidays {min(YEARS)}-{max(YEARS)} "
          f"({len(HOLIDAYS)} dates) for every contender; aware Asia/Seoul datetimes")  # fmt: skip
    cases = _cases(N)
    aware = [(s, timedelta(hours=h)) for s, h in cases]
    ends = [cal.add(s, d) for s, d in aware]  # also warms the cache for 2026-2028
    pairs = list(zip([s for s, _ in aware], ends, strict=True))

    reference = [walk_add(s, h) for s, h in cases]
    print("correctness against the day-by-day walk (every case):")
    ok = _agreement("ccms", cal, cases, ends, reference)
    between_ok = sum(1 for (s, h), e in zip(cases, ends, strict=True)
                     if walk_between(s, e) == timedelta(hours=h))  # fmt: skip
    print(f"  ccms between equals the walk on {between_ok}/{N}")
    figure("ccms between agrees with the walk", between_ok, "cases", of=N)
    if rules is not None:
        _agreement("businesstimedelta", cal, cases, [_btd_add(rules, s, h) for s, h in cases],
                   reference)  # fmt: skip
        btd_between = sum(1 for (s, h), e in zip(cases, ends, strict=True)
                          if _btd_between(rules, s, e) == timedelta(hours=h))  # fmt: skip
        print(f"  businesstimedelta between equals ccms's duration on {btd_between}/{N}")
    if offset is not None:
        _agreement("pandas CBH", cal, cases, [_pd_add(offset, s, h) for s, h in cases], reference)

    adds: dict[str, Callable[[], object]] = {
        "ccms": lambda: [cal.add(s, d) for s, d in aware],
        "walk": lambda: [walk_add(s, h) for s, h in cases],
    }
    betweens: dict[str, Callable[[], object]] = {
        "ccms": lambda: [cal.between(s, e) for s, e in pairs],
        "walk": lambda: [walk_between(s, e) for s, e in pairs],
    }
    if rules is not None:
        adds["businesstimedelta"] = lambda: [_btd_add(rules, s, h) for s, h in cases]
        betweens["businesstimedelta"] = lambda: [_btd_between(rules, s, e) for s, e in pairs]
    if offset is not None:
        adds["pandas CBH"] = lambda: [_pd_add(offset, s, h) for s, h in cases]
    t_add = interleaved(adds, rounds=ROUNDS)
    t_between = interleaved(betweens, rounds=ROUNDS)
    print(f"\nspeed ({N:,} calls per round, {ROUNDS} interleaved rounds; calls/s at the median, "
          "slowest and fastest round):")  # fmt: skip
    for label, timings in (("add", t_add), ("between", t_between)):
        for name, t in timings.items():
            med, lo, hi = t.rate(N)
            ratio = t.median / timings["ccms"].median
            print(f"  {label:8s} {name:18s} {med:>12,.0f}  ({lo:,.0f} .. {hi:,.0f})"
                  + ("" if name == "ccms" else f"   ccms x{ratio:,.1f}"))  # fmt: skip
            figure(f"{label} {name}", t.rate(N), "calls/s", compares=f"{N} cases")
    for name in adds:
        if name != "ccms":
            target(
                f"ccms add vs {name}",
                t_add[name].median / t_add["ccms"].median,
                ">=",
                10.0,
                compares="median time ratio, same cases, Korean holidays, aware datetimes",
            )
    for name in betweens:
        if name != "ccms":
            target(
                f"ccms between vs {name}",
                t_between[name].median / t_between["ccms"].median,
                ">=",
                10.0,
                compares="median time ratio, same pairs",
            )

    print("\ncost against duration (ccms add calls/s on the same starts; the four durations "
          "interleaved):")  # fmt: skip
    spans = (1, 50, 500, 5000)
    for hours in spans:
        cal.add(aware[0][0], timedelta(hours=hours))  # warm the cache for far results
    by_span = interleaved(
        {h: (lambda h=h: [cal.add(s, timedelta(hours=h)) for s, _ in aware]) for h in spans},
        rounds=ROUNDS,
    )
    flat = {}
    for hours, t in by_span.items():
        flat[hours] = t.rate(N)[0]
        med, lo, hi = t.rate(N)
        print(f"  {hours:>5}h  {med:>12,.0f} calls/s  ({lo:,.0f} .. {hi:,.0f})")
        figure(f"ccms add at {hours}h", t.rate(N), "calls/s")
    # The ratio round by round (both durations timed in the same round), then its median.
    per_round = sorted(
        a / b for a, b in zip(by_span[1].seconds, by_span[5000].seconds, strict=True)
    )
    flatness = statistics.median(per_round)
    print(f"  5,000h speed / 1h speed, per round: median {flatness:.2f}x (min {per_round[0]:.2f}, "
          f"max {per_round[-1]:.2f}); the median rates give {flat[5000] / flat[1]:.2f}x")  # fmt: skip
    figure("ccms add 5,000h / 1h speed", (flatness, per_round[0], per_round[-1]), "x",
           compares="time of 1h adds / time of 5,000h adds, same round")  # fmt: skip
    target("ccms add cost flat in the duration (5,000h speed / 1h speed)", flatness, ">=", 0.5,
           unit="x", compares="median over rounds of time(1h) / time(5,000h), same starts; a "
           "walk hour by hour would be ~1/5000")  # fmt: skip
    target("the reference walk agrees with ccms (same business instant)", ok / N, ">=", 1.0,
           unit="", compares="share of cases")  # fmt: skip


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - t0:.1f} s")
