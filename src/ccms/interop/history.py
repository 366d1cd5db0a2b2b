"""Historical records: the facts another system knows about a past complaint.

A :class:`HistoricalComplaint` is what an importer reads from one row of an export (CFPB, a 311
system, a helpdesk) before anything is stored: ids, dates in the source's time zone, the channel as
the raw value and its mapped :class:`~ccms.model.Channel`, codes with their long source names, the
department and handler, the outcome (raw and mapped), flags the source itself reported, the due
date and the closure, the narrative, and free attributes (state, ZIP, company, ...).

Naive timestamps and plain dates are read in ``zone`` (:func:`ccms.interop.localtime.localize`,
DST gaps and overlaps by ``dst``); a date is the start of that day. Every instant is kept with
the UTC offset in force then as a fixed zone (what a store gives back, and exact to subtract). Empty optional attributes are
kept as ``"unknown"`` (:data:`UNKNOWN`), never dropped, so a figure grouped by them still counts
every complaint.

>>> r = HistoricalComplaint(source="cfpb", source_id="123", zone="America/New_York",
...     received_at=date(2024, 5, 1), channel="web", channel_raw="Web",
...     codes=("MORTGAGE",), code_names={"MORTGAGE": "Mortgage"},
...     outcome="explanation", attributes={"state": "", "company": "Acme Bank"})
>>> r.received_at.isoformat(), r.status.value, r.attributes["state"]
('2024-05-01T00:00:00-04:00', 'closed', 'unknown')
>>> HistoricalComplaint(received_at=date(2024, 5, 2), closed_at=date(2024, 5, 1), channel="web")
Traceback (most recent call last):
...
ccms.errors.InvalidInput: closed_at 2024-05-01T00:00:00+00:00 is before the receipt 2024-05-02T00:00:00+00:00; no event comes before the receipt
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timezone
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, Final, cast

import attrs
from pydantic import (
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from ccms.errors import InvalidInput
from ccms.interop.localtime import DEFAULT_DST, DstPolicy, localize, zone
from ccms.model import Channel, RemedyKind, Severity, VocCodeStr, VocKind
from ccms.model.types import AwareDatetime, Frozen, Name, ShortText

__all__ = [
    "NARRATIVE_LIMIT",
    "NO_TEXT",
    "OUTCOME_EFFECTS",
    "UNKNOWN",
    "UNKNOWN_CODE",
    "HistoricalComplaint",
    "Outcome",
    "OutcomeEffect",
    "RowRejected",
    "SourceWarning",
    "Status",
    "code_path",
    "code_segment",
    "reason_of",
    "row_hash",
]

#: What a missing optional source value becomes (the same as ``HistoryImported.UNKNOWN``).
UNKNOWN: Final = "unknown"
#: The code of a record whose source gives no type at all.
UNKNOWN_CODE: Final = "UNKNOWN"
#: The longest concern text the model holds (``ccms.model.Concern.text``): longer narratives are
#: truncated to it, with a note saying how long the source's was.
NARRATIVE_LIMIT: Final = 20_000
#: A concern's text when the source has neither a narrative nor a summary.
NO_TEXT: Final = "(no text in the source)"

_TRUNCATED = " [... truncated: the source's narrative has {n:,} characters]"

#: A source system's short name: the prefix of the complaint ids it imports to.
SourceName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,31}$")]
AttributeKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
#: An attribute's value: one JSON scalar (``None`` and ``""`` are kept as ``"unknown"``).
Scalar = str | int | float | bool | None
FlagKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,54}$")]


class Status(StrEnum):
    """Where the record stood in its source when exported."""

    OPEN = "open"
    CLOSED = "closed"
    DUPLICATE = "duplicate"  # closed as a duplicate of another record (stage ``rejected``)
    WITHDRAWN = "withdrawn"


class Outcome(StrEnum):
    """How a source closed a complaint, as ccms names it (the raw value is kept beside it)."""

    EXPLANATION = "explanation"
    NON_MONETARY_RELIEF = "non_monetary_relief"
    MONETARY_RELIEF = "monetary_relief"
    RELIEF = "relief"  # relief of an unstated kind (CFPB exports of 2012-2013)
    NO_RELIEF = "no_relief"
    CLOSED = "closed"  # closed, nothing more said
    UNTIMELY = "untimely"  # the company did not answer in time
    IN_PROGRESS = "in_progress"


@attrs.frozen(slots=True)
class OutcomeEffect:
    """What an outcome means for the imported complaint: its result's remedy (``None``: no
    result is recorded), the concern's outcome, the status, and whether it counts as resolved
    (``resolved_at`` is the closure)."""

    remedy: RemedyKind | None
    concern_outcome: str | None
    status: Status
    resolves: bool


#: The table from an outcome to its effect on the complaint.
OUTCOME_EFFECTS: Final[Mapping[Outcome, OutcomeEffect]] = {
    Outcome.EXPLANATION: OutcomeEffect(RemedyKind.EXPLANATION, "answered", Status.CLOSED, True),
    Outcome.NON_MONETARY_RELIEF: OutcomeEffect(RemedyKind.REPAIR, "upheld", Status.CLOSED, True),
    Outcome.MONETARY_RELIEF: OutcomeEffect(RemedyKind.COMPENSATION, "upheld", Status.CLOSED, True),
    Outcome.RELIEF: OutcomeEffect(None, "upheld", Status.CLOSED, True),
    Outcome.NO_RELIEF: OutcomeEffect(RemedyKind.NONE, "not_upheld", Status.CLOSED, True),
    Outcome.CLOSED: OutcomeEffect(RemedyKind.NONE, "noted", Status.CLOSED, True),
    Outcome.UNTIMELY: OutcomeEffect(None, None, Status.CLOSED, False),
    Outcome.IN_PROGRESS: OutcomeEffect(None, None, Status.OPEN, False),
}

_OUTCOME_VALUES = frozenset(Outcome)
_WORD = re.compile(r"[A-Za-z0-9]+")
_SEGMENT = 31  # two levels and their dot fit a VOC code's 64 characters


@lru_cache(maxsize=8192)
def code_segment(name: str, max_length: int = _SEGMENT) -> str:
    """One segment of a VOC code made from a long source name: its words in upper case joined
    by ``_``, cut to ``max_length`` with a short hash of the whole name when longer (so two long
    names sharing a start stay apart); a name with no Latin letters or digits is ``C`` and the hash.

    >>> code_segment("Trouble during payment process")
    'TROUBLE_DURING_PAYMENT_PROCESS'
    >>> code_segment("Credit reporting, credit repair services, or other personal consumer reports")
    'CREDIT_REPORTING_CREDI_5ECFC8E0'
    >>> code_segment("배송 지연")
    'C962C6341'
    """
    if max_length < 10:
        raise InvalidInput(f"a code segment needs at least 10 characters, got {max_length}")
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = "_".join(w.upper() for w in _WORD.findall(ascii_name))
    digest = hashlib.blake2b(name.strip().encode("utf-8"), digest_size=4).hexdigest().upper()
    if not slug:
        return "C" + digest
    if len(slug) > max_length:
        slug = slug[: max_length - len(digest) - 1].rstrip("_") + "_" + digest
    return slug


def code_path(*names: str | None) -> tuple[str, dict[str, str]]:
    """The code of a path of one or two source names (product > issue) and the name of each
    level; each level is a :func:`code_segment` of up to 31 characters, whatever the depth, so
    a product's code is the same with or without an issue below it.

    Empty levels at the end are left out; an empty first level is :data:`UNKNOWN_CODE`.

    >>> code_path("Mortgage", "Trouble during payment process")
    ('MORTGAGE.TROUBLE_DURING_PAYMENT_PROCESS', {'MORTGAGE': 'Mortgage', 'MORTGAGE.TROUBLE_DURING_PAYMENT_PROCESS': 'Trouble during payment process'})
    >>> code_path("", None)
    ('UNKNOWN', {'UNKNOWN': 'unknown'})
    """
    if not 1 <= len(names) <= 2:
        raise InvalidInput(f"a code path has one or two levels, got {len(names)}")
    levels = [n.strip() if n else "" for n in names]
    if len(levels) == 2 and not levels[1]:
        levels.pop()
    code = ""
    out: dict[str, str] = {}
    for level in levels:
        segment = code_segment(level, _SEGMENT) if level else UNKNOWN_CODE
        code = f"{code}.{segment}" if code else segment
        out[code] = level or UNKNOWN
    return code, out


def reason_of(exc: Exception) -> str:
    """A short reason for a rejected row: a ccms error's message, or a pydantic error's
    problems as ``field: message`` (the first three).

    >>> try:
    ...     HistoricalComplaint(received_at="yesterday", channel="pigeon")
    ... except ValueError as exc:
    ...     print(reason_of(exc))
    received_at: Input should be a valid datetime or date, ...; channel: Input should be 'visit', 'phone', ...
    """
    if isinstance(exc, ValidationError):
        parts = []
        for error in exc.errors()[:3]:
            where = ".".join(str(p) for p in error["loc"]) or "record"
            parts.append(f"{where}: {error['msg']}")
        return "; ".join(parts)
    return str(exc)


def row_hash(values: Iterable[object]) -> str:
    """A content hash of a source row's values (32 hex digits), for duplicates without an id.

    >>> row_hash(["a", "b"]) == row_hash(("a", "b")) != row_hash(["a,b"])
    True
    """
    if type(values) is list:
        try:  # a CSV row: strings only, joined as they are
            joined = "\x1f".join(cast("list[str]", values))
        except TypeError:
            joined = "\x1f".join([v if isinstance(v, str) else str(v) for v in values])
    else:
        joined = "\x1f".join([v if isinstance(v, str) else str(v) for v in values])
    return hashlib.blake2b(joined.encode("utf-8"), digest_size=16).hexdigest()


_INSTANTS = ("received_at", "sent_at", "first_response_at", "closed_at")
_DATES = (*_INSTANTS, "due_at")
_AFTER_RECEIPT = (*_INSTANTS[1:], "due_at")


def _as_instant(value: Any, tz: str, dst: DstPolicy) -> Any:
    if type(value) is datetime and type(value.tzinfo) is timezone:
        return value  # at a fixed offset already (what a reader makes): localize keeps it
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return value  # pydantic says what is wrong with it
    if isinstance(value, datetime):
        return localize(value, tz, dst)  # an aware one keeps its instant, at a fixed offset
    if isinstance(value, date):
        return localize(datetime(value.year, value.month, value.day), tz, dst)
    return value


class HistoricalComplaint(Frozen):
    """One past complaint as its source system knows it (see the module's docs).

    ``status`` defaults from the outcome (:data:`OUTCOME_EFFECTS`), else ``closed`` when
    ``closed_at`` is given, else ``open``. The order of the dates is checked: nothing
    (forwarding, first response, closure, due date) before the receipt, the closure not before a
    first response. ``narrative`` longer than :data:`NARRATIVE_LIMIT` is truncated with a note.
    """

    source: SourceName = "import"
    source_id: Name | None = None
    line: Annotated[int, Field(ge=1)] | None = None
    zone: str = "UTC"
    dst: DstPolicy = DEFAULT_DST
    received_at: AwareDatetime
    sent_at: AwareDatetime | None = None  # forwarded to the company or department
    first_response_at: AwareDatetime | None = None
    due_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    status: Status = Status.OPEN
    channel: Channel
    channel_raw: ShortText = ""
    codes: Annotated[tuple[VocCodeStr, ...], Field(max_length=20)] = ()
    code_names: dict[VocCodeStr, ShortText] = {}
    kind: VocKind = VocKind.COMPLAINT
    severity: Severity = Severity.MEDIUM
    department: Name | None = None
    handler: Name | None = None
    outcome: Outcome | None = None
    outcome_raw: ShortText = ""
    reported: dict[FlagKey, bool | None] = {}
    narrative: str = ""
    summary: ShortText = ""
    customer_id: Name | None = None
    region: Name | None = None
    segment: Name = "general"
    language: Annotated[str, Field(min_length=2, max_length=8)] = "en"
    tags: frozenset[Name] = frozenset()
    attributes: dict[AttributeKey, Scalar] = {}
    content_hash: Name | None = None
    notes: tuple[ShortText, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _prepare(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        tz = data.get("zone", "UTC")
        if not isinstance(tz, str):
            raise InvalidInput(f"zone must be an IANA zone name, got {tz!r}")
        zone(tz)  # an unknown zone is refused here, with its name
        dst = data.get("dst", DEFAULT_DST)
        if isinstance(dst, Mapping):
            dst = DstPolicy(**dst)
        if not isinstance(dst, DstPolicy):
            raise InvalidInput(f"dst must be a DstPolicy, got {dst!r}")
        for name in _DATES:
            if name in data and data[name] is not None:
                data[name] = _as_instant(data[name], tz, dst)
        if "status" not in data:
            outcome = data.get("outcome")
            if isinstance(outcome, str) and outcome in _OUTCOME_VALUES:
                data["status"] = OUTCOME_EFFECTS[Outcome(outcome)].status
            elif data.get("closed_at") is not None:
                data["status"] = Status.CLOSED
        narrative = data.get("narrative")
        if isinstance(narrative, str) and len(narrative) > NARRATIVE_LIMIT:
            marker = _TRUNCATED.format(n=len(narrative))
            data["narrative"] = narrative[: NARRATIVE_LIMIT - len(marker)] + marker
            data["notes"] = (
                *data.get("notes", ()),
                f"narrative_truncated: {len(narrative):,} characters cut to {NARRATIVE_LIMIT:,}",
            )
        return data

    @field_validator("attributes")
    @classmethod
    def _unknown_kept(cls, value: dict[str, Scalar]) -> dict[str, Scalar]:
        values = value.values()
        if None in values or "" in values:  # what ``v is None or v == ""`` finds, at C speed
            return {k: UNKNOWN if v is None or v == "" else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _in_order(self) -> HistoricalComplaint:
        received = self.received_at
        for name in _AFTER_RECEIPT:
            moment = getattr(self, name)
            if moment is not None and moment < received:
                raise InvalidInput(
                    f"{name} {moment.isoformat()} is before the receipt {received.isoformat()}; "
                    "no event comes before the receipt"
                )
        if (
            self.closed_at is not None
            and self.first_response_at is not None
            and self.closed_at < self.first_response_at
        ):
            raise InvalidInput(
                f"closed_at {self.closed_at.isoformat()} is before the first response "
                f"{self.first_response_at.isoformat()}"
            )
        codes = self.codes
        for c in self.code_names:  # the first name that is neither a code nor a parent of one
            if c in codes:
                continue
            parent = c + "."
            for code in codes:
                if code.startswith(parent):
                    break
            else:
                raise InvalidInput(
                    f"code_names names {c!r}, which is neither one of the codes "
                    f"{list(codes)} nor a parent of one"
                )
        return self

    @property
    def text(self) -> str:
        """The first concern's text: the narrative, else the summary, else :data:`NO_TEXT`."""
        if self.narrative.strip():
            return self.narrative
        if self.summary.strip():
            return self.summary
        return NO_TEXT

    @classmethod
    def _from_checked(cls, values: dict[str, Any]) -> HistoricalComplaint:
        """The record of ``values`` built without validating them: for a reader that has checked
        every constraint and validator the model applies to them (the CFPB reader; its tests
        compare the two, value for value and type for type)."""
        return cls._from_validated(values)

    def fingerprint(self) -> str:
        """:attr:`content_hash`, else a hash of every field but ``line`` (the same facts give
        the same fingerprint wherever the row stood in its file)."""
        if self.content_hash is not None:
            return self.content_hash
        return row_hash([self.model_dump_json(exclude={"line", "content_hash"})])


@attrs.frozen(slots=True)
class RowRejected:
    """A source row that cannot become a :class:`HistoricalComplaint`, and why.

    Readers yield these among the records, so :func:`ccms.interop.import_history` counts every
    row read and reports each reject with its line.
    """

    line: int | None
    reason: str
    source_id: str | None = None


@attrs.frozen(slots=True)
class SourceWarning:
    """Something a reader noticed that is not a row (junk lines before the header, a missing
    optional column); ``kind`` is a short key the import report counts by."""

    kind: str
    detail: str
    line: int | None = None
