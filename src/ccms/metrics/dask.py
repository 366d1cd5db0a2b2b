"""Scale-out on Dask: one accumulator per partition, then a tree of exact merges.

Because every accumulator merges exactly, a month or ten million records can be split over a
Dask cluster and combined into the very figures one process would compute.

* :func:`accumulate_bag` folds a ``dask.bag`` of :class:`~ccms.metrics.CaseRecord` with
  ``Bag.reduction`` (per-partition ``update``, then merges ``split_every`` at a time).
* :func:`accumulate_frame` takes a ``dask.dataframe`` with the case-record columns (or a Polars
  frame or Arrow table, split into partitions), turns each partition into exact state with the
  columnar path (KPIs, fairness, backlog), and tree-merges the results;
* :func:`to_dask` makes the ``dask.dataframe`` of a Polars frame or Arrow table (Arrow-backed
  pandas columns: Dask's own string conversion would turn list and decimal columns into text).

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
from typing import Any, Final, TypeVar

from ccms.errors import InvalidInput, MissingExtra

try:
    import dask.bag as db
    from dask.base import compute as _dask_compute
    from dask.delayed import delayed as _dask_delayed
except ImportError as exc:  # pragma: no cover - the dask extra is installed in CI
    raise MissingExtra("dask", "dask") from exc
from ccms.metrics.accumulators import Accumulator, accumulate, merge_all
from ccms.metrics.backlog import BacklogAccumulator
from ccms.metrics.fairness import FairnessAccumulator
from ccms.metrics.kpi import KpiAccumulator

__all__ = ["accumulate_bag", "accumulate_frame", "merge_tree", "to_dask"]

A = TypeVar("A", bound=Accumulator[Any, Any])
F = TypeVar("F", KpiAccumulator, FairnessAccumulator, BacklogAccumulator)

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


_TEXT_FOR: Final = (
    "column {name!r} of a Dask partition holds text ({got}), not {want}: Dask's string "
    "conversion turned lists, decimals or optional booleans into their text. Build the frame "
    "with ccms.metrics.dask.to_dask(frame, npartitions) (it keeps Arrow types), or pass the "
    "Polars frame or Arrow table to accumulate_frame directly"
)


def _schema() -> Any:
    from ccms.metrics.records import to_polars

    return to_polars([]).schema


def _partition_frame(pdf: Any) -> Any:
    """A pandas partition (Arrow-backed or NumPy-backed) as a Polars frame with the documented
    case-record types."""
    import polars as pl

    frame = pl.from_pandas(pdf, nan_to_null=True)
    want = _schema()
    casts: Any = {}
    for name, dtype in frame.schema.items():
        target = want.get(name)
        if target is None or dtype == target:
            continue
        if dtype == pl.String and target != pl.String:
            raise InvalidInput(_TEXT_FOR.format(name=name, got=dtype, want=target))
        casts[name] = target
    return frame.cast(casts) if casts else frame


def to_dask(frame: Any, npartitions: int = 4) -> Any:
    """A ``dask.dataframe`` of a Polars frame or Arrow table of case records, split into
    ``npartitions``, with Arrow-backed pandas columns (so lists, decimals and optional values
    keep their types).

    >>> from datetime import datetime, timezone
    >>> from ccms.metrics import CaseRecord, to_polars
    >>> t = datetime(2026, 1, 5, tzinfo=timezone.utc)
    >>> rs = [CaseRecord(id=str(i), received_at=t, channel="web", kind="complaint",
    ...                  severity="low", segment="general", stage="received", sla_met=("response",))
    ...       for i in range(10)]
    >>> to_dask(to_polars(rs), npartitions=2).npartitions
    2
    """
    import dask.dataframe as dd
    import polars as pl

    from_pandas: Any = dd.from_pandas
    polars_frame = frame if isinstance(frame, pl.DataFrame) else pl.from_arrow(frame)
    assert isinstance(polars_frame, pl.DataFrame)
    pdf = polars_frame.to_pandas(use_pyarrow_extension_array=True)
    return from_pandas(pdf, npartitions=max(1, min(npartitions, max(1, len(pdf)))))


def accumulate_frame(
    frame: Any,
    factory: Callable[[], F],
    *,
    npartitions: int = 4,
    split_every: int = 8,
    **compute: Any,
) -> F:
    """The state of a frame of case-record columns, merged from its partitions.

    ``frame`` is a ``dask.dataframe`` (from :func:`to_dask`, or any Dask frame whose columns
    keep their types), or a Polars frame or Arrow table (split into ``npartitions`` first).
    ``factory`` makes an empty :class:`~ccms.metrics.KpiAccumulator`,
    :class:`~ccms.metrics.FairnessAccumulator` or :class:`~ccms.metrics.BacklogAccumulator`;
    each partition is folded into one through the columnar path
    (:func:`ccms.metrics.columnar.feed`), and the partition accumulators are merged as a tree.
    The result equals one pass over all the records, exactly.
    """
    if not hasattr(frame, "to_delayed"):
        frame = to_dask(frame, npartitions)

    def per_partition(pdf: Any) -> F:
        from ccms.metrics.columnar import feed

        return feed(factory(), _partition_frame(pdf))

    parts = [_delayed(per_partition, pure=True)(p) for p in frame.to_delayed()]
    (result,) = _compute(merge_tree(parts, split_every=split_every), **compute)
    return result  # type: ignore[no-any-return]
