"""The X platform (API v2 through tweepy 4.x, OAuth 1.0a user context).

- Post: images uploaded with :mod:`terrain_adapters._x_media` (v2 media
  upload; alt text with ``POST /2/media/metadata``), then
  ``tweepy.Client.create_tweet(text=…, media_ids=[…])``; each ``Post.thread``
  text is a reply with ``in_reply_to_tweet_id``. If a reply fails, what was
  already posted is deleted again so a retry starts clean.
- Delete: ``Client.delete_tweet`` for the replies (last first) and the root; a
  post already gone is fine.
- Find: ``Client.get_users_tweets`` on the account's latest posts
  (``find_limit``, 20 by default, retweets excluded), matching the exact text
  this adapter would send after undoing X's rewriting (``t.co`` links expanded,
  the media link removed, HTML entities unescaped). Older posts are not seen.
- Metrics: ``Client.get_tweets([id], tweet_fields=["public_metrics"])``: likes,
  reposts, replies, quotes, bookmarks and impressions; a post X no longer has
  is ``gone``.
- Errors: ``TooManyRequests`` → ``RateLimited`` (seconds until
  ``x-rate-limit-reset``), 5xx → ``TransientError``, 401 → ``AuthError``, 403
  → ``Rejected`` with X's message (``AuthError`` when X says the app lacks
  write permission), timeouts and connection errors → ``TransientError``.
  ``wait_on_rate_limit`` is never used; every request has a timeout.

Checks: :func:`terrain.plugins.check_capabilities` on the text as sent, counted
as X counts it (twitter-text v3, ``X_CAPABILITIES.text_counting == "twitter"``);
media are read with :func:`terrain_adapters._shared.read_media`.
``XFactory.capabilities_for`` answers :data:`X_CAPABILITIES` without the tokens
(a dry run needs none).

Secrets: ``TERRAIN_X_API_KEY``, ``TERRAIN_X_API_SECRET``,
``TERRAIN_X_ACCESS_TOKEN``, ``TERRAIN_X_ACCESS_TOKEN_SECRET``. Settings
(``[platforms.x]``, all optional): ``timeout``, ``find_limit``, ``user_id``
(else the numeric prefix of the access token, as tweepy itself does).
Importing this module does not import tweepy.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from terrain.errors import (
    AuthError,
    ConfigError,
    MissingSecret,
    PlatformError,
    RateLimited,
    Rejected,
    TransientError,
)
from terrain.plugins import check_capabilities
from terrain.posts import Capabilities, Metrics, Post, PostMedia, Receipt, text_length
from terrain_adapters import _redact
from terrain_adapters._claims import Claims
from terrain_adapters._shared import (
    Clock,
    http_timeout,
    instant,
    read_media,
    require_storage,
    text_with_link,
    traced,
    utcnow,
)

if TYPE_CHECKING:
    from terrain.plugins import Platform, PlatformContext, Storage
    from terrain_adapters._x_media import MediaUploader

__all__ = [
    "SECRET_VARIABLES",
    "X_CAPABILITIES",
    "XFactory",
    "XPlatform",
    "text_of",
    "weighted_length",
]

log = logging.getLogger(__name__)

SECRET_VARIABLES = (
    "TERRAIN_X_API_KEY",
    "TERRAIN_X_API_SECRET",
    "TERRAIN_X_ACCESS_TOKEN",
    "TERRAIN_X_ACCESS_TOKEN_SECRET",
)
DEFAULT_TIMEOUT = 30.0
#: How long an uploaded media id is reused for the same bytes and alt text (X
#: keeps uploaded images for 24 hours).
MEDIA_REUSE = timedelta(hours=12)

X_CAPABILITIES = Capabilities(
    max_text_length=280,
    max_media=4,
    media_types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"}),
    max_media_bytes=5 * 1024 * 1024,
    alt_text=True,
    max_alt_text_length=1000,
    mentions=True,
    threads=True,
    delete=True,
    url_length=23,
    text_counting="twitter",
)


#: X's ``public_metrics`` names, and terrain's.
_X_METRICS = {
    "impression_count": "impressions",
    "like_count": "likes",
    "retweet_count": "reposts",
    "reply_count": "replies",
    "quote_count": "quotes",
    "bookmark_count": "saves",
}


def weighted_length(text: str, *, url_length: int = 23) -> int:
    """The length X counts (twitter-text v3): :func:`terrain.posts.text_length`
    with X's capabilities; each URL counts ``url_length``."""
    return text_length(text, attrs.evolve(X_CAPABILITIES, url_length=url_length))


def text_of(post: Post) -> str:
    """The text sent as the first post: text, ``@handle`` mentions, then the link."""
    return text_with_link(post)


