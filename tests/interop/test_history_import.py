"""import_history on records built in code: order, the future, atomicity, idempotency, stages."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from interop_sample import AS_OF, Issues

from ccms.errors import ConfigError, InvalidInput, NaiveDatetimeError, StoreError
from ccms.interop import (
    NO_TEXT,
    UNKNOWN,
    AmbiguousLocalTime,
    DstPolicy,
    HistoricalComplaint,
    HistoryImported,
    ImportReport,
    NonexistentLocalTime,
    RowRejected,
    SourceWarning,
    Stages,
    UnknownZone,
    code_path,
    history_event,
    import_history,
    localize,
)
from ccms.model import Actor, Channel, Complaint, DomainEvent, fold
from ccms.store import ASAP, AppendResult, ComplaintStore, InMemoryStore
from ccms.testing.store_contract import received_event
from ccms.workflow import Workflow, WorkflowDefinition
from ccms.workflow.definition import StageSpec, TransitionSpec


def record(source_id: str | None = "1", **fields: Any) -> HistoricalComplaint:
    values: dict[str, Any] = {
        "source": "test",
        "source_id": source_id,
        "received_at": date(2024, 5, 1),
        "channel": "web",
        "codes": ("PRD.DEF",),
        "code_names": {"PRD": "Product", "PRD.DEF": "Defect"},
    }
    values.update(fields)
    return HistoricalComplaint(**values)


def test_a_closed_record_is_one_event_at_version_1(store: ComplaintStore) -> None:
    closed = datetime(2024, 5, 3, 15, tzinfo=UTC)
    r = record(closed_at=closed, outcome="explanation", handler="kim", department="cs")
    report = import_history(store, [r], as_of=AS_OF)
    assert report.imported == 1
    (event,) = store.events("test-1")
    assert isinstance(event, HistoryImported)
    assert event.version == 1
    assert event.trigger == "import"
    assert event.actor == Actor.system()
    assert event.at == closed
    assert event.imported_at == AS_OF
    assert event.run == report.run
    c = store.get("test-1")
    assert c == fold([event])
    assert c.version == 1
    assert c.stage == "closed"
    assert c.handler == "kim"
    assert c.department == "cs"
    assert c.resolved_at == closed
    assert c.first_response_at is None  # not invented
    assert c.updated_at == closed
    assert store.wake_at("test-1") is None
    assert report.code_names == {"PRD": "Product", "PRD.DEF": "Defect"}


def test_open_records_end_in_a_stage_by_their_assignment(store: ComplaintStore) -> None:
    rows = [
        record("a"),
        record("b", department="cs"),
        record("c", department="cs", handler="kim"),
        record("d", status="duplicate"),
        record("e", status="withdrawn"),
    ]
    import_history(store, rows, as_of=AS_OF)
    stages = {cid: store.get(cid).stage for cid in store.ids()}
    assert stages == {
        "test-a": "classified",
        "test-b": "department_assigned",
        "test-c": "in_progress",
        "test-d": "rejected",
        "test-e": "withdrawn",
    }
    assert store.get("test-a").closed_at is None
    assert store.get("test-d").closed_at == store.get("test-d").received_at


def test_open_records_can_be_woken_by_the_desk(store: ComplaintStore) -> None:
    import_history(store, [record("a"), record("b", status="closed")], as_of=AS_OF, wake_open=True)
    assert store.wake_at("test-a") == ASAP
    assert store.wake_at("test-b") is None


def test_a_receipt_after_as_of_is_rejected_with_the_reason(
    store: ComplaintStore, issues: Issues
) -> None:
    r = record(received_at=date(2025, 6, 1), line=7)
    report = import_history(store, [r], as_of=AS_OF, on_issue=issues.append)
    assert report.rejected == 1
    assert len(store) == 0
    (issue,) = issues
    assert issue.kind == "rejected"
    assert issue.line == 7
    assert issue.reason == (
        "received_at 2025-06-01T00:00:00+00:00 is after the import's as_of "
        "2025-01-01T00:00:00+00:00; nothing is imported from the future"
    )


def test_a_closure_after_as_of_is_rejected(store: ComplaintStore, issues: Issues) -> None:
    r = record(closed_at=AS_OF + timedelta(seconds=1))
    import_history(store, [r], as_of=AS_OF, on_issue=issues.append)
    assert issues[0].reason.startswith("closed_at 2025-01-01T00:00:01+00:00 is after")


@pytest.mark.parametrize("field", ["sent_at", "first_response_at", "closed_at", "due_at"])
def test_nothing_comes_before_the_receipt(field: str) -> None:
    with pytest.raises(InvalidInput, match=f"{field} 2024-04-30.* is before the receipt"):
        record(**{field: date(2024, 4, 30)})


def test_a_closure_before_the_first_response_is_refused() -> None:
    with pytest.raises(InvalidInput, match="is before the first response"):
        record(first_response_at=date(2024, 5, 5), closed_at=date(2024, 5, 4))


def test_the_status_follows_the_outcome_or_the_closure() -> None:
    assert record().status.value == "open"
    assert record(closed_at=date(2024, 5, 2)).status.value == "closed"
    assert record(outcome="in_progress").status.value == "open"
    assert record(outcome="monetary_relief").status.value == "closed"


def test_missing_values_are_explicit() -> None:
    r = record(attributes={"state": None, "zip": "", "n": 3})
    assert r.attributes == {"state": UNKNOWN, "zip": UNKNOWN, "n": 3}
    assert r.text == NO_TEXT
    assert record(summary="Late delivery").text == "Late delivery"
    event = history_event(r, as_of=AS_OF)
    assert event.customer.region == UNKNOWN
    assert event.customer.id == "test-1"  # a customer known only by this complaint
    c = fold([event])
    assert c.attributes["channel_raw"] == UNKNOWN
    assert c.attributes["outcome"] == UNKNOWN


def test_an_attribute_the_import_writes_itself_is_refused() -> None:
    with pytest.raises(InvalidInput, match="attribute 'source' is written by the import"):
        history_event(record(attributes={"source": "x"}), as_of=AS_OF)


def test_a_record_without_a_source_id_is_known_by_its_content(store: ComplaintStore) -> None:
    a = record(None, line=3)
    b = record(None, line=9)  # the same facts on another line
    c = record(None, line=10, channel="phone")
    issues = Issues()
    report = import_history(store, [a, b, c], as_of=AS_OF, on_issue=issues.append)
    assert report.imported == 2
    assert report.duplicates_in_file == 1
    assert issues.of("duplicate")[9].reason.startswith("exact duplicate of line 3")
    assert a.fingerprint() == b.fingerprint() != c.fingerprint()


def test_rows_a_reader_rejected_and_warnings_are_counted(store: ComplaintStore) -> None:
    items: list[HistoricalComplaint | RowRejected | SourceWarning] = [
        SourceWarning("junk_line", "line 1 skipped", 1),
        RowRejected(2, "unreadable", "x"),
        record("ok", line=3),
    ]
    report = import_history(store, items, as_of=AS_OF)
    assert report.rows_read == 2
    assert report.rejected == 1
    assert report.imported == 1
    assert report.warnings == {"junk_line": 1}
    assert report.adds_up


def test_an_id_taken_by_a_live_complaint_is_rejected(store: ComplaintStore) -> None:
    live = received_event("test-1", datetime(2024, 5, 1, tzinfo=UTC))
    store.append(fold([live]), [live], expected_version=0)
    issues = Issues()
    report = import_history(store, [record()], as_of=AS_OF, on_issue=issues.append)
    assert report.rejected == 1
    assert "taken by a complaint that was not imported" in issues[0].reason
    assert store.events("test-1") == [live]


def test_a_new_run_over_the_same_records_adds_nothing(store: ComplaintStore) -> None:
    rows = [record(str(i)) for i in range(5)]
    first = import_history(store, rows, as_of=AS_OF, run="run-1")
    later = import_history(store, rows, as_of=AS_OF + timedelta(days=30), run="run-2")
    assert first.imported == 5
    assert later.imported == 0
    assert later.already_imported == 5
    assert later.duplicates == 5
    assert {store.events(cid)[0].run for cid in store.ids()} == {"run-1"}  # type: ignore[attr-defined]


class FailingStore:
    """A store whose n-th append fails like a full disk would (before writing anything)."""

    def __init__(self, inner: ComplaintStore, fail_at: int) -> None:
        self.inner = inner
        self.fail_at = fail_at
        self.calls = 0

    def append(
        self, complaint: Complaint, events: Sequence[DomainEvent], **kwargs: Any
    ) -> AppendResult:
        self.calls += 1
        if self.calls == self.fail_at:
            raise StoreError("disk full")
        return self.inner.append(complaint, events, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name == "append_new":  # a store of the plain port: one complaint per append
            raise AttributeError(name)
        return getattr(self.inner, name)


class FailingBatchStore:
    """A store whose n-th batch (``append_new``) fails before writing anything."""

    def __init__(self, inner: InMemoryStore, fail_at: int) -> None:
        self.inner = inner
        self.fail_at = fail_at
        self.calls = 0

    def append_new(self, items: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.calls == self.fail_at:
            raise StoreError("disk full")
        return self.inner.append_new(items, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_failed_batch_stores_nothing_of_it_and_a_rerun_finishes() -> None:
    inner = InMemoryStore()
    rows = [record(str(i), closed_at=date(2024, 5, 2), outcome="explanation") for i in range(6)]
    with pytest.raises(StoreError, match="disk full"):
        import_history(FailingBatchStore(inner, fail_at=2), rows, as_of=AS_OF, batch=2)  # type: ignore[arg-type]
    assert len(inner) == 2  # the first batch whole, nothing of the second
    report = import_history(inner, rows, as_of=AS_OF, batch=2)
    assert (report.imported, report.already_imported, len(inner)) == (4, 2, 6)


def test_a_store_failure_leaves_no_complaint_half_imported_and_a_rerun_finishes() -> None:
    inner = InMemoryStore()
    rows = [record(str(i), closed_at=date(2024, 5, 2), outcome="explanation") for i in range(6)]
    failing = FailingStore(inner, fail_at=4)
    with pytest.raises(StoreError, match="disk full"):
        import_history(failing, rows, as_of=AS_OF)  # type: ignore[arg-type]
    assert len(inner) == 3
    for cid in inner.ids():  # each stored whole: one event, the final state
        (event,) = inner.events(cid)
        assert inner.get(cid).stage == "closed"
        assert inner.get(cid) == fold([event])
    report = import_history(inner, rows, as_of=AS_OF)
    assert report.imported == 3
    assert report.already_imported == 3
    assert len(inner) == 6


def test_progress_is_reported_every_batch(store: ComplaintStore) -> None:
    seen: list[ImportReport] = []
    import_history(
        store, [record(str(i)) for i in range(7)], as_of=AS_OF, batch=3, progress=seen.append
    )
    assert [r.rows_read for r in seen] == [3, 6]
    assert [r.imported for r in seen] == [3, 6]


def test_arguments_are_checked(store: ComplaintStore) -> None:
    with pytest.raises(NaiveDatetimeError):
        import_history(store, [], as_of=datetime(2025, 1, 1))
    with pytest.raises(InvalidInput, match="batch must be a positive int"):
        import_history(store, [], as_of=AS_OF, batch=0)


def test_stages_are_checked_against_the_workflow(store: ComplaintStore) -> None:
    with pytest.raises(ConfigError, match="Stages: closed: stage 'done' is not a stage"):
        import_history(store, [], as_of=AS_OF, stages=Stages(closed="done"))
    tiny = Workflow(
        WorkflowDefinition(
            name="tiny",
            initial="open",
            stages=(StageSpec(name="open"), StageSpec(name="done", terminal=True)),
            transitions=(TransitionSpec(trigger="finish", source=("open",), dest="done"),),
        )
    )
    stages = Stages(
        open="open",
        open_department="open",
        open_handler="open",
        closed="done",
        duplicate="done",
        withdrawn="done",
    )
    report = import_history(
        store, [record(closed_at=date(2024, 5, 2))], as_of=AS_OF, stages=stages, workflow=tiny
    )
    assert report.imported == 1
    assert store.get("test-1").stage == "done"


# -- local times --------------------------------------------------------------------------------


def test_naive_source_times_are_read_in_the_source_zone() -> None:
    r = record(zone="Asia/Seoul", received_at=datetime(2024, 5, 1, 9, 30))
    assert r.received_at.isoformat() == "2024-05-01T09:30:00+09:00"
    aware = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    assert record(zone="Asia/Seoul", received_at=aware).received_at == aware
    assert record(received_at="2024-05-01T09:30:00").received_at.isoformat() == (
        "2024-05-01T09:30:00+00:00"
    )


def test_an_unknown_zone_is_refused() -> None:
    with pytest.raises(UnknownZone, match="unknown time zone 'Mars/Olympus'"):
        record(zone="Mars/Olympus")


def test_gap_and_overlap_policies() -> None:
    gap = datetime(2024, 3, 10, 2, 30)
    overlap = datetime(2024, 11, 3, 1, 30)
    ny = "America/New_York"
    assert localize(gap, ny).isoformat() == "2024-03-10T03:30:00-04:00"
    assert localize(gap, ny, DstPolicy(gap="shift_backward")).isoformat() == (
        "2024-03-10T01:30:00-05:00"
    )
    with pytest.raises(NonexistentLocalTime, match="shift_forward reads it as 2024-03-10T03:30"):
        localize(gap, ny, DstPolicy(gap="reject"))
    assert localize(overlap, ny).isoformat() == "2024-11-03T01:30:00-04:00"
    assert localize(overlap, ny, DstPolicy(overlap="later")).isoformat() == (
        "2024-11-03T01:30:00-05:00"
    )
    with pytest.raises(AmbiguousLocalTime, match="happened twice in America/New_York"):
        localize(overlap, ny, DstPolicy(overlap="reject"))
    # A record applies its own policy to its own times.
    r = record(zone=ny, dst={"gap": "shift_backward"}, received_at=gap)
    assert r.received_at.isoformat() == "2024-03-10T01:30:00-05:00"
    with pytest.raises(AmbiguousLocalTime):
        record(zone=ny, dst=DstPolicy(overlap="reject"), received_at=overlap)


def test_instants_are_kept_at_fixed_offsets_so_durations_are_exact() -> None:
    r = record(
        zone="America/New_York",
        received_at=datetime(2024, 3, 9, 23),
        closed_at=datetime(2024, 3, 10, 4),
    )
    assert r.closed_at is not None
    assert r.closed_at - r.received_at == timedelta(hours=4)


def test_codes_from_names() -> None:
    code, names = code_path("Mortgage", "")
    assert code == "MORTGAGE"
    assert names == {"MORTGAGE": "Mortgage"}
    long_product = "Credit reporting, credit repair services, or other personal consumer reports"
    with_issue, _ = code_path(long_product, "Improper use of your report")
    alone, _ = code_path(long_product)
    assert with_issue.split(".")[0] == alone  # the parent is the same code
    assert len(with_issue) <= 64
    other, _ = code_path("Credit reporting, credit repair services, or something else")
    assert other != alone  # a shared start does not merge two long names
    with pytest.raises(InvalidInput, match="one or two levels"):
        code_path("a", "b", "c")


def test_code_names_must_name_the_codes_or_their_parents() -> None:
    with pytest.raises(InvalidInput, match="code_names names 'OTHER'"):
        record(code_names={"OTHER": "x"})


def test_the_event_checks_its_own_order() -> None:
    t = datetime(2024, 5, 1, tzinfo=UTC)
    event = history_event(record(closed_at=date(2024, 5, 2)), as_of=AS_OF)
    data = event.model_dump()
    with pytest.raises(InvalidInput, match="after the import's as_of"):
        HistoryImported(**{**data, "imported_at": t})
    with pytest.raises(InvalidInput, match=r"resolved_at .* is after closed_at"):
        HistoryImported(**{**data, "resolved_at": t + timedelta(days=1), "closed_at": t})
    assert HistoryImported(**data) == event
    assert Channel(event.channel) is Channel.WEB


def test_a_run_as_of_before_1970_still_gets_an_id(store: ComplaintStore) -> None:
    old = record(received_at=date(1969, 7, 20))
    report = import_history(store, [old], as_of=datetime(1969, 12, 31, tzinfo=UTC))
    assert report.imported == 1
    assert len(report.run) == 26
