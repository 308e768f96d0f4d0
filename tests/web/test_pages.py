"""Every flow of the members' pages, in-process (httpx's ASGI transport, no network)."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from PIL import Image

from terrain.consent import EvidenceKind, Purpose, ScopeKind
from terrain.store import Workspace
from terrain.workflows import (
    LinkPurpose,
    issue_link,
    load_attendance,
    personal_link,
    run_workspace_worker,
)
from terrain.workflows._publish import journal_of

from ._site import AT_THE_DOOR, BEFORE, EVENT_ID, MEETUP, PAST_ID
from .conftest import Client, Clock, csrf_of


def personal(ws: Workspace, client: Client, member_id: str) -> None:
    """``member_id`` opens their personal link in ``client``."""
    link, _ = personal_link(ws, member_id, now=BEFORE)
    opened = client.get(link.url)
    assert opened.status_code == 303
    assert opened.headers["location"] == "/me"
    assert link.token not in opened.headers["location"]


def test_the_event_page_shows_the_agenda_the_venue_and_the_date_in_the_community_zone(
    client: Client,
) -> None:
    page = client.get(f"/events/{EVENT_ID}")
    assert page.status_code == 200
    assert "Vélo &amp; ville #12" in page.text
    assert "jeudi 12 novembre 2026, 19:00–22:00" in page.text
    assert "Europe/Paris" in page.text
    assert "Le Zinc" in page.text
    assert "12 rue des Capucins" in page.text
    assert "Les pistes du 7e" in page.text
    assert "Ana" in page.text
    assert "2 place(s) libre(s)" in page.text
    english = client.get(f"/events/{EVENT_ID}?lang=en")
    assert "Thursday 12 November 2026, 19:00–22:00" in english.text
    assert 'lang="en"' in english.text
    # the choice stays for the next page
    assert "Thursday" in client.get(f"/events/{EVENT_ID}").text


def test_the_poster_has_a_qr_code_that_opens_the_event_page(client: Client) -> None:
    page = client.get(f"/events/{EVENT_ID}/poster")
    assert page.status_code == 200
    assert "<svg" in page.text
    assert f"http://127.0.0.1:8000/events/{EVENT_ID}" in page.text


def test_rsvp_follows_the_waitlist_rules_and_announces_the_promotion(
    ws: Workspace, client_for: object
) -> None:
    make = client_for  # type: ignore[assignment]
    lea, samir, ines = make(), make(), make()  # type: ignore[operator]
    for member_id, client in (("lea", lea), ("samir", samir), ("ines", ines)):
        personal(ws, client, member_id)
        answered = client.submit(f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/rsvp",
                                 {"answer": "going"})
        assert answered.status_code == 200, answered.text
    assert "sur liste d&#39;attente" in ines.get(f"/events/{EVENT_ID}").text
    assert "Complet" in ines.get(f"/events/{EVENT_ID}").text
    cancelled = lea.submit(f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/rsvp",
                           {"answer": "cancel"})
    assert "1 personne(s) de la liste d&#39;attente ont obtenu une place" in cancelled.text
    answers = load_attendance(ws, EVENT_ID)
    assert answers.status_of("ines").value == "going"
    assert answers.status_of("lea").value == "cancelled"


def test_an_rsvp_link_is_spent_once_used(ws: Workspace, client: Client) -> None:
    link = issue_link(ws, LinkPurpose.RSVP, "samir", now=BEFORE, ref=EVENT_ID)
    assert client.get(link.url).headers["location"] == f"/events/{EVENT_ID}"
    page = client.get(f"/events/{EVENT_ID}")
    assert "Samir Haddad" in page.text
    done = client.post(f"/events/{EVENT_ID}/rsvp", data={"csrf": csrf_of(page.text),
                                                          "answer": "going"})
    assert done.status_code == 200
    again = client.post(f"/events/{EVENT_ID}/rsvp", data={"csrf": csrf_of(page.text),
                                                           "answer": "cancel"})
    assert again.status_code == 403
    assert load_attendance(ws, EVENT_ID).status_of("samir").value == "going"


def test_self_check_in_from_the_personal_link_once_the_door_opens(
    ws: Workspace, client: Client, clock: Clock
) -> None:
    personal(ws, client, "lea")
    early = client.submit(f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/checkin", {})
    assert early.status_code == 400
    assert "check-in opens" in early.text
    clock.at = AT_THE_DOOR
    page = client.get(f"/events/{EVENT_ID}")
    assert "Je suis arrivé·e" in page.text
    done = client.post(f"/events/{EVENT_ID}/checkin", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 200
    assert "Bienvenue, Léa Martin" in done.text
    assert "lea" in load_attendance(ws, EVENT_ID).checked_in


def test_self_check_in_from_a_check_in_link_sent_from_the_door_qr_code(
    ws: Workspace, client: Client, clock: Clock
) -> None:
    clock.at = AT_THE_DOOR
    link = issue_link(ws, LinkPurpose.CHECK_IN, "nora", now=AT_THE_DOOR, ref=EVENT_ID)
    client.get(link.url)
    done = client.submit(f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/checkin", {})
    assert done.status_code == 200
    assert "nora" in load_attendance(ws, EVENT_ID).checked_in  # a walk-in: seats were free


def test_consent_at_the_door_records_the_exact_text_its_version_the_instant_and_the_link(
    ws: Workspace, client: Client, clock: Clock
) -> None:
    clock.at = AT_THE_DOOR
    link = issue_link(ws, LinkPurpose.CONSENT, "ines", now=AT_THE_DOOR, ref=EVENT_ID)
    assert client.get(link.url).headers["location"] == f"/events/{EVENT_ID}/consent"
    form = client.get(f"/events/{EVENT_ID}/consent")
    assert form.status_code == 200
    assert "Publier des photos et vidéos où j&#39;apparais" in form.text
    assert "Votre droit de retrait" in form.text
    assert 'value="outbox"' in form.text
    saved = client.post(f"/events/{EVENT_ID}/consent", data={
        "csrf": csrf_of(form.text), "purpose": ["publish", "tag"], "where": "some",
        "platform": ["outbox"], "scope": "event", "duration": "365",
    })
    assert saved.status_code == 200, saved.text
    granted, refused = sorted(ws.ledger().for_subject("ines"),
                              key=lambda c: c.history[0].status.value)
    assert granted.purposes == {Purpose.PUBLISH, Purpose.TAG}
    assert granted.platforms == {"outbox"}
    assert (granted.scope.kind, granted.scope.ref) == (ScopeKind.EVENT, EVENT_ID)
    assert granted.valid_until == AT_THE_DOOR + timedelta(days=365)
    assert granted.history[0].at == AT_THE_DOOR
    evidence = granted.evidence
    assert evidence.kind is EvidenceKind.WEB_FORM
    assert evidence.link == link.id
    assert "M'identifier (me taguer) avec mon compte" in evidence.text
    assert "Conserver" not in evidence.text  # only what she agreed to
    assert "outbox" in evidence.text
    assert "1 an(s)" in evidence.text
    assert evidence.version.startswith("form/")
    assert refused.purposes == {Purpose.ARCHIVE, Purpose.REUSE_UGC, Purpose.INTERVIEW}
    # the link was for one form
    assert client.get(f"/events/{EVENT_ID}/consent").status_code == 403


def _at_the_meetup(ws: Workspace, member_id: str) -> bool:
    """Whether ``member_id`` may be shown on the outbox in this meetup's photos now."""
    from terrain.consent import Target

    return ws.ledger().state_for(member_id, Purpose.PUBLISH, "outbox", at=AT_THE_DOOR,
                                 target=Target(event_ids=frozenset({EVENT_ID}))).valid


