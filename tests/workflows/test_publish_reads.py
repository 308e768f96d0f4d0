"""What a publication reads: everything from the store at the moment it is needed,
but a stored text it decoded already is not decoded again.

The consent gate reads the photos of each post right before its call, so a photo
changed by another process between two calls is decided as it now stands; an
unchanged one gives back the record decoded before (records are frozen).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Community, Content, Member, Post, PostMedia
from terrain.consent import Evidence
from terrain.content import Appearance
from terrain.errors import ConsentError
from terrain.store import Workspace
from terrain.workflows import journal_of
from terrain.workflows._publish import _labels, workspace_gate
from tests._photos import reviewed_photo

T0 = datetime(2026, 3, 12, 19, 30, tzinfo=UTC)
FORM = Evidence(kind="verbal", witness="Camille (organiser)")
LATER = T0 + timedelta(days=1)


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.init(tmp_path / "velo", community=Community(id="velo", name="Vélo")) as w:
        w.add(Member(id="lea", display_name="Léa", handles={"x": "lea_m"}))
        w.add(Member(id="sam", display_name="Sam", handles={"x": "sam_x"}))
        w.update_ledger(
            lambda ledger: ledger.grant("lea", purposes=["publish", "tag"], at=T0, evidence=FORM)
        )
        w.add(reviewed_photo("p1", "lea"))
        yield w


def _post(text: str = "Recap") -> Post:
    """A post showing photo p1."""
    photo = PostMedia(key="photos/p1.jpg", media_type="image/jpeg", alt_text="At the meetup",
                      content_id="p1", media_id="m1")
    return Post(id="post-1", platform="x", text=text, media=[photo], content_ids=("p1",))


def test_a_photo_changed_by_another_process_between_two_calls_is_decided_as_it_stands(
    ws: Workspace,
) -> None:
    gate = workspace_gate(ws)
    first = gate(_post(), LATER)
    assert first.allowed
    assert first.relied_on  # Léa's consent: the photo's people were asked about
    other = Workspace.open(ws.root)  # another process: Sam, who never agreed, is added
    try:
        photo = other.get(Content, "p1")
        other.put(attrs.evolve(photo, appearances=[
            *photo.appearances, Appearance(member_id="sam", media_id="m1", reviewed=True)
        ]))
    finally:
        other.close()
    assert not gate(_post(), LATER).allowed


def test_a_stored_content_read_again_unchanged_is_not_decoded_again(ws: Workspace) -> None:
    first = ws.get(Content, "p1")
    assert ws.get(Content, "p1") is first
    assert ws.get_many(Content, ["p1"])["p1"] is first
    assert ws.contents_of_event("ev") == []
    other = Workspace.open(ws.root)
    try:
        other.put(attrs.evolve(first, title="Au parc"))
    finally:
        other.close()
    changed = ws.get(Content, "p1")
    assert changed is not first
    assert changed.title == "Au parc"
    assert ws.get(Content, "p1") is changed


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(titles=st.lists(st.sampled_from(["", "Au parc", "Vélo", "Au parc "]), max_size=6))
def test_a_content_read_from_the_store_is_always_the_one_stored_last(
    ws: Workspace, titles: list[str]
) -> None:
    """Whatever is written, by this or another workspace object, in any order (the
    same text again included): a read gives the content as stored last."""
    other = Workspace.open(ws.root)
    try:
        for k, title in enumerate(titles):
            writer = other if k % 2 else ws
            stored = attrs.evolve(writer.get(Content, "p1"), title=title)
            writer.put(stored)
            assert ws.get(Content, "p1") == stored
            assert ws.get_many(Content, ["p1"]) == {"p1": stored}
    finally:
        other.close()


def test_a_journal_row_read_again_unchanged_gives_back_the_post_decoded_before(
    ws: Workspace,
) -> None:
    journal = journal_of(ws)
    journal.plan([_post()], now=T0)
    row = journal.get("post-1", "x")
    again = journal.get("post-1", "x")
    assert row is not None
    assert again is not None
    assert again.post is row.post
    journal.plan([_post("Recap, again")], now=T0)  # planned afresh with another text
    replanned = journal.get("post-1", "x")
    assert replanned is not None
    assert replanned.post.text == "Recap, again"


def test_the_labels_of_a_run_leave_out_a_content_deleted_meanwhile(ws: Workspace) -> None:
    ws.add(attrs.evolve(reviewed_photo("p2", "lea"), title="Le départ"))
    posts = [Post(id="post-2", platform="x", text="Recap", content_ids=("p1", "p2"))]
    assert _labels(ws, posts) == {"p1": "p1", "p2": "Le départ"}
    ws.remove(Content, "p1")
    assert _labels(ws, posts) == {"p2": "Le départ"}


def test_a_handle_typed_for_someone_not_in_the_photos_needs_their_tag_consent(
    ws: Workspace,
) -> None:
    """The gate asks about the people shown and, when the text types the handle of
    someone else, about them too: Sam, typed but not shown, has no tag consent."""
    gate = workspace_gate(ws)
    decision = gate(_post("Merci @lea_m et @sam_x !"), LATER)
    assert decision.allowed
    assert [m.handle for m in decision.dropped_mentions] == ["sam_x"]
    ws.update_ledger(
        lambda ledger: ledger.grant("sam", purposes=["tag"], at=T0, evidence=FORM)
    )
    assert gate(_post("Merci @lea_m et @sam_x !"), LATER).dropped_mentions == ()
    # only Léa typed, and shown: decided on the ledger read for the photo
    assert gate(_post("Merci @lea_m !"), LATER).dropped_mentions == ()


def _withdraw(ws: Workspace, person: str) -> None:
    ws.update_ledger(lambda ledger: ledger.withdraw(person, at=T0 + timedelta(hours=1)))


def _grant(ws: Workspace, person: str) -> None:
    ws.update_ledger(
        lambda ledger: ledger.grant(person, purposes=["publish", "tag"], at=T0, evidence=FORM)
    )


def _show_sam(ws: Workspace) -> Post:
    """Photo p2, showing Sam (stored as is), and a post of p1 and p2 typing both."""
    if not ws.exists(Content, "p2"):
        ws.add(reviewed_photo("p2", "sam"))
    photos = [PostMedia(key=f"photos/{c}.jpg", media_type="image/jpeg", alt_text="At the meetup",
                        content_id=c, media_id="m1") for c in ("p1", "p2")]
    return Post(id="post-2", platform="x", text="Merci @lea_m et @sam_x !", media=photos,
                content_ids=("p1", "p2"))


def test_a_gate_warmed_for_a_run_holds_a_post_whose_person_withdrew_in_another_process(
    ws: Workspace,
) -> None:
    """The gate of a run reads the consent of the run's people before the first call;
    Léa withdrawing from another process after that still holds the next call."""
    gate = workspace_gate(ws, [_post()])
    assert gate(_post(), LATER).allowed
    other = Workspace.open(ws.root)  # another process
    try:
        _withdraw(other, "lea")
    finally:
        other.close()
    assert not gate(_post(), LATER).allowed


def test_a_gate_warmed_for_a_run_decides_on_a_grant_recorded_since_elsewhere(
    ws: Workspace,
) -> None:
    """Read before the run: Sam, in photo p2, is refused; once he agrees, from
    another process, the post goes."""
    post = _show_sam(ws)
    gate = workspace_gate(ws, [post])
    assert not gate(post, LATER).allowed
    other = Workspace.open(ws.root)
    try:
        _grant(other, "sam")
    finally:
        other.close()
    assert gate(post, LATER).allowed


def test_a_gate_warmed_for_posts_whose_photo_is_gone_decides_each_post_as_ever(
    ws: Workspace,
) -> None:
    """A content of the run deleted before it starts: the warm-up reads nothing and
    the decision about that post meets the missing photo itself."""
    gone = Post(id="post-2", platform="x", text="Recap", content_ids=("p-gone",))
    gate = workspace_gate(ws, [_post(), gone])
    assert gate(_post(), LATER) == workspace_gate(ws)(_post(), LATER)


_CHANGES = {
    "withdraw lea": lambda w: _withdraw(w, "lea"),
    "grant lea": lambda w: _grant(w, "lea"),
    "grant sam": lambda w: _grant(w, "sam"),
    "withdraw sam": lambda w: _withdraw(w, "sam"),
    "sam leaves p2": lambda w: w.put(reviewed_photo("p2")),
    "sam back in p2": lambda w: w.put(reviewed_photo("p2", "sam")),
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(_CHANGES)), st.booleans()), min_size=1, max_size=5
    ),
    composed=st.booleans(),
)
def test_a_warmed_gate_decides_as_a_fresh_process_whatever_changes_in_between(
    ws: Workspace, steps: list[tuple[str, bool]], composed: bool
) -> None:
    """Consent and photos changed between the warm-up and each call, by this workspace
    or another process: every decision is the one a fresh process makes then, whether
    the warm-up read the photos or was given them as the run composed its posts."""
    post = _show_sam(ws)
    contents = ws.get_many(Content, ["p1", "p2"]) if composed else None
    gate = workspace_gate(ws, [post], contents=contents)
    other = Workspace.open(ws.root)
    try:
        for change, elsewhere in steps:
            with contextlib.suppress(ConsentError):  # nothing left to withdraw: nothing stored
                _CHANGES[change](other if elsewhere else ws)
            fresh = Workspace.open(ws.root)
            try:
                expected = workspace_gate(fresh)(post, LATER)
            finally:
                fresh.close()
            assert gate(post, LATER) == expected
    finally:
        other.close()


def test_a_gate_warmed_with_the_contents_a_run_composed_from_does_not_read_them_again(
    ws: Workspace,
) -> None:
    """The contents a run just read to compose its posts are not read again to find
    whose consent to read ahead of the run (each decision still reads its post's)."""
    post = _show_sam(ws)
    contents = ws.get_many(Content, ["p1", "p2"])

    def warm_up(**given: object) -> tuple[int, int]:
        fresh = Workspace.open(ws.root)  # nothing read yet, as at the start of a run
        try:
            counters = fresh.db.backend.counters
            before = counters.statements, counters.rows
            workspace_gate(fresh, [post], **given)  # type: ignore[arg-type]
            return counters.statements - before[0], counters.rows - before[1]
        finally:
            fresh.close()

    reading, given = warm_up(), warm_up(contents=contents)
    assert given[0] == reading[0] - 1  # one query fewer: the contents'
    assert given[1] == reading[1] - len(contents)  # and none of their rows
