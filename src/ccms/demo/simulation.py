"""A month of contacts at the demo company, driven through the Desk in time order.

Each contact is a small script (a generator) that performs one step of its lifecycle and yields
the time of its next step; the driver runs every script's steps in global time order, moving a
manual clock, so routing sees the load of that moment and ``desk.tick`` sweeps (SLA, escalation,
early warning, repeats) run every few hours. Besides the random contacts, the month always holds
the :data:`~ccms.demo.scenario.FEATURED` cases. Deterministic for a given seed: complaint ids
come from a seeded generator too.

When the Desk sends notices, a fake host sender (:class:`~ccms.demo.sender.FakeSender`) drains
its outbox every hour of the day, with failures and retries; a result notice that reaches the
customer tells them the result, else the handler calls. Product defects carry the case the
remedy standard is looked up by; a remedy below it is raised to the standard remedy by the
handler, or registered by a supervisor with a reason.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs

from ccms.demo.company import (
    CHANNEL_WEIGHTS,
    CODE_WEIGHTS,
    REMEDY_CASES,
    TIMEZONE,
    demo_calendar,
)
from ccms.demo.scenario import FEATURED, Featured
from ccms.demo.sender import FakeSender, SenderStats, poll_times
from ccms.desk import Desk, ManualClock
from ccms.errors import CCMSError, GuardRejected
from ccms.model import (
    Actor,
    Channel,
    Complaint,
    Concern,
    Customer,
    DomainEvent,
    Feedback,
    Flag,
    Money,
    NotificationDelivered,
    NotificationFailed,
    NotificationRequested,
    RemedyKind,
    Result,
    ResultRegistered,
    Role,
    Severity,
    VocKind,
    new_complaint_id,
)

__all__ = ["TICKS", "SimulationStats", "featured_contacts", "simulate"]

#: When the desk sweeps (``desk.tick``) on a working day: at opening and in the afternoon.
#: Between ticks, every command sweeps its own complaint, so a due event is late at most by the
#: time to the next tick or command.
TICKS = ("09:00", "14:00")

Script = Generator[datetime, None, None]
K = TypeVar("K")

_TEXTS: dict[str, list[str]] = {
    "PRD.DEF.HANDLE": ["냄비 손잡이가 떨어졌어요", "The pan handle came off after two uses"],
    "PRD.DEF.ELEC": ["전원이 켜지지 않아요", "The blender stops after a minute"],
    "PRD.QLT": ["방송에서 본 색상과 달라요", "The fabric is thinner than shown on air"],
    "PRD.SAF": [
        "사용 중 화재가 발생할 뻔했어요, 부상 위험",
        "The heater sparked and burned my hand: injury",
    ],
    "DLV.LATE": ["배송이 일주일째 안 와요", "Delivery promised Monday, still nothing"],
    "DLV.DMG": ["박스가 찢어져 제품이 파손됐어요", "Arrived with a cracked lid"],
    "DLV.WRONG": ["다른 상품이 왔어요", "Received size 90 instead of 100"],
    "PAY.REFUND": ["환불이 아직 안 됐어요", "Refund not received after 10 days"],
    "PAY.DOUBLE": ["카드가 두 번 결제됐어요", "Charged twice for one order"],
    "SVC.ATT": ["상담원이 불친절했어요", "The agent hung up on me"],
    "SVC.WAIT": ["상담 연결이 너무 오래 걸려요", "Waited 40 minutes on the line"],
    "BRD.EXAG": ["방송 설명이 과장됐어요", "The show promised results it cannot deliver"],
    "INQ.ORDER": ["주문 상태가 궁금해요", "Where is my order?"],
    "INQ.PRODUCT": ["세탁 방법을 알려주세요", "Is this dishwasher safe?"],
    "PRS.STAFF": ["기사님이 친절하셨어요", "The delivery driver was very kind"],
    "SUG.SERVICE": ["주말 상담 시간을 늘려주세요", "Please add chat support on weekends"],
}

#: Why a supervisor registers a remedy below the remedy standard.
_BELOW_REASON = (
    "고객이 원하여 기준보다 낮은 조치로 합의 / agreed with the customer, who asked for it"
)

_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
_GIVEN = ["민준", "서연", "도윤", "하은", "지호", "수아", "예준", "지유", "시우", "채원"]


@attrs.define
class SimulationStats:
    """What the simulation did, for the demo's summary."""

    contacts: int = 0
    concerns: int = 0
    commands: int = 0
    refused: Counter[str] = attrs.field(factory=Counter)
    escalated_for_authority: int = 0
    reopened: int = 0
    transferred: int = 0
    withdrawn: int = 0
    rejected: int = 0
    featured: int = 0
    supervisor_requests: int = 0
    compensation_requests: int = 0
    resweep_events: int = 0
    #: Results the handler told by phone: the result notice had not reached the customer.
    told_by_hand: int = 0
    #: Remedies below the standard that the handler raised to the standard remedy instead.
    raised_to_standard: int = 0
    #: Remedies below the standard that a supervisor registered, with a reason.
    below_standard: int = 0
    #: What the message sender did (None: the Desk sends no notices).
    sender: SenderStats | None = None
    ids: list[str] = attrs.field(factory=list)
    featured_ids: dict[str, list[str]] = attrs.field(factory=dict)


