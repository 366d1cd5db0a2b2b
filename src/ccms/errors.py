"""The one exception hierarchy of ccms.

Every error ccms raises derives from :class:`CCMSError` and also from the built-in exception that
callers already catch (``ValueError``, ``LookupError``, ``RuntimeError``), in the manner of attrs'
``FrozenInstanceError(AttributeError)``. The facts are typed attributes, not only text, so a host can
map them to its own responses; the message says what was wrong and what would have been allowed.

Message templates live beside the code that raises them so tests can match them exactly.

>>> from ccms.errors import InvalidTransition
>>> err = InvalidTransition("01J...", stage="closed", trigger="assign_handler", allowed=("reopen",))
>>> isinstance(err, ValueError), err.allowed
(True, ('reopen',))
>>> print(err)
complaint 01J... in stage 'closed' cannot fire 'assign_handler'; allowed from there: reopen
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from datetime import datetime
from os import PathLike
from typing import Any

__all__ = [
    "AmbiguousLocalTime",
    "CCMSError",
    "CalendarError",
    "CheckpointConflict",
    "ComplaintNotFound",
    "ConcurrencyConflict",
    "ConfigError",
    "ConformanceError",
    "CustomerNotFound",
    "DuplicateComplaint",
    "FoldError",
    "GuardRejected",
    "HeaderNotFound",
    "IdempotencyConflict",
    "IncompatibleModel",
    "InvalidAppend",
    "InvalidCheckpoint",
    "InvalidInput",
    "InvalidRecordAppend",
    "InvalidTransition",
    "MissingExtra",
    "NaiveDatetimeError",
    "NoDecision",
    "NonexistentLocalTime",
    "NotACcmsStore",
    "NotPermitted",
    "PolicyError",
    "RegistryError",
    "ReportSourceNotFound",
    "RetiredVocCode",
    "StoreBusy",
    "StoreClosed",
    "StoreError",
    "StoreReadOnly",
    "StoreSchemaError",
    "StreamConflict",
    "TaxonomyError",
    "UnknownItem",
    "UnknownMember",
    "UnknownVocCode",
    "UnknownZone",
    "WeakPseudonymKey",
    "WorkflowDefinitionError",
    "require_aware",
]


def _names(items: Iterable[str]) -> str:
    listed = ", ".join(items)
    return listed or "nothing (a terminal stage)"


def _rebuild(cls: type[CCMSError], args: tuple[Any, ...], state: dict[str, Any]) -> CCMSError:
    """An unpickled error: its class, message arguments and facts, without calling
    ``__init__`` (whose parameters are the facts, not the message)."""
    err = cls.__new__(cls)
    err.args = args
    for name, value in state.items():
        setattr(err, name, value)
    return err


class CCMSError(Exception):
    """Base of every error raised by ccms.

    Every error pickles with its message and facts (for worker processes and task queues),
    whatever its constructor's parameters.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        state = dict(self.__dict__)
        if isinstance(self, ImportError):  # its name and path are slots, not in __dict__
            state.update(name=self.name, path=self.path)
        return (_rebuild, (type(self), self.args, state))


class InvalidInput(CCMSError, ValueError):
    """A value entering ccms is not acceptable; nothing was stored."""


class NaiveDatetimeError(InvalidInput):
    """A datetime without a time zone reached a boundary that requires aware datetimes."""

    TEMPLATE = "{field} must be a timezone-aware datetime, got naive {value!r}; attach a tzinfo"

    def __init__(self, field: str, value: datetime) -> None:
        self.field = field
        self.value = value
        super().__init__(self.TEMPLATE.format(field=field, value=value))


