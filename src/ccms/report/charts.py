"""The report's charts, drawn by matplotlib as SVG text.

Four charts: the volume trend (this period against the previous one), the VOC code Pareto, SLA
status bars and fairness gaps with confidence-interval error bars. Each is a
:class:`matplotlib.figure.Figure` made without pyplot (no GUI backend, no global figure state,
safe in a server), drawn from matplotlib's default settings plus :data:`STYLE` (whatever the
host's rcParams), and saved as SVG with glyphs as paths (no font needed to view it), a fixed
``svg.hashsalt`` and no date in the metadata, so the same report gives byte-identical SVG.

>>> from datetime import datetime, timezone
>>> from ccms.report import build_report
>>> report = build_report([], as_of=datetime(2026, 11, 1, tzinfo=timezone.utc))
>>> [c.name for c in render_charts(report)]
['trend', 'pareto', 'sla', 'fairness']
>>> trend_chart(report).svg == trend_chart(report).svg
True
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final, cast

import attrs
import matplotlib as mpl
from matplotlib.figure import Figure

from ccms.report._messages import group_name, message, name, target_name
from ccms.report.sections import FairnessGap, Report

__all__ = [
    "Chart",
    "fairness_chart",
    "pareto_chart",
    "render_charts",
    "sla_chart",
    "trend_chart",
]

#: rcParams every chart is drawn and saved under (deterministic, self-contained SVG).
STYLE: Final[dict[str, Any]] = {
    "svg.hashsalt": "ccms-report",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titleweight": "bold",
    "axes.titlesize": 10,
}
_METADATA: Final = {"Date": None}
_BLUE: Final = "#1f77b4"
_GREY: Final = "#9aa3ad"
_GREEN: Final = "#2ca02c"
_RED: Final = "#d62728"
_ORANGE: Final = "#ff7f0e"
_PURPLE: Final = "#6a51a3"
_MAX_PARETO: Final = 15
_MAX_FRAMES: Final = 6


@attrs.frozen
class Chart:
    """One chart: a short name, a title, alternative text and the SVG document."""

    name: str
    title: str
    alt: str
    svg: str


#: What a chart in a language other than English changes in :data:`STYLE`: its text stays SVG
#: ``<text>`` (no glyph outlines from a font matplotlib may lack), set in a CJK-capable font
#: stack that the browser resolves (Noto Sans CJK KR, Malgun Gothic, Apple SD Gothic Neo).
TEXT_STYLE: Final[dict[str, Any]] = {
    "svg.fonttype": "none",
    "font.family": [
        "Noto Sans CJK KR",
        "Malgun Gothic",
        "Apple SD Gothic Neo",
        "DejaVu Sans",
        "sans-serif",
    ],
}


@contextmanager
def _style(language: str = "en") -> Iterator[None]:
    # Start from matplotlib's defaults, not the host's rcParams or matplotlibrc, so a chart
    # looks the same (byte for byte) in every program that renders it; restored on exit.
    with mpl.rc_context(), warnings.catch_warnings():
        mpl.rcdefaults()
        mpl.rcParams.update(cast(Any, STYLE))
        if language != "en":
            # matplotlib only measures the text (with whatever font it finds): no warning for
            # a font family or glyph it lacks, the browser draws the text.
            warnings.filterwarnings("ignore", message=".*(findfont|Glyph|missing from font).*")
            logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
            mpl.rcParams.update(cast(Any, TEXT_STYLE))
        yield


def _save(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata=_METADATA)
    return buf.getvalue()


def _empty(ax: Any, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes, color="#555")


def trend_chart(report: Report) -> Chart:
    """Volume per day (per week for a quarter), this period against the previous one."""
    v, lang = report.volume, report.language
    unit = message(lang, "chart.unit." + ("week" if report.period.kind == "quarter" else "day"))
    empty_previous = v.previous_total == 0
    previous_label = report.previous_period.label
    if empty_previous:
        previous_label += f" ({message(lang, 'no_data')})"
    with _style(lang):
        fig = Figure(figsize=(8, 3.2))
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.9)
        ax = fig.add_subplot()
        xs = list(range(len(v.trend)))
        # an empty previous period is "no data" in the legend, not a line at zero
        ax.plot(
            [] if empty_previous else range(len(v.previous_trend)),
            [] if empty_previous else [p.count for p in v.previous_trend],
            color=_GREY,
            linestyle="--",
            linewidth=1.5,
            label=previous_label,
        )
        ax.plot(
            xs,
            [p.count for p in v.trend],
            color=_BLUE,
            marker="o",
            markersize=3.5,
            linewidth=2,
            label=report.period.label,
        )
        ax.fill_between(xs, [p.count for p in v.trend], color=_BLUE, alpha=0.12)
        step = max(1, len(xs) // 10)
        ax.set_xticks(xs[::step], [f"{p.start:%m-%d}" for p in v.trend[::step]])
        ax.set_ylim(bottom=0)
        ax.set_ylabel(message(lang, "chart.trend.ylabel", what=report.covered, unit=unit))
        ax.set_title(message(lang, "chart.trend.title", unit=unit), loc="left")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False)
        svg = _save(fig)
    before = (message(lang, "no_data") if empty_previous
              else message(lang, "count", n=v.previous_covered))  # fmt: skip
    alt = message(lang, "chart.trend.alt", what=report.covered, unit=unit,
                  covered=message(lang, "count", n=v.covered), label=report.period.label,
                  previous_covered=before, previous=report.previous_period.label)  # fmt: skip
    return Chart("trend", message(lang, "chart.trend.title", unit=unit), alt, svg)


def pareto_chart(report: Report) -> Chart:
    """Concerns per VOC code, largest first, with the cumulative share (Pareto)."""
    issues, lang = report.issues, report.language
    rows = issues.pareto[:_MAX_PARETO]
    with _style(lang):
        fig = Figure(figsize=(8, 3.8))
        fig.subplots_adjust(left=0.08, right=0.91, bottom=0.26, top=0.92)
        ax = fig.add_subplot()
        if not rows:
            _empty(ax, message(lang, "chart.pareto.empty"))
        else:
            xs = list(range(len(rows)))
            vital = set(issues.vital_few)
            colours = [_BLUE if c.code in vital else _GREY for c in rows]
            ax.bar(xs, [c.count for c in rows], color=colours)
            ax.set_xticks(xs, [c.code for c in rows], rotation=40, ha="right")
            ax.set_ylabel(message(lang, "chart.pareto.ylabel"))
            ax.grid(axis="x", visible=False)
            twin = ax.twinx()
            twin.plot(xs, [c.cumulative * 100 for c in rows], color=_ORANGE, marker="o",
                      markersize=3.5, linewidth=2)  # fmt: skip
            twin.axhline(issues.pareto_share * 100, color=_RED, linestyle=":", linewidth=1)
            twin.set_ylim(0, 105)
            twin.set_ylabel(message(lang, "chart.pareto.cumulative"))
            twin.grid(visible=False)
            twin.spines["right"].set_visible(True)
            ax.set_title(message(lang, "chart.pareto.title"))
        svg = _save(fig)
    shown = ", ".join(f"{c.code} {c.count}" for c in rows[:5]) or "-"
    alt = message(lang, "chart.pareto.alt", shown=shown, vital=len(issues.vital_few),
                  share=f"{issues.pareto_share:.0%}")  # fmt: skip
    return Chart("pareto", message(lang, "chart.pareto.title"), alt, svg)


def _sla_rows(report: Report) -> list[tuple[str, list[tuple[str, int, str]]]]:
    h, lang = report.handling, report.language

    def m(key: str) -> str:
        return message(lang, "chart.sla." + key)

    rows: list[tuple[str, list[tuple[str, int, str]]]] = [
        (f"SLA {target_name(s.target, lang)}",
         [(m("met"), s.met, _GREEN), (m("breached"), s.breached, _RED)]) for s in h.sla
    ]  # fmt: skip
    if h.timely_basis == "reported" and h.timely.n:  # the SLA rows show the computed one
        rows.append((m("timely"), [(m("yes"), h.timely.successes, _GREEN),
                                   (m("no"), h.timely.n - h.timely.successes, _RED)]))  # fmt: skip
    if h.backlog.open:
        rows.append((m("backlog"), [(m("on_track"), h.backlog_on_track, _BLUE),
                                    (m("past_due"), h.backlog_overdue, _ORANGE),
                                    (m("no_due"), h.backlog.open - h.backlog_on_track
                                     - h.backlog_overdue, _GREY)]))  # fmt: skip
    return rows


def sla_chart(report: Report) -> Chart:
    """Stacked bars: each SLA target met/breached, timely response, and the backlog by due."""
    rows, lang = _sla_rows(report), report.language
    with _style(lang):
        height = 1.4 + 0.5 * max(len(rows), 2)
        fig = Figure(figsize=(8, height))
        left = min(0.4, 0.04 + 0.0075 * max((len(name) for name, _ in rows), default=0))
        fig.subplots_adjust(left=left, right=0.98, bottom=0.85 / height, top=1 - 0.4 / height)
        ax = fig.add_subplot()
        if not rows:
            _empty(ax, message(lang, "chart.sla.empty"))
        else:
            seen: set[str] = set()
            for y, (_, parts) in enumerate(reversed(rows)):
                total = sum(n for _, n, _ in parts) or 1
                left = 0.0
                for label, n, colour in parts:
                    share = n / total * 100
                    ax.barh(y, share, left=left, color=colour, height=0.6,
                            label=label if label not in seen else None)  # fmt: skip
                    seen.add(label)
                    if share >= 8:
                        ax.text(left + share / 2, y, f"{n}", ha="center", va="center",
                                color="white", fontsize=8, fontweight="bold")  # fmt: skip
                    left += share
            ax.set_yticks(range(len(rows)), [name for name, _ in reversed(rows)])
            ax.set_xlim(0, 100)
            ax.set_xlabel(message(lang, "chart.sla.xlabel"))
            ax.grid(axis="y", visible=False)
            fig.legend(loc="lower center", ncol=7, frameon=False, fontsize=8)
        ax.set_title(message(lang, "chart.sla.title"), loc="left")
        svg = _save(fig)
    described = "; ".join(
        f"{name}: " + ", ".join(f"{label} {n}" for label, n, _ in parts) for name, parts in rows
    )
    alt = message(lang, "chart.sla.alt", described=described or "-")
    return Chart("sla", message(lang, "chart.sla.title"), alt, svg)


def _frames(gaps: Sequence[FairnessGap]) -> list[list[FairnessGap]]:
    frames: dict[tuple[str, str], list[FairnessGap]] = {}
    for g in gaps:
        frames.setdefault((g.metric, g.by), []).append(g)

    def weight(rows: list[FairnessGap]) -> tuple[int, float, str, str]:
        flagged = sum(r.verdict == "differs" for r in rows)
        spread = max(abs(r.difference) / ((r.high - r.low) / 2 or 1.0) for r in rows)
        return (-flagged, -spread, rows[0].metric, rows[0].by)

    return sorted(frames.values(), key=weight)[:_MAX_FRAMES]


def fairness_chart(report: Report) -> Chart:
    """Each group against all others (like for like by code): difference with its CI."""
    f, lang = report.fairness, report.language
    frames = _frames(f.gaps)
    with _style(lang):
        rows_n = max(1, (len(frames) + 1) // 2)
        height = 0.7 + 2.4 * rows_n
        fig = Figure(figsize=(8, height))
        fig.subplots_adjust(left=0.15, right=0.98, bottom=0.5 / height, top=1 - 0.5 / height,
                            wspace=0.55, hspace=0.75)  # fmt: skip
        if not frames:
            _empty(fig.add_subplot(), message(lang, "chart.fairness.empty", min_n=f.min_n))
        else:
            axes = fig.subplots(rows_n, 2 if len(frames) > 1 else 1, squeeze=False).ravel()
            for ax, rows in zip(axes, frames, strict=False):
                ys = list(range(len(rows)))
                for y, r in zip(ys, rows, strict=True):
                    colour = _RED if r.verdict == "differs" else _PURPLE
                    ax.errorbar([r.difference], [y],
                                xerr=[[r.difference - r.low], [r.high - r.difference]],
                                fmt="o", color=colour, ecolor=colour, capsize=3,
                                markersize=5)  # fmt: skip
                ax.axvline(0, color="#333", linewidth=1)
                ax.set_yticks(ys, [group_name(lang, r.by, r.group) for r in rows])
                ax.set_ylim(-0.7, len(rows) - 0.3)
                unit = f" ({name(lang, 'unit', rows[0].unit)})" if rows[0].unit else ""
                ax.set_xlabel(message(lang, "chart.fairness.xlabel", unit=unit))
                ax.set_title(message(lang, "chart.fairness.frame",
                                     metric=name(lang, "metric", rows[0].metric),
                                     by=name(lang, "field", rows[0].by)), fontsize=9)  # fmt: skip
            for ax in axes[len(frames) :]:
                ax.set_axis_off()
            fig.suptitle(message(lang, "chart.fairness.suptitle"), fontweight="bold", fontsize=10)
        svg = _save(fig)
    alt = message(lang, "chart.fairness.alt", gaps=sum(len(r) for r in frames),
                  metrics=len(frames), flagged=len(f.flags))  # fmt: skip
    return Chart("fairness", message(lang, "chart.fairness.title"), alt, svg)


def render_charts(report: Report) -> tuple[Chart, ...]:
    """Every chart of the report, in page order."""
    return (trend_chart(report), pareto_chart(report), sla_chart(report), fairness_chart(report))
