"""The report's customer-notice section: figures over the period, Korean and English renderings,
"no data" when nothing was sent, and no section without histories."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ccms.model import (
    Actor,
    AppliedStandard,
    DepartmentAssigned,
    DomainEvent,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    Result,
    ResultRegistered,
)
from ccms.report import build_report, render_html, render_json, render_markdown
from ccms.report._messages import MESSAGES, TERMS
from ccms.report._notice_messages import NOTICE_EN, NOTICE_KO, NOTICE_TERMS

AS_OF = datetime(2026, 11, 1, tzinfo=UTC)
T = datetime(2026, 10, 5, 9, tzinfo=UTC)
H = timedelta(hours=1)


def _head(cid: str, v: int, at: datetime) -> dict[str, Any]:
    return {"complaint_id": cid, "version": v, "at": at, "actor": Actor.system()}


def _request(cid: str, v: int, at: datetime, nid: str, template: str, channel: str) -> DomainEvent:
    return NotificationRequested(**_head(cid, v, at), notification_id=nid, template=template,
                                 cause="test", language="ko", channel=channel, recipient="K",
                                 subject="s", body="b")  # fmt: skip


def _month() -> list[list[DomainEvent]]:
    """Two complaints of October and one notice of September."""
    below = AppliedStandard(table="example", version="2026-01", rule="within 10 days",
                            verdict="below", supervisor="sv-park", reason="customer agreed")  # fmt: skip
    at = AppliedStandard(table="example", version="2026-01", rule="within 10 days", verdict="at")
    one = [
        DepartmentAssigned(**_head("C-1", 2, T), department="qa"),
        ResultRegistered(**_head("C-1", 3, T + H), result=Result(remedy="repair"), standard=below),
        _request("C-1", 3, T + H, "N-1", "result", "sms"),
        NotificationFailed(
            **_head("C-1", 4, T + 2 * H), notification_id="N-1", attempt=1, retry_at=T + 3 * H
        ),
        NotificationDelivered(**_head("C-1", 5, T + 3 * H), notification_id="N-1", attempt=2),
    ]
    two = [
        DepartmentAssigned(**_head("C-2", 2, T), department="md"),
        ResultRegistered(**_head("C-2", 3, T + H), result=Result(remedy="exchange"), standard=at),
        _request("C-2", 3, T + H, "N-2", "result", "email"),
        NotificationFailed(
            **_head("C-2", 4, T + 2 * H),
            notification_id="N-2",
            attempt=1,
            gave_up=True,
            retryable=False,
        ),
        _request("C-2", 5, T + 4 * H, "N-3", "closing", "email"),
    ]
    september = [_request("C-3", 2, T - timedelta(days=20), "N-4", "receipt", "sms")]
    return [one, two, september]


@pytest.fixture(scope="module")
def histories() -> list[list[DomainEvent]]:
    return _month()


def test_the_section_counts_the_periods_notices(histories: list[list[DomainEvent]]) -> None:
    report = build_report([], as_of=AS_OF, notices=histories, notice_target=timedelta(hours=4))
    f = report.notices
    assert f is not None
    assert (f.start, f.end) == (datetime(2026, 10, 1, tzinfo=UTC), AS_OF)
    assert (f.total.requested, f.total.delivered, f.total.given_up, f.total.pending) == (3, 1, 1, 1)
    assert set(f.by_channel) == {"sms", "email"}  # September's receipt is outside the period
    assert (f.notify.results, f.notify.notified, f.notify.time.median) == (2, 1, 7200)
    assert (f.notify.within.successes, f.notify.within.n) == (1, 2)
    assert set(f.standards_by_department) == {"qa", "md"}
    assert (f.standards.below, f.standards.at) == (1, 1)
    data = json.loads(render_json(report))
    assert data["notices"]["total"]["pending"] == 1
    assert data["notices"]["by_channel"]["email"]["given_up"] == 1
    assert data["notices"]["standards_by_department"]["qa"]["below"] == 1


def test_english_renderings(histories: list[list[DomainEvent]]) -> None:
    report = build_report([], as_of=AS_OF, notices=histories, notice_target=timedelta(hours=4))
    md = render_markdown(report)
    section = md[md.index("## Customer notices and remedy standards") :]
    assert "3 notices requested in 2026-10: 1 delivered, 1 given up, 1 pending" in section
    assert "| email | 2 | 0 | 1 | 1 | 1 | 0 | 0% (0 of 1) |" in section
    assert "| total | 3 | 1 | 1 | 1 | 2 | 1 | 50% (1 of 2) |" in section
    assert "| closing | 1 | 0 | 0 | 1 |" in section
    assert "1 of 2 results registered in 2026-10" in section
    assert "median 2h 0m" in section
    assert "delivered within 4 hours: 50% (1 of 2)" in section
    assert "| qa | 1 | 1 | 1 | 0 | 0 | 100% (1 of 1) | 0 | 0 |" in section
    assert "below 50% (1 of 2), at 50% (1 of 2), above 0% (0 of 2)" in section
    highlights = report.highlights()
    assert any(h.startswith("Notices: 3 requested, 1 delivered, 1 given up") for h in highlights)
    assert "Remedies against the standard: 1 below, 1 at, 0 above (2 checked)." in highlights
    page = render_html(report)
    assert "<h2>Customer notices and remedy standards</h2>" in page
    assert '<td class="num">50% (1 of 2)</td>' in page


def test_korean_renderings(histories: list[list[DomainEvent]]) -> None:
    report = build_report([], as_of=AS_OF, notices=histories, notice_target=timedelta(hours=4),
                          language="ko")  # fmt: skip
    md = render_markdown(report)
    section = md[md.index("## 고객 안내 및 분쟁해결기준") :]
    assert "2026-10 고객 안내 요청 3건: 전달 1건, 발송 포기 1건" in section
    assert "| 채널 | 요청 | 전달 | 발송 포기 | 대기 |" in section
    assert "| 처리결과 통보 | 2 |" in section
    assert "4시간 이내 전달: 50% (2건 중 1건)" in section
    assert "| 부서 | 처리결과 | 비교 | 기준 미만 | 기준 충족 | 기준 초과 |" in section
    assert any(h.startswith("고객 안내: 요청 3건") for h in report.highlights())
    page = render_html(report)
    assert "<h2>고객 안내 및 분쟁해결기준</h2>" in page
    assert "Customer notices" not in page


@pytest.mark.parametrize(
    ("language", "none"),
    [("en", "No notice was requested in 2026-10 (no data)."),
     ("ko", "2026-10에 요청된 고객 안내가 없습니다 (자료 없음).")],
)  # fmt: skip
def test_no_data_when_nothing_was_sent(language: str, none: str) -> None:
    report = build_report([], as_of=AS_OF, notices=[[]], language=language)
    assert report.notices is not None
    assert report.notices.empty
    md = render_markdown(report)
    assert none in md
    assert MESSAGES[language]["no_data"] in md.split(none)[1]  # the notify and standard lines
    assert f'<p class="none">{none}</p>' in render_html(report)
    assert not [h for h in report.highlights() if "Notices" in h or "고객 안내" in h]


def test_without_histories_there_is_no_section() -> None:
    report = build_report([], as_of=AS_OF)
    assert report.notices is None
    assert "Customer notices" not in render_markdown(report)
    assert "Customer notices" not in render_html(report)
    assert json.loads(render_json(report))["notices"] is None


def test_the_section_words_do_not_replace_the_reports() -> None:
    assert sorted(NOTICE_EN) == sorted(NOTICE_KO)
    for language, words in (("en", NOTICE_EN), ("ko", NOTICE_KO)):
        assert all(MESSAGES[language][k] == v for k, v in words.items())
    assert all(TERMS[k] == v for k, v in NOTICE_TERMS.items())


def test_a_report_from_a_store_has_the_section(histories: list[list[DomainEvent]]) -> None:
    from ccms.model import ComplaintReceived, Concern, CustomerRef, fold
    from ccms.report import report_from_store

    stored: dict[str, list[DomainEvent]] = {}
    for history in histories:
        cid = history[0].complaint_id
        received = ComplaintReceived(**_head(cid, 1, T - timedelta(days=25)), stage="received",
                                     received_at=T - timedelta(days=25), channel="web",
                                     customer=CustomerRef(id="K"),
                                     concerns=(Concern(kind="complaint", text="x"),))  # fmt: skip
        stored[cid] = [received, *history]

    class Store:
        def query(self, **filters: Any) -> list[Any]:
            return [fold(events[:1]) for events in stored.values()]

        def events(self, complaint_id: str) -> list[DomainEvent]:
            return stored[complaint_id]

    report = report_from_store(Store(), period="2026-10", as_of=AS_OF, notice_target=4 * H)
    assert report.notices is not None
    assert report.notices == build_report([], as_of=AS_OF, notices=histories,
                                          notice_target=4 * H).notices  # fmt: skip
    assert report.notices.total.requested == 3


def test_departments_without_a_check_stay_out_of_the_table(
    histories: list[list[DomainEvent]],
) -> None:
    unchecked = [
        DepartmentAssigned(**_head("C-9", 2, T), department="cs"),
        ResultRegistered(**_head("C-9", 3, T + H), result=Result(remedy="apology")),
    ]
    report = build_report([], as_of=AS_OF, notices=[*histories, unchecked])
    assert report.notices is not None
    assert report.notices.standards_by_department["cs"].unchecked == 1
    md = render_markdown(report)
    section = md[md.index("## Customer notices and remedy standards") :]
    assert "| cs |" not in section
    assert "| qa | 1 | 1 | 1 |" in section
    assert "| total | 3 | 2 | 1 | 1 | 0 | 50% (1 of 2) | 0 | 1 |" in section
