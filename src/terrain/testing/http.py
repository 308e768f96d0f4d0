"""A fake platform over HTTP on 127.0.0.1: the server, its client, and a plugin.

For tests that need the network's failure modes (timeouts that hide a
success, malformed answers, 429 with ``Retry-After``) and several processes
(publisher workers) talking to one platform:

- :class:`FakePlatformServer` (``terrain.testing.http``): serves the fake
  platform in a thread, or as a process
  (``python -m terrain.testing.http --port 0``, which prints its URL), and
  records every call; :class:`Fault` scripts misbehaviours.
- :class:`HTTPPlatform`: terrain's :class:`~terrain.Platform` protocol over
  ``http.client``, mapping answers to terrain's errors: 429 →
  :class:`~terrain.errors.RateLimited` (``retry_after`` from the header),
  5xx, timeouts and malformed answers → :class:`~terrain.errors.TransientError`
  (the runner then asks ``find`` before any retry), 401/403 →
  :class:`~terrain.errors.AuthError`, 400/422 → :class:`~terrain.errors.Rejected`.
- This module is a plugin too: ``TERRAIN_PLUGINS=terrain.testing.http`` makes
  the ``fake-http`` platform available in every process, configured in
  ``terrain.toml``::

      [platforms.fake-http]
      base_url = "http://127.0.0.1:8765"
      timeout = 2.0
"""

from __future__ import annotations

import contextlib
import http.client
import json
import select
import sys
import threading
import weakref
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from terrain._lazy import exports
from terrain._public import claim
from terrain.errors import (
    AuthError,
    ConfigError,
    NotFound,
    RateLimited,
    Rejected,
    TransientError,
)
from terrain.hookspecs import hookimpl
from terrain.plugins import PlatformContext, check_capabilities
from terrain.posts import Capabilities, Post, Receipt
from terrain.testing._memory import DEFAULT_CAPABILITIES

if TYPE_CHECKING:
    from terrain.testing._httpserver import FakePlatformServer, Fault, ServerCall, ServerPost

__all__ = [
    "PLATFORM_NAME",
    "FakePlatformServer",
    "Fault",
    "HTTPPlatform",
    "HTTPPlatformFactory",
    "ServerCall",
    "ServerPost",
    "main",
    "terrain_register_platforms",
]

#: The platform name this plugin registers.
PLATFORM_NAME = "fake-http"


