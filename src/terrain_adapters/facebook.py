"""The Facebook Page platform (Graph API through facebook-sdk 3.1).

- Text only: ``POST /{page-id}/feed`` with ``message`` (and ``link``).
- One photo: ``POST /{page-id}/photos`` (multipart ``source``, ``message``,
  ``alt_text_custom``): the photo is the post.
- Several photos: each to ``/{page-id}/photos`` with ``published=false``, then
  one ``POST /{page-id}/feed`` with ``attached_media[i]={"media_fbid": …}``.
  If the feed post fails, the unpublished photos are deleted again.
- ``delete``: ``DELETE /{post-id}`` then each photo (already gone is fine).
- ``find``: reads the page's latest ``published_posts`` (``find_limit``, 25 by
  default) and matches the exact message this adapter would send; older posts
  are not seen.

Configuration: ``[platforms.facebook] page_id = "…"`` (``graph_version``,
``timeout``, ``find_limit`` optional) and ``TERRAIN_FACEBOOK_PAGE_TOKEN`` in the
environment. Nothing here imports facebook-sdk until a platform is built.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from terrain.errors import PlatformError, Rejected
from terrain.plugins import check_capabilities
from terrain.posts import Capabilities, Metrics, Post, Receipt
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
from terrain_adapters._shared import Clock, int_setting, read_media, require_storage, utcnow

if TYPE_CHECKING:
    from terrain.plugins import Platform, PlatformContext, Storage

__all__ = ["FACEBOOK_CAPABILITIES", "TOKEN_VARIABLE", "FacebookPage", "FacebookPageFactory"]

TOKEN_VARIABLE = "TERRAIN_FACEBOOK_PAGE_TOKEN"

FACEBOOK_CAPABILITIES = Capabilities(
    max_text_length=63206,
    max_media=10,
    media_types=frozenset({"image/jpeg", "image/png", "image/gif"}),
    max_media_bytes=10 * 1024 * 1024,
    alt_text=True,
    max_alt_text_length=1000,
    mentions=False,
    threads=False,
    delete=True,
)


def message_of(post: Post) -> str:
    """The text sent as the post's ``message`` (and looked for by ``find``).

    Mentions are written as ``@handle`` (a Page cannot tag people through the
    API); the link is appended when the text does not already hold it and the
    post has photos (a text post carries it in the ``link`` field instead).
    """
    text = post.text_with_mentions()
    if post.link and post.media and post.link not in text:
        text = f"{text}\n{post.link}" if text else post.link
    return text


class FacebookPage:
    """Publishes to one Facebook Page. Build it with :class:`FacebookPageFactory`."""

    name = "facebook"
    capabilities = FACEBOOK_CAPABILITIES

    def __init__(
        self,
        graph: GraphClient,
        *,
        page_id: str,
        storage: Storage | None,
        find_limit: int = 25,
        clock: Clock = utcnow,
    ) -> None:
        self._graph = graph
        self._page = page_id
        self._storage = storage
        self._find_limit = find_limit
        self._clock = clock
        self._claims = Claims()

    def __repr__(self) -> str:
        return f"FacebookPage(page_id={self._page!r})"

    def publish(self, post: Post) -> Receipt:
        """Publish ``post`` on the page (see the module docstring for the calls)."""
        self._check(post)
        message = message_of(post)
        if not post.media:
            fields: dict[str, Any] = {"message": message}
            if post.link:
                fields["link"] = post.link
            answer = self._graph.post(f"{self._page}/feed", **fields)
            return self._receipt(post, created_id(answer, "feed post", platform=self.name), ())
        if len(post.media) == 1:
            media = post.media[0]
            answer = self._graph.post_file(
                f"{self._page}/photos",
                data=self._bytes(media.key),
                filename=_filename(media.key),
                media_type=media.media_type,
                message=message or None,
                alt_text_custom=media.alt_text or None,
                published=True,
            )
            photo_id = created_id(answer, "photo", platform=self.name)
            post_id = str(answer.get("post_id") or photo_id)
            parts = (photo_id,) if post_id != photo_id else ()
            return self._receipt(post, post_id, parts)
        photo_ids: list[str] = []
        try:
            for media in post.media:
                answer = self._graph.post_file(
                    f"{self._page}/photos",
                    data=self._bytes(media.key),
                    filename=_filename(media.key),
                    media_type=media.media_type,
                    alt_text_custom=media.alt_text or None,
                    published=False,
                )
                photo_ids.append(created_id(answer, "photo", platform=self.name))
            attached = {
                f"attached_media[{i}]": json.dumps({"media_fbid": pid}, separators=(",", ":"))
                for i, pid in enumerate(photo_ids)
            }
            answer = self._graph.post(f"{self._page}/feed", message=message, **attached)
            return self._receipt(
                post, created_id(answer, "feed post", platform=self.name), tuple(photo_ids)
            )
        except BaseException:
            self._forget(photo_ids)
            raise

    def delete(self, receipt: Receipt) -> None:
        """Delete the post, then the photos it was made of; already gone is fine."""
        for object_id in (receipt.remote_id, *receipt.part_ids):
            self._delete_quietly(object_id)
        self._claims.forget(receipt.remote_id)

    def find(self, post: Post) -> Receipt | None:
        """The receipt of ``post`` if one of the page's latest posts has its message."""
        message = message_of(post)
        if not message:
            return None
        item = find_latest(
            self._graph,
            self._claims,
            post.id,
            path=f"{self._page}/published_posts",
            fields="id,message,created_time,attachments{target,subattachments}",
            limit=self._find_limit,
            text_field="message",
            text=message,
        )
        if item is None:
            return None
        return Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=str(item["id"]),
            published_at=graph_time(item.get("created_time")) or self._clock(),
            url=f"https://www.facebook.com/{item['id']}",
            part_ids=_attachment_ids(item, str(item["id"])),
        )

    def metrics(self, receipt: Receipt) -> Metrics:
        """The post's reactions (``likes``), comments (``replies``) and shares
        (``reposts``) from ``GET /{post-id}``, and its reach from the post's insights
        (``post_impressions_unique``, when the token may read insights);
        ``gone`` when the Graph API says the post does not exist any more."""
        fields = (
            "shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)"
        )
        item = get_unless_gone(self._graph, receipt.remote_id, fields=fields)
        if item is None:
            at = self._clock()
            return Metrics(self.name, receipt.post_id, receipt.remote_id, at, gone=True)
        counts = {
            "likes": _summary_count(item.get("reactions")),
            "replies": _summary_count(item.get("comments")),
            "reposts": int((item.get("shares") or {}).get("count") or 0),
        }
        counts.update(
            insights(
                self._graph,
                receipt.remote_id,
                {"post_impressions_unique": "reach", "post_impressions": "impressions"},
            )
        )
        return Metrics(self.name, receipt.post_id, receipt.remote_id, self._clock(), counts)

    # -- helpers ---------------------------------------------------------------

    def _check(self, post: Post) -> None:
        check_capabilities(post, self.capabilities, platform=self.name, text=message_of(post))
        require_storage(self._storage, post, platform=self.name)

    def _bytes(self, key: str) -> bytes:
        return read_media(self._storage, key, platform=self.name)

    def _receipt(self, post: Post, remote_id: str, parts: tuple[str, ...]) -> Receipt:
        self._claims.claim(remote_id, post.id)
        return Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=remote_id,
            published_at=self._clock(),
            url=f"https://www.facebook.com/{remote_id}",
            part_ids=parts,
        )

    def _forget(self, photo_ids: list[str]) -> None:
        for photo_id in photo_ids:
            # an unpublished photo nobody sees; the original error matters more
            with contextlib.suppress(PlatformError):
                self._graph.delete(photo_id)

    def _delete_quietly(self, object_id: str) -> None:
        try:
            self._graph.delete(object_id)
        except Rejected as exc:
            # Graph answers code 100 ("does not exist") for an object already deleted
            if "(Graph error 100" not in str(exc):
                raise


