"""publish → find → delete → find, for each real adapter against a stateful fake API.

What a crashed run relies on: ``find`` gives back the receipt of what
``publish`` made, and nothing once ``delete`` has removed it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain.errors import Rejected
from terrain.plugins._protocols import Platform, PlatformContext, PlatformFactory
from terrain.posts import Mention, Post, PostMedia
from terrain.secrets import EnvSecrets
from terrain_adapters.facebook import FacebookPageFactory
from terrain_adapters.instagram import InstagramFactory
from terrain_adapters.x import XFactory

from ._fake_apis import FakeGraph, FakeX
from ._fakes import JPEG, DictStorage, fixed_clock

PAGE, IG, USER = "1029384756", "17841400000000001", "1460000000000000001"
ENV = {
    "TERRAIN_X_API_KEY": "round-trip-key",
    "TERRAIN_X_API_SECRET": "round-trip-key-secret",
    "TERRAIN_X_ACCESS_TOKEN": f"{USER}-round-trip-token",
    "TERRAIN_X_ACCESS_TOKEN_SECRET": "round-trip-token-secret",
    "TERRAIN_FACEBOOK_PAGE_TOKEN": "round-trip-page-token",
}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def build(name: str, rsps: responses.RequestsMock) -> Platform:
    storage = DictStorage(public_base="https://media.example/pub")
    for key in ("media/a.jpg", "media/b.jpg"):
        storage.put(key, JPEG)
    FakeX(rsps, USER)
    FakeGraph(rsps, page_id=PAGE, ig_user_id=IG)
    settings = {"facebook": {"page_id": PAGE}, "instagram": {"ig_user_id": IG}}.get(name, {})
    context = PlatformContext(settings=settings, secrets=EnvSecrets(environ=ENV), storage=storage)
    factories: dict[str, PlatformFactory] = {
        "x": XFactory(clock=fixed_clock),
        "facebook": FacebookPageFactory(clock=fixed_clock),
        "instagram": InstagramFactory(clock=fixed_clock, sleep=lambda _: None),
    }
    return factories[name](context)


def post_for(name: str, text: str, images: int, thread: tuple[str, ...] = ()) -> Post:
    keys = ["media/a.jpg", "media/b.jpg"][:images]
    return Post(
        id=f"post-{name}-round-trip",
        platform=name,
        text=text,
        media=[PostMedia(key=k, media_type="image/jpeg", alt_text="Photo") for k in keys],
        mentions=[Mention(handle="bistrotdurhone", partner_id="partner-bistrot")],
        thread=thread if name == "x" else (),
    )


@pytest.mark.parametrize("name", ["x", "facebook"])
@pytest.mark.parametrize("images", [0, 1, 2])
def test_what_publish_made_find_finds_and_delete_removes(
    rsps: responses.RequestsMock, name: str, images: int
) -> None:
    platform = build(name, rsps)
    post = post_for(name, "Apéro & talks : merci à tous !", images, thread=("La suite",))
    assert platform.find(post) is None
    receipt = platform.publish(post)
    found = platform.find(post)
    assert found is not None
    assert (found.remote_id, found.post_id) == (receipt.remote_id, post.id)
    assert found.part_ids == receipt.part_ids
    platform.delete(receipt)
    assert platform.find(post) is None
    platform.delete(receipt)  # twice is fine: already gone


@pytest.mark.parametrize("images", [1, 2])
def test_instagram_finds_what_it_published_and_says_delete_is_manual(
    rsps: responses.RequestsMock, images: int
) -> None:
    platform = build("instagram", rsps)
    post = post_for("instagram", "Apéro #lyon", images)
    receipt = platform.publish(post)
    found = platform.find(post)
    assert found is not None
    assert (found.remote_id, found.url) == (receipt.remote_id, receipt.url)
    with pytest.raises(Rejected):
        platform.delete(receipt)


@given(
    text=st.text(
        alphabet=st.characters(codec="utf-8", exclude_characters="\r"), min_size=1, max_size=120
    ).filter(lambda t: t.strip() == t and t.strip())
)
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_x_find_recognises_any_text_it_sent(text: str) -> None:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        platform = build("x", rsps)
        post = Post(id="post-x-any", platform="x", text=text)
        receipt = platform.publish(post)
        found = platform.find(post)
        assert found is not None
        assert found.remote_id == receipt.remote_id
