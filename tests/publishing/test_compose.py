"""Composing a post for a platform: nothing cut silently, alt text, mentions, ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import Capabilities, Content, MediaFile, Member, Partner
from terrain.content import Appearance
from terrain.errors import ComposeError
from terrain.events import Event, Talk
from terrain.publishing import Recap, compose, event_recaps, post_id, text_length

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


def test_event_recaps_make_a_summary_and_one_post_per_content() -> None:
    event = Event(
        id="ev-1",
        title="Vélo & ville #12",
        starts_at=AT,
        ends_at=AT.replace(hour=23),
        talks=[Talk(title="Les pistes du 7e", speaker="Ana", minutes=25)],
    )
    recaps = event_recaps(
        event, [photo("c-2"), photo("c-1")], [Partner(id="p", name="Zinc")], venue_name="Le Zinc"
    )
    assert [r.key for r in recaps] == ["ev-1", "c-1", "c-2"]
    assert "Les pistes du 7e (Ana)" in recaps[0].text
    assert "Zinc" in recaps[0].text


@given(st.text(alphabet=st.sampled_from("ab cdé\n"), min_size=1, max_size=2000))
def test_threads_keep_every_word_in_order_and_every_part_fits(body: str) -> None:
    if not body.strip():
        return
    post = compose(Recap(key="ev-1", text=body), platform="x", capabilities=X)
    parts = (post.text, *post.thread)
    assert all(0 < text_length(p, X) <= 280 for p in parts)
    assert "".join("".join(parts).split()) == "".join(body.split())
