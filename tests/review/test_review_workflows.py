"""The review desk's library side: identify, the contact sheet, thumbnails, accounts."""

from __future__ import annotations

import io
from datetime import timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from terrain import Appearance, Content
from terrain.content import Region
from terrain.errors import AccessDenied, Conflict, NotFound, ValidationError
from terrain.store import Accounts, Workspace
from terrain.workflows import (
    PhotoStatus,
    account_of_session,
    accounts_of,
    add_account,
    contact_sheet,
    describe_photo,
    find_members,
    identify_people,
    log_in,
    log_out,
    make_thumbnails,
    photo_faces,
    photo_thumbnail,
    remove_account,
    set_password,
    thumbnail_key,
)

from ._desk import AFTER, EVENT_ID, PASSWORD, photo_id


def _sheet(ws: Workspace, show: str = "all") -> dict[str, object]:
    sheet = contact_sheet(ws, event_id=EVENT_ID, now=AFTER, show=show)
    return {p.title: p for p in sheet.photos}


def test_tagged_people_arrive_identified_but_every_photo_waits_for_a_review(
    desk: Workspace,
) -> None:
    photos = _sheet(desk)
    assert set(photos) == {"group.jpg", "lea.jpg", "tom.jpg", "crowd.jpg"}
    group = photos["group.jpg"]
    assert [p.name for p in group.people] == ["Léa Martin", "Samir Haddad"]
    assert all(p.has_region and not p.reviewed for p in group.people)
    assert (group.faces, group.unaccounted) == (3, 1)  # a third face nobody tagged
    assert {p.status for p in photos.values()} == {"not-reviewed"}


def test_a_photo_with_more_faces_than_people_is_reviewed_only_once_someone_confirms(
    desk: Workspace,
) -> None:
    group = photo_id(desk.root, "group")
    before = desk.get(Content, group)
    with pytest.raises(ValidationError, match=r"more faces than people identified"):
        identify_people(desk, group, reviewed=True, by="camille", now=AFTER)
    assert desk.get(Content, group) == before  # nothing stored
    done = identify_people(desk, group, reviewed=True, confirm_faces=True, by="camille",
                           now=AFTER)
    assert done.people_reviewed
    assert all(a.reviewed for a in done.appearances)
    assert Accounts(desk.db).editors([f"content:{group}"]) == {"camille": {"identify"}}


def test_adding_someone_resets_the_review_and_keeps_their_region(desk: Workspace) -> None:
    lea = photo_id(desk.root, "lea")
    identify_people(desk, lea, reviewed=True, by="camille", now=AFTER)
    region = Region(0.1, 0.1, 0.2, 0.3)
    changed = identify_people(desk, lea, add=["nora"], regions={"nora": region},
                              by="camille", now=AFTER)
    assert not changed.people_reviewed
    nora = next(a for a in changed.appearances if a.member_id == "nora")
    assert (nora.region, nora.reviewed) == (region, False)
    lea_there = next(a for a in changed.appearances if a.member_id == "lea")
    assert lea_there.reviewed  # confirmed before, unchanged
    with pytest.raises(NotFound, match="terrain member list"):
        identify_people(desk, lea, add=["nobody"], by="camille", now=AFTER)


def test_a_review_on_the_desk_is_logged_with_its_reviewer_and_goes_stale_with_the_people(
    desk: Workspace,
) -> None:
    lea = photo_id(desk.root, "lea")
    done = identify_people(desk, lea, reviewed=True, by="camille", now=AFTER)
    assert done.last_review is not None
    assert (done.last_review.by, done.last_review.people) == ("camille", done.people)
    assert done.review_is_current
    assert _sheet(desk, "ready")["lea.jpg"].status == "ready"
    # someone edits the stored photo's people behind the desk's back: the review is stale
    stale = desk.put(attrs.evolve(done, appearances=[
        *done.appearances, Appearance("nora", media_id=done.media[0].id, reviewed=True)]))
    assert not stale.review_is_current
    assert _sheet(desk)["lea.jpg"].status == "not-reviewed"