def test_a_minor_s_consent_waits_for_each_guardian_on_record(
    ws: Workspace, client_for: object, clock: Clock
) -> None:
    make = client_for  # type: ignore[assignment]
    tom, paul, sofia = make(), make(), make()  # type: ignore[operator]
    clock.at = AT_THE_DOOR
    link = issue_link(ws, LinkPurpose.CONSENT, "tom", now=AT_THE_DOOR, ref=EVENT_ID)
    tom.get(link.url)
    form = tom.get(f"/events/{EVENT_ID}/consent")
    assert "Paul Roux, Sofia Roux" in form.text  # the guardians on record
    saved = tom.post(f"/events/{EVENT_ID}/consent", data={
        "csrf": csrf_of(form.text), "purpose": ["publish"], "where": "all", "scope": "event",
        "duration": "none",
    })
    assert "En attente de la confirmation de : Paul Roux, Sofia Roux" in saved.text
    ledger = ws.ledger()
    assert not _at_the_meetup(ws, "tom")
    # his no is his own refusal; his yes is his own assent, waiting for his guardians
    assert sorted(
        (c.history[0].status.value, c.given_by, c.subject_assent)
        for c in ledger.for_subject("tom")
    ) == [("given", ("tom",), True), ("refused", ("tom",), None)]
    personal(ws, tom, "tom")
    mine = tom.get("/me").text
    assert "en attente d&#39;un parent" in mine
    assert "en attente de : Paul Roux, Sofia Roux" in mine

    from terrain.store import Links

    asked = {r.subject_id: r for r in Links(ws.db).of_subject("paul", "guardian")}
    assert set(asked) == {"paul"}
    # each guardian has a link of their own; the test reissues them (the mail tests read
    # the ones that were sent)
    for guardian, client in (("paul", paul), ("sofia", sofia)):
        row = next(r for r in Links(ws.db).of_subject(guardian, "guardian"))
        mine = issue_link(ws, LinkPurpose.GUARDIAN, guardian, now=AT_THE_DOOR,
                          ref=EVENT_ID, data=row.data)
        client.get(mine.url)
        page = client.get("/guardian")
        assert "Accord demandé pour Tom Roux" in page.text
        assert "Publier des photos et vidéos où j&#39;apparais" in page.text
        answered = client.post("/guardian", data={"csrf": csrf_of(page.text),
                                                  "answer": "agree"})
        assert answered.status_code == 200
        assert "votre accord est enregistré" in answered.text
        if guardian == "paul":  # one of two: still pending, and the pages say for whom
            assert "En attente aussi de : Sofia Roux" in answered.text
            assert not _at_the_meetup(ws, "tom")
            mine = tom.get("/me").text
            assert "en attente d&#39;un parent" in mine
            assert "en attente de : Sofia Roux" in mine
            assert "Paul Roux" not in mine.split("en attente de :")[1].split("<")[0]
    assert _at_the_meetup(ws, "tom")  # every guardian and the child agreed
    mine = tom.get("/me").text
    assert "en attente" not in mine.split('id="consents"')[1].split("</section>")[0]
    grants = [c for c in ws.ledger().for_subject("tom") if c.history[0].status.value == "given"]
    assert sorted(g.given_by for g in grants) == [("paul",), ("sofia",), ("tom",)]
    assert [g.subject_assent for g in grants if g.given_by == ("tom",)] == [True]
    assert all(g.evidence.kind is EvidenceKind.WEB_FORM for g in grants)


