"""Customer notices: Korean and English templates, and what a rendered notice never shows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ccms.errors import ConfigError
from ccms.model import Complaint, Concern, CustomerRef, Money, Result
from ccms.model.privacy import find_personal
from ccms.notices import NoticeKind, NoticeTemplates, format_date, render_notice
from ccms.testing.strategies import complaints

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _complaint(**update: object) -> Complaint:
    base = Complaint(
        id="C-1",
        version=5,
        received_at=AT,
        updated_at=AT,
        channel="phone",
        customer=CustomerRef(id="CUST-7", language="ko"),
        stage="result_registered",
        handler="agent-12",
        concerns=(Concern(kind="complaint", text="hong 010-1234-5678 broke"),),
        result=Result(
            remedy="refund", amount=Money(amount="35000"), cause="INTERNAL cause", measures="M"
        ),
    )
    return base.model_copy(update=update)


@pytest.mark.parametrize("language", ["ko", "en"])
@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_kind_renders_in_korean_and_english(kind: NoticeKind, language: str) -> None:
    notice = render_notice(_complaint(), kind, language, expected=date(2026, 3, 9))
    assert notice.kind is kind
    assert notice.language == language
    assert "C-1" in notice.subject
    assert "C-1" in notice.body
    assert notice.templates_version == "builtin-1"
    assert "{{" not in notice.body
    assert "{%" not in notice.body


def test_the_result_notice_names_the_remedy_amount_and_reason_in_the_language() -> None:
    ko = render_notice(_complaint(), "result", "ko", reason="구입 후 10일 이내의 품질 불량")
    assert "조치: 환불 (35000 KRW)" in ko.body
    assert "사유: 구입 후 10일 이내의 품질 불량" in ko.body
    assert ko.body.endswith("결과에 대한 의견을 여쭙는 연락을 드릴 수 있습니다.")  # what follows
    en = render_notice(_complaint(), "result", "en", reason="a defect within 10 days")
    assert "We are offering a refund (35000 KRW)." in en.body
    assert "Why: a defect within 10 days" in en.body


def test_the_result_notice_shows_the_remedy_standard_applied() -> None:
    from ccms.policy.remedy_standards import RemedyStandards, check_remedy

    check = check_remedy(
        RemedyStandards.example_table(),
        "refund",
        category="kettle",
        defect="performance",
        purchased_on=date(2026, 3, 1),
        reported_on=date(2026, 3, 4),
    )
    assert check.standard is not None
    ko = render_notice(_complaint(), "result", "ko", standard=check.standard)
    assert "적용 기준: 교환 또는 환불 (performance defect within 10 days of purchase)" in ko.body
    en = render_notice(_complaint(), "result", "en", standard=check.standard)
    assert "The standard for your case: an exchange or a refund (performance" in en.body
    assert "standard" not in render_notice(_complaint(), "result", "en").body


def test_the_language_defaults_to_the_customers() -> None:
    notice = render_notice(_complaint(), "closing")
    assert notice.language == "ko"
    assert "종결되었습니다" in notice.body


def test_expected_date_defaults_to_the_sla_due_date_in_the_given_zone() -> None:
    due = datetime(2026, 3, 5, 20, tzinfo=UTC)  # 6 March in Seoul
    complaint = _complaint(stage="in_progress", due_at=due)
    assert "5 March 2026" in render_notice(complaint, "receipt", "en").body
    seoul = timezone(timedelta(hours=9))
    assert "2026년 3월 6일" in render_notice(complaint, "receipt", "ko", zone=seoul).body
    assert (
        "finish by"
        not in render_notice(complaint.model_copy(update={"due_at": None}), "receipt", "en").body
    )


def test_a_naive_expected_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_notice(_complaint(), "receipt", "en", expected=datetime(2026, 3, 5))


def test_the_handler_is_shown_only_by_display_name_when_the_host_passes_it() -> None:
    complaint = _complaint(stage="handler_assigned")
    hidden = render_notice(complaint, "assignment", "en")
    assert "agent-12" not in hidden.body
    assert " to " not in hidden.body.splitlines()[0]
    shown = render_notice(complaint, "assignment", "en", handler_name="Kim")
    assert "assigned to Kim." in shown.body
    assert "agent-12" not in shown.body


def test_reason_is_autoescaped_and_its_personal_data_masked() -> None:
    notice = render_notice(
        _complaint(), "waiting", "en", reason="<b>send</b> to hong@example.com or 010-9876-5432"
    )
    assert "<b>" not in notice.body
    assert "&lt;b&gt;send&lt;/b&gt;" in notice.body
    assert "hong@example.com" not in notice.body
    assert "9876-5432" not in notice.body
    spans = find_personal(notice.body)
    assert spans
    assert all(set(notice.body[s.start : s.end]) & {"*"} for s in spans)


def test_an_unknown_language_names_the_languages_there_are() -> None:
    with pytest.raises(
        ConfigError, match=r"templates\.result\.fr: no such template; allowed: en, ko"
    ):
        render_notice(_complaint(), "result", "fr")


def test_templates_naming_unknown_or_broken_names_are_refused_on_load() -> None:
    bad = {"templates": {"result": {"en": {"subject": "x", "body": "{{ complaint.concerns }}"}}}}
    with pytest.raises(ConfigError, match=r"templates\.result\.en\.body: names 'complaint'"):
        NoticeTemplates.from_mapping(bad, "t.toml")
    broken = {"templates": {"result": {"en": {"subject": "{% if %}", "body": "x"}}}}
    with pytest.raises(ConfigError, match="is not a valid template"):
        NoticeTemplates.from_mapping(broken, "t.toml")


def test_the_sandbox_refuses_attribute_tricks_even_with_allowed_names() -> None:
    from jinja2.exceptions import SecurityError

    sneaky = {
        "templates": {"result": {"en": {"subject": "x", "body": "{{ stage.__class__.__mro__ }}"}}}
    }
    templates = NoticeTemplates.from_mapping(sneaky, "t.toml")
    with pytest.raises(SecurityError):
        render_notice(_complaint(), "result", "en", templates=templates)


def test_a_host_file_loads_like_the_builtin(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "mine.toml"
    path.write_text(
        'version = "acme-2"\n[templates.closing.en]\nsubject = "Bye {{ complaint_number }}"\n'
        'body = "Closed: {{ stage }}"\n[stages.en]\nclosed = "all done"\n',
        encoding="utf-8",
    )
    templates = NoticeTemplates.from_file(path)
    notice = render_notice(_complaint(stage="closed"), "closing", "en", templates=templates)
    assert (notice.subject, notice.body, notice.templates_version) == (
        "Bye C-1",
        "Closed: all done",
        "acme-2",
    )


def test_format_date_falls_back_to_iso() -> None:
    assert format_date(date(2026, 12, 31), "ja") == "2026-12-31"


_SECRET = "SECRETNOTE"
_phones = st.from_regex(r"01[016789]-[0-9]{3,4}-[0-9]{4}", fullmatch=True)


@given(
    mine=complaints(max_commands=8),
    other=complaints(max_commands=8),
    kind=st.sampled_from(list(NoticeKind)),
    language=st.sampled_from(["ko", "en"]),
    phone=_phones,
)
def test_a_notice_depends_only_on_what_the_customer_may_see(
    mine: Complaint, other: Complaint, kind: NoticeKind, language: str, phone: str
) -> None:
    """Swapping in another customer's complaint data (all but what a notice may show) changes
    nothing, and no internal note, handler id or unmasked contact detail ever shows."""
    planted = mine.model_copy(
        update={
            "concerns": tuple(
                c.model_copy(update={"text": f"{_SECRET} call {phone}"}) for c in mine.concerns
            ),
            "handler": "handler-" + _SECRET.lower(),
            "previous_handlers": ("prev-" + _SECRET.lower(),),
            "customer": mine.customer.model_copy(update={"id": "CUST-" + _SECRET}),
            "tags": frozenset({"tag-" + _SECRET.lower()}),
            "result": (
                mine.result.model_copy(update={"cause": _SECRET, "measures": _SECRET})
                if mine.result
                else None
            ),
        }
    )
    swapped = planted.model_copy(
        update={
            "concerns": other.concerns,
            "handler": other.handler,
            "previous_handlers": other.previous_handlers,
            "customer": other.customer,
            "tags": other.tags,
            "attributes": other.attributes,
            "department": other.department,
            "result": (
                mine.result.model_copy(update={"cause": other.id, "measures": ""})
                if mine.result
                else None
            ),
        }
    )
    reason = f"please call {phone}"
    notice = render_notice(planted, kind, language, reason=reason)
    assert notice == render_notice(swapped, kind, language, reason=reason)
    text = notice.subject + "\n" + notice.body
    assert _SECRET not in text.upper()
    assert phone not in text
    assert find_personal(text) == []
    assert mine.id in notice.subject


def test_without_jinja2_rendering_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from ccms.errors import MissingExtra
    from ccms.notices import templates as module

    for name in [m for m in sys.modules if m == "jinja2" or m.startswith("jinja2.")]:
        monkeypatch.setitem(sys.modules, name, None)
    module.environment.cache_clear()
    try:
        fresh = NoticeTemplates.model_validate(  # nothing compiled yet
            {"templates": {"result": {"en": {"subject": "x", "body": "y"}}}}
        )
        with pytest.raises(MissingExtra, match=r"ccms\[notices\]"):
            render_notice(_complaint(), "result", "en", templates=fresh)
    finally:
        module.environment.cache_clear()
