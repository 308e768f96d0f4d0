"""The outbox: what would have been sent, as files; the contract, find, delete, pretending."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from terrain.errors import ConfigError, NotFound, PlatformError, Rejected
from terrain.plugins import PlatformContext, get_plugin_manager
from terrain.posts import Mention, Post, PostMedia, Receipt
from terrain.testing import InMemoryStorage
from terrain.testing.contract import PlatformContract, tiny_png
from terrain_adapters.outbox import OutboxFactory, OutboxPlatform

AT = datetime(2026, 3, 12, 22, 30, tzinfo=UTC)


class TestOutboxContract(PlatformContract):
    @pytest.fixture
    def factory(self) -> OutboxFactory:
        return OutboxFactory()


class TestOutboxPretendingToBeXContract(PlatformContract):
    @pytest.fixture
    def factory(self) -> OutboxFactory:
        return OutboxFactory()

    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        return {"as": "x"}


@pytest.fixture
def storage() -> InMemoryStorage:
    return InMemoryStorage({"media/ev-7/lea.jpg": tiny_png(), "media/ev-7/salle.jpg": tiny_png(1)})


def build(tmp_path: Path, storage: InMemoryStorage, **settings: Any) -> OutboxPlatform:
    platform = OutboxFactory(clock=lambda: AT)(
        PlatformContext(settings=settings, storage=storage, root=tmp_path)
    )
    assert isinstance(platform, OutboxPlatform)
    return platform


def recap(platform: str = "outbox", post_id: str = "recap-ev-7") -> Post:
    return Post(
        id=post_id,
        platform=platform,
        text="Meetup #7 à la Fabrique : merci aux intervenantes !",
        media=[
            PostMedia(key="media/ev-7/lea.jpg", media_type="image/jpeg", alt_text="Léa au micro"),
            PostMedia(key="media/ev-7/salle.jpg", media_type="image/jpeg", alt_text="La salle"),
        ],
        mentions=[Mention(handle="lea_dev", member_id="m-lea")],
        link="https://example.org/meetup-7",
        thread=["Prochain rendez-vous le 9 avril."],
        event_id="ev-7",
    )


def test_a_post_becomes_one_json_file_holding_what_would_be_sent(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    receipt = build(tmp_path, storage).publish(recap())
    path = tmp_path / receipt.remote_id
    assert receipt.remote_id == "outbox/outbox/recap-ev-7.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["text"] == "Meetup #7 à la Fabrique : merci aux intervenantes !"
    assert document["mentions"] == [{"handle": "lea_dev", "member_id": "m-lea", "partner_id": None}]
    assert document["alt_texts"] == ["Léa au micro", "La salle"]
    assert document["link"] == "https://example.org/meetup-7"
    assert document["thread"] == ["Prochain rendez-vous le 9 avril."]
    assert document["published_at"] == AT.isoformat()


def test_media_are_copied_next_to_the_json_byte_for_byte(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    receipt = build(tmp_path, storage).publish(recap())
    document = json.loads((tmp_path / receipt.remote_id).read_text(encoding="utf-8"))
    copies = [tmp_path / m["file"] for m in document["media"]]
    assert [c.read_bytes() for c in copies] == [tiny_png(), tiny_png(1)]
    assert all(c.parent == tmp_path / "outbox" / "outbox" / "recap-ev-7" for c in copies)
    assert receipt.part_ids == tuple(m["file"] for m in document["media"])


def test_publishing_again_after_an_interrupted_run_writes_nothing_new(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    first = build(tmp_path, storage).publish(recap())
    before = sorted(p for p in tmp_path.rglob("*"))
    again = build(tmp_path, storage).publish(recap())
    assert again == first
    assert sorted(p for p in tmp_path.rglob("*")) == before


def test_find_reads_the_receipt_back_from_the_file(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    receipt = build(tmp_path, storage).publish(recap())
    assert build(tmp_path, storage).find(recap()) == receipt


def test_delete_removes_the_json_and_the_media_copies(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    outbox = build(tmp_path, storage)
    kept = outbox.publish(recap(post_id="recap-ev-6"))
    receipt = outbox.publish(recap())
    outbox.delete(receipt)
    assert not (tmp_path / receipt.remote_id).exists()
    assert not (tmp_path / "outbox" / "outbox" / "recap-ev-7").exists()
    assert (tmp_path / kept.remote_id).exists()
    with pytest.raises(NotFound, match="not in the outbox"):
        outbox.delete(receipt)


def test_delete_refuses_a_receipt_from_elsewhere(tmp_path: Path, storage: InMemoryStorage) -> None:
    stranger = Receipt(
        platform="outbox", post_id="p-1", remote_id="../../etc/passwd", published_at=AT
    )
    with pytest.raises(Rejected, match="does not name a post"):
        build(tmp_path, storage).delete(stranger)


def test_pretending_to_be_x_takes_its_capabilities_and_folder(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    from terrain_adapters.x import X_CAPABILITIES

    as_x = build(tmp_path, storage, **{"as": "x"})
    assert as_x.name == "outbox"  # a preview of X is never taken for X in the journal
    assert as_x.capabilities == X_CAPABILITIES
    receipt = as_x.publish(Post(id="recap-ev-7", platform="outbox", text="Meetup #7 : merci !"))
    assert receipt.remote_id == "outbox/x/recap-ev-7.json"
    assert receipt.platform == "outbox"
    named = build(tmp_path, storage, **{"as": "x", "name": "x-preview"})
    assert named.name == "x-preview"
    receipt = named.publish(Post(id="recap-ev-7", platform="x-preview", text="Meetup #7"))
    assert receipt.remote_id == "outbox/x-preview/recap-ev-7.json"


def test_pretending_to_be_x_refuses_what_x_would_refuse(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    as_x = build(tmp_path, storage, **{"as": "x"})
    with pytest.raises(Rejected, match="characters"):
        as_x.publish(Post(id="long", platform="outbox", text="a" * 400))
    assert not (tmp_path / "outbox" / "x" / "long.json").exists()


def test_pretending_to_be_an_unknown_platform_names_the_known_ones(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    with pytest.raises(ConfigError, match="bluesky, facebook, instagram, linkedin, mastodon, x"):
        build(tmp_path, storage, **{"as": "myspace"})


def test_capabilities_can_be_tightened_in_settings(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    outbox = build(tmp_path, storage, max_media=1, threads=False)
    assert outbox.capabilities.max_media == 1
    with pytest.raises(Rejected, match="at most 1"):
        outbox.publish(recap())


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"colour": "blue"}, "unknown settings colour"),
        ({"max_media": "ten"}, "whole number"),
        ({"threads": "yes"}, "true or false"),
        ({"folder": "../elsewhere"}, "plain folder name"),
    ],
)
def test_bad_settings_are_config_errors_saying_what_to_give(
    tmp_path: Path, storage: InMemoryStorage, settings: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        build(tmp_path, storage, **settings)


def test_the_outbox_needs_a_workspace_folder(storage: InMemoryStorage) -> None:
    with pytest.raises(ConfigError, match="root"):
        OutboxFactory()(PlatformContext(storage=storage))


def test_a_media_missing_from_the_storage_is_rejected_naming_it(tmp_path: Path) -> None:
    with pytest.raises(Rejected, match=r"media/ev-7/lea\.jpg"):
        build(tmp_path, InMemoryStorage()).publish(recap())
    assert not (tmp_path / "outbox" / "outbox" / "recap-ev-7.json").exists()


def test_post_ids_with_colons_make_portable_file_names(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    outbox = build(tmp_path, storage)
    post = Post(id="ev-7:x:publish", platform="outbox", text="Merci !")
    receipt = outbox.publish(post)
    assert ":" not in Path(receipt.remote_id).name
    assert outbox.find(post) == receipt


def test_the_outbox_is_registered_by_the_built_in_plugin(tmp_path: Path) -> None:
    manager = get_plugin_manager(environ={"TERRAIN_LOAD_PLUGINS": ""})
    platform = manager.platform_factory("outbox")(PlatformContext(root=tmp_path))
    assert platform.name == "outbox"


def test_a_damaged_file_is_reported_not_overwritten(
    tmp_path: Path, storage: InMemoryStorage
) -> None:
    outbox = build(tmp_path, storage)
    receipt = outbox.publish(recap())
    (tmp_path / receipt.remote_id).write_text("{half a json", encoding="utf-8")
    with pytest.raises(PlatformError, match="fix or remove the file") as caught:
        outbox.publish(recap())
    assert not caught.value.retryable
    assert (tmp_path / receipt.remote_id).read_text(encoding="utf-8") == "{half a json"
