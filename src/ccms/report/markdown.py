"""Render a :class:`~ccms.report.Report` as Markdown (GitHub-flavoured tables).

Values that come from data (codes, channels, groups, improvement titles) are escaped, so a
``|`` or ``*`` in them cannot break a table or start emphasis.

>>> from datetime import datetime, timezone
>>> from ccms.report import build_report
>>> text = render_markdown(build_report([], as_of=datetime(2026, 11, 1, tzinfo=timezone.utc)))
>>> print(text.splitlines()[0])
# Monthly VOC report 2026-10
>>> escape("a|b *c*")
'a\\\\|b \\\\*c\\\\*'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Final

from ccms.report import _format as fmt
from ccms.report._messages import kind_name, message
from ccms.report._notice_render import notice_markdown
from ccms.report.sections import Report

__all__ = ["escape", "render_markdown"]

# ``_`` inside a word (snake_case) cannot start emphasis in CommonMark, so it is left alone.
_SPECIAL: Final = re.compile(r"([\\`*\[\]<>|#]|(?<!\w)_|_(?!\w))")


def escape(text: str) -> str:
    """Backslash-escape Markdown's special characters and fold newlines into spaces.

    >>> escape("a|b *c* snake_case _x_")
    'a\\\\|b \\\\*c\\\\* snake_case \\\\_x\\\\_'
    """
    return _SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, right: int | Collection[int] = 1
) -> str:
    """A pipe table; columns from index ``right`` on (or those in ``right``) are right-aligned."""

    def num(i: int) -> bool:
        return i >= right if isinstance(right, int) else i in right

    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---:" if num(i) else "---" for i in range(len(header))) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    """The report as one Markdown document (ends with a newline)."""
    v, i, h, f = report.volume, report.issues, report.handling, report.fairness
    lang = report.language

    def m(key: str, **values: object) -> str:
        return message(lang, key, **values)

    def h2(section: str) -> list[str]:
        return ["", f"## {m('section.' + section)}", ""]

    out: list[str] = [f"# {escape(report.title)}", "", fmt.period_line(report), ""]
    out += [f"## {m('section.highlights')}", ""]
    out += [f"- {escape(line)}" for line in report.highlights()]

    out += h2("volume")
    volume = "volume.line_no_previous" if v.previous_total == 0 else "volume.line"
    out.append(
        m(
            volume,
            total=v.total,
            label=report.period.label,
            previous_total=v.previous_total,
            previous=report.previous_period.label,
            covered=v.covered,
            what=report.covered,
        )
    )
    out += ["", _table(fmt.head_row(report, "kind", "VOC"),
                       [(escape(kind_name(c.key, lang)), str(c.count)) for c in v.by_kind])]  # fmt: skip
    out += ["", _table((*fmt.head_row(report, "channel"), report.covered),
                       [(escape(k), n) for k, n in fmt.channel_rows(report)])]  # fmt: skip

    out += h2("issues")
    if i.top:
        header, rows = fmt.issue_rows(report)
        out.append(m("issues.top", top=len(i.top), codes=len(i.pareto), concerns=i.concerns))
        named = 1 if any(c.name for c in i.top) else 0
        out += ["", _table(header, [tuple(escape(c) for c in r[: 1 + named]) + tuple(r[1 + named :])
                                    for r in rows], right=1 + named)]  # fmt: skip
        out += ["", m("issues.vital", share=f"{i.pareto_share:.0%}",
                      codes=", ".join(escape(c) for c in i.vital_few))]  # fmt: skip
    else:
        out.append(m("issues.none"))
    out.append("")
    if i.spikes:
        header, rows = fmt.spike_rows(report)
        out += [m("spikes.against", previous=report.previous_period.label), ""]
        out.append(_table(header, [(escape(r[0]), *r[1:]) for r in rows]))
    else:
        out.append(m("spikes.none", previous=report.previous_period.label))
    out += ["", escape(fmt.all_kinds_line(report))]
    every = fmt.all_kinds_rows(report)
    if every is not None:
        out += ["", _table(every[0], [(escape(r[0]), *r[1:]) for r in every[1]])]

    out += h2("rates")
    if report.rates:
        out.append(_table(*fmt.rate_rows(report)))
    else:
        out.append(m("rates.none"))

    out += h2("handling")
    header, rows = fmt.handling_rows(report)
    out.append(_table(header, rows))
    out.append("")
    timely = fmt.timely_line(report)
    if timely is not None:
        out += [escape(timely), ""]
    if h.sla:
        out.append(_table(*fmt.sla_rows(report)))
    else:
        out.append(m("sla.none"))

    out += h2("fairness")
    if lang == "en":
        out.append(
            f"Checked {len(f.tested)} comparison{'s' if len(f.tested) != 1 else ''} ({escape(', '.join(f.tested)) or 'none'}), like for like "
            f"by VOC code, groups of at least {f.min_n}, Holm-corrected."
        )
    else:
        out.append(m("fairness.checked", n=len(f.tested),
                     tested=escape(fmt.tested_text(report)) or "-", min_n=f.min_n))  # fmt: skip
    out.append("")
    if f.flags:
        out += [f"- **{escape(dim)}**: {escape(text)}" for dim, text in fmt.flag_items(report)]
    else:
        out.append(m("fairness.none"))
    if f.survey_warnings:
        out += ["", m("fairness.survey"), ""]
        out += [f"- {escape(w)}" for w in fmt.survey_lines(report)]
    if f.workload_gini is not None:
        out += ["", m("fairness.gini", gini=f"{f.workload_gini:.2f}")]
        if f.workload_flags:
            out += ["", *(f"- {escape(w)}" for w in fmt.workload_lines(report))]

    if report.fields:
        out += h2("fields")
        out.append(m("fields.intro", what=report.covered, label=report.period.label))
        for n in range(len(report.fields)):
            header, rows = fmt.field_rows(report, n)
            out += ["", _table([escape(c) for c in header],
                               [(escape(r[0]), *r[1:]) for r in rows])]  # fmt: skip

    out += h2("improvements")
    if report.improvements.rows:
        header, rows = fmt.improvement_rows(report)
        out.append(_table(header, [tuple(escape(c) for c in r) for r in rows], right=5))
        t = report.improvements.on_time
        out += ["", m("improvements.on_time", rate=fmt.rate(t.rate, lang), pending=t.pending)]
    else:
        out.append(m("improvements.none"))
    _elements(out, report)
    out += notice_markdown(report, escape, _table)
    return "\n".join(out) + "\n"


def _elements(out: list[str], report: Report) -> None:
    """The CS-points, ideas and institutional-improvement sections."""
    label, lang = report.period.label, report.language
    out += ["", f"## {message(lang, 'section.points')}", ""]
    out.append(" ".join(escape(line) for line in fmt.points_lines(report)))
    p = report.points
    if p is not None and (p.top or p.bottom):
        header, rows = fmt.points_rows(report)
        out += ["", message(lang, "points.balances", moment=f"{report.as_of:%Y-%m-%d %H:%M}"), ""]
        out.append(_table(header, [tuple(escape(c) for c in r) for r in rows], right={1}))

    out += ["", f"## {message(lang, 'section.ideas')}", ""]
    out += [escape(line) for line in fmt.idea_lines(report)]
    d = report.ideas
    if d.by_stage:
        out += ["", _table(*fmt.stage_rows(d.by_stage, report, "proposed"))]
    if d.rows:
        header, rows = fmt.idea_rows(report)
        out += ["", message(lang, "ideas.moved", label=label), ""]
        out.append(_table(header, [tuple(escape(c) for c in r) for r in rows], right=()))

    out += ["", f"## {message(lang, 'section.institutional')}", ""]
    out += [escape(line) for line in fmt.institutional_lines(report)]
    n = report.institutional
    if n.by_stage:
        out += ["", _table(*fmt.stage_rows(n.by_stage, report, "found"))]
    if n.overdue:
        header, rows = fmt.overdue_rows(report)
        out += ["", message(lang, "institutional.overdue"), ""]
        out.append(_table(header, [tuple(escape(c) for c in r) for r in rows], right={5}))
    elif n.total:
        out += ["", message(lang, "institutional.none_overdue")]
