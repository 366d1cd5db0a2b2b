"""Fairness calculators: like cases treated alike, whichever channel, segment or handler.

Three kinds of justice customers judge (see DOMAIN.md) and two operational checks:

* **outcome** (distributive): ``remedy_rate`` (a material remedy: refund, exchange, repair or
  compensation, among resolved complaints) and ``remedy_amount`` (mean amount given, 0 when none,
  among resolved complaints in one ``currency``);
* **procedural**: ``resolution_time`` and ``company_time`` (resolution minus waiting on the
  customer), ``transfers``, ``waiting_time``, ``withdrawal_rate``;
* **interactional**: ``supervisor_honoured`` (among complaints whose customer asked for a
  supervisor), ``courtesy_upheld`` (a courtesy complaint upheld), ``courtesy_csat`` (CSAT of
  complaints with a courtesy concern);
* **survey**: ``response_rate`` (happy call reached), ``satisfaction``, ``csat``;
* **workload** among handlers: :class:`WorkloadAccumulator` (assignments against capacity, Gini).

Each metric is defined **once**, as a :class:`~ccms.metrics.MetricSpec` whose ``eligible`` and
``value`` are functions that receive the ``polars`` module and return Polars expressions over the
case-record columns (``eligible``: a boolean, ``value``: an integer or boolean). The streaming
accumulator, the columnar path and Dask all evaluate that one definition with Polars (the
accumulator in batches of records), so a metric of your own works on every path and the paths
cannot disagree. Needs the ``columnar`` extra (``pip install 'ccms[columnar]'``).

:class:`FairnessAccumulator` keeps exact cells per group and stratum (``[n, successes]`` or
``[n, sum, sum of squares]`` of integer values: seconds, counts, amounts in 1/10,000 units) and
returns a :class:`~ccms.metrics.frame.FairnessFrame`. A record whose group value is missing is
counted in a group of its own, ``"unknown"`` (``missing=`` renames it), so ``overall`` always
counts every eligible record.

>>> from datetime import datetime, timezone
>>> from ccms.metrics import CaseRecord
>>> t = datetime(2026, 1, 5, tzinfo=timezone.utc)
>>> def rec(i, ch, remedy):
...     return CaseRecord(id=str(i), received_at=t, channel=ch, kind="complaint", severity="low",
...                       segment="general", stage="closed", code="PRD.DEF", resolved_at=t,
...                       remedy=remedy)
>>> acc = FairnessAccumulator("remedy_rate", by="channel", min_n=30)
>>> for i in range(100):
...     acc.update(rec(i, "web", "refund" if i < 80 else "apology"))
...     acc.update(rec(1000 + i, "phone", "refund" if i < 50 else "apology"))
>>> frame = acc.result()
>>> frame.by_group["phone"].value, frame.by_group["web"].value
(0.5, 0.8)
>>> print(frame.flags[0])
Complaints via phone got a material remedy 30.0 points less often than via web, like for like by code (difference -30.0 points, 95% CI -41.7 to -16.9; n=100 vs 100; holm-adjusted p=9.15e-06)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from operator import attrgetter
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

import attrs

from ccms.errors import InvalidInput, MissingExtra
from ccms.metrics.frame import FairnessFrame, MetricSpec
from ccms.metrics.kpi import Rate
from ccms.metrics.records import CaseRecord, to_polars
from ccms.metrics.stats import Correction, weighted_gini
from ccms.model import MATERIAL_REMEDIES

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "METRICS",
    "MISSING_GROUP",
    "FairnessAccumulator",
    "FairnessMetric",
    "SurveyBias",
    "SurveyBiasAccumulator",
    "Workload",
    "WorkloadAccumulator",
]

FairnessMetric = Literal[
    "remedy_rate",
    "remedy_amount",
    "resolution_time",
    "company_time",
    "transfers",
    "waiting_time",
    "withdrawal_rate",
    "supervisor_honoured",
    "courtesy_upheld",
    "courtesy_csat",
    "response_rate",
    "satisfaction",
    "csat",
]
_METRIC_NAMES: Final = get_args(FairnessMetric)
#: The group of records whose group value is missing (``None``).
MISSING_GROUP: Final = "unknown"
UNKNOWN_METRIC: Final = "unknown fairness metric {value!r}; allowed: {allowed}"
UNKNOWN_ATTRIBUTE: Final = "unknown record attribute {value!r} for {role}; allowed: {allowed}"
NEEDS_CURRENCY: Final = "metric 'remedy_amount' needs currency=, e.g. currency='KRW'"
MISMATCH: Final = "cannot merge fairness accumulators with different settings: {mine} vs {theirs}"
BAD_VALUE: Final = (
    "fairness metric {name!r}: value must be an integer or boolean expression, got {dtype}"
)
BAD_ELIGIBLE: Final = "fairness metric {name!r}: eligible must be a boolean expression, got {dtype}"
NOT_AN_EXPRESSION: Final = (
    "fairness metric {name!r}: {part} must be a function that takes the polars module and "
    "returns a Polars expression over case-record columns, e.g. "
    "lambda pl: pl.col('resolved_at').is_not_null(); calling it gave {got}"
)
BAD_BATCH: Final = "batch must be a whole number >= 1, got {value!r}"

_MATERIAL: Final = tuple(sorted(r.value for r in MATERIAL_REMEDIES))  # RemedyKind.material
_AMOUNT_UNIT: Final = 10_000  # amounts are kept as integers of 1/10,000 (Money has 4 places)
_RECORD_FIELDS: Final = tuple(a.name for a in attrs.fields(CaseRecord))
_US: Final = 1_000_000


def _polars() -> ModuleType:
    try:
        import polars
    except ImportError as exc:  # pragma: no cover - the columnar extra is installed in CI
        raise MissingExtra("columnar", "polars") from exc
    return polars


# The built-in definitions. Each receives the polars module and returns an expression.
def _true(p: Any) -> Any:
    return p.lit(True)


def _resolved(p: Any) -> Any:
    return p.col("resolved_at").is_not_null()


def _resolution_s(p: Any) -> Any:
    return (p.col("resolved_at") - p.col("received_at")).dt.total_microseconds() // _US


def _company_s(p: Any) -> Any:
    return _resolution_s(p) - p.col("waiting_seconds")


def _happy_call_due(p: Any) -> Any:
    return _resolved(p) & ~p.col("withdrawn") & ~p.col("rejected")


def _column(name: str) -> Callable[[Any], Any]:
    return lambda p: p.col(name)


def _material(p: Any) -> Any:
    return p.col("remedy").is_in(list(_MATERIAL)).fill_null(False)


def _amount(p: Any) -> Any:
    scaled = p.col("remedy_amount").cast(p.Decimal(38, 4)) * _AMOUNT_UNIT
    return scaled.cast(p.Int128).fill_null(0)


def _courtesy_scored(p: Any) -> Any:
    return p.col("courtesy") & p.col("csat").is_not_null()


def _is_set(name: str) -> Callable[[Any], Any]:
    return lambda p: p.col(name).is_not_null()


_HOURS: Final = Fraction(1, 3600)
_PTS: Final = Fraction(100)

#: The built-in metrics, by name. ``eligible`` and ``value`` take the ``polars`` module and
#: return expressions over the case-record columns (``value``: an integer, or a 0/1 boolean).
METRICS: Final[dict[str, MetricSpec]] = {
    "remedy_rate": MetricSpec(
        "remedy_rate", "proportion", "outcome", _resolved, _material,
        "got a material remedy {x} points {dir} often than", ("more", "less"), _PTS, " points",
    ),
    "remedy_amount": MetricSpec(
        "remedy_amount", "mean", "outcome", _resolved, _amount,
        "received {x} {dir} on average than", ("more", "less"), Fraction(1, _AMOUNT_UNIT),
    ),
    "resolution_time": MetricSpec(
        "resolution_time", "mean", "procedural", _resolved, _resolution_s,
        "waited {x} hours {dir} for a resolution than", ("longer", "less"), _HOURS, " hours",
    ),
    "company_time": MetricSpec(
        "company_time", "mean", "procedural", _resolved, _company_s,
        "took the company {x} hours {dir} to resolve than", ("longer", "less"), _HOURS,
        " hours",
    ),
    "transfers": MetricSpec(
        "transfers", "mean", "procedural", _true, _column("transfers"),
        "were transferred {x} times {dir} per complaint than", ("more", "fewer"),
    ),
    "waiting_time": MetricSpec(
        "waiting_time", "mean", "procedural", _true, _column("waiting_seconds"),
        "spent {x} hours {dir} waiting on the customer than", ("more", "less"), _HOURS, " hours",
    ),
    "withdrawal_rate": MetricSpec(
        "withdrawal_rate", "proportion", "procedural", _true, _column("withdrawn"),
        "were withdrawn {x} points {dir} often than", ("more", "less"), _PTS, " points",
    ),
    "supervisor_honoured": MetricSpec(
        "supervisor_honoured", "proportion", "interactional", _column("supervisor_requested"),
        _column("supervisor_honoured"),
        "had a supervisor request honoured {x} points {dir} often than", ("more", "less"), _PTS,
        " points",
    ),
    "courtesy_upheld": MetricSpec(
        "courtesy_upheld", "proportion", "interactional", _true, _column("courtesy_upheld"),
        "had a courtesy complaint upheld {x} points {dir} often than", ("more", "less"), _PTS,
        " points",
    ),
    "courtesy_csat": MetricSpec(
        "courtesy_csat", "mean", "interactional", _courtesy_scored, _column("csat"),
        "scored courtesy {x} CSAT points {dir} than", ("higher", "lower"),
    ),
    "response_rate": MetricSpec(
        "response_rate", "proportion", "survey", _happy_call_due,
        _column("feedback_responded"),
        "answered the happy call {x} points {dir} often than", ("more", "less"), _PTS, " points",
    ),
    "satisfaction": MetricSpec(
        "satisfaction", "proportion", "survey", _is_set("satisfied"), _column("satisfied"),
        "were satisfied {x} points {dir} often than", ("more", "less"), _PTS, " points",
    ),
    "csat": MetricSpec(
        "csat", "mean", "survey", _is_set("csat"), _column("csat"),
        "scored {x} CSAT points {dir} than", ("higher", "lower"),
    ),
}  # fmt: skip


def _attribute(name: str, role: str) -> str:
    if name not in _RECORD_FIELDS:
        raise InvalidInput(
            UNKNOWN_ATTRIBUTE.format(value=name, role=role, allowed=", ".join(_RECORD_FIELDS))
        )
    return name


def _expression(spec: MetricSpec, part: str, p: ModuleType) -> pl.Expr:
    """``spec.<part>(polars)``, checked to be a Polars expression."""
    try:
        out: Any = getattr(spec, part)(p)
    except Exception as exc:
        raise InvalidInput(
            NOT_AN_EXPRESSION.format(name=spec.name, part=part, got=repr(exc))
        ) from exc
    if not isinstance(out, p.Expr):
        raise InvalidInput(NOT_AN_EXPRESSION.format(name=spec.name, part=part, got=repr(out)))
    expr: pl.Expr = out
    return expr


def _frame_key(f: FairnessFrame) -> tuple[Any, ...]:
    return (f.spec, f.by, f.control, f.cells, f.confidence, f.min_n, f.correction, f.alpha,
            f.context)  # fmt: skip


class _Frame(FairnessFrame):
    """A :class:`FairnessFrame` that compares equal to another of the same metric, settings
    and cells (so results of the streaming, columnar and Dask paths can be compared)."""

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FairnessFrame):
            return NotImplemented
        return _frame_key(self) == _frame_key(other)

    __hash__ = None  # type: ignore[assignment]


class FairnessAccumulator:
    """One fairness metric by group, stratified by ``control`` (the VOC code by default).

    Args:
        metric: a name from :data:`METRICS` (or a :class:`MetricSpec` of your own).
        by: the record attribute that forms the groups (channel, segment, region, handler, ...).
            Records whose group is None form the group ``missing`` (default ``"unknown"``).
        control: the stratifying attribute; ``None`` compares groups crudely.
        currency: for ``remedy_amount``, the one currency compared (others are left out).
        confidence, min_n, correction, alpha: passed to the frame (see
            :class:`~ccms.metrics.frame.FairnessFrame`).
        batch: records buffered by ``update`` before they are evaluated together.

    Eligible records whose value is null are left out. ``merge`` returns a new accumulator;
    the operands are unchanged. Two results with the same metric, settings and cells compare
    equal.
    """

    def __init__(
        self,
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
        batch: int = 8192,
    ) -> None:
        if isinstance(metric, MetricSpec):
            spec = metric
        elif metric in METRICS:
            spec = METRICS[metric]
        else:
            raise InvalidInput(
                UNKNOWN_METRIC.format(value=metric, allowed=", ".join(_METRIC_NAMES))
            )
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise InvalidInput(BAD_BATCH.format(value=batch))
        p = _polars()
        eligible = _expression(spec, "eligible", p)
        if spec.name == "remedy_amount" and spec.value is METRICS["remedy_amount"].value:
            if currency is None:
                raise InvalidInput(NEEDS_CURRENCY)
            spec = attrs.evolve(
                spec,
                unit=f" {currency}",
                phrase="received {x} " + currency + " {dir} on average than",
            )
            eligible = eligible & (
                p.col("remedy_amount").is_null() | (p.col("currency") == currency).fill_null(False)
            )
        self.spec = spec
        self.by = _attribute(by, "by")
        self.control = _attribute(control, "control") if control is not None else None
        self.currency = currency
        self.missing = missing
        self.batch = batch
        self.options: dict[str, Any] = {
            "confidence": confidence,
            "min_n": min_n,
            "correction": correction,
            "alpha": alpha,
        }
        self._eligible = eligible
        self._value = _expression(spec, "value", p)
        roots = {*self._eligible.meta.root_names(), *self._value.meta.root_names()}
        self._columns = tuple(
            _attribute(n, f"metric {spec.name!r}")
            for n in sorted(roots | {self.by, *self._strata()})
        )
        self._cells: dict[Any, dict[Any, list[int]]] = {}
        self._width = 2 if spec.kind == "proportion" else 3
        self._pending: list[CaseRecord] = []

    def _strata(self) -> tuple[str, ...]:
        return (self.control,) if self.control else ()

    def _settings(self) -> tuple[Any, ...]:
        return (self.spec, self.by, self.control, self.currency, self.missing)

    def update(self, r: CaseRecord) -> None:
        """Fold one record in (buffered; evaluated with the others of its batch)."""
        self._pending.append(r)
        if len(self._pending) >= self.batch:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, []
            self.add_frame(to_polars(pending, self._columns))

    def add_frame(self, frame: pl.DataFrame | pl.LazyFrame | Any) -> None:
        """Fold a Polars frame (or lazy frame, or Arrow table) of case-record columns in (the
        columnar path)."""
        p = _polars()
        lf = (
            frame.lazy()
            if isinstance(frame, (p.DataFrame, p.LazyFrame))
            else p.from_arrow(frame).lazy()
        )
        name = self.spec.name
        schema = lf.select(self._eligible.alias("e"), self._value.alias("v")).collect_schema()
        if schema["e"] != p.Boolean:
            raise InvalidInput(BAD_ELIGIBLE.format(name=name, dtype=schema["e"]))
        if not (schema["v"].is_integer() or schema["v"] == p.Boolean):
            raise InvalidInput(BAD_VALUE.format(name=name, dtype=schema["v"]))
        v = self._value.cast(p.Int128)
        aggs = [p.len().alias("__n"), v.sum().alias("__k")]
        if self._width == 3:
            aggs.append((v * v).sum().alias("__q"))
        stratum = p.col(self.control) if self.control else p.lit(None)
        cells = (
            lf.filter(self._eligible.fill_null(False) & self._value.is_not_null())
            .group_by(p.col(self.by).alias("__g"), stratum.alias("__s"))
            .agg(aggs)
            .collect()
        )
        missing = self.missing
        for g, s, *cell in cells.iter_rows():
            self.add_cell(missing if g is None else g, s, tuple(int(x) for x in cell))

    def add_cell(self, group: Any, stratum: Any, cell: tuple[int, ...]) -> None:
        """Add precomputed counts for one cell."""
        strata = self._cells.setdefault(group, {})
        mine = strata.get(stratum)
        if mine is None:
            strata[stratum] = list(cell)
        else:
            for i, x in enumerate(cell):
                mine[i] += x

    def merge(self, other: FairnessAccumulator) -> FairnessAccumulator:
        """A new accumulator holding both inputs (settings must agree)."""
        if other._settings() != self._settings():
            raise InvalidInput(MISMATCH.format(mine=self._settings(), theirs=other._settings()))
        out = self._empty()
        for src in (self, other):
            src._flush()
            for g, strata in src._cells.items():
                for s, cell in strata.items():
                    out.add_cell(g, s, tuple(cell))
        return out

    def _empty(self) -> FairnessAccumulator:
        out = FairnessAccumulator.__new__(FairnessAccumulator)
        out.__dict__.update(self.__dict__)
        out._cells = {}
        out._pending = []
        return out

    @property
    def cells(self) -> dict[Any, dict[Any, tuple[int, ...]]]:
        """A copy of the exact cells: group -> stratum -> counts."""
        self._flush()
        return {g: {s: tuple(c) for s, c in strata.items()} for g, strata in self._cells.items()}

    def result(self) -> FairnessFrame:
        """The :class:`~ccms.metrics.frame.FairnessFrame` of what was seen so far."""
        return _Frame(self.spec, self.by, self.control, self.cells, **self.options)

    def __getstate__(self) -> dict[str, Any]:
        builtin = METRICS.get(self.spec.name)
        same = builtin is not None and (builtin.eligible, builtin.value) == (
            self.spec.eligible,
            self.spec.value,
        )
        return {
            "metric": self.spec.name if same else self.spec,
            "settings": (self.by, self.control, self.currency, self.missing, self.batch),
            "options": self.options,
            "cells": self.cells,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        by, control, currency, missing, batch = state["settings"]
        self.__init__(  # type: ignore[misc]
            state["metric"], by, control, currency=currency, missing=missing, batch=batch,
            **state["options"],
        )  # fmt: skip
        for g, strata in state["cells"].items():
            for s, cell in strata.items():
                self.add_cell(g, s, cell)

    def __repr__(self) -> str:
        return (
            f"FairnessAccumulator({self.spec.name!r}, by={self.by!r}, control={self.control!r}, "
            f"groups={len(self._cells)}, pending={len(self._pending)})"
        )


# ----------------------------------------------------------------------------- workload


@attrs.frozen
class Workload:
    """Assignments per handler against capacity.

    ``load`` is assignments / capacity (capacity 1 when not given); ``gini`` is the
    capacity-weighted Gini coefficient of the loads (each unit of capacity counts once, see
    :func:`~ccms.metrics.stats.weighted_gini`; 0 = perfectly even). ``flags`` names each handler whose load is
    more than ``max_ratio`` times the mean load.
    """

    assignments: Mapping[str, int]
    capacity: Mapping[str, Fraction]
    load: Mapping[str, Fraction]
    gini: float
    flags: tuple[str, ...]


class WorkloadAccumulator:
    """Workload fairness among handlers.

    Each handler who held a complaint (``handlers``; ``final_only=True`` counts only the final
    handler) gets one assignment. Handlers named in ``capacity`` but never assigned count with 0.

    >>> from datetime import datetime, timezone
    >>> from ccms.metrics import CaseRecord
    >>> t = datetime(2026, 1, 5, tzinfo=timezone.utc)
    >>> acc = WorkloadAccumulator(capacity={"kim": 2, "lee": 1, "park": 1})
    >>> for i, hs in enumerate([("kim",), ("kim",), ("lee",), ("lee", "kim"), ("lee",)]):
    ...     acc.update(CaseRecord(id=str(i), received_at=t, channel="web", kind="complaint",
    ...                severity="low", segment="general", stage="closed", handlers=hs))
    >>> w = acc.result()
    >>> dict(w.assignments), {h: float(x) for h, x in w.load.items()}, round(w.gini, 3)
    ({'kim': 3, 'lee': 3, 'park': 0}, {'kim': 1.5, 'lee': 3.0, 'park': 0.0}, 0.375)
    >>> w.flags
    ('handler lee carried 3.0 assignments per unit of capacity, 2.0x the mean of 1.5',)
    """

    def __init__(
        self,
        capacity: Mapping[str, int | Fraction | Decimal] | None = None,
        *,
        final_only: bool = False,
        max_ratio: float = 1.5,
    ) -> None:
        self.capacity = {h: Fraction(c) for h, c in (capacity or {}).items()}
        for h, c in self.capacity.items():
            if c <= 0:
                raise InvalidInput(f"capacity of {h!r} must be positive, got {c}")
        self.final_only = final_only
        self.max_ratio = max_ratio
        self._counts: dict[str, int] = {}

    def update(self, r: CaseRecord) -> None:
        """Count the record's handlers."""
        counts = self._counts
        if self.final_only:
            if r.handler is not None:
                counts[r.handler] = counts.get(r.handler, 0) + 1
            return
        for h in r.handlers:
            counts[h] = counts.get(h, 0) + 1

    def merge(self, other: WorkloadAccumulator) -> WorkloadAccumulator:
        """A new accumulator holding both inputs."""
        if (other.capacity, other.final_only) != (self.capacity, self.final_only):
            raise InvalidInput("cannot merge workloads with different capacities or counting")
        out = WorkloadAccumulator(
            self.capacity, final_only=self.final_only, max_ratio=self.max_ratio
        )
        for src in (self._counts, other._counts):
            for h, c in src.items():
                out._counts[h] = out._counts.get(h, 0) + c
        return out

    def result(self) -> Workload:
        """Assignments, loads, Gini and flags."""
        handlers = sorted(set(self._counts) | set(self.capacity))
        assignments = {h: self._counts.get(h, 0) for h in handlers}
        capacity = {h: self.capacity.get(h, Fraction(1)) for h in handlers}
        load = {h: assignments[h] / capacity[h] for h in handlers}
        mean = sum(load.values(), Fraction(0)) / len(load) if load else Fraction(0)
        flags = tuple(
            f"handler {h} carried {float(x):.1f} assignments per unit of capacity, "
            f"{float(x / mean):.1f}x the mean of {float(mean):.1f}"
            for h, x in load.items()
            if mean and x > mean * Fraction(self.max_ratio)
        )
        g = weighted_gini(load.values(), capacity.values())
        return Workload(assignments, capacity, load, g, flags)


