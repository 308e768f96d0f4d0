"""Composing a post for a platform: nothing cut silently, alt text, mentions, ids."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import Capabilities, Content, MediaFile, Member, Partner
from terrain.content import Appearance
from terrain.errors import ComposeError
from terrain.events import Event, Talk
from terrain.publishing import Recap, compose, compose_posts, event_recaps, post_id, text_length

AT = datetime(2026, 3, 12, 21, 0, tzinfo=UTC)
X = Capabilities(
    max_text_length=280, max_media=4, alt_text=True, mentions=True, threads=True, url_length=23
)
PAGE = Capabilities(max_text_length=500, max_media=10, mentions=True)
SHA = "a" * 64


def photo(cid: str = "c-1", *, alt: str = "Léa au micro", people: tuple[str, ...] = ()) -> Content:
    media = MediaFile(
        id="m-1",
        key=f"media/{cid}.jpg",
        media_type="image/jpeg",
        size=1000,
        checksum=SHA,
        alt_text=alt,
    )
    return Content(
        id=cid,
        kind="photo",
        created_at=AT,
        caption="La soirée",
        media=[media],
        appearances=[Appearance(member_id=p, media_id="m-1", reviewed=True) for p in people],
        people_reviewed=True,
        event_id="ev-1",
    )


LEA = Member(id="lea", display_name="Léa Martin", handles={"x": "lea_m"})
TOM = Member(id="tom", display_name="Tom", handles={"x": "tom_t"})


def test_long_text_becomes_a_thread_on_a_platform_with_threads_and_nothing_is_lost() -> None:
    words = [f"mot{i}" for i in range(200)]
    post = compose(Recap(key="ev-1", text=" ".join(words)), platform="x", capabilities=X)
    parts = (post.text, *post.thread)
    assert len(parts) > 1
    assert all(len(p) <= 280 for p in parts)
    assert " ".join(parts).split() == words


def test_a_family_emoji_counts_2_on_x_so_a_post_full_of_them_fits_one_post() -> None:
    x = Capabilities(max_text_length=280, text_counting="twitter")
    text = "Merci à toutes les familles venues ce soir ! " + "👨‍👩‍👧" * 100
    post = compose(Recap(key="ev-1", text=text), platform="x", capabilities=x)
    assert post.text == text
    assert text_length(text, x) == 45 + 200


def test_the_same_emoji_text_counts_each_character_where_the_platform_does() -> None:
    page = Capabilities(max_text_length=300)
    with pytest.raises(ComposeError, match="counts 545 characters"):
        compose(Recap(key="ev-1", text="👨‍👩‍👧" * 109), platform="page", capabilities=page)


def test_long_text_on_a_platform_without_threads_says_how_many_characters_to_cut() -> None:
    caps = Capabilities(max_text_length=100)
    with pytest.raises(ComposeError, match="cut 50 characters"):
        compose(Recap(key="ev-1", text="x" * 150), platform="page", capabilities=caps)


def test_urls_count_as_url_length_on_x() -> None:
    url = "https://example.org/" + "a" * 200
    assert text_length(f"voir {url}", X) == 5 + 23
    post = compose(Recap(key="ev-1", text=f"Le recap : {url}"), platform="x", capabilities=X)
    assert post.thread == ()


def test_media_without_alt_text_is_refused_where_the_platform_supports_alt_text() -> None:
    with pytest.raises(ComposeError, match=r"media m-1 of content c-1 has no alt text"):
        compose(Recap(key="c-1", text="t", contents=[photo(alt="")]), platform="x", capabilities=X)


def test_media_without_alt_text_is_fine_where_the_platform_has_no_alt_text() -> None:
    post = compose(
        Recap(key="c-1", text="t", contents=[photo(alt="")]), platform="page", capabilities=PAGE
    )
    assert post.media[0].media_id == "m-1"


def test_too_many_media_says_how_many_to_leave_out() -> None:
    caps = Capabilities(max_text_length=280, max_media=0)
    with pytest.raises(ComposeError, match="leave out 1"):
        compose(Recap(key="c-1", text="t", contents=[photo()]), platform="t", capabilities=caps)


def test_unaccepted_media_type_and_oversize_media_are_named() -> None:
    caps = Capabilities(max_text_length=280, max_media=4, media_types={"image/png"})
    with pytest.raises(ComposeError, match="image/jpeg"):
        compose(Recap(key="c-1", text="t", contents=[photo()]), platform="t", capabilities=caps)
    small = Capabilities(max_text_length=280, max_media=4, max_media_bytes=10)
    with pytest.raises(ComposeError, match="1000 bytes"):
        compose(Recap(key="c-1", text="t", contents=[photo()]), platform="t", capabilities=small)


def test_only_members_the_ledger_lets_tag_are_mentioned() -> None:
    asked: list[str] = []

    def may_tag(member: Member, platform: str, draft: object) -> bool:
        asked.append(member.id)
        return member.id == "lea"

    post = compose(
        Recap(key="c-1", text="t", contents=[photo(people=("lea", "tom"))]),
        platform="x",
        capabilities=X,
        members={"lea": LEA, "tom": TOM},
        may_tag=may_tag,
    )
    assert [m.handle for m in post.mentions] == ["lea_m"]
    assert sorted(asked) == ["lea", "tom"]


def test_without_a_tag_check_nobody_is_tagged() -> None:
    post = compose(
        Recap(key="c-1", text="t", contents=[photo(people=("lea",))]),
        platform="x",
        capabilities=X,
        members={"lea": LEA},
    )
    assert post.mentions == ()


def test_partners_with_a_handle_on_the_platform_are_thanked_by_mention() -> None:
    bakery = Partner(id="dupain", name="Boulangerie Dupain", handles={"x": "dupain"})
    cafe = Partner(id="cafe", name="Café du coin")
    post = compose(
        Recap(key="ev-1", text="Merci !", partners=[bakery, cafe]), platform="x", capabilities=X
    )
    assert [(m.handle, m.partner_id) for m in post.mentions] == [("dupain", "dupain")]


def test_post_id_is_stable_per_content_platform_and_purpose() -> None:
    recap = Recap(key="c-1", text="t")
    one = compose(recap, platform="x", capabilities=X)
    again = compose(Recap(key="c-1", text="other text"), platform="x", capabilities=X)
    assert one.id == again.id == post_id("c-1", "x")
    assert post_id("c-1", "facebook") != one.id
    assert post_id("c-1", "x", "archive") != one.id


def test_event_recaps_make_a_summary_album_and_one_post_per_interview() -> None:
    event = Event(
        id="ev-1",
        title="Vélo & ville #12",
        starts_at=AT,
        ends_at=AT.replace(hour=23),
        talks=[Talk(title="Les pistes du 7e", speaker="Ana", minutes=25)],
    )
    interview = Content(
        id="c-0", kind="micro-interview", created_at=AT, title="Nadia", body="On revient !"
    )
    recaps = event_recaps(
        event,
        [photo("c-2"), photo("c-1"), interview],
        [Partner(id="p", name="Zinc")],
        venue_name="Le Zinc",
    )
    assert [r.key for r in recaps] == ["ev-1", "c-0"]
    summary = recaps[0]
    assert summary.album
    assert [c.id for c in summary.contents] == ["c-1", "c-2"]
    assert "«\u00a0Les pistes du 7e\u00a0» par Ana" in summary.text
    assert "Merci au Zinc de nous avoir accueillis." in summary.text


def test_a_members_own_photo_in_the_album_is_credited_in_the_post_that_carries_it() -> None:
    event = Event(id="ev-1", title="Vélo & ville", starts_at=AT, ends_at=AT.replace(hour=23))
    ugc = attrs.evolve(photo("c-1"), author_id="lea")
    (summary,) = event_recaps(event, [ugc, photo("c-2")], members={"lea": LEA})
    (post,) = compose_posts(summary, platform="x", capabilities=X).posts
    assert post.text.endswith("\nPhoto: Léa Martin")
    # an author missing from ``members`` is still credited, by id: never silently uncredited
    (alone,) = event_recaps(event, [ugc])
    assert compose_posts(alone, platform="x", capabilities=X).posts[0].text.endswith(
        "Photo: lea"
    )


def album(n: int) -> Recap:
    return Recap(
        key="ev-1",
        text="Merci à toutes et à tous !",
        contents=tuple(photo(f"c-{i}") for i in range(1, n + 1)),
        event_id="ev-1",
        album=True,
    )


def test_an_album_takes_as_many_photos_per_post_as_the_platform_and_a_second_the_rest() -> None:
    composed = compose_posts(
        album(5), platform="x", capabilities=X, continued=lambda n, t, cs: f"Encore ({n}/{t})"
    )
    first, second = composed.posts
    assert [m.content_id for m in first.media] == ["c-1", "c-2", "c-3", "c-4"]
    assert [m.content_id for m in second.media] == ["c-5"]
    assert second.text == "Encore (2/2)"
    assert first.id == post_id("ev-1", "x")
    assert second.id != first.id
    assert first.min_media == second.min_media == 1
    assert composed.dropped == ()
    (page,) = compose_posts(album(5), platform="facebook", capabilities=PAGE).posts
    assert len(page.media) == 5


def test_a_photo_the_platform_cannot_take_drops_out_of_the_album_with_its_reason() -> None:
    heic = attrs.evolve(
        photo("c-9"), media=[attrs.evolve(photo("c-9").media[0], media_type="image/heic")]
    )
    no_alt = photo("c-8", alt="")
    recap = attrs.evolve(album(2), contents=(*album(2).contents, heic, no_alt))
    composed = compose_posts(recap, platform="x", capabilities=X)
    (post,) = composed.posts
    assert [m.content_id for m in post.media] == ["c-1", "c-2"]
    reasons = {d.content_id: d.reason for d in composed.dropped}
    assert "image/heic, which x does not accept" in reasons["c-9"]
    assert "has no alt text" in reasons["c-8"]


def test_an_album_on_a_platform_without_media_goes_as_text_alone() -> None:
    text_only = Capabilities(max_text_length=500)
    composed = compose_posts(album(2), platform="sms", capabilities=text_only)
    (post,) = composed.posts
    assert post.media == ()
    assert post.min_media is None
    assert all("takes no media" in d.reason for d in composed.dropped)


@given(st.text(alphabet=st.sampled_from("ab cdé\n"), min_size=1, max_size=2000))
def test_threads_keep_every_word_in_order_and_every_part_fits(body: str) -> None:
    if not body.strip():
        return
    post = compose(Recap(key="ev-1", text=body), platform="x", capabilities=X)
    parts = (post.text, *post.thread)
    assert all(0 < text_length(p, X) <= 280 for p in parts)
    assert "".join("".join(parts).split()) == "".join(body.split())


@given(
    people=st.lists(
        st.lists(st.sampled_from(["lea", "tom", "ana"]), max_size=2, unique=True),
        min_size=1, max_size=9,
    ),
    words=st.integers(min_value=1, max_value=90),
    tagged=st.booleans(),
)
def test_each_album_post_keeps_its_mentions_fits_with_them_and_needs_one_photo(
    people: list[list[str]], words: int, tagged: bool
) -> None:
    """Whatever the photos, the people in them and the length of the text, each post of
    an album carries the mentions of the people in its own photos (when tagging is
    allowed), its text fits the platform with those mentions and the link (split into
    a thread, every word kept), and it goes only with at least one photo."""
    ana = Member(id="ana", display_name="Ana")  # no handle on x: never mentioned
    members = {"lea": LEA, "tom": TOM, "ana": ana}
    text = " ".join(f"mot{i}" for i in range(words))
    contents = tuple(photo(f"c-{i}", people=tuple(p)) for i, p in enumerate(people, start=1))
    recap = Recap(key="ev-1", text=text, contents=contents, event_id="ev-1", album=True,
                  link="https://example.org/ev-1")
    composed = compose_posts(
        recap, platform="x", capabilities=X, members=members,
        may_tag=(lambda member, platform, draft: True) if tagged else None,
        continued=lambda n, t, cs: f"Encore ({n}/{t})",
    )
    seen = 0
    for post in composed.posts:
        assert post.min_media == 1
        assert 1 <= len(post.media) <= X.max_media
        shown = [p for c in contents if c.id in post.content_ids for p in sorted(c.member_ids)]
        handles = list(dict.fromkeys(members[p].handles["x"] for p in shown if p != "ana"))
        assert [m.handle for m in post.mentions] == (handles if tagged else [])
        tags = post.text_with_mentions()[len(post.text):]
        assert text_length(post.text + tags + f"\n{post.link}", X) <= X.max_text_length
        assert all(text_length(part, X) <= X.max_text_length for part in post.thread)
        seen += len(post.media)
    assert seen == len(contents)
    first = composed.posts[0]
    assert " ".join((first.text, *first.thread)).split() == text.split()
