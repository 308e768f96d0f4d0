"""The review desk's pages in-process: login, sessions, CSRF, thumbnails by id, roles."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from terrain import Content
from terrain.store import Workspace
from terrain.web import create_app
from terrain.workflows import approval_queue, publish_event, thumbnail_key
from tests.web.conftest import Client, Clock, csrf_of

from ._desk import AFTER, EVENT_ID, PASSWORD, get_ready, photo_id


@pytest.fixture
def clock() -> Clock:
    return Clock(AFTER + timedelta(minutes=5))


@pytest.fixture
def browse(strict_desk: Workspace, clock: Clock) -> Iterator[Callable[[], Client]]:
    app = create_app(strict_desk, now=clock)
    made: list[Client] = []

    def make() -> Client:
        made.append(Client(app))
        return made[-1]

    yield make
    for client in made:
        client.close()


def _login(client: Client, name: str, password: str = PASSWORD) -> Any:
    page = client.get("/desk/login")
    return client.post("/desk/login", data={"csrf": csrf_of(page.text), "name": name,
                                            "password": password})


def _desk_csrf(html: str) -> str:
    found = re.findall(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no form"
    return found[-1]  # the desk's forms come after the header's logout form


def test_every_desk_page_needs_a_login(browse: Callable[[], Client]) -> None:
    client = browse()
    for path in ("/desk", "/desk/approvals", f"/desk/events/{EVENT_ID}",
                 "/desk/photos/x", "/desk/thumbs/a/b"):
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/desk/login"


def test_a_login_sets_a_fresh_session_id_never_the_one_planted_before(
    browse: Callable[[], Client], strict_desk: Workspace
) -> None:
    client = browse()
    planted = "attacker-chosen-session-id-0123456789"
    client.http.cookies.set("terrain_desk", planted, path="/desk")
    answer = _login(client, "alex")
    assert answer.status_code == 303
    cookie = answer.headers["set-cookie"]
    assert "terrain_desk=" in cookie
    assert planted not in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie.replace("Strict", "strict")
    issued = re.search(r"terrain_desk=([^;]+)", cookie)
    assert issued is not None
    # the attacker's browser, holding the planted id, is not logged in
    other = browse()
    other.http.cookies.set("terrain_desk", planted, path="/desk")
    assert other.get("/desk").status_code == 303
    assert client.get("/desk").status_code == 200
    stored = {row[0] for row in strict_desk.db.query("SELECT id_hash FROM desk_sessions", ())}
    assert issued[1] not in stored
    assert planted not in stored


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    browse: Callable[[], Client],
) -> None:
    client = browse()
    for name, password in (("alex", "not the password"), ("nobody", PASSWORD)):
        answer = _login(client, name, password)
        assert answer.status_code == 403
        assert "Compte ou mot de passe incorrect." in answer.text
        assert "terrain_desk" not in answer.headers.get("set-cookie", "")


def test_a_login_form_without_its_csrf_token_is_refused(browse: Callable[[], Client]) -> None:
    client = browse()
    client.get("/desk/login")
    answer = client.post("/desk/login", data={"name": "alex", "password": PASSWORD})
    assert answer.status_code == 403


def test_desk_forms_need_a_token_bound_to_the_session(
    browse: Callable[[], Client], strict_desk: Workspace
) -> None:
    victim, attacker = browse(), browse()
    _login(victim, "camille")
    _login(attacker, "alex")
    lea = photo_id(strict_desk.root, "lea")
    before = strict_desk.get(Content, lea)
    page = attacker.get(f"/desk/photos/{lea}")
    stolen = _desk_csrf(page.text)  # valid for the attacker's own session only
    for token in (stolen, csrf_of(victim.get("/desk/login").text), "", "0" * 64):
        refused = victim.post(f"/desk/photos/{lea}/review", data={"csrf": token})
        assert refused.status_code == 403, token
    assert strict_desk.get(Content, lea) == before
    mine = _desk_csrf(victim.get(f"/desk/photos/{lea}").text)
    done = victim.post(f"/desk/photos/{lea}/review", data={"csrf": mine})
    assert done.status_code == 303
    assert strict_desk.get(Content, lea).people_reviewed


@pytest.mark.parametrize(
    "path",
    [
        "/desk/thumbs/..%2F..%2F.terrain/terrain.db",
        "/desk/thumbs/%2e%2e/%2e%2e",
        "/desk/thumbs/photo-x/m-x",
        "/desk/thumbs/..;/..",
        "/desk/thumbs/a%00b/c",
        "/desk/preview/post-x/outbox/1",
        "/desk/photos/..%2F..%2Fterrain.toml",
    ],
)
def test_path_tricks_on_thumbnails_find_nothing(
    browse: Callable[[], Client], path: str
) -> None:
    client = browse()
    _login(client, "camille")
    answer = client.get(path)
    assert answer.status_code == 404, path
    assert b"SQLite" not in answer.content
    assert b"[community]" not in answer.content


def test_a_thumbnail_is_served_by_its_ids_without_metadata(
    browse: Callable[[], Client], strict_desk: Workspace
) -> None:
    client = browse()
    _login(client, "camille")
    group = photo_id(strict_desk.root, "group")
    media = strict_desk.get(Content, group).media[0]
    answer = client.get(f"/desk/thumbs/{group}/{media.id}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "image/jpeg"
    assert answer.content == strict_desk.storage.get(thumbnail_key(group, media.id))
    assert b"Exif" not in answer.content
    assert b"mwg-rs" not in answer.content


def test_the_contact_sheet_filters_and_shows_each_person_s_state(
    browse: Callable[[], Client], strict_desk: Workspace
) -> None:
    client = browse()
    _login(client, "camille")
    page = client.get(f"/desk/events/{EVENT_ID}")
    assert page.status_code == 200
    assert "À relire (4)" in page.text
    assert "Léa Martin" in page.text
    assert "1 visage(s) sans nom" in page.text
    get_ready(strict_desk, "lea", "tom")
    ready = client.get(f"/desk/events/{EVENT_ID}?show=ready")
    assert "lea.jpg" in ready.text
    assert "group.jpg" not in ready.text
    assert "tom.jpg" in ready.text
    assert "part floutée" in ready.text
    waiting = client.get(f"/desk/events/{EVENT_ID}?show=not-reviewed")
    assert "group.jpg" in waiting.text
    assert "tom.jpg" not in waiting.text


def test_an_editor_identifies_but_cannot_approve(
    browse: Callable[[], Client], strict_desk: Workspace
) -> None:
    get_ready(strict_desk, "lea", "crowd")
    publish_event(strict_desk, EVENT_ID, ["outbox"], now=AFTER, hook=False)
    (item,) = approval_queue(strict_desk, now=AFTER)
    client = browse()
    _login(client, "camille")
    path = f"/desk/posts/{item.row.post_id}/outbox"
    page = client.get(path)
    assert page.status_code == 200
    assert "Approuver telle quelle" not in page.text  # no button for an editor
    answer = client.post(f"{path}/decide", data={
        "csrf": _desk_csrf(page.text), "decision": "approve", "seen": item.fingerprint})
    assert answer.status_code == 403
    assert "only an approver" in answer.text
    assert not approval_queue(strict_desk, now=AFTER)[0].approved


def test_search_adds_a_member_to_a_photo_with_no_script(
    browse: Callable[[], Client], strict_desk: Workspace
) -> None:
    client = browse()
    _login(client, "camille")
    crowd = photo_id(strict_desk.root, "crowd")
    found = client.get(f"/desk/photos/{crowd}?q=benali")
    assert "Ajouter Nora Benali" in found.text
    assert "<script" not in found.text
    added = client.post(f"/desk/photos/{crowd}/people",
                        data={"csrf": _desk_csrf(found.text), "add": "nora"})
    assert added.status_code == 303
    assert [a.member_id for a in strict_desk.get(Content, crowd).appearances] == ["nora"]


def test_logout_ends_the_session_on_the_server(browse: Callable[[], Client]) -> None:
    client = browse()
    _login(client, "alex")
    page = client.get("/desk")
    cookie = client.http.cookies.get("terrain_desk")
    assert client.post("/desk/logout", data={"csrf": csrf_of(page.text)}).status_code == 303
    again = browse()
    again.http.cookies.set("terrain_desk", cookie or "", path="/desk")
    assert again.get("/desk").status_code == 303  # the id was ended, not just forgotten
