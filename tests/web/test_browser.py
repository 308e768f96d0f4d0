"""Every flow in a real browser: Debian's Chromium, driven by Playwright, on a phone.

The app runs under uvicorn on 127.0.0.1 (a random port), mail goes to a local
SMTP server, and Chromium runs with JavaScript OFF: the pages need none. Each
page is photographed on a phone-sized screen into ``$TERRAIN_SCREENSHOTS``
(default: a folder of the test run's temporary directory).

Locally, without ``/usr/bin/chromium`` (``make test`` installs it as root), these
tests are skipped; in CI (``CI=true``) they fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from terrain.store import Workspace
from terrain.web import create_app
from terrain.workflows import personal_link, run_workspace_worker

from ._browser import chromium, html, screenshots, serving
from ._site import AT_THE_DOOR, BEFORE, EMAILS, EVENT_ID, build
from .conftest import Clock, Mailbox, free_port

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return screenshots(tmp_path_factory)


@pytest.fixture(scope="module")
def mail() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


class Site:
    def __init__(self, ws: Workspace, url: str, clock: Clock, box: Mailbox) -> None:
        self.ws, self.url, self.clock, self.box = ws, url, clock, box


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, mail: tuple[Mailbox, int]) -> Iterator[Site]:
    root = build(tmp_path_factory.mktemp("browser") / "ws", smtp_port=mail[1])
    port = free_port()
    toml = root / "terrain.toml"
    toml.write_text(toml.read_text() + f'\n[web]\nbase_url = "http://127.0.0.1:{port}"\n')
    clock = Clock(BEFORE)
    with Workspace.open(root) as ws, serving(create_app(ws, now=clock), port) as url:
        yield Site(ws, url, clock, mail[0])


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh phone: its own cookies, no JavaScript."""
    context = browser.new_context(viewport=PHONE, java_script_enabled=False,
                                  device_scale_factor=1, is_mobile=True, locale="fr-FR")
    yield context.new_page()
    context.close()


def snap(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)


def test_event_page_and_poster(site: Site, phone: Any, shots: Path) -> None:
    phone.goto(f"{site.url}/events/{EVENT_ID}")
    assert phone.get_by_role("heading", level=1).inner_text() == "Vélo & ville #12"
    assert "jeudi 12 novembre 2026" in html(phone)
    snap(phone, shots, "event")
    phone.get_by_role("link", name="Affiche à imprimer").click()
    assert phone.locator("svg").count() == 1
    snap(phone, shots, "poster")
    phone.get_by_role("link", name="English").click()
    assert "Thursday 12 November 2026" in html(phone)


def test_a_member_gets_their_link_by_mail_and_answers_with_the_keyboard(
    site: Site, phone: Any, shots: Path
) -> None:
    phone.goto(site.url)
    snap(phone, shots, "home")
    phone.get_by_label("Adresse e-mail").fill(EMAILS["lea"])
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert phone.get_by_role("heading", level=1).inner_text() == "Vérifiez votre messagerie"
    snap(phone, shots, "sent")
    phone.goto(site.box.link_to(EMAILS["lea"]))
    assert phone.url == f"{site.url}/me"  # the token left the address bar
    assert "Bonjour Léa Martin" in html(phone)
    snap(phone, shots, "me")
    phone.get_by_role("link", name="Vélo & ville #12").click()
    going = phone.get_by_role("button", name="Je viens")
    going.focus()
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "C'est noté : inscrit·e." in phone.inner_text("main")
    snap(phone, shots, "rsvp")