def test_the_sheet_says_per_platform_who_holds_a_photo_and_who_waits_for_a_guardian(
    desk: Workspace,
) -> None:
    for name in ("group", "lea", "tom", "crowd"):
        identify_people(desk, photo_id(desk.root, name), reviewed=True, confirm_faces=True,
                        by="camille", now=AFTER)
    photos = _sheet(desk)
    assert photos["lea.jpg"].status == "ready"
    assert photos["crowd.jpg"].status == "ready"
    group = photos["group.jpg"]
    assert group.status == "held"
    (outbox,) = group.platforms
    assert outbox.status is PhotoStatus.HELD
    assert "Samir Haddad" in outbox.why
    assert "refused" in outbox.why
    samir = next(p for p in group.people if p.member_id == "samir")
    assert samir.states[0].status is PhotoStatus.HELD
    tom = photos["tom.jpg"]
    assert tom.platforms[0].status is PhotoStatus.PENDING_GUARDIAN
    assert tom.status == "held"
    assert set(_sheet(desk, "ready")) == {"lea.jpg", "crowd.jpg"}
    assert set(_sheet(desk, "held")) == {"group.jpg", "tom.jpg"}
    counts = contact_sheet(desk, event_id=EVENT_ID, now=AFTER, show="ready").counts
    assert counts == {"all": 4, "not-reviewed": 0, "held": 2, "ready": 2}


def test_with_blurring_on_a_refusal_with_a_known_region_blurs_instead_of_holding(
    strict_desk: Workspace,
) -> None:
    group = photo_id(strict_desk.root, "group")
    identify_people(strict_desk, group, reviewed=True, confirm_faces=True, by="camille",
                    now=AFTER)
    photo = _sheet(strict_desk)["group.jpg"]
    assert photo.status == "ready"
    assert photo.platforms[0].status is PhotoStatus.BLURRED
    assert photo.platforms[0].why == "blurred: Samir Haddad"
    # a region unknown: never blurred, held
    identify_people(strict_desk, group, regions={"samir": None}, by="camille", now=AFTER)
    identify_people(strict_desk, group, reviewed=True, confirm_faces=True, by="camille",
                    now=AFTER)
    assert _sheet(strict_desk)["group.jpg"].platforms[0].status is PhotoStatus.HELD


def test_members_are_found_by_any_part_of_their_name_accents_and_case_aside(
    desk: Workspace,
) -> None:
    assert [m.id for m in find_members(desk, "lea")] == ["lea"]
    assert [m.id for m in find_members(desk, "ROUX")] == ["paul", "tom"]
    assert [m.id for m in find_members(desk, "  ")] == []
    assert [m.id for m in find_members(desk, "lea_m")] == ["lea"]  # a handle


def test_describing_a_photo_is_an_edit_of_it(desk: Workspace) -> None:
    lea = photo_id(desk.root, "lea")
    done = describe_photo(desk, lea, alt_text="Léa au micro", caption="Le plan vélo",
                          by="alex", now=AFTER)
    assert (done.media[0].alt_text, done.caption) == ("Léa au micro", "Le plan vélo")
    assert Accounts(desk.db).editors([f"content:{lea}"]) == {"alex": {"describe"}}
    faces = photo_faces(desk, photo_id(desk.root, "group"))
    assert faces.unaccounted == 1


def test_thumbnails_are_made_at_import_upright_and_without_metadata(desk: Workspace) -> None:
    group = photo_id(desk.root, "group")
    media = desk.get(Content, group).media[0]
    data = desk.storage.get(thumbnail_key(group, media.id))
    with Image.open(io.BytesIO(data)) as image:
        assert max(image.size) == 320
        assert not image.getexif()
        assert "icc_profile" not in image.info
        assert "xmp" not in image.info
    assert photo_thumbnail(desk, group, media.id) == data
    desk.storage.delete(thumbnail_key(group, media.id))
    assert make_thumbnails(desk, workers=2) == 1  # only the missing one
    assert desk.storage.exists(thumbnail_key(group, media.id))
    assert make_thumbnails(desk, workers=2, force=True) == 4


