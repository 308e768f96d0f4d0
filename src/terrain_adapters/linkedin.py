"""The LinkedIn platform: posts on an organization (company) page.

Through LinkedIn's versioned REST API (Community Management: the Posts and
Images APIs), with the ``LinkedIn-Version: YYYYMM`` and
``X-Restli-Protocol-Version: 2.0.0`` headers on every request:

- Images: ``POST /rest/images?action=initializeUpload`` with
  ``{"initializeUploadRequest": {"owner": "urn:li:organization:…"}}`` gives an
  ``uploadUrl`` and an image URN; the bytes go to that URL with ``PUT``.
- Post: ``POST /rest/posts`` with ``author``, ``commentary``, ``visibility``
  ``PUBLIC``, ``distribution`` ``MAIN_FEED`` and ``lifecycleState``
  ``PUBLISHED``; one image as ``content.media`` (``id``, ``altText``),
  several (2–20) as ``content.multiImage.images``. LinkedIn answers ``201``
  with the post's URN in the ``x-restli-id`` header.
- Commentary is LinkedIn's *little text* format: the reserved characters
  ``| { } @ [ ] ( ) < > # \\ * _ ~`` are escaped with a backslash, or LinkedIn
  would read them as markup (and cut the text at an unmatched one).
- Delete: ``DELETE /rest/posts/{encoded URN}``; already gone (404) is fine.
- Find: ``GET /rest/posts?author=…&q=author&count=…&sortBy=LAST_MODIFIED``
  (the page's latest ``find_limit`` posts), matching the exact commentary.
- Errors: :mod:`terrain_adapters._http`. LinkedIn's limits are daily quotas
  reset at midnight UTC: a 429 without ``Retry-After`` waits until then.

Length: 3,000 characters of commentary. No threads (LinkedIn has none) and no
mentions (a mention needs the member's or organization's URN, not a handle).

Secret: ``TERRAIN_LINKEDIN_TOKEN`` (a 3-legged OAuth 2.0 access token of a page
administrator with ``w_organization_social`` and ``r_organization_social``).
Settings (``[platforms.linkedin]``): ``organization_id`` (required),
``api_version``, ``timeout``, ``find_limit``, ``base_url``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from terrain.errors import ConfigError, TransientError
from terrain.plugins import Platform, PlatformContext, check_capabilities
from terrain.posts import Capabilities, Metrics, Post, PostMedia, Receipt
from terrain_adapters import _redact
from terrain_adapters._claims import Claims
from terrain_adapters._http import HttpClient, https_url, number_setting
from terrain_adapters._shared import Clock, read_media, require_storage, text_with_link, utcnow

__all__ = [
    "DEFAULT_API_VERSION",
    "LINKEDIN_CAPABILITIES",
    "TOKEN_VARIABLE",
    "LinkedInFactory",
    "LinkedInPlatform",
    "commentary_of",
    "escape_little_text",
    "seconds_to_midnight_utc",
]

TOKEN_VARIABLE = "TERRAIN_LINKEDIN_TOKEN"
#: The ``LinkedIn-Version`` sent unless ``api_version`` says otherwise (LinkedIn
#: serves each monthly version for about a year).
DEFAULT_API_VERSION = "202601"
DEFAULT_BASE_URL = "https://api.linkedin.com"

LINKEDIN_CAPABILITIES = Capabilities(
    max_text_length=3000,
    max_media=20,
    media_types=frozenset({"image/jpeg", "image/png", "image/gif"}),
    alt_text=True,
    max_alt_text_length=4086,
    mentions=False,
    threads=False,
    delete=True,
)

_RESERVED = re.compile(r"([|{}@\[\]()<>#\\*_~])")
_VERSION = re.compile(r"^20\d\d(0[1-9]|1[0-2])$")


def escape_little_text(text: str) -> str:
    """``text`` with little text's reserved characters escaped by a backslash."""
    return _RESERVED.sub(r"\\\1", text)


def commentary_of(post: Post) -> str:
    """The commentary sent (and looked for by ``find``): text, link, escaped."""
    return escape_little_text(text_with_link(post))


def seconds_to_midnight_utc(now: datetime) -> float:
    """Seconds from ``now`` to the next midnight UTC, when LinkedIn's daily quotas reset."""
    utc = now.astimezone(UTC)
    midnight = datetime(utc.year, utc.month, utc.day, tzinfo=UTC) + timedelta(days=1)
    return (midnight - utc).total_seconds()