def require_aware(value: datetime, field: str = "datetime") -> datetime:
    """Return ``value`` unchanged if it is timezone-aware, else raise :class:`NaiveDatetimeError`.

    >>> from datetime import datetime, timezone
    >>> require_aware(datetime(2026, 1, 1, tzinfo=timezone.utc)).year
    2026
    >>> require_aware(datetime(2026, 1, 1), "now")
    Traceback (most recent call last):
    ...
    ccms.errors.NaiveDatetimeError: now must be a timezone-aware datetime, got naive ...
    >>> require_aware("2026-01-01", "at")
    Traceback (most recent call last):
    ...
    ccms.errors.InvalidInput: at must be a timezone-aware datetime, got str '2026-01-01'
    """
    if not isinstance(value, datetime):
        raise InvalidInput(
            f"{field} must be a timezone-aware datetime, got {type(value).__name__} {value!r:.80}"
        )
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(field, value)
    return value


class UnknownMember(InvalidInput, LookupError):
    """An agent or department id that the organization does not know (raised by
    :class:`ccms.model.Organization`).

    >>> err = UnknownMember("agent", "kin", ["kim", "lee"])
    >>> print(err)
    unknown agent 'kin'; did you mean kim?
    >>> isinstance(err, LookupError), err.what, err.ident
    (True, 'agent', 'kin')
    """

    def __init__(self, what: str, ident: str, known: list[str]) -> None:
        self.what = what
        self.ident = ident
        close = difflib.get_close_matches(ident, known, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        super().__init__(f"unknown {what} {ident!r}{hint}")


class FoldError(InvalidInput):
    """Events that cannot be folded: wrong complaint, a version gap, or no ``received`` first
    (raised by :func:`ccms.model.fold`)."""


class TaxonomyError(InvalidInput):
    """A VOC code taxonomy operation or file is invalid."""


class UnknownVocCode(TaxonomyError, LookupError):
    """A VOC code that the taxonomy has never known."""

    TEMPLATE = "unknown VOC code {code!r}{hint}"

    def __init__(self, code: str, known: Sequence[str] = ()) -> None:
        self.code = code
        self.known = tuple(known)
        hint = f"; closest known: {', '.join(self.known)}" if self.known else ""
        super().__init__(self.TEMPLATE.format(code=code, hint=hint))


class RetiredVocCode(TaxonomyError, LookupError):
    """A VOC code that exists but was not in force at the date asked for."""

    TEMPLATE = "VOC code {code!r} is not in force on {as_of}: {why}"

    def __init__(self, code: str, as_of: object, why: str, successor: str | None = None) -> None:
        self.code = code
        self.as_of = as_of
        self.successor = successor
        if successor:
            why = f"{why}; use {successor!r}"
        super().__init__(self.TEMPLATE.format(code=code, as_of=as_of, why=why))


class InvalidTransition(CCMSError, ValueError):
    """A trigger cannot fire from the complaint's current stage."""

    TEMPLATE = "complaint {complaint_id} in stage {stage!r} cannot fire {trigger!r}; allowed from there: {allowed}"

    def __init__(
        self,
        complaint_id: str,
        *,
        stage: str,
        trigger: str,
        allowed: Sequence[str],
        detail: str | None = None,
    ) -> None:
        self.complaint_id = complaint_id
        self.stage = stage
        self.trigger = trigger
        self.allowed = tuple(allowed)
        message = self.TEMPLATE.format(
            complaint_id=complaint_id, stage=stage, trigger=trigger, allowed=_names(self.allowed)
        )
        if detail:
            message = f"{message} ({detail})"
        super().__init__(message)


class GuardRejected(InvalidTransition):
    """A guard of the transition said no; ``reason`` says why."""

    def __init__(
        self,
        complaint_id: str,
        *,
        stage: str,
        trigger: str,
        allowed: Sequence[str],
        guard: str,
        reason: str,
    ) -> None:
        self.guard = guard
        self.reason = reason
        super().__init__(
            complaint_id,
            stage=stage,
            trigger=trigger,
            allowed=allowed,
            detail=f"guard {guard!r}: {reason}",
        )


class NotPermitted(InvalidTransition):
    """The actor's role may not fire this trigger."""

    def __init__(
        self,
        complaint_id: str,
        *,
        stage: str,
        trigger: str,
        allowed: Sequence[str],
        role: str,
        roles: Sequence[str],
    ) -> None:
        self.role = role
        self.roles = tuple(roles)
        super().__init__(
            complaint_id,
            stage=stage,
            trigger=trigger,
            allowed=allowed,
            detail=f"role {role!r} may not fire it; roles that may: {', '.join(self.roles)}",
        )


class WorkflowDefinitionError(CCMSError, ValueError):
    """A workflow definition is inconsistent (unknown stage, unreachable stage, dead end, ...)."""

    def __init__(self, name: str, problems: Sequence[str]) -> None:
        self.name = name
        self.problems = tuple(problems)
        super().__init__(f"workflow {name!r} is invalid: " + "; ".join(self.problems))


class ComplaintNotFound(CCMSError, KeyError):
    """No complaint with this id is stored."""

    def __init__(self, complaint_id: str) -> None:
        self.complaint_id = complaint_id
        super().__init__(complaint_id)

    def __str__(self) -> str:
        return f"no complaint with id {self.complaint_id!r} is stored"


class DuplicateComplaint(CCMSError, ValueError):
    """A complaint with this id is already stored."""

    def __init__(self, complaint_id: str) -> None:
        self.complaint_id = complaint_id
        super().__init__(f"complaint {complaint_id!r} is already stored")


class CustomerNotFound(CCMSError, KeyError):
    """No customer with this id is stored.

    >>> print(CustomerNotFound("C-9"))
    no customer with id 'C-9' is stored; save it first with save_customer()
    >>> isinstance(CustomerNotFound("C-9"), KeyError)
    True
    """

    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id
        super().__init__(customer_id)

    def __str__(self) -> str:
        return f"no customer with id {self.customer_id!r} is stored; save it first with save_customer()"


class InvalidAppend(InvalidInput):
    """An append whose events do not fit its complaint or version; nothing was written.

    >>> err = InvalidAppend("c1", "no events given", "one or more events")
    >>> isinstance(err, ValueError), err.complaint_id
    (True, 'c1')
    >>> print(err)
    cannot append to complaint c1: no events given; allowed: one or more events
    """

    TEMPLATE = "cannot append to complaint {complaint_id}: {problem}; allowed: {allowed}"

    def __init__(self, complaint_id: str, problem: str, allowed: str) -> None:
        self.complaint_id = complaint_id
        self.problem = problem
        self.allowed = allowed
        super().__init__(
            self.TEMPLATE.format(complaint_id=complaint_id, problem=problem, allowed=allowed)
        )


class StoreError(CCMSError, RuntimeError):
    """The store could not carry out an operation."""


class StoreClosed(StoreError):
    """The store was closed; open a new one to go on.

    >>> print(StoreClosed("SQLiteStore('x.db')"))
    SQLiteStore('x.db') is closed; open a new store to go on
    """

    def __init__(self, store: str) -> None:
        self.store = store
        super().__init__(f"{store} is closed; open a new store to go on")


class ConcurrencyConflict(StoreError):
    """Optimistic concurrency: the stored version is not the one the writer expected."""

    TEMPLATE = (
        "complaint {complaint_id} is at version {actual}, not the expected {expected}: "
        "someone else changed it; reload and retry"
    )

    def __init__(self, complaint_id: str, *, expected: int, actual: int) -> None:
        self.complaint_id = complaint_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            self.TEMPLATE.format(complaint_id=complaint_id, expected=expected, actual=actual)
        )


