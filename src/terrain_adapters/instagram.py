"""The Instagram platform (Instagram API with Facebook Login, through facebook-sdk 3.1).

Instagram fetches images itself, from a public URL: the workspace storage must
give one (:meth:`Storage.public_url`, a presigned URL with the ``s3`` storage).

- One image: ``POST /{ig-user-id}/media`` with ``image_url``, ``caption``,
  ``alt_text`` and ``user_tags``; poll ``GET /{container}?fields=status_code``
  until ``FINISHED`` (bounded, with backoff); ``POST /{ig-user-id}/media_publish``
  with ``creation_id``.
- Several images (2–10): one container per image with ``is_carousel_item=true``,
  then a ``media_type=CAROUSEL`` container with ``children`` and the caption,
  then ``media_publish``.
- ``user_tags`` only for :class:`~terrain.posts.Mention` with a ``member_id``
  (the consent gate has already dropped the members who did not agree to be
  tagged); partners are written as ``@handle`` in the caption.
- ``find``: reads the account's latest media (``find_limit``) for the exact caption.
- ``delete``: the Instagram API cannot delete a published post; it raises
  :class:`~terrain.errors.Rejected` with the permalink to delete it by hand.

Configuration: ``[platforms.instagram] ig_user_id = "…"`` (``graph_version``,
``timeout``, ``find_limit``, ``poll_attempts`` optional) and
``TERRAIN_INSTAGRAM_TOKEN`` or, when unset, ``TERRAIN_FACEBOOK_PAGE_TOKEN`` (the
token of the Page the Instagram account is linked to).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from terrain.errors import ConfigError, MissingSecret, PlatformError, Rejected, TransientError
from terrain.plugins import check_capabilities
from terrain.posts import Capabilities, Metrics, Post, PostMedia, Receipt
from terrain.secrets import Secret
from terrain_adapters._claims import Claims
from terrain_adapters._graph import (
    GraphClient,
    created_id,
    find_latest,
    get_unless_gone,
    graph_settings,
    graph_time,
    insights,
    numeric_id,
)
from terrain_adapters._shared import Clock, check_media_clean, int_setting, utcnow

if TYPE_CHECKING:
    from terrain.plugins import Platform, PlatformContext, Storage

__all__ = [
    "INSTAGRAM_CAPABILITIES",
    "MAX_HASHTAGS",
    "TOKEN_VARIABLES",
    "Instagram",
    "InstagramFactory",
    "caption_of",
]

TOKEN_VARIABLES = ("TERRAIN_INSTAGRAM_TOKEN", "TERRAIN_FACEBOOK_PAGE_TOKEN")
MAX_HASHTAGS = 30

INSTAGRAM_CAPABILITIES = Capabilities(
    max_text_length=2200,
    max_media=10,
    media_types=frozenset({"image/jpeg"}),
    max_media_bytes=8 * 1024 * 1024,
    alt_text=True,
    max_alt_text_length=1000,
    mentions=True,
    threads=False,
    delete=False,
    requires_media=True,
)

_HASHTAG = re.compile(r"(?<!\w)#\w+")

Sleep = Callable[[float], None]


def caption_of(post: Post) -> str:
    """The caption sent (and looked for by ``find``): the text, then ``@handle``
    for partners; members are tagged on the image instead."""
    handles = " ".join(f"@{m.handle}" for m in post.mentions if m.member_id is None)
    text = post.text
    if post.link and post.link not in text:
        text = f"{text}\n{post.link}" if text else post.link
    if handles:
        text = f"{text}\n\n{handles}" if text else handles
    return text


def user_tags_of(post: Post) -> list[dict[str, Any]]:
    """``user_tags`` for the members who agreed to be tagged, spread across the image."""
    members = [m for m in post.mentions if m.member_id is not None]
    return [
        {"username": m.handle, "x": round((i + 1) / (len(members) + 1), 3), "y": 0.9}
        for i, m in enumerate(members)
    ]


class Instagram:
    """Publishes to one Instagram professional account. Build it with :class:`InstagramFactory`."""

    name = "instagram"
    capabilities = INSTAGRAM_CAPABILITIES

    def __init__(
        self,
        graph: GraphClient,
        *,
        ig_user_id: str,
        storage: Storage | None,
        find_limit: int = 25,
        poll_attempts: int = 8,
        clock: Clock = utcnow,
        sleep: Sleep = time.sleep,
    ) -> None:
        self._graph = graph
        self._user = ig_user_id
        self._storage = storage
        self._find_limit = find_limit
        self._poll_attempts = poll_attempts
        self._clock = clock
        self._sleep = sleep
        self._claims = Claims()

    def __repr__(self) -> str:
        return f"Instagram(ig_user_id={self._user!r})"

    def publish(self, post: Post) -> Receipt:
        """Create the container(s), wait until ready, publish; return the receipt."""
        urls = self._check(post)
        caption = caption_of(post)
        tags = user_tags_of(post)
        if len(post.media) == 1:
            container = self._container(post.media[0], urls[0], caption=caption, tags=tags)
        else:
            children = [
                self._container(media, url, tags=tags if i == 0 else [], carousel_item=True)
                for i, (media, url) in enumerate(zip(post.media, urls, strict=True))
            ]
            answer = self._graph.post(
                f"{self._user}/media",
                media_type="CAROUSEL",
                children=",".join(children),
                caption=caption or None,
            )
            container = created_id(answer, "carousel container", platform=self.name)
            self._wait(container)
        answer = self._graph.post(f"{self._user}/media_publish", creation_id=container)
        media_id = created_id(answer, "post", platform=self.name)
        url: str | None = None
        try:
            url = self._graph.get(media_id, fields="permalink").get("permalink") or None
        except PlatformError:
            url = None  # the post exists; a missing permalink is not worth failing it
        self._claims.claim(media_id, post.id)
        return Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=media_id,
            published_at=self._clock(),
            url=url,
        )

    def delete(self, receipt: Receipt) -> None:
        """Not possible through the API: raises :class:`Rejected` saying what to do."""
        where = receipt.url or f"media {receipt.remote_id}"
        raise Rejected(
            f"instagram: the Instagram API cannot delete a published post; delete {where} "
            "in the Instagram app (… → Delete), then record the takedown as done",
            platform=self.name,
        )

    def find(self, post: Post) -> Receipt | None:
        """The receipt of ``post`` if one of the account's latest media has its caption."""
        caption = caption_of(post)
        item = find_latest(
            self._graph,
            self._claims,
            post.id,
            path=f"{self._user}/media",
            fields="id,caption,timestamp,permalink",
            limit=self._find_limit,
            text_field="caption",
            text=caption,
        )
        if item is None:
            return None
        return Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=str(item["id"]),
            published_at=graph_time(item.get("timestamp")) or self._clock(),
            url=item.get("permalink") or None,
        )

    def metrics(self, receipt: Receipt) -> Metrics:
        """The media's likes and comments (``like_count``, ``comments_count``), and
        its reach, views, saves and shares from its insights when the token may read
        them; ``gone`` when the Graph API says the media does not exist any more."""
        fields = "like_count,comments_count"
        item = get_unless_gone(self._graph, receipt.remote_id, fields=fields)
        if item is None:
            at = self._clock()
            return Metrics(self.name, receipt.post_id, receipt.remote_id, at, gone=True)
        counts = {
            ours: item[theirs]
            for theirs, ours in (("like_count", "likes"), ("comments_count", "replies"))
            if isinstance(item.get(theirs), int) and item[theirs] >= 0
        }
        counts.update(
            insights(
                self._graph,
                receipt.remote_id,
                {"reach": "reach", "views": "views", "saved": "saves", "shares": "reposts"},
            )
        )
        return Metrics(self.name, receipt.post_id, receipt.remote_id, self._clock(), counts)

    # -- helpers ---------------------------------------------------------------

    def _check(self, post: Post) -> list[str]:
        caption = caption_of(post)
        check_capabilities(post, self.capabilities, platform=self.name, text=caption)
        hashtags = len(_HASHTAG.findall(caption))
        if hashtags > MAX_HASHTAGS:
            raise Rejected(
                f"instagram: the caption of post {post.id} has {hashtags} hashtags; "
                f"at most {MAX_HASHTAGS} are accepted",
                platform=self.name,
            )
        if self._storage is None:
            raise ConfigError(
                "instagram: the workspace has no storage; Instagram needs the images at a "
                'public URL: configure [storage] backend = "s3"'
            )
        urls: list[str] = []
        for media in post.media:
            check_media_clean(self._storage, media.key, platform=self.name)
            url = self._storage.public_url(media.key)
            if not url:
                raise ConfigError(
                    f"instagram: the {self._storage.name!r} storage cannot give a public URL "
                    f"for {media.key}, and Instagram fetches images from one. Use the s3 "
                    'storage ([storage] backend = "s3"), which gives presigned URLs.'
                )
            urls.append(url)
        return urls

    def _container(
        self,
        media: PostMedia,
        url: str,
        *,
        caption: str | None = None,
        tags: list[dict[str, Any]],
        carousel_item: bool = False,
    ) -> str:
        answer = self._graph.post(
            f"{self._user}/media",
            image_url=url,
            caption=caption or None,
            alt_text=media.alt_text or None,
            user_tags=tags or None,
            is_carousel_item=True if carousel_item else None,
        )
        container = created_id(answer, "media container", platform=self.name)
        self._wait(container)
        return container

    def _wait(self, container: str) -> None:
        """Poll the container until ``FINISHED``; back off 1, 2, 4… s (at most 30 s)."""
        delay = 1.0
        status = "UNKNOWN"
        for attempt in range(self._poll_attempts):
            answer = self._graph.get(container, fields="status_code,status")
            status = str(answer.get("status_code") or "UNKNOWN")
            if status in {"FINISHED", "PUBLISHED"}:
                return
            if status in {"ERROR", "EXPIRED"}:
                raise Rejected(
                    f"instagram: container {container} is {status}: "
                    f"{answer.get('status') or 'no detail'}. Check that the image URL is "
                    "public and the image is a JPEG within Instagram's limits.",
                    platform=self.name,
                )
            if attempt + 1 < self._poll_attempts:
                self._sleep(delay)
                delay = min(delay * 2, 30.0)
        raise TransientError(
            f"instagram: container {container} still {status} after {self._poll_attempts} "
            "checks; try again later",
            platform=self.name,
        )


