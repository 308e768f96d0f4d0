"""The Bluesky platform: posts on an AT Protocol PDS, through its XRPC API.

terrain calls the few XRPC procedures it needs over ``requests`` instead of
the ``atproto`` SDK: seven endpoints do not justify its dependencies (pydantic
models, a CBOR/CAR stack, its own HTTP client) nor its import time, and over
``requests`` the timeouts, the error mapping and the token masking are the
ones every other adapter uses, tested against the same kind of fakes.

- Session: ``com.atproto.server.createSession`` (``identifier`` = the handle,
  ``password`` = an app password) once per platform, at the first call; the
  access token is refreshed with ``com.atproto.server.refreshSession`` when
  the PDS says ``ExpiredToken`` (createSession is limited to 30 per 5
  minutes and 300 a day per account, so it is never called per post).
- Images: ``com.atproto.repo.uploadBlob`` (the bytes, at most 1,000,000
  each), then an ``app.bsky.embed.images`` embed with ``alt`` and
  ``aspectRatio`` (width and height read with Pillow).
- Post: ``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post``
  record (``text``, ``createdAt``, ``facets``, ``embed``). Facets are
  computed here with UTF-8 byte offsets: links (``http(s)://``),
  mentions (``@handle``, resolved with ``com.atproto.identity.resolveHandle``;
  a handle that does not resolve stays plain text) and hashtags. Each
  ``Post.thread`` text is a reply (``reply.root`` and ``reply.parent``); if a
  reply fails, what was already posted is deleted so a retry starts clean.
- Delete: ``com.atproto.repo.deleteRecord`` for the replies (last first),
  then the post; a record already gone is fine.
- Find: ``com.atproto.repo.listRecords`` of the account's latest posts
  (``find_limit``), matching the exact text (Bluesky keeps it as sent).

Length: 300 graphemes (``text_counting = "graphemes"``) and 3,000 bytes of
UTF-8. Secret: ``TERRAIN_BLUESKY_APP_PASSWORD``. Settings
(``[platforms.bluesky]``): ``handle`` (required), ``service``, ``timeout``,
``find_limit``.
"""

from __future__ import annotations

import contextlib
import io
import re
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from terrain.errors import ConfigError, PlatformError, Rejected, TransientError
from terrain.plugins import Platform, PlatformContext, check_capabilities
from terrain.posts import Capabilities, Metrics, Post, PostMedia, Receipt
from terrain.secrets import Secret
from terrain_adapters import _redact
from terrain_adapters._claims import Claims
from terrain_adapters._http import HttpClient, Response, https_url, number_setting
from terrain_adapters._shared import (
    Clock,
    instant,
    read_media,
    require_storage,
    text_with_link,
    utcnow,
)

__all__ = [
    "BLUESKY_CAPABILITIES",
    "DEFAULT_SERVICE",
    "MAX_TEXT_BYTES",
    "SECRET_VARIABLE",
    "BlueskyFactory",
    "BlueskyPlatform",
    "facets_of",
    "text_of",
]

SECRET_VARIABLE = "TERRAIN_BLUESKY_APP_PASSWORD"
DEFAULT_SERVICE = "https://bsky.social"
POST = "app.bsky.feed.post"
#: ``app.bsky.feed.post`` text: at most 300 graphemes and 3,000 bytes.
MAX_TEXT_BYTES = 3000

BLUESKY_CAPABILITIES = Capabilities(
    max_text_length=300,
    max_media=4,
    media_types=frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"}),
    max_media_bytes=1_000_000,
    alt_text=True,
    mentions=True,
    threads=True,
    delete=True,
    text_counting="graphemes",
)

_LINK = re.compile(r"https?://[^\s<>\"]+", re.I)
_MENTION = re.compile(r"(?<![\w@])@((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*)", re.I)
_TAG = re.compile(r"(?<![\w#&])#([^\s#\d\W][^\s#]*|\d+[^\s#\d\W][^\s#]*)")
_TRAILING = ".,;:!?)\"'»"


def text_of(post: Post) -> str:
    """The post text: the text, ``@handle`` for each mention, then the link."""
    return text_with_link(post)


