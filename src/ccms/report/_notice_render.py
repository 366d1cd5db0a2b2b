"""The customer-notice section of a report as Markdown or HTML (the renderers call these).

The section is built once as renderer-neutral blocks (:func:`notice_blocks`: a heading,
sentences and tables, every text in the report's language); :func:`notice_markdown` and
:func:`notice_html` lay them out with the renderer's own escaping and table helpers. A report
without notice figures (``report.notices is None``) has no section; one whose window saw no
notice and no result says "no data".

>>> from datetime import datetime, timezone
>>> from ccms.report import build_report
>>> at = datetime(2026, 11, 1, tzinfo=timezone.utc)
>>> [b.text for b in notice_blocks(build_report([], as_of=at, notices=[], language="ko"))]
['고객 안내 및 분쟁해결기준', '2026-10에 요청된 고객 안내가 없습니다 (자료 없음).', '2026-10에 등록된 처리결과가 없습니다 (자료 없음).', '2026-10의 처리결과 중 분쟁해결기준과 비교된 것이 없습니다 (자료 없음).']
>>> notice_blocks(build_report([], as_of=at))
()
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Final, Literal, Protocol

import attrs

from ccms.metrics.notices import NoticeCounts, NoticeFigures, StandardCounts
from ccms.report._format import DASH, duration
from ccms.report._messages import message, term
from ccms.report._notice_messages import NOTICE_KINDS
from ccms.report._notice_section import rate_text, target_text
from ccms.report.sections import Report

__all__ = ["Block", "kind_label", "notice_blocks", "notice_html", "notice_markdown"]

BlockKind = Literal["heading", "text", "none", "table"]
_COUNT_HEAD: Final = ("requested", "delivered", "given up", "pending", "failed attempts",
                      "retried", "delivery rate")  # fmt: skip
_STANDARD_HEAD: Final = ("department", "results", "checked", "below", "at", "above",
                         "below share", "no standard", "unchecked")  # fmt: skip


@attrs.frozen
class Block:
    """One piece of the section: a heading, a sentence (``none``: a "no data" sentence) or a
    table (``right``: the first right-aligned column)."""

    kind: BlockKind
    text: str = ""
    header: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    right: int = 1


def kind_label(kind: str, language: str) -> str:
    """A notice kind in ``language`` (``result`` -> 처리결과 통보); unknown kinds as they are."""
    names = NOTICE_KINDS.get(kind)
    if names is None:
        return kind
    return names[1] if language == "ko" else names[0]


def _count_row(key: str, c: NoticeCounts, language: str) -> tuple[str, ...]:
    return (key, str(c.requested), str(c.delivered), str(c.given_up), str(c.pending),
            str(c.failed_attempts), str(c.retried), rate_text(c.delivery, language))  # fmt: skip


def _standard_row(key: str, s: StandardCounts, language: str) -> tuple[str, ...]:
    return (key, str(s.results), str(s.checked), str(s.below), str(s.at), str(s.above),
            rate_text(s.below_share, language), str(s.no_standard), str(s.unchecked))  # fmt: skip


def _head(language: str, *names: str) -> tuple[str, ...]:
    return tuple(term(language, n) for n in names)


def notice_blocks(report: Report) -> tuple[Block, ...]:
    """The section as blocks, or nothing when the report has no notice figures."""
    f: NoticeFigures | None = report.notices
    if f is None:
        return ()
    lang, label = report.language, report.period.label
    moment = f"{report.as_of:%Y-%m-%d %H:%M}"
    total = term(lang, "total")
    out = [Block("heading", message(lang, "section.notices"))]
    t = f.total
    if t.requested:
        out.append(Block("text", message(lang, "notices.line", requested=t.requested, label=label,
                                         delivered=t.delivered, given_up=t.given_up,
                                         pending=t.pending, moment=moment, retried=t.retried,
                                         failed=t.failed_attempts)))  # fmt: skip
        rows = [_count_row(k, c, lang) for k, c in f.by_channel.items()]
        rows.append(_count_row(total, t, lang))
        out.append(Block("table", header=_head(lang, "channel", *_COUNT_HEAD), rows=tuple(rows)))
        kinds = [_count_row(kind_label(k, lang), c, lang) for k, c in f.by_kind.items()]
        out.append(Block("text", message(lang, "notices.by_kind")))
        out.append(Block("table", header=_head(lang, "notice", *_COUNT_HEAD), rows=tuple(kinds)))
    else:
        out.append(Block("none", message(lang, "notices.none", label=label)))
    n = f.notify
    if n.results:
        out.append(Block("text", message(lang, "notify.line", notified=n.notified,
                                         results=n.results, label=label, moment=moment,
                                         median=duration(n.time.median) if n.time.n else DASH,
                                         p90=duration(n.time.p90) if n.time.n else DASH,
                                         target=target_text(n.target, lang),
                                         within=rate_text(n.within, lang))))  # fmt: skip
    else:
        out.append(Block("none", message(lang, "notify.none", label=label)))
    s = f.standards
    if s.checked:
        out.append(Block("text", message(lang, "standards.line", checked=s.checked,
                                         results=s.results, label=label,
                                         below=rate_text(s.below_share, lang),
                                         at=rate_text(s.at_share, lang),
                                         above=rate_text(s.above_share, lang))))  # fmt: skip
        rows = [_standard_row(k, d, lang) for k, d in f.standards_by_department.items()
                if d.checked or d.no_standard]  # fmt: skip
        rows.append(_standard_row(total, s, lang))
        out.append(Block("table", header=_head(lang, *_STANDARD_HEAD), rows=tuple(rows)))
    else:
        out.append(Block("none", message(lang, "standards.none", label=label)))
    return tuple(out)


class TableFn(Protocol):
    """A renderer's table helper: header, rows and the right-aligned columns."""

    def __call__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        right: int | Collection[int] = 1,
    ) -> str: ...


def notice_markdown(report: Report, escape: Callable[[str], str], table: TableFn) -> list[str]:
    """The section's Markdown lines (to append to the document's), escaped with ``escape``."""
    out: list[str] = []
    for b in notice_blocks(report):
        out.append("")  # a blank line before every block
        if b.kind == "heading":
            out.append(f"## {escape(b.text)}")
        elif b.kind == "table":
            rows = [(escape(r[0]), *r[1:]) for r in b.rows]
            out.append(table([escape(h) for h in b.header], rows, right=b.right))
        else:
            out.append(escape(b.text))
    return out


def notice_html(report: Report, escape: Callable[[str], str], table: TableFn) -> list[str]:
    """The section's HTML fragments (``table`` escapes its cells itself, as the page's does)."""
    out: list[str] = []
    for b in notice_blocks(report):
        if b.kind == "heading":
            out.append(f"<h2>{escape(b.text)}</h2>")
        elif b.kind == "table":
            out.append(table(b.header, b.rows, right=b.right))
        elif b.kind == "none":
            out.append(f'<p class="none">{escape(b.text)}</p>')
        else:
            out.append(f"<p>{escape(b.text)}</p>")
    return out
