"""Streaming CSV rows with their line numbers, after any junk lines before the header."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from ccms.errors import HeaderNotFound, InvalidInput
from ccms.interop.history import RowRejected, SourceWarning

__all__ = ["CsvRows", "HeaderNotFound", "normalize", "open_text"]

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(text: str) -> str:
    """A header or value compared loosely: lower case, runs of other characters one blank.

    >>> normalize("  Consumer consent provided? "), normalize("Sub-product")
    ('consumer consent provided', 'sub product')
    """
    return _NON_ALNUM.sub(" ", text.casefold()).strip()


def open_text(path: str | Path, encoding: str = "utf-8-sig") -> TextIO:
    """``path`` opened for the csv module (a byte-order mark is skipped)."""
    try:
        return open(path, encoding=encoding, newline="")  # the reader closes it
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None


class CsvRows:
    """The rows of a CSV stream after its header, each with the line it starts on (1-based).

    Lines before the header (an unzip log, a title) are skipped and reported as warnings; the
    header is the first line ``is_header`` accepts within ``max_junk`` lines. Rows spanning lines
    (quoted newlines) count from their first line; blank lines are skipped; a row with another
    number of fields than the header is a :class:`RowRejected`.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        is_header: Callable[[list[str]], bool],
        expected: str,
        name: str = "<stream>",
        delimiter: str = ",",
        max_junk: int = 100,
    ) -> None:
        self.stream = stream
        self.name = name
        self.delimiter = delimiter
        self.junk: list[tuple[int, str]] = []
        for number in range(1, max_junk + 2):
            line = stream.readline()
            if not line:
                break
            fields = next(csv.reader([line], delimiter=delimiter), [])
            if fields and is_header(fields):
                self.header = [f.strip() for f in fields]
                self.header_line = number
                return
            shown = line.strip()
            self.junk.append((number, shown if len(shown) <= 120 else shown[:117] + "..."))
        raise HeaderNotFound(name, len(self.junk), expected)

    def warnings(self) -> Iterator[SourceWarning]:
        """One warning per junk line skipped before the header."""
        for number, text in self.junk:
            yield SourceWarning(
                "junk_line", f"line {number} before the header skipped: {text!r}", number
            )

    def __iter__(self) -> Iterator[tuple[int, list[str]] | RowRejected]:
        width = len(self.header)
        reader = csv.reader(self.stream, delimiter=self.delimiter)
        base = self.header_line
        before = 0
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                start = base + before + 1
                before = reader.line_num
                yield RowRejected(start, f"unreadable CSV: {exc}")
                continue
            start = base + before + 1
            before = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != width:
                yield RowRejected(
                    start, f"the row has {len(row)} fields, the header {width} (a broken row?)"
                )
                continue
            yield start, row