@pytest.mark.parametrize(
    ("content_id", "media_id"),
    [("../../.terrain", "terrain.db"), ("photo-x", "m-x"), ("..", ".."), ("a/b", "c"),
     ("", "m"), ("x" * 300, "m")],
)
def test_a_thumbnail_is_found_by_ids_never_by_a_path(
    desk: Workspace, content_id: str, media_id: str
) -> None:
    with pytest.raises(NotFound):
        photo_thumbnail(desk, content_id, media_id)


def test_accounts_have_a_role_and_a_password_never_stored_as_given(desk: Workspace) -> None:
    assert [(a.name, a.role) for a in accounts_of(desk)] == [
        ("alex", "approver"), ("camille", "editor"), ("morgan", "approver")
    ]
    stored = Accounts(desk.db).password_hash("alex")
    assert stored is not None
    assert PASSWORD not in stored
    assert stored.startswith("scrypt$17$8$1$")
    with pytest.raises(Conflict, match="already an account"):
        add_account(desk, "alex", "editor", PASSWORD, now=AFTER)
    with pytest.raises(ValidationError, match="at least 10 characters"):
        add_account(desk, "sam", "editor", "short", now=AFTER)
    with pytest.raises(ValidationError, match="editor or an approver"):
        add_account(desk, "sam", "admin", PASSWORD, now=AFTER)
    with pytest.raises(ValidationError, match="lowercase letters"):
        add_account(desk, "Sam Smith", "editor", PASSWORD, now=AFTER)


def test_a_login_opens_a_new_session_and_drops_the_one_the_browser_had(
    desk: Workspace,
) -> None:
    first, account = log_in(desk, "alex", PASSWORD, now=AFTER)
    assert account.name == "alex"
    second, _ = log_in(desk, "alex", PASSWORD, now=AFTER, replacing=first)
    assert second != first
    with pytest.raises(AccessDenied):
        account_of_session(desk, first, now=AFTER)  # the old id is no session any more
    assert account_of_session(desk, second, now=AFTER).name == "alex"
    stored = desk.db.query("SELECT id_hash FROM desk_sessions", ())
    assert second not in {row[0] for row in stored}  # only a hash is kept
    log_out(desk, second)
    with pytest.raises(AccessDenied):
        account_of_session(desk, second, now=AFTER)


def test_a_wrong_password_or_account_is_refused_the_same_way(desk: Workspace) -> None:
    messages = set()
    for name, password in (("alex", "wrong password!"), ("nobody", PASSWORD), ("alex", "")):
        with pytest.raises(AccessDenied) as refused:
            log_in(desk, name, password, now=AFTER)
        messages.add(str(refused.value))
    assert messages == {"wrong account name or password"}


def test_a_session_ends_when_idle_after_twelve_hours_or_with_its_account(
    desk: Workspace,
) -> None:
    idle = timedelta(minutes=desk.config.web.session_minutes)
    session, _ = log_in(desk, "alex", PASSWORD, now=AFTER)
    at = AFTER
    for _ in range(7):  # active every 100 minutes, for 11h40: the idle limit moves on
        at += timedelta(minutes=100)
        assert account_of_session(desk, session, now=at).name == "alex"
    with pytest.raises(AccessDenied, match="expired"):  # 13h20 after login
        account_of_session(desk, session, now=at + timedelta(minutes=100))
    session, _ = log_in(desk, "alex", PASSWORD, now=AFTER)
    with pytest.raises(AccessDenied, match="expired"):
        account_of_session(desk, session, now=AFTER + idle + timedelta(seconds=1))
    session, _ = log_in(desk, "morgan", PASSWORD, now=AFTER)
    set_password(desk, "morgan", "un autre mot de passe", now=AFTER)
    with pytest.raises(AccessDenied):
        account_of_session(desk, session, now=AFTER)
    session, _ = log_in(desk, "camille", PASSWORD, now=AFTER)
    remove_account(desk, "camille")
    with pytest.raises(AccessDenied):
        account_of_session(desk, session, now=AFTER)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=40))
def test_any_search_text_finds_only_members_who_match_it(query: str) -> None:
    """The search is a pure filter: what it finds contains the text, and it never fails."""
    from terrain.workflows._review import _folded

    folded = _folded(query)
    names = ["Léa Martin", "Samir Haddad", "Tom Roux"]
    for name in names:
        if folded and folded in _folded(name):
            assert folded in _folded(name)
