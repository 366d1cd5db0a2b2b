"""SLA tables: the targets (when a clock starts, stops and pauses, how long it may run) and
the rows that pick them for a complaint; the CFPB timely-response table and the default one.

Part of :mod:`ccms.policy.sla`, which re-exports its public names.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from ccms._files import load_mapping, validate_mapping
from ccms.errors import PolicyError
from ccms.model import (
    Channel,
    Complaint,
    Severity,
    VocKind,
)
from ccms.policy._sla_clock import (
    Patterns,
    parse_duration,
)

__all__ = [
    "DEFAULT_PAUSE_STAGES",
    "DEFAULT_SLA_TABLE",
    "TARGET_PRESETS",
    "SlaRow",
    "SlaTable",
    "SlaTarget",
    "cfpb_timely",
    "cfpb_timely_target",
    "default_sla_table",
]


#: Stages in which SLA clocks pause unless a target says otherwise.
DEFAULT_PAUSE_STAGES: Final = ("waiting_on_customer",)

#: Start and stop of the well-known target names; other names must give ``start`` and ``stop``.
TARGET_PRESETS: Final[Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "first_response": (("received",), ("responded", "customer_notified")),
    "resolution": (("received", "reopened"), ("result_registered",)),
    "notify_after_result": (("result_registered",), ("customer_notified",)),
    "timely_response": (("received",), ("result_registered", "customer_notified")),
}


_Pattern = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@functools.lru_cache(maxsize=256)
def _compiled(
    start: tuple[str, ...], stop: tuple[str, ...], pause: tuple[str, ...]
) -> tuple[Patterns, Patterns, frozenset[str]]:
    return Patterns.of(start), Patterns.of(stop), frozenset(pause)


class SlaTarget(_Model):
    """One clock: when it starts and stops, how long it may run, and in which time.

    ``start``/``stop`` patterns name an event type or the stage an event leads to
    (``"received"``), or say which: ``"event:responded"``, ``"stage:closed"``. The names in
    :data:`TARGET_PRESETS` fill them in. ``duration`` accepts a timedelta, seconds, ``"4h"``,
    ``"15d"``, ``"1d 4h"`` or ISO 8601 (``"P15D"``).

    >>> SlaTarget(name="first_response", duration="4h", business=True, calendar="seoul").stop
    ('responded', 'customer_notified')
    >>> SlaTarget(name="callback", duration="1h")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for SlaTarget
      Value error, SLA target 'callback' needs 'start' and 'stop' (event types or stages); only first_response, notify_after_result, resolution, timely_response have defaults ...
    """

    name: _Pattern
    duration: timedelta
    start: tuple[_Pattern, ...] = ()
    stop: tuple[_Pattern, ...] = ()
    business: bool = False
    calendar: _Pattern | None = None
    at_risk: Annotated[float, Field(gt=0, le=1)] = 0.8
    pause: tuple[_Pattern, ...] = DEFAULT_PAUSE_STAGES
    reopen: Literal["restart", "resume"] = "restart"
    reopen_window: timedelta | None = None

    @model_validator(mode="before")
    @classmethod
    def _presets(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            name = data.get("name")
            preset = TARGET_PRESETS.get(name) if isinstance(name, str) else None
            if preset is not None:
                data = {"start": preset[0], "stop": preset[1], **data}
        return data

    @field_validator("duration", "reopen_window", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value) if value is not None else None

    @model_validator(mode="after")
    def _check(self) -> SlaTarget:
        if not self.start or not self.stop:
            raise ValueError(
                f"SLA target {self.name!r} needs 'start' and 'stop' (event types or stages); "
                f"only {', '.join(sorted(TARGET_PRESETS))} have defaults"
            )
        if self.duration <= timedelta(0):
            raise ValueError(f"SLA target {self.name!r}: duration must be positive")
        if self.reopen_window is not None and self.reopen_window < timedelta(0):
            raise ValueError(f"SLA target {self.name!r}: reopen_window must not be negative")
        return self

    @property
    def compiled(self) -> tuple[Patterns, Patterns, frozenset[str]]:
        """The start and stop patterns compiled, and the pause stages (computed once per
        distinct set of patterns)."""
        return _compiled(self.start, self.stop, self.pause)

    @field_serializer("duration", "reopen_window")
    def _seconds(self, value: timedelta | None) -> float | None:
        return None if value is None else value.total_seconds()

    def record(self) -> dict[str, Any]:
        """The JSON form stored in ``SlaApplied.targets[name]`` (durations in seconds).

        >>> SlaTarget(name="resolution", duration="2d").record()["duration"]
        172800.0
        """
        return self.model_dump(mode="json", exclude={"name"})

    @classmethod
    def from_record(cls, name: str, record: object) -> SlaTarget:
        """Rebuild a target from :meth:`record` (as read back from an ``SlaApplied``)."""
        if not isinstance(record, Mapping):
            raise PolicyError(
                f"SlaApplied target {name!r} must be a mapping such as {{'duration': 3600}}, "
                f"got {record!r}"
            )
        try:
            return cls.model_validate({**record, "name": name})
        except ValidationError as exc:
            raise PolicyError(f"SlaApplied target {name!r} cannot be read back: {exc}") from exc


class SlaRow(_Model):
    """One row of a table: match fields (``None`` matches anything) and the targets it sets.

    ``targets`` is a list of targets or a mapping ``name -> spec``, where a spec may be just a
    duration (``{"resolution": "3d"}``).
    """

    kind: VocKind | None = None
    severity: Severity | None = None
    channel: Channel | None = None
    segment: _Pattern | None = None
    targets: Annotated[tuple[SlaTarget, ...], Field(min_length=1)]

    @field_validator("targets", mode="before")
    @classmethod
    def _named(cls, value: Any) -> Any:
        if isinstance(value, Mapping):
            return [
                {"name": name, **spec}
                if isinstance(spec, Mapping)
                else {"name": name, "duration": spec}
                for name, spec in value.items()
            ]
        return value

    @model_validator(mode="after")
    def _unique(self) -> SlaRow:
        names = [t.name for t in self.targets]
        if len(set(names)) != len(names):
            raise ValueError(f"target names must be unique within a row, got {names}")
        return self

    @property
    def specificity(self) -> int:
        """How many match fields are set (0 to 4)."""
        return sum(x is not None for x in (self.kind, self.severity, self.channel, self.segment))

    def matches(self, complaint: Complaint) -> bool:
        """Whether every set match field equals the complaint's."""
        return (
            (self.kind is None or self.kind == complaint.kind)
            and (self.severity is None or self.severity == complaint.severity)
            and (self.channel is None or self.channel == complaint.channel)
            and (self.segment is None or self.segment == complaint.customer.segment)
        )


