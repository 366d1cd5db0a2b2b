"""What a store remembers about the data imported into it: its time zone, code names and fields.

An import writes one record to the ``settings`` stream ``store`` of the store it fills (through
the store port's :meth:`~ccms.store.ComplaintStore.append_records`, so every adapter keeps it):
the time zone its dates were read in, the long source names of the VOC codes it made, and the
source fields it kept as attributes with their column labels. :func:`store_settings` folds the
stream into one :class:`StoreSettings` (later imports win for the zone; names and fields add up),
so ``ccms report`` needs no ``--zone`` and shows code names and the source's own breakdowns.

>>> from datetime import datetime, timezone
>>> from ccms.store import InMemoryStore
>>> store = InMemoryStore()
>>> at = datetime(2025, 1, 1, tzinfo=timezone.utc)
>>> remember_import(store, at=at, source="cfpb", zone="America/New_York",
...                 code_names={"MORTGAGE": "Mortgage"}, fields={"state": "State"})
True
>>> s = store_settings(store)
>>> s.zone, s.code_names["MORTGAGE"], s.fields, s.sources
('America/New_York', 'Mortgage', {'state': 'State'}, ('cfpb',))
>>> remember_import(store, at=at, source="cfpb", zone="America/New_York",
...                 code_names={"MORTGAGE": "Mortgage"}, fields={"state": "State"})
False
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from ccms.errors import ConcurrencyConflict, require_aware
from ccms.interop.localtime import zone as check_zone
from ccms.store import ComplaintStore, Record

__all__ = ["SETTINGS_KIND", "SETTINGS_STREAM", "StoreSettings", "remember_import", "store_settings"]

#: The record kind and stream id the settings are kept in.
SETTINGS_KIND: Final = "settings"
SETTINGS_STREAM: Final = "store"
_TYPE: Final = "import"


@attrs.frozen(slots=True, kw_only=True)
class StoreSettings:
    """A store's remembered settings (empty for a store nothing was imported into).

    ``zone`` is the IANA zone of the latest import (``None``: none recorded); ``code_names``
    the long source name of every code imported; ``fields`` attribute key -> the source's column
    label (``{"state": "State", "channel_raw": "Submitted via"}``), in first-imported order;
    ``sources`` the source names imported, in first-imported order.
    """

    zone: str | None = None
    code_names: Mapping[str, str] = attrs.field(factory=dict)
    fields: Mapping[str, str] = attrs.field(factory=dict)
    sources: tuple[str, ...] = ()


def _fold(records: list[Record]) -> StoreSettings:
    zone: str | None = None
    names: dict[str, str] = {}
    fields: dict[str, str] = {}
    sources: dict[str, None] = {}
    for record in records:
        data = record.data
        if isinstance(data.get("zone"), str):
            zone = data["zone"]
        for key, target in (("code_names", names), ("fields", fields)):
            value = data.get(key)
            if isinstance(value, Mapping):
                for k, v in value.items():
                    if isinstance(v, str):
                        target.setdefault(str(k), v)
        if isinstance(data.get("source"), str):
            sources[data["source"]] = None
    return StoreSettings(zone=zone, code_names=names, fields=fields, sources=tuple(sources))


def store_settings(store: ComplaintStore) -> StoreSettings:
    """The settings imports remembered in ``store`` (see the module's docs)."""
    return _fold(store.records(SETTINGS_KIND, SETTINGS_STREAM))


def remember_import(
    store: ComplaintStore,
    *,
    at: datetime,
    source: str,
    zone: str,
    code_names: Mapping[str, str] = {},
    fields: Mapping[str, str] = {},
) -> bool:
    """Record an import's zone, code names and fields in ``store``; ``False`` (nothing
    written) when the store already knows all of them and its zone is ``zone``.

    Only the names and fields the store does not know yet are written. A concurrent writer
    of the same stream is retried once against its new version.
    """
    require_aware(at, "at")
    check_zone(zone)
    attempt = 0
    while True:
        attempt += 1
        records = store.records(SETTINGS_KIND, SETTINGS_STREAM)
        known = _fold(records)
        data: dict[str, Any] = {"source": source, "zone": zone}
        new_names = {k: v for k, v in code_names.items() if k not in known.code_names}
        new_fields = {k: v for k, v in fields.items() if k not in known.fields}
        if known.zone == zone and source in known.sources and not new_names and not new_fields:
            return False
        if new_names:
            data["code_names"] = new_names
        if new_fields:
            data["fields"] = new_fields
        version = len(records)
        record = Record(
            kind=SETTINGS_KIND,
            stream_id=SETTINGS_STREAM,
            version=version + 1,
            type=_TYPE,
            at=at,
            data=data,
        )
        try:
            store.append_records(SETTINGS_KIND, SETTINGS_STREAM, [record], expected_version=version)
        except ConcurrencyConflict:
            if attempt >= 3:  # pragma: no cover - three writers at once
                raise
            continue
        return True
