"""Mail flows against a real SMTP server on 127.0.0.1 (aiosmtpd), started by the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from terrain.cli import main
from terrain.store import Workspace
from terrain.web import create_app
from terrain.workflows import (
    LinkPurpose,
    answer_rsvp,
    issue_link,
    load_attendance,
    request_link,
    send_mail,
)

from ._site import AT_THE_DOOR, BEFORE, EMAILS, EVENT_ID
from .conftest import Client, Clock, Mailbox, csrf_of


@pytest.fixture
def mail_ws(mail_site: Path) -> Any:
    with Workspace.open(mail_site) as ws:
        yield ws


@pytest.fixture
def mail_client(mail_ws: Workspace, clock: Clock) -> Any:
    client = Client(create_app(mail_ws, now=clock))
    yield client
    client.close()


def test_a_member_asks_for_their_link_and_opens_their_page_from_the_mail(
    mail_client: Client, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    sent = mail_client.submit("/", "/ask", {"email": "LEA@Example.ORG".replace("LEA", "lea")})
    assert sent.status_code == 200
    (message,) = box.to(EMAILS["lea"])
    assert message["Subject"] == "Votre page personnelle — Vélo Lyon"
    assert "/l/" not in message["Subject"]
    assert mail_client.get(box.link_to(EMAILS["lea"])).status_code == 303
    assert "Bonjour Léa Martin" in mail_client.get("/me").text


def test_an_unknown_address_gets_no_mail_and_the_same_answer(
    mail_client: Client, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    token = mail_client.csrf("/")
    unknown = mail_client.post("/ask", data={"csrf": token, "email": "nobody@example.org"})
    known = mail_client.post("/ask", data={"csrf": token, "email": EMAILS["samir"]})
    assert unknown.text == known.text
    assert [m["To"] for m in box.messages] == [EMAILS["samir"]]


def test_the_door_qr_code_leads_to_a_check_in_link_by_mail(
    mail_client: Client, mail_ws: Workspace, mailbox: tuple[Mailbox, int], clock: Clock
) -> None:
    box, _ = mailbox
    clock.at = AT_THE_DOOR
    page = mail_client.get(f"/events/{EVENT_ID}")  # what the poster's QR code opens
    assert 'value="check-in"' in page.text
    mail_client.post(f"/events/{EVENT_ID}/ask", data={
        "csrf": csrf_of(page.text), "email": EMAILS["ines"], "purpose": "check-in"})
    mail_client.get(box.link_to(EMAILS["ines"]))
    done = mail_client.submit(f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/checkin", {})
    assert "Bienvenue, Inès Petit" in done.text
    assert "ines" in load_attendance(mail_ws, EVENT_ID).checked_in


def test_the_person_promoted_from_the_waitlist_is_told_by_mail(
    mail_client: Client, mail_ws: Workspace, mailbox: tuple[Mailbox, int]
) -> None:
    box, _ = mailbox
    for member_id in ("samir", "ines", "paul"):
        answer_rsvp(mail_ws, EVENT_ID, member_id, "going", at=BEFORE)
    assert load_attendance(mail_ws, EVENT_ID).status_of("paul").value == "waitlist"
    link = issue_link(mail_ws, LinkPurpose.RSVP, "samir", now=BEFORE, ref=EVENT_ID)
    mail_client.get(link.url)
    mail_client.submit(f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/rsvp", {"answer": "cancel"})
    (told,) = box.to(EMAILS["paul"])
    assert "Une place s'est libérée" in told["Subject"]


def test_each_guardian_confirms_a_minor_s_consent_from_their_own_mail(
    mail_ws: Workspace, mail_site: Path, mailbox: tuple[Mailbox, int], clock: Clock
) -> None:
    box, _ = mailbox
    clock.at = AT_THE_DOOR
    app = create_app(mail_ws, now=clock)
    tom, paul, sofia = Client(app), Client(app), Client(app)
    try:
        tom.get(issue_link(mail_ws, LinkPurpose.CONSENT, "tom", now=AT_THE_DOOR,
                           ref=EVENT_ID).url)
        tom.submit(f"/events/{EVENT_ID}/consent", f"/events/{EVENT_ID}/consent", {
            "purpose": ["publish", "tag"], "where": "all", "scope": "event",
            "duration": "none"})
        assert {m["To"] for m in box.messages} == {EMAILS["paul"], EMAILS["sofia"]}
        paul_link, sofia_link = box.link_to(EMAILS["paul"]), box.link_to(EMAILS["sofia"])
        assert paul_link != sofia_link
        paul.get(paul_link)
        first = paul.submit("/guardian", "/guardian", {"answer": "agree"})
        assert "En attente aussi de : Sofia Roux" in first.text
        sofia.get(sofia_link)
        second = sofia.submit("/guardian", "/guardian", {"answer": "agree"})
        assert "En attente aussi" not in second.text
        # a guardian's link answers once
        assert paul.submit("/guardian", "/guardian", {"answer": "refuse"}).status_code == 403
        assert paul.get(sofia_link.replace("guardian.", "personal.")).status_code == 403
    finally:
        for client in (tom, paul, sofia):
            client.close()
    grants = [c for c in mail_ws.ledger().for_subject("tom")
              if c.history[0].status.value == "given"]
    assert sorted(g.given_by for g in grants) == [("paul",), ("sofia",), ("tom",)]  # his assent


def test_the_community_manager_mails_a_personal_link_from_the_command_line(
    mail_site: Path, mailbox: tuple[Mailbox, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    box, _ = mailbox
    monkeypatch.setenv("TERRAIN_NOW", BEFORE.isoformat())
    result = CliRunner().invoke(main, ["link", "send", "lea", "--workspace", str(mail_site)])
    assert result.exit_code == 0, result.output
    assert "Mailed lea" in result.output
    assert box.to(EMAILS["lea"])
    assert "/l/" not in result.output  # the link goes to her, not to the screen
    no_mail = CliRunner().invoke(main, ["link", "send", "nora", "--workspace", str(mail_site)])
    assert no_mail.exit_code == 2
    assert "no email address" in no_mail.output


def test_a_mail_server_that_is_down_loses_the_mail_not_the_page(
    mail_ws: Workspace, mailbox: tuple[Mailbox, int]
) -> None:
    box, _port = mailbox
    outgoing = request_link(mail_ws, EMAILS["lea"], "personal", now=BEFORE)
    assert outgoing.mails
    assert outgoing.mails[0].to == EMAILS["lea"]
    assert EMAILS["lea"] not in repr(outgoing)
    import attrs

    down = attrs.evolve(mail_ws.config, smtp=attrs.evolve(mail_ws.config.smtp, port=1))
    mail_ws.config = down
    assert send_mail(mail_ws, list(outgoing.mails)) == 0
    assert outgoing.send() == 0
    assert not box.messages


def test_a_username_without_the_password_in_the_environment_sends_nothing(
    mail_ws: Workspace, mailbox: tuple[Mailbox, int], caplog: pytest.LogCaptureFixture
) -> None:
    import attrs

    box, _ = mailbox
    mail_ws.config = attrs.evolve(mail_ws.config,
                                  smtp=attrs.evolve(mail_ws.config.smtp, username="bot"))
    outgoing = request_link(mail_ws, EMAILS["lea"], "personal", now=BEFORE)
    assert outgoing.send() == 0
    assert "TERRAIN_SMTP_PASSWORD" in caplog.text
    assert not box.messages
