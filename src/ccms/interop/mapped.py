"""Any CSV export (a municipal 311 system, a helpdesk) read as historical complaints by a mapping.

A mapping file (YAML, TOML or JSON, validated by :class:`CsvMapping`; every mistake is a
:class:`~ccms.errors.ConfigError` naming the file and the key) says which columns hold the id,
the created / due / closed timestamps (with their format and zone), the status, the type (and
subtype), the agency, the method of contact, the text; which status values mean closed, duplicate
or withdrawn; and how types become codes, agencies departments, methods channels::

    source: nyc311                  # complaint ids are nyc311-<id>
    zone: America/New_York          # naive timestamps are local times there
    dst: {gap: shift_forward, overlap: earlier}
    format: "%m/%d/%Y %I:%M:%S %p"  # strptime, or iso
    columns:
      id: Unique Key
      created: Created Date
      closed: Closed Date
      due: {column: Due Date, format: "%Y-%m-%d"}
      status: Status
      type: Complaint Type
      subtype: Descriptor
      agency: Agency
      method: Open Data Channel Type
    statuses:
      closed: [Closed]
      duplicate: [Duplicate]
    codes: {"Noise - Residential": NOISE.RESIDENTIAL}   # others are generated from the names
    departments: {NYPD: police}                          # others keep the agency's name
    channels: {PHONE: phone, ONLINE: web, MOBILE: web}   # others: default_channel, or rejected
    default_channel: public_agency
    attributes: {borough: Borough, zip_code: Incident Zip}

Rules: values are matched case-insensitively; a status in no list is ``closed`` when the row has a
closed timestamp, else ``open`` (``statuses.unlisted: reject`` refuses it); a closed row without a
closed timestamp is closed at its latest date, marked estimated; an empty attribute is
``"unknown"``. Every mapped column must be in the file's header (else a ``ConfigError`` naming the
key and the header's columns).

>>> m = CsvMapping.model_validate({"source": "desk", "columns": {"created": "Opened"}})
>>> m.columns.created, m.zone, m.default_channel
('Opened', 'UTC', None)
>>> CsvMapping.from_mapping({"source": "desk", "columns": {"created": "Opened"},
...                          "channels": {"Phone": "telephone"}}, "map.yaml")
Traceback (most recent call last):
...
ccms.errors.ConfigError: map.yaml: channels.Phone: Input should be 'visit', 'phone', ...
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal, TextIO

from pydantic import Field, StringConstraints, ValidationError, field_validator

from ccms._files import load_mapping, validate_mapping
from ccms.errors import ConfigError, InvalidInput
from ccms.interop._csvrows import CsvRows, open_text
from ccms.interop._reader import SourceReader
from ccms.interop.history import (
    UNKNOWN,
    AttributeKey,
    FlagKey,
    HistoricalComplaint,
    Outcome,
    RowRejected,
    SourceName,
    Status,
    code_path,
    reason_of,
    row_hash,
)
from ccms.interop.importer import ImportIssue, ImportReport, import_history
from ccms.interop.localtime import DEFAULT_DST, DstPolicy, localize, zone
from ccms.interop.settings import remember_import
from ccms.model import Channel, VocCodeStr
from ccms.model.types import Frozen, Name
from ccms.store import ComplaintStore

__all__ = [
    "Columns",
    "CsvMapping",
    "FlagColumn",
    "MappedReader",
    "Statuses",
    "TimestampColumn",
    "import_csv",
    "read_csv",
]

ColumnName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


def _known_zone(value: str | None) -> str | None:
    if value is not None:
        try:
            zone(value)
        except InvalidInput as exc:
            raise ValueError(str(exc)) from None
    return value


class TimestampColumn(Frozen):
    """A timestamp column: its ``format`` (strptime, or ``iso``) and ``zone`` default to the
    mapping's."""

    column: ColumnName
    format: str | None = None
    zone: str | None = None

    _zone = field_validator("zone")(_known_zone)


