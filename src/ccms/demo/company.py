"""The demo company: a Korean TV home-shopping retailer (Asia/Seoul), its VOC codes and its people.

Used by ``ccms demo`` and by tests that want realistic data. Everything here is data: the
taxonomy, the organization, the working calendar, the SLA table, the escalation ladder, the
early-warning rules and the weights the simulation draws from. The featured cases the month
always plays are in :mod:`ccms.demo.scenario`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

import holidays

from ccms.model import (
    Agent,
    Authority,
    Channel,
    Department,
    Money,
    Organization,
    RemedyKind,
    Role,
    Taxonomy,
    VocKind,
)
from ccms.policy import (
    BusinessCalendar,
    EarlyWarning,
    EscalationLadder,
    Level,
    RepeatDetector,
    SlaPolicy,
    SlaTable,
    WarningRule,
)
from ccms.policy.early_warning import DEFAULT_RULES
from ccms.policy.notify import NoticePolicy
from ccms.policy.remedy_standards import RemedyStandards

__all__ = [
    "CALENDAR_NAME",
    "CHANNEL_WEIGHTS",
    "CODE_WEIGHTS",
    "ESCALATION_LEVELS",
    "NOTICE_CHANNELS",
    "REMEDY_CASES",
    "SLA_TABLE",
    "TIMEZONE",
    "WARNING_RULES",
    "demo_calendar",
    "demo_early_warning",
    "demo_escalation",
    "demo_notices",
    "demo_organization",
    "demo_remedy_standards",
    "demo_repeats",
    "demo_sla",
    "demo_sla_table",
    "demo_taxonomy",
]

TIMEZONE = "Asia/Seoul"

_START = date(2024, 1, 1)

# code, name, defaults
_CODES: list[tuple[str, str, dict[str, str]]] = [
    ("PRD", "Product", {"department": "md", "kind": "complaint"}),
    ("PRD.DEF", "Defect", {"department": "qa", "severity": "high", "remedy": "exchange"}),
    ("PRD.DEF.HANDLE", "Handle broke off", {}),
    ("PRD.DEF.ELEC", "Electrical fault", {"remedy": "repair"}),
    ("PRD.QLT", "Differs from the broadcast", {"department": "md", "remedy": "refund"}),
    (
        "PRD.SAF",
        "Safety: injury, fire, burn",
        {"department": "qa", "severity": "critical", "sla_class": "urgent"},
    ),
    ("DLV", "Delivery", {"department": "logistics", "severity": "medium"}),
    ("DLV.LATE", "Late delivery", {"remedy": "apology"}),
    ("DLV.DMG", "Damaged in transit", {"remedy": "exchange"}),
    ("DLV.WRONG", "Wrong item delivered", {"remedy": "exchange"}),
    ("PAY", "Payment", {"department": "finance"}),
    ("PAY.REFUND", "Refund delayed", {"remedy": "refund"}),
    ("PAY.DOUBLE", "Charged twice", {"remedy": "refund", "severity": "high"}),
    ("SVC", "Service", {"department": "cs"}),
    ("SVC.ATT", "Staff attitude", {"remedy": "apology"}),
    ("SVC.WAIT", "Hard to reach the call centre", {"remedy": "apology", "severity": "low"}),
    ("BRD", "Broadcast", {"department": "broadcast"}),
    ("BRD.EXAG", "Exaggerated claims on air", {"remedy": "explanation"}),
    (
        "INQ",
        "Inquiry",
        {"department": "cs", "kind": "inquiry", "severity": "low", "remedy": "explanation"},
    ),
    ("INQ.ORDER", "Order status", {}),
    ("INQ.PRODUCT", "Product information", {}),
    ("PRS", "Praise", {"department": "cs", "kind": "praise", "severity": "low", "remedy": "none"}),
    ("PRS.STAFF", "Praise for staff", {}),
    (
        "SUG",
        "Suggestion",
        {"department": "cs", "kind": "suggestion", "severity": "low", "remedy": "none"},
    ),
    ("SUG.SERVICE", "Service suggestion", {}),
]


def demo_taxonomy() -> Taxonomy:
    """The demo VOC code taxonomy, with some maintenance history.

    ``DLV.DELAY`` was renamed to ``DLV.LATE`` by a move-free rename in 2025; ``PAY.CARD`` was
    retired in favour of ``PAY.DOUBLE``.

    >>> t = demo_taxonomy()
    >>> t.lookup("PRD.DEF.HANDLE", date(2026, 10, 1)).name
    'Handle broke off'
    >>> t.current_code("PAY.CARD", date(2026, 10, 1))
    'PAY.DOUBLE'
    """
    taxonomy = Taxonomy()
    for code, name, defaults in _CODES:
        taxonomy = taxonomy.add(code, name, effective=_START, defaults=defaults)
    taxonomy = taxonomy.add("PAY.CARD", "Card charged twice", effective=_START)
    taxonomy = taxonomy.retire("PAY.CARD", effective=date(2025, 7, 1), successor="PAY.DOUBLE")
    taxonomy = taxonomy.rename("DLV.LATE", "Late or missed delivery", effective=date(2025, 3, 1))
    return taxonomy


def _won(amount: int) -> Money:
    return Money(amount=Decimal(amount), currency="KRW")


_FRONT = Authority(
    remedies=frozenset(
        {RemedyKind.APOLOGY, RemedyKind.EXPLANATION, RemedyKind.NONE, RemedyKind.REFUND}
    ),
    max_amount=_won(30_000),
)
_HANDLER = Authority(
    remedies=frozenset(RemedyKind) - {RemedyKind.COMPENSATION},
    max_amount=_won(150_000),
)
_SUPERVISOR = Authority(remedies=frozenset(RemedyKind), max_amount=_won(1_000_000))
_EXECUTIVE = Authority(remedies=frozenset(RemedyKind), max_amount=_won(50_000_000))


def demo_organization() -> Organization:
    """Seven departments and their people, with roles, skills, languages, capacity and authority.

    >>> org = demo_organization()
    >>> len(org.departments), len(org.agents)
    (7, 24)
    """
    departments = [
        Department(
            id="cs", name="고객센터 Customer service", kind="customer_service", head="sv-park"
        ),
        Department(id="qa", name="품질보증 Quality assurance", kind="production", head="sv-choi"),
        Department(id="logistics", name="물류 Logistics", kind="logistics", head="sv-jung"),
        Department(id="md", name="상품 Merchandising", kind="marketing", head="sv-kang"),
        Department(id="finance", name="결제 Payments and refunds", kind="sales", head="sv-yoon"),
        Department(id="broadcast", name="방송 Broadcasting", kind="marketing", head="sv-lim"),
        Department(id="exec", name="CCM office", kind="management", head="ex-han"),
    ]
    a = Agent
    agents = [
        # customer service: the front line
        a(
            id="fl-kim",
            name="Kim Minji",
            department="cs",
            role=Role.FRONT_LINE,
            capacity=25,
            authority=_FRONT,
            languages=frozenset({"ko", "en"}),
        ),
        a(
            id="fl-lee",
            name="Lee Seojun",
            department="cs",
            role=Role.FRONT_LINE,
            capacity=25,
            authority=_FRONT,
        ),
        a(
            id="fl-oh",
            name="Oh Jiwoo",
            department="cs",
            role=Role.FRONT_LINE,
            capacity=25,
            authority=_FRONT,
            languages=frozenset({"ko", "zh"}),
        ),
        a(
            id="cs-seo",
            name="Seo Yuna",
            department="cs",
            role=Role.HANDLER,
            capacity=15,
            authority=_HANDLER,
            skills=frozenset({"courtesy"}),
        ),
        a(
            id="cs-shin",
            name="Shin Hyun",
            department="cs",
            role=Role.HANDLER,
            capacity=15,
            authority=_HANDLER,
        ),
        a(
            id="sv-park",
            name="Park Jisoo",
            department="cs",
            role=Role.SUPERVISOR,
            capacity=10,
            authority=_SUPERVISOR,
        ),
        # quality
        a(
            id="qa-han",
            name="Han Dohyun",
            department="qa",
            role=Role.HANDLER,
            capacity=12,
            authority=_HANDLER,
            skills=frozenset({"electrical", "safety"}),
        ),
        a(
            id="qa-bae",
            name="Bae Sora",
            department="qa",
            role=Role.HANDLER,
            capacity=12,
            authority=_HANDLER,
            skills=frozenset({"kitchenware"}),
        ),
        a(
            id="qa-song",
            name="Song Taeyang",
            department="qa",
            role=Role.HANDLER,
            capacity=8,
            authority=_HANDLER,
            skills=frozenset({"safety"}),
        ),
        a(
            id="sv-choi",
            name="Choi Eunji",
            department="qa",
            role=Role.SUPERVISOR,
            capacity=6,
            authority=_SUPERVISOR,
        ),
        # logistics
        a(
            id="lg-yang",
            name="Yang Minho",
            department="logistics",
            role=Role.HANDLER,
            capacity=20,
            authority=_HANDLER,
        ),
        a(
            id="lg-koo",
            name="Koo Hana",
            department="logistics",
            role=Role.HANDLER,
            capacity=20,
            authority=_HANDLER,
        ),
        a(
            id="lg-nam",
            name="Nam Jihun",
            department="logistics",
            role=Role.HANDLER,
            capacity=10,
            authority=_HANDLER,
            active=False,
        ),
        a(
            id="sv-jung",
            name="Jung Woojin",
            department="logistics",
            role=Role.SUPERVISOR,
            capacity=8,
            authority=_SUPERVISOR,
        ),
        # merchandising
        a(
            id="md-ryu",
            name="Ryu Sena",
            department="md",
            role=Role.HANDLER,
            capacity=12,
            authority=_HANDLER,
        ),
        a(
            id="md-moon",
            name="Moon Jaehee",
            department="md",
            role=Role.HANDLER,
            capacity=12,
            authority=_HANDLER,
        ),
        a(
            id="sv-kang",
            name="Kang Seungwoo",
            department="md",
            role=Role.SUPERVISOR,
            capacity=6,
            authority=_SUPERVISOR,
        ),
        # payments
        a(
            id="fn-jang",
            name="Jang Yerin",
            department="finance",
            role=Role.HANDLER,
            capacity=20,
            authority=_HANDLER,
        ),
        a(
            id="fn-lim",
            name="Lim Dongwook",
            department="finance",
            role=Role.HANDLER,
            capacity=20,
            authority=_HANDLER,
        ),
        a(
            id="sv-yoon",
            name="Yoon Chaeyoung",
            department="finance",
            role=Role.SUPERVISOR,
            capacity=6,
            authority=_SUPERVISOR,
        ),
        # broadcasting
        a(
            id="bc-hwang",
            name="Hwang Sumin",
            department="broadcast",
            role=Role.HANDLER,
            capacity=10,
            authority=_HANDLER,
        ),
        a(
            id="sv-lim",
            name="Lim Garam",
            department="broadcast",
            role=Role.SUPERVISOR,
            capacity=6,
            authority=_SUPERVISOR,
        ),
        # the CCM office
        a(
            id="ex-han",
            name="Han Jiyoung",
            department="exec",
            role=Role.EXECUTIVE,
            capacity=5,
            authority=_EXECUTIVE,
        ),
        a(
            id="ex-cho",
            name="Cho Minseok",
            department="exec",
            role=Role.EXECUTIVE,
            capacity=5,
            authority=_EXECUTIVE,
        ),
    ]
    return Organization(departments=tuple(departments), agents=tuple(agents))


#: How contacts arrive (a home-shopping call centre is phone-heavy).
CHANNEL_WEIGHTS: dict[Channel, int] = {
    Channel.PHONE: 46,
    Channel.WEB: 14,
    Channel.CHAT: 10,
    Channel.EMAIL: 6,
    Channel.SMS: 3,
    Channel.SOCIAL_MEDIA: 5,
    Channel.MAIL: 1,
    Channel.FAX: 1,
    Channel.VISIT: 1,
    Channel.STORE: 2,
    Channel.SALES_REP: 2,
    Channel.KIOSK: 1,
    Channel.CONSUMER_GROUP: 3,
    Channel.PRESS: 1,
    Channel.PUBLIC_AGENCY: 4,
}

#: Which leaf codes come up, by kind, with weights.
CODE_WEIGHTS: dict[VocKind, dict[str, int]] = {
    VocKind.COMPLAINT: {
        "PRD.DEF.HANDLE": 9,
        "PRD.DEF.ELEC": 6,
        "PRD.QLT": 10,
        "PRD.SAF": 1,
        "DLV.LATE": 16,
        "DLV.DMG": 7,
        "DLV.WRONG": 5,
        "PAY.REFUND": 8,
        "PAY.DOUBLE": 3,
        "SVC.ATT": 4,
        "SVC.WAIT": 6,
        "BRD.EXAG": 4,
    },
    VocKind.INQUIRY: {"INQ.ORDER": 3, "INQ.PRODUCT": 2},
    VocKind.PRAISE: {"PRS.STAFF": 1},
    VocKind.SUGGESTION: {"SUG.SERVICE": 1},
}


# --------------------------------------------------------------------------- policies

#: The name under which SLA targets find the company's working calendar.
CALENDAR_NAME: Final = "seoul"


def demo_calendar() -> BusinessCalendar:
    """Weekdays 09:00-18:00 with a lunch hour, closed on Korean public holidays (``holidays``).

    >>> from datetime import datetime
    >>> from zoneinfo import ZoneInfo
    >>> cal = demo_calendar()
    >>> cal.is_open(datetime(2026, 10, 9, 10, tzinfo=ZoneInfo(TIMEZONE)))  # Hangul Day
    False
    >>> cal.next_open(datetime(2026, 10, 2, 18, tzinfo=ZoneInfo(TIMEZONE))).isoformat()
    '2026-10-06T09:00:00+09:00'
    """
    return BusinessCalendar(
        TIMEZONE,
        {"mon-fri": [("09:00", "12:00"), ("13:00", "18:00")]},
        holidays=holidays.country_holidays("KR"),
    )


def _targets(first_response: str, resolution: str | Mapping[str, Any]) -> dict[str, Any]:
    return {
        "first_response": first_response,
        "resolution": resolution,
        "notify_after_result": "4h",
        # The regulator's clock (CFPB-style "timely response"): 15 calendar days, never paused.
        "timely_response": {"duration": "15d", "business": False, "pause": []},
    }


#: The SLA table (business hours on the Seoul calendar unless a target says otherwise).
#: Eight business hours make one working day: ``24h`` is three working days.
SLA_TABLE: Final[Mapping[str, Any]] = {
    "version": "hs-2026.10",
    "defaults": {"business": True, "calendar": CALENDAR_NAME},
    "rows": [
        {"targets": _targets("4h", "24h")},
        {"kind": "inquiry", "targets": _targets("2h", "8h")},
        {"kind": "complaint", "severity": "low", "targets": _targets("8h", "40h")},
        {"kind": "complaint", "severity": "high", "targets": _targets("2h", "16h")},
        {
            "kind": "complaint",
            "severity": "critical",
            "targets": _targets("1h", {"duration": "8h", "at_risk": 0.5}),
        },
        {"segment": "vip", "targets": _targets("1h", "16h")},
    ],
}


def demo_sla_table() -> SlaTable:
    """The validated :data:`SLA_TABLE`.

    >>> table = demo_sla_table()
    >>> table.version, [t.name for t in table.rows[0].targets]
    ('hs-2026.10', ['first_response', 'resolution', 'notify_after_result', 'timely_response'])
    >>> timely = table.rows[0].targets[-1]
    >>> timely.duration.days, timely.business, timely.pause
    (15, False, ())
    """
    return SlaTable.from_mapping(SLA_TABLE, "the demo SLA table")


def demo_sla(calendar: BusinessCalendar | None = None) -> SlaPolicy:
    """The SLA policy over :func:`demo_sla_table` and the Seoul calendar."""
    return SlaPolicy(demo_sla_table(), {CALENDAR_NAME: calendar or demo_calendar()})


#: The escalation ladder over the resolution clock: who is told as time runs out or the
#: customer pushes. A level is reached when any of its triggers holds.
ESCALATION_LEVELS: Final = (
    Level(name="reminder", threshold=0.75, notify=("handler",)),
    Level(
        name="supervisor",
        threshold=1.0,
        supervisor_requested=True,
        over_authority=True,
        notify=("handler", "supervisor"),
    ),
    Level(name="department head", threshold=1.5, reopen_count=2, notify=("department_head",)),
    Level(name="executive", threshold=3.0, notify=("executive",)),
)


def demo_escalation(sla: SlaPolicy | None = None) -> EscalationLadder:
    """The ladder of :data:`ESCALATION_LEVELS` on the resolution target of ``sla``.

    >>> demo_escalation()
    EscalationLadder(4 levels, target='resolution')
    """
    return EscalationLadder(ESCALATION_LEVELS, sla=sla or demo_sla())


#: The default early-warning rules plus referrals from Korea's consumer bodies (watch, Step 1),
#: less the fixed-count ``code_cluster`` rule: five a day is an ordinary day for the busiest
#: codes here, so clusters are left to the repeat detector's spike test, which measures each
#: code against its own baseline.
WARNING_RULES: Final = (
    *(rule for rule in DEFAULT_RULES if rule.cluster is None),
    WarningRule(
        name="consumer_agency", step=1, keywords=("1372", "한국소비자원", "공정거래위원회")
    ),
)


def demo_early_warning() -> EarlyWarning:
    """Early warning with :data:`WARNING_RULES`; a CC Card opens from Step 2 (alert) on, as the
    crisis guideline's Step 2 actions ask, while Step 1 (watch) is logged only."""
    return EarlyWarning(WARNING_RULES, cc_card_from_step=2)


