"""The report's words in each language: one table of messages per language, keys shared.

:data:`MESSAGES` holds the section titles, sentences and chart text (``str.format`` templates);
:data:`TERMS` the Korean words of table headers and row labels (English is the key itself);
:func:`target_name` the name people read for an SLA target id.

>>> message("ko", "section.volume")
'접수 현황'
>>> message("en", "no_data")
'no data'
>>> target_name("first_response", "en"), target_name("first_response", "ko")
('first response', '최초 응답')
>>> target_name("callback_sent", "en")
'callback sent'
>>> term("ko", "concerns"), term("en", "concerns")
('불만 건수', 'concerns')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, get_args

from ccms.errors import InvalidInput
from ccms.report._notice_messages import NOTICE_EN, NOTICE_KO, NOTICE_TERMS

__all__ = [
    "FROM_FIGURES",
    "LANGUAGES",
    "MESSAGES",
    "TERMS",
    "Language",
    "check_language",
    "group_name",
    "kind_name",
    "message",
    "name",
    "target_name",
    "term",
]

Language = Literal["en", "ko"]
#: The languages a report is written in.
LANGUAGES: Final[tuple[str, ...]] = get_args(Language)

_EN: Final[dict[str, str]] = {
    "title.week": "Weekly VOC report {label}",
    "title.month": "Monthly VOC report {label}",
    "title.quarter": "Quarterly VOC report {label}",
    "section.highlights": "Highlights",
    "section.volume": "Volume",
    "section.issues": "Main issues",
    "section.rates": "Complaint rates",
    "section.handling": "Handling and SLA status",
    "section.fairness": "Fairness",
    "section.fields": "Source fields",
    "section.improvements": "Improvement measures",
    "section.points": "CS points",
    "section.ideas": "Ideas",
    "section.institutional": "Institutional improvements",
    "no_data": "no data",
    "all_kinds.same": "Counting the classified concerns of every VOC kind gives the same codes.",
    "all_kinds.none": "No classified concern of any VOC kind in this period.",
    "all_kinds.line": "Classified concerns of every VOC kind, by code (as the ccms demo console "
    "counts them; top {shown} of {codes} codes, {concerns} concerns):",
    "all_kinds.covered": "concerns, {what}",
    "points.no_ledger": "No CS-point ledger was given for this report.",
    "points.no_entries": "The CS-point ledger held no entries at {moment}.",
    "ideas.none": "No idea was proposed by {moment}.",
    "institutional.none": "No institutional-improvement item was recorded by {moment}.",
    "stage.proposed": "proposed in {label}",
    "stage.found": "found in {label}",
    "all_voc": "all VOC",
    "period_line": "{start} to {last} ({zone}), as of {as_of}; covers {covered}; "
    "compared with {previous}.",
    "volume.line": "{total} VOC in {label} ({previous_total} in {previous}); {covered} {what}.",
    "volume.line_no_previous": "{total} VOC in {label} (no data for {previous}); {covered} {what}.",
    "issues.top": "Top {top} of {codes} VOC codes by concerns ({concerns}):",
    "issues.vital": "Vital few (Pareto, {share} of concerns): {codes}.",
    "issues.none": "No concerns in this period.",
    "spikes.against": "Spikes against {previous}:",
    "spikes.none": "No code spiked against {previous}.",
    "rates.none": "No denominators (orders, customers) were given.",
    "sla.none": "No SLA outcomes were recorded for this period's complaints.",
    "fairness.checked": "Checked {n} comparison(s) ({tested}), like for like by VOC code, "
    "groups of at least {min_n}, Holm-corrected.",
    "fairness.none": "No difference between groups survived the correction.",
    "fairness.survey": "Survey bias:",
    "fairness.gini": "Workload among handlers: Gini {gini}.",
    "fields.intro": "The {what} of {label} by the fields of their source (a missing value as "
    "unknown):",
    "improvements.on_time": "On time: {rate}; {pending} still open within their due date.",
    "improvements.none": "No improvement measures were open or finished in this period.",
    "points.balances": "Highest and lowest balances at {moment}:",
    "ideas.moved": "Ideas proposed or moved in {label}:",
    "institutional.overdue": "Planned items past their due date:",
    "institutional.none_overdue": "No planned item is past its due date.",
    "footer": "{title} · made with ccms",
    "highlight.volume": "{covered} {what} received in {label}{change}.",
    "highlight.change": " ({change} on {previous})",
    "highlight.no_previous": " (no data for {previous})",
    "highlight.top": "Top issue: {code}{named}, {count} concerns ({share}).",
    "highlight.spike": "Spike: {code} rose to {count} from {previous_count} in {previous}.",
    "highlight.sla": "SLA targets met {share} of the time ({met} of {n}).",
    "highlight.backlog": "Backlog at {moment}: {open} open, {overdue} past due.",
    "highlight.flags": "{n} fairness flag(s).",
    "highlight.no_flags": "0 fairness flags (no difference survived the correction).",
    "highlight.improvements": "{n} improvement measures tracked, {late} overdue.",
    "highlight.points": "CS points: {entries} ledger entries; {good} good and {bad} bad points "
    "earned in {label}{extra}.",
    "highlight.points_top": "; highest {agent} {balance}",
    "highlight.points_due": "; {consequence} due for {n}",
    "highlight.ideas": "Ideas: {proposed} proposed in {label}, {adopted} adopted and {declined} "
    "declined; {pending} awaiting a decision.",
    "highlight.institutional": "Institutional improvements: {total} items, {open} open, "
    "{overdue} planned items overdue.",
    "chart.trend.title": "Volume per {unit}",
    "chart.trend.ylabel": "{what} per {unit}",
    "chart.trend.alt": "Line chart of {what} per {unit}: {covered} in {label}, "
    "{previous_covered} in {previous}.",
    "count": "{n}",
    "chart.unit.day": "day",
    "chart.unit.week": "week",
    "chart.pareto.title": "VOC codes (Pareto)",
    "chart.pareto.ylabel": "concerns",
    "chart.pareto.cumulative": "cumulative share (%)",
    "chart.pareto.empty": "No concerns in this period",
    "chart.sla.title": "SLA and handling status",
    "chart.sla.xlabel": "share (%)",
    "chart.sla.empty": "No SLA outcomes, responses or backlog in this period",
    "chart.sla.met": "met",
    "chart.sla.breached": "breached",
    "chart.sla.timely": "timely (source-reported)",
    "chart.sla.yes": "yes",
    "chart.sla.no": "no",
    "chart.sla.backlog": "backlog",
    "chart.sla.on_track": "on track",
    "chart.sla.past_due": "past due",
    "chart.sla.no_due": "no due time",
    "chart.fairness.title": "Fairness gaps",
    "chart.fairness.suptitle": "Fairness gaps (95% CI; red: survives the correction)",
    "chart.fairness.xlabel": "difference to all others{unit}",
    "chart.fairness.frame": "{metric} by {by}",
    "timely.reported": "source-reported: the source's own timely flag (e.g. the CFPB's "
    '"Timely response?"), yes / (yes + no); {unflagged} without a flag not counted',
    "timely.sla": "computed: the SLA table's timely_response target (e.g. the CFPB's 15 "
    "calendar days), met / (met + breached)",
    "timely.none": "no timely figure: no complaint carries a source-reported timely flag and "
    "the SLA table has no timely_response target",
    "timely.line": "Timely response: {rate}; {definition}.",
    "rate": "{share} ({successes} of {n})",
    "interval": "{low} to {high}",
    "fairness.tested": "{metric} by {by}",
    "points.summary": "{entries} ledger entries{rules} at {moment}, for {agents} {agent_word}. "
    "Points earned in {label} that count: {good} good, {bad} bad (reversed and expired points "
    "left out, before period caps).",
    "points.rules": " under rule set {rule_set}",
    "points.tiers": "Reward tiers reached: {items}.",
    "points.consequences": "Consequences due: {items}.",
    "ideas.line": "{proposed} {idea_word} proposed in {label} ({total} by {moment}); in "
    "{label}: {reviewed} taken up for review, {adopted} adopted, {declined} declined; "
    "{pending} awaiting a decision.",
    "institutional.line": "{total} {item_word} by {moment} ({discovered} found in {label}), "
    "{open} open; {moved} {move_word} in {label}.",
    "fields.more": "({n} more values)",
    "spike.new": "new",
    "rates.per": "per {per}",
    "chart.pareto.alt": "Pareto chart of concerns per VOC code; largest: {shown}; {vital} codes "
    "make up {share}.",
    "chart.sla.alt": "Stacked bars: {described}",
    "chart.fairness.alt": "Dot plots of {gaps} group differences with confidence intervals over "
    "{metrics} metrics; {flagged} flagged.",
    "chart.fairness.empty": "No group reached the minimum size (n={min_n}) for a verdict",
    **NOTICE_EN,
}

_KO: Final[dict[str, str]] = {
    "title.week": "주간 VOC 보고서 {label}",
    "title.month": "월간 VOC 보고서 {label}",
    "title.quarter": "분기 VOC 보고서 {label}",
    "section.highlights": "주요 내용",
    "section.volume": "접수 현황",
    "section.issues": "주요 불만 유형",
    "section.rates": "불만 발생률",
    "section.handling": "처리 및 SLA 현황",
    "section.fairness": "공정성",
    "section.fields": "원천 데이터 항목별 현황",
    "section.improvements": "개선 조치",
    "section.points": "CS 포인트",
    "section.ideas": "아이디어 제안",
    "section.institutional": "제도개선",
    "no_data": "자료 없음",
    "all_kinds.same": "모든 VOC 유형의 분류된 불만을 세어도 같은 코드입니다.",
    "all_kinds.none": "이 기간에는 분류된 불만이 어느 VOC 유형에도 없습니다.",
    "all_kinds.line": "모든 VOC 유형의 분류된 불만, 코드별 (ccms demo 콘솔과 같은 집계; "
    "코드 {codes}개 중 상위 {shown}개, 불만 {concerns}건):",
    "all_kinds.covered": "불만 건수, {what}",
    "points.no_ledger": "이 보고서에는 CS 포인트 원장이 주어지지 않았습니다.",
    "points.no_entries": "{moment} 기준 CS 포인트 원장에 기록이 없습니다.",
    "ideas.none": "{moment}까지 제안된 아이디어가 없습니다.",
    "institutional.none": "{moment}까지 기록된 제도개선 항목이 없습니다.",
    "stage.proposed": "{label} 제안",
    "stage.found": "{label} 발굴",
    "all_voc": "전체 VOC",
    "period_line": "{start} ~ {last} ({zone}), 기준 시각 {as_of}; 대상 {covered}; "
    "비교 기간 {previous}.",
    "volume.line": "{label} VOC {total}건 ({previous} {previous_total}건); {what} {covered}건.",
    "volume.line_no_previous": "{label} VOC {total}건 ({previous} 자료 없음); {what} {covered}건.",
    "issues.top": "불만 건수 기준 VOC 코드 {codes}개 중 상위 {top}개 (불만 {concerns}건):",
    "issues.vital": "핵심 소수 (파레토, 불만의 {share}): {codes}.",
    "issues.none": "이 기간에는 불만이 없습니다.",
    "spikes.against": "{previous} 대비 급증:",
    "spikes.none": "{previous} 대비 급증한 코드가 없습니다.",
    "rates.none": "분모(주문 수, 고객 수)가 주어지지 않았습니다.",
    "sla.none": "이 기간 불만에 기록된 SLA 결과가 없습니다.",
    "fairness.checked": "비교 {n}건 ({tested}) 점검: VOC 코드별 동일 조건 비교, 최소 {min_n}건 "
    "이상인 집단, Holm 보정.",
    "fairness.none": "보정 후 남은 집단 간 차이가 없습니다.",
    "fairness.survey": "설문 편향:",
    "fairness.gini": "처리자 간 업무량: 지니 계수 {gini}.",
    "fields.intro": "{label}의 {what}, 원천 데이터 항목별 (값이 없으면 unknown):",
    "improvements.on_time": "기한 내 완료: {rate}; 기한 내 진행 중 {pending}건.",
    "improvements.none": "이 기간에 진행 중이거나 완료된 개선 조치가 없습니다.",
    "points.balances": "{moment} 기준 최고·최저 잔액:",
    "ideas.moved": "{label}에 제안되었거나 단계가 바뀐 아이디어:",
    "institutional.overdue": "기한이 지난 계획 항목:",
    "institutional.none_overdue": "기한이 지난 계획 항목이 없습니다.",
    "footer": "{title} · ccms로 작성",
    "highlight.volume": "{label}에 {what} {covered}건 접수{change}.",
    "highlight.change": " ({previous} 대비 {change})",
    "highlight.no_previous": " ({previous} 자료 없음)",
    "highlight.top": "최다 불만: {code}{named}, {count}건 ({share}).",
    "highlight.spike": "급증: {code}, {previous} {previous_count}건에서 {count}건으로 증가.",
    "highlight.sla": "SLA 목표 준수율 {share} ({n}건 중 {met}건).",
    "highlight.backlog": "{moment} 기준 미결 {open}건, 기한 초과 {overdue}건.",
    "highlight.flags": "공정성 경고 {n}건.",
    "highlight.no_flags": "공정성 경고 0건 (보정 후 남은 차이 없음).",
    "highlight.improvements": "개선 조치 {n}건 추적, 기한 초과 {late}건.",
    "highlight.points": "CS 포인트: 원장 기록 {entries}건; {label} 적립 우수 {good}, 벌점 "
    "{bad}{extra}.",
    "highlight.points_top": "; 최고 {agent} {balance}",
    "highlight.points_due": "; {consequence} 대상 {n}명",
    "highlight.ideas": "아이디어: {label} 제안 {proposed}건, 채택 {adopted}건, 불채택 "
    "{declined}건; 결정 대기 {pending}건.",
    "highlight.institutional": "제도개선: 항목 {total}건, 진행 중 {open}건, 기한 초과 계획 항목 "
    "{overdue}건.",
    "chart.trend.title": "{unit}별 접수량",
    "chart.trend.ylabel": "{unit}별 {what}",
    "chart.trend.alt": "{unit}별 {what} 선 그래프: {label} {covered}, {previous} "
    "{previous_covered}.",
    "count": "{n}건",
    "chart.unit.day": "일",
    "chart.unit.week": "주",
    "chart.pareto.title": "VOC 코드 (파레토)",
    "chart.pareto.ylabel": "불만 건수",
    "chart.pareto.cumulative": "누적 비율 (%)",
    "chart.pareto.empty": "이 기간에는 불만이 없습니다",
    "chart.sla.title": "SLA 및 처리 현황",
    "chart.sla.xlabel": "비율 (%)",
    "chart.sla.empty": "이 기간에는 SLA 결과, 응답, 미결 건이 없습니다",
    "chart.sla.met": "준수",
    "chart.sla.breached": "위반",
    "chart.sla.timely": "적기 응답 (원천 보고)",
    "chart.sla.yes": "예",
    "chart.sla.no": "아니오",
    "chart.sla.backlog": "미결",
    "chart.sla.on_track": "기한 내",
    "chart.sla.past_due": "기한 초과",
    "chart.sla.no_due": "기한 없음",
    "chart.fairness.title": "공정성 격차",
    "chart.fairness.suptitle": "공정성 격차 (95% 신뢰구간; 빨강: 보정 후에도 유의)",
    "chart.fairness.xlabel": "나머지 전체와의 차이{unit}",
    "chart.fairness.frame": "{by}별 {metric}",
    "timely.reported": "원천 보고: 원천 데이터의 적기 응답 표시(예: CFPB의 적기 응답 항목), "
    "예 / (예 + 아니오); 표시 없는 {unflagged}건은 세지 않음",
    "timely.sla": "계산: SLA 표의 적기 응답 목표(timely_response, 예: CFPB의 15 역일), "
    "준수 / (준수 + 위반)",
    "timely.none": "적기 응답 수치 없음: 원천이 보고한 적기 표시가 있는 불만이 없고 SLA 표에 "
    "적기 응답(timely_response) 목표가 없습니다",
    "timely.line": "적기 응답: {rate}; {definition}.",
    "rate": "{share} ({n}건 중 {successes}건)",
    "interval": "{low} ~ {high}",
    "fairness.tested": "{by}별 {metric}",
    "points.summary": "{moment} 기준 원장 기록 {entries}건{rules}, 상담원 {agents}명. "
    "{label}에 적립되어 인정된 포인트: 우수 {good}, 벌점 {bad} (취소·소멸된 포인트 제외, 기간 "
    "상한 적용 전).",
    "points.rules": " (규칙 세트 {rule_set})",
    "points.tiers": "도달한 포상 등급: {items}.",
    "points.consequences": "조치 대상: {items}.",
    "ideas.line": "{label}에 아이디어 {proposed}건 제안 ({moment}까지 {total}건); {label} 중 "
    "검토 착수 {reviewed}건, 채택 {adopted}건, 불채택 {declined}건; 결정 대기 {pending}건.",
    "institutional.line": "{moment}까지 제도개선 항목 {total}건 ({label} 발굴 {discovered}건), "
    "진행 중 {open}건; {label} 단계 이동 {moved}건.",
    "fields.more": "(그 밖의 값 {n}개)",
    "spike.new": "신규",
    "rates.per": "{per}당",
    "chart.pareto.alt": "VOC 코드별 불만 건수 파레토 차트; 상위: {shown}; 코드 {vital}개가 "
    "{share}를 차지.",
    "chart.sla.alt": "누적 막대: {described}",
    "chart.fairness.alt": "지표 {metrics}개에 걸친 집단 차이 {gaps}개와 신뢰구간의 점 도표; "
    "경고 {flagged}건.",
    "chart.fairness.empty": "판정에 필요한 최소 크기(n={min_n})에 이른 집단이 없습니다",
    **NOTICE_KO,
}


#: Sentences another language writes from the figures where English prints the metrics' own
#: sentence (a fairness flag, a survey-bias warning, a workload flag): language -> key ->
#: template. A language without one keeps the English sentence.
FROM_FIGURES: Final[Mapping[str, Mapping[str, str]]] = {
    "ko": {
        "fairness.flag": "{by} {group}: {other} 대비 {metric} 차이 {difference}{unit} "
        "(95% 신뢰구간 {low} ~ {high}; n={n} 대 {n_other}; 보정 p={p})",
        "survey.low": "{by} {group}의 CSAT는 비교에 쓰기 어렵습니다: 해피콜 응답률 {rate}, "
        "기준 {threshold} 이상",
        "survey.gap": "{by} {group}의 CSAT는 비교에 쓰기 어렵습니다: 응답률 {rate} "
        "(전체 {overall}, 차이 {threshold}%p 초과)",
        "workload.flag": "처리자 {handler}: 처리 역량 단위당 배정 {load}건, "
        "평균 {mean}건의 {ratio}배",
    },
}

#: Every message, per language (the same keys in each).
MESSAGES: Final[Mapping[str, Mapping[str, str]]] = {"en": _EN, "ko": _KO}

#: Korean words for the table headers and row labels the renderers print (English: the key).
TERMS: Final[Mapping[str, str]] = {
    "kind": "유형",
    "VOC": "VOC",
    "channel": "채널",
    "code": "코드",
    "name": "이름",
    "concerns": "불만 건수",
    "share": "비율",
    "cumulative": "누적",
    "previous": "이전 기간",
    "change": "증감",
    "expected": "기대값",
    "ratio": "배율",
    "p": "p",
    "denominator": "분모",
    "units": "단위 수",
    "complaints": "불만",
    "figure": "항목",
    "value": "값",
    "target": "목표",
    "met": "준수",
    "breached": "위반",
    "compliance": "준수율",
    "95% CI": "95% 신뢰구간",
    "measure": "조치",
    "owner": "담당",
    "due": "기한",
    "stage": "단계",
    "state": "상태",
    "days late": "지연 일수",
    "progress": "진척도",
    "agent": "상담원",
    "points": "포인트",
    "standing": "등급",
    "points by rule": "규칙별 포인트",
    "before": "이전",
    "total": "합계",
    "received": "접수",
    "resolved": "해결",
    "still open": "미결",
    "withdrawn / rejected": "취하 / 반려",
    "first response (mean / median / p90)": "최초 응답 (평균 / 중앙값 / p90)",
    "resolution (mean / median / p90)": "해결 (평균 / 중앙값 / p90)",
    "time to close (mean / median / p90)": "종결까지 (평균 / 중앙값 / p90)",
    "first response, business time": "최초 응답, 영업 시간",
    "resolution, business time": "해결, 영업 시간",
    "company time to resolve (excl. waiting on customer)": "회사 처리 시간 (고객 대기 제외)",
    "waiting on the customer": "고객 대기",
    "timely response (source-reported)": "적기 응답 (원천 보고)",
    "timely response (SLA target timely_response)": "적기 응답 (SLA 목표)",
    "first-contact resolution": "첫 접촉 해결",
    "reopened": "재개",
    "transfers per complaint": "불만당 이관 수",
    "escalated": "상향 보고",
    "happy call reached": "해피콜 연결",
    "satisfied (of answered)": "만족 (응답자 중)",
    "CSAT mean (1-5)": "CSAT 평균 (1-5)",
    "backlog open": "미결 건",
    "backlog past due / on track": "미결 기한 초과 / 기한 내",
    "backlog age (mean / median / p90)": "미결 경과 (평균 / 중앙값 / p90)",
    "oldest open": "최장 미결",
    "backlog age, business time": "미결 경과, 영업 시간",
    "monetary relief": "금전 보상",
    "relief share": "보상 비율",
    "concerns, every kind": "불만 건수, 전체 유형",
    "idea": "아이디어",
    "title": "제목",
    "proposer": "제안자",
    "department": "부서",
    "proposed": "제안일",
    "decided": "결정일",
    "item": "항목",
    "horizon": "기간 구분",
    "done on time": "기한 내 완료",
    "done late": "지연 완료",
    "overdue": "기한 초과",
    "open": "진행 중",
    **NOTICE_TERMS,
}

#: SLA target ids -> (English, Korean) names.
_TARGETS: Final[Mapping[str, tuple[str, str]]] = {
    "first_response": ("first response", "최초 응답"),
    "resolution": ("resolution", "해결"),
    "timely_response": ("timely response", "적기 응답"),
    "closure": ("closure", "종결"),
    "customer_notified": ("customer notified", "고객 통지"),
    "result_registered": ("result registered", "결과 등록"),
    "notify_after_result": ("result notice", "처리결과 통보"),
}

#: VOC kinds -> Korean (불만, 문의, 칭찬, 제안).
_KINDS_KO: Final[Mapping[str, str]] = {
    "complaint": "불만",
    "inquiry": "문의",
    "praise": "칭찬",
    "compliment": "칭찬",
    "suggestion": "제안",
}


#: Korean names of the values a report shows (English: the value itself), by what they name.
_NAMES_KO: Final[Mapping[str, Mapping[str, str]]] = {
    "channel": {
        "visit": "방문",
        "phone": "전화",
        "fax": "팩스",
        "mail": "우편",
        "email": "이메일",
        "web": "웹",
        "chat": "채팅",
        "sms": "문자",
        "kiosk": "키오스크",
        "social_media": "소셜 미디어",
        "sales_rep": "영업 담당자",
        "store": "매장",
        "consumer_group": "소비자 단체",
        "press": "언론",
        "public_agency": "공공기관",
    },
    "metric": {
        "remedy_rate": "구제율",
        "remedy_amount": "보상 금액",
        "resolution_time": "해결 시간",
        "company_time": "회사 처리 시간",
        "transfers": "이관 수",
        "waiting_time": "고객 대기 시간",
        "withdrawal_rate": "취하율",
        "supervisor_honoured": "상급자 요청 수용률",
        "courtesy_upheld": "응대 불만 인정률",
        "courtesy_csat": "응대 만족도",
        "response_rate": "해피콜 응답률",
        "satisfaction": "만족률",
        "csat": "CSAT",
    },
    "field": {
        "channel": "채널",
        "segment": "고객군",
        "region": "지역",
        "handler": "처리자",
        "department": "부서",
        "kind": "유형",
        "severity": "심각도",
        "language": "언어",
    },
    "stage": {
        "open": "착수 전",
        "in_progress": "진행 중",
        "done": "완료",
        "verified": "효과 확인",
        "cancelled": "취소",
        "proposed": "제안",
        "under_review": "검토 중",
        "adopted": "채택",
        "declined": "불채택",
        "discovered": "발굴",
        "accepted": "수용",
        "rejected": "반려",
        "planned": "계획",
        "executed": "시행",
        "reported": "보고",
        "fed_back": "환류",
        "taught": "교육 완료",
    },
    "tier": {
        "commendation": "표창",
        "benchmarking_trip": "벤치마킹 연수",
        "mandatory_training": "의무 교육",
    },
    "horizon": {"short": "단기", "mid": "중기", "long": "장기"},
    "dimension": {
        "outcome": "결과 공정성",
        "procedural": "절차 공정성",
        "interactional": "상호작용 공정성",
        "survey": "설문",
    },
    "unit": {"points": "%p", "hours": "시간"},
}


def check_language(language: str) -> Language:
    """``language`` if the report is written in it, else :class:`~ccms.errors.InvalidInput`."""
    if language not in LANGUAGES:
        raise InvalidInput(f"cannot write a report in {language!r}; choose one of "
                           f"{', '.join(LANGUAGES)}")  # fmt: skip
    return language  # type: ignore[return-value]


def message(language: str, key: str, **values: Any) -> str:
    """The message ``key`` in ``language``, filled with ``values``."""
    return MESSAGES[language][key].format(**values)


def term(language: str, text: str) -> str:
    """A table header or row label in ``language`` (unknown words are kept as they are)."""
    return text if language == "en" else TERMS.get(text, text)


def target_name(target: str, language: str) -> str:
    """The name people read for an SLA target id (``first_response`` -> ``first response``)."""
    names = _TARGETS.get(target)
    if names is None:
        return target.replace("_", " ")
    return names[0] if language == "en" else names[1]


def kind_name(kind: str, language: str) -> str:
    """A VOC kind in ``language`` (``complaint`` -> 불만)."""
    return kind if language == "en" else _KINDS_KO.get(kind, kind)


def name(language: str, what: str, value: str) -> str:
    """The name of ``value`` (a channel, metric, field, stage, tier or horizon, as ``what``
    says) in ``language``; values without one are kept as they are.

    >>> name("ko", "channel", "phone"), name("en", "channel", "phone"), name("ko", "stage", "x")
    ('전화', 'phone', 'x')
    """
    return value if language == "en" else _NAMES_KO.get(what, {}).get(value, value)


def group_name(language: str, by: str, value: str) -> str:
    """A group's value as the report shows it: a channel or VOC kind by its name in
    ``language``, any other value (a segment, a handler id) as it is."""
    if by == "channel":
        return name(language, "channel", value)
    if by == "kind":
        return kind_name(value, language)
    return value
