"""The Mastodon platform: statuses on any instance, through its REST API.

- Media: ``POST /api/v2/media`` (multipart ``file``, ``description`` = the alt
  text). The instance answers 200 when the file is ready, or 202 with
  ``"url": null`` while it processes it in the background; then
  ``GET /api/v1/media/:id`` answers 206 until it is ready (200), polled a
  bounded number of times (``media_wait`` seconds at most).
- Post: ``POST /api/v1/statuses`` (JSON ``status``, ``media_ids``,
  ``visibility``) with an ``Idempotency-Key`` made from the post id, so that
  the same call sent twice (a timeout whose answer was lost, then a retry)
  makes one status; each ``Post.thread`` text is a reply
  (``in_reply_to_id``). If a reply fails, what was already posted is deleted
  again (and the key changes), so a retry starts clean.
- Delete: ``DELETE /api/v1/statuses/:id`` for the replies (last first), then
  the first status; a status already gone (404) is fine.
- Find: ``GET /api/v1/accounts/verify_credentials`` (once), then
  ``GET /api/v1/accounts/:id/statuses`` (the latest ``find_limit``, boosts
  excluded), matching the text this adapter sends against each status's
  ``content`` once its HTML is undone (paragraphs, line breaks, link spans,
  entities; a mention of a remote account is shown as ``@user``).
- Errors: :mod:`terrain_adapters._http` (429 with ``X-RateLimit-Reset`` →
  ``RateLimited``, 401/403 → ``AuthError``, 5xx and timeouts →
  ``TransientError``, 4xx such as 422 → ``Rejected``). Every request has a
  timeout; the token is masked in every message.

Length is counted as Mastodon does (``text_counting = "mastodon"``: grapheme
clusters, 23 per link, ``@user@domain`` as ``@user``) against the instance's
limit (``max_characters``, 500 on mastodon.social).

Secret: ``TERRAIN_MASTODON_TOKEN`` (an access token with the ``write:statuses``,
``write:media`` and ``read:accounts``/``read:statuses`` scopes). Settings
(``[platforms.mastodon]``): ``instance`` (required), ``visibility``,
``max_characters``, ``timeout``, ``find_limit``, ``media_wait``.
"""

from __future__ import annotations

import contextlib
import html
import re
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from terrain.errors import ConfigError, PlatformError, Rejected, TransientError
from terrain.plugins import Platform, PlatformContext, check_capabilities
from terrain.posts import Capabilities, Metrics, Post, PostMedia, Receipt
from terrain.secrets import Secret
from terrain_adapters import _redact
from terrain_adapters._claims import Claims
from terrain_adapters._http import HttpClient, https_url, number_setting
from terrain_adapters._shared import (
    Clock,
    instant,
    read_media,
    require_storage,
    text_with_link,
    utcnow,
)

__all__ = [
    "MASTODON_CAPABILITIES",
    "TOKEN_VARIABLE",
    "VISIBILITIES",
    "MastodonFactory",
    "MastodonPlatform",
    "plain_text",
    "text_of",
]

TOKEN_VARIABLE = "TERRAIN_MASTODON_TOKEN"
VISIBILITIES = ("public", "unlisted", "private")

MASTODON_CAPABILITIES = Capabilities(
    max_text_length=500,
    max_media=4,
    media_types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
    max_media_bytes=16 * 1024 * 1024,
    alt_text=True,
    max_alt_text_length=1500,
    mentions=True,
    threads=True,
    delete=True,
    url_length=23,
    text_counting="mastodon",
)

Sleep = Callable[[float], None]


def text_of(post: Post) -> str:
    """The status text: the text, ``@handle`` for each mention, then the link."""
    return text_with_link(post)


_TAG = re.compile(r"<[^>]*>")
_REMOTE_MENTION = re.compile(r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)@[\w.-]+\w", re.I)


