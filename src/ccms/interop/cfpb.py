"""The US CFPB Consumer Complaint Database export (CSV) read as historical complaints.

The standard columns (``Date received``, ``Product``, ``Sub-product``, ``Issue``, ``Sub-issue``,
``Consumer complaint narrative``, ``Company public response``, ``Company``, ``State``,
``ZIP code``, ``Tags``, ``Consumer consent provided?``, ``Submitted via``, ``Date sent to
company``, ``Company response to consumer``, ``Timely response?``, ``Consumer disputed?``,
``Complaint ID``) are matched loosely (case, punctuation); older exports lack some of them (a
missing column reads as empty) and write dates as ``M/D/YYYY``. Only ``Date received`` and
``Product`` are required.

One row becomes one :class:`~ccms.interop.HistoricalComplaint`:

- **id**: ``Complaint ID`` (complaint ``cfpb-<id>``); a row without one is known by its content hash.
- **dates**: calendar dates, read as the start of the day in ``zone`` (``America/New_York`` by
  default, the CFPB's own); ``Date sent to company`` is ``sent_at``. The export has no closure
  date, so a closed complaint is closed at its latest date, marked estimated.
- **channel**: ``Submitted via`` through :data:`CHANNELS` (raw value kept); a value not in the
  table, or none, is ``public_agency`` (to the company, every CFPB complaint came through a
  public agency) with a ``channel_unmapped`` warning.
- **codes**: ``Product`` > ``Issue`` as a two-level code made from the names
  (:func:`~ccms.interop.code_path`), the names kept for reports; ``Sub-product`` and
  ``Sub-issue`` are attributes. A product not in :data:`PRODUCTS` is imported with a
  ``product_unknown`` warning.
- **outcome**: ``Company response to consumer`` through :data:`OUTCOMES` (raw kept); empty means
  the company has not answered (open); an unknown value closes the complaint with no outcome
  and an ``outcome_unmapped`` warning.
- **reported flags**: ``timely`` (``Timely response?``) and ``disputed`` (``Consumer
  disputed?``), ``None`` where empty or ``N/A``.
- **attributes**: ``product``, ``sub_product``, ``issue``, ``sub_issue``, ``company``, ``state``,
  ``zip_code``, ``company_public_response``, ``consumer_consent``; empty ones are ``"unknown"``.
- **text**: the narrative (truncated with a note past the model's 20,000 characters), else
  ``Issue / Sub-issue``.

A row whose values are all ones the record's model takes as they are (dates in order, texts
within the model's lengths, ASCII names and tags, a code made from the names) is built without
validating it again; any other row goes through the model's validation, which refuses it, or
converts its values, as it always does.

>>> import io
>>> text = (
...     "Archive:  complaints.csv.zip\\n"
...     "Date received,Product,Issue,Submitted via,Company response to consumer,Timely response?,Complaint ID\\n"
...     "2024-05-01,Mortgage,Trouble during payment process,Referral,Closed with explanation,Yes,811\\n")
>>> reader = read_cfpb(io.StringIO(text))
>>> items = list(reader)
>>> items[0].kind, items[1].codes, items[1].channel.value, items[1].outcome.value
('junk_line', ('MORTGAGE.TROUBLE_DURING_PAYMENT_PROCESS',), 'public_agency', 'explanation')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, TextIO, get_args

from pydantic import StringConstraints, ValidationError

from ccms.errors import InvalidInput
from ccms.interop._csvrows import CsvRows, normalize, open_text
from ccms.interop._reader import SourceReader
from ccms.interop.history import (
    NARRATIVE_LIMIT,
    UNKNOWN,
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
from ccms.interop.localtime import DEFAULT_DST, DstPolicy, start_of_day, zone
from ccms.interop.settings import remember_import
from ccms.model import Channel
from ccms.model.taxonomy import VocCodeStr
from ccms.model.types import Name, ShortText
from ccms.store import ComplaintStore

__all__ = [
    "CFPB_ZONE",
    "CHANNELS",
    "COLUMNS",
    "OUTCOMES",
    "PRODUCTS",
    "REPORT_FIELDS",
    "CfpbReader",
    "import_cfpb",
    "read_cfpb",
]

#: The zone CFPB dates are read in (the bureau is in Washington, DC).
CFPB_ZONE: Final = "America/New_York"

#: Field -> the standard export's column header.
COLUMNS: Final[Mapping[str, str]] = {
    "received": "Date received",
    "product": "Product",
    "sub_product": "Sub-product",
    "issue": "Issue",
    "sub_issue": "Sub-issue",
    "narrative": "Consumer complaint narrative",
    "company_public_response": "Company public response",
    "company": "Company",
    "state": "State",
    "zip_code": "ZIP code",
    "tags": "Tags",
    "consumer_consent": "Consumer consent provided?",
    "submitted_via": "Submitted via",
    "sent": "Date sent to company",
    "company_response": "Company response to consumer",
    "timely": "Timely response?",
    "disputed": "Consumer disputed?",
    "complaint_id": "Complaint ID",
}
#: The attributes a report counts imported CFPB complaints by, with their column labels (the
#: store remembers them; ``channel_raw`` and ``outcome_raw`` are the raw values beside the
#: mapped channel and outcome).
REPORT_FIELDS: Final[Mapping[str, str]] = {
    "product": COLUMNS["product"],
    "channel_raw": COLUMNS["submitted_via"],
    "outcome_raw": COLUMNS["company_response"],
    "state": COLUMNS["state"],
    "company": COLUMNS["company"],
}
_BY_HEADER = {normalize(header): field for field, header in COLUMNS.items()}
_REQUIRED = ("received", "product")

#: ``Submitted via`` (compared in lower case) -> channel.
CHANNELS: Final[Mapping[str, Channel]] = {
    "web": Channel.WEB,
    "web referral": Channel.PUBLIC_AGENCY,
    "referral": Channel.PUBLIC_AGENCY,
    "phone": Channel.PHONE,
    "postal mail": Channel.MAIL,
    "fax": Channel.FAX,
    "email": Channel.EMAIL,
    "api": Channel.WEB,
    "internal": Channel.PUBLIC_AGENCY,
    "system": Channel.PUBLIC_AGENCY,
}

#: ``Company response to consumer`` (compared in lower case) -> outcome.
OUTCOMES: Final[Mapping[str, Outcome]] = {
    "closed with explanation": Outcome.EXPLANATION,
    "closed with non-monetary relief": Outcome.NON_MONETARY_RELIEF,
    "closed with monetary relief": Outcome.MONETARY_RELIEF,
    "closed with relief": Outcome.RELIEF,
    "closed without relief": Outcome.NO_RELIEF,
    "closed": Outcome.CLOSED,
    "untimely response": Outcome.UNTIMELY,
    "in progress": Outcome.IN_PROGRESS,
}

#: The products the CFPB database has used (current and retired names).
PRODUCTS: Final = frozenset(
    {
        "Bank account or service",
        "Checking or savings account",
        "Consumer Loan",
        "Credit card",
        "Credit card or prepaid card",
        "Credit reporting",
        "Credit reporting or other personal consumer reports",
        "Credit reporting, credit repair services, or other personal consumer reports",
        "Debt collection",
        "Debt or credit management",
        "Money transfer, virtual currency, or money service",
        "Money transfers",
        "Mortgage",
        "Other financial service",
        "Payday loan",
        "Payday loan, title loan, or personal loan",
        "Payday loan, title loan, personal loan, or advance loan",
        "Prepaid card",
        "Student loan",
        "Vehicle loan or lease",
        "Virtual currency",
    }
)
_PRODUCTS = frozenset(p.casefold() for p in PRODUCTS)


def _constraints(annotated: Any) -> StringConstraints:
    """The string constraints of one of the model's ``Annotated`` types (read from the type, so
    the reader's checks below are the model's own, not a copy)."""
    return next(m for m in get_args(annotated)[1:] if isinstance(m, StringConstraints))


# What the record's model requires of the values a row gives it (``SourceName``, ``VocCodeStr``,
# ``Name``, ``ShortText``): a row whose values pass is built without validating them again; any
# other goes through the model's validation, which refuses it with its own message.
_SOURCE_NAME = re.compile(str(_constraints(SourceName).pattern))
_VOC_CODE = re.compile(str(_constraints(VocCodeStr).pattern))
_VOC_LIMIT = int(_constraints(VocCodeStr).max_length or 0)
_NAME_LIMIT = int(_constraints(Name).max_length or 0)
_SHORT_LIMIT = int(_constraints(ShortText).max_length or 0)
_FLAGS = {"yes": True, "no": False}
_ATTRIBUTES = (
    "product",
    "sub_product",
    "issue",
    "sub_issue",
    "company",
    "state",
    "zip_code",
    "company_public_response",
    "consumer_consent",
)


def _parse_date(text: str) -> date:
    if "/" in text:
        month, day, year = (int(p) for p in text.split("/"))
        if year < 100:
            year += 2000
        return date(year, month, day)
    if len(text) > 10:
        return datetime.fromisoformat(text).date()
    return date.fromisoformat(text)


def _is_name(text: str) -> bool:
    """Whether a stripped, non-empty value is a ``Name`` the model keeps as it is (ASCII: its
    validation strips nothing more)."""
    return len(text) <= _NAME_LIMIT and text.isascii()


def _is_header(fields: list[str]) -> bool:
    names = {normalize(f) for f in fields}
    return all(normalize(COLUMNS[key]) in names for key in _REQUIRED)


class CfpbReader(SourceReader):
    """The rows of a CFPB export as :class:`HistoricalComplaint` values, streamed.

    Iterating yields, in file order, a :class:`SourceWarning` per junk line before the header,
    then a record or a :class:`RowRejected` per row. Use it as a context manager (or call
    :meth:`close`) to close a file it opened.
    """

    def __init__(
        self,
        source: str | Path | TextIO,
        *,
        zone_name: str = CFPB_ZONE,
        dst: DstPolicy = DEFAULT_DST,
        channels: Mapping[str, Channel] = CHANNELS,
        fallback_channel: Channel = Channel.PUBLIC_AGENCY,
        outcomes: Mapping[str, Outcome] = OUTCOMES,
        source_name: str = "cfpb",
    ) -> None:
        zone(zone_name)
        self.zone = zone_name
        self.dst = dst
        self.channels = {k.casefold(): v for k, v in channels.items()}
        self.fallback_channel = fallback_channel
        self.outcomes = {k.casefold(): v for k, v in outcomes.items()}
        self.source_name = source_name
        if isinstance(source, str | Path):
            self.name = str(source)
            self._stream: TextIO = open_text(source)
            self._owned = True
        else:
            self.name = getattr(source, "name", "<stream>")
            self._stream = source
            self._owned = False
        try:
            expected = ", ".join(repr(COLUMNS[k]) for k in _REQUIRED)
            self.rows = CsvRows(
                self._stream, is_header=_is_header, expected=f"columns {expected}", name=self.name
            )
        except BaseException:
            self.close()
            raise
        self.columns = {
            _BY_HEADER[normalize(h)]: i
            for i, h in enumerate(self.rows.header)
            if normalize(h) in _BY_HEADER
        }
        self.missing = [COLUMNS[k] for k in COLUMNS if k not in self.columns]
        self._instants: dict[str, datetime] = {}
        # Product > issue -> (code, names, product known, the model takes them) and Tags ->
        # (tags, the model takes them): a file repeats a few hundred of each (the record's
        # validation copies the dict and the set it is given, and so does a checked record).
        self._codes: dict[tuple[str, str], tuple[str, dict[str, str], bool, bool]] = {}
        self._tags: dict[str, tuple[frozenset[str], bool]] = {}
        # Whether what the reader itself puts in every record is what the model takes as it is.
        self._checked = (
            isinstance(source_name, str)
            and _SOURCE_NAME.fullmatch(source_name) is not None
            and isinstance(zone_name, str)
            and type(dst) is DstPolicy
            and type(fallback_channel) is Channel
            and all(type(c) is Channel for c in self.channels.values())
            and all(type(o) is Outcome for o in self.outcomes.values())
        )

    def _code(self, product: str, issue: str) -> tuple[str, dict[str, str], bool, bool]:
        found = self._codes.get((product, issue))
        if found is None:
            code, names = code_path(product, issue)
            takes = all(
                len(c) <= _VOC_LIMIT
                and _VOC_CODE.fullmatch(c) is not None
                and len(n) <= _SHORT_LIMIT
                and (c == code or code.startswith(c + "."))
                for c, n in names.items()
            )
            found = (code, names, not product or product.casefold() in _PRODUCTS, takes)
            if len(self._codes) > 10_000:
                self._codes.clear()
            self._codes[product, issue] = found
        return found

    def _tag_set(self, text: str) -> tuple[frozenset[str], bool]:
        found = self._tags.get(text)
        if found is None:
            tags = frozenset(
                "_".join(normalize(t).split()) for t in text.split(",") if normalize(t)
            )
            found = (tags, all(_is_name(t) for t in tags))
            if len(self._tags) > 10_000:
                self._tags.clear()
            self._tags[text] = found
        return found

    def _instant(self, text: str, column: str) -> datetime | None:
        if not text:
            return None
        found = self._instants.get(text)
        if found is None:
            try:
                day = _parse_date(text)
            except ValueError:
                raise InvalidInput(
                    f"{column} {text!r} is not a date (YYYY-MM-DD or M/D/YYYY)"
                ) from None
            found = start_of_day(day, self.zone, self.dst)
            if len(self._instants) > 50_000:
                self._instants.clear()
            self._instants[text] = found
        return found

    def record(self, line: int, row: list[str]) -> HistoricalComplaint | RowRejected:
        """The record of one row (its fields in header order) starting on ``line``."""
        columns = self.columns
        values: dict[str, str] = {key: row[i].strip() for key, i in columns.items()}
        get = values.get
        source_id = get("complaint_id") or None
        try:
            received_text = get("received", "")
            if not received_text:
                raise InvalidInput("Date received is empty")
            received = self._instant(received_text, "Date received")
            sent = self._instant(get("sent", ""), "Date sent to company")
            notes: list[str] = []
            product = get("product", "")
            issue = get("issue", "")
            code, names, known, codes_taken = self._code(product, issue)
            if not known:
                notes.append(
                    f"product_unknown: {product!r} is not a CFPB product; its code is made "
                    "from the name"
                )
            via = get("submitted_via", "")
            channel = self.channels.get(via.casefold())
            if channel is None:
                channel = self.fallback_channel
                shown = repr(via) if via else "no value"
                notes.append(
                    f"channel_unmapped: Submitted via {shown} is not in the channel table; "
                    f"mapped to {channel.value}"
                )
            response = get("company_response", "")
            outcome = self.outcomes.get(response.casefold()) if response else None
            if not response:
                status = Status.OPEN
            elif outcome is None:
                status = Status.CLOSED
                notes.append(
                    f"outcome_unmapped: Company response {response!r} is not in the outcome "
                    "table; closed with no outcome"
                )
            else:
                status = Status.OPEN if outcome is Outcome.IN_PROGRESS else Status.CLOSED
            sub_issue = get("sub_issue", "")
            tags, tags_taken = self._tag_set(get("tags", ""))
            narrative = get("narrative", "")
            summary = f"{issue} / {sub_issue}" if issue and sub_issue else issue
            region = get("state") or None
            fields: dict[str, Any] = {
                "source": self.source_name,
                "source_id": source_id,
                "line": line,
                "zone": self.zone,
                "dst": self.dst,
                "received_at": received,
                "sent_at": sent,
                "status": status,
                "channel": channel,
                "channel_raw": via,
                "codes": (code,),
                "code_names": dict(names),  # its own: the remembered one is shared
                "outcome": outcome,
                "outcome_raw": response,
                "reported": {
                    "timely": _FLAGS.get(get("timely", "").casefold()),
                    "disputed": _FLAGS.get(get("disputed", "").casefold()),
                },
                "narrative": narrative,
                "summary": summary,
                "region": region,
                "tags": tags,
                "attributes": {key: get(key) or UNKNOWN for key in _ATTRIBUTES},
                "content_hash": row_hash(row),
                "notes": tuple(notes),
            }
            if (
                self._checked
                and codes_taken
                and tags_taken
                and type(line) is int
                and line >= 1
                and received is not None
                and (sent is None or sent >= received)
                and len(narrative) <= NARRATIVE_LIMIT
                and len(via) <= _SHORT_LIMIT
                and len(response) <= _SHORT_LIMIT
                and len(summary) <= _SHORT_LIMIT
                and (source_id is None or _is_name(source_id))
                and (region is None or _is_name(region))
                and all(len(n) <= _SHORT_LIMIT for n in notes)
            ):
                # Every value is one the model takes as it is (see _checked, _code, _tag_set):
                # the record its validation would give, without validating it again.
                return HistoricalComplaint._from_checked(fields)
            return HistoricalComplaint(**fields)
        except (InvalidInput, ValidationError) as exc:
            return RowRejected(line, reason_of(exc), source_id)


def read_cfpb(
    source: str | Path | TextIO,
    *,
    zone_name: str = CFPB_ZONE,
    dst: DstPolicy = DEFAULT_DST,
    channels: Mapping[str, Channel] = CHANNELS,
    fallback_channel: Channel = Channel.PUBLIC_AGENCY,
) -> CfpbReader:
    """A :class:`CfpbReader` of ``source`` (a path, or a text stream opened with ``newline=""``)."""
    return CfpbReader(
        source, zone_name=zone_name, dst=dst, channels=channels, fallback_channel=fallback_channel
    )


def import_cfpb(
    store: ComplaintStore,
    source: str | Path | TextIO,
    *,
    as_of: datetime,
    zone_name: str = CFPB_ZONE,
    dst: DstPolicy = DEFAULT_DST,
    batch: int = 1000,
    run: str | None = None,
    on_issue: Callable[[ImportIssue], None] | None = None,
    progress: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Read a CFPB export and :func:`~ccms.interop.import_history` it into ``store``; then
    :func:`~ccms.interop.remember_import` the zone, the code names and :data:`REPORT_FIELDS`."""
    with read_cfpb(source, zone_name=zone_name, dst=dst) as reader:
        report = import_history(
            store,
            reader,
            as_of=as_of,
            batch=batch,
            run=run,
            on_issue=on_issue,
            progress=progress,
        )
    remember_import(
        store,
        at=as_of,
        source=reader.source_name,
        zone=zone_name,
        code_names=report.code_names,
        fields=REPORT_FIELDS,
    )
    return report