class IdempotencyConflict(StoreError):
    """An idempotency key was reused for a different complaint or command; nothing was written.

    ``first`` and ``attempted`` name the key's first command and the refused one (a command or
    event type, never its content), when the store knows them.

    >>> err = IdempotencyConflict("req-7", "for classify on complaint C1, not start on C1",
    ...                           first="classify", attempted="start")
    >>> print(err)
    idempotency key 'req-7' was already used for classify on complaint C1, not start on C1
    >>> err.first, err.attempted
    ('classify', 'start')
    """

    def __init__(
        self, key: str, detail: str, *, first: str | None = None, attempted: str | None = None
    ) -> None:
        self.key = key
        self.first = first
        self.attempted = attempted
        super().__init__(f"idempotency key {key!r} was already used {detail}")


class StoreBusy(StoreError):
    """The database was busy (locked by another writer, a lock or statement timeout, a
    serialization failure, no free connection): the operation changed nothing; retry it.

    A sibling of :class:`ConcurrencyConflict`: both say "try again", but a busy store says nothing
    about versions (a read can be refused too), so a retry need not reload anything.

    >>> err = StoreBusy("SQLiteStore('a.db')", "append", "database is locked")
    >>> print(err)
    SQLiteStore('a.db') is busy during append (database is locked); nothing was changed: retry after a short wait, or allow a longer wait (the store's timeout)
    >>> isinstance(err, RuntimeError), err.operation
    (True, 'append')
    """

    TEMPLATE = (
        "{store} is busy during {operation} ({reason}); nothing was changed: retry after a short "
        "wait, or allow a longer wait (the store's timeout)"
    )

    def __init__(self, store: str, operation: str, reason: str) -> None:
        self.store = store
        self.operation = operation
        self.reason = reason
        super().__init__(self.TEMPLATE.format(store=store, operation=operation, reason=reason))