def plain_text(content: str) -> str:
    """A status's HTML ``content`` back to comparable text: tags removed, entities
    unescaped, paragraphs and line breaks as spaces, whitespace collapsed."""
    text = re.sub(r"<br\s*/?>|</p>\s*<p[^>]*>", " ", content, flags=re.I)
    text = html.unescape(_TAG.sub("", text))
    return " ".join(text.split())


def _comparable(text: str) -> str:
    """``text`` as :func:`plain_text` gives it back: remote mentions shortened, blanks collapsed."""
    return " ".join(_REMOTE_MENTION.sub(r"@\1", text).split())


class MastodonPlatform:
    """Publishes as one Mastodon account. Build it with :class:`MastodonFactory`."""

    name = "mastodon"
    thread_safe = True

    def __init__(
        self,
        http: HttpClient,
        *,
        capabilities: Capabilities = MASTODON_CAPABILITIES,
        storage: Any = None,
        visibility: str = "public",
        find_limit: int = 20,
        media_wait: float = 60.0,
        clock: Clock = utcnow,
        sleep: Sleep = time.sleep,
    ) -> None:
        self.capabilities = capabilities
        self._http = http
        self._storage = storage
        self._visibility = visibility
        self._find_limit = find_limit
        self._media_wait = media_wait
        self._clock = clock
        self._sleep = sleep
        self._claims = Claims()
        self._lock = threading.Lock()
        self._account_id: str | None = None
        self._generation: dict[str, int] = {}

    def __repr__(self) -> str:
        return f"MastodonPlatform({self._http.base_url!r})"

    # -- the Platform protocol ---------------------------------------------------

    def publish(self, post: Post) -> Receipt:
        """Upload the media, post the status, then the thread replies."""
        text = text_of(post)
        check_capabilities(post, self.capabilities, platform=self.name, text=text)
        require_storage(self._storage, post, platform=self.name)
        media_ids = [self._upload(media) for media in post.media]
        key = self._key(post.id)
        root = self._status(text, media_ids, None, f"{key}-0", f"publish post {post.id}")
        replies: list[dict[str, Any]] = []
        try:
            previous = str(root["id"])
            for number, reply_text in enumerate(post.thread, start=1):
                reply = self._status(
                    reply_text, [], previous, f"{key}-{number}", f"reply {number} of post {post.id}"
                )
                replies.append(reply)
                previous = str(reply["id"])
        except PlatformError:
            self._undo(post.id, [str(r["id"]) for r in reversed(replies)] + [str(root["id"])])
            raise
        self._claims.claim(str(root["id"]), post.id)
        return self._receipt(post, root, [str(r["id"]) for r in replies], now=True)

    def delete(self, receipt: Receipt) -> None:
        """Delete the replies (last first), then the status; already gone is fine."""
        for status_id in (*reversed(receipt.part_ids), receipt.remote_id):
            self._delete_one(status_id)
        self._claims.forget(receipt.remote_id)

    def find(self, post: Post) -> Receipt | None:
        """The receipt of ``post`` if the account's latest statuses hold its text."""
        wanted = _comparable(text_of(post))
        if not wanted:
            return None
        account = self._account()
        statuses = self._http.json(
            "GET",
            f"/api/v1/accounts/{account}/statuses",
            params={"limit": self._find_limit, "exclude_reblogs": "true"},
            what="read the account's latest statuses",
        )
        if not isinstance(statuses, list):
            raise TransientError(
                f"{self.name}: the list of statuses is not a list; try again later",
                platform=self.name,
            )
        oldest_first = [s for s in reversed(statuses) if isinstance(s, dict) and s.get("id")]
        roots = (
            s
            for s in oldest_first
            if not s.get("in_reply_to_id") and plain_text(str(s.get("content") or "")) == wanted
        )
        root = self._claims.pick(post.id, roots, lambda s: str(s["id"]))
        if root is None:
            return None
        self._claims.claim(str(root["id"]), post.id)
        replies: list[str] = []
        previous = str(root["id"])
        for reply_text in post.thread:
            expected = _comparable(reply_text)
            reply = next(
                (
                    s
                    for s in oldest_first
                    if str(s.get("in_reply_to_id")) == previous
                    and plain_text(str(s.get("content") or "")) == expected
                ),
                None,
            )
            if reply is None:
                break
            previous = str(reply["id"])
            replies.append(previous)
        return self._receipt(post, root, replies, now=False)

    # -- helpers -----------------------------------------------------------------

    def _key(self, post_id: str) -> str:
        with self._lock:
            generation = self._generation.get(post_id, 0)
        return f"terrain-{post_id}-g{generation}"

    def _status(
        self, text: str, media_ids: list[str], reply_to: str | None, key: str, what: str
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"status": text, "visibility": self._visibility}
        if media_ids:
            body["media_ids"] = media_ids
        if reply_to is not None:
            body["in_reply_to_id"] = reply_to
        answer = self._http.json(
            "POST",
            "/api/v1/statuses",
            json=body,
            headers={"Idempotency-Key": key},
            what=what,
            writes=True,
        )
        if not isinstance(answer, dict) or not answer.get("id"):
            raise TransientError(
                f"{self.name}: the instance accepted {what} but returned no id; "
                "terrain looks the post up before any retry",
                platform=self.name,
            )
        return answer

    def _upload(self, media: PostMedia) -> str:
        data = read_media(self._storage, media.key, platform=self.name)
        limit = self.capabilities.max_media_bytes
        if limit is not None and len(data) > limit:
            raise Rejected(
                f"{self.name}: media {media.key!r} is {len(data)} bytes, at most {limit} are "
                "accepted: resize it",
                platform=self.name,
            )
        fields = {"description": media.alt_text} if media.alt_text else {}
        answer = self._http.json(
            "POST",
            "/api/v2/media",
            files={"file": (media.key.rsplit("/", 1)[-1], data, media.media_type)},
            data=fields,
            what=f"upload media {media.key!r}",
        )
        media_id = str(answer.get("id") or "") if isinstance(answer, dict) else ""
        if not media_id:
            raise TransientError(
                f"{self.name}: the instance accepted media {media.key!r} but returned no id",
                platform=self.name,
            )
        waited, pause = 0.0, 0.5
        while answer.get("url") is None:  # 202: still processing
            if waited >= self._media_wait:
                raise TransientError(
                    f"{self.name}: media {media.key!r} was still processing after "
                    f"{self._media_wait:g} s; try again later",
                    platform=self.name,
                )
            self._sleep(pause)
            waited += pause
            pause = min(pause * 2, 5.0)
            response = self._http.call(
                "GET", f"/api/v1/media/{media_id}", what=f"check media {media.key!r}"
            )
            answer = response.json() if response.status == 200 else {"url": None}
            if not isinstance(answer, dict):
                answer = {"url": None}
        return media_id

    def _account(self) -> str:
        with self._lock:
            if self._account_id is not None:
                return self._account_id
        answer = self._http.json(
            "GET", "/api/v1/accounts/verify_credentials", what="read the account"
        )
        account = str(answer.get("id") or "") if isinstance(answer, dict) else ""
        if not account:
            raise TransientError(
                f"{self.name}: the instance did not say which account the token belongs to",
                platform=self.name,
            )
        with self._lock:
            self._account_id = account
        return account

    def metrics(self, receipt: Receipt) -> Metrics:
        """The status's favourites (``likes``), boosts (``reposts``) and replies
        (``GET /api/v1/statuses/:id``); ``gone`` when the instance answers 404."""
        response = self._http.call(
            "GET",
            f"/api/v1/statuses/{receipt.remote_id}",
            what=f"read the counts of status {receipt.remote_id}",
            ok=(200, 404, 410),
        )
        at = self._clock()
        if response.status != 200:
            return Metrics(self.name, receipt.post_id, receipt.remote_id, at, gone=True)
        try:
            status = response.json()
        except ValueError:
            status = None
        if not isinstance(status, dict):
            raise TransientError(
                f"{self.name}: the status {receipt.remote_id} came back unreadable; try again "
                "later",
                platform=self.name,
            )
        counts = {
            ours: status[theirs]
            for theirs, ours in (
                ("favourites_count", "likes"),
                ("reblogs_count", "reposts"),
                ("replies_count", "replies"),
            )
            if isinstance(status.get(theirs), int) and status[theirs] >= 0
        }
        return Metrics(self.name, receipt.post_id, receipt.remote_id, at, counts)

    def _delete_one(self, status_id: str) -> None:
        # 404: already gone, which is what was asked
        self._http.call(
            "DELETE",
            f"/api/v1/statuses/{status_id}",
            what=f"delete status {status_id}",
            ok=(200, 204, 404),
        )

    def _undo(self, post_id: str, status_ids: list[str]) -> None:
        with self._lock:
            # the instance remembers an Idempotency-Key for an hour: a retry after
            # this undo must not be answered with the status deleted here
            self._generation[post_id] = self._generation.get(post_id, 0) + 1
        for status_id in status_ids:
            with contextlib.suppress(PlatformError):  # the error that made us undo matters more
                self._delete_one(status_id)

    def _receipt(
        self, post: Post, root: Mapping[str, Any], replies: list[str], *, now: bool
    ) -> Receipt:
        published = None if now else instant(root.get("created_at"))
        return Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=str(root["id"]),
            published_at=published or self._clock(),
            url=str(root.get("url") or f"{self._http.base_url}/statuses/{root['id']}"),
            part_ids=tuple(replies),
        )


