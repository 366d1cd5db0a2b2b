"""A generated bilingual (Korean and English) labelled corpus, for tests, benchmarks and docs.

Each code of :func:`corpus_taxonomy` has a few templates per language, filled with products,
amounts and days, then roughened: filler phrases shared by every code, dropped or swapped
characters, and a fraction of wrong labels (``label_noise``), so that no classifier scores 100 %
and an evaluation has something honest to show. Contacts are spread over ``months`` months, so
a time-based split has earlier and later months. The same ``seed`` gives the same corpus.

>>> rows = generate_corpus(200, seed=1)
>>> len(rows), rows[0] == generate_corpus(200, seed=1)[0]
(200, True)
>>> all(r.code in corpus_taxonomy() for r in rows)
True
>>> sorted({r.language for r in rows})
['en', 'ko']
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

import attrs

from ccms.model import Severity, Taxonomy, VocKind

__all__ = ["CORPUS_CODES", "LabelledText", "corpus_taxonomy", "generate_corpus"]

_KST = timezone(timedelta(hours=9))

#: code: (name, kind, severity, Korean templates, English templates)
CORPUS_CODES: dict[str, tuple[str, VocKind, Severity, tuple[str, ...], tuple[str, ...]]] = {
    "PRD.DEF.HANDLE": (
        "Handle broke off",
        VocKind.COMPLAINT,
        Severity.MEDIUM,
        (
            "{p} 손잡이가 {d}일 만에 부러졌어요",
            "손잡이가 떨어져서 {p}를 쓸 수가 없습니다",
            "{p} 손잡이 나사가 빠졌어요",
        ),
        (
            "the handle of my {p} broke off after {d} days",
            "{p} handle came loose and fell off",
            "handle snapped on the {p}",
        ),
    ),
    "PRD.DEF.COATING": (
        "Coating peeled",
        VocKind.COMPLAINT,
        Severity.MEDIUM,
        (
            "{p} 코팅이 벗겨졌어요",
            "{d}번 썼는데 코팅이 다 일어났습니다",
            "{p} 바닥 코팅이 긁혀서 벗겨짐",
        ),
        (
            "the coating of the {p} is peeling",
            "non-stick coating came off after {d} uses",
            "{p} surface flaking off",
        ),
    ),
    "SAF.FIRE": (
        "Fire or overheating",
        VocKind.COMPLAINT,
        Severity.CRITICAL,
        (
            "{p} 충전 중 불이 났어요",
            "{p}에서 연기가 나고 타는 냄새가 납니다",
            "{p} 과열로 화재가 날 뻔했습니다",
        ),
        (
            "my {p} caught fire while charging",
            "smoke and a burning smell from the {p}",
            "the {p} overheated and melted",
        ),
    ),
    "SAF.INJURY": (
        "Injury",
        VocKind.COMPLAINT,
        Severity.CRITICAL,
        (
            "{p} 때문에 손을 다쳐서 병원에 갔어요",
            "아이가 {p} 모서리에 베여 다쳤습니다",
            "{p} 쓰다가 화상을 입었어요",
        ),
        (
            "I cut my hand on the {p} and went to hospital",
            "my child was injured by the {p}",
            "got burned using the {p}",
        ),
    ),
    "DLV.LATE": (
        "Late delivery",
        VocKind.COMPLAINT,
        Severity.LOW,
        (
            "주문한 {p}가 {d}일째 안 와요",
            "배송이 너무 늦습니다 {d}일 지났어요",
            "{p} 배송 언제 오나요 벌써 {d}일",
        ),
        (
            "my {p} order is {d} days late",
            "delivery still not here after {d} days",
            "where is my {p}, ordered {d} days ago",
        ),
    ),
    "DLV.DAMAGED": (
        "Damaged in delivery",
        VocKind.COMPLAINT,
        Severity.MEDIUM,
        (
            "택배 상자가 찌그러져서 {p}가 깨져 왔어요",
            "{p}가 파손된 채로 배송됐습니다",
            "받아보니 {p} 포장이 다 뜯겨 있었어요",
        ),
        (
            "the {p} arrived broken, box crushed",
            "parcel damaged and the {p} cracked",
            "{p} delivered smashed",
        ),
    ),
    "PAY.REFUND": (
        "Refund not received",
        VocKind.COMPLAINT,
        Severity.HIGH,
        (
            "{a}원 환불이 아직 안 됐어요",
            "반품했는데 {d}일째 환불이 없습니다",
            "{p} 환불 처리 언제 되나요",
        ),
        (
            "still no refund of {a} won",
            "returned the {p} {d} days ago, no refund yet",
            "refund for the {p} never arrived",
        ),
    ),
    "PAY.DOUBLE": (
        "Charged twice",
        VocKind.COMPLAINT,
        Severity.HIGH,
        (
            "카드가 {a}원씩 두 번 결제됐어요",
            "{p} 주문이 이중 결제되었습니다",
            "같은 금액이 두 번 빠져나갔어요",
        ),
        (
            "I was charged twice, {a} won each",
            "double payment for one {p} order",
            "my card was billed two times",
        ),
    ),
    "SVC.RUDE": (
        "Rude staff",
        VocKind.COMPLAINT,
        Severity.MEDIUM,
        (
            "상담원이 너무 불친절했어요",
            "매장 직원이 반말하고 무시했습니다",
            "전화 응대가 불쾌했습니다",
        ),
        (
            "the agent was rude to me",
            "store staff ignored me and were impolite",
            "very unfriendly phone support",
        ),
    ),
    "INQ.USAGE": (
        "How to use",
        VocKind.INQUIRY,
        Severity.LOW,
        ("{p} 사용 방법을 알려주세요", "{p} 세척은 어떻게 하나요", "{p} 인덕션에서도 쓸 수 있나요"),
        (
            "how do I use the {p}?",
            "can the {p} go in the dishwasher?",
            "is the {p} ok on induction?",
        ),
    ),
    "PRS.STAFF": (
        "Praise for staff",
        VocKind.PRAISE,
        Severity.LOW,
        (
            "상담원분이 정말 친절하게 도와주셨어요 감사합니다",
            "매장 직원분 덕분에 잘 해결됐어요",
            "빠른 처리 감사드립니다",
        ),
        (
            "the agent was so kind and helpful, thank you",
            "great service from the store staff",
            "thanks for the quick help",
        ),
    ),
    "SUG.PRODUCT": (
        "Product suggestion",
        VocKind.SUGGESTION,
        Severity.LOW,
        (
            "{p} 색상이 더 다양하면 좋겠어요",
            "{p} 작은 사이즈도 만들어 주세요",
            "{p}에 뚜껑을 같이 팔면 좋겠습니다",
        ),
        (
            "please make the {p} in more colours",
            "a smaller {p} would be great",
            "you should sell a lid with the {p}",
        ),
    ),
}

_PRODUCTS_KO = ("프라이팬", "냄비", "전기포트", "보조배터리", "믹서기", "텀블러", "에어프라이어")
_PRODUCTS_EN = ("frying pan", "pot", "kettle", "power bank", "blender", "tumbler", "air fryer")
_FILLER_KO = (
    "안녕하세요",
    "빨리 처리해 주세요",
    "지난주에 샀는데",
    "연락 부탁드립니다",
    "정말 실망입니다",
    "확인 부탁드려요",
)
_FILLER_EN = (
    "hello",
    "please help",
    "bought it last week",
    "please call me back",
    "very disappointed",
    "order number attached",
)


@attrs.frozen(slots=True, kw_only=True)
class LabelledText:
    """One generated contact: the text, its labels, its language and when it was received."""

    text: str
    code: str
    kind: VocKind
    severity: Severity
    language: str
    received_at: datetime


def corpus_taxonomy(effective: date = date(2025, 1, 1)) -> Taxonomy:
    """The taxonomy of :data:`CORPUS_CODES` (with their parents), in force from ``effective``."""
    parents = {"PRD": "Product", "PRD.DEF": "Defect", "SAF": "Safety", "DLV": "Delivery",
               "PAY": "Payment", "SVC": "Service", "INQ": "Inquiry", "PRS": "Praise",
               "SUG": "Suggestion"}  # fmt: skip
    t = Taxonomy()
    for code, name in parents.items():
        t = t.add(code, name, effective=effective)
    for code, (name, kind, severity, _, _) in CORPUS_CODES.items():
        t = t.add(code, name, effective=effective, defaults={"kind": kind, "severity": severity})
    return t


def _roughen(text: str, rng: random.Random, typo_rate: float) -> str:
    chars = list(text)
    i = 0
    while i < len(chars) - 1:
        if chars[i] != " " and rng.random() < typo_rate:
            if rng.random() < 0.5:
                del chars[i]
            else:
                chars[i], chars[i + 1] = chars[i + 1], chars[i]
        i += 1
    return "".join(chars)


def generate_corpus(
    n: int,
    *,
    seed: int = 0,
    korean_share: float = 0.6,
    label_noise: float = 0.05,
    typo_rate: float = 0.03,
    start: datetime = datetime(2026, 1, 1, 9, tzinfo=_KST),
    months: int = 6,
    codes: Sequence[str] | None = None,
) -> list[LabelledText]:
    """``n`` labelled contacts, received in time order over ``months`` months from ``start``.

    Codes are drawn with unequal weights (a realistic majority class); ``label_noise`` of the
    rows get another code's label (as a tired person would), the kind and severity following it.
    """
    rng = random.Random(seed)
    chosen = list(codes) if codes is not None else list(CORPUS_CODES)
    weights = [1.0 / (1 + i * 0.35) for i in range(len(chosen))]
    span = timedelta(days=30 * months)
    rows: list[LabelledText] = []
    for i in range(n):
        code = rng.choices(chosen, weights)[0]
        _, _, _, ko, en = CORPUS_CODES[code]
        korean = rng.random() < korean_share
        templates, products, filler = (
            (ko, _PRODUCTS_KO, _FILLER_KO) if korean else (en, _PRODUCTS_EN, _FILLER_EN)
        )
        text = rng.choice(templates).format(
            p=rng.choice(products), d=rng.randint(2, 40), a=f"{rng.randint(1, 300) * 1000:,}"
        )
        if rng.random() < 0.6:
            text = (
                f"{rng.choice(filler)} {text}"
                if rng.random() < 0.5
                else f"{text} {rng.choice(filler)}"
            )
        text = _roughen(text, rng, typo_rate)
        label = rng.choice(chosen) if rng.random() < label_noise else code
        _, kind, severity, _, _ = CORPUS_CODES[label]
        rows.append(
            LabelledText(
                text=text,
                code=label,
                kind=kind,
                severity=severity,
                language="ko" if korean else "en",
                received_at=start + span * (i / max(n, 1)),
            )
        )
    return rows