class SlaTable(_Model):
    """Versioned SLA rows. **Matching rule:** among the rows whose set fields all equal the
    complaint's (kind, severity, channel, customer segment), the one with the most set fields
    wins; among equally specific rows, the first in the table. No match: no targets.

    ``defaults`` are merged under every target spec (e.g. ``{"business": True, "calendar":
    "seoul"}``).

    >>> table = SlaTable.from_mapping({
    ...     "version": "2026-03",
    ...     "defaults": {"business": True, "calendar": "seoul"},
    ...     "rows": [
    ...         {"targets": {"first_response": "8h", "resolution": "5d"}},
    ...         {"kind": "complaint", "severity": "critical",
    ...          "targets": {"first_response": "1h", "resolution": "1d"}},
    ...     ],
    ... })
    >>> [r.specificity for r in table.rows]
    [0, 2]
    >>> SlaTable.from_mapping({"version": "x", "rows": [{"targets": {"resolution": "soon"}}]})
    Traceback (most recent call last):
    ...
    ccms.errors.ConfigError: <mapping>: rows[0].targets[0].duration: Input should be a valid timedelta, ...
    """

    version: _Pattern
    rows: tuple[SlaRow, ...]
    defaults: dict[str, Any] = {}

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or not data.get("defaults"):
            return data
        defaults = data["defaults"]
        if not isinstance(defaults, Mapping):
            return data
        rows = []
        for row in data.get("rows") or ():
            if isinstance(row, Mapping) and isinstance(row.get("targets"), Mapping):
                targets = {
                    name: {
                        **defaults,
                        **(spec if isinstance(spec, Mapping) else {"duration": spec}),
                    }
                    for name, spec in row["targets"].items()
                }
                row = {**row, "targets": targets}
            rows.append(row)
        return {**data, "rows": rows}

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "<mapping>") -> SlaTable:
        """Validate a mapping (e.g. a parsed TOML table); problems raise ``ConfigError``."""
        return validate_mapping(cls, data, source)

    @classmethod
    def from_file(cls, path: str | Path) -> SlaTable:
        """Load a TOML, YAML or JSON file."""
        return validate_mapping(cls, load_mapping(path), str(path))

    def match(self, complaint: Complaint) -> SlaRow | None:
        """The row that applies to ``complaint`` (see the matching rule above)."""
        best: SlaRow | None = None
        for row in self.rows:
            if row.matches(complaint) and (best is None or row.specificity > best.specificity):
                best = row
        return best

    def targets_for(self, complaint: Complaint) -> tuple[SlaTarget, ...]:
        """The targets of the matching row, or ``()``."""
        row = self.match(complaint)
        return row.targets if row is not None else ()


