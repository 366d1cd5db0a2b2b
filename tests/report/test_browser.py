"""The HTML report in a real browser: headless Chromium renders it without console errors and the
charts are drawn (the screenshot is not blank; each chart holds many distinct colours).

Needs Debian's ``chromium`` (``scripts/install-chromium.sh``). Skipped when it is missing, unless
``CCMS_REQUIRE_CHROMIUM=1`` (set by ``.ci/run``), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from report_sample import AS_OF, fair_october, october, september, tasks

from ccms.report import build_report, render_html

WIDTH, HEIGHT = 1200, 3000
MAGENTA = (255, 0, 255)
# Shows only the chart figures, each framed in magenta so the test can find them.
CHARTS_ONLY = (
    "main > :not(figure) { display: none !important; } "
    "figure img { border: 3px solid #ff00ff !important; border-radius: 0 !important; }"
)


def chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        if os.environ.get("CCMS_REQUIRE_CHROMIUM") == "1":
            pytest.fail(
                "CCMS_REQUIRE_CHROMIUM=1 but chromium is missing: run scripts/install-chromium.sh"
            )
        pytest.skip(
            "chromium is not installed (scripts/install-chromium.sh installs Debian's package)"
        )
    return found


def screenshot(page: str, tmp: Path, name: str) -> tuple[Image.Image, list[str]]:
    """Render ``page`` in headless Chromium; return the screenshot and the console problems."""
    html, png = tmp / f"{name}.html", tmp / f"{name}.png"
    html.write_text(page, encoding="utf-8")
    cmd = [
        chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--hide-scrollbars", "--no-first-run", "--disable-extensions",
        f"--user-data-dir={tmp / 'profile'}", f"--screenshot={png}",
        f"--window-size={WIDTH},{HEIGHT}", "--enable-logging=stderr", "--v=0",
        html.as_uri(),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
    assert png.exists(), f"chromium wrote no screenshot (exit {proc.returncode}):\n{proc.stderr}"
    problems = [
        line for line in proc.stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line
    ]
    return Image.open(png).convert("RGB"), problems


def pixels(image: Image.Image) -> np.ndarray[Any, Any]:
    return np.asarray(image, dtype=np.int16)


def frames(image: Image.Image) -> list[np.ndarray[Any, Any]]:
    """The insides of the magenta frames, top to bottom."""
    a = pixels(image)
    magenta = np.all(a == MAGENTA, axis=2)
    edge_rows = np.flatnonzero(magenta.sum(axis=1) > WIDTH // 2)
    # Each frame is 3 px thick: keep the first row of each run of edge rows.
    starts = [int(r) for i, r in enumerate(edge_rows) if i == 0 or r != edge_rows[i - 1] + 1]
    out = []
    for top, bottom in zip(starts[::2], starts[1::2], strict=False):
        cols = np.flatnonzero(magenta[top])
        out.append(a[top + 3 : bottom, cols[0] + 3 : cols[-1] - 2])
    return out


def distinct(a: np.ndarray[Any, Any]) -> int:
    """How many distinct RGB colours ``a`` holds."""
    flat = a.reshape(-1, 3).astype(np.int32)
    return len(np.unique((flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]))


def drawn(inside: np.ndarray[Any, Any]) -> bool:
    """A chart is drawn: many distinct colours and many coloured (not grey) pixels."""
    flat = inside.reshape(-1, 3)
    coloured = int((flat.max(axis=1) - flat.min(axis=1) > 60).sum())
    return distinct(inside) >= 100 and coloured >= 1000


@pytest.fixture(scope="module")
def page() -> str:
    records = september() + october() + fair_october()
    report = build_report(records, as_of=AS_OF, improvements=tasks(),
                          denominators={"orders": 3400}, previous_denominators={"orders": 3000})  # fmt: skip
    return render_html(report)


def test_report_renders_without_console_errors_and_is_not_blank(page: str, tmp_path: Path) -> None:
    image, problems = screenshot(page, tmp_path, "report")
    assert problems == []
    a = pixels(image)
    assert image.size == (WIDTH, HEIGHT)
    background = np.all(a == a[0, 0], axis=2).mean()
    assert background < 0.9  # the page has content, not one flat colour
    assert distinct(a) > 1000


def test_every_chart_renders(page: str, tmp_path: Path) -> None:
    image, problems = screenshot(
        page.replace("</style>", CHARTS_ONLY + "</style>"), tmp_path, "charts"
    )
    assert problems == []
    found = frames(image)
    assert len(found) == 4  # trend, Pareto, SLA, fairness
    assert [drawn(inside) for inside in found] == [True, True, True, True]


def test_the_checks_catch_a_broken_page(page: str, tmp_path: Path) -> None:
    """A script error is reported and empty chart images fail the colour check."""
    broken = page.replace("</style>", CHARTS_ONLY + "</style>").replace(
        "data:image/svg+xml;base64,", "data:image/svg+xml;base64,AAAA"
    )
    broken = broken.replace("</main>", '<script>throw new Error("boom")</script></main>')
    image, problems = screenshot(broken, tmp_path, "broken")
    assert any("Uncaught Error: boom" in line for line in problems)
    found = frames(image)
    assert len(found) == 4  # the frames are there, around broken images
    assert not any(drawn(inside) for inside in found)