class FlagColumn(Frozen):
    """A yes/no column the source reported (e.g. "Timely response?"); other values are unknown."""

    column: ColumnName
    true: tuple[str, ...] = ("yes", "y", "true", "1")
    false: tuple[str, ...] = ("no", "n", "false", "0")


class Columns(Frozen):
    """The export's column for each fact; only ``created`` is required."""

    id: ColumnName | None = None
    created: ColumnName | TimestampColumn
    due: ColumnName | TimestampColumn | None = None
    closed: ColumnName | TimestampColumn | None = None
    first_response: ColumnName | TimestampColumn | None = None
    status: ColumnName | None = None
    type: ColumnName | None = None
    subtype: ColumnName | None = None
    agency: ColumnName | None = None
    method: ColumnName | None = None
    text: ColumnName | None = None
    handler: ColumnName | None = None
    customer: ColumnName | None = None
    region: ColumnName | None = None
    outcome: ColumnName | None = None


class Statuses(Frozen):
    """Status values (case-insensitive) and what they mean."""

    open: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    duplicate: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()
    unlisted: Literal["by_closed_date", "reject"] = "by_closed_date"


class CsvMapping(Frozen):
    """How the columns of one export become :class:`HistoricalComplaint` values (see the
    module's docs for a file)."""

    source: SourceName
    zone: str = "UTC"
    dst: DstPolicy = DEFAULT_DST
    format: str = "iso"
    delimiter: Annotated[str, StringConstraints(min_length=1, max_length=1)] = ","
    encoding: str = "utf-8-sig"
    language: Annotated[str, Field(min_length=2, max_length=8)] = "en"
    columns: Columns
    statuses: Statuses = Statuses()
    codes: dict[str, VocCodeStr] = {}
    unmapped_codes: Literal["generate", "reject"] = "generate"
    departments: dict[str, Name] = {}
    unmapped_departments: Literal["keep", "none", "reject"] = "keep"
    channels: dict[str, Channel] = {}
    default_channel: Channel | None = None
    outcomes: dict[str, Outcome] = {}
    attributes: dict[AttributeKey, ColumnName] = {}
    reported: dict[FlagKey, FlagColumn] = {}

    _zone = field_validator("zone")(_known_zone)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<mapping>") -> CsvMapping:
        """Validate ``data``; the first problem is a :class:`ConfigError` naming ``source``."""
        return validate_mapping(cls, data, source)

    @classmethod
    def from_file(cls, path: str | Path) -> CsvMapping:
        """Read and validate a YAML, TOML or JSON mapping file."""
        return cls.from_mapping(load_mapping(path), str(path))

    def named_columns(self) -> dict[str, str]:
        """Mapping key (``columns.created``, ``attributes.borough``, ...) -> column name."""
        out: dict[str, str] = {}
        for key in Columns.model_fields:
            value = getattr(self.columns, key)
            if isinstance(value, TimestampColumn):
                value = value.column
            if value is not None:
                out[f"columns.{key}"] = value
        for key, column in self.attributes.items():
            out[f"attributes.{key}"] = column
        for key, flag in self.reported.items():
            out[f"reported.{key}.column"] = flag.column
        return out


def _folded(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k.strip().casefold(): v for k, v in values.items()}


