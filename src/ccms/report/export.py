"""JSON export and writing a report's files.

:func:`render_json` gives every figure of a report as machine-readable JSON (for scripts and
other tools); :func:`write_report` writes the chosen formats next to each other.

>>> import json
>>> from datetime import datetime, timezone
>>> from ccms.report import build_report
>>> doc = json.loads(render_json(build_report([], as_of=datetime(2026, 11, 1, tzinfo=timezone.utc))))
>>> doc["period"]["label"], doc["handling"]["backlog"]["open"]
('2026-10', 0)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Final, Literal, get_args

from ccms.errors import InvalidInput
from ccms.report.html import render_html
from ccms.report.markdown import render_markdown
from ccms.report.sections import Report

__all__ = ["FORMATS", "Format", "render_json", "write_report"]

Format = Literal["md", "html", "json"]
#: The file formats, by suffix.
FORMATS: Final[tuple[Format, ...]] = get_args(Format)
BAD_FORMAT: Final = "unknown report format {value!r}; allowed: {allowed}"


def render_json(report: Report, *, indent: int | None = 2) -> str:
    """Every figure of ``report`` as JSON (see :meth:`Report.to_dict`), keys in a stable order."""
    return json.dumps(report.to_dict(), indent=indent, ensure_ascii=False) + "\n"


def write_report(report: Report, stem: Path, formats: Iterable[str]) -> list[Path]:
    """Write ``stem.md``, ``stem.html`` and/or ``stem.json`` (UTF-8); return the paths written.

    The folder of ``stem`` is created if missing; existing files are replaced.
    """
    chosen = list(dict.fromkeys(formats))
    for f in chosen:
        if f not in FORMATS:
            raise InvalidInput(BAD_FORMAT.format(value=f, allowed=", ".join(FORMATS)))
    stem.parent.mkdir(parents=True, exist_ok=True)
    render = {"md": render_markdown, "html": render_html, "json": render_json}
    written = []
    for f in chosen:
        path = stem.with_name(f"{stem.name}.{f}")
        path.write_text(render[f](report), encoding="utf-8")
        written.append(path)
    return written