class LinkedInPlatform:
    """Publishes on one LinkedIn organization page. Build it with :class:`LinkedInFactory`."""

    name = "linkedin"
    capabilities = LINKEDIN_CAPABILITIES
    thread_safe = True

    def __init__(
        self,
        http: HttpClient,
        *,
        organization_id: str,
        storage: Any = None,
        find_limit: int = 20,
        clock: Clock = utcnow,
    ) -> None:
        self._http = http
        self._author = f"urn:li:organization:{organization_id}"
        self._storage = storage
        self._find_limit = find_limit
        self._clock = clock
        self._claims = Claims()

    def __repr__(self) -> str:
        return f"LinkedInPlatform(author={self._author!r})"

    def publish(self, post: Post) -> Receipt:
        """Upload the images, then create the post."""
        text = text_with_link(post)
        check_capabilities(post, self.capabilities, platform=self.name, text=text)
        require_storage(self._storage, post, platform=self.name)
        images = [(self._upload(media), media.alt_text) for media in post.media]
        body: dict[str, Any] = {
            "author": self._author,
            "commentary": commentary_of(post),
            "visibility": "PUBLIC",
            "distribution": {
                "feedDistribution": "MAIN_FEED",
                "targetEntities": [],
                "thirdPartyDistributionChannels": [],
            },
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            image_id, alt = images[0]
            body["content"] = {"media": {"id": image_id, **({"altText": alt} if alt else {})}}
        elif images:
            body["content"] = {
                "multiImage": {
                    "images": [{"id": i, **({"altText": a} if a else {})} for i, a in images]
                }
            }
        response = self._http.call(
            "POST", "/rest/posts", json=body, what=f"publish post {post.id}", writes=True
        )
        urn = response.headers.get("x-restli-id", "").strip()
        if not urn:
            raise TransientError(
                f"{self.name}: LinkedIn accepted post {post.id} but gave no x-restli-id; "
                "terrain looks the post up before any retry",
                platform=self.name,
            )
        self._claims.claim(urn, post.id)
        return self._receipt(post, urn, self._clock())

    def delete(self, receipt: Receipt) -> None:
        """Delete the post; already gone is fine."""
        self._http.call(
            "DELETE",
            f"/rest/posts/{quote(receipt.remote_id, safe='')}",
            what=f"delete post {receipt.remote_id}",
            ok=(200, 204, 404, 410),
        )
        self._claims.forget(receipt.remote_id)

    def metrics(self, receipt: Receipt) -> Metrics:
        """The post's likes and comments (``GET /rest/socialActions/{URN}``: its
        ``likesSummary`` and ``commentsSummary``); ``gone`` on 404 or 410.
        LinkedIn gives impressions only to its analytics programme: none here."""
        response = self._http.call(
            "GET",
            f"/rest/socialActions/{quote(receipt.remote_id, safe='')}",
            what=f"read the counts of post {receipt.remote_id}",
            ok=(200, 404, 410),
        )
        at = self._clock()
        if response.status != 200:
            return Metrics(self.name, receipt.post_id, receipt.remote_id, at, gone=True)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise TransientError(
                f"{self.name}: the counts of {receipt.remote_id} came back unreadable; try "
                "again later",
                platform=self.name,
            )
        likes = (answer.get("likesSummary") or {}).get("totalLikes")
        comments = answer.get("commentsSummary") or {}
        replies = comments.get("aggregatedTotalComments", comments.get("totalFirstLevelComments"))
        counts = {
            name: value
            for name, value in (("likes", likes), ("replies", replies))
            if isinstance(value, int) and value >= 0
        }
        return Metrics(self.name, receipt.post_id, receipt.remote_id, at, counts)

    def find(self, post: Post) -> Receipt | None:
        """The receipt of ``post`` if one of the page's latest posts has its commentary."""
        commentary = commentary_of(post)
        if not commentary.strip():
            return None
        query = (
            f"/rest/posts?author={quote(self._author, safe='')}&q=author"
            f"&count={self._find_limit}&sortBy=LAST_MODIFIED"
        )
        answer = self._http.json(
            "GET",
            query,
            headers={"X-RestLi-Method": "FINDER"},
            what="read the page's latest posts",
        )
        elements = answer.get("elements") if isinstance(answer, dict) else None
        if not isinstance(elements, list):
            raise TransientError(
                f"{self.name}: the list of posts has no elements; try again later",
                platform=self.name,
            )
        matches = (
            e
            for e in reversed(elements)
            if isinstance(e, dict) and e.get("id") and e.get("commentary") == commentary
        )
        found = self._claims.pick(post.id, matches, lambda e: str(e["id"]))
        if found is None:
            return None
        self._claims.claim(str(found["id"]), post.id)
        created = found.get("publishedAt") or found.get("createdAt")
        at = (
            datetime.fromtimestamp(created / 1000, tz=UTC)
            if isinstance(created, int | float) and not isinstance(created, bool)
            else self._clock()
        )
        return self._receipt(post, str(found["id"]), at)

    # -- helpers -----------------------------------------------------------------

    def _upload(self, media: PostMedia) -> str:
        data = read_media(self._storage, media.key, platform=self.name)
        answer = self._http.json(
            "POST",
            "/rest/images?action=initializeUpload",
            json={"initializeUploadRequest": {"owner": self._author}},
            what=f"start the upload of {media.key!r}",
        )
        value = answer.get("value") if isinstance(answer, dict) else None
        if not isinstance(value, dict) or not value.get("uploadUrl") or not value.get("image"):
            raise TransientError(
                f"{self.name}: initializeUpload gave no uploadUrl for {media.key!r}",
                platform=self.name,
            )
        self._http.call(
            "PUT",
            str(value["uploadUrl"]),
            data=data,
            headers={"Content-Type": "application/octet-stream"},
            what=f"upload {media.key!r}",
        )
        return str(value["image"])

    def _receipt(self, post: Post, urn: str, at: datetime) -> Receipt:
        return Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=urn,
            published_at=at,
            url=f"https://www.linkedin.com/feed/update/{urn}/",
        )


