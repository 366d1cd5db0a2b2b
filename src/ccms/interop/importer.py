"""Import whole past complaints into a store: one :class:`~ccms.model.events.HistoryImported` each.

:func:`import_history` turns each :class:`~ccms.interop.HistoricalComplaint` into one event that
opens the complaint's history at version 1 and folds straight to its final historical state, and
writes it with one :meth:`~ccms.store.ComplaintStore.append`: a complaint is stored whole or not at
all, and the live workflow's steps that the source does not record are not invented.

- **Ids.** A record with a source id becomes complaint ``<source>-<source id>`` (``cfpb-8412345``);
  one without, ``<source>#<content hash>``. Re-running an import therefore adds nothing: an id
  already stored is skipped (counted ``already_imported``).
- **Duplicates in the input** are found by the same ids (the store is the memory, so the import's
  memory stays flat however many rows it reads): a second row with an id this run stored is a
  duplicate, reported as exact (same content hash) or conflicting (the first row is kept).
- **Order.** Nothing before the receipt (checked by :class:`HistoricalComplaint`), nothing after
  ``as_of``: a receipt, forwarding, response or closure later than ``as_of`` rejects the row with
  the reason.
- **Closure without a date.** A closed record whose source gives no closure date (the CFPB's)
  is closed at its latest recorded date and marked ``closed_at_estimated``, so it does not count
  as open; the estimate is noted in the event.
- **Stages.** A closed record ends in ``closed``, a duplicate in ``rejected``, a withdrawn one in
  ``withdrawn``; an open one in ``in_progress`` with a handler, ``department_assigned`` with a
  department, else ``classified`` (:class:`Stages` changes the names, checked against the workflow).
  Imported complaints get no wake-up (the Desk's schedule leaves them alone) unless ``wake_open``.

>>> from datetime import date, datetime, timezone
>>> from ccms.store import InMemoryStore
>>> from ccms.interop import HistoricalComplaint
>>> store = InMemoryStore()
>>> rows = [HistoricalComplaint(source="cfpb", source_id="1", received_at=date(2024, 5, 1),
...                             channel="web", outcome="monetary_relief", codes=("MORTGAGE",))]
>>> as_of = datetime(2025, 1, 1, tzinfo=timezone.utc)
>>> report = import_history(store, rows, as_of=as_of)
>>> report.imported, store.get("cfpb-1").stage, store.get("cfpb-1").result.remedy.value
(1, 'closed', 'compensation')
>>> again = import_history(store, rows, as_of=as_of)
>>> again.imported, again.already_imported, len(store)
(0, 1, 1)
"""

from __future__ import annotations

import csv
import math
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal, TypeVar

import attrs
from pydantic import ValidationError
from ulid import ULID

from ccms.errors import ConcurrencyConflict, ConfigError, InvalidInput, require_aware
from ccms.interop.history import (
    OUTCOME_EFFECTS,
    UNKNOWN,
    HistoricalComplaint,
    RowRejected,
    SourceWarning,
    Status,
    reason_of,
)
from ccms.model import Actor, Complaint, Concern, CustomerRef, Result
from ccms.model.events import HistoryImported
from ccms.model.types import Frozen
from ccms.store import ASAP, ComplaintStore, InvalidAppend
from ccms.workflow import Workflow, default_workflow

__all__ = [
    "ImportIssue",
    "ImportReport",
    "Stages",
    "complaint_id_for",
    "history_event",
    "import_history",
    "write_issues",
]

IssueKind = Literal["rejected", "duplicate", "already_imported", "warning"]

_IMPORTER: Final = Actor.system()
_TRIGGER: Final = "import"