class NoDecision(CCMSError, LookupError):
    """A router was asked and nobody (or no policy) could decide; ``reasons`` say why.

    >>> print(NoDecision("c1", "department", ["no rule matched"]))
    complaint c1: no department could be chosen: no rule matched
    """

    def __init__(self, complaint_id: str, what: str, reasons: Sequence[str]) -> None:
        self.complaint_id = complaint_id
        self.what = what
        self.reasons = tuple(reasons)
        because = "; ".join(self.reasons) or "no policy decided"
        super().__init__(f"complaint {complaint_id}: no {what} could be chosen: {because}")

    def __str__(self) -> str:
        return str(self.args[0])


class UnknownItem(CCMSError, LookupError):
    """No task, item or idea with this id (raised by the scoring pipelines).

    >>> print(UnknownItem("improvement task", "IMP-9", ["IMP-1"]))
    no improvement task 'IMP-9'; known: IMP-1
    """

    def __init__(self, noun: str, item_id: str, known: list[str]) -> None:
        self.noun = noun
        self.item_id = item_id
        self.known = tuple(known)
        shown = ", ".join(known[:10]) or "none yet"
        super().__init__(f"no {noun} {item_id!r}; known: {shown}")

    def __str__(self) -> str:
        return str(self.args[0])


class ConfigError(CCMSError, ValueError):
    """A configuration file or mapping is invalid; names the file, the key and what is allowed."""

    def __init__(self, source: str, key: str, problem: str, allowed: str | None = None) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        self.allowed_values = allowed
        message = f"{source}: {key}: {problem}"
        if allowed:
            message = f"{message}; allowed: {allowed}"
        super().__init__(message)


class PolicyError(CCMSError, ValueError):
    """A policy was built or combined wrongly."""


class RegistryError(CCMSError, LookupError):
    """A policy name is unknown or registered twice."""


class CalendarError(InvalidInput):
    """A business calendar definition or query is invalid."""


class MissingExtra(CCMSError, ImportError):
    """A module needs an optional dependency that is not installed; the message names the extra.

    >>> raise MissingExtra("columnar", "polars")
    Traceback (most recent call last):
    ...
    ccms.errors.MissingExtra: this needs polars, which is not installed: pip install 'ccms[columnar]'
    """

    def __init__(self, extra: str, package: str) -> None:
        self.extra = extra
        self.package = package
        super().__init__(
            f"this needs {package}, which is not installed: pip install 'ccms[{extra}]'",
            name=package,
        )