def test_the_personal_page_shows_consents_photos_and_posts(ws: Workspace, client: Client) -> None:
    personal(ws, client, "lea")
    page = client.get("/me")
    assert page.status_code == 200
    assert "Bonjour Léa Martin" in page.text
    assert "en vigueur" in page.text
    assert "Vélo &amp; ville #11" in page.text  # the photo's event and the post's
    assert "outbox" in page.text
    assert "en ligne" in page.text
    thumb = client.get("/me/photos/c-talk/m-1")
    assert thumb.status_code == 200
    assert thumb.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(thumb.content))
    assert max(image.size) <= 320
    assert not image.getexif()
    # a photo she is not in is the same 404 as one that does not exist
    assert client.get("/me/photos/c-talk/m-9").status_code == 404
    assert client.get("/me/photos/nothing/m-1").status_code == 404


def test_withdrawing_everything_takes_the_posts_down_once_the_worker_runs(
    ws: Workspace, site: Path, client: Client, clock: Clock
) -> None:
    personal(ws, client, "lea")
    outbox = sorted((site / "outbox").rglob("*.json"))
    assert outbox
    page = client.get("/me")
    done = client.post("/me/withdraw", data={"csrf": csrf_of(page.text), "everything": "yes"})
    assert done.status_code == 303  # then the page, which a reload does not post again
    done = client.get(done.headers["location"])
    assert "Retrait enregistré" in done.text
    assert "1 publication(s)" in done.text
    assert "en attente" in done.text
    assert not ws.ledger().state("lea", "publish", "outbox", at=BEFORE).valid
    assert all(p.exists() for p in outbox)  # nothing is deleted before the worker runs
    report = run_workspace_worker(ws, now=BEFORE, drain=True, hook=False)
    assert report.counts.get("taken down", 0) >= 1
    gone = [p for p in outbox if not p.exists()]
    assert gone
    taken = [r for r in journal_of(ws).rows() if r.taken_down_at is not None]
    assert taken
    decision = ws.decisions(subject_kind="post", subject_id=taken[0].post_id)[-1]
    assert decision.outcome.value == "denied"
    assert "withdrawal wd-" in decision.reasons[0].text
    withdrawal_id = decision.reasons[0].text.split("withdrawal ")[1].split()[0]
    note = next(e for e in ws.consent_events() if e.TYPE == "withdrawn")
    assert withdrawal_id in note.note  # the decision names the withdrawal recorded
    assert "supprimé" in client.get("/me").text


