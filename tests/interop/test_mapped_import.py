"""The mapped-CSV importer on a NYC 311 fixture with DST-crossing rows (America/New_York).

``data/nyc311_dst.csv`` by line: 1 a title line, 2 the header, 3 an ordinary closed row,
4 created on 9 March 2024 23:00 EST and closed on 10 March 04:00 EDT, 5 created at 02:30 on 10
March (in the spring-forward gap), 6 created at 01:30 on 3 November 2024 (in the fall-back
overlap), 7 created at 01:50 and closed at 01:10 in the overlap (closed before it was created
under ``overlap: earlier``), 8 status Duplicate, 9 in progress with a due date in its own format,
10 an unmapped method, 11 empty borough and ZIP, 12 an exact duplicate of line 3, 13 no created
date, 14 a created date in another format, 15 closed without a closed date, 16 an unmapped agency,
17 an unmapped complaint type, 18 status Cancelled.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from interop_sample import AS_OF, DATA, Issues

from ccms.errors import ConfigError
from ccms.interop import UNKNOWN, DstPolicy
from ccms.interop.mapped import CsvMapping, import_csv, read_csv
from ccms.model import Channel
from ccms.store import ComplaintStore

EXPORT = DATA / "nyc311_dst.csv"
MAPPING = DATA / "nyc311.yaml"


@pytest.fixture
def imported(store: ComplaintStore, issues: Issues) -> ComplaintStore:
    report = import_csv(store, EXPORT, MAPPING, as_of=AS_OF, on_issue=issues.append)
    assert report.adds_up
    return store


def test_the_counts_add_up(store: ComplaintStore) -> None:
    report = import_csv(store, EXPORT, MAPPING, as_of=AS_OF)
    assert (report.rows_read, report.imported, report.rejected, report.duplicates) == (16, 12, 3, 1)
    assert report.warnings["junk_line"] == 1
    assert len(store) == 12


def test_an_ordinary_row_maps_code_department_channel_and_attributes(
    imported: ComplaintStore,
) -> None:
    c = imported.get("nyc311-59000001")
    assert c.received_at.isoformat() == "2024-01-15T08:00:00-05:00"
    assert c.closed_at is not None
    assert c.closed_at - c.received_at == timedelta(hours=2, minutes=30)
    assert c.resolved_at == c.closed_at
    assert c.codes == ("NOISE.RESIDENTIAL",)
    assert c.department == "police"
    assert c.channel is Channel.PHONE
    assert c.stage == "closed"
    assert c.customer.region == "MANHATTAN"
    assert c.attributes["borough"] == "MANHATTAN"
    assert c.attributes["agency_name"] == "New York City Police Department"
    assert c.concerns[0].text == "Noise - Residential / Loud Music/Party"
    assert imported.events(c.id)[0].code_names == {"NOISE.RESIDENTIAL": "Noise - Residential"}


def test_a_row_crossing_the_spring_forward_night_keeps_its_real_duration(
    imported: ComplaintStore,
) -> None:
    c = imported.get("nyc311-59000002")
    assert c.received_at.isoformat() == "2024-03-09T23:00:00-05:00"
    assert c.closed_at is not None
    assert c.closed_at.isoformat() == "2024-03-10T04:00:00-04:00"
    assert c.closed_at - c.received_at == timedelta(hours=4)  # not 5: an hour was skipped


def test_a_time_in_the_gap_is_shifted_forward(imported: ComplaintStore) -> None:
    c = imported.get("nyc311-59000003")
    assert c.received_at.isoformat() == "2024-03-10T03:30:00-04:00"


def test_a_time_in_the_overlap_is_the_earlier_instant(imported: ComplaintStore) -> None:
    c = imported.get("nyc311-59000004")
    assert c.received_at.isoformat() == "2024-11-03T01:30:00-04:00"
    assert c.closed_at is not None
    assert c.closed_at.isoformat() == "2024-11-03T03:00:00-05:00"
    assert c.closed_at - c.received_at == timedelta(hours=2, minutes=30)


def test_an_overlap_that_puts_the_closure_before_the_creation_is_rejected(
    imported: ComplaintStore, issues: Issues
) -> None:
    reason = issues.of("rejected")[7].reason
    assert reason.startswith("closed_at 2024-11-03T01:10:00-04:00 is before the receipt")
    assert imported.find("nyc311-59000005") is None


def test_statuses_map_to_stages(imported: ComplaintStore) -> None:
    duplicate = imported.get("nyc311-59000006")
    assert duplicate.stage == "rejected"
    assert duplicate.closed_at is not None
    assert duplicate.resolved_at is None
    open_one = imported.get("nyc311-59000007")
    assert open_one.stage == "department_assigned"
    assert open_one.department == "housing"
    assert open_one.closed_at is None
    assert open_one.due_at is not None
    assert open_one.due_at.isoformat() == "2024-12-23T09:15:00-05:00"
    withdrawn = imported.get("nyc311-59000015")
    assert withdrawn.stage == "withdrawn"
    estimated = imported.get("nyc311-59000012")
    assert estimated.stage == "closed"
    assert estimated.closed_at == estimated.received_at
    (event,) = imported.events("nyc311-59000012")
    assert event.closed_at_estimated  # type: ignore[attr-defined]


def test_unmapped_values(imported: ComplaintStore, issues: Issues) -> None:
    pigeon = imported.get("nyc311-59000008")
    assert pigeon.channel is Channel.PUBLIC_AGENCY
    assert pigeon.attributes["channel_raw"] == "CARRIER PIGEON"
    assert any(
        i.reason.startswith("channel_unmapped: method 'CARRIER PIGEON'")
        for i in issues
        if i.line == 10
    )
    assert imported.get("nyc311-59000013").department == "XYZ"  # kept as the agency's name
    alien = imported.get("nyc311-59000014")
    assert alien.codes == ("ALIEN_LANDING.SAUCER_LARGE",)
    assert imported.events(alien.id)[0].code_names == {  # type: ignore[attr-defined]
        "ALIEN_LANDING": "Alien Landing",
        "ALIEN_LANDING.SAUCER_LARGE": "Saucer, large",
    }


def test_empty_values_are_unknown(imported: ComplaintStore) -> None:
    c = imported.get("nyc311-59000009")
    assert c.attributes["borough"] == UNKNOWN
    assert c.attributes["zip_code"] == UNKNOWN
    assert c.customer.region == UNKNOWN


def test_rejects_and_duplicates_say_why(imported: ComplaintStore, issues: Issues) -> None:
    rejected = issues.of("rejected")
    assert sorted(rejected) == [7, 13, 14]
    assert rejected[13].reason == "Created Date is empty"
    assert rejected[14].reason.startswith("Created Date '2024-02-30 10:00' does not match its")
    assert issues.of("duplicate")[12].reason.startswith("exact duplicate of line 3")


def test_a_reimport_adds_nothing(store: ComplaintStore) -> None:
    first = import_csv(store, EXPORT, MAPPING, as_of=AS_OF)
    again = import_csv(store, EXPORT, MAPPING, as_of=AS_OF)
    assert again.imported == 0
    assert again.already_imported == first.imported + first.duplicates_in_file
    assert len(store) == first.imported


def test_the_dst_policy_is_configurable(store: ComplaintStore, issues: Issues) -> None:
    data = CsvMapping.from_file(MAPPING).model_copy(
        update={"dst": DstPolicy(gap="reject", overlap="later")}
    )
    import_csv(store, EXPORT, data, as_of=AS_OF, on_issue=issues.append)
    rejected = issues.of("rejected")
    assert "does not exist in America/New_York" in rejected[5].reason
    later = store.get("nyc311-59000004")
    assert later.received_at.isoformat() == "2024-11-03T01:30:00-05:00"
    # Under "later" the 01:50 creation and the 01:10 closure are both standard time: still wrong.
    assert 7 in rejected


# -- the mapping file: pydantic-validated, ConfigErrors that name the key ------------------------


def _mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_unknown_channel_is_a_config_error(tmp_path: Path) -> None:
    path = _mapping(
        tmp_path, "source: x\ncolumns: {created: Created}\nchannels: {Phone: telephone}\n"
    )
    with pytest.raises(ConfigError, match=r"map\.yaml: channels\.Phone: Input should be") as err:
        CsvMapping.from_file(path)
    assert err.value.key == "channels.Phone"


def test_an_unknown_zone_is_a_config_error(tmp_path: Path) -> None:
    path = _mapping(tmp_path, "source: x\nzone: Mars/Olympus\ncolumns: {created: Created}\n")
    with pytest.raises(ConfigError, match=r"zone: .*unknown time zone 'Mars/Olympus'"):
        CsvMapping.from_file(path)


def test_a_missing_created_column_is_a_config_error(tmp_path: Path) -> None:
    path = _mapping(tmp_path, "source: x\ncolumns: {id: Key}\n")
    with pytest.raises(ConfigError, match=r"columns\.created: Field required"):
        CsvMapping.from_file(path)


def test_bad_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = _mapping(tmp_path, "source: [x\n")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        CsvMapping.from_file(path)


def test_an_unknown_key_is_a_config_error(tmp_path: Path) -> None:
    path = _mapping(tmp_path, "source: x\ncolumns: {created: Created, colour: Red}\n")
    with pytest.raises(ConfigError, match=r"columns\.colour: Extra inputs are not permitted"):
        CsvMapping.from_file(path)


def test_a_mapped_column_missing_from_the_header_names_the_key(tmp_path: Path) -> None:
    path = _mapping(
        tmp_path,
        "source: nyc311\ncolumns: {created: Created Date, agency: Agency Acronym}\n"
        "attributes: {borough: Borough}\n",
    )
    with pytest.raises(ConfigError) as err:
        read_csv(EXPORT, path)
    assert err.value.key == "columns.agency"
    assert "column 'Agency Acronym' is not in the header" in str(err.value)
    assert "'Agency'" in str(err.value)  # the header's columns are listed


def test_a_json_mapping_and_a_bad_source_name(tmp_path: Path) -> None:
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"source": "Bad Name!", "columns": {"created": "c"}}))
    with pytest.raises(ConfigError, match=r"source: String should match pattern"):
        CsvMapping.from_file(path)


def test_unlisted_statuses_can_be_refused(
    store: ComplaintStore, issues: Issues, tmp_path: Path
) -> None:
    mapping = CsvMapping.from_file(MAPPING)
    strict = mapping.model_copy(
        update={"statuses": mapping.statuses.model_copy(update={"unlisted": "reject"})}
    )
    data = (
        "Unique Key,Created Date,Closed Date,Agency,Agency Name,Complaint Type,Descriptor,Status,"
        "Due Date,Borough,Incident Zip,Open Data Channel Type\n"
        "1,01/15/2024 08:00:00 AM,,NYPD,x,Noise - Residential,x,Pending,,QUEENS,1,PHONE\n"
    )
    path = tmp_path / "export.csv"
    path.write_text(data, encoding="utf-8")
    report = import_csv(store, path, strict, as_of=AS_OF, on_issue=issues.append)
    assert report.rejected == 1
    assert "status 'Pending' is in none" in issues.of("rejected")[2].reason
