"""The case record: one flat row per complaint, the input of every metric.

A :class:`CaseRecord` is what the calculators read: the facts of one complaint, projected once from
the complaint and its events by :func:`case_record` (a pure function), or supplied by a host as an
Arrow/Polars table with the same columns (:data:`ARROW_SCHEMA`, :func:`to_arrow`,
:func:`to_polars`, :func:`from_arrow`).

Schema (column, type, meaning):

=========================== ===================== ===============================================
id                          string                complaint id
received_at                 timestamp[us, UTC]    when the VOC was received
channel                     string                :class:`~ccms.model.Channel` value
kind                        string                :class:`~ccms.model.VocKind` of the complaint
severity                    string                highest :class:`~ccms.model.Severity`
segment                     string                customer segment
stage                       string                workflow stage now
code                        string?               primary VOC code (most severe concern)
codes                       list<string>          every VOC code, concern order
region                      string?               customer region
handler                     string?               final handler
handlers                    list<string>          every handler who held it, first to last
department                  string?               department now
first_response_at           timestamp?            first reply that reached the customer
resolved_at                 timestamp?            result registered
closed_at                   timestamp?            closed, withdrawn or rejected
withdrawn, rejected         bool                  terminal outcomes
transfers, reopens          int64                 counts
escalation_level            int64                 highest escalation level (0 = none)
crisis_step                 int64                 early-warning crisis step 0-3
waiting_seconds             int64                 calendar seconds waiting on the customer
business_response_seconds   int64?                business seconds to first response
business_resolution_seconds int64?                business seconds to resolution
business_waiting_seconds    int64?                business seconds waiting on the customer
due_at                      timestamp?            resolution deadline set by the SLA policy
sla_due                     list<struct>          ``(target, due_at)`` per SLA target
sla_met, sla_breached       list<string>          SLA targets met / breached
remedy                      string?               :class:`~ccms.model.RemedyKind` value
remedy_amount               decimal128(18, 4)?    amount given
currency                    string?               ISO 4217 code of the amount
satisfied                   bool?                 happy-call answer
csat                        int64?                1-5 satisfaction score
feedback_responded          bool                  the happy call reached the customer
supervisor_requested        bool                  the customer asked for a supervisor
supervisor_honoured         bool                  ... and was escalated after asking
safety                      bool                  a consumer-safety flag
courtesy                    bool                  a concern under the courtesy code prefix
courtesy_upheld             bool                  ... whose outcome was (partly) upheld
repeat                      bool                  a repeat complaint of the same customer
=========================== ===================== ===============================================

Business-time columns are filled only when :func:`case_record` is given a calendar. Durations are
whole seconds (floored). Times are aware; Arrow stores them in UTC.

>>> from datetime import datetime, timezone
>>> r = CaseRecord(id="c1", received_at=datetime(2026, 1, 5, 9, tzinfo=timezone.utc),
...                channel="web", kind="complaint", severity="medium", segment="general",
...                stage="received")
>>> r.code, r.transfers, r.resolution_seconds
(None, 0, None)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeAlias

import attrs

from ccms.errors import InvalidInput, MissingExtra, require_aware
from ccms.model import (
    Complaint,
    DomainEvent,
    Escalated,
    Flag,
    FlagsChanged,
    Rejected,
    RepeatDetected,
    SlaStatusChanged,
    Withdrawn,
)
from ccms.policy.calendar import Calendar
from ccms.policy.sla import DEFAULT_PAUSE_STAGES

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa  # type: ignore[import-untyped]  # no stubs

__all__ = [
    "COURTESY_PREFIX",
    "WAITING_STAGE",
    "CalendarLike",
    "CaseRecord",
    "StoreLike",
    "arrow_schema",
    "case_record",
    "case_records",
    "from_arrow",
    "from_polars",
    "to_arrow",
    "to_polars",
]

#: The default VOC code prefix of courtesy (staff attitude) complaints.
COURTESY_PREFIX: Final = "SVC.ATT"
#: The stage in which handling waits on the customer: the SLA clocks' pause stage (one home).
WAITING_STAGE: Final = DEFAULT_PAUSE_STAGES[0]
_SECOND: Final = timedelta(seconds=1)
_UPHELD: Final = frozenset({"upheld", "partly_upheld"})


#: What the business-time figures measure with: :class:`ccms.policy.Calendar` (the old name).
CalendarLike: TypeAlias = Calendar


class StoreLike(Protocol):
    """The part of a complaint store that metrics read."""

    def query(self, **filters: Any) -> Sequence[Complaint]:
        """Complaints matching ``filters``."""
        ...

    def events(self, complaint_id: str) -> Sequence[DomainEvent]:
        """The events of one complaint, in order."""
        ...


def _aware(field: str) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
        if value is not None:
            require_aware(value, field)

    return check


def _tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen
class CaseRecord:
    """One complaint as the metrics see it (see the module docstring for the schema)."""

    id: str
    received_at: datetime = attrs.field(validator=_aware("received_at"))
    channel: str
    kind: str
    severity: str
    segment: str
    stage: str
    code: str | None = None
    codes: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    region: str | None = None
    handler: str | None = None
    handlers: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    department: str | None = None
    first_response_at: datetime | None = attrs.field(
        default=None, validator=_aware("first_response_at")
    )
    resolved_at: datetime | None = attrs.field(default=None, validator=_aware("resolved_at"))
    closed_at: datetime | None = attrs.field(default=None, validator=_aware("closed_at"))
    withdrawn: bool = False
    rejected: bool = False
    transfers: int = 0
    reopens: int = 0
    escalation_level: int = 0
    crisis_step: int = 0
    waiting_seconds: int = 0
    business_response_seconds: int | None = None
    business_resolution_seconds: int | None = None
    business_waiting_seconds: int | None = None
    due_at: datetime | None = attrs.field(default=None, validator=_aware("due_at"))
    sla_due: tuple[tuple[str, datetime], ...] = ()
    sla_met: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    sla_breached: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    remedy: str | None = None
    remedy_amount: Decimal | None = None
    currency: str | None = None
    satisfied: bool | None = None
    csat: int | None = None
    feedback_responded: bool = False
    supervisor_requested: bool = False
    supervisor_honoured: bool = False
    safety: bool = False
    courtesy: bool = False
    courtesy_upheld: bool = False
    repeat: bool = False

    @property
    def response_seconds(self) -> int | None:
        """Calendar seconds from receipt to first response (floored), or None."""
        if self.first_response_at is None:
            return None
        return (self.first_response_at - self.received_at) // _SECOND

    @property
    def resolution_seconds(self) -> int | None:
        """Calendar seconds from receipt to resolution (floored), or None."""
        if self.resolved_at is None:
            return None
        return (self.resolved_at - self.received_at) // _SECOND

    @property
    def is_open(self) -> bool:
        """Whether the complaint is still open (not closed, withdrawn or rejected)."""
        return self.closed_at is None


def _seconds(delta: timedelta) -> int:
    return delta // _SECOND


def case_record(
    complaint: Complaint,
    events: Sequence[DomainEvent] = (),
    *,
    calendar: CalendarLike | None = None,
    courtesy_prefix: str = COURTESY_PREFIX,
) -> CaseRecord:
    """Project a complaint and its history onto a :class:`CaseRecord` (pure; reads no clock).

    ``events`` supplies what the complaint alone does not keep: waiting time, SLA statuses,
    withdrawals and rejections, flags that were set and later cleared, escalations after a
    supervisor request. A wait still open at the last event is not counted. With a ``calendar``
    the business-time columns are filled.

    Rules: *supervisor honoured* = an ``Escalated`` event at or after the supervisor request;
    *courtesy upheld* = a concern whose code is ``courtesy_prefix`` or below it with outcome
    ``upheld`` or ``partly_upheld``; *repeat* = the repeat flag was ever set.

    >>> from datetime import datetime, timezone
    >>> from ccms.model import ComplaintReceived, Concern, CustomerRef, Actor, fold
    >>> t = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    >>> ev = [ComplaintReceived(complaint_id="c1", version=1, at=t, actor=Actor.system(),
    ...       stage="received", received_at=t, channel="web", customer=CustomerRef(id="k1"),
    ...       concerns=(Concern(kind="complaint", code="PRD.DEF", text="broken"),))]
    >>> case_record(fold(ev), ev).code
    'PRD.DEF'
    """
    flags = set(complaint.flags)
    supervisor_at: datetime | None = None
    escalations: list[datetime] = []
    withdrawn = complaint.stage == "withdrawn"
    rejected = complaint.stage == "rejected"
    repeat = Flag.REPEAT in complaint.flags
    met: dict[str, None] = {}
    breached: dict[str, None] = {}
    dues: dict[str, datetime] = {}
    waits: list[tuple[datetime, datetime]] = []
    wait_start: datetime | None = None
    for e in events:
        if isinstance(e, FlagsChanged):
            flags |= e.added
            if Flag.SUPERVISOR_REQUESTED in e.added and supervisor_at is None:
                supervisor_at = e.at
            if Flag.REPEAT in e.added:
                repeat = True
        elif isinstance(e, Escalated):
            escalations.append(e.at)
        elif isinstance(e, SlaStatusChanged):
            if e.status == "met":
                met[e.target] = None
            elif e.status == "breached":
                breached[e.target] = None
            if e.due_at is not None:
                dues[e.target] = e.due_at
        elif isinstance(e, Withdrawn):
            withdrawn = True
        elif isinstance(e, Rejected):
            rejected = True
        elif isinstance(e, RepeatDetected) and e.pattern == "same_customer":
            repeat = True
        if e.stage is not None:
            if e.stage in DEFAULT_PAUSE_STAGES:
                if wait_start is None:
                    wait_start = e.at
            elif wait_start is not None:
                waits.append((wait_start, e.at))
                wait_start = None
        if e.opens and Flag.SUPERVISOR_REQUESTED in getattr(e, "flags", ()):
            supervisor_at = e.at
    if supervisor_at is None and Flag.SUPERVISOR_REQUESTED in complaint.flags:
        # The history does not say when the customer asked: count it from receipt.
        supervisor_at = complaint.received_at
    honoured = supervisor_at is not None and any(t >= supervisor_at for t in escalations)
    waiting = sum((_seconds(b - a) for a, b in waits), 0)

    handlers: list[str] = []
    for h in (*complaint.previous_handlers, complaint.handler):
        if h is not None and h not in handlers:
            handlers.append(h)

    prefix_dot = courtesy_prefix + "."
    courtesy_concerns = [
        c
        for c in complaint.concerns
        if c.code is not None and (c.code == courtesy_prefix or c.code.startswith(prefix_dot))
    ]
    result = complaint.result
    feedback = complaint.feedback
    received = complaint.received_at

    b_resp = b_res = b_wait = None
    if calendar is not None:
        if complaint.first_response_at is not None:
            b_resp = _seconds(calendar.between(received, complaint.first_response_at))
        if complaint.resolved_at is not None:
            b_res = _seconds(calendar.between(received, complaint.resolved_at))
        b_wait = sum((_seconds(calendar.between(a, b)) for a, b in waits), 0)

    return CaseRecord(
        id=complaint.id,
        received_at=received,
        channel=complaint.channel.value,
        kind=complaint.kind.value,
        severity=complaint.severity.value,
        segment=complaint.customer.segment,
        stage=complaint.stage,
        code=complaint.primary_code,
        codes=complaint.codes,
        region=complaint.customer.region,
        handler=complaint.handler,
        handlers=tuple(handlers),
        department=complaint.department,
        first_response_at=complaint.first_response_at,
        resolved_at=complaint.resolved_at,
        closed_at=complaint.closed_at,
        withdrawn=withdrawn,
        rejected=rejected,
        transfers=complaint.transfer_count,
        reopens=complaint.reopen_count,
        escalation_level=complaint.escalation_level,
        crisis_step=complaint.crisis_step,
        waiting_seconds=waiting,
        business_response_seconds=b_resp,
        business_resolution_seconds=b_res,
        business_waiting_seconds=b_wait,
        due_at=complaint.due_at,
        sla_due=tuple(sorted(dues.items())),
        sla_met=tuple(sorted(met)),
        sla_breached=tuple(sorted(breached)),
        remedy=result.remedy.value if result is not None else None,
        remedy_amount=result.amount.amount if result is not None and result.amount else None,
        currency=result.amount.currency if result is not None and result.amount else None,
        satisfied=feedback.satisfied if feedback is not None else None,
        csat=feedback.csat if feedback is not None else None,
        feedback_responded=feedback is not None,
        supervisor_requested=supervisor_at is not None,
        supervisor_honoured=honoured,
        safety=Flag.SAFETY in flags,
        courtesy=bool(courtesy_concerns),
        courtesy_upheld=any(c.outcome in _UPHELD for c in courtesy_concerns),
        repeat=repeat,
    )


def case_records(
    store: StoreLike,
    *,
    calendar: CalendarLike | None = None,
    courtesy_prefix: str = COURTESY_PREFIX,
    **filters: Any,
) -> Iterator[CaseRecord]:
    """Case records of the complaints ``store.query(**filters)`` returns, one at a time.

    >>> class Empty:
    ...     def query(self, **filters): return []
    ...     def events(self, complaint_id): return []
    >>> list(case_records(Empty()))
    []
    """
    for complaint in store.query(**filters):
        yield case_record(
            complaint,
            store.events(complaint.id),
            calendar=calendar,
            courtesy_prefix=courtesy_prefix,
        )


# ------------------------------------------------------------------------ Arrow / Polars

_FIELDS: Final = tuple(a.name for a in attrs.fields(CaseRecord))


def arrow_schema() -> pa.Schema:
    """The Arrow schema of a case-record table (see the module docstring).

    >>> arrow_schema().field("remedy_amount").type
    Decimal128Type(decimal128(18, 4))
    """
    try:
        import pyarrow as pa
    except ImportError as exc:  # pragma: no cover - the columnar extra is installed in CI
        raise MissingExtra("columnar", "pyarrow") from exc

    ts = pa.timestamp("us", tz="UTC")
    s, i, b = pa.string(), pa.int64(), pa.bool_()
    types: dict[str, pa.DataType] = {
        "id": s,
        "received_at": ts,
        "channel": s,
        "kind": s,
        "severity": s,
        "segment": s,
        "stage": s,
        "code": s,
        "codes": pa.list_(s),
        "region": s,
        "handler": s,
        "handlers": pa.list_(s),
        "department": s,
        "first_response_at": ts,
        "resolved_at": ts,
        "closed_at": ts,
        "withdrawn": b,
        "rejected": b,
        "transfers": i,
        "reopens": i,
        "escalation_level": i,
        "crisis_step": i,
        "waiting_seconds": i,
        "business_response_seconds": i,
        "business_resolution_seconds": i,
        "business_waiting_seconds": i,
        "due_at": ts,
        "sla_due": pa.list_(pa.struct([("target", s), ("due_at", ts)])),
        "sla_met": pa.list_(s),
        "sla_breached": pa.list_(s),
        "remedy": s,
        "remedy_amount": pa.decimal128(18, 4),
        "currency": s,
        "satisfied": b,
        "csat": i,
        "feedback_responded": b,
        "supervisor_requested": b,
        "supervisor_honoured": b,
        "safety": b,
        "courtesy": b,
        "courtesy_upheld": b,
        "repeat": b,
    }
    nullable = {
        "code",
        "region",
        "handler",
        "department",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "business_response_seconds",
        "business_resolution_seconds",
        "business_waiting_seconds",
        "due_at",
        "remedy",
        "remedy_amount",
        "currency",
        "satisfied",
        "csat",
    }
    return pa.schema([pa.field(n, types[n], nullable=n in nullable) for n in _FIELDS])


def to_arrow(records: Iterable[CaseRecord], columns: Iterable[str] | None = None) -> pa.Table:
    """An Arrow table of ``records`` with :func:`arrow_schema` (only ``columns``, in schema
    order, when given).

    >>> to_arrow([]).num_rows
    0
    >>> to_arrow([], columns=["channel", "id"]).column_names
    ['id', 'channel']
    """
    try:
        import pyarrow as pa
    except ImportError as exc:  # pragma: no cover - the columnar extra is installed in CI
        raise MissingExtra("columnar", "pyarrow") from exc

    schema = arrow_schema()
    names = _FIELDS
    if columns is not None:
        wanted = set(columns)
        unknown = wanted.difference(_FIELDS)
        if unknown:
            raise InvalidInput(
                f"unknown case-record columns {sorted(unknown)}; allowed: {', '.join(_FIELDS)}"
            )
        names = tuple(n for n in _FIELDS if n in wanted)
        schema = pa.schema([schema.field(n) for n in names])
    data: dict[str, list[Any]] = {n: [] for n in names}
    appends = [(data[n].append, n) for n in names]
    for r in records:
        for append, name in appends:
            value = getattr(r, name)
            if name == "sla_due":
                value = [{"target": t, "due_at": d} for t, d in value]
            append(value)
    return pa.Table.from_pydict(data, schema=schema)


def to_polars(records: Iterable[CaseRecord], columns: Iterable[str] | None = None) -> pl.DataFrame:
    """A Polars DataFrame of ``records`` (via :func:`to_arrow`; only ``columns`` when given).

    >>> to_polars([]).schema["received_at"]
    Datetime(time_unit='us', time_zone='UTC')
    """
    try:
        import polars as pl
    except ImportError as exc:  # pragma: no cover - the columnar extra is installed in CI
        raise MissingExtra("columnar", "polars") from exc

    frame = pl.from_arrow(to_arrow(records, columns))
    assert isinstance(frame, pl.DataFrame)
    return frame


def from_arrow(table: pa.Table) -> Iterator[CaseRecord]:
    """Case records from an Arrow table with the documented columns (missing optional columns
    take their defaults).

    >>> from datetime import datetime, timezone
    >>> r = CaseRecord(id="c1", received_at=datetime(2026, 1, 5, tzinfo=timezone.utc),
    ...                channel="web", kind="complaint", severity="low", segment="general",
    ...                stage="closed", sla_met=("response",))
    >>> list(from_arrow(to_arrow([r]))) == [r]
    True
    """
    names = [n for n in _FIELDS if n in table.column_names]
    for row in table.select(names).to_pylist():
        for key in ("codes", "handlers", "sla_met", "sla_breached"):
            if key in row:
                row[key] = tuple(row[key] or ())
        if "sla_due" in row:
            row["sla_due"] = tuple((d["target"], d["due_at"]) for d in row["sla_due"] or ())
        for key in ("received_at", "first_response_at", "resolved_at", "closed_at", "due_at"):
            value = row.get(key)
            if isinstance(value, datetime) and value.tzinfo is None:
                row[key] = value.replace(tzinfo=UTC)
        yield CaseRecord(**row)


def from_polars(frame: pl.DataFrame) -> Iterator[CaseRecord]:
    """Case records from a Polars DataFrame with the documented columns."""
    return from_arrow(frame.to_arrow())
