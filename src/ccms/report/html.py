"""Render a :class:`~ccms.report.Report` as one self-contained HTML page.

The page has inline CSS, no script and no external resource: the charts of
:mod:`ccms.report.charts` are embedded as ``data:image/svg+xml;base64`` images (each SVG stays
its own document, so element ids of different charts cannot collide). Every text is escaped with
:func:`html.escape`. The same report renders to the same bytes.

>>> from datetime import datetime, timezone
>>> from ccms.report import build_report
>>> page = render_html(build_report([], as_of=datetime(2026, 11, 1, tzinfo=timezone.utc)))
>>> page.startswith("<!DOCTYPE html>"), "<script" in page, page.count('src="data:image/svg+xml')
(True, False, 4)
"""

from __future__ import annotations

import base64
from collections.abc import Collection, Sequence
from html import escape
from typing import Final

from ccms.report import _format as fmt
from ccms.report._messages import kind_name, message
from ccms.report._notice_render import notice_html
from ccms.report.charts import Chart, render_charts
from ccms.report.sections import Report

__all__ = ["CSS", "render_html"]

#: The page's style sheet (inline in the page).
CSS: Final = """
:root { --ink: #1d2733; --muted: #5b6773; --line: #d8dee4; --accent: #1f77b4; --warn: #b42318; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK KR",
       "Noto Sans KR", "Malgun Gothic", "Apple SD Gothic Neo", sans-serif; color: var(--ink);
       background: #f5f7f9; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 2px solid var(--line);
     font-size: 19px; }
p.meta { margin: 0 0 18px; color: var(--muted); }
ul.highlights { list-style: none; padding: 0; display: grid;
                grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 10px; }
ul.highlights li { border: 1px solid var(--line); border-left: 4px solid var(--accent);
                   border-radius: 6px; padding: 8px 12px; background: #fbfcfd; }
table { border-collapse: collapse; margin: 8px 0 16px; min-width: 50%; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 10px; text-align: left; }
th { background: #eef2f6; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 12px 0 20px; }
figure img { display: block; width: 100%; height: auto; border: 1px solid var(--line);
             border-radius: 6px; background: #fff; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
ul.flags li { margin-bottom: 6px; }
.flag { color: var(--warn); font-weight: 600; }
.none { color: var(--muted); font-style: italic; }
.tables { display: flex; flex-wrap: wrap; gap: 0 32px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
"""


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, right: int | Collection[int] = 1
) -> str:
    def cls(i: int) -> str:
        num = i >= right if isinstance(right, int) else i in right
        return ' class="num"' if num else ""

    head = "".join(f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{escape(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure(chart: Chart) -> str:
    data = base64.b64encode(chart.svg.encode("utf-8")).decode("ascii")
    return (
        f'<figure id="chart-{escape(chart.name)}">'
        f'<img src="data:image/svg+xml;base64,{data}" alt="{escape(chart.alt)}">'
        f"<figcaption>{escape(chart.title)}</figcaption></figure>"
    )


def _p(text: str, cls: str | None = None) -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>"


def render_html(report: Report) -> str:
    """The report as one HTML document (UTF-8 text, ends with a newline)."""
    v, i, h, f = report.volume, report.issues, report.handling, report.fairness
    lang = report.language

    def m(key: str, **values: object) -> str:
        return message(lang, key, **values)

    def h2(section: str) -> str:
        return f"<h2>{escape(m('section.' + section))}</h2>"

    figs = {c.name: _figure(c) for c in render_charts(report)}
    volume = "volume.line_no_previous" if v.previous_total == 0 else "volume.line"
    out: list[str] = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title>",
        f"<style>{CSS}</style></head><body><main>",
        f"<h1>{escape(report.title)}</h1>",
        _p(fmt.period_line(report), "meta"),
        '<ul class="highlights">',
        *(f"<li>{escape(line)}</li>" for line in report.highlights()),
        "</ul>",
        h2("volume"),
        _p(
            m(
                volume,
                total=v.total,
                label=report.period.label,
                previous_total=v.previous_total,
                previous=report.previous_period.label,
                covered=v.covered,
                what=report.covered,
            )
        ),
        figs["trend"],
        '<div class="tables">',
        _table(
            fmt.head_row(report, "kind", "VOC"),
            [(kind_name(c.key, lang), str(c.count)) for c in v.by_kind],
        ),
        _table(
            (*fmt.head_row(report, "channel"), report.covered),
            fmt.channel_rows(report),
        ),
        "</div>",
        h2("issues"),
    ]
    if i.top:
        out.append(_p(m("issues.top", top=len(i.top), codes=len(i.pareto), concerns=i.concerns)))
        header, rows = fmt.issue_rows(report)
        named = any(c.name for c in i.top)
        out.append(_table(header, rows, right=2 if named else 1))
        out.append(_p(m("issues.vital", share=f"{i.pareto_share:.0%}",
                        codes=", ".join(i.vital_few))))  # fmt: skip
    else:
        out.append(_p(m("issues.none"), "none"))
    out.append(figs["pareto"])
    if i.spikes:
        out.append(_p(m("spikes.against", previous=report.previous_period.label), "flag"))
        out.append(_table(*fmt.spike_rows(report)))
    else:
        out.append(_p(m("spikes.none", previous=report.previous_period.label), "none"))
    every = fmt.all_kinds_rows(report)
    out.append(_p(fmt.all_kinds_line(report), None if every is not None else "none"))
    if every is not None:
        out.append(_table(*every))

    out.append(h2("rates"))
    if report.rates:
        out.append(_table(*fmt.rate_rows(report)))
    else:
        out.append(_p(m("rates.none"), "none"))

    out.append(h2("handling"))
    out.append(figs["sla"])
    out.append('<div class="tables">')
    out.append(_table(*fmt.handling_rows(report)))
    if h.sla:
        out.append(_table(*fmt.sla_rows(report)))
    else:
        out.append(_p(m("sla.none"), "none"))
    out.append("</div>")
    timely = fmt.timely_line(report)
    if timely is not None:
        out.append(_p(timely))

    out.append(h2("fairness"))
    if lang == "en":
        out.append(_p(
            f"Checked {len(f.tested)} comparison{'s' if len(f.tested) != 1 else ''} ({', '.join(f.tested) or 'none'}), like for like "
            f"by VOC code, groups of at least {f.min_n}, Holm-corrected."
        ))  # fmt: skip
    else:
        out.append(_p(m("fairness.checked", n=len(f.tested), tested=fmt.tested_text(report) or "-",
                        min_n=f.min_n)))  # fmt: skip
    if f.flags:
        out.append('<ul class="flags">')
        out += [f'<li><span class="flag">{escape(dim)}</span>: {escape(text)}</li>'
                for dim, text in fmt.flag_items(report)]  # fmt: skip
        out.append("</ul>")
    else:
        out.append(_p(m("fairness.none"), "none"))
    out.append(figs["fairness"])
    if f.survey_warnings:
        out.append(_p(m("fairness.survey")))
        out.append("<ul>" + "".join(f"<li>{escape(w)}</li>" for w in fmt.survey_lines(report))
                   + "</ul>")  # fmt: skip
    if f.workload_gini is not None:
        out.append(_p(m("fairness.gini", gini=f"{f.workload_gini:.2f}")))
        if f.workload_flags:
            out.append("<ul>" + "".join(f"<li>{escape(w)}</li>"
                                        for w in fmt.workload_lines(report))
                       + "</ul>")  # fmt: skip

    if report.fields:
        out.append(h2("fields"))
        out.append(_p(m("fields.intro", what=report.covered, label=report.period.label)))
        out.append('<div class="tables">')
        out += [_table(*fmt.field_rows(report, n)) for n in range(len(report.fields))]
        out.append("</div>")

    out.append(h2("improvements"))
    if report.improvements.rows:
        out.append(_table(*fmt.improvement_rows(report), right=5))
        t = report.improvements.on_time
        out.append(_p(m("improvements.on_time", rate=fmt.rate(t.rate, lang), pending=t.pending)))
    else:
        out.append(_p(m("improvements.none"), "none"))
    _elements(out, report)
    out += notice_html(report, escape, _table)
    out.append(f"<footer>{escape(m('footer', title=report.title))}</footer>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"


def _elements(out: list[str], report: Report) -> None:
    """The CS-points, ideas and institutional-improvement sections."""
    label, lang = report.period.label, report.language
    p = report.points
    shown = p is not None and bool(p.top or p.bottom)
    out.append(f"<h2>{escape(message(lang, 'section.points'))}</h2>")
    out += [_p(line, None if p is not None and p.entries else "none")
            for line in fmt.points_lines(report)]  # fmt: skip
    if shown:
        out.append(_p(message(lang, "points.balances", moment=f"{report.as_of:%Y-%m-%d %H:%M}")))
        out.append(_table(*fmt.points_rows(report), right={1}))

    d = report.ideas
    out.append(f"<h2>{escape(message(lang, 'section.ideas'))}</h2>")
    out += [_p(line, None if d.total else "none") for line in fmt.idea_lines(report)]
    if d.by_stage:
        out.append(_table(*fmt.stage_rows(d.by_stage, report, "proposed")))
    if d.rows:
        out.append(_p(message(lang, "ideas.moved", label=label)))
        out.append(_table(*fmt.idea_rows(report), right=()))

    n = report.institutional
    out.append(f"<h2>{escape(message(lang, 'section.institutional'))}</h2>")
    out += [_p(line, None if n.total else "none") for line in fmt.institutional_lines(report)]
    if n.by_stage:
        out.append(_table(*fmt.stage_rows(n.by_stage, report, "found")))
    if n.overdue:
        out.append(_p(message(lang, "institutional.overdue"), "flag"))
        out.append(_table(*fmt.overdue_rows(report), right={5}))
    elif n.total:
        out.append(_p(message(lang, "institutional.none_overdue"), "none"))
