"""Markdown, HTML, JSON and chart renderings: contents, escaping, byte-identical re-renders."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from report_sample import AS_OF, Task, at, fair_october, sample_report, tasks

from ccms.report import (
    build_report,
    render_charts,
    render_html,
    render_json,
    render_markdown,
    write_report,
)
from ccms.report.markdown import escape

HERE = Path(__file__).parent
HOSTILE = Task('<script>alert("x")</script> | *bold* & [link](http://e)', "qa", date(2026, 10, 30),
               "in_progress")  # fmt: skip


@pytest.fixture(scope="module")
def report():  # type: ignore[no-untyped-def]
    return sample_report(improvements=[*tasks(), HOSTILE])


@pytest.fixture(scope="module")
def page(report) -> str:  # type: ignore[no-untyped-def]
    return render_html(report)


def test_markdown_sections_and_tables(report) -> None:  # type: ignore[no-untyped-def]
    md = render_markdown(report)
    lines = md.splitlines()
    assert lines[0] == "# Monthly VOC report 2026-10"
    assert lines[2] == (
        "2026-10-01 to 2026-10-31 (UTC), as of 2026-11-01 00:00; covers complaints; compared "
        "with 2026-09."
    )
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## Highlights", "## Volume", "## Main issues", "## Complaint rates",
        "## Handling and SLA status", "## Fairness", "## Improvement measures", "## CS points",
        "## Ideas", "## Institutional improvements",
    ]  # fmt: skip
    assert "| DLV.LATE | 12 | 66.7% | 66.7% | 1 | +11 |" in lines
    assert "| DLV.LATE | 12 | 1 | 1.0 | 11.6x | 0.002 |" in lines  # spike row
    assert "| orders | 3400 | 17 | 5.00 | 1.00 |" in lines
    assert "| resolution | 10 | 2 | 83% | 55% to 95% |" in lines
    assert "| first response (mean / median / p90) | 1h 0m / 1h 0m / 1h 0m |" in lines
    assert "| backlog past due / on track | 2 / 1 |" in lines
    assert "| Carrier scorecard | logistics | 2026-10-25 | in_progress | overdue | 6 | - |" in lines
    assert "Vital few (Pareto, 80% of concerns): DLV.LATE, PAY.REFUND." in lines
    assert md.endswith("\n")


def test_markdown_escapes_data(report) -> None:  # type: ignore[no-untyped-def]
    md = render_markdown(report)
    assert "<script>" not in md
    assert '\\<script\\>alert("x")\\</script\\> \\| \\*bold\\* & \\[link\\](http://e)' in md
    assert escape("line\nbreak|x") == "line break\\|x"
    assert escape("snake_case _lead") == "snake_case \\_lead"


def test_html_is_self_contained_and_escaped(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page  # the hostile title is escaped, and the page has no script
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | *bold* &amp; [link](http://e)" in page
    )
    assert re.findall(r'(?:src|href)="(?!data:)', page) == []  # no external resource
    assert page.count('<img src="data:image/svg+xml;base64,') == 4
    assert "<h1>Monthly VOC report 2026-10</h1>" in page
    assert '<td>DLV.LATE</td><td class="num">12</td>' in page


def test_html_charts_are_matplotlib_svg(page: str) -> None:
    blobs = re.findall(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page)
    svgs = [base64.b64decode(b).decode("utf-8") for b in blobs]
    for svg in svgs:
        assert "<svg" in svg
        assert "Matplotlib" in svg or "matplotlib" in svg
        assert "<dc:date>" not in svg  # no timestamp
        assert "<script" not in svg


def test_charts_have_alt_text_with_figures(report) -> None:  # type: ignore[no-untyped-def]
    alts = {c.name: c.alt for c in render_charts(report)}
    assert alts["trend"] == "Line chart of complaints per day: 17 in 2026-10, 3 in 2026-09."
    assert alts["pareto"].startswith("Pareto chart of concerns per VOC code; largest: DLV.LATE 12")
    assert "SLA resolution: met 10, breached 2" in alts["sla"]
    assert "backlog: on track 1, past due 2, no due time 2" in alts["sla"]


def test_fairness_chart_draws_gaps() -> None:
    r = build_report(fair_october(), as_of=AS_OF, fairness_by=("channel",),
                     fairness_metrics=("remedy_rate",))  # fmt: skip
    chart = render_charts(r)[3]
    assert chart.alt == (
        "Dot plots of 2 group differences with confidence intervals over 1 metrics; 1 flagged."
    )
    assert "#d62728" in chart.svg  # red: survives the correction


def test_rerender_is_byte_identical(report, page: str) -> None:  # type: ignore[no-untyped-def]
    assert render_html(report) == page
    assert render_markdown(report) == render_markdown(report)
    assert render_json(report) == render_json(report)


def test_host_rc_params_do_not_change_the_charts(report) -> None:  # type: ignore[no-untyped-def]
    import matplotlib as mpl

    before = render_charts(report)[0].svg
    with mpl.rc_context({"lines.linewidth": 7.0, "font.size": 20, "svg.hashsalt": None}):
        assert render_charts(report)[0].svg == before
        # ... and the host's settings are as they were
        assert (mpl.rcParams["lines.linewidth"], mpl.rcParams["svg.hashsalt"]) == (7.0, None)


def test_rerender_in_another_process_is_byte_identical(page: str) -> None:
    """Another interpreter with another hash seed renders the same bytes."""
    script = (
        "import hashlib, sys; sys.path.insert(0, sys.argv[1]);"
        "from report_sample import sample_report, tasks;"
        "from test_render import HOSTILE;"
        "from ccms.report import render_html;"
        "page = render_html(sample_report(improvements=[*tasks(), HOSTILE]));"
        "print(hashlib.sha256(page.encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", script, str(HERE)], env=env, check=True,
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert out.stdout.strip() == hashlib.sha256(page.encode()).hexdigest()


def test_json_has_every_figure(report) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(render_json(report))
    assert doc["period"] == {"kind": "month", "start": "2026-10-01", "end": "2026-11-01",
                             "label": "2026-10"}  # fmt: skip
    assert doc["as_of"] == "2026-11-01T00:00:00+00:00"
    assert doc["volume"]["by_kind"] == [{"key": "complaint", "count": 17},
                                        {"key": "inquiry", "count": 1}]  # fmt: skip
    assert doc["issues"]["spikes"][0]["code"] == "DLV.LATE"
    assert doc["rates"][0]["rate"] == 5.0
    assert doc["handling"]["sla"][0]["rate"] == {"successes": 10, "n": 12, "value": 10 / 12}
    assert doc["handling"]["backlog"]["open"] == 5
    assert doc["improvements"]["on_time"] == {"on_time": 1, "late": 1, "overdue": 2, "pending": 1}
    assert doc["highlights"][0] == "17 complaints received in 2026-10 (+467% on 2026-09)."


def test_write_report(tmp_path: Path, report) -> None:  # type: ignore[no-untyped-def]
    paths = write_report(report, tmp_path / "sub" / "r", ["md", "html", "json", "md"])
    assert [p.name for p in paths] == ["r.md", "r.html", "r.json"]
    assert paths[1].read_text(encoding="utf-8") == render_html(report)
    from ccms.errors import InvalidInput

    with pytest.raises(InvalidInput, match="unknown report format 'pdf'; allowed: md, html, json"):
        write_report(report, tmp_path / "r", ["pdf"])


def test_empty_report_renders() -> None:
    r = build_report([], period="quarter", as_of=at(12, 31))
    md = render_markdown(r)
    assert "No concerns in this period." in md
    assert "No SLA outcomes were recorded" in md
    assert "No improvement measures were open or finished in this period." in md
    assert render_html(r).count("data:image/svg+xml") == 4
