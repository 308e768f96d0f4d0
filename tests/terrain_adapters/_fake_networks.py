"""Fakes of the Mastodon, Bluesky and LinkedIn APIs, as their references describe them.

Each answers the calls terrain's adapters make with the shapes of the
network's API reference, and nothing more:

- Mastodon (docs.joinmastodon.org, methods/media, methods/statuses,
  methods/accounts, entities/Status, entities/MediaAttachment, api/rate-limits):
  ``POST /api/v2/media`` answers 202 with ``"url": null`` and
  ``GET /api/v1/media/:id`` 206 until processed, then 200; ``POST
  /api/v1/statuses`` honours ``Idempotency-Key`` and refuses media still
  processing with 422; ``content`` is HTML; a 429 carries
  ``X-RateLimit-Reset`` as an ISO 8601 instant.
- Bluesky (docs.bsky.app, the ``com.atproto`` lexicons, advanced-guides/rate-limits):
  ``createSession``/``refreshSession`` give JWTs, an expired one answers 400
  ``ExpiredToken``; ``uploadBlob`` gives a ``blob``; ``createRecord`` gives
  ``uri`` and ``cid``; ``listRecords`` lists newest first; ``deleteRecord``
  of a missing record succeeds; a 429 is ``RateLimitExceeded`` with
  ``ratelimit-reset`` (epoch seconds).
- LinkedIn (learn.microsoft.com, Posts API and Images API, versioned 2.0.0
  Rest.li): every request needs ``LinkedIn-Version`` and
  ``X-Restli-Protocol-Version``; ``initializeUpload`` gives ``uploadUrl`` and
  an image URN; ``POST /rest/posts`` answers 201 with ``x-restli-id``; the
  author finder answers ``elements``; errors carry ``status``,
  ``serviceErrorCode`` and ``message``; a 429 has no reset header (daily
  quotas reset at midnight UTC).
"""

from __future__ import annotations

import hashlib
import html
import itertools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from ._fake_server import Answer, FakeNetwork, Request, as_json

MASTODON_TOKEN = "SENTINEL-MASTODON-TOKEN-123"
BLUESKY_PASSWORD = "sentinel-app-pass-word"
LINKEDIN_TOKEN = "SENTINEL-LINKEDIN-TOKEN-123"


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# -- Mastodon ---------------------------------------------------------------------


