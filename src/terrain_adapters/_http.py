"""The JSON-over-HTTPS client shared by the LinkedIn, Mastodon and Bluesky adapters.

One :class:`HttpClient` per platform, over ``requests`` (already installed
with tweepy and facebook-sdk; no SDK per network), adds what each adapter
would otherwise repeat:

- **a timeout on every request** (``timeout`` seconds, connect and read);
- **errors mapped in one place** (:meth:`HttpClient.error_for`): 429 →
  :class:`~terrain.errors.RateLimited` with ``retry_after`` read from
  ``Retry-After`` (seconds or an HTTP date), ``ratelimit-reset`` /
  ``x-rate-limit-reset`` (epoch seconds) or Mastodon's ``X-RateLimit-Reset``
  (an ISO 8601 instant), else the adapter's own rule; 401 and 403 →
  :class:`~terrain.errors.AuthError` naming the variable to fix; 408, 425
  and 5xx, timeouts and dropped connections →
  :class:`~terrain.errors.TransientError` (a write that timed out says the
  post may be out: the runner asks ``find`` before any retry); any other
  4xx → :class:`~terrain.errors.Rejected` with the network's own words;
- **secrecy**: every value given to :func:`terrain_adapters._redact.register`
  is masked in every message, the exception chain is cut (``from None``) so a
  traceback never shows a request, and ``repr`` shows the base URL only;
- **threads**: one ``requests.Session`` per thread, so a platform can be
  called from the runner's worker threads at once.
"""

from __future__ import annotations

import email.utils
import json
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from terrain.errors import (
    AuthError,
    ConfigError,
    PlatformError,
    RateLimited,
    Rejected,
    TransientError,
)
from terrain_adapters import _redact
from terrain_adapters._shared import Clock, http_timeout, utcnow

if TYPE_CHECKING:
    import requests

__all__ = ["DEFAULT_TIMEOUT", "HttpClient", "Response", "https_url", "number_setting"]

DEFAULT_TIMEOUT = 30.0
_TRANSIENT = frozenset({408, 425})


