"""What the interop tests share: the fixture files' folder, the import moment, issue lists."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ccms.interop import ImportIssue

DATA = Path(__file__).parent / "data"
#: The moment the fixture files are imported as of.
AS_OF = datetime(2025, 1, 1, tzinfo=UTC)


class Issues(list[ImportIssue]):
    """The issues an import reported (pass ``issues.append`` as ``on_issue``)."""

    def of(self, kind: str) -> dict[int | None, ImportIssue]:
        """Issues of ``kind`` by line (the last one of a line wins)."""
        return {i.line: i for i in self if i.kind == kind}

    def lines(self, kind: str) -> list[int | None]:
        """The lines of the issues of ``kind``, in the order reported."""
        return [i.line for i in self if i.kind == kind]
