"""Private: what the CFPB and mapped-CSV readers share (closing, context manager, iteration)."""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Self, TextIO

from ccms.interop._csvrows import CsvRows
from ccms.interop.history import HistoricalComplaint, RowRejected, SourceWarning

__all__ = ["SourceReader"]


class SourceReader:
    """A reader of one export: it yields the file's warnings, then a record (or a rejection)
    per row. Subclasses set ``rows``, ``_stream`` and ``_owned`` and define :meth:`record`."""

    rows: CsvRows
    _stream: TextIO
    _owned: bool

    def record(self, line: int, row: list[str]) -> HistoricalComplaint | RowRejected:
        """The record of one row (its fields in header order) starting on ``line``."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the file if this reader opened it."""
        if self._owned:
            self._stream.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[HistoricalComplaint | RowRejected | SourceWarning]:
        yield from self.rows.warnings()
        for item in self.rows:
            if isinstance(item, RowRejected):
                yield item
            else:
                yield self.record(*item)
