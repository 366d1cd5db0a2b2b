"""Every visible string of a Korean report is Korean, outside codes, ids, units and the data
itself (titles and ids a host wrote).

Two reports are read: the demo month as ``ccms report --lang ko`` makes it (its CS points, its
improvement tasks), and the report sample with fairness flags, a CS-point ledger with tiers and
consequences, ideas and institutional items. Each text node of the HTML page, each text of its
charts (the SVG the page embeds keeps its text as text in Korean) and each alt text, and each
line of the Markdown, is split into ASCII words; a word is allowed when it is a code or an id
(upper case, or holding a digit, ``_``, ``-``, ``.``, ``/`` or ``:``), a unit or an abbreviation
below, or a value the report took from its data. Anything else is English left on the page.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest
from elements_sample import build
from report_sample import AS_OF, fair_october, october, september, tasks

from ccms.report import Report, build_report, render_html, render_markdown

#: Units, abbreviations and names a Korean page writes in Latin letters.
ALLOWED = frozenset({"p", "d", "h", "m", "s", "x", "n", "Holm", "ccms", "demo", "vs"})
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-/:+@]*")
_ID = re.compile(r".*[0-9_.\-/:@].*")
#: Elements whose text is not shown (a chart's metadata names the library that drew it).
_HIDDEN = frozenset({"style", "script", "metadata"})


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.texts: list[str] = []
        self.images: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.skip += 1
        for key, value in attrs:
            if key == "alt" and value:
                self.texts.append(value)
            if key == "src" and value and value.startswith("data:image/svg+xml;base64,"):
                self.images.append(base64.b64decode(value.split(",", 1)[1]).decode("utf-8"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip and data.strip():
            self.texts.append(data.strip())


def page_texts(html: str) -> list[str]:
    """The page's text nodes and alt texts, and the text of each embedded chart."""
    parser = _Text()
    parser.feed(html)
    texts = list(parser.texts)
    for svg in parser.images:
        inner = _Text()
        inner.feed(svg)
        texts += inner.texts
    return texts


def data_values(report: Report) -> set[str]:
    """Strings the report shows as its data says them: titles, ids, groups, rule names."""
    values: set[str] = {report.zone}

    def walk(value: Any, key: str = "") -> Iterator[str]:
        if isinstance(value, dict):
            for k, v in value.items():
                if key in DATA_KEYS:  # e.g. departments, the keys of a figure by department
                    yield k
                yield from walk(v, k)
        elif isinstance(value, list | tuple):
            for v in value:
                yield from walk(v, key)
        elif isinstance(value, str) and key in DATA_KEYS:
            yield value

    values.update(walk(report.to_dict()))
    return values


#: The report's fields whose values are data (what a host or its rule set named).
DATA_KEYS = frozenset({
    "title", "owner", "agent", "proposer", "department", "group", "rule", "rule_set", "id",
    "name", "key", "value", "handler", "code", "standards_by_department", "denominator",
})  # fmt: skip


def english_left(texts: list[str], data: set[str]) -> list[tuple[str, list[str]]]:
    found = []
    for text in texts:
        for value in sorted(data, key=len, reverse=True):  # the longest first ("a b", then "a")
            if value:
                text = text.replace(value, " ")
        words = [w.rstrip(".:") for w in _WORD.findall(text)]
        bad = [w for w in words if w and not (w.isupper() or _ID.fullmatch(w) or w in ALLOWED)]
        if bad:
            found.append((text, bad))
    return found


def check(report: Report) -> None:
    data = data_values(report)
    html = render_html(report)
    assert '<html lang="ko">' in html
    texts = page_texts(html)
    assert len(texts) > 100  # the page and its charts were read
    assert not english_left(texts, data)
    # Markdown escapes what a title may hold (| * _ ...): read it unescaped
    lines = [line.replace("\\", "") for line in render_markdown(report).splitlines() if line]
    assert not english_left(lines, data)


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    from ccms.cli.reporting import DEFAULT_ZONE
    from ccms.demo import run
    from ccms.desk import ExecutionRecords
    from ccms.report import report_from_store
    from ccms.store import SQLiteStore

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    month = run(path, year=2026, month=10, seed=7, contacts=120)
    month.desk.store.close()
    with SQLiteStore(path, read_only=True) as store:  # as ccms report --lang ko reads it
        inputs = ExecutionRecords(store, read_only=True).report_inputs()
        return report_from_store(store, period="month", zone=DEFAULT_ZONE, language="ko",
                                 **inputs)  # fmt: skip


def test_the_demo_month_in_korean_has_no_english_sentence(demo_report: Report) -> None:
    assert demo_report.points is not None
    assert demo_report.points.entries > 0  # the CS-point sentences with entries are read
    assert demo_report.improvements.rows
    check(demo_report)


def test_flags_points_ideas_and_institutional_items_in_korean() -> None:
    sample = build()
    report = build_report(september() + october() + fair_october(), as_of=AS_OF,
                          improvements=tasks(), points=sample.ledger, ideas=sample.ideas,
                          institutional=sample.register, denominators={"orders": 3400},
                          previous_denominators={"orders": 3000}, language="ko")  # fmt: skip
    f = report.fairness
    assert f.flags  # web got a refund more often than phone: flagged
    assert f.workload_notes or f.survey_notes or f.workload_gini is not None
    assert report.ideas.total
    assert report.institutional.total
    assert report.points is not None
    assert report.points.consequences or report.points.tiers
    check(report)


def test_the_checker_finds_english() -> None:
    found = english_left(["2026-10 VOC 12건", "Timely response: 100%", "rnd / exec-kang"],
                         {"rnd"})  # fmt: skip
    assert found == [("Timely response: 100%", ["Timely", "response"])]


def test_korean_notes_pair_with_the_english_warnings() -> None:
    sample_records = september() + october() + fair_october()
    en = build_report(sample_records, as_of=AS_OF).fairness
    ko = build_report(sample_records, as_of=AS_OF, language="ko").fairness
    assert len(en.survey_notes) == len(en.survey_warnings)
    assert len(en.workload_notes) == len(en.workload_flags)
    for note, warning in zip(en.workload_notes, en.workload_flags, strict=True):
        assert note.handler in warning
        assert f"{note.load:.1f}" in warning
    for snote, swarning in zip(en.survey_notes, en.survey_warnings, strict=True):
        assert str(snote.group) in swarning
    assert [(fl.group, fl.other) for fl in en.flags] == [(fl.group, fl.other) for fl in ko.flags]
    for fl in en.flags:
        assert f"n={fl.n} vs {fl.n_other}" in fl.text
