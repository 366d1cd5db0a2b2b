"""The demo month sends notices through the Desk's outbox and checks remedies against the example
standards: its notice figures agree with its event log, the sender's own counts and the report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ccms.demo import TIMEZONE, DemoRun, build_desk, notice_lines, run
from ccms.model import (
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    ResultRegistered,
    Role,
)
from ccms.report import report_from_store

CONTACTS = 40
SEED = 5
START = datetime(2026, 10, 1, tzinfo=ZoneInfo(TIMEZONE))
END = datetime(2026, 11, 1, tzinfo=ZoneInfo(TIMEZONE))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    folder = tmp_path_factory.mktemp("notices")
    result = run(folder / "demo.db", year=2026, month=10, seed=SEED, contacts=CONTACTS)
    yield result
    result.desk.store.close()


def _log(demo: DemoRun) -> list[object]:
    store = demo.desk.store
    return [e for c in store.query() for e in store.events(c.id)]


def test_the_figures_agree_with_the_event_log(demo: DemoRun) -> None:
    f = demo.notices
    assert f is not None
    log = _log(demo)
    requested = {e.notification_id: e for e in log if isinstance(e, NotificationRequested)}
    delivered = {e.notification_id for e in log if isinstance(e, NotificationDelivered)}
    given_up = {e.notification_id for e in log if isinstance(e, NotificationFailed) and e.gave_up}
    failures = [e for e in log if isinstance(e, NotificationFailed)]
    assert f.total.requested == len(requested) > 0
    assert f.total.delivered == len(delivered)
    assert f.total.given_up == len(given_up)
    assert not delivered & given_up  # never both
    assert f.total.failed_attempts == len(failures) > 0
    assert f.total.retried > 0
    for counts in (f.total, *f.by_channel.values(), *f.by_kind.values()):
        assert counts.delivered + counts.given_up + counts.pending == counts.requested
    by_channel = Counter(e.channel.value for e in requested.values())
    assert {k: c.requested for k, c in f.by_channel.items()} == dict(by_channel)
    # what is pending in the figures is what the outbox still offers
    later = END + timedelta(days=30)
    assert f.total.pending == len(demo.desk.pending_notices(later))


def test_the_figures_agree_with_the_senders_counts(demo: DemoRun) -> None:
    f, sender = demo.notices, demo.stats.sender
    assert f is not None
    assert sender is not None
    assert sum(sender.delivered.values()) == f.total.delivered
    assert sum(sender.failed.values()) + sum(sender.refused.values()) == f.total.failed_attempts
    assert sender.attempts == f.total.delivered + f.total.failed_attempts
    assert {k: c.delivered for k, c in f.by_channel.items() if c.delivered} == dict(
        sender.delivered
    )


def test_results_are_told_by_notice_and_counted(demo: DemoRun) -> None:
    f = demo.notices
    assert f is not None
    log = _log(demo)
    results = [e for e in log if isinstance(e, ResultRegistered)]
    assert f.notify.results == len(results)
    assert 0 < f.notify.notified <= f.notify.results
    assert f.notify.time.median is not None
    assert f.notify.time.median >= 0
    lines = notice_lines(demo)
    assert len(lines) == 3
    assert lines[1].startswith(f"Result notices: {f.notify.notified} of {f.notify.results}")


def test_remedies_are_checked_against_the_standard(demo: DemoRun) -> None:
    f = demo.notices
    assert f is not None
    checked = [e for e in _log(demo) if isinstance(e, ResultRegistered) and e.standard is not None]
    verdicts = Counter(e.standard.verdict for e in checked if e.standard is not None)
    s = f.standards
    assert (s.below, s.at, s.above, s.no_standard) == (
        verdicts["below"], verdicts["at"], verdicts["above"], verdicts["no_standard"],
    )  # fmt: skip
    assert s.below >= 1  # the bad batch, bought just after the show and repaired
    org = demo.desk.organization
    for e in checked:
        assert e.standard is not None
        if e.standard.verdict == "below":
            assert e.standard.supervisor is not None
            assert org.agent(e.standard.supervisor).role in (Role.SUPERVISOR, Role.EXECUTIVE)
            assert e.standard.reason
    assert demo.stats.below_standard == s.below
    assert set(f.standards_by_department) >= {"qa"}


def test_nothing_was_refused(demo: DemoRun) -> None:
    assert not demo.stats.refused


def test_the_report_shows_the_same_figures(demo: DemoRun) -> None:
    report = report_from_store(demo.desk.store, period="2026-10", zone=TIMEZONE)
    assert report.notices == demo.notices


def test_without_notices_the_demo_desk_sends_none(tmp_path_factory: pytest.TempPathFactory) -> None:
    desk, _ = build_desk(tmp_path_factory.mktemp("quiet") / "demo.db", year=2026, month=10,
                         notices=False)  # fmt: skip
    try:
        assert desk.notices is None
        assert desk.remedy_standards is None
    finally:
        desk.store.close()