class MastodonFactory:
    """Builds the ``mastodon`` platform from ``[platforms.mastodon]`` and the token.

    ``clock`` dates receipts and reads rate-limit resets; ``sleep`` waits
    between checks of a media still processing (tests pass a no-op).
    """

    name = "mastodon"

    def __init__(self, *, clock: Clock = utcnow, sleep: Sleep = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep

    def capabilities_for(self, settings: Mapping[str, Any]) -> Capabilities:
        """What the instance accepts: :data:`MASTODON_CAPABILITIES` with its
        ``max_characters`` (known without the token)."""
        limit = int(number_setting(settings, "max_characters", 500, 1, 100_000, table="mastodon"))
        return attrs.evolve(MASTODON_CAPABILITIES, max_text_length=limit)

    def __call__(self, context: PlatformContext) -> Platform:
        """A :class:`MastodonPlatform` for the instance and account of the token."""
        settings = context.settings
        instance = https_url(
            settings.get("instance"),
            key="instance",
            table="mastodon",
            example="https://mastodon.social",
        )
        visibility = settings.get("visibility", "public")
        if visibility not in VISIBILITIES:
            raise ConfigError(
                f"[platforms.mastodon] visibility = {visibility!r}: give one of "
                + ", ".join(repr(v) for v in VISIBILITIES)
            )
        timeout = number_setting(settings, "timeout", 30, 0.1, 300, table="mastodon")
        find_limit = int(number_setting(settings, "find_limit", 20, 1, 40, table="mastodon"))
        media_wait = number_setting(settings, "media_wait", 60, 0, 600, table="mastodon")
        capabilities = self.capabilities_for(settings)
        token: Secret = context.secrets.get(TOKEN_VARIABLE, purpose="publish on Mastodon")
        _redact.register(token.reveal())

        def headers() -> dict[str, str]:
            return {"Authorization": f"Bearer {token.reveal()}"}

        http = HttpClient(
            instance,
            platform=self.name,
            timeout=timeout,
            headers=headers,
            clock=self._clock,
            auth_hint=(
                f"Check {TOKEN_VARIABLE}: a token of this instance's account with the "
                "write:statuses, write:media and read scopes (Preferences → Development)."
            ),
        )
        return MastodonPlatform(
            http,
            capabilities=capabilities,
            storage=context.storage,
            visibility=str(visibility),
            find_limit=find_limit,
            media_wait=media_wait,
            clock=self._clock,
            sleep=self._sleep,
        )
