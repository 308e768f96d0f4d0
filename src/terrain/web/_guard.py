"""What protects every page: security headers, CSRF tokens, rate limits, quiet logs.

- Every answer carries a strict Content-Security-Policy (no script at all, no
  frame), ``X-Frame-Options: DENY``, ``Referrer-Policy: no-referrer`` (a link
  in a page never leaks the address it came from), ``nosniff``, and
  ``Cache-Control: no-store``.
- Every form carries a CSRF token: the HMAC, under the workspace's key, of a
  random value kept in an HttpOnly ``SameSite=Lax`` cookie. A post whose
  token is missing or wrong is refused (403) before anything is read.
- Every form is rate limited per client address (``[web] rate_limit`` posts
  a minute, and ten times that for all clients together): past it, 429.
- The access log names the route, never the path: a path may hold a link's
  token. No address, email or token is ever logged.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = ["CSRF_COOKIE", "RateLimiter", "SecurityHeaders", "csrf_token", "csrf_valid"]

CSRF_COOKIE = "terrain_csrf"
log = logging.getLogger("terrain.web")

_HEADERS = [
    (b"content-security-policy",
     b"default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
     b"frame-ancestors 'none'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    """ASGI middleware: the security headers on every answer, a body limit on every
    request, and one log line per request naming its route (never its path)."""

    def __init__(self, app: ASGIApp, *, max_body: int = 64 * 1024) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() not in
                           {k for k, _ in _HEADERS}]
                message["headers"] = headers + _HEADERS
            await send(message)

        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await send_with_headers({"type": "http.response.start", "status": 413,
                                     "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"Request too large"})
            return
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            route = scope.get("route")
            name = getattr(route, "path", "(no route)")
            log.info("%s %s %s %.1f ms", scope.get("method"), name, status,
                     (time.perf_counter() - start) * 1000)


def csrf_token(key: bytes, cookie: str) -> str:
    """The token a form carries for CSRF cookie ``cookie``."""
    return hmac.new(key, f"terrain-csrf|{cookie}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(key: bytes, cookie: str | None, token: object) -> bool:
    """Whether a form's ``token`` goes with the CSRF ``cookie`` the browser sent."""
    if not cookie or not isinstance(token, str) or len(cookie) > 100:
        return False
    return hmac.compare_digest(csrf_token(key, cookie), token)


def new_csrf_cookie() -> str:
    """A fresh random CSRF cookie value."""
    return secrets.token_urlsafe(24)


class RateLimiter:
    """At most ``per_client`` hits a minute per (client, form), and ``10 × per_client``
    for all clients together (a flood from many addresses still cannot send mail
    without end). Kept in memory: each server process counts its own."""

    def __init__(self, per_client: int, *, window: float = 60.0) -> None:
        self.per_client = per_client
        self.total = per_client * 10
        self.window = window
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._all: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _full(self, hits: deque[float], limit: int, now: float) -> bool:
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return len(hits) >= limit

    def allow(self, client: str, form: str) -> bool:
        """Count one hit of ``client`` on ``form``; ``False`` when over a limit."""
        now = time.monotonic()
        with self._lock:
            mine = self._hits.setdefault((client, form), deque())
            every = self._all.setdefault(form, deque())
            if self._full(mine, self.per_client, now) or self._full(every, self.total, now):
                return False
            mine.append(now)
            every.append(now)
            if len(self._hits) > 10000:  # forget idle clients
                for k in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                    del self._hits[k]
            return True
