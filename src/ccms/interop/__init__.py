"""``ccms.interop``: real data in. Whole past complaints imported atomically, CFPB and mapped-CSV readers.

A company adopting ccms starts with years of complaints in another system; public complaint data
(the US CFPB database, municipal 311 requests) is where users try a library first. This package
reads such exports into :class:`HistoricalComplaint` values (the facts the source knows) and
:func:`import_history` writes each as one :class:`~ccms.model.events.HistoryImported` event that
says it was imported: atomically, idempotently, in bounded memory. See ``docs/import.md``.

It sits between the store and the CLI: it imports model, workflow, store and policy; the CLI
imports it; nothing below does.
"""

from __future__ import annotations

from ccms.interop.cfpb import CfpbReader, import_cfpb, read_cfpb
from ccms.interop.export import (
    Pseudonymiser,
    WeakPseudonymKey,
    export_complaints,
    export_events,
    write_csv,
    write_jsonl,
)
from ccms.interop.history import (
    NARRATIVE_LIMIT,
    NO_TEXT,
    OUTCOME_EFFECTS,
    UNKNOWN,
    UNKNOWN_CODE,
    HistoricalComplaint,
    Outcome,
    OutcomeEffect,
    RowRejected,
    SourceWarning,
    Status,
    code_path,
    code_segment,
    reason_of,
    row_hash,
)
from ccms.interop.importer import (
    ImportIssue,
    ImportReport,
    Stages,
    complaint_id_for,
    history_event,
    import_history,
    write_issues,
)
from ccms.interop.localtime import (
    DEFAULT_DST,
    AmbiguousLocalTime,
    DstPolicy,
    NonexistentLocalTime,
    UnknownZone,
    fixed_offset,
    localize,
    start_of_day,
)
from ccms.interop.mapped import CsvMapping, MappedReader, import_csv, read_csv
from ccms.interop.settings import (
    SETTINGS_KIND,
    SETTINGS_STREAM,
    StoreSettings,
    remember_import,
    store_settings,
)
from ccms.model.events import HistoryImported

__all__ = [
    "DEFAULT_DST",
    "NARRATIVE_LIMIT",
    "NO_TEXT",
    "OUTCOME_EFFECTS",
    "SETTINGS_KIND",
    "SETTINGS_STREAM",
    "UNKNOWN",
    "UNKNOWN_CODE",
    "AmbiguousLocalTime",
    "CfpbReader",
    "CsvMapping",
    "DstPolicy",
    "HistoricalComplaint",
    "HistoryImported",
    "ImportIssue",
    "ImportReport",
    "MappedReader",
    "NonexistentLocalTime",
    "Outcome",
    "OutcomeEffect",
    "Pseudonymiser",
    "RowRejected",
    "SourceWarning",
    "Stages",
    "Status",
    "StoreSettings",
    "UnknownZone",
    "WeakPseudonymKey",
    "code_path",
    "code_segment",
    "complaint_id_for",
    "export_complaints",
    "export_events",
    "fixed_offset",
    "history_event",
    "import_cfpb",
    "import_csv",
    "import_history",
    "localize",
    "read_cfpb",
    "read_csv",
    "reason_of",
    "remember_import",
    "row_hash",
    "start_of_day",
    "store_settings",
    "write_csv",
    "write_issues",
    "write_jsonl",
]
