"""A month of contacts at the demo company, driven through the Desk in time order.

Each contact is a small script (a generator) that performs one step of its lifecycle and yields
the time of its next step; the driver runs every script's steps in global time order, moving a
manual clock, so routing sees the load of that moment and sweeps run on the hour. Deterministic
for a given seed.
"""

from __future__ import annotations

import heapq
import random
from collections import Counter
from collections.abc import Callable, Generator, Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import attrs

from ccms.cli.scenario import CHANNEL_WEIGHTS, CODE_WEIGHTS, TIMEZONE
from ccms.desk import Desk, ManualClock
from ccms.errors import CCMSError, GuardRejected
from ccms.model import (
    Actor,
    Channel,
    Complaint,
    Concern,
    Customer,
    Feedback,
    Flag,
    Money,
    RemedyKind,
    Result,
    Role,
    Severity,
    VocKind,
)

__all__ = ["SimulationStats", "simulate"]

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
    ids: list[str] = attrs.field(factory=list)


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

    def remedy_for(self, complaint: Complaint) -> Result:
        rng = self.rng
        code = complaint.primary_code or "SVC"
        taxonomy = self.desk.taxonomy
        remedy = RemedyKind.APOLOGY
        if taxonomy is not None:
            defaults = taxonomy.defaults_for(code, complaint.received_at.date())
            remedy = defaults.remedy or remedy
        if rng.random() < 0.1:
            remedy = RemedyKind.COMPENSATION
        amount = None
        if remedy in {RemedyKind.REFUND, RemedyKind.COMPENSATION}:
            price = rng.choice([19_900, 39_900, 59_000, 89_000, 129_000, 189_000, 259_000, 399_000])
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

    def contact(self, arrival: datetime) -> Script:
        rng, desk = self.rng, self.desk
        customer = self.customer()
        concerns = self.concerns()
        flags: set[Flag] = set()
        if any(c.code == "PRD.SAF" for c in concerns):
            flags.add(Flag.SAFETY)
        if rng.random() < 0.02:
            flags.add(Flag.LEGAL_THREAT)
        channel = _weighted(rng, CHANNEL_WEIGHTS)
        assert isinstance(channel, Channel)
        intake = rng.choice(self.front_line)
        received = desk.receive(
            channel=channel,
            customer=customer,
            concerns=[c.model_copy(update={"code": None}) for c in concerns],
            received_at=arrival,
            flags=flags,
            actor=self.actor(intake.id),
        )
        cid = received.id
        self.stats.contacts += 1
        self.stats.concerns += len(concerns)
        self.stats.ids.append(cid)
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
        if duplicate_of is not None and rng.random() < 0.08:
            self.run(desk.reject, cid, "duplicate", duplicate_of=duplicate_of, actor=fl, at=t)
            self.stats.rejected += 1
            return
        if c.kind is not VocKind.COMPLAINT:
            # First-contact resolution by the front line: answer, tell, close.
            remedy = RemedyKind.EXPLANATION if c.kind is VocKind.INQUIRY else RemedyKind.NONE
            self.run(desk.register_result, cid, Result(remedy=remedy), actor=fl, at=t)
            t = _later(t, rng, 1, 30)
            yield t
            self.run(
                desk.notify,
                cid,
                channel if channel in (Channel.PHONE, Channel.CHAT) else Channel.SMS,
                actor=fl,
                at=t,
            )
            yield (t := _later(t, rng, 5, 60))
            self.run(desk.close, cid, "answered at first contact", actor=fl, at=t)
            return

        # A reply within the hour stops the first-response clock.
        yield (t := _later(t, rng, 5, 90))
        self.run(desk.respond, cid, Channel.SMS, "접수되었습니다 / received", actor=fl, at=t)

        wrong_first = rng.random() < 0.1
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
            c = self.run(desk.assign_handler, cid, at=t)
            if c is None or c.handler is None:
                return
            handler = self.actor(c.handler)
            yield (t := _later(t, rng, 30, 720))
            c = self.run(desk.start, cid, actor=handler, at=t)
            if c is None:
                return
            if rng.random() < 0.03:
                yield (t := _later(t, rng, 60, 2880))
                self.run(desk.withdraw, cid, "customer withdrew", actor=handler, at=t)
                self.stats.withdrawn += 1
                return
            if rng.random() < 0.15:
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
            yield (t := _later(t, rng, 120, 3 * 1440))
            result = self.remedy_for(c)
            try:
                c = desk.register_result(cid, result, actor=handler, at=t)
                self.stats.commands += 1
            except GuardRejected:
                # Above the handler's authority: escalate to the supervisor, who decides.
                supervisor = self.supervisor_of(c)
                self.run(
                    desk.escalate,
                    cid,
                    1,
                    "remedy above the handler's authority",
                    notify=[supervisor],
                    actor=handler,
                    at=t,
                )
                self.stats.escalated_for_authority += 1
                yield (t := _later(t, rng, 60, 1440))
                c = self.run(desk.register_result, cid, result, actor=self.actor(supervisor), at=t)
            if c is None:
                return
            yield (t := _later(t, rng, 30, 600))
            self.run(desk.notify, cid, Channel.PHONE, actor=handler, at=t)
            yield (t := _later(t, rng, 1440, 3 * 1440))
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
    tick_every: timedelta = timedelta(hours=4),
    progress: Callable[[int], None] | None = None,
) -> SimulationStats:
    """Drive ``contacts`` contacts of one month through ``desk``; stops at the month's end."""
    tz = ZoneInfo(TIMEZONE)
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    rng = random.Random(seed)
    sim = _Simulation(desk, clock, rng)
    queue: list[tuple[datetime, int, Script | None]] = []
    seq = 0
    for at in _arrivals(rng, start, end, contacts):
        queue.append((at, seq, None))
        seq += 1
    tick = start + tick_every
    while tick < end:
        queue.append((tick, seq, None))
        seq += 1
        tick += tick_every
    heapq.heapify(queue)
    arrivals = set(range(contacts))
    while queue:
        at, n, script = heapq.heappop(queue)
        if at >= end:
            break
        clock.set(max(at, clock.now()))
        if script is None and n in arrivals:
            script = sim.contact(at)
            if progress is not None:
                progress(1)
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
    return sim.stats