@attrs.frozen(slots=True, kw_only=True)
class Stages:
    """The workflow stages imported complaints end in, by status and assignment."""

    open: str = "classified"
    open_department: str = "department_assigned"
    open_handler: str = "in_progress"
    closed: str = "closed"
    duplicate: str = "rejected"
    withdrawn: str = "withdrawn"

    def check(self, workflow: Workflow) -> None:
        """:class:`~ccms.errors.ConfigError` naming a stage the workflow does not have."""
        known = [s.name for s in workflow.definition.stages]
        for field in attrs.fields(Stages):
            name = getattr(self, field.name)
            if name not in known:
                raise ConfigError(
                    "Stages",
                    field.name,
                    f"stage {name!r} is not a stage of workflow {workflow.definition.name!r}",
                    ", ".join(known),
                )

    def of(self, record: HistoricalComplaint) -> str:
        """The stage ``record`` ends in."""
        status = record.status
        if status is Status.CLOSED:
            return self.closed
        if status is Status.DUPLICATE:
            return self.duplicate
        if status is Status.WITHDRAWN:
            return self.withdrawn
        if record.handler is not None:
            return self.open_handler
        if record.department is not None:
            return self.open_department
        return self.open


@attrs.frozen(slots=True)
class ImportIssue:
    """A row not imported (``rejected``, ``duplicate``, ``already_imported``) or a ``warning``,
    with its source line and id and the reason, as :func:`import_history` reports it."""

    kind: IssueKind
    line: int | None
    source_id: str | None
    reason: str
    complaint_id: str | None = None


@attrs.frozen(slots=True, kw_only=True)
class ImportReport:
    """What an import did. Every row read is counted once: ``rows_read == imported + rejected +
    duplicates_in_file + already_imported`` (:attr:`adds_up`); warnings are counted by kind."""

    run: str
    as_of: datetime
    rows_read: int = 0
    imported: int = 0
    rejected: int = 0
    duplicates_in_file: int = 0
    already_imported: int = 0
    warnings: Mapping[str, int] = attrs.field(factory=dict)
    code_names: Mapping[str, str] = attrs.field(factory=dict)

    @property
    def duplicates(self) -> int:
        """Rows not imported because their complaint is stored: in this file or before."""
        return self.duplicates_in_file + self.already_imported

    @property
    def adds_up(self) -> bool:
        """Whether the counts add up to the rows read."""
        return self.rows_read == self.imported + self.rejected + self.duplicates

    def lines(self) -> list[str]:
        """The counts as lines of text (what ``ccms import`` prints)."""
        out = [
            f"rows read:  {self.rows_read:>10,}",
            f"imported:   {self.imported:>10,}",
            f"rejected:   {self.rejected:>10,}",
            f"duplicates: {self.duplicates:>10,}  ({self.duplicates_in_file:,} in the input, "
            f"{self.already_imported:,} already imported)",
        ]
        for kind, n in sorted(self.warnings.items()):
            out.append(f"warning {kind}: {n:,}")
        return out


def complaint_id_for(record: HistoricalComplaint) -> str:
    """The complaint id a record imports to: ``<source>-<source id>``, else
    ``<source>#<content hash>``.

    >>> from datetime import date
    >>> complaint_id_for(HistoricalComplaint(source="nyc311", source_id="59893915",
    ...                  received_at=date(2024, 1, 2), channel="phone"))
    'nyc311-59893915'
    """
    if record.source_id is not None:
        return f"{record.source}-{record.source_id}"
    return f"{record.source}#{record.fingerprint()}"


def _latest(first: datetime, *moments: datetime | None) -> datetime:
    """The latest of the moments given (the first of equal ones, as ``max`` gives it)."""
    latest = first
    for m in moments:
        if m is not None and m > latest:
            latest = m
    return latest


_F = TypeVar("_F", bound=Frozen)
_NAME_LIMIT: Final = 128
_TEXT_LIMIT: Final = 20_000


def _built(cls: type[_F], validate: bool, **values: Any) -> _F:
    """``cls(**values)``; without ``validate``, built from values the caller has validated
    already (:meth:`ccms.model.types.Frozen._from_validated`): a tenth of the cost of validating
    them again."""
    return cls(**values) if validate else cls._from_validated(values)


def _run_problem(run: str | None) -> str | None:
    """Why ``run`` cannot name an import (the event's message), or ``None``."""
    if run is not None and (not run or len(run) > _NAME_LIMIT or run != run.strip()):
        return f"run must be 1 to {_NAME_LIMIT} characters, got {run!r}"
    return None