def _byte_span(text: str, start: int, end: int) -> dict[str, int]:
    begin = len(text[:start].encode("utf-8"))
    return {"byteStart": begin, "byteEnd": begin + len(text[start:end].encode("utf-8"))}


def _trim(value: str) -> str:
    while value and value[-1] in _TRAILING:
        if value[-1] == ")" and value.count("(") >= value.count(")"):
            break
        value = value[:-1]
    return value


def facets_of(text: str, resolve: Any = None) -> list[dict[str, Any]]:
    """The ``app.bsky.richtext.facet`` list of ``text``: links, mentions, hashtags.

    Offsets are UTF-8 bytes, as the lexicon says. ``resolve(handle)`` gives a
    mention's DID (``None``: the handle stays plain text); without it, no
    mention facet is made.
    """
    facets: list[dict[str, Any]] = []
    taken: list[tuple[int, int]] = []
    for match in _LINK.finditer(text):
        uri = _trim(match.group())
        end = match.start() + len(uri)
        taken.append((match.start(), end))
        facets.append(
            {
                "index": _byte_span(text, match.start(), end),
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
            }
        )

    def free(start: int) -> bool:
        return not any(s <= start < e for s, e in taken)

    if resolve is not None:
        for match in _MENTION.finditer(text):
            if not free(match.start()):
                continue
            did = resolve(match.group(1).lower())
            if did:
                facets.append(
                    {
                        "index": _byte_span(text, match.start(), match.end()),
                        "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
                    }
                )
    for match in _TAG.finditer(text):
        tag = _trim(match.group(1))
        if not tag or not free(match.start()) or len(tag) > 64:
            continue
        facets.append(
            {
                "index": _byte_span(text, match.start(), match.start() + 1 + len(tag)),
                "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
            }
        )
    return sorted(facets, key=lambda f: f["index"]["byteStart"])