class LinkedInFactory:
    """Builds the ``linkedin`` platform from ``[platforms.linkedin]`` and
    ``TERRAIN_LINKEDIN_TOKEN``. ``clock`` dates receipts and quota resets."""

    name = "linkedin"

    def __init__(self, *, clock: Clock = utcnow) -> None:
        self._clock = clock

    def capabilities_for(self, settings: Mapping[str, Any]) -> Capabilities:
        """What a LinkedIn post accepts (:data:`LINKEDIN_CAPABILITIES`), known without the token."""
        return LINKEDIN_CAPABILITIES

    def __call__(self, context: PlatformContext) -> Platform:
        """A :class:`LinkedInPlatform` posting as the organization ``organization_id``."""
        settings = context.settings
        organization = settings.get("organization_id")
        if isinstance(organization, int) and not isinstance(organization, bool):
            organization = str(organization)
        if not isinstance(organization, str) or not organization.strip().isdigit():
            raise ConfigError(
                f"[platforms.linkedin] organization_id = {organization!r}: set "
                'organization_id = "<digits>" (the number in the page admin URL, '
                "linkedin.com/company/<digits>/admin)"
            )
        version = settings.get("api_version", DEFAULT_API_VERSION)
        if not isinstance(version, str) or not _VERSION.match(version):
            raise ConfigError(
                f"[platforms.linkedin] api_version = {version!r}: give a LinkedIn-Version "
                f'as YYYYMM, such as "{DEFAULT_API_VERSION}"'
            )
        base_url = https_url(
            settings.get("base_url", DEFAULT_BASE_URL),
            key="base_url",
            table="linkedin",
            example=DEFAULT_BASE_URL,
        )
        timeout = number_setting(settings, "timeout", 30, 0.1, 300, table="linkedin")
        find_limit = int(number_setting(settings, "find_limit", 20, 1, 100, table="linkedin"))
        token = context.secrets.get(TOKEN_VARIABLE, purpose="publish on the LinkedIn page")
        _redact.register(token.reveal())

        def headers() -> dict[str, str]:
            return {
                "Authorization": f"Bearer {token.reveal()}",
                "LinkedIn-Version": version,
                "X-Restli-Protocol-Version": "2.0.0",
            }

        http = HttpClient(
            base_url,
            platform=self.name,
            timeout=timeout,
            headers=headers,
            clock=self._clock,
            retry_after=seconds_to_midnight_utc,
            auth_hint=(
                f"Check {TOKEN_VARIABLE}: an access token (they last 60 days) of a page "
                "administrator, with the w_organization_social and r_organization_social "
                "scopes; renew it in the LinkedIn developer portal."
            ),
        )
        return LinkedInPlatform(
            http,
            organization_id=organization.strip(),
            storage=context.storage,
            find_limit=find_limit,
            clock=self._clock,
        )
