"""The report's customer-notice section: delivery, the notify time and remedy standards.

:func:`notice_section` computes the section's figures (:class:`~ccms.metrics.notices.NoticeFigures`)
from complaint histories over the report's window ``[period start, cut-off)`` with
:class:`~ccms.metrics.notices.NoticeAccumulator`; :func:`notice_highlights` words its key
sentences. The notices of every VOC kind count (an inquiry's answer is a notice too), whatever
the report's ``kinds``.

>>> from datetime import datetime, timezone
>>> t = datetime(2026, 10, 1, tzinfo=timezone.utc)
>>> figures = notice_section([], t, datetime(2026, 11, 1, tzinfo=timezone.utc))
>>> figures.total.requested, figures.empty
(0, True)
>>> notice_highlights(figures, "en")
()
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from ccms.metrics import Rate
from ccms.metrics.notices import NOTIFY_TARGET, NoticeAccumulator, NoticeFigures
from ccms.model import DomainEvent
from ccms.report._messages import message

__all__ = ["notice_highlights", "notice_section", "rate_text", "target_text"]


def notice_section(
    histories: Iterable[Sequence[DomainEvent]],
    start: datetime,
    cut: datetime,
    target: timedelta = NOTIFY_TARGET,
) -> NoticeFigures:
    """The notice figures of ``histories`` (each one complaint's events, in order) over
    ``[start, cut)``."""
    acc = NoticeAccumulator(start, cut, target=target)
    for history in histories:
        acc.update(history)
    return acc.result()


def rate_text(r: Rate, language: str) -> str:
    """``75% (3 of 4)`` / ``75% (4건 중 3건)``, or a dash when nothing was counted."""
    if not r.n or r.value is None:
        return "-"
    return message(language, "rate.of", share=f"{r.value:.0%}", k=r.successes, n=r.n)


def target_text(seconds: int, language: str) -> str:
    """A target as people say it: ``1 day``, ``4 hours``, ``30 minutes`` (``1일``, ``4시간``)."""
    for unit, en, ko in ((86_400, "day", "일"), (3600, "hour", "시간"), (60, "minute", "분")):
        if seconds % unit == 0:
            n = seconds // unit
            return f"{n}{ko}" if language == "ko" else f"{n} {en}{'' if n == 1 else 's'}"
    return f"{seconds}초" if language == "ko" else f"{seconds} seconds"


def notice_highlights(figures: NoticeFigures, language: str) -> tuple[str, ...]:
    """The section's key sentences (none when nothing was requested or checked)."""
    out: list[str] = []
    t = figures.total
    if t.requested:
        out.append(message(language, "highlight.notices", requested=t.requested,
                           delivered=t.delivered, given_up=t.given_up, pending=t.pending,
                           target=target_text(figures.notify.target, language),
                           within=rate_text(figures.notify.within, language)))  # fmt: skip
    s = figures.standards
    if s.checked:
        out.append(message(language, "highlight.standards", below=s.below, at=s.at,
                           above=s.above, checked=s.checked))  # fmt: skip
    return tuple(out)