class MappedReader(SourceReader):
    """The rows of an export as :class:`HistoricalComplaint` values by a :class:`CsvMapping`,
    streamed; the same protocol as :class:`~ccms.interop.cfpb.CfpbReader`."""

    def __init__(
        self,
        source: str | Path | TextIO,
        mapping: CsvMapping,
        *,
        mapping_name: str = "<mapping>",
    ) -> None:
        self.mapping = mapping
        self.mapping_name = mapping_name
        if isinstance(source, str | Path):
            self.name = str(source)
            self._stream: TextIO = open_text(source, mapping.encoding)
            self._owned = True
        else:
            self.name = getattr(source, "name", "<stream>")
            self._stream = source
            self._owned = False
        created = mapping.named_columns()["columns.created"]
        try:
            self.rows = CsvRows(
                self._stream,
                is_header=lambda fields: created in {f.strip() for f in fields},
                expected=f"a header with the column {created!r} (columns.created of "
                f"{mapping_name})",
                name=self.name,
                delimiter=mapping.delimiter,
            )
            self._index = self._check_header()
        except BaseException:
            self.close()
            raise
        self._statuses: dict[str, Status] = {}
        for status, values in (
            (Status.OPEN, mapping.statuses.open),
            (Status.CLOSED, mapping.statuses.closed),
            (Status.DUPLICATE, mapping.statuses.duplicate),
            (Status.WITHDRAWN, mapping.statuses.withdrawn),
        ):
            for value in values:
                self._statuses[value.strip().casefold()] = status
        self._codes = _folded(mapping.codes)
        self._departments = _folded(mapping.departments)
        self._channels = _folded(mapping.channels)
        self._outcomes = _folded(mapping.outcomes)
        self._times = {
            key: self._parser(getattr(mapping.columns, key))
            for key in ("created", "due", "closed", "first_response")
            if getattr(mapping.columns, key) is not None
        }

    def _check_header(self) -> dict[str, int]:
        header = self.rows.header
        position = {name: i for i, name in enumerate(header)}
        index: dict[str, int] = {}
        for key, column in self.mapping.named_columns().items():
            if column not in position:
                shown = ", ".join(repr(h) for h in header[:40])
                raise ConfigError(
                    self.mapping_name,
                    key,
                    f"column {column!r} is not in the header of {self.name}",
                    shown + (", ..." if len(header) > 40 else ""),
                )
            index[key] = position[column]
        return index

    def _parser(self, spec: str | TimestampColumn) -> Callable[[str], datetime]:
        fmt = self.mapping.format
        tz = self.mapping.zone
        if isinstance(spec, TimestampColumn):
            fmt = spec.format or fmt
            tz = spec.zone or tz
        dst = self.mapping.dst
        if fmt == "iso":

            def parse(text: str) -> datetime:
                return localize(datetime.fromisoformat(text), tz, dst)

        else:

            def parse(text: str) -> datetime:
                return localize(datetime.strptime(text, fmt), tz, dst)

        return parse

    def _value(self, row: list[str], key: str) -> str:
        i = self._index.get(key)
        return "" if i is None else row[i].strip()

    def _time(self, row: list[str], key: str) -> datetime | None:
        text = self._value(row, f"columns.{key}")
        if not text:
            return None
        try:
            return self._times[key](text)
        except ValueError as exc:
            if isinstance(exc, InvalidInput):
                raise
            column = self.mapping.named_columns()[f"columns.{key}"]
            raise InvalidInput(f"{column} {text!r} does not match its format: {exc}") from None

    def record(self, line: int, row: list[str]) -> HistoricalComplaint | RowRejected:
        """The record of one row (its fields in header order) starting on ``line``."""
        source_id = self._value(row, "columns.id") or None
        try:
            return self._record(line, row, source_id)
        except (InvalidInput, ValidationError) as exc:
            return RowRejected(line, reason_of(exc), source_id)

    def _record(self, line: int, row: list[str], source_id: str | None) -> HistoricalComplaint:
        m = self.mapping
        value = self._value
        created = self._time(row, "created")
        if created is None:
            raise InvalidInput(f"{m.named_columns()['columns.created']} is empty")
        closed = self._time(row, "closed")
        notes: list[str] = []

        status_raw = value(row, "columns.status")
        status = self._statuses.get(status_raw.casefold())
        if status is None:
            if m.columns.status is not None and m.statuses.unlisted == "reject":
                raise InvalidInput(
                    f"status {status_raw!r} is in none of the mapping's statuses lists"
                )
            status = Status.CLOSED if closed is not None else Status.OPEN

        kind = value(row, "columns.type")
        sub = value(row, "columns.subtype")
        mapped_code = self._codes.get(kind.casefold()) if kind else None
        if mapped_code is not None:
            codes, names = (mapped_code,), {mapped_code: kind}
        elif kind and m.unmapped_codes == "reject":
            raise InvalidInput(f"type {kind!r} is not in the mapping's codes")
        else:
            code, names = code_path(kind, sub)
            codes = (code,)

        agency = value(row, "columns.agency")
        department: str | None = None
        if agency:
            department = self._departments.get(agency.casefold())
            if department is None:
                if m.unmapped_departments == "reject":
                    raise InvalidInput(f"agency {agency!r} is not in the mapping's departments")
                if m.unmapped_departments == "keep":
                    department = agency

        method = value(row, "columns.method")
        channel = self._channels.get(method.casefold()) if method else None
        if channel is None:
            shown = repr(method) if method else "no value"
            if m.default_channel is None:
                raise InvalidInput(
                    f"method {shown} is not in the mapping's channels "
                    f"({', '.join(sorted(m.channels)) or 'none'}); add it or set default_channel"
                )
            channel = m.default_channel
            notes.append(
                f"channel_unmapped: method {shown} is not in the mapping's channels; "
                f"mapped to {channel.value}"
            )

        outcome_raw = value(row, "columns.outcome")
        outcome = self._outcomes.get(outcome_raw.casefold()) if outcome_raw else None
        reported: dict[str, bool | None] = {}
        for key, flag in m.reported.items():
            text = value(row, f"reported.{key}.column").casefold()
            if text in {t.casefold() for t in flag.true}:
                reported[key] = True
            elif text in {f.casefold() for f in flag.false}:
                reported[key] = False
            else:
                reported[key] = None
        customer = value(row, "columns.customer")
        fields: dict[str, Any] = {
            "source": m.source,
            "source_id": source_id,
            "line": line,
            "zone": m.zone,
            "dst": m.dst,
            "received_at": created,
            "first_response_at": self._time(row, "first_response"),
            "due_at": self._time(row, "due"),
            "closed_at": closed if status is not Status.OPEN else None,
            "status": status,
            "channel": channel,
            "channel_raw": method,
            "codes": codes,
            "code_names": names,
            "department": department,
            "handler": value(row, "columns.handler") or None,
            "outcome": outcome,
            "outcome_raw": outcome_raw,
            "reported": reported,
            "narrative": value(row, "columns.text"),
            "summary": f"{kind} / {sub}" if kind and sub else kind,
            "customer_id": f"{m.source}:{customer}" if customer else None,
            "region": value(row, "columns.region") or None,
            "language": m.language,
            "attributes": {key: value(row, f"attributes.{key}") or UNKNOWN for key in m.attributes},
            "content_hash": row_hash(row),
            "notes": tuple(notes),
        }
        return HistoricalComplaint(**fields)


