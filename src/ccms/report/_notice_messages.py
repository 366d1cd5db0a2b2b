"""The words of the report's customer-notice section, in English and Korean.

:mod:`ccms.report._messages` merges these into its tables (the same keys in each language), so
:func:`~ccms.report._messages.message` and :func:`~ccms.report._messages.term` find them.

>>> sorted(NOTICE_EN) == sorted(NOTICE_KO)
True
>>> NOTICE_KO["section.notices"]
'고객 안내 및 분쟁해결기준'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

__all__ = ["NOTICE_EN", "NOTICE_KINDS", "NOTICE_KO", "NOTICE_TERMS"]

NOTICE_EN: Final[Mapping[str, str]] = {
    "section.notices": "Customer notices and remedy standards",
    "notices.none": "No notice was requested in {label} (no data).",
    "notices.line": "{requested} notices requested in {label}: {delivered} delivered, "
    "{given_up} given up, {pending} pending at {moment}; {retried} delivered or given up "
    "after a failed attempt ({failed} failed attempts in all).",
    "notices.by_kind": "By notice:",
    "notify.none": "No result was registered in {label} (no data).",
    "notify.line": "Result notices (the notify SLA): {notified} of {results} results registered "
    "in {label} were told to the customer by {moment}; time from the result to its delivered "
    "notice: median {median}, p90 {p90}; delivered within {target}: {within}.",
    "standards.none": "No result of {label} was checked against the remedy standard (no data).",
    "standards.line": "Remedies against the remedy standard, by department ({checked} of "
    "{results} results of {label} checked against a standard that applies; departments "
    "without a check left out of the table): below {below}, at {at}, above {above}.",
    "highlight.notices": "Notices: {requested} requested, {delivered} delivered, {given_up} "
    "given up, {pending} pending; result notices within {target}: {within}.",
    "highlight.standards": "Remedies against the standard: {below} below, {at} at, {above} "
    "above ({checked} checked).",
    "rate.of": "{share} ({k} of {n})",
}

NOTICE_KO: Final[Mapping[str, str]] = {
    "section.notices": "고객 안내 및 분쟁해결기준",
    "notices.none": "{label}에 요청된 고객 안내가 없습니다 (자료 없음).",
    "notices.line": "{label} 고객 안내 요청 {requested}건: 전달 {delivered}건, 발송 포기 "
    "{given_up}건, {moment} 기준 대기 {pending}건; 실패 후 재시도로 끝난 안내 {retried}건 "
    "(실패한 시도 모두 {failed}건).",
    "notices.by_kind": "안내 종류별:",
    "notify.none": "{label}에 등록된 처리결과가 없습니다 (자료 없음).",
    "notify.line": "처리결과 통보 (통보 SLA): {label}에 등록된 처리결과 {results}건 중 "
    "{notified}건을 {moment}까지 고객에게 알림; 결과 등록부터 통보 전달까지 중앙값 {median}, "
    "p90 {p90}; {target} 이내 전달: {within}.",
    "standards.none": "{label}의 처리결과 중 분쟁해결기준과 비교된 것이 없습니다 (자료 없음).",
    "standards.line": "분쟁해결기준 대비 보상 수준, 부서별 ({label} 처리결과 {results}건 중 "
    "기준이 적용된 {checked}건; 비교가 없는 부서는 표에서 제외): 기준 미만 {below}, "
    "기준 충족 {at}, 기준 초과 {above}.",
    "highlight.notices": "고객 안내: 요청 {requested}건, 전달 {delivered}건, 발송 포기 "
    "{given_up}건, 대기 {pending}건; {target} 이내 처리결과 통보: {within}.",
    "highlight.standards": "분쟁해결기준 대비: 미만 {below}건, 충족 {at}건, 초과 {above}건 "
    "(비교 {checked}건).",
    "rate.of": "{share} ({n}건 중 {k}건)",
}

#: Korean words of the section's table headers (English: the key itself).
NOTICE_TERMS: Final[Mapping[str, str]] = {
    "notice": "안내",
    "requested": "요청",
    "delivered": "전달",
    "given up": "발송 포기",
    "pending": "대기",
    "failed attempts": "실패한 시도",
    "retried": "재시도",
    "delivery rate": "전달률",
    "results": "처리결과",
    "checked": "비교",
    "below": "기준 미만",
    "at": "기준 충족",
    "above": "기준 초과",
    "below share": "미만 비율",
    "no standard": "기준 없음",
    "unchecked": "미비교",
}

#: The notice kinds (:class:`ccms.notices.NoticeKind`) -> (English, Korean) names.
NOTICE_KINDS: Final[Mapping[str, tuple[str, str]]] = {
    "receipt": ("receipt", "접수 안내"),
    "assignment": ("assignment", "담당자 배정"),
    "waiting": ("waiting on the customer", "고객 회신 요청"),
    "result": ("result", "처리결과 통보"),
    "reopen": ("reopened", "재처리"),
    "closing": ("closing", "종결"),
    "progress": ("progress", "진행 안내"),
}