class InstagramFactory:
    """Builds the ``instagram`` platform from ``[platforms.instagram]`` and the environment.

    ``clock`` and ``sleep`` are for tests (a fixed time, no real waiting).
    """

    name = "instagram"

    def __init__(self, *, clock: Clock = utcnow, sleep: Sleep = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep

    def capabilities_for(self, settings: Mapping[str, Any]) -> Capabilities:
        """What an Instagram post accepts (:data:`INSTAGRAM_CAPABILITIES`), known
        without the token."""
        return INSTAGRAM_CAPABILITIES

    def __call__(self, context: PlatformContext) -> Platform:
        """An :class:`Instagram` for the account in ``context.settings``."""
        settings = context.settings
        user = numeric_id(
            settings,
            "ig_user_id",
            table="instagram",
            hint="GET /{page-id}?fields=instagram_business_account gives it",
        )
        find_limit = int_setting(settings, "find_limit", 25, 1, 100, table="instagram")
        poll_attempts = int_setting(settings, "poll_attempts", 8, 1, 30, table="instagram")
        version, timeout = graph_settings(settings, table="instagram")
        secrets = context.secrets

        def token() -> Secret:
            for variable in TOKEN_VARIABLES:
                if secrets.has(variable):
                    return secrets.get(variable, purpose="publish on Instagram")
            raise MissingSecret(
                "neither TERRAIN_INSTAGRAM_TOKEN nor TERRAIN_FACEBOOK_PAGE_TOKEN is set "
                "(publish on Instagram): export TERRAIN_INSTAGRAM_TOKEN=... (or the token of "
                "the Page the account is linked to as TERRAIN_FACEBOOK_PAGE_TOKEN)"
            )

        graph = GraphClient(
            token(),
            platform="instagram",
            token_variable=" or ".join(TOKEN_VARIABLES),
            version=version,
            timeout=timeout,
        )
        return Instagram(
            graph,
            ig_user_id=user,
            storage=context.storage,
            find_limit=find_limit,
            poll_attempts=poll_attempts,
            clock=self._clock,
            sleep=self._sleep,
        )
