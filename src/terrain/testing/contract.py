"""The contract suite: what every platform and storage plugin must do.

Subclass :class:`PlatformContract` or :class:`StorageContract` in a test
module of your plugin (the class name must start with ``Test``) and give it a
``factory`` fixture; pytest then runs every check below against it::

    import pytest
    from terrain.testing.contract import PlatformContract

    class TestJournalPlatform(PlatformContract):
        @pytest.fixture
        def factory(self):
            return JournalFactory()

The platform is built with a :class:`~terrain.plugins.PlatformContext`
whose ``root`` is a fresh temporary folder, whose ``storage`` is an
:class:`~terrain.testing.InMemoryStorage` holding two small PNG images
(``contract/a.png``, ``contract/b.png``), and whose ``settings`` come from
the ``settings`` fixture (override it to pass ``[platforms.<name>]``
settings). For an adapter that needs a faked HTTP API, override the
``platform`` fixture instead and build it yourself, with the ``storage``
fixture as its storage (the checks put the media they post there).

Secrets: the context's ``secrets`` read the ``secret_env`` fixture, a
mapping of variable names to values (empty by default), never your real
environment. Give it the fake tokens your fake API expects; to run the suite
against the real network, return real ones read from the environment and
skip when they are absent (:doc:`/plugins`, *Giving the contract tests a
token*). Every value of at least 8 characters is looked for, and must not
show, in each ``repr``, error message and log line the checks see.

Decisions the suite checks (see :doc:`/plugins`):

- a post over the capabilities (text longer than ``max_text_length``, more
  media than ``max_media``, a media type not in ``media_types``, a thread
  where ``threads`` is false) is refused
  with :class:`~terrain.errors.Rejected` and nothing is published;
- ``find`` of a post never published is ``None``; after ``publish`` it
  returns a receipt with the same ``remote_id``;
- when ``capabilities.delete`` is true, ``delete`` removes the post (``find``
  is ``None`` afterwards), and deleting it again returns quietly or raises
  :class:`~terrain.errors.NotFound`, never another error;
- when ``capabilities.threads`` is true, a thread is published with its
  parts in ``part_ids``, ``find`` names the same parts, and deleting the
  post deletes its replies;
- a platform with the optional ``metrics(receipt)`` returns a
  :class:`~terrain.posts.Metrics` naming the post (its ``platform``,
  ``post_id`` and ``remote_id``), with counts under the names terrain knows;
  once the post is deleted, it says ``gone`` (or raises
  :class:`~terrain.errors.NotFound`), never another error;
- no secret shows in ``repr(factory)``, ``repr(platform)``, receipts, error
  messages or log lines;
- a platform declaring ``thread_safe = True`` takes concurrent ``publish``,
  ``find`` and ``delete`` calls from several threads;
- a factory with the optional ``capabilities_for(settings)`` (what
  ``terrain publish --dry-run`` uses instead of building the platform, so no
  token is needed) answers, from the ``settings`` fixture alone, the
  capabilities of the platform it builds from them (or ``None``); a factory
  without it is skipped there (terrain builds the platform for a dry run);
- storage keys that are empty, absolute, hold ``..``, a backslash or a NUL
  raise :class:`~terrain.errors.InvalidKey`; a missing key raises
  :class:`~terrain.errors.NotFound` from ``get``.

The **fault suite** runs when the ``fail_next`` fixture returns a function
(it is ``None`` by default, and the fault checks are skipped): the kit calls
it with a :class:`NextCall` before the call it makes, and your fake must make
the platform's next call of that kind go wrong that way. It checks that a
429 is :class:`~terrain.errors.RateLimited` with a ``retry_after``; a 5xx
or a timeout is :class:`~terrain.errors.TransientError`; a 401 is
:class:`~terrain.errors.AuthError`; a 400 or 422 is
:class:`~terrain.errors.Rejected`; that ``find`` recovers a post whose
answer was lost (a timeout after the server recorded it) and finds nothing
after a timeout before; and that ``find`` and ``delete`` map their own
failures the same way::

    @pytest.fixture
    def fail_next(self, fake_api):
        return fake_api.fail_next      # fake_api: your fake of the network
"""

from __future__ import annotations

import itertools
import struct
import threading
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from terrain._public import claim
from terrain.errors import InvalidKey, NotFound, PlatformError, Rejected, StorageError
from terrain.plugins import (
    Platform,
    PlatformContext,
    PlatformFactory,
    Storage,
    StorageContext,
    StorageFactory,
)
from terrain.posts import METRIC_NAMES, Capabilities, Metrics, Post, PostMedia, Receipt
from terrain.secrets import EnvSecrets
from terrain.testing._memory import InMemoryStorage
from terrain.testing._promises import FailNext, NextCall, PromiseChecks

