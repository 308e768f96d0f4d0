"""Albums: the consent gate decides photo by photo, at the call, through its public API."""

from __future__ import annotations

from datetime import timedelta

import attrs
from hypothesis import given
from hypothesis import strategies as st

from terrain import Member
from terrain.consent import ConsentLedger, Decision, decide
from terrain.posts import Mention, Post, PostMedia
from terrain.publishing import decide_post, left_out
from tests.consent.helpers import EVENING, FORM, MEETUP, photo

PEOPLE = [f"p{i}" for i in range(1, 7)]


def ledger_where(refused: set[str]) -> ConsentLedger:
    ledger = ConsentLedger([Member(id=p, display_name=p.upper()) for p in PEOPLE])
    before = MEETUP - timedelta(days=1)
    for person in PEOPLE:
        if person in refused:
            ledger.refuse(person, purposes=["publish"], at=before, evidence=FORM)
        else:
            ledger.grant(person, purposes=["publish", "tag"], at=before, evidence=FORM)
    return ledger


def album_of(people: list[str]) -> tuple[Post, dict[str, object]]:
    contents = {f"c-{p}": photo(f"c-{p}", p, media_id=f"m-{p}") for p in people}
    media = [
        PostMedia(
            key=c.media[0].key,
            media_type="image/jpeg",
            alt_text="alt",
            content_id=c.id,
            media_id=c.media[0].id,
        )
        for c in contents.values()
    ]
    post = Post(
        id="post-album",
        platform="x",
        text="Merci à toutes et à tous !",
        media=media,
        content_ids=tuple(contents),
        mentions=[Mention(handle=f"h_{p}", member_id=p) for p in people],
        event_id="ev-03",
        min_media=1,
    )
    return post, contents


def gate_for(ledger: ConsentLedger, contents: dict[str, object]) -> object:
    def gate(post: Post, at: object, *, purpose: str = "publish") -> Decision:
        return decide(ledger, post, platform=post.platform, purpose=purpose, at=at,  # type: ignore[arg-type]
                      contents=contents)  # type: ignore[arg-type]

    return gate


def test_one_photo_held_among_five_the_album_goes_with_four_and_says_why() -> None:
    post, contents = album_of(PEOPLE[:5])
    gate = gate_for(ledger_where({"p3"}), contents)
    sent, decision = decide_post(gate, post, EVENING)  # type: ignore[arg-type]
    assert decision.allowed
    assert [m.content_id for m in sent.media] == ["c-p1", "c-p2", "c-p4", "c-p5"]
    assert "c-p3" not in sent.content_ids
    assert [m.handle for m in decision.apply_to(sent).mentions] == [
        "h_p1",
        "h_p2",
        "h_p4",
        "h_p5",
    ]  # the person who left with her photo is not tagged either
    (why,) = left_out(decision)
    assert why.content_id == "c-p3"
    assert "left out of the album: P3" in why.text
    assert not why.blocking


def test_every_photo_held_nothing_goes() -> None:
    post, contents = album_of(PEOPLE[:3])
    gate = gate_for(ledger_where(set(PEOPLE)), contents)
    sent, decision = decide_post(gate, post, EVENING)  # type: ignore[arg-type]
    assert not decision.allowed
    assert sent == post
    assert any("album: 0 of its 3 photos may go, at least 1 needed" in r.text for r in
               decision.blocking)


def test_a_post_that_is_not_an_album_is_decided_whole() -> None:
    post, contents = album_of(PEOPLE[:3])
    whole = attrs.evolve(post, min_media=None)
    gate = gate_for(ledger_where({"p2"}), contents)
    sent, decision = decide_post(gate, whole, EVENING)  # type: ignore[arg-type]
    assert not decision.allowed
    assert sent == whole


def test_a_withdrawal_recorded_after_composing_counts_at_the_call() -> None:
    post, contents = album_of(PEOPLE[:2])
    ledger = ledger_where(set())
    ledger.withdraw("p1", at=EVENING - timedelta(minutes=5))
    sent, decision = decide_post(gate_for(ledger, contents), post, EVENING)  # type: ignore[arg-type]
    assert decision.allowed
    assert [m.content_id for m in sent.media] == ["c-p2"]
    earlier, _ = decide_post(
        gate_for(ledger, contents), post, EVENING - timedelta(hours=1)  # type: ignore[arg-type]
    )
    assert len(earlier.media) == 2  # decided at the instant asked, not at composing time


@given(
    size=st.integers(1, 6),
    refused=st.sets(st.sampled_from(PEOPLE)),
    minimum=st.integers(1, 3),
)
def test_the_album_keeps_exactly_the_photos_the_gate_allows_in_their_order(
    size: int, refused: set[str], minimum: int
) -> None:
    """Whoever refuses: the post goes iff at least ``min_media`` photos may, with
    exactly those photos, in the order they were; each photo left out says why."""
    people = PEOPLE[:size]
    post, contents = album_of(people)
    post = attrs.evolve(post, min_media=min(minimum, size))
    sent, decision = decide_post(gate_for(ledger_where(refused), contents), post, EVENING)  # type: ignore[arg-type]
    allowed = [f"c-{p}" for p in people if p not in refused]
    if len(allowed) >= (post.min_media or 1):
        assert decision.allowed
        assert [m.content_id for m in sent.media] == allowed
        assert {r.content_id for r in left_out(decision)} == {
            f"c-{p}" for p in people if p in refused
        }
    else:
        assert not decision.allowed
        assert sent.media == post.media