def cfpb_timely_target(days: int = 15) -> SlaTarget:
    """CFPB-style "timely response": the company responds within ``days`` calendar days.

    Calendar time, no pauses: the regulator's clock does not stop while waiting on the customer.

    >>> cfpb_timely_target().duration.days
    15
    """
    return SlaTarget(
        name="timely_response", duration=timedelta(days=days), business=False, pause=()
    )


def cfpb_timely(days: int = 15) -> SlaTable:
    """A one-row table holding :func:`cfpb_timely_target` for every complaint."""
    return SlaTable(
        version=f"cfpb-timely-{days}d", rows=(SlaRow(targets=(cfpb_timely_target(days),)),)
    )


def _default_targets(first_response: str, resolution: str) -> dict[str, Any]:
    return {
        "first_response": first_response,
        "resolution": resolution,
        "notify_after_result": "4h",
    }


#: The built-in SLA table (``Desk.standard`` uses it unless told otherwise), in business time
#: on the Desk's calendar: a first response within a working day and a resolution within three
#: (8 business hours a day), faster for inquiries and for high and critical complaints, slower
#: for low ones; the result told to the customer within 4 business hours of its registration.
DEFAULT_SLA_TABLE: Final[Mapping[str, Any]] = {
    "version": "ccms-default-1",
    "defaults": {"business": True},
    "rows": [
        {"targets": _default_targets("8h", "24h")},
        {"kind": "inquiry", "targets": _default_targets("4h", "8h")},
        {"kind": "complaint", "severity": "low", "targets": _default_targets("8h", "40h")},
        {"kind": "complaint", "severity": "high", "targets": _default_targets("2h", "16h")},
        {"kind": "complaint", "severity": "critical", "targets": _default_targets("1h", "8h")},
    ],
}


def default_sla_table(*, pause: Iterable[str] | None = None) -> SlaTable:
    """The validated :data:`DEFAULT_SLA_TABLE`; its clocks pause in ``pause`` (the stages a
    workflow marks ``paused``: ``Desk.standard`` passes its workflow's), else in
    :data:`DEFAULT_PAUSE_STAGES`.

    >>> table = default_sla_table()
    >>> table.version, [t.name for t in table.rows[0].targets]
    ('ccms-default-1', ['first_response', 'resolution', 'notify_after_result'])
    >>> default_sla_table(pause={"awaiting_parcel", "waiting_on_customer"}).rows[0].targets[0].pause
    ('awaiting_parcel', 'waiting_on_customer')
    """
    if pause is None:
        return SlaTable.from_mapping(DEFAULT_SLA_TABLE, "the default SLA table")
    defaults = {**DEFAULT_SLA_TABLE["defaults"], "pause": tuple(sorted(pause))}
    return SlaTable.from_mapping(
        {**DEFAULT_SLA_TABLE, "defaults": defaults}, "the default SLA table"
    )
