"""The CFPB reader builds a row's record without validating it again when every value is one the
model takes as it is: the record is the one the model's validation gives, value for value and
type for type (fields set too), and a row the validation refuses or changes goes through it."""

from __future__ import annotations

import csv
import io
import string
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from interop_sample import AS_OF, DATA
from same_kit import same

from ccms.errors import InvalidInput
from ccms.interop import HistoricalComplaint, RowRejected, history_event
from ccms.interop.cfpb import COLUMNS, read_cfpb
from ccms.model import Channel


def _both(text: str, **kw: Any) -> tuple[list[Any], list[Any], int]:
    """The items of ``text`` read as it is and with every record validated; how many records
    were built without validating them."""
    built = 0
    original = HistoricalComplaint._from_checked.__func__  # type: ignore[attr-defined]

    def counting(cls: type[HistoricalComplaint], values: dict[str, Any]) -> HistoricalComplaint:
        nonlocal built
        built += 1
        made: HistoricalComplaint = original(cls, values)
        return made

    HistoricalComplaint._from_checked = classmethod(counting)  # type: ignore[method-assign,assignment]
    try:
        with read_cfpb(io.StringIO(text, newline=""), **kw) as reader:
            fast = list(reader)
    finally:
        HistoricalComplaint._from_checked = classmethod(original)  # type: ignore[method-assign,assignment]
    with read_cfpb(io.StringIO(text, newline=""), **kw) as reader:
        reader._checked = False
        full = list(reader)
    return fast, full, built


def _event_json(record: HistoricalComplaint) -> str:
    """The JSON of the record's event, or why it cannot be imported."""
    try:
        return history_event(record, as_of=AS_OF).model_dump_json()
    except InvalidInput as exc:
        return f"refused: {exc}"


def _compare(text: str, **kw: Any) -> int:
    fast, full, built = _both(text, **kw)
    assert len(fast) == len(full)
    for a, b in zip(fast, full, strict=True):
        same(a, b, "record")
        if isinstance(a, HistoricalComplaint):
            # A record's tags are a frozenset: its JSON lists them in the set's order, which
            # depends on the process's string hashes (the event's JSON sorts them).
            assert a.model_dump_json(exclude={"tags"}) == b.model_dump_json(exclude={"tags"})
            assert a.tags == b.tags
            assert a.fingerprint() == b.fingerprint()
            assert _event_json(a) == _event_json(b)
    return built


def test_every_fixture_row_gives_the_validated_record() -> None:
    built = 0
    for name in ("cfpb_awkward.csv", "cfpb_old.csv", "cfpb_sample.csv"):
        built += _compare((DATA / name).read_text(encoding="utf-8-sig"))
    assert built > 250  # most rows take the short way


_HEADER = list(COLUMNS.values())
_TEXT = st.text(string.ascii_letters + string.digits + " ,'\"-&/()\n", max_size=30)
_ODD = st.sampled_from(
    [
        "",
        "N/A",
        "x" * 129,
        "y" * 2_001,
        "ÉTAT",
        "Ünïcode, Tag",
        "\u3000wide blank\u3000",
        "\x1fcontrol",
        "Older American, Servicemember",
        "a" * 200 + ", b",
    ]
)
_VALUE = st.one_of(_TEXT, _ODD)
_DATE = st.sampled_from(["2024-05-01", "5/2/2024", "2024-04-30", "2031-01-01", "2024-13-01", ""])


@st.composite
def exports(draw: st.DrawFn) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(_HEADER)
    for i in range(draw(st.integers(1, 6))):
        row = {h: draw(_VALUE) for h in _HEADER}
        row["Date received"] = draw(_DATE)
        row["Date sent to company"] = draw(_DATE)
        row["Product"] = draw(st.one_of(st.sampled_from(["Mortgage", "Debt collection"]), _VALUE))
        row["Submitted via"] = draw(st.sampled_from(["Web", "Phone", "Pigeon", "", "x" * 2_001]))
        row["Company response to consumer"] = draw(
            st.sampled_from(["Closed with explanation", "In progress", "", "Mystery"])
        )
        row["Consumer complaint narrative"] = draw(
            st.one_of(_TEXT, st.just("n" * 20_001), st.just("m" * 20_000))
        )
        row["Complaint ID"] = draw(st.one_of(st.just(str(700 + i)), _VALUE))
        writer.writerow([row[h] for h in _HEADER])
    return out.getvalue()


@settings(max_examples=150, deadline=None)
@given(exports())
@example("Date received,Product,State,Complaint ID\n2024-05-01,Mortgage,ÉTAT,1\n")
@example("Date received,Product,Date sent to company\n2024-05-02,Mortgage,2024-05-01\n")
@example("Date received,Product,Complaint ID\n2024-05-01,Mortgage," + "9" * 129 + "\n")
@example("Date received,Product,Issue\n2024-05-01,Mortgage," + "i" * 2_001 + "\n")
@example("Date received,Product,Tags\n2024-05-01,Mortgage," + "t" * 129 + "\n")
@example("Date received,Product,Consumer complaint narrative\n2024-05-01,Mortgage," + "n" * 20_001 + "\n")  # fmt: skip
def test_a_generated_export_gives_the_validated_records(text: str) -> None:
    _compare(text)


def test_a_reader_given_values_the_model_converts_validates_every_record() -> None:
    text = "Date received,Product,Submitted via\n2024-05-01,Mortgage,Web\n"
    channels: Any = {"web": "phone"}  # a string, not a Channel: the model converts it
    fast, full, built = _both(text, channels=channels)
    assert built == 0
    same(fast, full, "record")
    assert isinstance(fast[0], HistoricalComplaint)
    assert fast[0].channel is Channel.PHONE
    with read_cfpb(io.StringIO(text, newline="")) as reader:
        assert reader._checked
        reader.source_name = "Not A Source"
        reader._checked = False  # what the constructor decides for such a name
        (rejected,) = list(reader)
    assert isinstance(rejected, RowRejected)
    assert rejected.reason.startswith("source: String should match pattern")


def test_rows_the_model_refuses_or_changes_are_validated() -> None:
    rows = [
        "2024-05-02,Mortgage,2024-05-01,Web,1",  # sent before received: refused
        "2024-05-01,Mortgage,,Web," + "9" * 129,  # an id too long: refused
        "2024-05-01,Mortgage,,Web,ÉTAT",  # not ASCII: the model decides
        "2024-05-01," + "P" * 1_990 + ",,Web,3",  # its product_unknown note too long: refused
        "2024-05-01,Mortgage,,Web,2",  # taken as it is
    ]
    text = "Date received,Product,Date sent to company,Submitted via,Complaint ID\n"
    fast, full, built = _both(text + "\n".join(rows) + "\n")
    assert built == 1
    same(fast, full, "record")
    assert [type(i).__name__ for i in fast] == [
        "RowRejected",
        "RowRejected",
        "HistoricalComplaint",
        "RowRejected",
        "HistoricalComplaint",
    ]
    with read_cfpb(io.StringIO(text, newline="")) as reader:  # a name the model refuses
        assert reader._code("P" * 2_001, "")[3] is False
        assert reader._code("Mortgage", "")[3] is True
    assert isinstance(fast[3], RowRejected)
    assert fast[3].reason.startswith("notes.0: String should have at most 2000 characters")
