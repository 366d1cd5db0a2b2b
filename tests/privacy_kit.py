"""Shared builders of the privacy tests: stores filled with customers whose personal data is
known (so a test can look for every byte of it), and the figures erasure must keep."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from hypothesis import strategies as st

from ccms.metrics import (
    METRICS,
    FairnessAccumulator,
    KpiAccumulator,
    accumulate,
    case_records,
)
from ccms.model import (
    ComplaintReceived,
    Customer,
    CustomerRef,
    DomainEvent,
    fold,
)
from ccms.policy import BusinessCalendar
from ccms.store import ComplaintStore
from ccms.testing.strategies import event_histories

AS_OF = datetime(2031, 1, 1, tzinfo=UTC)
SEGMENTS = ("general", "vip", "senior")
REGIONS = ("Seoul", "Busan", None)


@attrs.frozen
class Person:
    """A customer and every personal value they gave (in the forms they gave them)."""

    customer: Customer
    rrn: str
    texts: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.customer.id

    def contact(self) -> list[str]:
        """Name, phone, e-mail and resident number, as given."""
        c = self.customer
        return [v.reveal() for v in (c.name, c.phone, c.email) if v is not None] + [self.rrn]


def person(n: int, *, phone_style: int = 0) -> Person:
    """Customer ``K{n}`` with a unique name, phone, e-mail and resident number."""
    digits = f"{1000 + n:04d}{5000 + 7 * n:04d}"
    phone = [
        f"010-{digits[:4]}-{digits[4:]}",
        f"010{digits}",
        f"+82 10 {digits[:4]} {digits[4:]}",
    ][phone_style % 3]
    rrn = f"8{n % 10}0{1 + n % 9}{10 + n % 18}-{1 + n % 2}{234560 + n:06d}"
    customer = Customer(
        id=f"K{n}",
        name=f"Hong Gildong{n}",
        phone=phone,
        email=f"gildong{n}@example.com",
        segment=SEGMENTS[n % 3],
        region=REGIONS[n % 3],
    )
    return Person(customer=customer, rrn=rrn)


def variants(value: str) -> list[str]:
    """``value`` in the common forms it could be written in (with and without separators)."""
    found = {value, value.casefold()}
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) >= 7 and "@" not in value:
        found.add(digits)
        if digits.startswith("82"):
            domestic = "0" + digits[2:]
            found.add(domestic)
            digits = domestic
        if len(digits) == 11:
            found.add(f"{digits[:3]}-{digits[3:7]}-{digits[7:]}")
            found.add(f"{digits[:3]} {digits[3:7]} {digits[7:]}")
            found.add(f"{digits[:3]}.{digits[3:7]}.{digits[7:]}")
            found.add(f"+82 {digits[1:3]} {digits[3:7]} {digits[7:]}")
            found.add(f"+82-{digits[1:3]}-{digits[3:7]}-{digits[7:]}")
            found.add(f"+82{digits[1:]}")
        if len(digits) == 13:
            found.add(f"{digits[:6]}-{digits[6:]}")
            found.add(f"{digits[:6]} {digits[6:]}")
    return sorted(found)


def text_of(p: Person, i: int) -> str:
    """A concern text of ``p`` that holds all their contact details and a unique phrase."""
    phone = p.customer.phone.reveal() if p.customer.phone else ""
    email = p.customer.email.reveal() if p.customer.email else ""
    name = p.customer.name.reveal() if p.customer.name else ""
    return f"저는 {name}입니다. 연락처 {phone}, {email}, 주민번호 {p.rrn}. 사연{p.id}x{i}번"


def _rebrand(
    history: Sequence[DomainEvent], cid: str, p: Person, i: int
) -> tuple[list[DomainEvent], str]:
    text = text_of(p, i)
    out: list[DomainEvent] = []
    for event in history:
        update: dict[str, Any] = {"complaint_id": cid}
        if isinstance(event, ComplaintReceived):
            c = p.customer
            update["customer"] = CustomerRef(
                id=c.id, segment=c.segment, region=c.region, language=c.language
            )
            update["concerns"] = tuple(
                con.model_copy(update={"text": text}) for con in event.concerns
            )
            update["tags"] = frozenset({*event.tags, f"cb-{c.phone.reveal() if c.phone else ''}"})
            update["attributes"] = {**event.attributes, "callback": p.rrn}
        out.append(event.model_copy(update=update))
    return out, text


def append_history(store: ComplaintStore, events: Sequence[DomainEvent]) -> None:
    """Append a valid history one command (version) at a time."""
    done: list[DomainEvent] = []
    for _, group in itertools.groupby(events, key=lambda e: e.version):
        batch = list(group)
        expected = done[-1].version if done else 0
        done.extend(batch)
        store.append(fold(done), batch, expected_version=expected)


@attrs.frozen
class Population:
    """People and the complaint histories they raised (``(owner index, events)``)."""

    people: tuple[Person, ...]
    plans: tuple[tuple[int, tuple[DomainEvent, ...]], ...]

    def fill(self, store: ComplaintStore) -> None:
        """Store the customers and their complaints."""
        for p in self.people:
            store.save_customer(p.customer)
        for _, events in self.plans:
            append_history(store, events)


@st.composite
def populations(draw: st.DrawFn, *, max_people: int = 3, max_complaints: int = 5) -> Population:
    """Up to ``max_people`` people with 1 to ``max_complaints`` complaints between them (about
    half of them closed, withdrawn or rejected)."""
    count = draw(st.integers(1, max_people))
    people = [person(n, phone_style=draw(st.integers(0, 2))) for n in range(1, count + 1)]
    history = st.one_of(
        event_histories(max_commands=8),
        event_histories(max_commands=8, stages=["closed", "withdrawn", "rejected"]),
    )
    histories = draw(
        st.lists(
            st.tuples(st.integers(0, count - 1), history),
            min_size=1,
            max_size=max_complaints,
        )
    )
    plans: list[tuple[int, tuple[DomainEvent, ...]]] = []
    for i, (owner, history) in enumerate(histories):
        events, text = _rebrand(history, f"c{i}", people[owner], i)
        people[owner] = attrs.evolve(people[owner], texts=(*people[owner].texts, text))
        plans.append((owner, tuple(events)))
    return Population(people=tuple(people), plans=tuple(plans))


def figures(store: ComplaintStore, calendar: BusinessCalendar | None = None) -> dict[str, Any]:
    """Every KPI and fairness figure over the store's complaints (and the records they read)."""
    records = sorted(case_records(store, calendar=calendar), key=lambda r: r.id)
    out: dict[str, Any] = {"records": records}
    for by in ((), ("segment",), ("channel",), ("region",), ("handler",), ("month",)):
        acc = KpiAccumulator(by=by, as_of=AS_OF)
        out[f"kpi{by}"] = accumulate(acc, records).result()
    for metric in METRICS:
        for by in ("segment", "channel", "region"):
            currency = "KRW" if metric == "remedy_amount" else None
            acc = FairnessAccumulator(metric, by=by, control=None, min_n=1, currency=currency)
            frame = accumulate(acc, records).result()
            # repr: the figures may hold NaN (never equal to itself); sorted, since a dict's or
            # a list's order follows the order the groups were first met, not a figure
            out[f"fair-{metric}-{by}"] = (
                sorted(repr(item) for item in frame.cells.items()),
                repr(frame.overall),
                sorted(repr(item) for item in frame.by_group.items()),
                sorted(repr(c) for c in frame.comparisons()),
                sorted(repr(f) for f in frame.flags),
            )
    return out


def everything(values: Iterable[str]) -> list[str]:
    """Every common form of every value, longest first."""
    found = {v for value in values for v in variants(value)}
    return sorted(found, key=len, reverse=True)


def later(t: datetime, days: int = 1) -> datetime:
    return t + timedelta(days=days)
