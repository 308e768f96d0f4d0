"""Links that must not open, forms that must not go through, and nothing that leaks."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain._time import instant
from terrain.errors import LinkRefused
from terrain.store import Links, Workspace
from terrain.workflows import (
    LinkPurpose,
    check_link,
    issue_link,
    load_attendance,
    personal_link,
    revoke_links,
)

from ._site import BEFORE, EMAILS, EVENT_ID
from .conftest import Client, Clock, csrf_of

REFUSED = "Ce lien ne peut pas être utilisé"


def _state(ws: Workspace) -> tuple[object, ...]:
    """Everything a form could change: consent log, answers, links, takedowns."""
    return (
        ws.consent_events(),
        load_attendance(ws, EVENT_ID),
        ws.db.query("SELECT COUNT(*) FROM web_links"),
        ws.db.query("SELECT COUNT(*) FROM takedown_queue"),
    )


def test_a_forged_link_is_refused_and_sets_nothing(ws: Workspace, client: Client) -> None:
    link, _ = personal_link(ws, "lea", now=BEFORE)
    purpose, link_id, expiry, signature = link.token.split(".")
    forgeries = [
        f"{purpose}.{link_id}.{expiry}.{'A' * len(signature)}",
        f"{purpose}.{link_id}.{int(expiry) + 86400}.{signature}",  # a later expiry
        f"{purpose}.l{'0' * 24}.{expiry}.{signature}",  # someone else's id
        "personal",
        "x" * 500,
    ]
    for token in forgeries:
        page = client.get(f"/l/{token}")
        assert page.status_code == 403
        assert REFUSED in page.text
        assert "set-cookie" not in page.headers or "terrain_personal" not in page.headers[
            "set-cookie"]
    with pytest.raises(LinkRefused) as refused:
        check_link(ws, forgeries[0], [LinkPurpose.PERSONAL], now=BEFORE)
    assert refused.value.reason == "forged"


def test_a_link_for_another_purpose_does_not_open_another_page(
    ws: Workspace, client: Client
) -> None:
    rsvp = issue_link(ws, LinkPurpose.RSVP, "lea", now=BEFORE, ref=EVENT_ID)
    client.http.cookies.set("terrain_personal", rsvp.token)
    assert client.get("/me").status_code == 403
    with pytest.raises(LinkRefused) as refused:
        check_link(ws, rsvp.token, [LinkPurpose.PERSONAL], now=BEFORE)
    assert refused.value.reason == "purpose"
    # an RSVP link for one event answers nothing for another
    other = issue_link(ws, LinkPurpose.RSVP, "lea", now=BEFORE, ref="ev-2026-10")
    client.get(other.url)
    before = _state(ws)
    answer = client.submit(f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/rsvp", {"answer": "going"})
    assert answer.status_code == 403
    assert _state(ws) == before


def test_an_expired_link_is_refused(ws: Workspace, client: Client, clock: Clock) -> None:
    link, _ = personal_link(ws, "lea", now=BEFORE)
    client.get(link.url)
    assert client.get("/me").status_code == 200
    # elapsed time (in UTC): Paris changed its clocks in between
    clock.at = instant(BEFORE) + timedelta(days=ws.config.web.link_days, seconds=1)
    assert client.get("/me").status_code == 403
    with pytest.raises(LinkRefused) as refused:
        check_link(ws, link.token, [LinkPurpose.PERSONAL], now=clock.at)
    assert refused.value.reason == "expired"


def test_a_revoked_link_is_refused(ws: Workspace, client: Client) -> None:
    link, _ = personal_link(ws, "lea", now=BEFORE)
    client.get(link.url)
    assert revoke_links(ws, "lea", now=BEFORE) == 1
    assert client.get("/me").status_code == 403
    assert client.get(link.url).status_code == 403


def test_a_reused_single_use_link_is_refused(ws: Workspace, client: Client, clock: Clock) -> None:
    clock.at = BEFORE
    link = issue_link(ws, LinkPurpose.CONSENT, "ines", now=BEFORE, ref=EVENT_ID)
    client.get(link.url)
    form = client.get(f"/events/{EVENT_ID}/consent")
    data = {"csrf": csrf_of(form.text), "purpose": "publish", "where": "all", "scope": "event",
            "duration": "none"}
    assert client.post(f"/events/{EVENT_ID}/consent", data=data).status_code == 200
    before = _state(ws)
    again = client.post(f"/events/{EVENT_ID}/consent", data=data)
    assert again.status_code == 403
    assert _state(ws) == before
    with pytest.raises(LinkRefused) as refused:
        check_link(ws, link.token, [LinkPurpose.CONSENT], now=BEFORE)
    assert refused.value.reason == "used"


@pytest.mark.parametrize("token", [None, "", "0" * 64, "not hex"])
def test_a_form_without_the_right_csrf_token_is_refused_and_stores_nothing(
    ws: Workspace, client: Client, token: str | None
) -> None:
    link, _ = personal_link(ws, "lea", now=BEFORE)
    client.get(link.url)
    client.get("/me")
    before = _state(ws)
    data = {"everything": "yes"} if token is None else {"everything": "yes", "csrf": token}
    refused = client.post("/me/withdraw", data=data)
    assert refused.status_code == 403
    assert "Ce formulaire a expiré" in refused.text
    assert _state(ws) == before


def test_a_csrf_token_from_another_browser_is_refused(
    ws: Workspace, client_for: object
) -> None:
    make = client_for  # type: ignore[assignment]
    victim, attacker = make(), make()  # type: ignore[operator]
    link, _ = personal_link(ws, "lea", now=BEFORE)
    victim.get(link.url)
    victim.get("/me")
    stolen = attacker.csrf("/")  # valid, but for the attacker's own cookie
    before = _state(ws)
    assert victim.post("/me/withdraw", data={"csrf": stolen, "everything": "yes"}
                       ).status_code == 403
    assert _state(ws) == before


def test_a_flood_of_posts_is_slowed_down_per_address(
    ws: Workspace, client_for: object
) -> None:
    make = client_for  # type: ignore[assignment]
    flooder, neighbour = make("203.0.113.7"), make("203.0.113.8")  # type: ignore[operator]
    token = flooder.csrf("/")
    limit = ws.config.web.rate_limit
    codes = [
        flooder.post("/ask", data={"csrf": token, "email": f"x{i}@example.org"}).status_code
        for i in range(limit + 5)
    ]
    assert codes[:limit] == [200] * limit
    assert set(codes[limit:]) == {429}
    blocked = flooder.post("/ask", data={"csrf": token, "email": "y@example.org"})
    assert blocked.headers["retry-after"] == "60"
    assert neighbour.submit("/", "/ask", {"email": "z@example.org"}).status_code == 200


def test_the_same_answer_for_a_known_and_an_unknown_email(client: Client) -> None:
    token = client.csrf("/")
    known = client.post("/ask", data={"csrf": token, "email": EMAILS["lea"]})
    unknown = client.post("/ask", data={"csrf": token, "email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.text == unknown.text
    assert known.headers.get("set-cookie") == unknown.headers.get("set-cookie")


FIELDS = ("email", "purpose", "answer", "platform", "where", "scope", "duration", "event",
          "consent", "everything")
EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>"\''


def _post_everywhere(client: Client, value: str) -> list[tuple[str, int, str]]:
    out = []
    for page, action in (
        ("/", "/ask"),
        (f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/ask"),
        (f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/rsvp"),
        (f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/checkin"),
        ("/me", "/me/withdraw"),
        (f"/events/{EVENT_ID}/consent", f"/events/{EVENT_ID}/consent"),
    ):
        data = dict.fromkeys(FIELDS, value)
        response = client.submit(page, action, data)
        out.append((action, response.status_code, response.text))
    return out


def test_html_and_script_in_every_field_are_refused_or_escaped_and_nothing_is_stored(
    ws: Workspace, client: Client
) -> None:
    link, _ = personal_link(ws, "lea", now=BEFORE)
    client.get(link.url)
    before = _state(ws)
    for action, status, text in _post_everywhere(client, EVIL):
        assert status in (400, 403, 404), (action, status)
        assert "<script>" not in text
        assert "<img" not in text
    assert _state(ws)[0] == before[0]
    assert _state(ws)[1:] == before[1:]
    page = client.get(f"/events/{EVIL}")
    assert page.status_code == 404
    assert "<script>" not in page.text


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(min_size=1, max_size=60))
def test_any_text_in_any_field_stores_nothing_and_comes_back_escaped(
    ws: Workspace, client: Client, value: str
) -> None:
    link, _ = personal_link(ws, "lea", now=BEFORE)
    client.get(link.url)
    consents = ws.consent_events()
    answers = load_attendance(ws, EVENT_ID)
    for _action, status, text in _post_everywhere(client, value + "<b>x</b>"):
        assert status in (200, 400, 403, 404, 429)
        assert "<b>x</b>" not in text
    assert ws.consent_events() == consents
    assert load_attendance(ws, EVENT_ID) == answers


ROUTES = ["/", f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/poster", "/me", "/guardian",
          "/l/forged", "/nothing-here", "/static/terrain.css"]


@pytest.mark.parametrize("path", ROUTES)
def test_every_answer_carries_the_security_headers(client: Client, path: str) -> None:
    response = client.get(path)
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src" not in csp  # no script at all
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_cookies_are_http_only_and_the_token_leaves_the_address_bar(
    ws: Workspace, client: Client
) -> None:
    link, _ = personal_link(ws, "lea", now=BEFORE)
    opened = client.get(link.url)
    cookie = opened.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert opened.headers["location"] == "/me"


def test_a_body_too_large_is_refused(client: Client) -> None:
    token = client.csrf("/")
    big = client.post("/ask", data={"csrf": token, "email": "a" * 100_000})
    assert big.status_code == 413


def test_nothing_personal_in_the_logs_or_the_page_addresses(
    ws: Workspace, client: Client, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    link, _ = personal_link(ws, "lea", now=BEFORE)
    client.get(link.url)
    me = client.get("/me")
    client.submit("/", "/ask", {"email": EMAILS["lea"]})
    client.submit(f"/events/{EVENT_ID}", f"/events/{EVENT_ID}/rsvp", {"answer": "going"})
    client.submit("/me", "/me/withdraw", {"purpose": "tag"})
    # what the server logged (the test's own HTTP client logs its URLs: not the server's)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    assert "GET /l/{token} 303" in logged  # the route, not the path
    for secret in (link.token, link.token.split(".")[-1], EMAILS["lea"], "Léa", "lea@"):
        assert secret not in logged
    hrefs = [part.split('"')[0] for part in me.text.split('href="')[1:]]
    hrefs += [part.split('"')[0] for part in me.text.split('src="')[1:]]
    assert hrefs
    assert not [h for h in hrefs if "lea" in h or "@" in h or "personal." in h]
    assert Links(ws.db).of_subject("lea")  # links are stored by id, the tokens never
    assert link.token not in str(ws.db.query("SELECT * FROM web_links"))