#: Sets of attribute keys found free of reserved ones (a source repeats a few: CFPB rows all
#: have the same nine), so the check runs once per set.
_FREE_KEYS: set[tuple[str, ...]] = set()


def _check_unvalidated(record: HistoricalComplaint, cid: str, run_problem: str | None) -> None:
    """What a :class:`HistoryImported` requires beyond what ``record`` was validated for, checked
    before the event is built without validating it again (the messages are the event's own);
    ``run_problem`` is :func:`_run_problem` of the import's run."""
    if not cid or len(cid) > _NAME_LIMIT or cid != cid.strip():
        raise InvalidInput(
            f"complaint id {cid!r} must be 1 to {_NAME_LIMIT} characters without surrounding "
            f"blanks (a source id of {len(record.source_id or '')} characters is too long)"
        )
    if run_problem is not None:
        raise InvalidInput(run_problem)
    attributes = record.attributes
    keys = tuple(attributes)
    if keys not in _FREE_KEYS:
        clash = sorted(
            k for k in attributes if k in HistoryImported.RESERVED or k.startswith("reported_")
        )
        if clash:
            raise InvalidInput(
                f"imported complaint {cid}: attribute {clash[0]!r} is written by the import "
                "itself; use another key (reserved: source, source_id, channel_raw, outcome, "
                "outcome_raw, reported_*)"
            )
        if len(_FREE_KEYS) >= 1_000:
            _FREE_KEYS.clear()
        _FREE_KEYS.add(keys)
    reserved = len(HistoryImported.RESERVED)
    if len(attributes) + reserved + len(record.reported) > 64:
        raise InvalidInput(
            f"imported complaint {cid}: {len(attributes)} attributes and "
            f"{len(record.reported)} reported flags are too many; a complaint holds 64 "
            f"attributes, {reserved} of them the import's own"
        )
    for key, value in attributes.items():
        if isinstance(value, str):
            if len(value) > _TEXT_LIMIT:
                raise InvalidInput(
                    f"attributes.{key}: a text of {len(value)} characters; at most {_TEXT_LIMIT:,}"
                )
        elif isinstance(value, float) and not math.isfinite(value):
            raise InvalidInput(
                f"attributes.{key}: {value} is not a JSON number; give a finite number or null"
            )


def history_event(
    record: HistoricalComplaint,
    *,
    as_of: datetime,
    run: str | None = None,
    stages: Stages | None = None,
    complaint_id: str | None = None,
    validate: bool = False,
) -> HistoryImported:
    """The one event that imports ``record`` (see the module's docs); raises
    :class:`~ccms.errors.InvalidInput` with the reason when it cannot be imported as of ``as_of``.

    ``record`` was validated when it was made, so the event (and its concerns, customer and
    result) is built from its values without validating them again, after checking what the
    event requires beyond them (the id's length, reserved attribute keys, their number, finite
    numbers, text lengths); ``validate=True`` validates the event with pydantic as well: the
    same event, at about three times the cost (the tests compare the two).
    """
    require_aware(as_of, "as_of")
    cid = complaint_id if complaint_id is not None else complaint_id_for(record)
    return _event(record, as_of, run, _run_problem(run), stages or _STAGES, cid, validate)


_MOMENTS: Final = ("received_at", "sent_at", "first_response_at", "closed_at")


