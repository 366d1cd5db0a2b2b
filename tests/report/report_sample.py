"""A small hand-made record set for the report tests (figures worked out in test_build.py).

October 2026 (UTC), compared with September:

- September: DLV.LATE x1 and PAY.REFUND x1 (closed), PAY.REFUND x1 received 09-10 and still open.
- October, complaints: DLV.LATE x12 (1st-12th, answered in 1h, resolved in 4h, closed in 5h;
  SLA "resolution" met for the first 10, breached for the last 2; the last one was transferred
  once; phone on even days, web on odd); PAY.REFUND x3 (20th-22nd, open, due 25th, 25th, Nov 5);
  one complaint with PRD.DEF and SVC.ATT (28th, open); one without a code (30th, withdrawn).
- October, one inquiry (INQ.ORDER, 15th).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs

from ccms.metrics import CaseRecord
from ccms.report import Report, build_report

UTC = UTC
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def rec(i: str, received: datetime, **kw: object) -> CaseRecord:
    base: dict[str, object] = {
        "channel": "phone",
        "kind": "complaint",
        "severity": "low",
        "segment": "general",
        "stage": "received",
    }
    base.update(kw)
    return CaseRecord(id=i, received_at=received, **base)  # type: ignore[arg-type]


def september() -> list[CaseRecord]:
    return [
        rec("s1", at(9, 3), code="DLV.LATE", codes=("DLV.LATE",), closed_at=at(9, 4),
            stage="closed"),
        rec("s2", at(9, 5), code="PAY.REFUND", codes=("PAY.REFUND",), closed_at=at(9, 6),
            stage="closed"),
        rec("s3", at(9, 10), code="PAY.REFUND", codes=("PAY.REFUND",), stage="in_progress"),
    ]  # fmt: skip


def october() -> list[CaseRecord]:
    out = []
    for i in range(12):
        t = at(10, i + 1)
        out.append(
            rec(f"d{i}", t, code="DLV.LATE", codes=("DLV.LATE",),
                channel="phone" if i % 2 == 0 else "web", stage="closed",
                first_response_at=t + timedelta(hours=1), resolved_at=t + timedelta(hours=4),
                closed_at=t + timedelta(hours=5),
                sla_met=("resolution",) if i < 10 else (),
                sla_breached=("resolution",) if i >= 10 else (),
                transfers=1 if i == 11 else 0)
        )  # fmt: skip
    dues = [at(10, 25), at(10, 25), at(11, 5)]
    for j in range(3):
        out.append(rec(f"p{j}", at(10, 20 + j), code="PAY.REFUND", codes=("PAY.REFUND",),
                       channel="web", stage="in_progress", due_at=dues[j]))  # fmt: skip
    out.append(rec("m1", at(10, 28), code="PRD.DEF", codes=("PRD.DEF", "SVC.ATT"),
                   channel="chat", stage="in_progress"))  # fmt: skip
    out.append(rec("u1", at(10, 30), channel="chat", stage="withdrawn", withdrawn=True,
                   closed_at=at(10, 30, 10)))  # fmt: skip
    out.append(rec("q1", at(10, 15), kind="inquiry", code="INQ.ORDER", codes=("INQ.ORDER",),
                   stage="closed", closed_at=at(10, 15, 10)))  # fmt: skip
    return out


@attrs.frozen
class Task:
    """An improvement measure with the attributes reports read."""

    title: str
    department: str
    due_at: date | datetime
    stage: str
    done_at: datetime | None = None


def tasks() -> list[Task]:
    return [
        Task("Courier SLA renegotiated", "logistics", date(2026, 10, 10), "done", at(10, 8)),
        Task("Refund batch twice a day", "finance", date(2026, 10, 20), "done", at(10, 23)),
        Task("Carrier scorecard", "logistics", date(2026, 10, 25), "in_progress"),
        Task("Handle supplier audit", "qa", date(2026, 11, 30), "planned"),
        Task("Old call-back script", "cs", date(2026, 9, 15), "done", at(9, 20)),
    ]


def sample_report(**kw: object) -> Report:
    """The October report of the sample, with order denominators and the tasks."""
    options: dict[str, object] = {
        "period": "month",
        "as_of": AS_OF,
        "denominators": {"orders": 3400},
        "previous_denominators": {"orders": 3000},
        "improvements": tasks(),
    }
    options.update(kw)
    return build_report(september() + october(), **options)  # type: ignore[arg-type]


def fair_october() -> list[CaseRecord]:
    """100 web and 100 phone complaints (PRD.DEF, resolved): 80% of web and 50% of phone got a
    refund (the rest an apology); web held by kim, phone by lee then kim."""
    out = []
    for i in range(100):
        t = at(10, 1 + i % 28)
        for ch, cut, hs in (("web", 80, ("kim",)), ("phone", 50, ("lee", "kim"))):
            out.append(rec(f"{ch}{i}", t, channel=ch, code="PRD.DEF", codes=("PRD.DEF",),
                           stage="closed", resolved_at=t + timedelta(hours=2),
                           closed_at=t + timedelta(hours=3), handlers=hs, handler=hs[-1],
                           remedy="refund" if i < cut else "apology"))  # fmt: skip
    return out
