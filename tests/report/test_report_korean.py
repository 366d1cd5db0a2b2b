"""The Korean report (``build_report(..., language="ko")``): one message table per language with
the same keys, no English section title on a Korean page, target names as people read them, an
empty previous period as 자료 없음, and the page in headless Chromium: it renders, its four charts
are drawn, and its Hangul is text in a real font, not tofu boxes.

The tofu check measures in the browser (a canvas in the page's font stack) the width of Hangul
syllables against the width of private-use characters, which no font has and every browser draws
as the missing-glyph box: with a Korean font installed (Debian's ``fonts-noto-cjk``) a syllable
is a full em wide and differs from the box; without one both are the same box.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from report_sample import AS_OF, fair_october, october, september, tasks
from test_browser import CHARTS_ONLY, chromium, drawn, frames, screenshot

from ccms.report import build_report, render_html
from ccms.report._messages import MESSAGES, message, target_name
from ccms.report.charts import render_charts

SECTIONS = [k for k in MESSAGES["en"] if k.startswith("section.")]


@pytest.fixture(scope="module")
def korean() -> str:
    records = september() + october() + fair_october()
    report = build_report(records, as_of=AS_OF, improvements=tasks(),
                          denominators={"orders": 3400}, previous_denominators={"orders": 3000},
                          language="ko")  # fmt: skip
    return render_html(report)


def test_both_languages_have_the_same_messages() -> None:
    assert set(MESSAGES["en"]) == set(MESSAGES["ko"])
    for key, text in MESSAGES["en"].items():  # the same placeholders in each language
        english = set(re.findall(r"{(\w+)", text))
        english -= {w for w in english if w.endswith("_word")}  # English's singular or plural
        assert english == set(re.findall(r"{(\w+)", MESSAGES["ko"][key])), key


def test_a_korean_page_has_korean_sections_and_no_english_section_title(korean: str) -> None:
    assert '<html lang="ko">' in korean
    assert "<h1>월간 VOC 보고서 2026-10</h1>" in korean
    headings = re.findall(r"<h2>([^<]*)</h2>", korean)
    assert "접수 현황" in headings
    assert "처리 및 SLA 현황" in headings
    for key in SECTIONS:
        assert f"<h2>{MESSAGES['en'][key]}</h2>" not in korean
    assert "first_response" not in korean
    assert "이 보고서에는 CS 포인트 원장이 주어지지 않았습니다." in korean
    assert "<td>불만</td>" in korean  # the kind table names the kinds in Korean
    for english in ("No CS-point ledger", "No idea was proposed", "Classified concerns"):
        assert english not in korean


def test_target_names_as_people_read_them() -> None:
    assert target_name("first_response", "en") == "first response"
    assert target_name("first_response", "ko") == "최초 응답"
    assert target_name("callback_sent", "ko") == "callback sent"  # unknown: words, not an id
    report = build_report(september() + october(), as_of=AS_OF, language="ko")
    assert "<td>해결</td>" in render_html(report)  # the SLA target resolution


def test_an_empty_previous_period_is_no_data_not_a_line_at_zero() -> None:
    for lang in ("en", "ko"):
        report = build_report(october(), as_of=AS_OF, language=lang)
        assert report.volume.previous_total == 0
        trend = render_charts(report)[0]
        assert message(lang, "no_data") in trend.alt
        assert message(lang, "no_data") in report.highlights()[0]
        # one dashed line drawn when the previous period has data, none when it is empty
        with_previous = render_charts(build_report(september() + october(), as_of=AS_OF,
                                                   language=lang))[0]  # fmt: skip
        assert trend.svg.count("stroke-dasharray") < with_previous.svg.count("stroke-dasharray")


def test_unknown_language_is_refused() -> None:
    from ccms.errors import CCMSError

    with pytest.raises(CCMSError, match="'fr'"):
        build_report([], as_of=AS_OF, language="fr")


def test_the_korean_page_renders_with_its_charts(korean: str, tmp_path: Path) -> None:
    image, problems = screenshot(
        korean.replace("</style>", CHARTS_ONLY + "</style>"), tmp_path, "ko-charts"
    )
    assert problems == []
    found = frames(image)
    assert len(found) == 4
    assert [drawn(inside) for inside in found] == [True, True, True, True]


MEASURE = """<script>
const ctx = document.createElement("canvas").getContext("2d");
const stack = getComputedStyle(document.body).fontFamily;
ctx.font = "16px " + stack;
const w = (t) => ctx.measureText(t).width;
document.body.setAttribute("data-widths", JSON.stringify({
  hangul: ["가", "한", "불", "만"].map(w), box: w("\\ue000"), latin: w("i")}));
</script>"""


def korean_font() -> None:
    """Skip (fail under ``CCMS_REQUIRE_CHROMIUM=1``) when fontconfig knows no Korean font."""
    fc = shutil.which("fc-list")
    listed = subprocess.run([fc, ":lang=ko"], capture_output=True, text=True, check=False).stdout \
        if fc else ""  # fmt: skip
    if not listed.strip():
        message = "no Korean font (scripts/install-chromium.sh installs fonts-noto-cjk)"
        if os.environ.get("CCMS_REQUIRE_CHROMIUM") == "1":
            pytest.fail(message)
        pytest.skip(message)


def test_hangul_is_drawn_in_a_real_font_not_tofu(korean: str, tmp_path: Path) -> None:
    korean_font()
    html = tmp_path / "ko-measure.html"
    html.write_text(korean.replace("</main>", "</main>" + MEASURE), encoding="utf-8")
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
           f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", html.as_uri()]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    found = re.search(r'data-widths="([^"]*)"', proc.stdout)
    assert found, proc.stderr
    widths = json.loads(found.group(1).replace("&quot;", '"'))
    box = widths["box"]
    assert all(h > 0 for h in widths["hangul"])
    if any(abs(h - box) < 0.01 for h in widths["hangul"]):
        pytest.fail(f"Hangul drawn as missing-glyph boxes {widths}: install fonts-noto-cjk")
    assert all(abs(h - 16) < 1.5 for h in widths["hangul"])  # a CJK glyph is one em wide


def test_code_names_from_the_taxonomy_in_the_korean_page() -> None:
    from datetime import date

    from ccms.model import Taxonomy
    from ccms.report import taxonomy_names

    tax = Taxonomy.from_mapping({"codes": [{"code": "PRD", "name": "제품"},
                                           {"code": "PRD.DEF", "name": "제품 결함"}]})  # fmt: skip
    names = taxonomy_names(tax, date(2026, 10, 31))
    report = build_report(october(), as_of=AS_OF, language="ko", code_names=names)
    assert "<td>제품 &gt; 제품 결함</td>" in render_html(report)