def _event(
    record: HistoricalComplaint,
    as_of: datetime,
    run: str | None,
    run_problem: str | None,
    stages: Stages,
    cid: str,
    validate: bool,
) -> HistoryImported:
    """:func:`history_event` once its arguments are checked (``as_of`` aware; ``run_problem``
    is :func:`_run_problem` of ``run``): what :func:`import_history` calls for every row."""
    if not validate:
        _check_unvalidated(record, cid, run_problem)
    received = record.received_at
    sent = record.sent_at
    responded = record.first_response_at
    if _latest(received, sent, responded, record.closed_at) > as_of:
        for name in _MOMENTS:
            moment: datetime | None = getattr(record, name)
            if moment is not None and moment > as_of:
                raise InvalidInput(
                    f"{name} {moment.isoformat()} is after the import's as_of "
                    f"{as_of.isoformat()}; nothing is imported from the future"
                )
    status = record.status
    effect = OUTCOME_EFFECTS[record.outcome] if record.outcome is not None else None
    notes = record.notes
    closed_at = record.closed_at
    estimated = False
    if status is not Status.OPEN and closed_at is None:
        closed_at = _latest(received, sent, responded)
        estimated = True
        notes = (
            *notes,
            f"closed_at_estimated: the source gives no closure date; closed at its latest "
            f"date {closed_at.isoformat()}",
        )
    elif status is Status.OPEN:
        closed_at = None
    resolves = status is Status.CLOSED and (effect is None or effect.resolves)
    resolved_at = closed_at if resolves else None
    result = (
        _built(Result, validate, remedy=effect.remedy)
        if status is Status.CLOSED and effect is not None and effect.remedy is not None
        else None
    )
    concern_outcome = effect.concern_outcome if effect is not None and resolves else None
    text = record.text
    codes = record.codes
    if len(codes) == 1:  # the usual case (a CFPB row's): the generator below, without one
        concerns: tuple[Concern, ...] = (
            _built(
                Concern,
                validate,
                kind=record.kind,
                code=codes[0],
                text=text,
                severity=record.severity,
                outcome=concern_outcome,
            ),
        )
    elif codes:
        concerns = tuple(
            _built(
                Concern,
                validate,
                kind=record.kind,
                code=code,
                text=text if i == 0 else record.code_names.get(code) or text,
                severity=record.severity,
                outcome=concern_outcome,
            )
            for i, code in enumerate(codes)
        )
    else:
        concerns = (
            _built(
                Concern,
                validate,
                kind=record.kind,
                text=text,
                severity=record.severity,
                outcome=concern_outcome,
            ),
        )
    customer = _built(
        CustomerRef,
        validate,
        id=record.customer_id if record.customer_id is not None else cid,
        segment=record.segment,
        region=record.region if record.region is not None else UNKNOWN,
        language=record.language,
    )
    at = _latest(received, sent, responded, closed_at)
    return _built(
        HistoryImported,
        validate,
        complaint_id=cid,
        version=1,
        at=at,
        actor=_IMPORTER,
        trigger=_TRIGGER,
        stage=stages.of(record),
        source=record.source,
        source_id=record.source_id if record.source_id is not None else cid,
        imported_at=as_of,
        run=run,
        line=record.line,
        content_hash=record.fingerprint(),
        received_at=received,
        channel=record.channel,
        channel_raw=record.channel_raw,
        customer=customer,
        concerns=concerns,
        code_names=record.code_names,
        department=record.department,
        handler=record.handler,
        result=result,
        outcome=record.outcome.value if record.outcome is not None else None,
        outcome_raw=record.outcome_raw,
        reported=record.reported,
        sent_at=sent,
        first_response_at=responded,
        resolved_at=resolved_at,
        closed_at=closed_at,
        closed_at_estimated=estimated,
        due_at=record.due_at,
        tags=record.tags,
        attributes=record.attributes,
        notes=notes,
    )


_STAGES: Final = Stages()


def _note_kind(note: str) -> str:
    head, colon, _ = note.partition(":")
    return head.strip() if colon and head.strip().isidentifier() else "note"