class HTTPPlatform:
    """A :class:`~terrain.Platform` talking to a :class:`FakePlatformServer`.

    ``timeout``: seconds before a call is given up (the post may be out:
    :class:`~terrain.errors.TransientError`, and the runner asks ``find``
    before any retry). Thread-safe: each call takes a connection of its own, one
    kept open by an earlier call when there is one (HTTP/1.1 keep-alive: no new
    TCP connection per call), else a new one; a connection that failed, timed out
    or was closed by the server is never used again.
    """

    thread_safe = True

    def __init__(
        self,
        base_url: str,
        *,
        name: str = PLATFORM_NAME,
        timeout: float = 5.0,
        capabilities: Capabilities = DEFAULT_CAPABILITIES,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme != "http" or not parts.hostname or parts.port is None:
            raise ConfigError(
                f"{name}: base_url {base_url!r} is not like http://127.0.0.1:8765; "
                f"set [platforms.{name}] base_url in terrain.toml"
            )
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.capabilities = capabilities
        self.timeout = timeout
        self._host = parts.hostname
        self._port = parts.port
        #: connections an earlier call left open, for the next calls to reuse
        self._idle: list[http.client.HTTPConnection] = []
        self._idle_lock = threading.Lock()
        weakref.finalize(self, _close_all, self._idle)

    def __repr__(self) -> str:
        return f"HTTPPlatform({self.base_url!r}, name={self.name!r})"

    # -- one HTTP call ---------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        """A connection for one call: an idle one still open, else a new one."""
        with self._idle_lock:
            while self._idle:
                conn = self._idle.pop()
                if _still_open(conn):
                    return conn
                conn.close()
        return http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)

    def _call(
        self, method: str, path: str, body: Any = None, *, may_have_landed: bool
    ) -> tuple[int, dict[str, str], bytes]:
        conn = self._connection()
        payload = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        reusable = False
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            data = response.read()
            reusable = not response.will_close
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        except TimeoutError:
            hint = (
                "; the post may or may not be out (terrain asks find() before any retry)"
                if may_have_landed
                else ""
            )
            raise TransientError(
                f"{self.name}: no answer within {self.timeout:g} s to {method} {path}{hint}",
                platform=self.name,
            ) from None
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            raise TransientError(
                f"{self.name}: {method} {path} failed ({type(exc).__name__}: {exc}); "
                "is the server running at " + self.base_url + "?",
                platform=self.name,
            ) from None
        finally:
            if reusable:  # answered in full: the next call may use it
                with self._idle_lock:
                    self._idle.append(conn)
            else:
                conn.close()

    def _check(self, status: int, headers: dict[str, str], data: bytes, what: str) -> None:
        if status < 400:
            return
        try:
            reason = str(json.loads(data).get("error", ""))
        except (ValueError, AttributeError):
            reason = data[:200].decode(errors="replace")
        if status == 429:
            retry_after = _seconds(headers.get("retry-after"))
            wait = "" if retry_after is None else f"; retry after {retry_after:g} s"
            raise RateLimited(
                f"{self.name}: 429 Too Many Requests on {what}{wait}",
                retry_after=retry_after,
                platform=self.name,
            )
        if status in (401, 403):
            raise AuthError(
                f"{self.name}: {status} on {what}: {reason}; renew the token", platform=self.name
            )
        if status >= 500:
            raise TransientError(
                f"{self.name}: HTTP {status} on {what} ({reason}); try again later",
                platform=self.name,
            )
        if status == 404:
            raise NotFound(f"{self.name}: {what}: {reason}")
        raise Rejected(f"{self.name}: HTTP {status} on {what}: {reason}", platform=self.name)

    def _json(self, data: bytes, what: str, *, may_have_landed: bool) -> Any:
        try:
            return json.loads(data)
        except ValueError:
            hint = (
                "; the post may be out (terrain asks find() before any retry)"
                if may_have_landed
                else ""
            )
            raise TransientError(
                f"{self.name}: the answer to {what} is not valid JSON{hint}", platform=self.name
            ) from None

    def _receipt(self, post_id: str, doc: Any, what: str) -> Receipt:
        try:
            return Receipt(
                platform=self.name,
                post_id=post_id,
                remote_id=str(doc["id"]),
                published_at=datetime.fromisoformat(doc["created_at"]).astimezone(UTC),
                url=doc.get("url"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise TransientError(
                f"{self.name}: the answer to {what} lacks a field ({exc}); the post may be out",
                platform=self.name,
            ) from None

    # -- the Platform protocol -------------------------------------------------------

    def publish(self, post: Post) -> Receipt:
        """``POST /posts``; the receipt of the new post."""
        check_capabilities(post, self.capabilities, platform=self.name)
        what = f"publishing post {post.id}"
        body = {"post_id": post.id, "text": post.text, "media": len(post.media)}
        status, headers, data = self._call("POST", "/posts", body, may_have_landed=True)
        self._check(status, headers, data, what)
        return self._receipt(post.id, self._json(data, what, may_have_landed=True), what)

    def find(self, post: Post) -> Receipt | None:
        """``GET /posts?post_id=…``: the receipt of ``post`` if it is out."""
        what = f"looking for post {post.id}"
        status, headers, data = self._call(
            "GET", f"/posts?post_id={quote(post.id)}", may_have_landed=False
        )
        self._check(status, headers, data, what)
        doc = self._json(data, what, may_have_landed=False)
        posts = doc.get("posts") if isinstance(doc, dict) else None
        if not isinstance(posts, list):
            raise TransientError(f"{self.name}: odd answer to {what}", platform=self.name)
        return self._receipt(post.id, posts[0], what) if posts else None

    def delete(self, receipt: Receipt) -> None:
        """``DELETE /posts/<remote_id>``; :class:`~terrain.errors.NotFound` if gone."""
        what = f"deleting post {receipt.remote_id}"
        status, headers, data = self._call(
            "DELETE", f"/posts/{quote(receipt.remote_id)}", may_have_landed=False
        )
        self._check(status, headers, data, what)


def _still_open(conn: http.client.HTTPConnection) -> bool:
    """Whether an idle keep-alive ``conn`` can take another request: its socket is
    open and has nothing to read (a server that closed it makes it readable)."""
    sock = conn.sock
    poll = getattr(select, "poll", None)
    if sock is None or poll is None:
        return False  # no poll() to look without waiting (Windows): a new connection
    poller = poll()
    poller.register(sock, select.POLLIN)
    return not poller.poll(0)


def _close_all(connections: list[http.client.HTTPConnection]) -> None:
    """Close the idle connections of a platform that is gone."""
    for conn in connections:
        conn.close()
    connections.clear()


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class HTTPPlatformFactory:
    """Builds :class:`HTTPPlatform` from ``[platforms.fake-http]``
    (``base_url``, optional ``timeout`` in seconds)."""

    name = PLATFORM_NAME

    def capabilities_for(self, settings: Mapping[str, Any]) -> Capabilities:
        """What the platform accepts, without building it (dry runs, ``--enqueue``)."""
        return DEFAULT_CAPABILITIES

    def __call__(self, context: PlatformContext) -> HTTPPlatform:
        """The platform for ``context.settings``."""
        base_url = context.settings.get("base_url")
        if not isinstance(base_url, str):
            raise ConfigError(
                f'[platforms.{PLATFORM_NAME}] needs base_url = "http://127.0.0.1:PORT" '
                "in terrain.toml (the address `python -m terrain.testing.http` printed)"
            )
        timeout = context.settings.get("timeout", 5.0)
        if not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigError(
                f"[platforms.{PLATFORM_NAME}] timeout must be a positive number of seconds, "
                f"not {timeout!r}"
            )
        return HTTPPlatform(base_url, timeout=float(timeout))


@hookimpl
def terrain_register_platforms(register: Any) -> None:
    """Add the ``fake-http`` platform (load with ``TERRAIN_PLUGINS=terrain.testing.http``)."""
    register(HTTPPlatformFactory())


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m terrain.testing.http [--port P] [--latency S] [--rate-limit N/W]``.

    Prints the base URL on the first line of stdout, then serves until
    SIGTERM or SIGINT.
    """
    import argparse
    import signal

    from terrain.testing._httpserver import FakePlatformServer

    parser = argparse.ArgumentParser(prog="python -m terrain.testing.http")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per call")
    parser.add_argument(
        "--rate-limit", default=None, help="LIMIT/WINDOW: at most LIMIT posts per WINDOW seconds"
    )
    args = parser.parse_args(argv)
    rate_limit = None
    if args.rate_limit:
        limit, _, window = args.rate_limit.partition("/")
        rate_limit = (int(limit), float(window or 1.0))
    server = FakePlatformServer(args.host, args.port, latency=args.latency, rate_limit=rate_limit)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(server.url, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if not TYPE_CHECKING:  # the server's names are imported when first used (terrain._lazy):
    # a process that loads this module as a plugin only calls the server, and
    # http.server, socketserver and their imports are no part of that
    __getattr__, __dir__ = exports(__name__, __file__)

claim(__name__, globals())

if __name__ == "__main__":
    sys.exit(main())