__all__ = [
    "BAD_KEYS",
    "SAMPLE_MEDIA",
    "FailNext",
    "NextCall",
    "PlatformContract",
    "StorageContract",
    "tiny_png",
]

#: Keys every storage must refuse with InvalidKey.
BAD_KEYS: tuple[str, ...] = (
    "",
    "/etc/passwd",
    "../outside",
    "media/../../outside",
    "media/./a.jpg",
    "media//a.jpg",
    "media\\a.jpg",
    "media/a\x00.jpg",
)


def tiny_png(red: int = 200, green: int = 80, blue: int = 40) -> bytes:
    """A valid 1×1 PNG of one colour (no metadata), built without Pillow."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(bytes([0, red, green, blue]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


#: The media the platform contract puts in its storage, by key.
SAMPLE_MEDIA: dict[str, bytes] = {
    "contract/a.png": tiny_png(),
    "contract/b.png": tiny_png(40, 80, 200),
}

_serial = itertools.count(1)


class PlatformContract(PromiseChecks):
    """Checks for a platform plugin; subclass it and define the ``factory`` fixture."""

    @pytest.fixture
    def factory(self) -> PlatformFactory:
        """The factory under test: override this fixture."""
        pytest.fail("define a `factory` fixture returning your platform factory")

    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        """The platform's ``[platforms.<name>]`` settings (none by default)."""
        return {}

    @pytest.fixture
    def secret_env(self) -> Mapping[str, str]:
        """The variables the platform's secrets are read from (``{"TERRAIN_…_TOKEN":
        "…"}``); empty by default. Never your real environment unless you say so."""
        return {}

    @pytest.fixture
    def storage(self) -> Storage:
        """The workspace storage the posts' media are read from."""
        return InMemoryStorage(SAMPLE_MEDIA)

    @pytest.fixture
    def context(
        self,
        settings: dict[str, Any],
        storage: Storage,
        tmp_path: Path,
        secret_env: Mapping[str, str],
    ) -> PlatformContext:
        """The context the factory is called with."""
        return PlatformContext(
            settings=settings,
            secrets=EnvSecrets(environ=dict(secret_env)),
            storage=storage,
            root=tmp_path,
        )

    @pytest.fixture
    def platform(self, factory: PlatformFactory, context: PlatformContext) -> Platform:
        """The platform under test, built by ``factory``."""
        return factory(context)

    def make_post(self, platform: Platform, **changes: Any) -> Post:
        """A fresh post for ``platform`` with a new id; ``changes`` override fields."""
        fields: dict[str, Any] = {
            "id": f"contract-{next(_serial)}",
            "platform": platform.name,
            "text": "Merci à toutes et à tous pour la rencontre de jeudi au Café du Port !",
        }
        fields.update(changes)
        return Post(**fields)

    def media(self, storage: Storage, count: int) -> list[PostMedia]:
        """``count`` distinct PNG media, put in ``storage`` for the occasion."""
        media = []
        for i in range(count):
            key = f"contract/photo-{next(_serial)}.png"
            storage.put(key, tiny_png(i % 256, 80, 40))
            media.append(PostMedia(key=key, media_type="image/png", alt_text=f"photo {i + 1}"))
        return media

    # -- the checks --------------------------------------------------------------

    def test_capabilities_for_agrees_with_the_built_platform(
        self, factory: PlatformFactory, settings: dict[str, Any], platform: Platform
    ) -> None:
        capabilities_for = getattr(factory, "capabilities_for", None)
        if capabilities_for is None:
            pytest.skip(f"{factory.name} has no capabilities_for: a dry run builds it")
        answer = capabilities_for(settings)
        if answer is None:
            pytest.skip(f"{factory.name}: capabilities_for cannot tell for these settings")
        assert isinstance(answer, Capabilities)
        assert answer == platform.capabilities

    def test_factory_and_platform_have_a_name(
        self, factory: PlatformFactory, platform: Platform
    ) -> None:
        assert isinstance(factory.name, str)
        assert factory.name.strip()
        assert isinstance(platform.name, str)
        assert platform.name.strip()
        assert isinstance(platform, Platform)

    def test_publish_returns_a_receipt_naming_the_post(self, platform: Platform) -> None:
        post = self.make_post(platform)
        receipt = platform.publish(post)
        assert isinstance(receipt, Receipt)
        assert receipt.post_id == post.id
        assert receipt.platform == platform.name
        assert receipt.remote_id

    def test_find_returns_the_receipt_of_a_published_post(self, platform: Platform) -> None:
        post = self.make_post(platform)
        receipt = platform.publish(post)
        found = platform.find(post)
        assert found is not None
        assert found.remote_id == receipt.remote_id
        assert found.post_id == post.id

    def test_find_of_a_post_never_published_is_none(self, platform: Platform) -> None:
        platform.publish(self.make_post(platform))
        assert platform.find(self.make_post(platform)) is None

    def test_delete_removes_the_post(self, platform: Platform) -> None:
        if not platform.capabilities.delete:
            pytest.skip(f"{platform.name} declares it cannot delete")
        post = self.make_post(platform)
        receipt = platform.publish(post)
        platform.delete(receipt)
        assert platform.find(post) is None

    def test_metrics_of_a_published_post_name_it(self, platform: Platform) -> None:
        metrics = getattr(platform, "metrics", None)
        if metrics is None:
            pytest.skip(f"{platform.name} gives no metrics (the method is optional)")
        post = self.make_post(platform)
        receipt = platform.publish(post)
        found = metrics(receipt)
        assert isinstance(found, Metrics)
        assert (found.platform, found.post_id, found.remote_id) == (
            platform.name,
            post.id,
            receipt.remote_id,
        )
        assert not found.gone
        assert set(found.counts) <= set(METRIC_NAMES)

    def test_metrics_of_a_deleted_post_say_it_is_gone(self, platform: Platform) -> None:
        metrics = getattr(platform, "metrics", None)
        if metrics is None:
            pytest.skip(f"{platform.name} gives no metrics (the method is optional)")
        if not platform.capabilities.delete:
            pytest.skip(f"{platform.name} declares it cannot delete")
        receipt = platform.publish(self.make_post(platform))
        platform.delete(receipt)
        try:
            found = metrics(receipt)
        except NotFound:
            return
        assert isinstance(found, Metrics)
        assert found.gone
        assert dict(found.counts) == {}

    def test_delete_leaves_the_other_posts(self, platform: Platform) -> None:
        if not platform.capabilities.delete:
            pytest.skip(f"{platform.name} declares it cannot delete")
        kept, gone = self.make_post(platform), self.make_post(platform)
        platform.publish(kept)
        platform.delete(platform.publish(gone))
        assert platform.find(kept) is not None

    def test_post_with_media_within_capabilities_is_published(
        self, platform: Platform, storage: Storage
    ) -> None:
        caps = platform.capabilities
        if caps.max_media == 0 or "image/png" not in caps.media_types:
            pytest.skip(f"{platform.name} takes no PNG media")
        post = self.make_post(platform, media=self.media(storage, min(2, caps.max_media)))
        receipt = platform.publish(post)
        assert receipt.post_id == post.id

    def test_text_over_max_text_length_is_rejected_and_not_published(
        self, platform: Platform
    ) -> None:
        limit = platform.capabilities.max_text_length
        if limit >= 100_000:
            pytest.skip("no post can be longer than the Post model allows")
        post = self.make_post(platform, text="a" * (limit + 1))
        with pytest.raises(Rejected) as caught:
            platform.publish(post)
        assert not caught.value.retryable
        assert platform.find(post) is None

    def test_more_media_than_max_media_is_rejected_and_not_published(
        self, platform: Platform, storage: Storage
    ) -> None:
        caps = platform.capabilities
        post = self.make_post(platform, media=self.media(storage, caps.max_media + 1))
        with pytest.raises(Rejected):
            platform.publish(post)
        assert platform.find(post) is None

    def test_media_type_not_accepted_is_rejected_and_not_published(
        self, platform: Platform, storage: Storage
    ) -> None:
        if platform.capabilities.max_media == 0:
            pytest.skip(f"{platform.name} takes no media")
        storage.put("contract/notes.bin", b"not a picture")
        odd = PostMedia(key="contract/notes.bin", media_type="application/x-terrain-contract")
        post = self.make_post(platform, media=[odd])
        with pytest.raises(Rejected):
            platform.publish(post)
        assert platform.find(post) is None

    def test_thread_is_rejected_where_threads_are_not_supported(self, platform: Platform) -> None:
        if platform.capabilities.threads:
            pytest.skip(f"{platform.name} supports threads")
        post = self.make_post(platform, thread=["et la suite"])
        with pytest.raises(Rejected):
            platform.publish(post)

    def test_rejection_is_a_platform_error_that_says_why(
        self, platform: Platform, storage: Storage
    ) -> None:
        post = self.make_post(
            platform, media=self.media(storage, platform.capabilities.max_media + 1)
        )
        with pytest.raises(PlatformError) as caught:
            platform.publish(post)
        assert isinstance(caught.value, Rejected)
        assert str(caught.value).strip()