class _Run:
    """The counters of one import run (the report is built from them)."""

    def __init__(
        self,
        store: ComplaintStore,
        run: str,
        as_of: datetime,
        on_issue: Callable[[ImportIssue], None] | None,
    ) -> None:
        self.store = store
        self.run = run
        self.as_of = as_of
        self.on_issue = on_issue
        self.rows_read = 0
        self.imported = 0
        self.rejected = 0
        self.in_file = 0
        self.already = 0
        self.warnings: Counter[str] = Counter()
        self.code_names: dict[str, str] = {}
        self.held: list[ImportIssue] = []  # the issues of the batch being stored

    def report(self) -> ImportReport:
        return ImportReport(
            run=self.run,
            as_of=self.as_of,
            rows_read=self.rows_read,
            imported=self.imported,
            rejected=self.rejected,
            duplicates_in_file=self.in_file,
            already_imported=self.already,
            warnings=dict(self.warnings),
            code_names=dict(self.code_names),
        )

    def issue(
        self,
        kind: IssueKind,
        line: int | None,
        source_id: str | None,
        reason: str,
        complaint_id: str | None = None,
    ) -> None:
        if self.on_issue is not None:
            self.held.append(ImportIssue(kind, line, source_id, reason, complaint_id))

    def release(self) -> None:
        """Hand the held issues on in line order (a batch learns of duplicates when it is
        stored, after the rows it rejected while reading)."""
        if self.on_issue is not None:
            for issue in sorted(self.held, key=lambda i: -1 if i.line is None else i.line):
                self.on_issue(issue)
        self.held.clear()

    def warn(self, kind: str, line: int | None, source_id: str | None, detail: str) -> None:
        self.warnings[kind] += 1
        self.issue("warning", line, source_id, detail)

    def reject(self, line: int | None, source_id: str | None, reason: str) -> None:
        self.rejected += 1
        self.issue("rejected", line, source_id, reason)

    def stored_before(self, sid: str | None, event: HistoryImported) -> None:
        """Sort out a row (source id ``sid``) whose complaint id is stored already."""
        cid = event.complaint_id
        line = event.line
        first = self.store.events(cid)[0]
        if not isinstance(first, HistoryImported):
            self.reject(
                line,
                sid,
                f"complaint id {cid} is taken by a complaint that was not imported "
                f"(its history opens with {first.type!r})",
            )
            return
        where = f"line {first.line}" if first.line is not None else "an earlier record"
        if first.run == self.run:
            self.in_file += 1
            if first.content_hash == event.content_hash:
                reason = f"exact duplicate of {where} (complaint {cid})"
            else:
                reason = (
                    f"same source id as {where} but different content; the first was kept "
                    f"(complaint {cid})"
                )
            self.issue("duplicate", line, sid, reason, cid)
            return
        self.already += 1
        self.issue(
            "already_imported",
            line,
            sid,
            f"complaint {cid} was imported before (run {first.run}, as of "
            f"{first.imported_at.isoformat()})",
            cid,
        )


