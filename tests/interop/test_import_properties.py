"""Generated CFPB rows round-trip: the imported complaint's receipt date, channel, codes and
closed state are the row's, whatever commas, quotes and newlines the values hold."""

from __future__ import annotations

import csv
import io
import string
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from interop_sample import AS_OF

from ccms.interop import NARRATIVE_LIMIT, code_path
from ccms.interop.cfpb import CHANNELS, COLUMNS, OUTCOMES, import_cfpb
from ccms.store import InMemoryStore

_NAME = st.text(string.ascii_letters + string.digits + " ,'\"-&/()", min_size=1, max_size=40)
_NARRATIVE = st.text(string.ascii_letters + " ,.'\"\n$%", max_size=300)
_NEW_YORK = (timedelta(hours=-4), timedelta(hours=-5))
_RESPONSES = [*(r.capitalize() for r in OUTCOMES), "", "Closed with a mystery"]
_VIA = [*(v.title() for v in CHANNELS), "API", "Carrier pigeon", ""]


@st.composite
def cfpb_rows(draw: st.DrawFn) -> list[dict[str, str | date]]:
    n = draw(st.integers(min_value=1, max_value=12))
    rows = []
    for i in range(n):
        received = draw(st.dates(min_value=date(2011, 12, 1), max_value=date(2024, 12, 1)))
        rows.append(
            {
                "received": received,
                "us_date": draw(st.booleans()),
                "product": draw(_NAME),
                "issue": draw(st.one_of(st.just(""), _NAME)),
                "narrative": draw(_NARRATIVE),
                "via": draw(st.sampled_from(_VIA)),
                "response": draw(st.sampled_from(_RESPONSES)),
                "state": draw(st.sampled_from(["CA", "NY", "", "TX"])),
                "id": str(100 + i),
            }
        )
    return rows


def _csv(rows: list[dict[str, str | date]]) -> str:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    header = list(COLUMNS.values())
    writer.writerow(header)
    for row in rows:
        received = row["received"]
        assert isinstance(received, date)
        day = (
            f"{received.month}/{received.day}/{received.year}"
            if row["us_date"]
            else received.isoformat()
        )
        values = dict.fromkeys(header, "")
        values.update(
            {
                "Date received": day,
                "Product": str(row["product"]),
                "Issue": str(row["issue"]),
                "Consumer complaint narrative": str(row["narrative"]),
                "Submitted via": str(row["via"]),
                "Company response to consumer": str(row["response"]),
                "State": str(row["state"]),
                "Complaint ID": str(row["id"]),
            }
        )
        writer.writerow([values[h] for h in header])
    return out.getvalue()


@given(cfpb_rows())
def test_generated_rows_round_trip(rows: list[dict[str, str | date]]) -> None:
    store = InMemoryStore()
    report = import_cfpb(store, io.StringIO(_csv(rows), newline=""), as_of=AS_OF)
    assert report.adds_up
    assert report.rows_read == len(rows)
    assert report.imported == len(rows)
    for row in rows:
        c = store.get(f"cfpb-{row['id']}")
        assert c.received_at.date() == row["received"]
        assert c.received_at.utcoffset() in _NEW_YORK  # the start of the day there
        via = str(row["via"])
        expected = CHANNELS.get(via.casefold(), None)
        assert c.channel == (expected if expected is not None else "public_agency")
        assert c.attributes["channel_raw"] == (via or "unknown")
        code, _ = code_path(str(row["product"]), str(row["issue"]))
        assert c.codes == (code,)
        response = str(row["response"])
        closed = bool(response) and response.casefold() != "in progress"
        assert (c.closed_at is not None) is closed
        assert (c.stage == "closed") is closed
        narrative = str(row["narrative"]).strip()
        if narrative:
            assert c.concerns[0].text == narrative[:NARRATIVE_LIMIT]
        assert c.attributes["state"] == (row["state"] or "unknown")
