"""The shared capability check: one count, every problem named, the limits given."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain import Capabilities
from terrain.errors import Rejected
from terrain.plugins import check_capabilities
from terrain.plugins._capabilities import capability_problems
from terrain.posts import Post, PostMedia, text_length

X = Capabilities(
    max_text_length=280,
    max_media=4,
    alt_text=True,
    max_alt_text_length=1000,
    threads=True,
    url_length=23,
    text_counting="twitter",
)
INSTAGRAM = Capabilities(
    max_text_length=2200, max_media=10, media_types={"image/jpeg"}, requires_media=True
)


def post(text: str = "Merci pour hier soir !", **kwargs: object) -> Post:
    return Post(id="post-1", platform="x", text=text, **kwargs)  # type: ignore[arg-type]


def photo(alt: str = "Le comptoir du bar", key: str = "media/ev-1/bar.jpg") -> PostMedia:
    return PostMedia(key=key, media_type="image/jpeg", alt_text=alt)


def test_text_is_counted_the_way_the_platform_counts_it() -> None:
    check_capabilities(post("👨‍👩‍👧" * 140), X, platform="x")  # 280 on X, 700 code points
    with pytest.raises(Rejected, match=r"counts 282 characters .*cut 2"):
        check_capabilities(post("👨‍👩‍👧" * 141), X, platform="x")


def test_the_text_as_sent_is_checked_when_given() -> None:
    with pytest.raises(Rejected, match=r"counts 281 .*cut 1"):
        check_capabilities(post("a" * 270), X, platform="x", text="a" * 270 + "\n\n@lea_mart")


def test_an_alt_text_over_the_limit_is_refused_naming_the_limit() -> None:
    with pytest.raises(Rejected, match=r"has 1001 characters, at most 1000 .*max_alt_text_length"):
        check_capabilities(post(media=[photo("a" * 1001)]), X, platform="x")
    check_capabilities(post(media=[photo("a" * 1000)]), X, platform="x")


def test_a_platform_that_needs_an_image_refuses_text_alone() -> None:
    with pytest.raises(Rejected, match="no image"):
        check_capabilities(post(), INSTAGRAM, platform="instagram")


def test_every_problem_is_named_in_one_message() -> None:
    bad = post(
        "a" * 2300,
        media=[PostMedia(key="media/a.png", media_type="image/png")],
        thread=["suite"],
    )
    problems = capability_problems(bad, INSTAGRAM)
    assert len(problems) == 3
    with pytest.raises(Rejected) as caught:
        check_capabilities(bad, INSTAGRAM, platform="instagram")
    message = str(caught.value)
    assert "2300 characters" in message
    assert "thread" in message
    assert "image/png" in message


@given(st.text(min_size=1, max_size=400).filter(str.strip))
def test_a_text_is_refused_exactly_when_it_counts_over_the_limit(text: str) -> None:
    fits = text_length(text, X) <= X.max_text_length
    assert (capability_problems(post(text), X) == []) == fits
