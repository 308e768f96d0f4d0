"""Each hook, called through a real plugin manager, does what its reference says."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import terrain
from terrain.errors import PublishVetoed
from terrain.posts import Post, Receipt
from terrain.testing import InMemoryPlatform

AT = datetime(2026, 3, 12, 22, 0, tzinfo=UTC)
POST = Post(id="recap-ev-3", platform="memory", text="Draft: merci à toutes et tous")
RECEIPT = Receipt(platform="memory", post_id="recap-ev-3", remote_id="memory-1", published_at=AT)


class DraftGuard:
    """A field rule: never publish a text still marked as a draft."""

    @terrain.hookimpl
    def terrain_before_publish(self, post: Post, platform: Any) -> None:
        if post.text.lower().startswith("draft"):
            raise PublishVetoed(f"{post.id} on {platform.name} still says 'draft'; edit it first")


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, Any]] = []

    @terrain.hookimpl
    def terrain_after_publish(self, receipt: Receipt) -> None:
        self.seen.append(("after", receipt))

    @terrain.hookimpl
    def terrain_consent_withdrawn(self, subject: Any, receipts: list[Receipt]) -> None:
        self.seen.append(("withdrawn", (subject.id, list(receipts))))


def test_before_publish_can_veto_with_a_reason() -> None:
    manager = terrain.get_plugin_manager(load_entrypoints=False)
    manager.register(DraftGuard())
    with pytest.raises(PublishVetoed) as caught:
        manager.hook.terrain_before_publish(post=POST, platform=InMemoryPlatform())
    assert caught.value.reason == "recap-ev-3 on memory still says 'draft'; edit it first"


def test_before_publish_lets_a_finished_post_through() -> None:
    manager = terrain.get_plugin_manager(load_entrypoints=False)
    manager.register(DraftGuard())
    ready = Post(id="recap-ev-3", platform="memory", text="Merci à toutes et tous")
    assert manager.hook.terrain_before_publish(post=ready, platform=InMemoryPlatform()) == []


def test_after_publish_sees_the_receipt() -> None:
    manager = terrain.get_plugin_manager(load_entrypoints=False)
    recorder = Recorder()
    manager.register(recorder)
    manager.hook.terrain_after_publish(receipt=RECEIPT)
    assert recorder.seen == [("after", RECEIPT)]


def test_consent_withdrawn_gets_the_member_and_the_receipts_to_take_down() -> None:
    manager = terrain.get_plugin_manager(load_entrypoints=False)
    recorder = Recorder()
    manager.register(recorder)
    lea = terrain.Member(id="m-lea", display_name="Léa Martin")
    manager.hook.terrain_consent_withdrawn(subject=lea, receipts=[RECEIPT])
    assert recorder.seen == [("withdrawn", ("m-lea", [RECEIPT]))]


def test_register_hooks_feed_the_registries() -> None:
    class Both:
        @terrain.hookimpl
        def terrain_register_platforms(self, register: Any) -> None:
            register(_Factory("journal"))

        @terrain.hookimpl
        def terrain_register_storages(self, register: Any) -> None:
            register(_Factory("webdav"))

    manager = terrain.get_plugin_manager(load_entrypoints=False)
    manager.register(Both(), name="both")
    names: list[str] = []
    manager.hook.terrain_register_platforms(register=lambda f: names.append(f.name))
    manager.hook.terrain_register_storages(register=lambda f: names.append(f.name))
    assert names == ["journal", "webdav"]
    assert manager.platforms()["journal"].plugin.name == "both"
    assert manager.storages()["webdav"].plugin.name == "both"


def test_an_implementation_may_take_fewer_arguments_than_the_hook() -> None:
    calls: list[str] = []

    class Counter:
        @terrain.hookimpl
        def terrain_before_publish(self) -> None:
            calls.append("before")

    manager = terrain.get_plugin_manager(load_entrypoints=False)
    manager.register(Counter())
    manager.hook.terrain_before_publish(post=POST, platform=InMemoryPlatform())
    assert calls == ["before"]


class _Factory:
    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, context: Any) -> Any:
        raise AssertionError("not built in this test")


def test_detect_faces_takes_the_first_answer_and_passes_over_a_plugin_that_cannot_tell() -> None:
    from PIL import Image

    from terrain.content import Region

    class NoModel:
        @terrain.hookimpl
        def terrain_detect_faces(self, image: Any) -> None:
            return None

    class OneFace:
        @terrain.hookimpl
        def terrain_detect_faces(self, image: Any) -> list[Region]:
            return [Region(0.25, 0.25, 0.5, 0.5)]

    manager = terrain.get_plugin_manager(load_entrypoints=False)
    picture = Image.new("RGB", (64, 48), "grey")
    manager.register(OneFace())
    manager.register(NoModel())  # registered last: asked first, and it cannot tell
    assert manager.hook.terrain_detect_faces(image=picture) == [Region(0.25, 0.25, 0.5, 0.5)]