class IncompatibleModel(CCMSError, ValueError):
    """A saved text classifier cannot be used here: another file format version, or a taxonomy
    without (or with retired) codes it predicts. The message names the file and what differs."""

    def __init__(self, source: str, problem: str) -> None:
        self.source = source
        self.problem = problem
        super().__init__(f"cannot load the classifier {source}: {problem}")


class StoreReadOnly(StoreError):
    """The store was opened read-only (for reports); open it writable to change it.

    >>> print(StoreReadOnly("SQLiteStore('x.db')", "append"))
    SQLiteStore('x.db') was opened read-only, so append is refused (nothing was written); open it with SQLiteStore(path) to write
    """

    def __init__(self, store: str, operation: str) -> None:
        self.store = store
        self.operation = operation
        super().__init__(
            f"{store} was opened read-only, so {operation} is refused (nothing was written); "
            "open it with SQLiteStore(path) to write"
        )


class NotACcmsStore(StoreError):
    """A file (or database) that is not a ccms store: not SQLite at all, another program's
    database, or an empty one; nothing was written to it.

    >>> print(NotACcmsStore("notes.db", "it has tables but no ccms schema (user_version 0)"))
    notes.db is not a ccms store: it has tables but no ccms schema (user_version 0); nothing was written to it
    """

    def __init__(self, path: str, why: str) -> None:
        self.path = path
        self.why = why
        super().__init__(f"{path} is not a ccms store: {why}; nothing was written to it")


class StoreSchemaError(StoreError):
    """A ccms store whose schema version this ccms cannot use (``found`` is newer than
    ``supported``, or too old to read without upgrading it); nothing was written.

    >>> err = StoreSchemaError("a.db", found=9, supported=5, what="open it with the ccms that wrote it")
    >>> print(err)
    a.db has store schema version 9; this ccms uses version 5: open it with the ccms that wrote it
    """

    def __init__(self, where: str, *, found: int, supported: int, what: str) -> None:
        self.where = where
        self.found = found
        self.supported = supported
        super().__init__(
            f"{where} has store schema version {found}; this ccms uses version {supported}: {what}"
        )


class InvalidRecordAppend(InvalidAppend):
    """An append of records that do not fit their stream or version; nothing was written.

    ``complaint_id`` (the name :class:`InvalidAppend` gives the stream) is the stream id.

    >>> err = InvalidRecordAppend("idea", "IDEA-1", "no records given", "one or more records")
    >>> isinstance(err, InvalidAppend), err.kind, err.stream_id
    (True, 'idea', 'IDEA-1')
    >>> print(err)
    cannot append to idea stream IDEA-1: no records given; allowed: one or more records
    """

    TEMPLATE = "cannot append to {kind} stream {stream_id}: {problem}; allowed: {allowed}"

    def __init__(self, kind: str, stream_id: str, problem: str, allowed: str) -> None:
        self.kind = kind
        self.stream_id = stream_id
        self.complaint_id = stream_id
        self.problem = problem
        self.allowed = allowed
        InvalidInput.__init__(
            self,
            self.TEMPLATE.format(kind=kind, stream_id=stream_id, problem=problem, allowed=allowed),
        )


class StreamConflict(ConcurrencyConflict):
    """Optimistic concurrency on a record stream: it is not at the version the writer expected.

    ``complaint_id`` (the name :class:`~ccms.errors.ConcurrencyConflict` gives the stream) is the
    stream id, so a handler of conflicts reads every one alike.

    >>> err = StreamConflict("improvement_task", "TASK-1", expected=1, actual=2)
    >>> isinstance(err, ConcurrencyConflict), err.complaint_id, err.actual
    (True, 'TASK-1', 2)
    >>> print(err)
    improvement_task stream TASK-1 is at version 2, not the expected 1: someone else changed it; reload and retry
    """

    TEMPLATE = (
        "{kind} stream {stream_id} is at version {actual}, not the expected {expected}: "
        "someone else changed it; reload and retry"
    )

    def __init__(self, kind: str, stream_id: str, *, expected: int, actual: int) -> None:
        self.kind = kind
        self.stream_id = stream_id
        self.complaint_id = stream_id
        self.expected = expected
        self.actual = actual
        StoreError.__init__(
            self,
            self.TEMPLATE.format(kind=kind, stream_id=stream_id, expected=expected, actual=actual),
        )