def test_withdrawing_one_purpose_leaves_the_rest(ws: Workspace, client: Client) -> None:
    from terrain.consent import Evidence

    ledger = ws.ledger()
    ledger.grant("lea", purposes=["archive"], at=BEFORE - timedelta(days=1),
                 evidence=Evidence(kind="verbal", witness="the team"))
    ws.save_ledger(ledger)
    personal(ws, client, "lea")
    done = client.submit("/me", "/me/withdraw", {"purpose": "archive"})
    assert done.status_code == 303
    ledger = ws.ledger()
    assert not ledger.state("lea", "archive", "outbox", at=BEFORE).valid
    assert ledger.state("lea", "publish", "outbox", at=BEFORE).valid


def test_withdrawing_for_one_event_names_that_event(ws: Workspace, client: Client) -> None:
    from terrain.consent import Evidence, Scope

    ledger = ws.ledger()
    ledger.grant("samir", purposes=["publish"], at=BEFORE - timedelta(days=1),
                 evidence=Evidence(kind="verbal", witness="the team"),
                 scope=Scope(kind="event", ref=EVENT_ID))
    ws.save_ledger(ledger)
    personal(ws, client, "samir")
    page = client.get("/me")
    assert "Vélo &amp; ville #12" in page.text
    done = client.submit("/me", "/me/withdraw", {"event": EVENT_ID})
    assert done.status_code == 303
    record = next(c for c in ws.ledger().for_subject("samir") if c.scope.ref == EVENT_ID)
    assert record.history[-1].status.value == "withdrawn"


def test_a_partial_withdrawal_on_the_page_leaves_the_rest_online_and_shows_as_partial(
    ws: Workspace, site: Path, client: Client
) -> None:
    """Léa withdraws "tag" only: her photo on the outbox never tagged her, so it stays
    online (nothing is queued, the worker deletes nothing) and her record reads "in
    force, partly withdrawn". Then she withdraws everything: the post comes down and
    the record reads "withdrawn" — although a withdrawal never edits a record, the page
    says where it stands by the consent rules."""
    personal(ws, client, "lea")
    outbox = sorted((site / "outbox").rglob("*.json"))
    assert outbox
    done = client.submit("/me", "/me/withdraw", {"purpose": "tag"})
    assert done.headers["location"] == "/me?withdrawn=0"
    report = run_workspace_worker(ws, now=BEFORE, drain=True, hook=False)
    assert report.counts.get("taken down", 0) == 0
    assert all(p.exists() for p in outbox)  # still shown with her consent: it stays
    page = client.get("/me").text
    assert "en vigueur, retiré en partie" in page
    assert not ws.ledger().state("lea", "tag", "outbox", at=BEFORE).valid
    assert ws.ledger().state("lea", "publish", "outbox", at=BEFORE).valid

    client.submit("/me", "/me/withdraw", {"everything": "yes"})
    run_workspace_worker(ws, now=BEFORE, drain=True, hook=False)
    assert not any(p.exists() for p in outbox)
    page = client.get("/me").text
    assert 'status-withdrawn">retiré<' in page
    assert "en vigueur" not in page.split('id="consents"')[1].split("</section>")[0]


def test_the_page_says_expired_and_withdrawn_by_the_rules_not_by_the_record(
    ws: Workspace, client: Client, clock: Clock
) -> None:
    """Samir's form, dated before the withdrawal he made on his page but keyed in after
    it, is withdrawn (late paperwork never undoes a withdrawal); a consent past its end
    date is expired; one of a later date than the page is in force later."""
    from terrain.consent import Evidence

    verbal = Evidence(kind="verbal", witness="the team")
    personal(ws, client, "samir")
    client.submit("/me", "/me/withdraw", {"everything": "yes"})
    ledger = ws.ledger()
    ledger.grant("samir", purposes=["archive"], at=BEFORE - timedelta(days=2), evidence=verbal)
    ledger.grant("samir", purposes=["interview"], at=BEFORE - timedelta(days=40),
                 valid_until=BEFORE - timedelta(days=10), evidence=verbal)
    ws.save_ledger(ledger)
    clock.at = BEFORE + timedelta(minutes=1)
    page = client.get("/me").text
    lines = page.split('id="consents"')[1].split("</section>")[0].split("<li>")[1:]
    shown = {line.split("<strong>")[1].split("</strong>")[0]: line for line in lines}
    assert "status-withdrawn" in shown["Conserver ces contenus dans les archives de la communauté"]
    assert "status-expired" in shown["Enregistrer et publier mon interview"]


