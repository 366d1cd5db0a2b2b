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
    out: list[str] = [f"# {escape(report.title)}", "", fmt.period_line(report), ""]
    out += ["## Highlights", ""]
    out += [f"- {escape(line)}" for line in report.highlights()]

    out += ["", "## Volume", ""]
    out.append(
        f"{v.total} VOC in {report.period.label} ({v.previous_total} in "
        f"{report.previous_period.label}); {v.covered} {report.covered}."
    )
    out += ["", _table(("kind", "VOC"), [(escape(c.key), str(c.count)) for c in v.by_kind])]
    out += ["", _table(("channel", report.covered),
                       [(escape(c.key), str(c.count)) for c in v.by_channel])]  # fmt: skip

    out += ["", "## Main issues", ""]
    if i.top:
        header, rows = fmt.issue_rows(report)
        out.append(f"Top {len(i.top)} of {len(i.pareto)} VOC codes by concerns ({i.concerns}):")
        named = 1 if header[1] == "name" else 0
        out += ["", _table(header, [tuple(escape(c) for c in r[: 1 + named]) + tuple(r[1 + named :])
                                    for r in rows], right=1 + named)]  # fmt: skip
        out += ["", f"Vital few (Pareto, {i.pareto_share:.0%} of concerns): "
                + ", ".join(escape(c) for c in i.vital_few) + "."]  # fmt: skip
    else:
        out.append("No concerns in this period.")
    out.append("")
    if i.spikes:
        header, rows = fmt.spike_rows(report)
        out += [f"Spikes against {report.previous_period.label}:", ""]
        out.append(_table(header, [(escape(r[0]), *r[1:]) for r in rows]))
    else:
        out.append(f"No code spiked against {report.previous_period.label}.")
    out += ["", escape(fmt.all_kinds_line(report))]
    every = fmt.all_kinds_rows(report)
    if every is not None:
        out += ["", _table(every[0], [(escape(r[0]), *r[1:]) for r in every[1]])]

    out += ["", "## Complaint rates", ""]
    if report.rates:
        out.append(_table(*fmt.rate_rows(report)))
    else:
        out.append("No denominators (orders, customers) were given.")

    out += ["", "## Handling and SLA status", ""]
    header, rows = fmt.handling_rows(report)
    out.append(_table(header, rows))
    out.append("")
    timely = fmt.timely_line(report)
    if timely is not None:
        out += [escape(timely), ""]
    if h.sla:
        out.append(_table(*fmt.sla_rows(report)))
    else:
        out.append("No SLA outcomes were recorded for this period's complaints.")

    out += ["", "## Fairness", ""]
    out.append(
        f"Checked {len(f.tested)} comparison{'s' if len(f.tested) != 1 else ''} ({escape(', '.join(f.tested)) or 'none'}), like for like "
        f"by VOC code, groups of at least {f.min_n}, Holm-corrected."
    )
    out.append("")
    if f.flags:
        out += [f"- **{escape(fl.dimension)}**: {escape(fl.text)}" for fl in f.flags]
    else:
        out.append("No difference between groups survived the correction.")
    if f.survey_warnings:
        out += ["", "Survey bias:", ""]
        out += [f"- {escape(w)}" for w in f.survey_warnings]
    if f.workload_gini is not None:
        out += ["", f"Workload among handlers: Gini {f.workload_gini:.2f}."]
        if f.workload_flags:
            out += ["", *(f"- {escape(w)}" for w in f.workload_flags)]

    if report.fields:
        out += ["", "## Source fields", ""]
        out.append(f"The {report.covered} of {report.period.label} by the fields of their "
                   "source (a missing value as unknown):")  # fmt: skip
        for n in range(len(report.fields)):
            header, rows = fmt.field_rows(report, n)
            out += ["", _table([escape(c) for c in header],
                               [(escape(r[0]), *r[1:]) for r in rows])]  # fmt: skip

    out += ["", "## Improvement measures", ""]
    if report.improvements.rows:
        header, rows = fmt.improvement_rows(report)
        out.append(_table(header, [tuple(escape(c) for c in r) for r in rows], right=5))
        t = report.improvements.on_time
        out += ["", f"On time: {fmt.rate(t.rate)}; {t.pending} still open within their due date."]
    else:
        out.append("No improvement measures were open or finished in this period.")
    _elements(out, report)
    return "\n".join(out) + "\n"


def _elements(out: list[str], report: Report) -> None:
    """The CS-points, ideas and institutional-improvement sections."""
    label = report.period.label
    out += ["", "## CS points", ""]
    out.append(" ".join(escape(line) for line in fmt.points_lines(report)))
    p = report.points
    if p is not None and (p.top or p.bottom):
        header, rows = fmt.points_rows(report)
        out += ["", f"Highest and lowest balances at {report.as_of:%Y-%m-%d %H:%M}:", ""]
        out.append(_table(header, [tuple(escape(c) for c in r) for r in rows], right={1}))

    out += ["", "## Ideas", ""]
    out += [escape(line) for line in fmt.idea_lines(report)]
    d = report.ideas
    if d.by_stage:
        out += ["", _table(*fmt.stage_rows(d.by_stage, report, "proposed"))]
    if d.rows:
        header, rows = fmt.idea_rows(report)
        out += ["", f"Ideas proposed or moved in {label}:", ""]
        out.append(_table(header, [tuple(escape(c) for c in r) for r in rows], right=()))

    out += ["", "## Institutional improvements", ""]
    out += [escape(line) for line in fmt.institutional_lines(report)]
    n = report.institutional
    if n.by_stage:
        out += ["", _table(*fmt.stage_rows(n.by_stage, report, "found"))]
    if n.overdue:
        header, rows = fmt.overdue_rows(report)
        out += ["", "Planned items past their due date:", ""]
        out.append(_table(header, [tuple(escape(c) for c in r) for r in rows], right={5}))
    elif n.total:
        out += ["", "No planned item is past its due date."]