def _weighted(rng: random.Random, weights: Mapping[K, int]) -> K:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _later(t: datetime, rng: random.Random, lo: float, hi: float) -> datetime:
    """``t`` plus a random number of minutes in [lo, hi]."""
    return t + timedelta(minutes=rng.uniform(lo, hi))


class _Simulation:
    def __init__(self, desk: Desk, clock: ManualClock, rng: random.Random) -> None:
        self.desk = desk
        self.clock = clock
        self.rng = rng
        self.id_rng = random.Random(rng.getrandbits(64))
        self.stats = SimulationStats()
        org = desk.organization
        self.front_line = [a for a in org.agents if a.role is Role.FRONT_LINE and a.active]
        self.customers: list[Customer] = []
        self.recent_by_customer: dict[str, str] = {}

    # -- helpers ---------------------------------------------------------------------------------

    def customer(self) -> Customer:
        rng = self.rng
        if self.customers and rng.random() < 0.18:
            return rng.choice(self.customers)
        n = len(self.customers) + 1
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        phone = f"010-{rng.randrange(1000, 10000)}-{rng.randrange(1000, 10000)}"
        segment = _weighted(rng, {"general": 70, "vip": 12, "new": 15, "senior": 3})
        language = "ko" if rng.random() < 0.95 else rng.choice(["en", "zh"])
        customer = Customer(
            id=f"CUST-{n:05d}",
            name=name,
            phone=phone,
            email=f"user{n}@example.com",
            segment=str(segment),
            region=rng.choice(["Seoul", "Busan", "Incheon", "Daegu", "Gwangju", "Daejeon"]),
            language=language,
        )
        self.customers.append(customer)
        return customer

    def featured_customer(self, key: str) -> Customer:
        """The customer of a featured case; the same key gives the same customer."""
        for customer in self.customers:
            if customer.id == f"CUST-{key}":
                return customer
        customer = Customer(
            id=f"CUST-{key}",
            name=self.rng.choice(_SURNAMES) + self.rng.choice(_GIVEN),
            phone=f"010-{self.rng.randrange(1000, 10000)}-{self.rng.randrange(1000, 10000)}",
            segment="general",
            region="Seoul",
            language="ko",
        )
        self.customers.append(customer)
        return customer

    def concerns(self) -> list[Concern]:
        rng = self.rng
        count = rng.choices([1, 2, 3], weights=[65, 25, 10])[0]
        first_kind = _weighted(
            rng,
            {VocKind.COMPLAINT: 72, VocKind.INQUIRY: 20, VocKind.PRAISE: 4, VocKind.SUGGESTION: 4},
        )
        kinds = [first_kind] + [
            _weighted(rng, {VocKind.COMPLAINT: 40, VocKind.INQUIRY: 50, VocKind.SUGGESTION: 10})
            for _ in range(count - 1)
        ]
        out = []
        for kind in kinds:
            assert isinstance(kind, VocKind)
            code = str(_weighted(rng, CODE_WEIGHTS[kind]))
            text = rng.choice(_TEXTS[code])
            out.append(Concern(kind=kind, code=code, text=text))
        return out

    def actor(self, agent_id: str | None) -> Actor:
        if agent_id is None:
            return Actor.system()
        return Actor(id=agent_id, role=self.desk.organization.agent(agent_id).role)

    def supervisor_of(self, complaint: Complaint) -> str:
        dept = self.desk.organization.department(complaint.department or "cs")
        return dept.head or "sv-park"

    def remedy_for(self, complaint: Complaint, featured: Featured | None = None) -> Result:
        rng = self.rng
        code = complaint.primary_code or "SVC"
        taxonomy = self.desk.taxonomy
        remedy = RemedyKind.APOLOGY
        if taxonomy is not None:
            defaults = taxonomy.defaults_for(code, complaint.received_at.date())
            remedy = defaults.remedy or remedy
        requested = next(
            (c.requested_remedy for c in complaint.concerns if c.requested_remedy), None
        )
        if requested is not None and (featured is not None or rng.random() < 0.5):
            remedy = requested  # granted what was asked
        elif featured is None and rng.random() < 0.1:
            remedy = RemedyKind.COMPENSATION
        amount = None
        if remedy in {RemedyKind.REFUND, RemedyKind.COMPENSATION}:
            asked = complaint.attributes.get("requested_amount")
            if remedy is RemedyKind.COMPENSATION and isinstance(asked, int):
                price = asked
            else:
                price = rng.choice(
                    [19_900, 39_900, 59_000, 89_000, 129_000, 189_000, 259_000, 399_000]
                )
            amount = Money(amount=Decimal(price), currency="KRW")
        return Result(
            remedy=remedy,
            amount=amount,
            cause=rng.choice(
                [
                    "supplier defect",
                    "carrier delay",
                    "system error",
                    "staff error",
                    "customer misunderstanding",
                ]
            ),
            measures=rng.choice(
                ["supplier notified", "carrier penalised", "script updated", "agent coached", ""]
            ),
        )

    def remedy_case(self, code: str | None, arrival: datetime, burst: bool) -> dict[str, Any]:
        """What the intake asks about a product complaint (:data:`REMEDY_CASES`), as complaint
        attributes: the product's category, the defect, the purchase date and earlier repairs
        (the remedy standard is looked up by them). A bad batch was bought just after the show."""
        case = REMEDY_CASES.get(code or "")
        if case is None:
            return {}
        category, defect = case
        rng = self.rng
        if burst:
            days = rng.randint(0, 3)
        else:
            days = rng.choice([rng.randint(0, 10), rng.randint(11, 30), rng.randint(31, 240)])
        purchased = arrival.date() - timedelta(days=days)
        return {
            "product_category": category,
            "defect": defect,
            "purchased_on": purchased.isoformat(),
            "repairs": 2 if rng.random() < 0.05 else 0,
        }

    def tell(
        self, cid: str, channel: Channel, actor: Actor, at: datetime, *, waited: bool = False
    ) -> None:
        """Tell the customer the result by phone, unless the result notice did (its delivery
        records ``customer_notified``) or, before ``waited``, may still do (it is pending)."""
        desk = self.desk
        if desk.notices is not None:
            if desk.get(cid).stage != "result_registered":
                return
            if not waited and _result_notice_pending(desk.history(cid)):
                return
            self.stats.told_by_hand += 1
        self.run(desk.notify, cid, channel, actor=actor, at=at)

    def run(self, fn: Callable[..., Complaint], *args: Any, **kwargs: Any) -> Complaint | None:
        """Run one Desk command; a refusal is counted (the store is unchanged), not fatal."""
        try:
            complaint = fn(*args, **kwargs)
        except CCMSError as exc:
            self.stats.refused[type(exc).__name__] += 1
            return None
        self.stats.commands += 1
        return complaint

    # -- a contact's life ------------------------------------------------------------------------

    def contact(self, arrival: datetime, featured: Featured | None = None, n: int = 0) -> Script:
        rng, desk = self.rng, self.desk
        flags: set[Flag] = set()
        attributes: dict[str, Any] = {}
        channel: Channel
        if featured is None:
            customer = self.customer()
            concerns = self.concerns()
            if rng.random() < 0.02:
                flags.add(Flag.LEGAL_THREAT)
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            if concerns[0].kind is VocKind.COMPLAINT and rng.random() < 0.03:
                # The customer asks for compensation, often more than a handler may grant.
                concerns[0] = concerns[0].model_copy(
                    update={"requested_remedy": RemedyKind.COMPENSATION}
                )
                attributes["requested_amount"] = rng.choice([50_000, 100_000, 200_000, 500_000])
                self.stats.compensation_requests += 1
        else:
            key = featured.customer or f"{featured.name.replace(' ', '-')}-{n}"
            customer = self.featured_customer(key)
            concerns = [featured.concern()]
            flags.update(featured.flags)
            channel = featured.channel
            if featured.requested_amount is not None:
                attributes["requested_amount"] = featured.requested_amount
            if featured.requested_remedy is RemedyKind.COMPENSATION:
                self.stats.compensation_requests += 1
        if any(c.code == "PRD.SAF" for c in concerns):
            flags.add(Flag.SAFETY)
        if desk.remedy_standards is not None:
            burst = featured is not None and featured.burst > 1
            attributes.update(self.remedy_case(concerns[0].code, arrival, burst))
        intake = rng.choice(self.front_line)
        received = desk.receive(
            channel=channel,
            customer=customer,
            concerns=[c.model_copy(update={"code": None}) for c in concerns],
            received_at=arrival,
            flags=flags,
            attributes=attributes,
            actor=self.actor(intake.id),
            complaint_id=new_complaint_id(arrival, self.id_rng),
        )
        cid = received.id
        self.stats.contacts += 1
        self.stats.concerns += len(concerns)
        self.stats.ids.append(cid)
        if featured is not None:
            self.stats.featured += 1
            self.stats.featured_ids.setdefault(featured.name, []).append(cid)
        duplicate_of = self.recent_by_customer.get(customer.id)
        self.recent_by_customer[customer.id] = cid
        fl = self.actor(intake.id)

        t = _later(arrival, rng, 1, 20)
        yield t
        severities = None
        if desk.taxonomy is not None:
            severities = [
                desk.taxonomy.defaults_for(str(c.code), arrival.date()).severity or Severity.MEDIUM
                for c in concerns
            ]
        c = self.run(
            desk.classify,
            cid,
            [str(x.code) for x in concerns],
            severities=severities,
            actor=fl,
            at=t,
        )
        if c is None:
            return
        if featured is None and duplicate_of is not None and rng.random() < 0.08:
            self.run(desk.reject, cid, "duplicate", duplicate_of=duplicate_of, actor=fl, at=t)
            self.stats.rejected += 1
            return
        if c.kind is not VocKind.COMPLAINT:
            # First-contact resolution by the front line: answer, tell, close.
            remedy = RemedyKind.EXPLANATION if c.kind is VocKind.INQUIRY else RemedyKind.NONE
            self.run(desk.register_result, cid, Result(remedy=remedy), actor=fl, at=t)
            t = _later(t, rng, 1, 30)
            yield t
            # The front line tells the answer at once (the result notice confirms it).
            if desk.get(cid).stage == "result_registered":
                told = channel if channel in (Channel.PHONE, Channel.CHAT) else Channel.SMS
                self.run(desk.notify, cid, told, actor=fl, at=t)
            yield (t := _later(t, rng, 5, 60))
            self.run(desk.close, cid, "answered at first contact", actor=fl, at=t)
            return

        # A reply within the hour stops the first-response clock.
        yield (t := _later(t, rng, 5, 90))
        self.run(desk.respond, cid, Channel.SMS, "접수되었습니다 / received", actor=fl, at=t)

        wrong_first = featured is None and rng.random() < 0.1
        yield (t := _later(t, rng, 10, 240))
        if wrong_first:
            c = self.run(desk.assign_department, cid, "cs", actor=fl, at=t)
        else:
            c = self.run(desk.assign_department, cid, actor=fl, at=t)
        if c is None:
            return
        if wrong_first:
            yield (t := _later(t, rng, 60, 600))
            target_router = desk.department_router
            right = "qa"
            if target_router is not None and desk.taxonomy is not None:
                code = c.primary_code or "SVC"
                right = desk.taxonomy.defaults_for(code, c.received_at.date()).department or "qa"
            if right == "cs":
                right = "md"
            c = self.run(
                desk.transfer, cid, right, "not a service matter", actor=self.actor("sv-park"), at=t
            )
            if c is None:
                return
            self.stats.transferred += 1

        rounds = 0
        while True:
            yield (t := _later(t, rng, 20, 480))
            chosen = featured.handler if featured is not None and rounds == 0 else None
            c = self.run(desk.assign_handler, cid, chosen, at=t)
            if c is None or c.handler is None:
                return
            handler = self.actor(c.handler)
            asks = featured.asks_for_supervisor if featured is not None else rng.random() < 0.02
            if asks and rounds == 0:
                # The customer calls back and asks for a supervisor (an escalation trigger).
                yield (t := _later(t, rng, 10, 120))
                self.run(
                    desk.set_flags,
                    cid,
                    add=[Flag.SUPERVISOR_REQUESTED],
                    reason="the customer asked for a supervisor",
                    actor=fl,
                    at=t,
                )
                self.stats.supervisor_requests += 1
            yield (t := _later(t, rng, 30, 720))
            c = self.run(desk.start, cid, actor=handler, at=t)
            if c is None:
                return
            if featured is None and rng.random() < 0.03:
                yield (t := _later(t, rng, 60, 2880))
                self.run(desk.withdraw, cid, "customer withdrew", actor=handler, at=t)
                self.stats.withdrawn += 1
                return
            if featured is None and rng.random() < 0.15:
                yield (t := _later(t, rng, 60, 600))
                self.run(
                    desk.wait_on_customer,
                    cid,
                    "photos of the defect requested",
                    actor=handler,
                    at=t,
                )
                yield (t := _later(t, rng, 600, 4 * 1440))
                if rng.random() < 0.8:  # else straight from waiting to a result
                    self.run(desk.resume, cid, actor=handler, at=t)
            if featured is not None and featured.slow:
                yield (t := _later(t, rng, 13 * 1440, 14 * 1440))  # sits on it for two weeks
            else:
                yield (t := _later(t, rng, 120, 3 * 1440))
            result = self.remedy_for(c, featured)
            try:
                c = desk.register_result(cid, result, actor=handler, at=t)
                self.stats.commands += 1
            except GuardRejected as refused:
                supervisor = self.supervisor_of(c)
                if refused.guard == "remedy_standard" and featured is None and rng.random() < 0.6:
                    # Below the remedy standard: the handler gives the standard remedy instead.
                    result = Result(remedy=RemedyKind.EXCHANGE, cause=result.cause,
                                    measures=result.measures)  # fmt: skip
                    c = self.run(desk.register_result, cid, result, actor=handler, at=t)
                    self.stats.raised_to_standard += c is not None
                else:
                    # Above the handler's authority, or below the standard: the supervisor
                    # decides. Escalate by hand unless the ladder already brought the
                    # supervisor in (level 2).
                    if refused.guard == "remedy_standard":
                        reason = "remedy below the remedy standard"
                    else:
                        reason = "remedy above the handler's authority"
                        self.stats.escalated_for_authority += 1
                    if desk.get(cid).escalation_level < 2:
                        self.run(desk.escalate, cid, 2, reason, notify=[supervisor],
                                 actor=handler, at=t)  # fmt: skip
                    yield (t := _later(t, rng, 60, 1440))
                    before = len(desk.history(cid))
                    c = self.run(desk.register_result, cid, result, actor=self.actor(supervisor),
                                 at=t, reason=_BELOW_REASON)  # fmt: skip
                    self.stats.below_standard += c is not None and _below(
                        desk.history(cid)[before:]
                    )
            if c is None:
                return
            yield (t := _later(t, rng, 30, 600))
            self.tell(cid, Channel.PHONE, handler, t)
            yield (t := _later(t, rng, 1440, 3 * 1440))
            self.tell(cid, Channel.PHONE, handler, t, waited=True)  # the notice never arrived
            satisfied = rng.random() < 0.78 or (rounds > 0 and rng.random() < 0.7)
            csat = rng.choice([4, 5]) if satisfied else rng.choice([1, 2, 3])
            wants_reopen = not satisfied and rng.random() < 0.6
            fb = Feedback(satisfied=satisfied, csat=csat, wants_reopen=wants_reopen)
            self.run(desk.record_feedback, cid, fb, actor=self.actor(intake.id), at=t)
            yield (t := _later(t, rng, 10, 240))
            if wants_reopen and rounds == 0:
                c = self.run(
                    desk.reopen, cid, "unhappy at the happy call", actor=self.actor(intake.id), at=t
                )
                if c is None:
                    return
                self.stats.reopened += 1
                rounds += 1
                continue
            self.run(desk.close, cid, actor=self.actor(intake.id), at=t)
            return


