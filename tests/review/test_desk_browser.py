"""The review desk in a real browser: Debian's Chromium, driven by Playwright, no JavaScript.

One server and one browser for the whole module (the strict desk: approval,
four eyes and blurring on); each test opens its own browser context (its own
cookies). The pages are photographed into ``$TERRAIN_SCREENSHOTS`` (default: a
folder of the test run's temporary directory).

The last tests check the rule on the way out: nothing unapproved reaches the
outbox, through ``terrain publish`` or ``terrain worker`` (the command itself,
in another process), and what an approver approved in the browser does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from terrain import Content
from terrain.store import Workspace
from terrain.web import create_app
from terrain.workflows import approval_queue, publish_event
from tests.web._browser import chromium, html, screenshots, serving
from tests.web.conftest import Clock, free_port

from ._desk import AFTER, EVENT_ID, PASSWORD, desk_workspace, get_ready, photo_id

DESKTOP = {"width": 1280, "height": 900}


class Desk:
    def __init__(self, ws: Workspace, url: str, clock: Clock) -> None:
        self.ws, self.url, self.clock = ws, url, clock


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshots(tmp_path_factory)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, desk_template: Path) -> Iterator[Desk]:

    root = desk_workspace(tmp_path_factory.mktemp("desk-browser"), desk_template,
                          publish="approval = true\nfour_eyes = true\nblur_unconsented = true")
    clock = Clock(AFTER + timedelta(minutes=5))
    port = free_port()
    with Workspace.open(root) as ws, serving(create_app(ws, now=clock), port) as url:
        yield Desk(ws, url, clock)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def screen(browser: Any) -> Iterator[Any]:
    """A fresh desktop browser: its own cookies, no JavaScript."""
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False, locale="fr-FR")
    yield context.new_page()
    context.close()


def snap(page: Any, shots: Path, name: str) -> None:
    page.wait_for_load_state("load")
    page.screenshot(path=str(shots / f"desk-{name}.png"), full_page=True)


def sign_in(page: Any, desk: Desk, name: str) -> None:
    page.goto(f"{desk.url}/desk/login")
    page.get_by_label("Compte").fill(name)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{desk.url}/desk"


def test_identify_people_with_the_search_box_then_review(
    desk: Desk, screen: Any, shots: Path
) -> None:
    screen.goto(f"{desk.url}/desk")
    assert screen.url.endswith("/desk/login")
    snap(screen, shots, "login")
    sign_in(screen, desk, "camille")
    snap(screen, shots, "home")
    screen.get_by_role("link", name="Vélo & ville #12").click()
    assert "À relire (4)" in html(screen)
    snap(screen, shots, "sheet")
    screen.get_by_role("link", name="crowd.jpg").click()
    screen.get_by_label("Chercher un membre").fill("benali")
    screen.get_by_role("button", name="Chercher").click()
    screen.get_by_role("button", name="Ajouter Nora Benali").click()
    assert "Personnes mises à jour." in html(screen)
    snap(screen, shots, "identify")
    screen.get_by_role("button", name="Tout le monde est identifié").click()
    assert "Photo relue." in html(screen)
    crowd = desk.ws.get(Content, photo_id(desk.ws.root, "crowd"))
    assert crowd.people_reviewed
    assert [a.member_id for a in crowd.appearances] == ["nora"]


def test_a_photo_with_a_face_nobody_named_needs_a_confirmation(
    desk: Desk, screen: Any, shots: Path
) -> None:
    sign_in(screen, desk, "camille")
    group = photo_id(desk.ws.root, "group")
    screen.goto(f"{desk.url}/desk/photos/{group}?back={EVENT_ID}")
    assert "1 visage(s) sans nom" in html(screen)
    screen.get_by_role("button", name="Tout le monde est identifié").click()
    assert "more faces than people identified" in html(screen)
    assert not desk.ws.get(Content, group).people_reviewed
    screen.go_back()
    screen.get_by_label("Personne d'autre à identifier").check()
    screen.get_by_role("button", name="Tout le monde est identifié").click()
    assert "Photo relue." in html(screen)
    snap(screen, shots, "group-reviewed")
    assert desk.ws.get(Content, group).people_reviewed


def test_nothing_unapproved_reaches_the_outbox_through_terrain_worker(desk: Desk) -> None:
    """The recap planned and never approved: `terrain worker` (another process) holds it,
    and the outbox stays empty."""
    get_ready(desk.ws, "group", "lea", "crowd")
    publish_event(desk.ws, EVENT_ID, ["outbox"], now=AFTER, hook=False)
    (item,) = approval_queue(desk.ws, now=AFTER + timedelta(minutes=10))
    assert item.may_go
    assert not item.approved
    _worker(desk)
    outbox = desk.ws.root / "outbox" / "outbox"
    assert not outbox.exists() or not list(outbox.glob("*.json"))
    (row,) = desk.ws.db.query(
        "SELECT state, reasons_json FROM publication_journal WHERE post_id = ? "
        "AND platform = ?", (item.row.post_id, item.row.platform))
    assert row[0] == "held"
    assert "awaiting approval" in row[1]


def test_approve_in_the_browser_then_the_worker_sends_exactly_that(
    desk: Desk, browser: Any, screen: Any, shots: Path
) -> None:
    get_ready(desk.ws, "group", "lea", "crowd")
    publish_event(desk.ws, EVENT_ID, ["outbox"], now=AFTER, hook=False)
    outbox = desk.ws.root / "outbox" / "outbox"
    assert not list(outbox.glob("*.json"))  # held: not approved
    # the editor cannot approve
    sign_in(screen, desk, "camille")
    screen.goto(f"{desk.url}/desk/approvals")
    assert "À approuver" in html(screen)
    snap(screen, shots, "approvals")
    screen.get_by_role("link", name="Ouvrir").first.click()
    assert screen.get_by_role("button", name="Approuver telle quelle").count() == 0
    # an approver who edited the text cannot approve it (four eyes)
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False, locale="fr-FR")
    try:
        alex = context.new_page()
        sign_in(alex, desk, "alex")
        alex.goto(f"{desk.url}/desk/approvals")
        alex.get_by_role("link", name="Ouvrir").first.click()
        alex.get_by_label("Texte de la publication").fill("Merci à toutes et à tous, à jeudi !")
        alex.get_by_role("button", name="Enregistrer").click()
        assert "Texte modifié" in html(alex)
        alex.get_by_role("button", name="Approuver telle quelle").click()
        assert "four eyes" in html(alex)
        snap(alex, shots, "four-eyes")
    finally:
        context.close()
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False, locale="fr-FR")
    try:
        morgan = context.new_page()
        sign_in(morgan, desk, "morgan")
        morgan.goto(f"{desk.url}/desk/approvals")
        assert "1 zone(s) floutée(s)" in html(morgan)  # Samir, blurred
        morgan.get_by_role("link", name="Ouvrir").first.click()
        snap(morgan, shots, "post")
        morgan.get_by_role("button", name="Approuver telle quelle").click()
        assert "Approuvée : elle partira telle quelle." in html(morgan)
        snap(morgan, shots, "approved")
    finally:
        context.close()
    _worker(desk)
    (sent,) = [json.loads(p.read_text()) for p in outbox.glob("*.json")]
    assert sent["text"] == "Merci à toutes et à tous, à jeudi !"
    assert all(m["key"].startswith("egress/blurred/") or "photo-" in m["key"]
               for m in sent["media"])


def _worker(desk: Desk) -> None:
    env = {**os.environ, "TERRAIN_NOW": (AFTER + timedelta(minutes=20)).isoformat(),
           "TERRAIN_LOAD_PLUGINS": ""}
    done = subprocess.run(
        [sys.executable, "-m", "terrain", "worker", "--drain", "--platform", "outbox",
         "--workspace", str(desk.ws.root)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode in (0, 1), done.stderr