# -- typed handles and partial withdrawals (issue 15) ------------------------------------


def ledger_with_handles() -> ConsentLedger:
    """Everyone agreed to be shown and tagged; each has the handle ``h_<id>`` on x."""
    ledger = ConsentLedger(
        [Member(id=p, display_name=p.upper(), handles={"x": f"h_{p}"}) for p in PEOPLE]
    )
    for person in PEOPLE:
        ledger.grant(person, purposes=["publish", "tag"], at=MEETUP - timedelta(days=1),
                     evidence=FORM)
    return ledger


def typed_album(people: list[str], text: str) -> tuple[Post, dict[str, object]]:
    post, contents = album_of(people)
    return attrs.evolve(post, text=text, mentions=()), contents


def test_a_typed_handle_without_tag_consent_never_takes_a_photo_out_of_the_album() -> None:
    """P2 withdrew "tag" only: her photo goes; "@h_p2" typed in the text does not."""
    ledger = ledger_with_handles()
    ledger.withdraw("p2", purposes=["tag"], at=MEETUP)
    post, contents = typed_album(PEOPLE[:3], "Merci @h_p1 et @h_p2 !")

    sent, decision = decide_post(gate_for(ledger, contents), post, EVENING)  # type: ignore[arg-type]

    assert decision.allowed
    assert [m.content_id for m in sent.media] == ["c-p1", "c-p2", "c-p3"]
    assert left_out(decision) == ()
    assert decision.apply_to(sent).text == "Merci @h_p1 et !"


def test_a_photo_withdrawn_on_its_own_drops_out_and_takes_its_typed_handle_with_it() -> None:
    """P3 withdrew consent for her photo c-p3 only and still agrees to be tagged: the
    album goes without that photo, and neither her mention nor "@h_p3" typed in the text
    goes with the album (her tag went with her photo). P1's typed handle stays."""
    from terrain.consent import Scope

    ledger = ledger_with_handles()
    ledger.withdraw("p3", scope=Scope(kind="content", ref="c-p3"), at=MEETUP)
    post, contents = album_of(PEOPLE[:3])
    post = attrs.evolve(post, text="Merci @h_p1 et @h_p3 !")

    sent, decision = decide_post(gate_for(ledger, contents), post, EVENING)  # type: ignore[arg-type]

    assert decision.allowed
    assert [m.content_id for m in sent.media] == ["c-p1", "c-p2"]
    out = decision.apply_to(sent)
    assert out.text == "Merci @h_p1 et !"
    assert [m.handle for m in out.mentions] == ["h_p1", "h_p2"]
    (why,) = left_out(decision)
    assert why.content_id == "c-p3"
    assert "consent withdrawn on 2026-03-12" in why.text
    assert ledger.state("p3", "tag", "x", at=EVENING).valid  # her tag consent stands


@given(
    withdrawn=st.dictionaries(
        st.sampled_from(PEOPLE[:4]),
        st.tuples(st.sampled_from([("publish",), ("tag",), ("publish", "tag")]), st.booleans()),
    ),
    typed=st.lists(st.sampled_from(PEOPLE[:4]), unique=True),
)
def test_an_album_shows_and_tags_only_whom_the_partial_withdrawals_leave(
    withdrawn: dict[str, tuple[tuple[str, ...], bool]], typed: list[str]
) -> None:
    """Whatever each person withdrew (publish, tag or both; for everything or for
    their own photo only), and whoever is typed in the text: the album carries exactly
    the photos whose person may be shown, tags (structured or typed) only people whose
    photo goes and who may be tagged, and says why each photo stayed home — never
    because of a mention."""
    from terrain.consent import Scope

    people = PEOPLE[:4]
    ledger = ledger_with_handles()
    for person, (purposes, own_photo) in withdrawn.items():
        scope = Scope(kind="content", ref=f"c-{person}") if own_photo else None
        ledger.withdraw(person, purposes=purposes, scope=scope, at=MEETUP)
    post, contents = album_of(people)
    post = attrs.evolve(post, text="Merci " + " ".join(f"@h_{p}" for p in typed) + " !")

    sent, decision = decide_post(gate_for(ledger, contents), post, EVENING)  # type: ignore[arg-type]

    def may(person: str, purpose: str) -> bool:
        content = contents[f"c-{person}"]
        return ledger.state(person, purpose, "x", at=EVENING, content=content).valid  # type: ignore[arg-type]

    shown = [p for p in people if may(p, "publish")]
    if not shown:
        assert not decision.allowed
        return
    assert decision.allowed
    assert [m.content_id for m in sent.media] == [f"c-{p}" for p in shown]
    out = decision.apply_to(sent)
    tagged = {m.handle for m in out.mentions} | {
        p for p in (f"h_{q}" for q in people) if f"@{p}" in out.text
    }
    assert tagged == {f"h_{p}" for p in shown if may(p, "tag")}
    assert {r.content_id for r in left_out(decision)} == {
        f"c-{p}" for p in people if p not in shown
    }
    assert all(r.handle is None for r in left_out(decision))