def _result_notice_pending(history: Sequence[DomainEvent]) -> bool:
    """Whether the result notice of the latest result is still pending (not delivered and not
    given up)."""
    pending: str | None = None
    for e in history:
        if isinstance(e, ResultRegistered):
            pending = None
        elif isinstance(e, NotificationRequested) and e.template == "result":
            pending = e.notification_id
        elif (
            isinstance(e, NotificationDelivered)
            or (isinstance(e, NotificationFailed) and e.gave_up)
        ) and e.notification_id == pending:
            pending = None
    return pending is not None


def _below(events: Sequence[DomainEvent]) -> bool:
    """Whether a result registered among ``events`` is below the remedy standard."""
    return any(
        isinstance(e, ResultRegistered) and e.standard is not None and e.standard.verdict == "below"
        for e in events
    )


def featured_contacts(featured: Sequence[Featured] | None = None) -> int:
    """How many contacts the featured cases add (bursts count each contact).

    >>> featured_contacts()
    14
    """
    return sum(case.burst for case in (FEATURED if featured is None else featured))


def _arrivals(rng: random.Random, start: datetime, end: datetime, count: int) -> Iterator[datetime]:
    """Arrival times between ``start`` and ``end``, heavier in the day and evening (TV hours)."""
    hours = list(range(24))
    weights = [1, 0, 0, 0, 0, 1, 2, 4, 7, 10, 11, 10, 8, 9, 10, 10, 9, 8, 8, 9, 10, 9, 6, 3]
    days = (end - start).days
    times = []
    for _ in range(count):
        day = rng.randrange(days)
        hour = rng.choices(hours, weights=weights)[0]
        base = (start + timedelta(days=day)).replace(hour=hour)
        times.append(base + timedelta(minutes=rng.uniform(0, 59.99)))
    return iter(sorted(times))