def read_csv(source: str | Path | TextIO, mapping: CsvMapping | str | Path) -> MappedReader:
    """A :class:`MappedReader` of ``source`` by ``mapping`` (a :class:`CsvMapping` or its file)."""
    if isinstance(mapping, CsvMapping):
        return MappedReader(source, mapping)
    return MappedReader(source, CsvMapping.from_file(mapping), mapping_name=str(mapping))


def import_csv(
    store: ComplaintStore,
    source: str | Path | TextIO,
    mapping: CsvMapping | str | Path,
    *,
    as_of: datetime,
    batch: int = 1000,
    run: str | None = None,
    on_issue: Callable[[ImportIssue], None] | None = None,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Read an export by ``mapping`` and :func:`~ccms.interop.import_history` it into ``store``;
    then :func:`~ccms.interop.remember_import` the mapping's zone, the code names and its fields
    (the attributes, and the method and outcome columns' raw values)."""
    with read_csv(source, mapping) as reader:
        report = import_history(
            store,
            reader,
            as_of=as_of,
            batch=batch,
            run=run,
            on_issue=on_issue,
            progress=progress,
        )
    m = reader.mapping
    fields: dict[str, str] = {}
    if m.columns.method is not None:
        fields["channel_raw"] = m.columns.method
    if m.columns.outcome is not None:
        fields["outcome_raw"] = m.columns.outcome
    fields.update(m.attributes)
    remember_import(
        store,
        at=as_of,
        source=m.source,
        zone=m.zone,
        code_names=report.code_names,
        fields=fields,
    )
    return report
