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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Final, cast

import attrs
import matplotlib as mpl
from matplotlib.figure import Figure

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


@contextmanager
def _style() -> Iterator[None]:
    # Start from matplotlib's defaults, not the host's rcParams or matplotlibrc, so a chart
    # looks the same (byte for byte) in every program that renders it; restored on exit.
    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(cast(Any, STYLE))
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
    v = report.volume
    unit = "week" if report.period.kind == "quarter" else "day"
    with _style():
        fig = Figure(figsize=(8, 3.2))
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.9)
        ax = fig.add_subplot()
        xs = list(range(len(v.trend)))
        ax.plot(
            range(len(v.previous_trend)),
            [p.count for p in v.previous_trend],
            color=_GREY,
            linestyle="--",
            linewidth=1.5,
            label=report.previous_period.label,
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
        ax.set_ylabel(f"{report.covered} per {unit}")
        ax.set_title(f"Volume per {unit}", loc="left")
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False)
        svg = _save(fig)
    alt = (
        f"Line chart of {report.covered} per {unit}: {v.covered} in {report.period.label}, "
        f"{v.previous_covered} in {report.previous_period.label}."
    )
    return Chart("trend", f"Volume per {unit}", alt, svg)


def pareto_chart(report: Report) -> Chart:
    """Concerns per VOC code, largest first, with the cumulative share (Pareto)."""
    issues = report.issues
    rows = issues.pareto[:_MAX_PARETO]
    with _style():
        fig = Figure(figsize=(8, 3.8))
        fig.subplots_adjust(left=0.08, right=0.91, bottom=0.26, top=0.92)
        ax = fig.add_subplot()
        if not rows:
            _empty(ax, "No concerns in this period")
        else:
            xs = list(range(len(rows)))
            vital = set(issues.vital_few)
            colours = [_BLUE if c.code in vital else _GREY for c in rows]
            ax.bar(xs, [c.count for c in rows], color=colours)
            ax.set_xticks(xs, [c.code for c in rows], rotation=40, ha="right")
            ax.set_ylabel("concerns")
            ax.grid(axis="x", visible=False)
            twin = ax.twinx()
            twin.plot(xs, [c.cumulative * 100 for c in rows], color=_ORANGE, marker="o",
                      markersize=3.5, linewidth=2)  # fmt: skip
            twin.axhline(issues.pareto_share * 100, color=_RED, linestyle=":", linewidth=1)
            twin.set_ylim(0, 105)
            twin.set_ylabel("cumulative share (%)")
            twin.grid(visible=False)
            twin.spines["right"].set_visible(True)
            ax.set_title("VOC codes (Pareto)")
        svg = _save(fig)
    shown = ", ".join(f"{c.code} {c.count}" for c in rows[:5]) or "none"
    alt = (
        f"Pareto chart of concerns per VOC code; largest: {shown}; "
        f"{len(issues.vital_few)} codes make up {issues.pareto_share:.0%}."
    )
    return Chart("pareto", "VOC codes (Pareto)", alt, svg)


def _sla_rows(report: Report) -> list[tuple[str, list[tuple[str, int, str]]]]:
    h = report.handling
    rows: list[tuple[str, list[tuple[str, int, str]]]] = [
        (f"SLA {s.target}", [("met", s.met, _GREEN), ("breached", s.breached, _RED)]) for s in h.sla
    ]
    if h.timely_basis == "reported" and h.timely.n:  # the SLA rows show the computed one
        rows.append(("timely (source-reported)", [("yes", h.timely.successes, _GREEN),
                                         ("no", h.timely.n - h.timely.successes, _RED)]))  # fmt: skip
    if h.backlog.open:
        rows.append(("backlog", [("on track", h.backlog_on_track, _BLUE),
                                 ("past due", h.backlog_overdue, _ORANGE),
                                 ("no due time", h.backlog.open - h.backlog_on_track
                                  - h.backlog_overdue, _GREY)]))  # fmt: skip
    return rows


def sla_chart(report: Report) -> Chart:
    """Stacked bars: each SLA target met/breached, timely response, and the backlog by due."""
    rows = _sla_rows(report)
    with _style():
        height = 1.4 + 0.5 * max(len(rows), 2)
        fig = Figure(figsize=(8, height))
        left = min(0.4, 0.04 + 0.0075 * max((len(name) for name, _ in rows), default=0))
        fig.subplots_adjust(left=left, right=0.98, bottom=0.85 / height, top=1 - 0.4 / height)
        ax = fig.add_subplot()
        if not rows:
            _empty(ax, "No SLA outcomes, responses or backlog in this period")
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
            ax.set_xlabel("share (%)")
            ax.grid(axis="y", visible=False)
            fig.legend(loc="lower center", ncol=7, frameon=False, fontsize=8)
        ax.set_title("SLA and handling status", loc="left")
        svg = _save(fig)
    described = "; ".join(
        f"{name}: " + ", ".join(f"{label} {n}" for label, n, _ in parts) for name, parts in rows
    )
    alt = "Stacked bars: " + (described or "nothing to show")
    return Chart("sla", "SLA and handling status", alt, svg)


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
    f = report.fairness
    frames = _frames(f.gaps)
    with _style():
        rows_n = max(1, (len(frames) + 1) // 2)
        height = 0.7 + 2.4 * rows_n
        fig = Figure(figsize=(8, height))
        fig.subplots_adjust(left=0.15, right=0.98, bottom=0.5 / height, top=1 - 0.5 / height,
                            wspace=0.55, hspace=0.75)  # fmt: skip
        if not frames:
            _empty(fig.add_subplot(),
                   f"No group reached the minimum size (n={f.min_n}) for a verdict")  # fmt: skip
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
                ax.set_yticks(ys, [r.group for r in rows])
                ax.set_ylim(-0.7, len(rows) - 0.3)
                unit = f" ({rows[0].unit})" if rows[0].unit else ""
                ax.set_xlabel(f"difference to all others{unit}")
                ax.set_title(f"{rows[0].metric} by {rows[0].by}", fontsize=9)
            for ax in axes[len(frames) :]:
                ax.set_axis_off()
            fig.suptitle("Fairness gaps (95% CI; red: survives the correction)",
                         fontweight="bold", fontsize=10)  # fmt: skip
        svg = _save(fig)
    alt = (
        f"Dot plots of {sum(len(r) for r in frames)} group differences with confidence "
        f"intervals over {len(frames)} metrics; {len(f.flags)} flagged."
    )
    return Chart("fairness", "Fairness gaps", alt, svg)


def render_charts(report: Report) -> tuple[Chart, ...]:
    """Every chart of the report, in page order."""
    return (trend_chart(report), pareto_chart(report), sla_chart(report), fairness_chart(report))
