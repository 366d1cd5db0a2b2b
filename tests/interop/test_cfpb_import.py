"""The CFPB importer on fixture files written for it: every awkward row imported or rejected with
a reason, the counts adding up, a re-import adding nothing.

``data/cfpb_awkward.csv`` (current columns, CRLF line ends), line by line: 1-2 an unzip log,
3 the header, 4 an ordinary row (1001), 5-8 a narrative with quoted commas, quotes and newlines
(1002), 9 a narrative of 25,000 characters (1003), 10 empty optional fields (1004), 11 an unknown
product and channel (1005), 12 sent before received (1006), 13 an exact duplicate of line 4,
14 the id of line 10 with other content, 15 received in 2031 (1007), 16 a date that is no date
(1008), 17 in progress (1009), 18-19 a row without Complaint ID and its exact duplicate,
20 untimely (1010), 21 an unknown company response (1011), 22-23 API and Internal (1012, 1013),
24 a row of five fields, 25 blank.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from interop_sample import AS_OF, DATA, Issues

from ccms.interop import (
    NARRATIVE_LIMIT,
    UNKNOWN,
    HistoryImported,
    Outcome,
    RowRejected,
    SourceWarning,
)
from ccms.interop._csvrows import HeaderNotFound
from ccms.interop.cfpb import CHANNELS, COLUMNS, OUTCOMES, import_cfpb, read_cfpb
from ccms.interop.history import HistoricalComplaint
from ccms.model import Channel, RemedyKind
from ccms.store import ComplaintStore

AWKWARD = DATA / "cfpb_awkward.csv"
OLD = DATA / "cfpb_old.csv"


@pytest.fixture
def imported(store: ComplaintStore, issues: Issues) -> ComplaintStore:
    report = import_cfpb(store, AWKWARD, as_of=AS_OF, on_issue=issues.append)
    assert report.adds_up
    return store


def test_the_counts_add_up_to_the_rows_read(store: ComplaintStore, issues: Issues) -> None:
    report = import_cfpb(store, AWKWARD, as_of=AS_OF, on_issue=issues.append)
    assert (report.rows_read, report.imported, report.rejected, report.duplicates) == (18, 11, 4, 3)
    assert report.rows_read == report.imported + report.rejected + report.duplicates
    assert report.duplicates_in_file == 3
    assert report.already_imported == 0
    assert len(store) == 11


def test_junk_lines_before_the_header_are_skipped_with_a_warning(
    imported: ComplaintStore, issues: Issues
) -> None:
    junk = [i for i in issues if i.kind == "warning" and i.line in (1, 2)]
    assert [i.line for i in junk] == [1, 2]
    assert "Archive:  complaints.csv.zip" in junk[0].reason


def test_an_ordinary_row(imported: ComplaintStore) -> None:
    c = imported.get("cfpb-1001")
    assert c.stage == "closed"
    assert c.channel is Channel.WEB
    assert c.received_at.isoformat() == "2024-03-04T00:00:00-05:00"  # New York, standard time
    assert c.codes == ("CREDIT_REPORTING_OR_OT_09415481.INCORRECT_INFORMATION_194465EA",)
    assert c.result is not None
    assert c.result.remedy is RemedyKind.EXPLANATION
    assert c.concerns[0].outcome == "answered"
    assert c.attributes["company"] == "EQUIFAX, INC."
    assert c.attributes["state"] == "CA"
    assert c.attributes["reported_timely"] == "yes"
    assert c.attributes["reported_disputed"] == UNKNOWN  # N/A
    assert c.attributes["channel_raw"] == "Web"
    assert c.attributes["outcome_raw"] == ("Closed with explanation")
    (event,) = imported.events("cfpb-1001")
    assert isinstance(event, HistoryImported)
    assert event.version == 1
    assert event.opens
    assert event.line == 4
    assert event.source == "cfpb"
    assert event.source_id == "1001"
    assert event.code_names[c.codes[0]] == "Incorrect information on your report"
    assert event.code_names[c.codes[0].split(".")[0]] == (
        "Credit reporting or other personal consumer reports"
    )
    assert event.closed_at_estimated
    assert c.closed_at == event.sent_at
    assert c.concerns[0].text == (
        "Incorrect information on your report / Information belongs to someone else"
    )


def test_quoted_commas_quotes_and_newlines_stay_in_the_narrative(imported: ComplaintStore) -> None:
    c = imported.get("cfpb-1002")
    assert c.concerns[0].text == (
        "They charged me $35, then $35 again, and again.\n"
        'I called on XX/XX/2024, and they said "wait".\n\nStill waiting, after 3 weeks.'
    )
    assert c.attributes["company"] == "BANK OF AMERICA, NATIONAL ASSOCIATION"
    assert c.channel is Channel.PUBLIC_AGENCY
    assert c.attributes["channel_raw"] == "Referral"
    assert c.result is not None
    assert c.result.remedy is RemedyKind.COMPENSATION
    assert c.attributes["outcome"] == "monetary_relief"
    assert c.tags == frozenset({"servicemember"})
    assert imported.events("cfpb-1002")[0].line == 5


def test_a_narrative_over_the_text_limit_is_truncated_with_a_note(
    imported: ComplaintStore, issues: Issues
) -> None:
    text = imported.get("cfpb-1003").concerns[0].text
    assert len(text) == NARRATIVE_LIMIT
    assert text.endswith("[... truncated: the source's narrative has 25,000 characters]")
    assert text.startswith("My mortgage servicer, after months of calls")
    (event,) = imported.events("cfpb-1003")
    assert any(n.startswith("narrative_truncated") for n in event.notes)
    warned = [i.reason for i in issues if i.kind == "warning" and i.line == 9]
    assert any(r.startswith("narrative_truncated: 25,000 characters cut to 20,000") for r in warned)


def test_empty_optional_fields_are_kept_as_unknown(imported: ComplaintStore) -> None:
    c = imported.get("cfpb-1004")
    for key in ("sub_product", "sub_issue", "state", "zip_code", "company_public_response"):
        assert c.attributes[key] == UNKNOWN
    assert c.customer.region == UNKNOWN
    assert c.attributes["reported_timely"] == UNKNOWN
    assert c.tags == frozenset()
    assert c.concerns[0].text == "Attempts to collect debt not owed"
    # No date sent: closed at the receipt, the only date the row has.
    assert c.closed_at == c.received_at


def test_an_unknown_product_and_channel_are_imported_with_warnings(
    imported: ComplaintStore, issues: Issues
) -> None:
    c = imported.get("cfpb-1005")
    assert c.channel is Channel.PUBLIC_AGENCY
    assert c.attributes["channel_raw"] == "Carrier pigeon"
    assert c.codes == ("CRYPTO_LENDING.CANNOT_WITHDRAW_FUNDS",)
    assert c.attributes["reported_timely"] == "no"
    kinds = sorted(i.reason.split(":")[0] for i in issues if i.kind == "warning" and i.line == 11)
    assert kinds == ["channel_unmapped", "closed_at_estimated", "product_unknown"]


def test_rejected_rows_say_why(imported: ComplaintStore, issues: Issues) -> None:
    rejected = issues.of("rejected")
    assert sorted(rejected) == [12, 15, 16, 24]
    assert "sent_at 2024-03-01T00:00:00-05:00 is before the receipt" in rejected[12].reason
    assert "after the import's as_of" in rejected[15].reason
    assert rejected[15].reason.startswith("received_at 2031-01-02")
    assert "Date received '2024-13-45' is not a date" in rejected[16].reason
    assert "the row has 5 fields, the header 18" in rejected[24].reason
    assert rejected[12].source_id == "1006"
    for cid in ("cfpb-1006", "cfpb-1007", "cfpb-1008"):
        assert imported.find(cid) is None


def test_duplicates_in_the_file_are_found_by_id_or_by_content(
    imported: ComplaintStore, issues: Issues
) -> None:
    duplicates = issues.of("duplicate")
    assert sorted(duplicates) == [13, 14, 19]
    assert duplicates[13].reason.startswith("exact duplicate of line 4")
    assert duplicates[14].reason.startswith("same source id as line 10 but different content")
    assert duplicates[19].reason.startswith("exact duplicate of line 18")
    # The first row is kept.
    assert imported.get("cfpb-1004").attributes["company"] == "Acme Collections LLC"
    # Without a Complaint ID the complaint is known by its content hash.
    (hashed,) = [cid for cid in imported.ids() if cid.startswith("cfpb#")]
    assert len(hashed) == len("cfpb#") + 32
    assert imported.get(hashed).channel is Channel.MAIL


def test_outcomes_in_progress_untimely_and_unknown(
    imported: ComplaintStore, issues: Issues
) -> None:
    open_one = imported.get("cfpb-1009")
    assert open_one.stage == "classified"
    assert open_one.closed_at is None
    assert open_one.result is None
    assert open_one.resolved_at is None
    assert imported.wake_at("cfpb-1009") is None  # the Desk's schedule leaves it alone
    untimely = imported.get("cfpb-1010")
    assert untimely.stage == "closed"
    assert untimely.closed_at is not None
    assert untimely.resolved_at is None
    assert untimely.result is None
    assert untimely.attributes["reported_timely"] == "no"
    unknown = imported.get("cfpb-1011")
    assert unknown.stage == "closed"
    assert unknown.attributes["outcome"] == UNKNOWN
    assert unknown.attributes["outcome_raw"] == "Closed with an apology"
    assert unknown.channel is Channel.PUBLIC_AGENCY  # Web Referral
    assert unknown.tags == frozenset({"older_american", "servicemember"})
    kinds = {i.reason.split(":")[0] for i in issues if i.kind == "warning" and i.line == 21}
    assert "outcome_unmapped" in kinds
    assert imported.get("cfpb-1012").channel is Channel.WEB  # API
    assert imported.get("cfpb-1013").channel is Channel.PUBLIC_AGENCY  # Internal


def test_a_reimport_adds_nothing(store: ComplaintStore, issues: Issues) -> None:
    first = import_cfpb(store, AWKWARD, as_of=AS_OF)
    positions = store.last_position()
    again = import_cfpb(store, AWKWARD, as_of=AS_OF, on_issue=issues.append)
    assert store.last_position() == positions
    assert len(store) == first.imported
    assert again.imported == 0
    assert again.adds_up
    assert again.already_imported == first.imported + first.duplicates_in_file
    assert again.rejected == first.rejected
    assert all(f"run {first.run}" in i.reason for i in issues if i.kind == "already_imported")


def test_an_older_export_with_fewer_columns_and_us_dates(store: ComplaintStore) -> None:
    with read_cfpb(OLD) as reader:
        assert "Consumer complaint narrative" in reader.missing
        assert "Tags" in reader.missing
        records = list(reader)
    assert all(isinstance(r, HistoricalComplaint) for r in records)
    report = import_cfpb(store, OLD, as_of=AS_OF)
    assert (report.rows_read, report.imported) == (3, 3)
    no_relief = store.get("cfpb-468882")
    assert no_relief.received_at.date() == date(2013, 7, 31)
    assert no_relief.result is not None
    assert no_relief.result.remedy is RemedyKind.NONE
    assert no_relief.concerns[0].outcome == "not_upheld"
    relief = store.get("cfpb-468889")
    assert relief.result is None
    assert relief.concerns[0].outcome == "upheld"
    assert relief.attributes["reported_disputed"] == "yes"
    two_digit = store.get("cfpb-468890")
    assert two_digit.received_at.date() == date(2013, 8, 1)
    assert two_digit.attributes["state"] == UNKNOWN
    assert two_digit.attributes["consumer_consent"] == UNKNOWN  # the column is missing


def test_the_tables_cover_the_documented_values() -> None:
    assert set(CHANNELS) >= {
        "web", "referral", "phone", "postal mail", "fax", "email", "api", "internal", "system",
        "web referral",
    }  # fmt: skip
    assert set(OUTCOMES.values()) == set(Outcome)
    assert len(COLUMNS) == 18


def test_a_file_without_the_header_is_refused_naming_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "not-cfpb.csv"
    path.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(HeaderNotFound, match="expected columns 'Date received', 'Product'"):
        read_cfpb(path)


def test_the_reader_yields_warnings_records_and_rejects_in_file_order() -> None:
    with read_cfpb(AWKWARD) as reader:
        items = list(reader)
    kinds = [type(i).__name__ for i in items]
    assert kinds[:2] == ["SourceWarning", "SourceWarning"]
    assert len(items) == 2 + 18
    assert isinstance(items[2], HistoricalComplaint)
    assert items[2].line == 4
    assert isinstance(items[-1], RowRejected)
    assert items[-1].line == 24
    assert not any(isinstance(i, SourceWarning) for i in items[2:])