def test_consent_at_the_door_from_the_qr_code(site: Site, phone: Any, shots: Path) -> None:
    site.clock.at = AT_THE_DOOR
    phone.goto(f"{site.url}/events/{EVENT_ID}")  # what the poster's QR code opens
    phone.get_by_label("Adresse e-mail").fill(EMAILS["ines"])
    phone.get_by_label("donner ou refuser mon accord pour les photos").check()
    phone.get_by_role("button", name="Envoyer le lien").click()
    phone.goto(site.box.link_to(EMAILS["ines"]))
    assert phone.url == f"{site.url}/events/{EVENT_ID}/consent"
    phone.get_by_label("Publier des photos et vidéos où j'apparais").check()
    phone.get_by_label("Seulement sur :").check()
    phone.get_by_label("outbox").check()
    phone.get_by_label("1 an").check()
    snap(phone, shots, "consent")
    phone.get_by_role("button", name="Enregistrer mes choix").click()
    assert "Vos choix sont enregistrés" in html(phone)
    snap(phone, shots, "consent-saved")
    (grant,) = [c for c in site.ws.ledger().for_subject("ines")
                if c.history[0].status.value == "given"]
    assert grant.platforms == {"outbox"}
    assert grant.evidence.kind.value == "web-form"


def test_a_minor_s_guardian_confirms_from_their_own_phone(
    site: Site, browser: Any, phone: Any, shots: Path
) -> None:
    site.clock.at = AT_THE_DOOR
    phone.goto(f"{site.url}/events/{EVENT_ID}")
    phone.get_by_label("Adresse e-mail").fill(EMAILS["tom"])
    phone.get_by_label("donner ou refuser mon accord pour les photos").check()
    phone.get_by_role("button", name="Envoyer le lien").click()
    phone.goto(site.box.link_to(EMAILS["tom"]))
    assert "Paul Roux, Sofia Roux" in html(phone)
    phone.get_by_label("Publier des photos et vidéos où j'apparais").check()
    snap(phone, shots, "consent-minor")
    phone.get_by_role("button", name="Enregistrer mes choix").click()
    assert "En attente de la confirmation de : Paul Roux, Sofia Roux" in html(phone)
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, is_mobile=True)
    try:
        paul = context.new_page()
        paul.goto(site.box.link_to(EMAILS["paul"]))
        assert paul.url == f"{site.url}/guardian"
        snap(paul, shots, "guardian")
        paul.get_by_role("button", name="J'accepte").click()
        assert "votre accord est enregistré" in html(paul)
        assert "En attente aussi de : Sofia Roux" in html(paul)
        snap(paul, shots, "guardian-done")
    finally:
        context.close()


def test_self_check_in_at_the_door(site: Site, phone: Any, shots: Path) -> None:
    site.clock.at = AT_THE_DOOR
    link, _ = personal_link(site.ws, "samir", now=AT_THE_DOOR)
    phone.goto(link.url.replace("http://127.0.0.1:8000", site.url))
    phone.goto(f"{site.url}/events/{EVENT_ID}")
    phone.get_by_role("button", name="Je suis arrivé·e").click()
    assert "Bienvenue, Samir Haddad" in html(phone)
    snap(phone, shots, "check-in")


def test_withdrawal_in_one_click_then_the_worker_takes_the_post_down(
    site: Site, phone: Any, shots: Path
) -> None:
    site.clock.at = AT_THE_DOOR
    link, _ = personal_link(site.ws, "lea", now=AT_THE_DOOR)
    phone.goto(link.url.replace("http://127.0.0.1:8000", site.url))
    assert phone.get_by_role("img").count() == 1  # her photo's thumbnail
    phone.get_by_role("button", name="Tout retirer").click()
    assert "Retrait enregistré" in html(phone)
    assert "1 publication(s) à retirer" in html(phone)
    assert "en attente" in html(phone)
    snap(phone, shots, "withdrawn")
    run_workspace_worker(site.ws, now=AT_THE_DOOR, drain=True, hook=False)
    phone.reload()  # a reload sends nothing again (the page was a redirect)
    assert "supprimé" in html(phone)
    snap(phone, shots, "taken-down")


def test_a_refused_link_offers_a_new_one(site: Site, phone: Any, shots: Path) -> None:
    phone.goto(f"{site.url}/l/personal.l000.1.forged")
    assert "Ce lien ne peut pas être utilisé" in html(phone)
    assert phone.get_by_label("Adresse e-mail").count() == 1
    snap(phone, shots, "refused")
