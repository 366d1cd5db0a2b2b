"""The featured cases: what the demo month always plays, whatever the seed and size.

A burn injury, a reporter, a referral from the 1372 consumer centre, a customer who asks for a
supervisor, a compensation beyond the handler's authority, a repeat, a stalled case and a bad
batch: so every section of the summary has something to show.
"""

from __future__ import annotations

from typing import Final

import attrs

from ccms.model import Channel, Concern, Flag, RemedyKind, VocKind

__all__ = ["FEATURED", "Featured"]


@attrs.frozen(slots=True, kw_only=True)
class Featured:
    """A case the demo always plays, whatever the seed and size (times are Seoul wall times).

    ``customer`` is a key: featured cases with the same key come from one customer (a repeat).
    ``burst`` sends that many contacts like it, from different customers, 20 minutes apart.
    ``requested_amount`` (KRW) goes with ``requested_remedy`` into the complaint's attributes,
    where the escalation ladder's authority check reads it. ``slow``: the handler sits on it for
    two weeks. ``asks_for_supervisor``: the customer calls back for a supervisor. ``handler``:
    who is given the case (else the handler router decides).
    """

    name: str
    day: int
    time: str
    channel: Channel
    code: str
    text: str
    customer: str = ""
    flags: frozenset[Flag] = frozenset()
    requested_remedy: RemedyKind | None = None
    requested_amount: int | None = None
    asks_for_supervisor: bool = False
    slow: bool = False
    burst: int = 1
    handler: str | None = None

    def concern(self) -> Concern:
        """The concern as the customer states it (the code is given when classified)."""
        return Concern(
            kind=VocKind.COMPLAINT,
            code=self.code,
            text=self.text,
            requested_remedy=self.requested_remedy,
        )


#: What the demo month always contains, so every summary section has something to show.
FEATURED: Final = (
    Featured(
        name="burn injury",
        day=2,
        time="10:05",
        channel=Channel.PHONE,
        code="PRD.SAF",
        text="전기히터에서 불꽃이 튀어 손에 화상을 입었습니다 / The heater sparked and burned my hand",
        flags=frozenset({Flag.SAFETY}),
    ),
    Featured(
        name="reporter",
        day=6,
        time="14:20",
        channel=Channel.PRESS,
        code="BRD.EXAG",
        text="방송의 효능 표현에 대해 취재 중입니다 / A reporter asks about the claims made on air",
    ),
    Featured(
        name="1372 referral",
        day=7,
        time="11:00",
        channel=Channel.PUBLIC_AGENCY,
        code="PAY.REFUND",
        text="소비자상담센터(1372) 이관: 환불 지연 / Referred by the 1372 consumer centre",
    ),
    Featured(
        name="asks for a supervisor",
        day=8,
        time="15:30",
        channel=Channel.PHONE,
        code="SVC.ATT",
        text="상담원이 불친절했어요. 책임자와 통화하고 싶습니다 / Rude agent; wants the manager",
        asks_for_supervisor=True,
    ),
    Featured(
        name="compensation beyond authority",
        day=12,
        time="10:40",
        channel=Channel.WEB,
        code="PRD.DEF.ELEC",
        text="믹서기 고장으로 식재료를 버렸어요 / The blender failed and the food was wasted",
        requested_remedy=RemedyKind.COMPENSATION,
        requested_amount=300_000,
        handler="qa-bae",
    ),
    Featured(
        name="late delivery",
        day=13,
        time="09:30",
        channel=Channel.PHONE,
        code="DLV.LATE",
        text="배송이 일주일째 안 와요 / Delivery promised Monday, still nothing",
        customer="repeat",
    ),
    Featured(
        name="stalled",
        day=14,
        time="16:45",
        channel=Channel.EMAIL,
        code="PRD.DEF.HANDLE",
        text="냄비 손잡이가 떨어졌어요 / The pan handle came off",
        slow=True,
    ),
    Featured(
        name="late again",
        day=16,
        time="10:15",
        channel=Channel.CHAT,
        code="DLV.LATE",
        text="또 배송이 늦어요, 지난번에도 그랬어요 / Late again, like last time",
        customer="repeat",
    ),
    Featured(
        name="bad batch",
        day=20,
        time="19:10",
        channel=Channel.PHONE,
        code="PRD.DEF.ELEC",
        text="방송 보고 산 믹서기가 1분 만에 멈춰요 / Bought after the show; stops after a minute",
        burst=6,
    ),
)