# --------------------------------------------------------------------------- survey bias


@attrs.frozen
class SurveyBias:
    """Happy-call response rates per group, CSAT per group, and non-response warnings.

    Rule: a group's CSAT is unreliable for comparison when fewer than ``min_rate`` of its
    complaints due a happy call answered it, or when its response rate differs from the overall
    rate by more than ``max_gap`` (non-response is then likely to be selective).
    """

    response: Mapping[Any, Rate]
    overall: Rate
    csat_mean: Mapping[Any, float | None]
    warnings: tuple[str, ...]


class SurveyBiasAccumulator:
    """Survey bias: happy-call response rates per group (see :class:`SurveyBias` for the rule).

    >>> from datetime import datetime, timezone
    >>> from ccms.metrics import CaseRecord
    >>> t = datetime(2026, 1, 5, tzinfo=timezone.utc)
    >>> acc = SurveyBiasAccumulator(by="channel")
    >>> for i in range(10):
    ...     for ch, answered in (("web", i < 8), ("phone", i < 3)):
    ...         acc.update(CaseRecord(id=f"{ch}{i}", received_at=t, channel=ch, kind="complaint",
    ...             severity="low", segment="general", stage="closed", resolved_at=t,
    ...             feedback_responded=answered, csat=4 if answered else None))
    >>> print("\\n".join(acc.result().warnings))
    CSAT via phone is unreliable: only 30% answered the happy call (3 of 10; the rule needs 50%)
    CSAT via phone is unreliable: its response rate 30% differs from the overall 55% by more than 20 points
    CSAT via web is unreliable: its response rate 80% differs from the overall 55% by more than 20 points
    """

    def __init__(self, by: str = "channel", *, min_rate: float = 0.5, max_gap: float = 0.2) -> None:
        self.by = _attribute(by, "by")
        self.min_rate = min_rate
        self.max_gap = max_gap
        self._get = attrgetter(self.by)
        self._groups: dict[Any, list[int]] = {}  # [due, responded, scored, csat sum]

    def update(self, r: CaseRecord) -> None:
        """Count one record that was due a happy call."""
        if r.resolved_at is None or r.withdrawn or r.rejected:  # not due a happy call
            return
        g = self._get(r)
        c = self._groups.get(g)
        if c is None:
            c = self._groups[g] = [0, 0, 0, 0]
        c[0] += 1
        if r.feedback_responded:
            c[1] += 1
            if r.csat is not None:
                c[2] += 1
                c[3] += r.csat

    def merge(self, other: SurveyBiasAccumulator) -> SurveyBiasAccumulator:
        """A new accumulator holding both inputs."""
        if other.by != self.by:
            raise InvalidInput("cannot merge survey counts grouped differently")
        out = SurveyBiasAccumulator(self.by, min_rate=self.min_rate, max_gap=self.max_gap)
        for src in (self._groups, other._groups):
            for g, c in src.items():
                mine = out._groups.setdefault(g, [0, 0, 0, 0])
                for i, x in enumerate(c):
                    mine[i] += x
        return out

    def _who(self, g: Any) -> str:
        return f"via {g}" if self.by == "channel" else f"with {self.by} {g}"

    def result(self) -> SurveyBias:
        """Rates, CSAT means and warnings."""
        groups = sorted(self._groups, key=str)
        response = {g: Rate(self._groups[g][1], self._groups[g][0]) for g in groups}
        overall = Rate(
            sum(r.successes for r in response.values()), sum(r.n for r in response.values())
        )
        csat = {
            g: (self._groups[g][3] / self._groups[g][2] if self._groups[g][2] else None)
            for g in groups
        }
        warnings: list[str] = []
        for g in groups:
            rate = response[g]
            if rate.value is None:
                continue
            if rate.value < self.min_rate:
                warnings.append(
                    f"CSAT {self._who(g)} is unreliable: only {rate.value:.0%} answered the happy "
                    f"call ({rate.successes} of {rate.n}; the rule needs {self.min_rate:.0%})"
                )
            if overall.value is not None and abs(rate.value - overall.value) > self.max_gap:
                warnings.append(
                    f"CSAT {self._who(g)} is unreliable: its response rate {rate.value:.0%} "
                    f"differs from the overall {overall.value:.0%} by more than "
                    f"{self.max_gap * 100:.0f} points"
                )
        return SurveyBias(response, overall, csat, tuple(warnings))