def _normalized(tweet: Mapping[str, Any]) -> str:
    """A returned post's text as it was sent: entities undone, links expanded."""
    text = str(tweet.get("text") or "")
    for url in (tweet.get("entities") or {}).get("urls") or []:
        short = url.get("url")
        if not short:
            continue
        if url.get("media_key"):
            text = text.replace(short, "")
        elif url.get("expanded_url"):
            text = text.replace(short, str(url["expanded_url"]))
    return html.unescape(text).strip()


class Connection(NamedTuple):
    """What talking to X needs: tweepy's client, the media uploader, the account id."""

    client: Any
    uploader: MediaUploader
    user_id: str


class XPlatform:
    """Publishes as one X account. Build it with :class:`XFactory`."""

    name = "x"
    capabilities = X_CAPABILITIES

    def __init__(
        self,
        connect: Callable[[], Connection],
        *,
        storage: Storage | None,
        find_limit: int = 20,
        clock: Clock = utcnow,
    ) -> None:
        self._connect = connect
        self._connection: Connection | None = None
        self._connect_lock = threading.Lock()
        self._storage = storage
        self._find_limit = find_limit
        self._clock = clock
        self._uploaded: dict[tuple[str, str, str], tuple[str, datetime]] = {}
        self._lock = threading.Lock()
        self._claims = Claims()

    def __repr__(self) -> str:
        state = "connected" if self._connection is not None else "not connected yet"
        return f"XPlatform({state})"

    def _connected(self) -> Connection:
        """The tweepy client, the uploader and the account id, made at the first call
        (so that a platform can be built, e.g. for a dry run, without the tokens)."""
        with self._connect_lock:
            if self._connection is None:
                try:
                    self._connection = self._connect()
                except (MissingSecret, ConfigError) as exc:
                    raise AuthError(f"x: {exc}", platform=self.name) from None
            return self._connection

    @property
    def _client(self) -> Any:
        return self._connected().client

    @property
    def _uploader(self) -> MediaUploader:
        return self._connected().uploader

    @property
    def _user_id(self) -> str:
        return self._connected().user_id

    def _media_id(self, media: PostMedia) -> str:
        """Upload ``media`` (with its alt text), or reuse the id of the same bytes
        uploaded less than :data:`MEDIA_REUSE` ago (a retry after a 429 or a
        failed reply does not upload the photos again)."""
        data = read_media(self._storage, media.key, platform=self.name)
        cache_key = (hashlib.sha256(data).hexdigest(), media.media_type, media.alt_text)
        now = self._clock()
        with self._lock:
            cached = self._uploaded.get(cache_key)
        if cached is not None and now - cached[1] < MEDIA_REUSE:
            return cached[0]
        media_id = self._uploader.upload(data, media.media_type)
        if media.alt_text:
            self._uploader.set_alt_text(media_id, media.alt_text)
        with self._lock:
            self._uploaded = {k: v for k, v in self._uploaded.items() if now - v[1] < MEDIA_REUSE}
            self._uploaded[cache_key] = (media_id, now)
        return media_id

    def publish(self, post: Post) -> Receipt:
        """Upload the images, post the text, then the thread replies."""
        text = text_of(post)
        self._check(post, text)
        media_ids: list[str] = []
        with self._mapped("upload media"):
            for media in post.media:
                media_ids.append(self._media_id(media))
        with self._mapped("create the post"):
            answer = self._client.create_tweet(text=text or None, media_ids=media_ids or None)
        root = _tweet_id(answer)
        replies: list[str] = []
        try:
            previous = root
            for reply_text in post.thread:
                with self._mapped("reply in the thread"):
                    answer = self._client.create_tweet(
                        text=reply_text, in_reply_to_tweet_id=previous
                    )
                previous = _tweet_id(answer)
                replies.append(previous)
        except PlatformError:
            self._undo([*reversed(replies), root])
            raise
        self._claims.claim(root, post.id)
        return Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=root,
            published_at=self._clock(),
            url=f"https://x.com/i/web/status/{root}",
            part_ids=tuple(replies),
        )

    def delete(self, receipt: Receipt) -> None:
        """Delete the thread replies (last first), then the post; already gone is fine."""
        for tweet_id in (*reversed(receipt.part_ids), receipt.remote_id):
            self._delete_one(tweet_id)
        self._claims.forget(receipt.remote_id)

    def find(self, post: Post) -> Receipt | None:
        """The receipt of ``post`` if the account's latest posts hold its exact text."""
        text = text_of(post).strip()
        if not text:
            return None
        with self._mapped("read the account's latest posts"):
            answer = self._client.get_users_tweets(
                self._user_id,
                max_results=self._find_limit,
                exclude=["retweets"],
                tweet_fields=["created_at", "entities", "referenced_tweets"],
                user_auth=True,
            )
        tweets = [t for t in (answer or {}).get("data") or [] if isinstance(t, dict)]
        # the API lists newest first: walk oldest first to follow the thread forwards
        tweets.reverse()
        root = self._claims.pick(
            post.id, (t for t in tweets if _normalized(t) == text), lambda t: str(t["id"])
        )
        if root is None:
            return None
        self._claims.claim(str(root["id"]), post.id)
        replies: list[str] = []
        previous = str(root["id"])
        for reply_text in post.thread:
            reply = next(
                (
                    t
                    for t in tweets
                    if _replies_to(t, previous) and _normalized(t) == reply_text.strip()
                ),
                None,
            )
            if reply is None:
                break
            previous = str(reply["id"])
            replies.append(previous)
        return Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=str(root["id"]),
            published_at=instant(root.get("created_at")) or self._clock(),
            url=f"https://x.com/i/web/status/{root['id']}",
            part_ids=tuple(replies),
        )

    def metrics(self, receipt: Receipt) -> Metrics:
        """The post's public metrics (``GET /2/tweets`` with ``public_metrics``):
        likes, reposts, replies, quotes, bookmarks (``saves``) and impressions;
        ``gone`` when X says the post does not exist any more."""
        with self._mapped(f"read the metrics of post {receipt.remote_id}"):
            answer = self._client.get_tweets(
                [receipt.remote_id], tweet_fields=["public_metrics"], user_auth=True
            )
        found = next(
            (
                t
                for t in (answer or {}).get("data") or []
                if isinstance(t, dict) and str(t.get("id")) == receipt.remote_id
            ),
            None,
        )
        at = self._clock()
        if found is None:
            missing = any(
                str(e.get("resource_id") or e.get("value")) == receipt.remote_id
                for e in (answer or {}).get("errors") or []
                if isinstance(e, dict)
            )
            if not missing:
                raise TransientError(
                    f"x: no metrics came back for post {receipt.remote_id}; try again later",
                    platform=self.name,
                )
            return Metrics(self.name, receipt.post_id, receipt.remote_id, at, gone=True)
        public = found.get("public_metrics") or {}
        counts = {
            ours: int(public[theirs])
            for theirs, ours in _X_METRICS.items()
            if isinstance(public.get(theirs), int)
        }
        return Metrics(self.name, receipt.post_id, receipt.remote_id, at, counts)

    # -- helpers ---------------------------------------------------------------

    def _check(self, post: Post, text: str) -> None:
        check_capabilities(post, self.capabilities, platform=self.name, text=text)
        require_storage(self._storage, post, platform=self.name)

    def _delete_one(self, tweet_id: str) -> None:
        import tweepy

        with self._mapped(f"delete post {tweet_id}"):
            try:
                self._client.delete_tweet(tweet_id)
            except tweepy.NotFound:
                return  # already gone: that is what we wanted

    def _undo(self, tweet_ids: list[str]) -> None:
        for tweet_id in tweet_ids:
            # the error that made us undo matters more; find() will see leftovers
            with contextlib.suppress(PlatformError):
                self._delete_one(tweet_id)

    @contextmanager
    def _mapped(self, what: str) -> Iterator[None]:
        """One call to X: traced at DEBUG, failures as PlatformError subclasses."""
        with traced(log, self.name, what), self._errors(what):
            yield

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        """Turn tweepy and requests failures into terrain's PlatformError subclasses."""
        import requests
        import tweepy

        try:
            yield
        except tweepy.TooManyRequests as exc:
            retry_after: float | None = None
            if exc.reset_time is not None:
                retry_after = max(0.0, float(exc.reset_time) - self._clock().timestamp())
            raise RateLimited(
                f"x: rate limit reached while trying to {what}: {_messages(exc)}",
                retry_after=retry_after,
                platform=self.name,
            ) from None
        except tweepy.Unauthorized as exc:
            raise AuthError(
                f"x: X refused the credentials (401) while trying to {what}: {_messages(exc)}. "
                "Check TERRAIN_X_API_KEY, TERRAIN_X_API_SECRET, TERRAIN_X_ACCESS_TOKEN and "
                "TERRAIN_X_ACCESS_TOKEN_SECRET (regenerate them after changing app permissions).",
                platform=self.name,
            ) from None
        except tweepy.Forbidden as exc:
            message = _messages(exc)
            lowered = message.casefold()
            if "oauth1" in lowered or "app permissions" in lowered or "not-enrolled" in lowered:
                raise AuthError(
                    f"x: X says the app may not {what} (403): {message}. Give the app "
                    "'Read and write' permission and regenerate the access token.",
                    platform=self.name,
                ) from None
            raise Rejected(f"x: X refused to {what} (403): {message}", platform=self.name) from None
        except tweepy.TwitterServerError as exc:
            raise TransientError(
                f"x: X failed while trying to {what} ({_messages(exc)}); try again later",
                platform=self.name,
            ) from None
        except tweepy.HTTPException as exc:
            raise Rejected(
                f"x: X refused to {what}: {_messages(exc)}", platform=self.name
            ) from None
        except tweepy.TweepyException as exc:
            raise Rejected(
                f"x: could not {what}: {_redact.redact(exc)}", platform=self.name
            ) from None
        except (requests.Timeout, TimeoutError):
            raise TransientError(
                f"x: timed out while trying to {what}; try again later", platform=self.name
            ) from None
        except requests.RequestException as exc:
            raise TransientError(
                f"x: could not reach X to {what} ({type(exc).__name__}); try again later",
                platform=self.name,
            ) from None


