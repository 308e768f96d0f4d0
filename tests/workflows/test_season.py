"""The season report: attendance per meetup and reach per post, as charts in one HTML page.

The page is opened in a real browser (Debian's Chromium, driven by
Playwright): the charts are there, drawn without a script, and a screenshot
is written next to the test's files.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from terrain import Community, Event, Member
from terrain.events import Attendance, Rsvp
from terrain.store import Workspace
from terrain.testing import InMemoryPlatform
from terrain.workflows import fetch_stats, publish_event, season_html, season_report
from terrain.workflows._season import season_of

PARIS = ZoneInfo("Europe/Paris")
CHROMIUM = Path("/usr/bin/chromium")
TITLES = ["Vélo & ville #10", "Vélo & ville #11", "Atelier <script>alert(1)</script> & co"]


def season_workspace(root: Path) -> Workspace:
    ws = Workspace.init(root, community=Community(id="velo", name="Vélo <Lyon>", language="fr",
                                                  timezone="Europe/Paris"))
    people = [f"m{i}" for i in range(12)]
    for person in people:
        ws.add(Member(id=person, display_name=person.upper()))
    for number, title in enumerate(TITLES):
        start = datetime(2025, 10 + number, 9, 19, 0, tzinfo=PARIS)
        ws.add(Event(id=f"ev-{number}", title=title, starts_at=start,
                     ends_at=start + timedelta(hours=3)))
        came = people[: 4 + 3 * number]
        said = people[: 6 + 3 * number]
        ws.add(
            Attendance(
                event_id=f"ev-{number}",
                rsvps=[
                    Rsvp(m, "checked-in" if m in came else "no-show", at=start - timedelta(days=2))
                    for m in said
                ],
            )
        )
    return ws


def test_the_season_counts_who_came_to_each_meetup_and_how_far_each_post_went(
    tmp_path: Path,
) -> None:
    memory = InMemoryPlatform("x")
    with season_workspace(tmp_path / "ws") as ws:
        end = datetime(2025, 10, 9, 23, 0, tzinfo=PARIS)
        (post,) = publish_event(ws, "ev-0", {"x": memory}, now=end, hook=False).posts
        memory.set_metrics(post.id, likes=9, impressions=420)
        fetch_stats(ws, {"x": memory}, now=end + timedelta(days=1))
        report = season_report(ws, today=date(2026, 1, 15))
    assert (report.start, report.end) == (date(2025, 9, 1), date(2026, 8, 31))
    assert [(p.title, p.came, p.said) for p in report.attendance] == [
        (TITLES[0], 4, 6),
        (TITLES[1], 7, 9),
        (TITLES[2], 10, 12),
    ]
    (reach,) = report.reach
    assert (reach.reached, reach.interactions) == (420, 9)
    page = season_html(report)
    assert "<script" not in page  # every text is escaped; the page needs no script
    assert "Atelier &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "Vélo &lt;Lyon&gt;" in page
    assert page.count('<rect class="bar"') == 3 + 1


def test_seasons_run_from_september_to_august() -> None:
    assert season_of(date(2026, 8, 31)) == (date(2025, 9, 1), date(2026, 8, 31))
    assert season_of(date(2026, 9, 1)) == (date(2026, 9, 1), date(2027, 8, 31))


def _browser_or_skip() -> object:
    """Playwright with Debian's Chromium: skipped here when missing, a failure in CI."""
    reason = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the playwright package is not installed (pip install playwright)"
    if reason is None and not CHROMIUM.exists() and shutil.which("chromium") is None:
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if reason is not None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI needs a browser for this test: {reason}", pytrace=False)
        pytest.skip(reason)
    return sync_playwright


def test_the_season_report_opens_in_a_real_browser_with_its_charts_drawn(tmp_path: Path) -> None:
    sync_playwright = _browser_or_skip()
    memory = InMemoryPlatform("x")
    with season_workspace(tmp_path / "ws") as ws:
        end = datetime(2025, 11, 9, 23, 0, tzinfo=PARIS)
        (post,) = publish_event(ws, "ev-1", {"x": memory}, now=end, hook=False).posts
        memory.set_metrics(post.id, likes=15, reposts=2, impressions=730)
        fetch_stats(ws, {"x": memory}, now=end + timedelta(days=1))
        page_file = tmp_path / "season.html"
        page_file.write_text(season_html(season_report(ws, today=date(2026, 1, 15))), "utf-8")
    shot = tmp_path / "season.png"
    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    with sync_playwright() as p:  # type: ignore[operator]
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(
                viewport={"width": 1000, "height": 900}, java_script_enabled=False
            )
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(page_file.as_uri())
            assert page.title() == "Vélo <Lyon> — Saison 2025–2026"
            bars = page.locator("svg#attendance rect.bar")
            assert bars.count() == 3
            widths = [float(bars.nth(i).get_attribute("width") or 0) for i in range(3)]
            assert widths == sorted(widths)  # 4, 7 then 10 came: the bars grow
            box = page.locator("svg#attendance").bounding_box()
            assert box is not None
            assert box["width"] > 500
            assert box["height"] > 50  # drawn, not an empty element
            assert page.locator("svg#reach rect.bar").count() == 1
            assert "Atelier <script>alert(1)</script> & co" in page.inner_text("body")
            page.screenshot(path=str(shot), full_page=True)
            assert errors == []
        finally:
            browser.close()
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000