def import_history(
    store: ComplaintStore,
    records: Iterable[HistoricalComplaint | RowRejected | SourceWarning],
    *,
    as_of: datetime,
    batch: int = 1000,
    run: str | None = None,
    stages: Stages | None = None,
    workflow: Workflow | None = None,
    wake_open: bool = False,
    on_issue: Callable[[ImportIssue], None] | None = None,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Import ``records`` into ``store`` as of ``as_of`` (see the module's docs) and report.

    ``records`` may mix :class:`RowRejected` (a row a reader could not read: counted and reported
    as rejected) and :class:`SourceWarning` items (counted as warnings) among the records; they are
    read once, lazily, so a reader streams a file of any length in bounded memory. ``on_issue`` is
    called for every row not imported and every warning, as it happens; ``progress`` with the
    report so far after every ``batch`` rows. A store with ``append_new`` (SQLite, in memory)
    writes ``batch`` complaints per transaction; another, one complaint per append. ``run`` names this import in the events it writes
    (a new ULID by default): rows whose complaint this run stored are duplicates in the input, rows
    whose complaint an earlier run stored are ``already_imported``.

    Every complaint is stored whole or not at all: an error of the store (a full disk, say)
    stops the import with every batch before it stored, and running it again goes on where it
    stopped (what was stored is recognised and skipped).
    """
    require_aware(as_of, "as_of")
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise InvalidInput(f"batch must be a positive int, got {batch!r}")
    chosen = stages or _STAGES
    chosen.check(workflow or default_workflow())
    if run is None:
        millis = min(max(int(as_of.timestamp() * 1000), 0), 2**48 - 1)
        run = str(ULID.from_bytes(millis.to_bytes(6, "big") + os.urandom(10)))
    state = _Run(store, run, as_of, on_issue)
    run_problem = _run_problem(run)  # checked once: every row is refused for it, if any
    open_wake = ASAP if wake_open else None
    pending: list[_Prepared] = []
    for item in records:
        if isinstance(item, SourceWarning):
            state.warn(item.kind, item.line, None, item.detail)
            continue
        state.rows_read += 1
        if isinstance(item, RowRejected):
            state.reject(item.line, item.source_id, item.reason)
        else:
            prepared = _prepare(state, item, chosen, open_wake, run_problem)
            if prepared is not None:
                pending.append(prepared)
                if len(pending) >= batch:
                    _flush(state, pending)
                    pending = []
        if progress is not None and state.rows_read % batch == 0:
            _flush(state, pending)
            pending = []
            progress(state.report())
    _flush(state, pending)
    return state.report()


#: A record ready to store: its source id, its event (which has the record's line and code
#: names), the complaint it folds to, its wake-up. The record itself is not kept: a batch
#: holds fewer objects for the garbage collector to go through.
_Prepared = tuple["str | None", HistoryImported, Complaint, "datetime | None"]


def _prepare(
    state: _Run,
    record: HistoricalComplaint,
    stages: Stages,
    open_wake: datetime | None,
    run_problem: str | None,
) -> _Prepared | None:
    try:
        cid = complaint_id_for(record)
        event = _event(record, state.as_of, state.run, run_problem, stages, cid, False)
        complaint: Complaint = event.apply(None)
    except (InvalidInput, ValidationError) as exc:
        state.reject(record.line, record.source_id, reason_of(exc))
        return None
    wake = open_wake if complaint.closed_at is None else None
    return record.source_id, event, complaint, wake


def _flush(state: _Run, pending: list[_Prepared]) -> None:
    """Store the pending records: a run of records with one wake-up in one transaction when
    the store can (``append_new``), else one append each; then hand on the batch's issues."""
    try:
        _store(state, pending)
    finally:
        state.release()


def _store(state: _Run, pending: list[_Prepared]) -> None:
    if not pending:
        return
    append_new = getattr(state.store, "append_new", None)
    if not callable(append_new):
        for prepared in pending:
            _store_one(state, prepared)
        return
    start = 0
    while start < len(pending):
        wake = pending[start][3]
        end = start
        while end < len(pending) and pending[end][3] == wake:
            end += 1
        run = pending[start:end]
        try:
            results = append_new([(c, [e]) for _, e, c, _ in run], wake_at=wake)
        except InvalidAppend:
            for prepared in run:  # find the one the store refuses; the others go in
                _store_one(state, prepared)
        else:
            for (sid, event, _, _), result in zip(run, results, strict=True):
                if result is None:
                    state.stored_before(sid, event)
                else:
                    _imported(state, sid, event)
        start = end


def _store_one(state: _Run, prepared: _Prepared) -> None:
    sid, event, complaint, wake = prepared
    try:
        state.store.append(complaint, [event], expected_version=0, wake_at=wake)
    except ConcurrencyConflict:
        state.stored_before(sid, event)
        return
    except InvalidAppend as exc:
        state.reject(event.line, sid, str(exc))
        return
    _imported(state, sid, event)


def _imported(state: _Run, sid: str | None, event: HistoryImported) -> None:
    """Count a row stored: its notes as warnings, its code names (the record's, kept by the
    event) for the report."""
    state.imported += 1
    line = event.line
    for note in event.notes:
        state.warn(_note_kind(note), line, sid, note)
    names = state.code_names
    for code, name in event.code_names.items():
        if code not in names:
            names[code] = name


@contextmanager
def write_issues(path: str | Path | None) -> Iterator[Callable[[ImportIssue], None] | None]:
    """An ``on_issue`` that writes the rows not imported (line, source id, kind, reason) to a
    CSV file at ``path`` (``None``: no file, and no callback).

    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = pathlib.Path(tmp) / "rejects.csv"
    ...     with write_issues(out) as write:
    ...         write(ImportIssue("rejected", 12, "1006", "sent before the receipt"))
    ...     out.read_text().splitlines()
    ['line,source_id,kind,reason', '12,1006,rejected,sent before the receipt']
    """
    if path is None:
        yield None
        return
    with Path(path).open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["line", "source_id", "kind", "reason"])

        def write(issue: ImportIssue) -> None:
            if issue.kind in ("rejected", "duplicate"):
                writer.writerow([issue.line or "", issue.source_id or "", issue.kind, issue.reason])

        yield write