def _summary_count(edge: object) -> int:
    """``reactions{summary{total_count}}`` as a number (0 when absent)."""
    summary = edge.get("summary") if isinstance(edge, dict) else None
    total = summary.get("total_count") if isinstance(summary, dict) else None
    return total if isinstance(total, int) and total >= 0 else 0


def _filename(key: str) -> str:
    return key.rsplit("/", 1)[-1] or "photo"


def _attachment_ids(item: Mapping[str, Any], remote_id: str) -> tuple[str, ...]:
    ids: list[str] = []
    for attachment in (item.get("attachments") or {}).get("data") or []:
        subs = (attachment.get("subattachments") or {}).get("data") or []
        for sub in subs or [attachment]:
            target = (sub.get("target") or {}).get("id")
            if target and str(target) != remote_id and str(target) not in ids:
                ids.append(str(target))
    return tuple(ids)


class FacebookPageFactory:
    """Builds the ``facebook`` platform from ``[platforms.facebook]`` and the environment.

    ``clock`` gives the publication time written on receipts (tests pass a fixed one).
    """

    name = "facebook"

    def __init__(self, *, clock: Clock = utcnow) -> None:
        self._clock = clock

    def capabilities_for(self, settings: Mapping[str, Any]) -> Capabilities:
        """What a Page post accepts (:data:`FACEBOOK_CAPABILITIES`), known without the token."""
        return FACEBOOK_CAPABILITIES

    def __call__(self, context: PlatformContext) -> Platform:
        """A :class:`FacebookPage` for the page in ``context.settings``."""
        settings = context.settings
        page_id = numeric_id(
            settings, "page_id", table="facebook", hint="Page settings → About → Page ID"
        )
        find_limit = int_setting(settings, "find_limit", 25, 1, 100, table="facebook")
        version, timeout = graph_settings(settings, table="facebook")
        graph = GraphClient(
            context.secrets.get(TOKEN_VARIABLE, purpose="publish on the Facebook page"),
            platform="facebook",
            token_variable=TOKEN_VARIABLE,
            version=version,
            timeout=timeout,
        )
        return FacebookPage(
            graph,
            page_id=page_id,
            storage=context.storage,
            find_limit=find_limit,
            clock=self._clock,
        )