def aspect_ratio(data: bytes) -> dict[str, int] | None:
    """``{"width", "height"}`` of an image, or ``None`` if Pillow cannot read it."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:  # an image Pillow cannot read: Bluesky shows it without the ratio
        return None
    return {"width": width, "height": height} if width > 0 and height > 0 else None


class _Session:
    def __init__(self, did: str, access: str, refresh: str) -> None:
        self.did, self.access, self.refresh = did, access, refresh


class BlueskyPlatform:
    """Publishes as one Bluesky account. Build it with :class:`BlueskyFactory`."""

    name = "bluesky"
    capabilities = BLUESKY_CAPABILITIES
    thread_safe = True

    def __init__(
        self,
        http: HttpClient,
        *,
        handle: str,
        password: Secret,
        storage: Any = None,
        find_limit: int = 25,
        clock: Clock = utcnow,
    ) -> None:
        self._http = http
        self._handle = handle
        self._password = password
        self._storage = storage
        self._find_limit = find_limit
        self._clock = clock
        self._claims = Claims()
        self._lock = threading.Lock()
        self._signing_in = threading.Lock()
        self._session: _Session | None = None
        self._dids: dict[str, str | None] = {}

    def __repr__(self) -> str:
        return f"BlueskyPlatform({self._http.base_url!r}, handle={self._handle!r})"

    # -- the Platform protocol ---------------------------------------------------

    def publish(self, post: Post) -> Receipt:
        """Upload the images, create the post record, then the thread replies."""
        text = text_of(post)
        check_capabilities(post, self.capabilities, platform=self.name, text=text)
        require_storage(self._storage, post, platform=self.name)
        for part in (text, *post.thread):
            size = len(part.encode("utf-8"))
            if size > MAX_TEXT_BYTES:
                raise Rejected(
                    f"{self.name}: post {post.id} has a text of {size} bytes in UTF-8, at most "
                    f"{MAX_TEXT_BYTES} are accepted: shorten it",
                    platform=self.name,
                )
        images = [self._image(media) for media in post.media]
        record: dict[str, Any] = self._record(text)
        if images:
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}
        root = self._create(record, f"publish post {post.id}")
        replies: list[dict[str, str]] = []
        try:
            parent = root
            for number, reply_text in enumerate(post.thread, start=1):
                reply = self._record(reply_text)
                reply["reply"] = {"root": root, "parent": parent}
                parent = self._create(reply, f"reply {number} of post {post.id}")
                replies.append(parent)
        except PlatformError:
            for made in [*reversed(replies), root]:
                with contextlib.suppress(PlatformError):  # the first error matters more
                    self._delete_record(made["uri"])
            raise
        self._claims.claim(root["uri"], post.id)
        return self._receipt(post, root["uri"], [r["uri"] for r in replies], self._clock())

    def delete(self, receipt: Receipt) -> None:
        """Delete the replies (last first), then the post; already gone is fine."""
        for uri in (*reversed(receipt.part_ids), receipt.remote_id):
            self._delete_record(uri)
        self._claims.forget(receipt.remote_id)

    def find(self, post: Post) -> Receipt | None:
        """The receipt of ``post`` if the account's latest posts hold its exact text."""
        text = text_of(post)
        if not text.strip():
            return None
        session = self._ensure_session()
        answer = self._xrpc(
            "GET",
            "com.atproto.repo.listRecords",
            what="read the account's latest posts",
            params={"repo": session.did, "collection": POST, "limit": self._find_limit},
        ).json()
        records = answer.get("records") if isinstance(answer, dict) else None
        if not isinstance(records, list):
            raise TransientError(
                f"{self.name}: listRecords returned no list of records; try again later",
                platform=self.name,
            )
        oldest_first = [
            r for r in reversed(records) if isinstance(r, dict) and isinstance(r.get("value"), dict)
        ]
        roots = (
            r
            for r in oldest_first
            if not r["value"].get("reply") and r["value"].get("text") == text
        )
        root = self._claims.pick(post.id, roots, lambda r: str(r["uri"]))
        if root is None:
            return None
        self._claims.claim(str(root["uri"]), post.id)
        replies: list[str] = []
        parent = str(root["uri"])
        for reply_text in post.thread:
            reply = next(
                (
                    r
                    for r in oldest_first
                    if ((r["value"].get("reply") or {}).get("parent") or {}).get("uri") == parent
                    and r["value"].get("text") == reply_text
                ),
                None,
            )
            if reply is None:
                break
            parent = str(reply["uri"])
            replies.append(parent)
        created = instant(root["value"].get("createdAt"))
        return self._receipt(post, str(root["uri"]), replies, created or self._clock())

    # -- records -----------------------------------------------------------------

    def _record(self, text: str) -> dict[str, Any]:
        now = self._clock().astimezone(UTC).isoformat(timespec="milliseconds")
        record: dict[str, Any] = {
            "$type": POST,
            "text": text,
            "createdAt": now.replace("+00:00", "Z"),
        }
        facets = facets_of(text, self._resolve)
        if facets:
            record["facets"] = facets
        return record

    def _create(self, record: dict[str, Any], what: str) -> dict[str, str]:
        session = self._ensure_session()
        answer = self._xrpc(
            "POST",
            "com.atproto.repo.createRecord",
            what=what,
            writes=True,
            json={"repo": session.did, "collection": POST, "record": record},
        ).json()
        if not isinstance(answer, dict) or not answer.get("uri") or not answer.get("cid"):
            raise TransientError(
                f"{self.name}: the PDS accepted {what} but returned no uri; terrain looks "
                "the post up before any retry",
                platform=self.name,
            )
        return {"uri": str(answer["uri"]), "cid": str(answer["cid"])}

    def metrics(self, receipt: Receipt) -> Metrics:
        """The post's likes, reposts, replies and quotes (``app.bsky.feed.getPosts``,
        proxied by the PDS to the AppView); ``gone`` when the AppView no longer
        returns it."""
        answer = self._xrpc(
            "GET",
            "app.bsky.feed.getPosts",
            what=f"read the counts of post {receipt.remote_id}",
            params={"uris": receipt.remote_id},
        ).json()
        posts = answer.get("posts") if isinstance(answer, dict) else None
        if not isinstance(posts, list):
            raise TransientError(
                f"{self.name}: getPosts returned no list of posts; try again later",
                platform=self.name,
            )
        at = self._clock()
        found = next(
            (p for p in posts if isinstance(p, dict) and p.get("uri") == receipt.remote_id), None
        )
        if found is None:
            return Metrics(self.name, receipt.post_id, receipt.remote_id, at, gone=True)
        counts = {
            ours: found[theirs]
            for theirs, ours in (
                ("likeCount", "likes"),
                ("repostCount", "reposts"),
                ("replyCount", "replies"),
                ("quoteCount", "quotes"),
            )
            if isinstance(found.get(theirs), int) and found[theirs] >= 0
        }
        return Metrics(self.name, receipt.post_id, receipt.remote_id, at, counts)

    def _delete_record(self, uri: str) -> None:
        repo, collection, rkey = _parts(uri)
        response = self._xrpc(
            "POST",
            "com.atproto.repo.deleteRecord",
            what=f"delete {uri}",
            json={"repo": repo, "collection": collection, "rkey": rkey},
            also_ok=(400,),
        )
        if response.status == 400:
            error = _error_name(response)
            if error not in ("RecordNotFound", "InvalidRequest"):
                raise self._http.error_for(response, f"delete {uri}")

    def _image(self, media: PostMedia) -> dict[str, Any]:
        data = read_media(self._storage, media.key, platform=self.name)
        limit = self.capabilities.max_media_bytes or 0
        if len(data) > limit:
            raise Rejected(
                f"{self.name}: image {media.key!r} is {len(data)} bytes, at most {limit} are "
                "accepted: resize it",
                platform=self.name,
            )
        answer = self._xrpc(
            "POST",
            "com.atproto.repo.uploadBlob",
            what=f"upload image {media.key!r}",
            data=data,
            headers={"Content-Type": media.media_type},
        ).json()
        blob = answer.get("blob") if isinstance(answer, dict) else None
        if not isinstance(blob, dict):
            raise TransientError(
                f"{self.name}: uploadBlob returned no blob for {media.key!r}", platform=self.name
            )
        image: dict[str, Any] = {"alt": media.alt_text, "image": blob}
        ratio = aspect_ratio(data)
        if ratio is not None:
            image["aspectRatio"] = ratio
        return image

    def _resolve(self, handle: str) -> str | None:
        with self._lock:
            if handle in self._dids:
                return self._dids[handle]
        response = self._xrpc(
            "GET",
            "com.atproto.identity.resolveHandle",
            what=f"resolve @{handle}",
            params={"handle": handle},
            also_ok=(400,),
        )
        did = None
        if response.status == 200:
            answer = response.json()
            did = str(answer.get("did") or "") or None if isinstance(answer, dict) else None
        with self._lock:
            self._dids[handle] = did
        return did

    def _receipt(self, post: Post, uri: str, replies: list[str], at: datetime) -> Receipt:
        repo, _, rkey = _parts(uri)
        return Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=uri,
            published_at=at,
            url=f"https://bsky.app/profile/{repo}/post/{rkey}",
            part_ids=tuple(replies),
        )

    # -- the session and the calls -------------------------------------------------

    def _ensure_session(self) -> _Session:
        # one sign-in at a time: createSession is limited to 30 per 5 minutes
        with self._signing_in:
            with self._lock:
                if self._session is not None:
                    return self._session
            answer = self._http.json(
                "POST",
                "/xrpc/com.atproto.server.createSession",
                what="sign in",
                json={"identifier": self._handle, "password": self._password.reveal()},
                auth=False,
            )
            session = self._session_from(answer)
            with self._lock:
                self._session = session
            return session

    def _session_from(self, answer: Any) -> _Session:
        if not isinstance(answer, dict) or not all(
            isinstance(answer.get(k), str) and answer.get(k)
            for k in ("did", "accessJwt", "refreshJwt")
        ):
            raise TransientError(
                f"{self.name}: the PDS answered the sign-in without a session; try again later",
                platform=self.name,
            )
        _redact.register(answer["accessJwt"])
        _redact.register(answer["refreshJwt"])
        return _Session(answer["did"], answer["accessJwt"], answer["refreshJwt"])

    def _refresh(self, stale: _Session) -> None:
        """A new access token (refreshSession, else a new session)."""
        response = self._http.call(
            "POST",
            "/xrpc/com.atproto.server.refreshSession",
            what="refresh the session",
            auth=False,
            headers={"Authorization": f"Bearer {stale.refresh}"},
            ok=(200, 400, 401),
        )
        with self._lock:
            if self._session is not stale:
                return  # another thread refreshed it already
            self._session = self._session_from(response.json()) if response.status == 200 else None
        if response.status != 200:
            self._ensure_session()

    def _xrpc(
        self,
        method: str,
        nsid: str,
        *,
        what: str,
        also_ok: tuple[int, ...] = (),
        headers: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> Response:
        for attempt in (1, 2):
            session = self._ensure_session()
            sent = {"Authorization": f"Bearer {session.access}", **(headers or {})}
            response = self._http.call(
                method,
                f"/xrpc/{nsid}",
                what=what,
                headers=sent,
                ok=(200, 400, 401),
                **kwargs,
            )
            if response.status == 200:
                return response
            if attempt == 1 and _error_name(response) in ("ExpiredToken", "InvalidToken"):
                self._refresh(session)
                continue
            if response.status in also_ok:
                return response
            raise self._http.error_for(response, what)
        raise AssertionError("unreachable")  # pragma: no cover


def _error_name(response: Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    return str(body.get("error") or "") if isinstance(body, dict) else ""


def _parts(uri: str) -> tuple[str, str, str]:
    """``at://repo/collection/rkey`` as its three parts."""
    parts = uri.removeprefix("at://").split("/")
    if not uri.startswith("at://") or len(parts) != 3 or not all(parts):
        raise Rejected(
            f"bluesky: {uri!r} is not an at:// record URI; it does not come from this adapter",
            platform="bluesky",
        )
    return parts[0], parts[1], parts[2]


class BlueskyFactory:
    """Builds the ``bluesky`` platform from ``[platforms.bluesky]`` and
    ``TERRAIN_BLUESKY_APP_PASSWORD``. ``clock`` dates records and receipts."""

    name = "bluesky"

    def __init__(self, *, clock: Clock = utcnow) -> None:
        self._clock = clock

    def capabilities_for(self, settings: Mapping[str, Any]) -> Capabilities:
        """What a Bluesky post accepts (:data:`BLUESKY_CAPABILITIES`), known without secrets."""
        return BLUESKY_CAPABILITIES

    def __call__(self, context: PlatformContext) -> Platform:
        """A :class:`BlueskyPlatform` signed in (at its first call) as ``handle``."""
        settings = context.settings
        handle = settings.get("handle")
        if not isinstance(handle, str) or not handle.strip() or handle.startswith("@"):
            raise ConfigError(
                f'[platforms.bluesky] handle = {handle!r}: set handle = "name.bsky.social" '
                "(the account's handle without @, or its did:plc:…)"
            )
        service = https_url(
            settings.get("service", DEFAULT_SERVICE),
            key="service",
            table="bluesky",
            example=DEFAULT_SERVICE,
        )
        timeout = number_setting(settings, "timeout", 30, 0.1, 300, table="bluesky")
        find_limit = int(number_setting(settings, "find_limit", 25, 1, 100, table="bluesky"))
        password = context.secrets.get(SECRET_VARIABLE, purpose="publish on Bluesky")
        _redact.register(password.reveal())
        http = HttpClient(
            service,
            platform=self.name,
            timeout=timeout,
            clock=self._clock,
            auth_hint=(
                f"Check {SECRET_VARIABLE} (an app password: Settings → Privacy and security → "
                "App passwords) and [platforms.bluesky] handle."
            ),
        )
        return BlueskyPlatform(
            http,
            handle=handle.strip(),
            password=password,
            storage=context.storage,
            find_limit=find_limit,
            clock=self._clock,
        )
