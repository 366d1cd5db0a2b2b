"""What an import remembers in the store: its zone, its code names and its report fields."""

from __future__ import annotations

from pathlib import Path

from interop_sample import AS_OF, DATA

from ccms.interop import (
    SETTINGS_KIND,
    SETTINGS_STREAM,
    StoreSettings,
    import_cfpb,
    import_csv,
    remember_import,
    store_settings,
)
from ccms.interop.cfpb import REPORT_FIELDS
from ccms.store import ComplaintStore, SQLiteStore


def test_a_store_nothing_was_imported_into_knows_nothing(store: ComplaintStore) -> None:
    assert store_settings(store) == StoreSettings()


def test_a_cfpb_import_remembers_its_zone_names_and_fields(store: ComplaintStore) -> None:
    report = import_cfpb(store, DATA / "cfpb_old.csv", as_of=AS_OF, zone_name="America/Chicago")
    settings = store_settings(store)
    assert settings.zone == "America/Chicago"
    assert settings.sources == ("cfpb",)
    assert dict(settings.fields) == dict(REPORT_FIELDS)
    assert settings.fields["channel_raw"] == "Submitted via"
    assert report.code_names  # every name the import made is remembered
    assert dict(settings.code_names) == dict(report.code_names)
    assert settings.code_names["MORTGAGE"] == "Mortgage"
    # a second run adds no complaint and no settings record
    import_cfpb(store, DATA / "cfpb_old.csv", as_of=AS_OF, zone_name="America/Chicago")
    assert store.stream_version(SETTINGS_KIND, SETTINGS_STREAM) == 1


def test_a_later_import_in_another_zone_wins_and_names_add_up(store: ComplaintStore) -> None:
    import_cfpb(store, DATA / "cfpb_old.csv", as_of=AS_OF, zone_name="America/Chicago")
    import_csv(store, DATA / "nyc311_dst.csv", DATA / "nyc311.yaml", as_of=AS_OF)
    settings = store_settings(store)
    assert settings.zone == "America/New_York"  # the mapping's zone
    assert settings.sources == ("cfpb", "nyc311")
    assert settings.fields["borough"] == "Borough"
    assert settings.fields["channel_raw"] == "Submitted via"  # the first label of a key stays
    assert "MORTGAGE" in settings.code_names
    assert store.stream_version(SETTINGS_KIND, SETTINGS_STREAM) == 2


def test_the_settings_survive_a_new_process(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    with SQLiteStore(db) as store:
        remember_import(store, at=AS_OF, source="desk", zone="Asia/Seoul",
                        code_names={"DLV": "배송"}, fields={"branch": "지점"})  # fmt: skip
    with SQLiteStore(db, read_only=True) as again:
        settings = store_settings(again)
    assert (settings.zone, dict(settings.code_names), dict(settings.fields)) == (
        "Asia/Seoul", {"DLV": "배송"}, {"branch": "지점"},
    )  # fmt: skip
