"""The ``{{ cookiecutter.platform }}`` platform: what terrain needs, over a JSON API.

Replace the three calls (``POST /posts``, ``GET /posts?post_id=…``,
``DELETE /posts/{id}``) with your network's; keep the rest: the capability
check before any call, a timeout on every request, each failure mapped to the
error that tells terrain whether to retry, and the token in no message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import terrain
from terrain.errors import AuthError, ConfigError, RateLimited, Rejected, TransientError
from terrain.plugins import PlatformContext, check_capabilities

NAME = "{{ cookiecutter.platform }}"
TOKEN_VARIABLE = "{{ cookiecutter.token_variable }}"

#: What a post may hold: terrain's composer fits posts to it, and publish()
#: refuses with Rejected what does not fit.
CAPABILITIES = terrain.Capabilities(
    max_text_length=500,
    max_media=4,
    alt_text=True,
    mentions=True,
    threads=False,
    delete=True,
)


class Platform:
    """Publishes to one account of {{ cookiecutter.platform }}."""

    name = NAME
    capabilities = CAPABILITIES
    #: A fresh connection per call: terrain may call it from several threads.
    thread_safe = True

    def __init__(self, base_url: str, token: terrain.secrets.Secret, timeout: float) -> None:
        self._base = base_url.rstrip("/")
        self._token = token
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"Platform({self._base!r})"  # never the token

    def publish(self, post: terrain.Post) -> terrain.Receipt:
        """Send ``post``; the receipt names what ``delete`` will remove."""
        check_capabilities(post, self.capabilities, platform=self.name)
        body = {"post_id": post.id, "text": post.text_with_mentions(), "media": len(post.media)}
        answer = self._call("POST", "/posts", body, what=f"publish post {post.id}", writes=True)
        return self._receipt(post.id, answer)

    def find(self, post: terrain.Post) -> terrain.Receipt | None:
        """The receipt of ``post`` if it is out already (after a timeout, a crash)."""
        path = f"/posts?post_id={quote(post.id)}"
        answer = self._call("GET", path, None, what=f"look for post {post.id}")
        posts = answer.get("posts") if isinstance(answer, dict) else None
        if not isinstance(posts, list):
            raise TransientError(f"{self.name}: odd answer to find()", platform=self.name)
        return self._receipt(post.id, posts[0]) if posts else None

    def delete(self, receipt: terrain.Receipt) -> None:
        """Delete the post; a post already gone (404) is fine."""
        path = f"/posts/{quote(receipt.remote_id, safe='')}"
        self._call("DELETE", path, None, what=f"delete {receipt.remote_id}", gone_ok=True)

    # -- one request -----------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        body: Any,
        *,
        what: str,
        writes: bool = False,
        gone_ok: bool = False,
    ) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self._base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._token.reveal()}")
        request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            exc.close()  # the error is also the response: let go of its socket
            if gone_ok and exc.code == 404:
                return None
            raise self._error(exc.code, exc.headers, what) from None
        except (TimeoutError, urllib.error.URLError, OSError):
            maybe = "; the post may be out (terrain asks find() before retrying)" if writes else ""
            raise TransientError(
                f"{self.name}: no answer to {what}{maybe}", platform=self.name
            ) from None
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            raise TransientError(
                f"{self.name}: the answer to {what} is not JSON", platform=self.name
            ) from None

    def _error(self, status: int, headers: Any, what: str) -> terrain.PlatformError:
        if status == 429:
            wait = headers.get("Retry-After")
            retry_after = float(wait) if wait and wait.replace(".", "", 1).isdigit() else None
            return RateLimited(
                f"{self.name}: rate limited while trying to {what}",
                retry_after=retry_after,
                platform=self.name,
            )
        if status in (401, 403):
            return AuthError(
                f"{self.name}: the token was refused ({status}); set {TOKEN_VARIABLE}",
                platform=self.name,
            )
        if status >= 500:
            return TransientError(
                f"{self.name}: server error {status} while trying to {what}", platform=self.name
            )
        return Rejected(f"{self.name}: refused to {what} (HTTP {status})", platform=self.name)

    def _receipt(self, post_id: str, answer: Any) -> terrain.Receipt:
        try:
            return terrain.Receipt(
                platform=self.name,
                post_id=post_id,
                remote_id=str(answer["id"]),
                published_at=datetime.fromisoformat(answer["created_at"]).astimezone(UTC),
                url=answer.get("url"),
            )
        except (KeyError, TypeError, ValueError):
            raise TransientError(
                f"{self.name}: the answer lacks the post's id or time", platform=self.name
            ) from None


class Factory:
    """Builds the platform from ``[platforms.{{ cookiecutter.platform }}]`` and the token.

    ``context.settings`` holds the table's keys for the platform (``base_url``,
    ``timeout``); terrain keeps its own runner keys (``rate``,
    ``daily_budget``…) out of it.
    """

    name = NAME

    def capabilities_for(self, settings: Mapping[str, Any]) -> terrain.Capabilities:
        """What the platform accepts, known without the token (dry runs use it)."""
        return CAPABILITIES

    def __call__(self, context: PlatformContext) -> Platform:
        """The platform; a missing token is a MissingSecret naming the variable."""
        base_url = context.settings.get("base_url")
        if not isinstance(base_url, str) or not base_url.startswith(("https://", "http://")):
            raise ConfigError(
                f'[platforms.{NAME}] base_url = {base_url!r}: set base_url = "https://…"'
            )
        timeout = context.settings.get("timeout", 30)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigError(f"[platforms.{NAME}] timeout = {timeout!r}: give seconds above 0")
        token = context.secrets.get(TOKEN_VARIABLE, purpose=f"publish on {NAME}")
        return Platform(base_url, token, float(timeout))