class Response:
    """What a call answered: the status, the headers (lower-case names) and the body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = {k.lower(): v for k, v in headers.items()}
        self.body = body

    def json(self) -> Any:
        """The body as JSON (``{}`` when empty)."""
        if not self.body.strip():
            return {}
        return json.loads(self.body)


class HttpClient:
    """Calls one network's API with a timeout, mapped errors and redacted messages.

    ``platform`` names the adapter in messages; ``auth_hint`` says what to fix
    when the network refuses the credentials (``"set TERRAIN_MASTODON_TOKEN
    to a token with the write:statuses scope"``); ``headers`` returns the
    headers of each request (the ``Authorization`` header, versions);
    ``retry_after`` is the adapter's rule when a 429 carries no reset header.
    """

    def __init__(
        self,
        base_url: str,
        *,
        platform: str,
        auth_hint: str,
        timeout: float = DEFAULT_TIMEOUT,
        headers: Callable[[], Mapping[str, str]] | None = None,
        retry_after: Callable[[datetime], float | None] | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.platform = platform
        self.timeout = timeout
        self._auth_hint = auth_hint
        self._headers = headers
        self._retry_after = retry_after
        self._clock = clock
        self._local = threading.local()

    def __repr__(self) -> str:
        return f"HttpClient({self.base_url!r}, platform={self.platform!r})"

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            self._local.session = session
        return session

    # -- one call ----------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        what: str,
        writes: bool = False,
        ok: tuple[int, ...] = (200, 201, 202, 204, 206),
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        **kwargs: Any,
    ) -> Response:
        """``method path`` (a path under the base URL, or an absolute URL).

        Answers with a status in ``ok`` are returned; any other raises the
        mapped :class:`~terrain.errors.PlatformError`. ``writes``: the call
        creates something, so a timeout says the post may be out. ``what``
        says in words what was being done, for messages.
        """
        import requests

        url = path if "://" in path else self.base_url + path
        sent = dict(self._headers() if auth and self._headers is not None else {})
        sent.update(headers or {})
        try:
            raw = self._session().request(
                method,
                url,
                headers=sent,
                timeout=http_timeout(self.timeout),
                allow_redirects=False,
                **kwargs,
            )
        except requests.Timeout:
            hint = (
                "; the post may or may not be out (terrain asks find() before any retry)"
                if writes
                else ""
            )
            raise TransientError(
                f"{self.platform}: no answer within {self.timeout:g} s while trying to "
                f"{what}{hint}; try again later",
                platform=self.platform,
            ) from None
        except requests.RequestException as exc:
            raise TransientError(
                f"{self.platform}: could not reach {urlsplit(url).netloc} to {what} "
                f"({type(exc).__name__}); try again later",
                platform=self.platform,
            ) from None
        response = Response(raw.status_code, raw.headers, raw.content)
        if response.status in ok:
            return response
        raise self.error_for(response, what)

    def json(self, method: str, path: str, *, what: str, **kwargs: Any) -> Any:
        """:meth:`call`, then the body as JSON; an unreadable body is a
        :class:`~terrain.errors.TransientError` (the post may be out when ``writes``)."""
        response = self.call(method, path, what=what, **kwargs)
        try:
            return response.json()
        except ValueError:
            hint = (
                "; the post may be out (terrain asks find() first)" if kwargs.get("writes") else ""
            )
            raise TransientError(
                f"{self.platform}: the answer to {what} is not JSON (HTTP {response.status}){hint}",
                platform=self.platform,
            ) from None

    # -- errors ------------------------------------------------------------------

    def error_for(self, response: Response, what: str) -> PlatformError:
        """The :class:`~terrain.errors.PlatformError` an error answer means."""
        status = response.status
        words = reason(response)
        said = f": {words}" if words else ""
        if status == 429:
            retry_after = self.retry_after(response)
            wait = "" if retry_after is None else f"; retry after {retry_after:.0f} s"
            return RateLimited(
                f"{self.platform}: rate limit reached (429) while trying to {what}{said}{wait}",
                retry_after=retry_after,
                platform=self.platform,
            )
        if status in (401, 403):
            kind = "refused the credentials" if status == 401 else "denied the permission"
            return AuthError(
                f"{self.platform}: the server {kind} ({status}) while trying to {what}{said}. "
                f"{self._auth_hint}",
                platform=self.platform,
            )
        if status >= 500 or status in _TRANSIENT:
            return TransientError(
                f"{self.platform}: the server failed (HTTP {status}) while trying to {what}"
                f"{said}; try again later",
                platform=self.platform,
            )
        return Rejected(
            f"{self.platform}: the server refused to {what} (HTTP {status}){said}",
            platform=self.platform,
        )

    def retry_after(self, response: Response) -> float | None:
        """Seconds to wait, from the answer's headers, else the adapter's rule."""
        now = self._clock()
        headers = response.headers
        value = headers.get("retry-after", "").strip()
        if value:
            if value.isdigit():
                return float(value)
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                when = None
            if when is not None and when.tzinfo is not None:
                return max(0.0, (when - now).total_seconds())
        for name in ("ratelimit-reset", "x-ratelimit-reset", "x-rate-limit-reset"):
            value = headers.get(name, "").strip()
            if not value:
                continue
            try:
                epoch = float(value)
            except ValueError:
                try:
                    instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError:
                    continue
                if instant.tzinfo is None:
                    continue
                return max(0.0, (instant - now).total_seconds())
            return max(0.0, epoch - now.timestamp())
        return None if self._retry_after is None else self._retry_after(now)


def reason(response: Response) -> str:
    """The network's own words from an error answer (JSON ``message``/``error``), redacted."""
    text = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        parts = [
            str(body[key])
            for key in ("error", "message", "error_description", "code")
            if isinstance(body.get(key), str | int) and body.get(key) not in ("", None)
        ]
        text = ": ".join(dict.fromkeys(parts))
    elif response.body and len(response.body) < 500:
        text = response.body.decode("utf-8", errors="replace")
    text = " ".join(text.split())
    if len(text) > 300:
        text = text[:297] + "..."
    return _redact.redact(text)


def https_url(value: object, *, key: str, table: str, example: str) -> str:
    """A base URL setting: ``https://`` (``http://`` only for this machine, as tests use)."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f'[platforms.{table}] {key} = {value!r}: set {key} = "{example}"')
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    local = parts.hostname in ("127.0.0.1", "localhost", "::1")
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query:
        raise ConfigError(f'[platforms.{table}] {key} = {value!r}: give a URL such as "{example}"')
    if parts.scheme == "http" and not local:
        raise ConfigError(
            f"[platforms.{table}] {key} = {value!r}: use https:// (a token must never travel "
            "in clear; http:// is accepted only for 127.0.0.1 and localhost)"
        )
    return url


def number_setting(
    settings: Mapping[str, Any], key: str, default: float, low: float, high: float, *, table: str
) -> float:
    """The number ``key`` of ``[platforms.<table>]`` within ``low``–``high``."""
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(
            f"[platforms.{table}] {key} = {value!r}: give a number from {low:g} to {high:g}"
        )
    return float(value)
