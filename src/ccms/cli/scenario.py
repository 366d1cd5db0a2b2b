"""The demo company: a Korean TV home-shopping retailer (Asia/Seoul), its VOC codes and its people.

Used by ``ccms demo`` and by tests that want realistic data. Everything here is data: the
taxonomy, the organization, and the weights the simulation draws from.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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

__all__ = [
    "CHANNEL_WEIGHTS",
    "CODE_WEIGHTS",
    "TIMEZONE",
    "demo_organization",
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
