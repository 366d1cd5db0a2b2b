"""The import's per-row shortcuts change nothing: a CFPB reader's codes and tags remembered from
earlier rows give the records a fresh reader gives, the attribute keys found free of reserved ones
are still refused with one, a run's name checked once still refuses every row, and a batch keeps
each row's line and source id (the record itself is not kept)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from interop_sample import AS_OF, Issues

from ccms.errors import InvalidInput
from ccms.interop import HistoricalComplaint, history_event, import_history
from ccms.interop.cfpb import COLUMNS, import_cfpb, read_cfpb
from ccms.interop.history import row_hash
from ccms.store import ComplaintStore

_PRODUCTS = ["Mortgage", "Debt collection", "Space travel", "mortgage", "Student loan"]
_ISSUES = ["Trouble during payment process", "", "Attempts to collect debt not owed"]
_TAGS = ["", "Older American", "Older American, Servicemember", "Servicemember", " , "]


def _rows(n: int) -> list[dict[str, str]]:
    rows = []
    for i in range(n):
        rows.append(
            {
                "Date received": f"2024-0{1 + i % 9}-1{i % 10}",
                "Product": _PRODUCTS[i % len(_PRODUCTS)],
                "Issue": _ISSUES[i % len(_ISSUES)],
                "Tags": _TAGS[i % len(_TAGS)],
                "Submitted via": "Web" if i % 4 else "Pigeon",
                "Company response to consumer": "Closed with explanation",
                "Complaint ID": str(5000 + i),
            }
        )
    return rows


def _csv(rows: list[dict[str, str]]) -> io.StringIO:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS.values()), restval="")
    writer.writeheader()
    writer.writerows(rows)
    out.seek(0)
    return out


def _records(text: io.StringIO) -> list[HistoricalComplaint]:
    with read_cfpb(text) as reader:
        found = list(reader)
    assert all(isinstance(r, HistoricalComplaint) for r in found)
    return [r for r in found if isinstance(r, HistoricalComplaint)]


def test_codes_and_tags_remembered_from_earlier_rows_are_those_of_a_fresh_reader() -> None:
    rows = _rows(60)
    together = _records(_csv(rows))
    assert len(together) == 60
    for row, record in zip(rows, together, strict=True):
        (alone,) = _records(_csv([row]))
        assert record.model_dump(exclude={"line"}) == alone.model_dump(exclude={"line"})
    unknown = [r for r in together if any(n.startswith("product_unknown") for n in r.notes)]
    assert len(unknown) == 12  # "Space travel" on every fifth row, not only the first
    assert {r.tags for r in together} == {
        frozenset(),
        frozenset({"older_american"}),
        frozenset({"older_american", "servicemember"}),
        frozenset({"servicemember"}),
    }
    # Two records of the same product and issue do not share one mutable dict.
    assert together[0].code_names == together[15].code_names
    assert together[0].code_names is not together[15].code_names


def _record(**fields: object) -> HistoricalComplaint:
    return HistoricalComplaint.model_validate(
        {"source": "desk", "received_at": date(2024, 5, 1), "channel": "web", **fields}
    )


def test_attribute_keys_found_free_are_checked_again_with_a_reserved_key() -> None:
    clean = _record(source_id="1", attributes={"plan": "pro", "country": "kr"})
    assert history_event(clean, as_of=AS_OF).attributes["plan"] == "pro"
    history_event(clean, as_of=AS_OF)  # the same keys again: remembered as free
    for key in ("source", "reported_timely", "outcome_raw"):
        clash = _record(source_id="2", attributes={"plan": "pro", "country": "kr", key: "x"})
        with pytest.raises(InvalidInput, match=f"attribute {key!r} is written by the import"):
            history_event(clash, as_of=AS_OF)
    # Values are checked on every record, whatever its keys.
    long = _record(source_id="3", attributes={"plan": "x" * 20_001, "country": "kr"})
    with pytest.raises(InvalidInput, match=r"attributes\.plan: a text of 20001 characters"):
        history_event(long, as_of=AS_OF)
    nan = _record(source_id="4", attributes={"plan": float("nan"), "country": "kr"})
    with pytest.raises(InvalidInput, match=r"attributes\.plan: nan is not a JSON number"):
        history_event(nan, as_of=AS_OF)


def test_a_run_name_checked_once_still_refuses_every_row(
    store: ComplaintStore, issues: Issues
) -> None:
    records = [_record(source_id=str(i)) for i in range(3)]
    report = import_history(store, records, as_of=AS_OF, run=" padded", on_issue=issues.append)
    assert (report.rows_read, report.imported, report.rejected) == (3, 0, 3)
    assert len(store) == 0
    assert all("run must be 1 to 128 characters" in i.reason for i in issues)


def test_a_batch_keeps_every_rows_line_and_source_id(store: ComplaintStore, issues: Issues) -> None:
    rows = _rows(25)
    rows.insert(10, dict(rows[3]))  # an exact duplicate of the fourth row, on line 12
    rows.insert(20, {**rows[7], "Issue": "Something else"})  # the eighth's id, other content
    report = import_cfpb(store, _csv(rows), as_of=AS_OF, batch=4, on_issue=issues.append)
    assert report.adds_up
    assert (report.rows_read, report.imported, report.duplicates_in_file) == (27, 25, 2)
    assert len(store) == 25
    duplicates = issues.of("duplicate")
    assert set(duplicates) == {12, 22}
    assert duplicates[12].source_id == "5003"
    assert duplicates[12].reason == "exact duplicate of line 5 (complaint cfpb-5003)"
    assert duplicates[22].source_id == "5007"
    assert "same source id as line 9 but different content" in duplicates[22].reason
    warned = issues.of("warning")
    assert warned[2].source_id == "5000"
    assert "channel_unmapped" in warned[2].reason or "closed_at_estimated" in warned[2].reason
    assert report.warnings["product_unknown"] == 5
    assert report.warnings["closed_at_estimated"] == 25
    for i in range(25):
        assert store.get(f"cfpb-{5000 + i}").version == 1


def test_a_rows_hash_is_the_same_for_a_list_of_strings_and_any_other_values() -> None:
    assert (
        row_hash(["a", "b,c", ""]) == row_hash(("a", "b,c", "")) == row_hash(iter(["a", "b,c", ""]))
    )
    assert row_hash(["a", 1, None]) == row_hash(("a", "1", "None"))
    assert row_hash(["a", "b"]) != row_hash(["a\x1fb", ""])