class CheckpointConflict(ConcurrencyConflict):
    """A checkpoint is not at the position the projection expected: another process saved it.

    ``expected`` and ``actual`` are positions; ``complaint_id`` is the checkpoint's name.

    >>> print(CheckpointConflict("cs_points", expected=100, actual=140))
    checkpoint cs_points is at position 140, not the expected 100: another process saved it first; restore from it and go on
    """

    TEMPLATE = (
        "checkpoint {name} is at position {actual}, not the expected {expected}: another "
        "process saved it first; restore from it and go on"
    )

    def __init__(self, name: str, *, expected: int, actual: int) -> None:
        self.name = name
        self.complaint_id = name
        self.expected = expected
        self.actual = actual
        StoreError.__init__(self, self.TEMPLATE.format(name=name, expected=expected, actual=actual))


class InvalidCheckpoint(InvalidInput):
    """A checkpoint that cannot be saved (a bad name, position or state); nothing was written.

    >>> print(InvalidCheckpoint("cs_points", "position 90 is before expected_position 100",
    ...                         "a position at or after the stored one"))
    cannot save checkpoint cs_points: position 90 is before expected_position 100; allowed: a position at or after the stored one
    """

    TEMPLATE = "cannot save checkpoint {name}: {problem}; allowed: {allowed}"

    def __init__(self, name: str, problem: str, allowed: str) -> None:
        self.name = name
        self.problem = problem
        self.allowed = allowed
        super().__init__(self.TEMPLATE.format(name=name, problem=problem, allowed=allowed))


class ReportSourceNotFound(CCMSError, FileNotFoundError):
    """The complaint store a report should read does not exist (nothing was created).

    >>> err = ReportSourceNotFound("missing.db")
    >>> isinstance(err, FileNotFoundError), err.path
    (True, 'missing.db')
    >>> print(err)
    no complaint store at missing.db: give --db PATH of an SQLite file written by ccms (for example by `ccms demo`)
    """

    TEMPLATE = (
        "no complaint store at {path}: give --db PATH of an SQLite file written by ccms "
        "(for example by `ccms demo`)"
    )

    def __init__(self, path: str | PathLike[str]) -> None:
        self.path = str(path)
        super().__init__(self.TEMPLATE.format(path=self.path))


class ConformanceError(CCMSError, AssertionError):
    """A policy broke a property of its conformance suite (:mod:`ccms.testing.conformance`);
    the message names the policy and the property and says what was seen, and Hypothesis prints
    the smallest input that shows it.

    >>> err = ConformanceError("least_loaded()", "deterministic", "two calls gave kim, then lee")
    >>> isinstance(err, AssertionError), err.prop
    (True, 'deterministic')
    >>> print(err)
    least_loaded() breaks 'deterministic': two calls gave kim, then lee
    """

    TEMPLATE = "{policy} breaks {prop!r}: {detail}"

    def __init__(self, policy: str, prop: str, detail: str) -> None:
        self.policy = policy
        self.prop = prop
        self.detail = detail
        super().__init__(self.TEMPLATE.format(policy=policy, prop=prop, detail=detail))


class HeaderNotFound(InvalidInput):
    """No line of a CSV file's start looks like the header its reader expects (raised by the
    importers of :mod:`ccms.interop`); nothing was imported.

    >>> err = HeaderNotFound("complaints.csv", 3, "columns 'Date received', 'Product'")
    >>> err.source, err.lines
    ('complaints.csv', 3)
    >>> print(err)
    complaints.csv: no header found in its first 3 lines; expected columns 'Date received', 'Product'
    """

    TEMPLATE = "{source}: no header found in its first {lines} lines; expected {expected}"

    def __init__(self, source: str, lines: int, expected: str) -> None:
        self.source = source
        self.lines = lines
        self.expected = expected
        super().__init__(self.TEMPLATE.format(source=source, lines=lines, expected=expected))