def simulate(
    desk: Desk,
    clock: ManualClock,
    *,
    year: int,
    month: int,
    contacts: int,
    seed: int,
    ticks: Sequence[str] = TICKS,
    progress: Callable[[int], None] | None = None,
    featured: Sequence[Featured] | None = None,
) -> SimulationStats:
    """Drive ``contacts`` random contacts of one month, plus the featured cases (``featured``,
    by default :data:`~ccms.demo.scenario.FEATURED`), through ``desk``; stops at the month's end.

    ``desk.tick`` runs at the wall times ``ticks`` of every working day of the demo calendar
    (business-time clocks only move while it is open), and twice at the end of the month; the
    second time must record nothing.
    """
    tz = ZoneInfo(TIMEZONE)
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    rng = random.Random(seed)
    sim = _Simulation(desk, clock, rng)
    queue: list[tuple[datetime, int, Script | None]] = []
    arrivals: dict[int, tuple[Featured | None, int]] = {}
    seq = 0
    for at in _arrivals(rng, start, end, contacts):
        queue.append((at, seq, None))
        arrivals[seq] = (None, 0)
        seq += 1
    for case in FEATURED if featured is None else featured:
        hour, minute = (int(x) for x in case.time.split(":"))
        first = datetime(year, month, case.day, hour, minute, tzinfo=tz)
        for i in range(case.burst):
            queue.append((first + timedelta(minutes=20 * i), seq, None))
            arrivals[seq] = (case, i)
            seq += 1
    sender = FakeSender(desk, seed) if desk.notices is not None else None
    polls: set[int] = set()
    if sender is not None:
        sim.stats.sender = sender.stats
        for moment in poll_times(start, end):
            queue.append((moment, seq, None))
            polls.add(seq)
            seq += 1
    calendar = demo_calendar()
    day = start.date()
    while day < end.date():
        if calendar.hours_on(day):
            for wall in ticks:
                hour, minute = (int(x) for x in wall.split(":"))
                queue.append(
                    (datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz), seq, None)
                )
                seq += 1
        day += timedelta(days=1)
    heapq.heapify(queue)
    # Each contact draws from its own generator (seeded in arrival order), so a command that a
    # change of policy refuses, or a branch it takes, leaves every other contact's draws alone.
    contact_rngs: dict[int, random.Random] = {}
    while queue:
        at, n, script = heapq.heappop(queue)
        if at >= end:
            break
        clock.set(max(at, clock.now()))
        if n in arrivals:
            if n not in contact_rngs:
                contact_rngs[n] = random.Random(rng.getrandbits(64))
            sim.rng = contact_rngs[n]
        if script is None and n in arrivals:
            script = sim.contact(at, *arrivals[n])
            if progress is not None:
                progress(1)
        elif script is None and n in polls:
            assert sender is not None
            sender.poll(at)
            continue
        elif script is None:
            desk.tick(at)
            continue
        try:
            nxt = next(script)
        except StopIteration:
            continue
        heapq.heappush(queue, (nxt, n, script))
    clock.set(max(end - timedelta(microseconds=1), clock.now()))
    desk.tick(clock.now())
    # The same sweep again must record nothing: ticks are idempotent.
    sim.stats.resweep_events = len(desk.tick(clock.now()))
    return sim.stats
