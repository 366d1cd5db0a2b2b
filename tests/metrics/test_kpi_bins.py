"""Histogram bins share one int object per bin number, so a bin costs its dict slot only.

The accumulator's state is O(groups x occupied bins); these tests pin that a bin number held by
many groups' histograms is one object (on the streaming path, and on the columnar path's state),
and that sharing keys changes no figure.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ccms.metrics import CaseRecord, KpiAccumulator, accumulate, to_polars
from ccms.metrics.columnar import kpi_stats

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _records() -> list[CaseRecord]:
    # Every channel resolves some complaints in 7,000 minutes (bin 7,000: far above the ints
    # CPython caches), twice in web so its count grows past the first insertion.
    return [
        CaseRecord(id=f"{ch}{i}", received_at=T0, channel=ch, kind="complaint", severity="low",
                   segment="general", stage="closed",
                   resolved_at=T0 + timedelta(minutes=7_000 + (i % 2) * 3, seconds=i))
        for ch in ("web", "phone", "email")
        for i in range(4 if ch == "web" else 2)
    ]  # fmt: skip


def _keys(groups: object, channel: str) -> dict[int, int]:
    hist: dict[int, int] = groups[channel].resolution.hist  # type: ignore[index]
    return {id(k): k for k in hist}


def test_groups_share_one_object_per_bin_on_the_streaming_path() -> None:
    acc = accumulate(KpiAccumulator(by=("channel",)), _records())
    web, phone, email = (_keys(acc.groups, ch) for ch in ("web", "phone", "email"))
    assert sorted(web.values()) == sorted(phone.values()) == [7_000, 7_003]
    assert web.keys() == phone.keys() == email.keys()  # the same objects, not equal copies
    assert acc.groups["web"].resolution.hist == {7_000: 2, 7_003: 2}


def test_columnar_state_shares_bins_and_equals_the_streamed_state() -> None:
    rs = _records()
    groups = kpi_stats(to_polars(rs), ("channel",))
    assert _keys(groups, "web").keys() == _keys(groups, "phone").keys()
    streamed = accumulate(KpiAccumulator(by=("channel",)), rs)
    assert groups == dict(streamed.groups)
    loaded = KpiAccumulator(by=("channel",))
    loaded.load(groups)
    assert loaded.result() == streamed.result()