def demo_repeats() -> RepeatDetector:
    """Same customer and code within 30 days; code spikes at ``alpha = 0.001`` (Poisson).

    Every classified complaint tests its codes, a few hundred tests a month, so the level is
    stricter than the detector's default: at 0.01 a few spikes a month would be chance alone.
    """
    return RepeatDetector(window=timedelta(days=30), alpha=0.001, min_count=3)


#: How a customer who came in through a channel is told (the others are told on their own).
NOTICE_CHANNELS: Final[Mapping[Channel, Channel]] = {
    Channel.PHONE: Channel.SMS,
    Channel.WEB: Channel.EMAIL,
    Channel.CHAT: Channel.SMS,
    Channel.VISIT: Channel.SMS,
    Channel.STORE: Channel.SMS,
    Channel.SALES_REP: Channel.SMS,
    Channel.KIOSK: Channel.SMS,
    Channel.FAX: Channel.MAIL,
    Channel.PRESS: Channel.EMAIL,
    Channel.PUBLIC_AGENCY: Channel.EMAIL,
    Channel.CONSUMER_GROUP: Channel.EMAIL,
}

#: What the intake records of a product complaint, by VOC code: the product's category and the
#: kind of defect (the remedy standard is looked up by them, with the purchase date). The example
#: standards cover performance defects only: a quality or delivery-damage case has no standard.
REMEDY_CASES: Final[Mapping[str, tuple[str, str]]] = {
    "PRD.DEF.HANDLE": ("kitchenware", "performance"),
    "PRD.DEF.ELEC": ("small_appliance", "performance"),
    "PRD.QLT": ("apparel", "quality"),
    "DLV.DMG": ("kitchenware", "delivery_damage"),
}


def demo_notices() -> NoticePolicy:
    """The notices the demo company sends: the receipt, the result, a reopening, and a progress
    notice when the resolution target goes at risk; phone and chat customers by SMS, web ones
    by e-mail (:data:`NOTICE_CHANNELS`); a failed attempt retried after 10, 20, 40 minutes, the
    notice given up after the fourth.

    >>> policy = demo_notices()
    >>> sorted(policy.on.values()), policy.channel_for("phone").value, policy.max_attempts
    (['receipt', 'reopen', 'result'], 'sms', 4)
    """
    return NoticePolicy(
        on={"received": "receipt", "result_registered": "result", "reopened": "reopen"},
        progress_on={"resolution"},
        channels=NOTICE_CHANNELS,
        language="ko",
        max_attempts=4,
        backoff=timedelta(minutes=10),
    )


def demo_remedy_standards() -> RemedyStandards:
    """The remedy standards the demo checks product-defect results against: the EXAMPLE table
    shipped with ccms (the shape of Korea's general-goods dispute standards; a real company
    verifies its own).

    >>> demo_remedy_standards().example
    True
    """
    return RemedyStandards.example_table()
