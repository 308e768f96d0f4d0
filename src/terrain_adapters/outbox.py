"""The ``outbox`` platform: posts written as files, exactly as they would be sent.

Nothing leaves the machine. Each post becomes one JSON file,
``<root>/outbox/<name>/<post id>.json``, holding its text, mentions, link,
thread, and for each media its alt text and the name of a copy of the file
taken from the workspace storage, kept in ``<root>/outbox/<name>/<post id>/``.
The copies are the bytes in the storage, which the import step already
stripped of location metadata; the outbox adds none. The receipt's
``remote_id`` is the JSON file's path relative to the workspace root.

Settings (``[platforms.outbox]`` in ``terrain.toml``):

``as``
    pretend to be another platform (``"x"``, ``"facebook"``, ``"instagram"``):
    take its capabilities and write under ``outbox/<that name>/``. The outbox
    keeps its own name (``"outbox"``, or ``name``): a preview of X is never
    mistaken for X in the publication journal.
``name``
    the name the platform is published under (default ``"outbox"``), e.g.
    ``"x-preview"``: ``terrain publish --to x-preview``; its files go under
    ``outbox/<name>/``. ``terrain demo`` sets ``as`` and ``name`` to ``"x"``
    and ``"facebook"`` to show what would go to X and Facebook.
``folder``
    where to write, relative to the workspace root (default ``"outbox"``).
``max_text_length``, ``max_media``, ``alt_text``, ``mentions``, ``threads``, ``delete``
    override the capabilities (default generous: 5000 characters, 10 media,
    everything supported).

Writes are atomic (temporary file, ``fsync``, rename) and the JSON is written
last, so a file that exists describes a complete post: ``find`` looks for it,
and an interrupted run never writes a post twice.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

import attrs

from terrain.errors import ConfigError, NotFound, PlatformError, Rejected
from terrain.plugins import Platform, PlatformContext, Storage, check_capabilities
from terrain.posts import Capabilities, Post, Receipt
from terrain.serialization import datetime_text, parse_datetime
from terrain_adapters._shared import Clock, read_media, utcnow

__all__ = [
    "DEFAULT_CAPABILITIES",
    "FORMAT_VERSION",
    "PRETEND",
    "OutboxFactory",
    "OutboxPlatform",
]

log = logging.getLogger(__name__)

#: Version of the JSON written for each post.
FORMAT_VERSION = 1

#: Generous defaults: what the outbox accepts unless told otherwise.
DEFAULT_CAPABILITIES = Capabilities(
    max_text_length=5000,
    max_media=10,
    media_types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"}),
    alt_text=True,
    mentions=True,
    threads=True,
    delete=True,
)

#: The platforms the outbox can pretend to be (``as = "x"``): where their capabilities live.
PRETEND: dict[str, str] = {
    "x": "terrain_adapters.x:X_CAPABILITIES",
    "facebook": "terrain_adapters.facebook:FACEBOOK_CAPABILITIES",
    "instagram": "terrain_adapters.instagram:INSTAGRAM_CAPABILITIES",
    "linkedin": "terrain_adapters.linkedin:LINKEDIN_CAPABILITIES",
    "mastodon": "terrain_adapters.mastodon:MASTODON_CAPABILITIES",
    "bluesky": "terrain_adapters.bluesky:BLUESKY_CAPABILITIES",
}

_OVERRIDABLE_INTS = ("max_text_length", "max_media")
_OVERRIDABLE_BOOLS = ("alt_text", "mentions", "threads", "delete")


def _file_stem(post_id: str) -> str:
    # Post ids are [A-Za-z0-9._:-]; quote ':' so the name is portable.
    return quote(post_id, safe="._-")


class OutboxPlatform:
    """Writes posts under ``folder`` (``<root>/outbox/<subfolder or name>``), one JSON
    file each."""

    #: Called from several threads at once (the runner's workers): each post is its
    #: own files, written atomically.
    thread_safe = True

    def __init__(
        self,
        root: Path,
        *,
        name: str = "outbox",
        capabilities: Capabilities = DEFAULT_CAPABILITIES,
        storage: Storage | None = None,
        folder: str = "outbox",
        clock: Clock = utcnow,
        subfolder: str | None = None,
    ) -> None:
        self.name = name
        self.capabilities = capabilities
        self.root = Path(root).absolute()
        self.folder = self.root / folder / (subfolder or name)
        self._storage = storage
        self._clock = clock

    def __repr__(self) -> str:
        return f"OutboxPlatform(name={self.name!r}, folder={str(self.folder)!r})"

    def _json_path(self, post_id: str) -> Path:
        return self.folder / f"{_file_stem(post_id)}.json"

    def _media_dir(self, post_id: str) -> Path:
        return self.folder / _file_stem(post_id)

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    # -- the Platform protocol ---------------------------------------------------

    def publish(self, post: Post) -> Receipt:
        """Write ``post`` (and copies of its media) and return the receipt.

        A post over the capabilities raises :class:`~terrain.errors.Rejected`;
        a media missing from the storage raises
        :class:`~terrain.errors.Rejected` naming it. Publishing a post already
        in the outbox returns its receipt and writes nothing.
        """
        existing = self.find(post)
        if existing is not None:
            return existing
        self._check(post)
        media_dir = self._media_dir(post.id)
        media_entries: list[dict[str, Any]] = []
        names: set[str] = set()
        for index, media in enumerate(post.media, start=1):
            data = read_media(self._storage, media.key, platform=self.name)
            filename = PurePosixPath(media.key).name
            if filename in names:
                filename = f"{index}-{filename}"
            names.add(filename)
            _atomic_write(media_dir / filename, data)
            media_entries.append(
                {
                    "file": self._relative(media_dir / filename),
                    "key": media.key,
                    "media_type": media.media_type,
                    "alt_text": media.alt_text,
                    "bytes": len(data),
                }
            )
        published_at = self._clock()
        path = self._json_path(post.id)
        document = {
            "format": FORMAT_VERSION,
            "platform": self.name,
            "post_id": post.id,
            "published_at": datetime_text(published_at),
            "text": post.text,
            "text_with_mentions": post.text_with_mentions(),
            "mentions": [
                {"handle": m.handle, "member_id": m.member_id, "partner_id": m.partner_id}
                for m in post.mentions
            ],
            "alt_texts": list(post.alt_texts),
            "media": media_entries,
            "link": post.link,
            "thread": list(post.thread),
            "content_ids": list(post.content_ids),
            "event_id": post.event_id,
        }
        text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        _atomic_write(path, text.encode("utf-8"))
        log.debug("%s: wrote %s (%d media)", self.name, path, len(media_entries))
        return self._receipt(post.id, path, published_at, media_entries)

    def find(self, post: Post) -> Receipt | None:
        """The receipt of ``post`` if its JSON file is in the outbox, else ``None``."""
        path = self._json_path(post.id)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise PlatformError(
                f"{self.name}: cannot read {path}: {exc}; fix or remove the file, then retry",
                platform=self.name,
            ) from exc
        return self._receipt(
            post.id,
            path,
            parse_datetime(document["published_at"]),
            document.get("media", []),
        )

    def delete(self, receipt: Receipt) -> None:
        """Remove the post's JSON file and its media copies.

        :class:`~terrain.errors.NotFound` if the file is not there (already
        deleted); a ``remote_id`` outside this outbox is refused.
        """
        path = (self.root / receipt.remote_id).absolute()
        if path.parent != self.folder or path.suffix != ".json":
            raise Rejected(
                f"{self.name}: receipt {receipt.remote_id!r} does not name a post of "
                f"{self.folder}; it belongs to another outbox or platform",
                platform=self.name,
            )
        if not path.exists():
            raise NotFound(f"{self.name}: {receipt.remote_id} is not in the outbox (deleted?)")
        shutil.rmtree(self.folder / path.stem, ignore_errors=True)
        path.unlink(missing_ok=True)

    # -- helpers -----------------------------------------------------------------

    def _receipt(
        self, post_id: str, path: Path, at: datetime, media: list[dict[str, Any]]
    ) -> Receipt:
        return Receipt(
            platform=self.name,
            post_id=post_id,
            remote_id=self._relative(path),
            published_at=at,
            url=path.as_uri(),
            part_ids=tuple(str(m["file"]) for m in media),
        )

    def _check(self, post: Post) -> None:
        check_capabilities(post, self.capabilities, platform=self.name)
        caps = self.capabilities
        if post.mentions and not caps.mentions:
            raise Rejected(f"{self.name}: mentions are not supported", platform=self.name)
        if not caps.alt_text and any(m.alt_text for m in post.media):
            raise Rejected(f"{self.name}: alt texts are not supported", platform=self.name)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".~{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _capabilities(settings: Mapping[str, Any], pretend: str | None) -> Capabilities:
    base = DEFAULT_CAPABILITIES
    if pretend is not None:
        target = PRETEND.get(pretend)
        if target is None:
            raise ConfigError(
                f"[platforms.outbox] as = {pretend!r}: the outbox can pretend to be "
                f"{', '.join(sorted(PRETEND))}"
            )
        module, _, attr = target.partition(":")
        base = getattr(importlib.import_module(module), attr)
    changes: dict[str, Any] = {}
    for key in _OVERRIDABLE_INTS:
        if key in settings:
            value = settings[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"[platforms.outbox] {key} = {value!r}: give a whole number")
            changes[key] = value
    for key in _OVERRIDABLE_BOOLS:
        if key in settings:
            value = settings[key]
            if not isinstance(value, bool):
                raise ConfigError(f"[platforms.outbox] {key} = {value!r}: give true or false")
            changes[key] = value
    return attrs.evolve(base, **changes) if changes else base


class OutboxFactory:
    """Builds the ``outbox`` platform from ``[platforms.outbox]``; needs a workspace root."""

    name = "outbox"

    def __init__(self, *, clock: Clock = utcnow) -> None:
        self._clock = clock

    def capabilities_for(self, settings: Mapping[str, Any]) -> Capabilities:
        """What the outbox built from ``settings`` accepts: its own capabilities, or
        those of the platform it pretends to be (``as``), with the overrides."""
        pretend = settings.get("as")
        if pretend is not None and not isinstance(pretend, str):
            raise ConfigError(f"[platforms.outbox] as = {pretend!r}: give a platform name")
        return _capabilities(settings, pretend)

    def __call__(self, context: PlatformContext) -> Platform:
        """An :class:`OutboxPlatform` writing under ``<root>/<folder>/<name>``."""
        settings = context.settings
        known = {"as", "name", "folder", *_OVERRIDABLE_INTS, *_OVERRIDABLE_BOOLS}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ConfigError(
                f"[platforms.outbox] has unknown settings {', '.join(unknown)}; "
                f"known ones are {', '.join(sorted(known))}"
            )
        if context.root is None:
            raise ConfigError("the outbox writes into a workspace folder; give the context a root")
        capabilities = self.capabilities_for(settings)
        pretend = settings.get("as")
        name = settings.get("name", "outbox")
        subfolder = settings.get("name", pretend or "outbox")
        folder = settings.get("folder", "outbox")
        for key, value in (("name", name), ("folder", folder), ("as", subfolder)):
            if not isinstance(value, str) or not value or "/" in value or value in {".", ".."}:
                raise ConfigError(f"[platforms.outbox] {key} = {value!r}: give a plain folder name")
        return OutboxPlatform(
            context.root,
            name=name,
            capabilities=capabilities,
            storage=context.storage,
            folder=folder,
            clock=self._clock,
            subfolder=subfolder,
        )