def _messages(exc: Any) -> str:
    """X's own words from a tweepy HTTPException (its str), secrets masked."""
    return _redact.redact(str(exc).replace("\n", " ").strip())


def _tweet_id(answer: Any) -> str:
    data = (answer or {}).get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict) or not data.get("id"):
        raise Rejected("x: X accepted the post but returned no id", platform="x")
    return str(data["id"])


def _replies_to(tweet: Mapping[str, Any], parent: str) -> bool:
    return any(
        ref.get("type") == "replied_to" and str(ref.get("id")) == parent
        for ref in tweet.get("referenced_tweets") or []
    )


def _number(
    settings: Mapping[str, Any], key: str, default: float, low: float, high: float
) -> float:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(
            f"[platforms.x] {key} = {value!r}: give a number from {low:g} to {high:g}"
        )
    return float(value)


class XFactory:
    """Builds the ``x`` platform from ``[platforms.x]`` and the ``TERRAIN_X_*`` secrets.

    ``clock`` dates receipts and computes ``retry_after``; ``simple_limit`` and
    ``chunk_size`` tune the media upload (tests use small ones).
    """

    name = "x"

    def __init__(
        self,
        *,
        clock: Clock = utcnow,
        simple_limit: int | None = None,
        chunk_size: int | None = None,
    ) -> None:
        self._clock = clock
        self._simple_limit = simple_limit
        self._chunk_size = chunk_size

    def capabilities_for(self, settings: Mapping[str, Any]) -> Capabilities:
        """What X accepts (:data:`X_CAPABILITIES`), known without the tokens."""
        return X_CAPABILITIES

    def __call__(self, context: PlatformContext) -> Platform:
        """An :class:`XPlatform` signed with the account's OAuth 1.0a credentials."""
        settings = context.settings
        timeout = _number(settings, "timeout", DEFAULT_TIMEOUT, 1, 300)
        find_limit = int(_number(settings, "find_limit", 20, 5, 100))
        # Secrets are looked up now (a missing one is a MissingSecret naming it, as
        # Workspace.platform promises) but revealed only when the client is made.
        key, key_secret, token, token_secret = (
            context.secrets.get(name, purpose="publish on X") for name in SECRET_VARIABLES
        )
        for secret in (key, key_secret, token, token_secret):
            _redact.register(secret.reveal())
        user_id = str(settings.get("user_id") or token.reveal().partition("-")[0])
        if not user_id.isdigit():
            raise ConfigError(
                "[platforms.x] user_id is not set and TERRAIN_X_ACCESS_TOKEN does not start "
                'with the account id: set user_id = "<numeric id>"'
            )
        simple_limit, chunk_size = self._simple_limit, self._chunk_size

        def connect() -> Connection:
            import tweepy

            from terrain_adapters._x_media import CHUNK_SIZE, SIMPLE_LIMIT, MediaUploader

            client = tweepy.Client(
                consumer_key=key.reveal(),
                consumer_secret=key_secret.reveal(),
                access_token=token.reveal(),
                access_token_secret=token_secret.reveal(),
                return_type=dict,
                wait_on_rate_limit=False,
            )
            client.session = _timeout_session(timeout)
            auth = tweepy.OAuth1UserHandler(
                key.reveal(), key_secret.reveal(), token.reveal(), token_secret.reveal()
            ).apply_auth()
            uploader = MediaUploader(
                client.session,
                auth,
                timeout=http_timeout(timeout),
                simple_limit=simple_limit or SIMPLE_LIMIT,
                chunk_size=chunk_size or CHUNK_SIZE,
            )
            return Connection(client=client, uploader=uploader, user_id=user_id)

        return XPlatform(connect, storage=context.storage, find_limit=find_limit, clock=self._clock)


def _timeout_session(timeout: float) -> Any:
    """A :class:`requests.Session` whose requests all get ``timeout`` unless given one
    (tweepy's ``Client.request`` passes none)."""
    import requests

    class TimeoutSession(requests.Session):
        def request(self, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = http_timeout(timeout)
            return super().request(method, url, *args, **kwargs)

    return TimeoutSession()