class UnknownZone(InvalidInput):
    """A time zone name that the IANA database (``tzdata``) does not know.

    >>> print(UnknownZone("Mars/Olympus"))
    unknown time zone 'Mars/Olympus'; write an IANA name such as America/New_York, Asia/Seoul or UTC
    """

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(
            f"unknown time zone {name!r}; write an IANA name such as America/New_York, "
            "Asia/Seoul or UTC"
        )


class AmbiguousLocalTime(InvalidInput):
    """A local time in a DST overlap (it happened twice), refused by the import's DST policy
    (``overlap="reject"``); ``earlier`` and ``later`` are the two instants it could be.

    >>> from datetime import datetime, timedelta, timezone
    >>> err = AmbiguousLocalTime(datetime(2024, 11, 3, 1, 30), "America/New_York",
    ...     datetime(2024, 11, 3, 1, 30, tzinfo=timezone(timedelta(hours=-4))),
    ...     datetime(2024, 11, 3, 1, 30, tzinfo=timezone(timedelta(hours=-5))))
    >>> print(err)
    2024-11-03 01:30:00 happened twice in America/New_York (a DST overlap: at 2024-11-03T01:30:00-04:00 and at 2024-11-03T01:30:00-05:00); the DST policy says reject
    """

    def __init__(self, local: datetime, zone: str, earlier: datetime, later: datetime) -> None:
        self.local = local
        self.zone = zone
        self.earlier = earlier
        self.later = later
        super().__init__(
            f"{local} happened twice in {zone} (a DST overlap: at {earlier.isoformat()} and at "
            f"{later.isoformat()}); the DST policy says reject"
        )


class NonexistentLocalTime(InvalidInput):
    """A local time in a DST gap (the clocks jumped over it), refused by the import's DST policy
    (``gap="reject"``); the message says how ``shift_forward`` and ``shift_backward`` read it.

    >>> from datetime import datetime, timedelta, timezone
    >>> err = NonexistentLocalTime(datetime(2024, 3, 10, 2, 30), "America/New_York", 60,
    ...     forward=datetime(2024, 3, 10, 3, 30, tzinfo=timezone(timedelta(hours=-4))),
    ...     backward=datetime(2024, 3, 10, 1, 30, tzinfo=timezone(timedelta(hours=-5))))
    >>> err.minutes, err.zone
    (60, 'America/New_York')
    """

    def __init__(
        self, local: datetime, zone: str, minutes: int, *, forward: datetime, backward: datetime
    ) -> None:
        self.local = local
        self.zone = zone
        self.minutes = minutes
        self.forward = forward
        self.backward = backward
        super().__init__(
            f"{local} does not exist in {zone} (a DST gap: the clocks jumped {minutes} "
            f"minutes forward over it: shift_forward reads it as {forward.isoformat()}, "
            f"shift_backward as {backward.isoformat()}); the DST policy says reject"
        )


class WeakPseudonymKey(InvalidInput):
    """The pseudonym key of an export is not bytes or str (``length`` is None), or shorter than
    ``minimum`` bytes. The message never shows the key.

    >>> print(WeakPseudonymKey("bytes", length=5, minimum=32))
    a pseudonym key must have at least 32 bytes, got 5; generate one with secrets.token_bytes(32) and keep it
    >>> print(WeakPseudonymKey("int", length=None, minimum=32))
    a pseudonym key must be bytes or str, got int
    """

    def __init__(self, kind: str, *, length: int | None, minimum: int) -> None:
        self.kind = kind
        self.length = length
        self.minimum = minimum
        if length is None:
            message = f"a pseudonym key must be bytes or str, got {kind}"
        else:
            message = (
                f"a pseudonym key must have at least {minimum} bytes, got {length}; "
                "generate one with secrets.token_bytes(32) and keep it"
            )
        super().__init__(message)