def test_the_home_page_offers_the_personal_link_by_email(client: Client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'type="email"' in page.text
    assert "<label" in page.text


def test_a_past_event_takes_no_answer(ws: Workspace, client: Client, clock: Clock) -> None:
    clock.at = MEETUP + timedelta(days=1)
    personal(ws, client, "lea")
    page = client.get(f"/events/{PAST_ID}")
    assert "Cet événement a eu lieu" in page.text
    assert 'value="going"' not in page.text


def test_every_state_a_record_can_be_in_has_its_words_and_style_in_every_language() -> None:
    """The personal page names a record's state with ``consent_status_<state>``: a state
    without words in a language would show as nothing, so a pending or refused record
    would look like one in force."""
    from terrain.consent import RecordStatus
    from terrain.web._i18n import LANGUAGES, words

    css = (Path(__file__).parents[2] / "src/terrain/web/static/terrain.css").read_text()
    for language in LANGUAGES:
        for status in RecordStatus:
            key = status.value.replace(" ", "-")
            assert words(language).get(f"consent_status_{key}"), (language, status)
    for status in RecordStatus:  # every state is styled: ok, danger, or the neutral box
        key = status.value.replace(" ", "-")
        assert key in {"pending-guardian", "pending-assent", "scheduled"} or (
            f".status-{key}" in css), status


def test_the_personal_page_shows_each_record_in_its_own_state_and_offers_withdrawal_only_of_those_in_force(  # noqa: E501
    ws: Workspace, client_for: object, clock: Clock
) -> None:
    """Refused, lifted, scheduled, given (Léa); pending her guardians' word, pending his
    own assent (Tom, a minor): each record shows its state, who it waits for, and a
    withdraw button only when it allows something now or later."""
    from terrain.consent import Evidence

    verbal = Evidence(kind="verbal", witness="the team")
    ledger = ws.ledger()
    day = BEFORE - timedelta(days=5)
    ledger.refuse("lea", purposes=["interview"], at=day, evidence=verbal)
    ledger.refuse("lea", purposes=["archive"], at=day, evidence=verbal)
    ledger.grant("lea", purposes=["archive"], at=day + timedelta(days=1), evidence=verbal)
    ledger.grant("lea", purposes=["reuse-ugc"], at=day, valid_from=BEFORE + timedelta(days=30),
                 evidence=verbal)
    ledger.grant("tom", purposes=["interview"], at=day, evidence=verbal, given_by=["tom"],
                 subject_assent=True)
    ledger.grant("tom", purposes=["archive"], at=day, evidence=verbal,
                 given_by=["paul", "sofia"])
    ws.save_ledger(ledger)
    clock.at = BEFORE + timedelta(minutes=1)
    make = client_for  # type: ignore[assignment]
    lea, tom = make(), make()  # type: ignore[operator]

    def lines(client: Client, member_id: str) -> list[tuple[str, str]]:
        personal(ws, client, member_id)
        page = client.get("/me").text
        items = page.split('id="consents"')[1].split("</section>")[0].split("<li>")[1:]
        return [(i.split("<strong>")[1].split("</strong>")[0], i) for i in items]

    shown = lines(lea, "lea")
    interview = next(v for k, v in shown if k == "Enregistrer et publier mon interview")
    assert "status-refused" in interview
    assert "refusé" in interview
    assert 'name="consent"' not in interview  # a refusal is not withdrawn, it is lifted
    archive = [v for k, v in shown if k.startswith("Conserver")]
    assert sorted("status-lifted" in a for a in archive) == [False, True]
    assert any("status-given" in a and 'name="consent"' in a for a in archive)
    stats = next(v for _k, v in shown if "status-scheduled" in v)
    assert "en vigueur plus tard" in stats
    assert 'name="consent"' in stats

    shown = lines(tom, "tom")
    interview = next(v for k, v in shown if k == "Enregistrer et publier mon interview")
    assert "status-pending-guardian" in interview
    assert "en attente de : Paul Roux, Sofia Roux" in interview
    archive = next(v for k, v in shown if k.startswith("Conserver"))
    assert "status-pending-assent" in archive
    assert "en attente de : Tom Roux" in archive