def mastodon_html(text: str, instance: str) -> str:
    """Plain text rendered the way Mastodon's TextFormatter renders a local status."""
    url = re.compile(r"https?://[^\s<]+")
    mention = re.compile(r"(?<![=/\w])@([a-z0-9_]+)(?:@([\w.-]+\w))?", re.I)

    def link(match: re.Match[str]) -> str:
        href = match.group()
        scheme, _, rest = href.partition("://")
        shown, hidden = rest[:30], rest[30:]
        ellipsis = "ellipsis" if hidden else ""
        return (
            f'<a href="{href}" target="_blank" rel="nofollow noopener noreferrer">'
            f'<span class="invisible">{scheme}://</span><span class="{ellipsis}">{shown}</span>'
            f'<span class="invisible">{hidden}</span></a>'
        )

    def person(match: re.Match[str]) -> str:
        user, domain = match.group(1), match.group(2) or instance
        return (
            f'<span class="h-card" translate="no"><a href="https://{domain}/@{user}" '
            f'class="u-url mention">@<span>{user}</span></a></span>'
        )

    paragraphs = []
    for paragraph in re.split(r"\n\n+", text.strip()):
        escaped = html.escape(paragraph, quote=False)
        escaped = url.sub(link, escaped)
        escaped = mention.sub(person, escaped)
        paragraphs.append("<p>" + escaped.replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


class FakeMastodon(FakeNetwork):
    """A Mastodon instance with one account."""

    instance = "mastodon.example"

    def __init__(self, *, now: Callable[[], datetime], token: str = MASTODON_TOKEN) -> None:
        super().__init__(now=now)
        self.token = token
        self.statuses: dict[str, dict[str, Any]] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self._checks: dict[str, int] = {}
        self._keys: dict[str, str] = {}
        self._ids = itertools.count(113_500_000_000_000_001)
        self._media_ids = itertools.count(22_348_641)
        self.account = {"id": "109302", "username": "velolyon", "acct": "velolyon"}
        self.route("GET", r"/api/v1/accounts/verify_credentials", "find", self._me)
        self.route("GET", r"/api/v1/accounts/(?P<id>\d+)/statuses", "find", self._timeline)
        self.route("POST", r"/api/v2/media", "upload", self._upload)
        self.route("GET", r"/api/v1/media/(?P<id>\d+)", "upload", self._media_state)
        self.route("POST", r"/api/v1/statuses", "publish", self._create)
        self.route("DELETE", r"/api/v1/statuses/(?P<id>\d+)", "delete", self._delete)
        self.route("GET", r"/api/v1/statuses/(?P<id>\d+)", "metrics", self._status)

    def authorized(self, request: Request) -> bool:
        return request.header("authorization") == f"Bearer {self.token}"

    def rate_limited(self, retry_after: float | None) -> Answer:
        reset = self.now() + timedelta(seconds=retry_after or 300)
        return as_json(
            429,
            {"error": "Too many requests"},
            {
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": _iso(reset),
            },
        )

    def _me(self, request: Request) -> Answer:
        return as_json(200, {**self.account, "display_name": "Vélo Lyon", "locked": False})

    def _timeline(self, request: Request) -> Answer:
        limit = int(request.query.get("limit", ["20"])[0])
        newest = sorted(self.statuses.values(), key=lambda s: int(s["id"]), reverse=True)
        return as_json(200, newest[:limit])

    def _upload(self, request: Request) -> Answer:
        form = request.form()
        if not isinstance(form.get("file"), bytes):
            return as_json(422, {"error": "Validation failed: File can't be blank"})
        media_id = str(next(self._media_ids))
        self.media[media_id] = {
            "id": media_id,
            "type": "image",
            "url": None,
            "preview_url": f"https://files.{self.instance}/small/{media_id}.png",
            "remote_url": None,
            "meta": {"original": {"width": 1, "height": 1, "size": "1x1", "aspect": 1.0}},
            "description": form.get("description"),
            "blurhash": "UFBWY:8_0Jxv",
            "bytes": len(form["file"]),
        }
        self._checks[media_id] = 0
        shown = {k: v for k, v in self.media[media_id].items() if k != "bytes"}
        return as_json(202, shown)

    def _media_state(self, request: Request) -> Answer:
        media_id = request.params["id"]
        media = self.media.get(media_id)
        if media is None:
            return as_json(404, {"error": "Record not found"})
        self._checks[media_id] += 1
        shown = {k: v for k, v in media.items() if k != "bytes"}
        if self._checks[media_id] < 1:
            return as_json(206, shown)
        media["url"] = f"https://files.{self.instance}/original/{media_id}.png"
        return as_json(200, {**shown, "url": media["url"]})

    def _create(self, request: Request) -> Answer:
        key = request.header("idempotency-key")
        if key and key in self._keys:
            status = self.statuses.get(self._keys[key])
            if status is None:
                return as_json(404, {"error": "Record not found"})
            return as_json(200, status)
        body = request.json()
        media_ids = [str(m) for m in body.get("media_ids") or []]
        if any(self.media.get(m, {}).get("url") is None for m in media_ids):
            return as_json(
                422,
                {
                    "error": "Cannot attach files that have not finished processing. "
                    "Try again in a moment!"
                },
            )
        reply_to = body.get("in_reply_to_id")
        if reply_to is not None and reply_to not in self.statuses:
            return as_json(404, {"error": "Record not found"})
        status_id = str(next(self._ids))
        status = {
            "id": status_id,
            "created_at": _iso(self.now()),
            "in_reply_to_id": reply_to,
            "in_reply_to_account_id": self.account["id"] if reply_to else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": body.get("visibility", "public"),
            "language": "fr",
            "uri": f"https://{self.instance}/users/velolyon/statuses/{status_id}",
            "url": f"https://{self.instance}/@velolyon/{status_id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "content": mastodon_html(body.get("status", ""), self.instance),
            "reblog": None,
            "account": self.account,
            "media_attachments": [
                {k: v for k, v in self.media[m].items() if k != "bytes"} for m in media_ids
            ],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        self.statuses[status_id] = status
        if key:
            self._keys[key] = status_id
        return as_json(200, status)

    def _status(self, request: Request) -> Answer:
        status = self.statuses.get(request.params["id"])
        if status is None:
            return as_json(404, {"error": "Record not found"})
        return as_json(200, status)

    def _delete(self, request: Request) -> Answer:
        status = self.statuses.pop(request.params["id"], None)
        if status is None:
            return as_json(404, {"error": "Record not found"})
        return as_json(
            200, {**status, "text": html.unescape(re.sub(r"<[^>]+>", "", status["content"]))}
        )


# -- Bluesky ----------------------------------------------------------------------

_B32 = "234567abcdefghijklmnopqrstuvwxyz"


class FakeBluesky(FakeNetwork):
    """A PDS with one account, and the handles it can resolve."""

    did = "did:plc:velolyon7x2k4m5n6p7q"

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        handle: str = "velolyon.bsky.social",
        password: str = BLUESKY_PASSWORD,
        known: dict[str, str] | None = None,
    ) -> None:
        super().__init__(now=now)
        self.handle = handle
        self.password = password
        self.known = {handle: self.did, **(known or {})}
        self.records: dict[str, dict[str, Any]] = {}
        self.blobs: dict[str, bytes] = {}
        self.sessions = 0
        self._tokens = itertools.count(1)
        self._access: set[str] = set()
        self._refresh: set[str] = set()
        self._expired: set[str] = set()
        self._tid = itertools.count(1)
        x = r"/xrpc/"
        self.route("POST", x + r"com\.atproto\.server\.createSession", "session", self._session)
        self.route("POST", x + r"com\.atproto\.server\.refreshSession", "session", self._renew)
        self.route("POST", x + r"com\.atproto\.repo\.uploadBlob", "upload", self._blob)
        self.route("POST", x + r"com\.atproto\.repo\.createRecord", "publish", self._create)
        self.route("POST", x + r"com\.atproto\.repo\.deleteRecord", "delete", self._delete)
        self.route("GET", x + r"com\.atproto\.repo\.listRecords", "find", self._list)
        self.route("GET", x + r"com\.atproto\.identity\.resolveHandle", "resolve", self._resolve)
        self.route("GET", x + r"app\.bsky\.feed\.getPosts", "metrics", self._posts)

    def error(self, status: int, message: str) -> Answer:
        name = {
            401: "AuthenticationRequired",
            429: "RateLimitExceeded",
            400: "InvalidRequest",
            422: "InvalidRequest",
        }.get(status, "InternalServerError")
        return as_json(status, {"error": name, "message": message})

    def rate_limited(self, retry_after: float | None) -> Answer:
        reset = self.now().timestamp() + (retry_after or 3600)
        return as_json(
            429,
            {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
            {
                "ratelimit-limit": "5000",
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(int(reset)),
                "ratelimit-policy": "5000;w=3600",
            },
        )

    def authorized(self, request: Request) -> bool:
        if "createSession" in request.path or "refreshSession" in request.path:
            return True
        token = request.header("authorization").removeprefix("Bearer ")
        return token in self._access or token in self._expired

    def expire_access_tokens(self) -> None:
        """Every access token given so far expires (the next call says ExpiredToken)."""
        self._expired |= self._access
        self._access.clear()

    def _tokens_answer(self) -> Answer:
        number = next(self._tokens)
        access, refresh = f"eyJ-access-{number}-sentinel", f"eyJ-refresh-{number}-sentinel"
        self._access.add(access)
        self._refresh.add(refresh)
        return as_json(
            200,
            {
                "did": self.did,
                "handle": self.handle,
                "email": "bonjour@velolyon.example",
                "emailConfirmed": True,
                "accessJwt": access,
                "refreshJwt": refresh,
                "active": True,
            },
        )

    def _expired_or(self, request: Request) -> Answer | None:
        token = request.header("authorization").removeprefix("Bearer ")
        if token in self._expired:
            return as_json(400, {"error": "ExpiredToken", "message": "Token has expired"})
        return None

    def _session(self, request: Request) -> Answer:
        body = request.json()
        if (
            body.get("identifier") not in (self.handle, self.did)
            or body.get("password") != self.password
        ):
            return as_json(
                401,
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
            )
        self.sessions += 1
        return self._tokens_answer()

    def _renew(self, request: Request) -> Answer:
        token = request.header("authorization").removeprefix("Bearer ")
        if token not in self._refresh:
            return as_json(400, {"error": "ExpiredToken", "message": "Token has been revoked"})
        self._refresh.discard(token)
        return self._tokens_answer()

    def _blob(self, request: Request) -> Answer:
        expired = self._expired_or(request)
        if expired:
            return expired
        if len(request.body) > 1_000_000:
            return as_json(400, {"error": "BlobTooLarge", "message": "This file is too large"})
        cid = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:52]
        self.blobs[cid] = request.body
        return as_json(
            200,
            {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": cid},
                    "mimeType": request.header("content-type"),
                    "size": len(request.body),
                }
            },
        )

    def _new_rkey(self) -> str:
        number = int(self.now().timestamp() * 1_000_000) * 1024 + next(self._tid)
        chars = []
        for _ in range(13):
            chars.append(_B32[number & 31])
            number >>= 5
        return "".join(reversed(chars))

    def _create(self, request: Request) -> Answer:
        expired = self._expired_or(request)
        if expired:
            return expired
        body = request.json()
        record = body.get("record") or {}
        if body.get("repo") != self.did or body.get("collection") != "app.bsky.feed.post":
            return as_json(
                400, {"error": "InvalidRequest", "message": "Invalid repo or collection"}
            )
        text = record.get("text", "")
        if len(text.encode()) > 3000:
            return as_json(
                400,
                {
                    "error": "InvalidRequest",
                    "message": "Invalid app.bsky.feed.post record: Record/text must not be longer "
                    "than 3000 characters",
                },
            )
        for image in (record.get("embed") or {}).get("images") or []:
            if image["image"]["ref"]["$link"] not in self.blobs:
                return as_json(400, {"error": "InvalidRequest", "message": "Could not find blob"})
        rkey = self._new_rkey()
        uri = f"at://{self.did}/app.bsky.feed.post/{rkey}"
        cid = "bafyrei" + hashlib.sha256(uri.encode()).hexdigest()[:52]
        self.records[uri] = {"uri": uri, "cid": cid, "value": record}
        return as_json(
            200,
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": "bafyreicommit" + rkey, "rev": rkey},
                "validationStatus": "valid",
            },
        )

    def _delete(self, request: Request) -> Answer:
        expired = self._expired_or(request)
        if expired:
            return expired
        body = request.json()
        uri = f"at://{body.get('repo')}/{body.get('collection')}/{body.get('rkey')}"
        self.records.pop(uri, None)  # deleting a missing record succeeds
        return as_json(200, {"commit": {"cid": "bafyreicommit", "rev": "3l"}})

    def _list(self, request: Request) -> Answer:
        expired = self._expired_or(request)
        if expired:
            return expired
        limit = int(request.query.get("limit", ["50"])[0])
        newest = sorted(self.records.values(), key=lambda r: r["uri"], reverse=True)[:limit]
        answer: dict[str, Any] = {"records": newest}
        if newest:
            answer["cursor"] = newest[-1]["uri"].rsplit("/", 1)[-1]
        return as_json(200, answer)

    def _posts(self, request: Request) -> Answer:
        """The AppView's view of posts: missing ones are left out, as the AppView does."""
        expired = self._expired_or(request)
        if expired:
            return expired
        views = []
        for uri in request.query.get("uris", []):
            record = self.records.get(uri)
            if record is not None:
                views.append(
                    {
                        "uri": uri,
                        "cid": record.get("cid", "bafyreipost"),
                        "author": {"did": self.did, "handle": self.handle},
                        "record": record["value"],
                        "likeCount": record.get("likes", 0),
                        "repostCount": record.get("reposts", 0),
                        "replyCount": 0,
                        "quoteCount": 0,
                        "indexedAt": _iso(self.now()),
                    }
                )
        return as_json(200, {"posts": views})

    def _resolve(self, request: Request) -> Answer:
        handle = request.query.get("handle", [""])[0]
        did = self.known.get(handle)
        if did is None:
            return as_json(400, {"error": "InvalidRequest", "message": "Unable to resolve handle"})
        return as_json(200, {"did": did})


