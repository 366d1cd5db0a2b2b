"""Scale-out on Dask: one accumulator per partition, then a tree of exact merges.

Because every accumulator merges exactly, a month or ten million records can be split over a
Dask cluster and combined into the very figures one process would compute.

* :func:`accumulate_bag` folds a ``dask.bag`` of :class:`~ccms.metrics.CaseRecord` with
  ``Bag.reduction`` (per-partition ``update``, then merges ``split_every`` at a time).
* :func:`accumulate_frame` takes a ``dask.dataframe`` with the case-record columns, turns each
  partition into exact per-group state with the columnar path, and tree-merges the results.

Requires ``dask`` (and ``distributed`` for a cluster); this module is not imported by
``ccms.metrics`` itself.

>>> import dask.bag as db
>>> from datetime import datetime, timezone
>>> from ccms.metrics import CaseRecord, KpiAccumulator
>>> t = datetime(2026, 1, 5, tzinfo=timezone.utc)
>>> rs = [CaseRecord(id=str(i), received_at=t, channel="web", kind="complaint",
...                  severity="low", segment="general", stage="received") for i in range(10)]
>>> acc = accumulate_bag(db.from_sequence(rs, npartitions=3), lambda: KpiAccumulator(),
...                      scheduler="sync")
>>> acc.result().overall.count
10
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import dask.bag as db
from dask.base import compute as _dask_compute
from dask.delayed import delayed as _dask_delayed

from ccms.metrics.accumulators import Accumulator, accumulate, merge_all
from ccms.metrics.kpi import KpiAccumulator

__all__ = ["accumulate_bag", "accumulate_frame", "merge_tree"]

A = TypeVar("A", bound=Accumulator[Any, Any])

# dask ships no precise types; these names keep its untyped calls in one place.
_compute: Any = _dask_compute
_delayed: Any = _dask_delayed


def _merge_pair(a: A, b: A) -> A:
    return a.merge(b)


def accumulate_bag(
    bag: db.Bag,
    factory: Callable[[], A],
    *,
    split_every: int = 8,
    **compute: Any,
) -> A:
    """Fold a bag of records into one accumulator; ``compute`` goes to ``dask.compute``."""

    def per_partition(items: Any) -> A:
        return accumulate(factory(), items)

    def combine(accs: Iterable[A]) -> A:
        return merge_all(list(accs))

    reduction: Any = bag.reduction
    reduced = reduction(per_partition, combine, split_every=split_every)
    (result,) = _compute(reduced, **compute)
    return result  # type: ignore[no-any-return]


def merge_tree(parts: list[Any], *, split_every: int = 8) -> Any:
    """Delayed tree-merge of delayed accumulators (``split_every`` at a time)."""
    merge = _delayed(lambda *accs: merge_all(list(accs)), pure=True)
    level = list(parts)
    while len(level) > 1:
        level = [merge(*level[i : i + split_every]) for i in range(0, len(level), split_every)]
    return level[0]


def accumulate_frame(
    frame: Any,
    factory: Callable[[], KpiAccumulator],
    *,
    split_every: int = 8,
    **compute: Any,
) -> KpiAccumulator:
    """KPI state of a ``dask.dataframe`` of case-record columns, merged from its partitions.

    Each partition (a pandas frame) goes through :func:`ccms.metrics.columnar.kpi_stats` with the
    factory's settings; the partition accumulators are then merged as a tree.
    """

    def per_partition(pdf: Any) -> KpiAccumulator:
        import polars as pl
        import pyarrow as pa  # type: ignore[import-untyped]  # no stubs

        from ccms.metrics.columnar import kpi_stats
        from ccms.metrics.records import arrow_schema

        schema = pa.schema([f for f in arrow_schema() if f.name in pdf.columns])
        table = pa.Table.from_pandas(pdf, schema=schema, preserve_index=False)
        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        acc = factory()
        acc.load(
            kpi_stats(
                frame,
                acc.by,
                figures=acc.figures,
                zone=acc.zone,
                resolution=acc.resolution,
                as_of=acc.as_of,
            )
        )
        return acc

    parts = [_delayed(per_partition, pure=True)(p) for p in frame.to_delayed()]
    (result,) = _compute(merge_tree(parts, split_every=split_every), **compute)
    return result  # type: ignore[no-any-return]
