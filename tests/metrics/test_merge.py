"""Merge exactness of every accumulator, and the columnar path against the accumulators.

For each accumulator: any split of the records into partitions (not necessarily contiguous),
accumulated separately and merged in any order and tree shape, equals one pass over all records,
exactly; ``merge`` is associative and commutative, an empty accumulator is its identity, and the
operands are left unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ccms.metrics import (
    BacklogAccumulator,
    CaseRecord,
    Durations,
    FairnessAccumulator,
    KpiAccumulator,
    SurveyBiasAccumulator,
    TaskOnTimeAccumulator,
    WorkloadAccumulator,
    accumulate,
    merge_all,
    to_polars,
)
from ccms.metrics.columnar import kpi_stats
from ccms.testing._records_strategies import case_record_strategy, case_records_lists

AS_OF = datetime(2026, 2, 15, tzinfo=UTC)
START = datetime(2026, 1, 1, tzinfo=UTC)
BYS = [(), ("channel",), ("code",), ("channel", "segment"), ("month",), ("week", "handler")]
METRIC_NAMES = [
    "remedy_rate", "remedy_amount", "resolution_time", "company_time", "transfers",
    "waiting_time", "withdrawal_rate", "supervisor_honoured", "courtesy_upheld",
    "courtesy_csat", "response_rate", "satisfaction", "csat",
]  # fmt: skip


@dataclass(frozen=True)
class Kind:
    """How to make, feed and compare one accumulator type."""

    settings: st.SearchStrategy[Callable[[], Any]]
    items: st.SearchStrategy[list[Any]]
    state: Callable[[Any], Any]


def _kpi_factory(by: tuple[str, ...], zone: str, res: int, as_of: bool) -> Callable[[], Any]:
    return lambda: KpiAccumulator(by, zone=zone, resolution=res, as_of=AS_OF if as_of else None)


def _fairness_factory(metric: str, by: str, control: str | None) -> Callable[[], Any]:
    currency = "KRW" if metric == "remedy_amount" else None
    return lambda: FairnessAccumulator(metric, by, control, currency=currency)  # type: ignore[arg-type]


_moment = st.integers(0, 60 * 86_400).map(lambda s: START + timedelta(seconds=s))
_tasks = st.lists(st.tuples(_moment, st.none() | _moment), max_size=30)
_records = case_records_lists()

KINDS: dict[str, Kind] = {
    "kpi": Kind(
        st.builds(
            _kpi_factory,
            st.sampled_from(BYS),
            st.sampled_from(["UTC", "Asia/Seoul"]),
            st.sampled_from([1, 60, 3600]),
            st.booleans(),
        ),
        _records,
        lambda a: (a.result(), dict(a.groups)),
    ),
    "backlog": Kind(
        st.builds(
            lambda by, res: lambda: BacklogAccumulator(AS_OF, by, resolution=res),
            st.sampled_from(BYS),
            st.sampled_from([1, 60, 86_400]),
        ),
        _records,
        lambda a: (a.result(), a._groups),
    ),
    "fairness": Kind(
        st.builds(
            _fairness_factory,
            st.sampled_from(METRIC_NAMES),
            st.sampled_from(["channel", "segment", "handler", "region"]),
            st.sampled_from(["code", None]),
        ),
        _records,
        lambda a: a.cells,
    ),
    "workload": Kind(
        st.builds(
            lambda cap, final: lambda: WorkloadAccumulator(cap, final_only=final),
            st.sampled_from([None, {"kim": 2, "lee": 1, "choi": 3}]),
            st.booleans(),
        ),
        _records,
        lambda a: a.result(),
    ),
    "survey": Kind(
        st.builds(
            lambda by: lambda: SurveyBiasAccumulator(by), st.sampled_from(["channel", "region"])
        ),
        _records,
        lambda a: a.result(),
    ),
    "tasks": Kind(
        st.builds(lambda j: lambda: TaskOnTimeAccumulator(j), st.none() | st.just(AS_OF)),
        _tasks,
        lambda a: a.result(),
    ),
}


def _merge_randomly(accs: list[Any], data: st.DataObject) -> Any:
    """Merge adjacent accumulators at random positions: every tree shape is reachable."""
    level = list(accs)
    while len(level) > 1:
        i = data.draw(st.integers(0, len(level) - 2), label="merge at")
        level[i : i + 2] = [level[i].merge(level[i + 1])]
    return level[0]


def _split(items: list[Any], data: st.DataObject) -> list[list[Any]]:
    """Any partition of ``items`` (not necessarily contiguous) into 1-5 parts, in any order."""
    parts = data.draw(st.integers(1, 5), label="partitions")
    labels = data.draw(st.lists(st.integers(0, parts - 1), min_size=len(items),
                                max_size=len(items)), label="partition of each item")  # fmt: skip
    order = data.draw(st.permutations(range(parts)), label="order")
    return [[x for x, p in zip(items, labels, strict=True) if p == i] for i in order]


# One drawn record list serves every accumulator (drawing records is the expensive part).
@given(data=st.data())
def test_every_accumulator_merges_exactly(data: st.DataObject) -> None:
    records = data.draw(_records, label="records")
    tasks = data.draw(_tasks, label="tasks")
    for name, k in KINDS.items():
        factory = data.draw(k.settings, label=f"{name} settings")
        items = tasks if name == "tasks" else records
        accs = [accumulate(factory(), part) for part in _split(items, data)]
        before = [k.state(a) for a in accs]

        # any split merged in any order and tree shape equals one pass
        one_pass = k.state(accumulate(factory(), items))
        assert k.state(_merge_randomly(accs, data)) == one_pass, name
        assert k.state(merge_all(accs)) == one_pass, name
        assert [k.state(a) for a in accs] == before, name  # operands unchanged

        # associative, commutative, empty is the identity
        a, b, c = [*accs, factory(), factory()][:3]
        assert k.state(a.merge(b).merge(c)) == k.state(a.merge(b.merge(c))), name
        assert k.state(a.merge(b)) == k.state(b.merge(a)), name
        empty = factory()
        assert k.state(empty.merge(a)) == k.state(a) == k.state(a.merge(empty)), name
        assert k.state(empty.merge(empty)) == k.state(factory()), name


@given(st.lists(st.integers(0, 10**7), max_size=40), st.integers(0, 40),
       st.sampled_from([1, 60, 7]))  # fmt: skip
def test_durations_merge_exactly(seconds: list[int], cut: int, resolution: int) -> None:
    whole, left, right = Durations(resolution), Durations(resolution), Durations(resolution)
    for i, s in enumerate(seconds):
        whole.add(s)
        (left if i < cut else right).add(s)
    assert left.merged(right) == whole == right.merged(left)
    assert whole.summary().total == sum(seconds)
    if seconds:
        # the nearest-rank median lies in the reported bin
        true = sorted(seconds)[-(-len(seconds) // 2) - 1]
        median = whole.summary().median
        assert median is not None
        assert median <= true < median + resolution


# ------------------------------------------------------------------- columnar == streaming


@given(case_records_lists(max_size=20), st.sampled_from(BYS), st.integers(1, 3))
def test_columnar_partitions_merged_equal_one_streaming_pass(
    records: list[CaseRecord], by: tuple[str, ...], parts: int
) -> None:
    whole = accumulate(KpiAccumulator(by, as_of=AS_OF), records)
    accs = []
    for i in range(parts):
        acc = KpiAccumulator(by, as_of=AS_OF)
        acc.load(kpi_stats(to_polars(records[i::parts]), by, as_of=AS_OF))
        accs.append(acc)
    merged = merge_all(accs)
    assert dict(merged.groups) == dict(whole.groups)
    assert merged.result() == whole.result()


@given(st.lists(case_record_strategy(), max_size=4))
def test_state_does_not_grow_with_records_beyond_groups(records: list[CaseRecord]) -> None:
    acc = accumulate(KpiAccumulator(("channel",)), records * 20)
    assert len(acc.groups) == len({r.channel for r in records})
    assert all(s.n == 20 * sum(r.channel == k for r in records) for k, s in acc.groups.items())