# -- LinkedIn ---------------------------------------------------------------------


class FakeLinkedIn(FakeNetwork):
    """The Posts and Images APIs for one organization."""

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        organization: str = "2414183",
        token: str = LINKEDIN_TOKEN,
    ) -> None:
        super().__init__(now=now)
        self.token = token
        self.author = f"urn:li:organization:{organization}"
        self.posts: dict[str, dict[str, Any]] = {}
        self.deleted: set[str] = set()
        self.images: dict[str, bytes | None] = {}
        self._ids = itertools.count(7_170_000_000_000_000_001)
        self.route("POST", r"/rest/images", "upload", self._initialize)
        self.route("PUT", r"/dms-uploads/(?P<image>[\w-]+)/uploaded-image/0", "upload", self._put)
        self.route("POST", r"/rest/posts", "publish", self._create)
        self.route("GET", r"/rest/posts", "find", self._find)
        self.route("DELETE", r"/rest/posts/(?P<urn>[^/]+)", "delete", self._delete)
        self.route("GET", r"/rest/socialActions/(?P<urn>[^/]+)", "metrics", self._social)

    def error(self, status: int, message: str) -> Answer:
        codes = {401: 65600, 403: 100, 429: 101, 422: 0, 400: 0}
        return as_json(
            status, {"status": status, "serviceErrorCode": codes.get(status, 0), "message": message}
        )

    def rate_limited(self, retry_after: float | None) -> Answer:
        return as_json(
            429,
            {
                "status": 429,
                "serviceErrorCode": 101,
                "code": "TOO_MANY_REQUESTS",
                "message": "Resource level throttle APPLICATION DAY limit for calls to this "
                "resource is reached.",
            },
        )

    def authorized(self, request: Request) -> bool:
        return request.header("authorization") == f"Bearer {self.token}"

    def _versioned(self, request: Request) -> Answer | None:
        if not re.fullmatch(r"20\d{4}", request.header("linkedin-version")):
            return self.error(
                400,
                "A version must be present. Please specify a version by adding the "
                "LinkedIn-Version header.",
            )
        if request.header("x-restli-protocol-version") != "2.0.0":
            return self.error(400, "Rest.li protocol version 2.0.0 is required")
        return None

    def _initialize(self, request: Request) -> Answer:
        refused = self._versioned(request)
        if refused or request.query.get("action") != ["initializeUpload"]:
            return refused or self.error(400, "Unsupported action")
        owner = request.json()["initializeUploadRequest"]["owner"]
        if owner != self.author:
            return self.error(403, "Not enough permissions to access: images.initializeUpload")
        image = f"C4E10AQ{next(self._ids)}"
        self.images[image] = None
        return as_json(
            200,
            {
                "value": {
                    "uploadUrlExpiresAt": int(self.now().timestamp() * 1000) + 86_400_000,
                    "uploadUrl": f"{self.url}/dms-uploads/{image}/uploaded-image/0?ca=vector_ads"
                    "&cn=uploads&sync=0&v=beta&ut=2H-IhpbfXrRow1",
                    "image": f"urn:li:image:{image}",
                }
            },
        )

    def _put(self, request: Request) -> Answer:
        image = request.params["image"]
        if image not in self.images:
            return self.error(404, "Upload URL not found")
        self.images[image] = request.body
        return 201, {}, b""

    def _create(self, request: Request) -> Answer:
        refused = self._versioned(request)
        if refused:
            return refused
        body = request.json()
        if body.get("author") != self.author:
            return self.error(403, "Not enough permissions to access: posts.CREATE")
        if len(body.get("commentary", "")) > 3000:
            return self.error(422, "/commentary :: length of 3001 exceeds max length of 3000")
        content = body.get("content") or {}
        media = (
            [content["media"]]
            if "media" in content
            else (content.get("multiImage") or {}).get("images", [])
        )
        for item in media:
            image = item["id"].removeprefix("urn:li:image:")
            if self.images.get(image) is None:
                return self.error(400, f"Image {item['id']} was not uploaded")
        urn = f"urn:li:share:{next(self._ids)}"
        millis = int(self.now().timestamp() * 1000)
        self.posts[urn] = {
            **body,
            "id": urn,
            "createdAt": millis,
            "lastModifiedAt": millis,
            "publishedAt": millis,
            "lifecycleStateInfo": {"isEditedByAuthor": False},
        }
        return 201, {"x-restli-id": urn, "Content-Length": "0"}, b""

    def _find(self, request: Request) -> Answer:
        refused = self._versioned(request)
        if refused:
            return refused
        if request.query.get("q") != ["author"] or request.query.get("author") != [self.author]:
            return self.error(400, "Invalid finder query")
        count = int(request.query.get("count", ["10"])[0])
        newest = sorted(self.posts.values(), key=lambda p: p["id"], reverse=True)[:count]
        return as_json(
            200,
            {
                "paging": {"start": 0, "count": count, "links": [], "total": len(self.posts)},
                "elements": newest,
            },
        )

    def _social(self, request: Request) -> Answer:
        refused = self._versioned(request)
        if refused:
            return refused
        urn = unquote(request.params["urn"])
        post = self.posts.get(urn)
        if post is None:
            return self.error(404, f"Post {urn} not found")
        return as_json(
            200,
            {
                "target": urn,
                "likesSummary": {"totalLikes": post.get("likes", 0), "likedByCurrentUser": False},
                "commentsSummary": {"totalFirstLevelComments": 0, "aggregatedTotalComments": 0},
            },
        )

    def _delete(self, request: Request) -> Answer:
        refused = self._versioned(request)
        if refused:
            return refused
        urn = unquote(request.params["urn"])
        if self.posts.pop(urn, None) is not None or urn in self.deleted:
            self.deleted.add(urn)
            return 204, {}, b""
        return self.error(404, f"Post {urn} not found")