class StorageContract:
    """Checks for a storage plugin; subclass it and define the ``factory`` fixture."""

    @pytest.fixture
    def factory(self) -> StorageFactory:
        """The factory under test: override this fixture."""
        pytest.fail("define a `factory` fixture returning your storage factory")

    @pytest.fixture
    def settings(self) -> dict[str, Any]:
        """The ``[storage]`` settings (none by default)."""
        return {}

    @pytest.fixture
    def storage(self, factory: StorageFactory, settings: dict[str, Any], tmp_path: Path) -> Storage:
        """The storage under test, built by ``factory`` in a fresh workspace folder."""
        return factory(StorageContext(settings=settings, root=tmp_path))

    def test_factory_and_storage_have_a_name(
        self, factory: StorageFactory, storage: Storage
    ) -> None:
        assert factory.name.strip()
        assert isinstance(storage, Storage)

    @pytest.mark.parametrize(
        "data", [b"", b"\x00\xff" * 3, bytes(range(256)), tiny_png(), b"x" * 300_000]
    )
    def test_bytes_round_trip(self, storage: Storage, data: bytes) -> None:
        storage.put("media/ev-1/photo.png", data)
        assert storage.get("media/ev-1/photo.png") == data

    def test_put_overwrites(self, storage: Storage) -> None:
        storage.put("forms/c-7.pdf", b"first")
        storage.put("forms/c-7.pdf", b"second")
        assert storage.get("forms/c-7.pdf") == b"second"

    def test_get_of_a_missing_key_raises_not_found(self, storage: Storage) -> None:
        with pytest.raises(NotFound):
            storage.get("media/never-stored.jpg")

    def test_exists_follows_put_and_delete(self, storage: Storage) -> None:
        assert not storage.exists("media/a.jpg")
        storage.put("media/a.jpg", b"a")
        assert storage.exists("media/a.jpg")
        storage.delete("media/a.jpg")
        assert not storage.exists("media/a.jpg")
        with pytest.raises(NotFound):
            storage.get("media/a.jpg")

    def test_delete_of_a_missing_key_does_nothing(self, storage: Storage) -> None:
        storage.delete("media/never-stored.jpg")

    def test_list_gives_the_keys_under_a_prefix_sorted(self, storage: Storage) -> None:
        for key in ["media/ev-2/b.jpg", "media/ev-1/b.jpg", "media/ev-1/a.jpg", "forms/c.pdf"]:
            storage.put(key, b"data")
        assert list(storage.list("media/ev-1/")) == ["media/ev-1/a.jpg", "media/ev-1/b.jpg"]
        assert list(storage.list("media/")) == [
            "media/ev-1/a.jpg",
            "media/ev-1/b.jpg",
            "media/ev-2/b.jpg",
        ]
        assert list(storage.list()) == sorted(
            ["media/ev-2/b.jpg", "media/ev-1/b.jpg", "media/ev-1/a.jpg", "forms/c.pdf"]
        )
        assert list(storage.list("nothing/")) == []

    @pytest.mark.parametrize("key", BAD_KEYS, ids=repr)
    def test_unsafe_keys_are_refused(self, storage: Storage, key: str) -> None:
        with pytest.raises(InvalidKey):
            storage.put(key, b"data")
        with pytest.raises(InvalidKey):
            storage.get(key)

    def test_invalid_key_is_a_storage_error_and_a_value_error(self, storage: Storage) -> None:
        with pytest.raises(StorageError) as caught:
            storage.put("../outside", b"data")
        assert isinstance(caught.value, ValueError)

    def test_public_url_is_text_or_none(self, storage: Storage) -> None:
        storage.put("media/a.png", tiny_png())
        url = storage.public_url("media/a.png")
        assert url is None or (isinstance(url, str) and url)

    def test_readers_never_see_half_an_overwrite(self, storage: Storage) -> None:
        old, new = b"o" * 200_000, b"n" * 200_000
        storage.put("media/big.bin", old)
        seen: set[bytes] = set()
        stop = threading.Event()

        def read() -> None:
            while not stop.is_set():
                seen.add(storage.get("media/big.bin"))

        reader = threading.Thread(target=read)
        reader.start()
        try:
            for i in range(20):
                storage.put("media/big.bin", new if i % 2 == 0 else old)
        finally:
            stop.set()
            reader.join()
        assert seen <= {old, new}

claim(__name__, globals())
