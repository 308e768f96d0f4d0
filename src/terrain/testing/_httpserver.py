"""A fake social platform served over HTTP on 127.0.0.1 (stdlib only).

It behaves like a careless real platform: it does **not** deduplicate (two
create calls for one ``post_id`` make two posts), so a client that posts
twice is caught. Every call is recorded with its time, so tests can count
posts per id and check a rate limit over any window.

Endpoints (JSON bodies)::

    POST   /posts               {"post_id", "text", "media"}
                                → 201 {"id", "url", "post_id", "created_at"}
    GET    /posts?post_id=ID    → 200 {"posts": [...]}  (what find() asks)
    DELETE /posts/<id>          → 204, or 404 if there is no such post
    GET    /_admin/calls        → 200 {"calls": [...], "posts": [...]}  (for other processes)
    POST   /_admin/faults       [fault, ...] → 204  (script the next calls)

Faults (:class:`Fault`) are taken in order by the next call of their
``method`` (``create``, ``find`` or ``delete``).
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import attrs

__all__ = ["FakePlatformServer", "Fault", "ServerCall", "ServerPost"]

FaultKind = Literal[
    "rate_limited",
    "server_error",
    "timeout_before",
    "timeout_after",
    "malformed",
    "unauthorized",
    "rejected",
]
Method = Literal["create", "find", "delete"]


@attrs.frozen
class Fault:
    """One scripted misbehaviour of the next ``method`` call.

    - ``rate_limited``: 429, with ``Retry-After: retry_after`` if given;
    - ``server_error``: ``status`` (500, 502, 503);
    - ``timeout_before``: hang ``hang`` seconds *before* recording the post
      (the client gives up; the post never lands);
    - ``timeout_after``: record the post, *then* hang (the post is out,
      the client does not know);
    - ``malformed``: record the post and answer 201 with broken JSON;
    - ``unauthorized``: 401; ``rejected``: ``status`` (400 or 422) with a reason.
    """

    kind: FaultKind
    method: Method = "create"
    status: int | None = None
    retry_after: float | None = None
    hang: float = 2.0
    message: str = ""

    @classmethod
    def rate_limited(cls, retry_after: float | None = 1.0, method: Method = "create") -> Fault:
        """HTTP 429 (``retry_after=None``: no ``Retry-After`` header)."""
        return cls("rate_limited", method, status=429, retry_after=retry_after)

    @classmethod
    def server_error(cls, status: int = 503, method: Method = "create") -> Fault:
        """HTTP 5xx."""
        return cls("server_error", method, status=status)

    @classmethod
    def timeout_before(cls, hang: float = 2.0, method: Method = "create") -> Fault:
        """No answer in time, and the post is not recorded."""
        return cls("timeout_before", method, hang=hang)

    @classmethod
    def timeout_after(cls, hang: float = 2.0) -> Fault:
        """The post is recorded, then no answer in time."""
        return cls("timeout_after", "create", hang=hang)

    @classmethod
    def malformed(cls, method: Method = "create") -> Fault:
        """The post is recorded (for ``create``); the answer is not JSON."""
        return cls("malformed", method, status=201 if method == "create" else 200)

    @classmethod
    def unauthorized(cls, method: Method = "create") -> Fault:
        """HTTP 401: the token expired."""
        return cls("unauthorized", method, status=401, message="the access token expired")

    @classmethod
    def rejected(cls, status: int = 400, message: str = "this content is not allowed") -> Fault:
        """HTTP 400 or 422: the platform refuses the content."""
        return cls("rejected", "create", status=status, message=message)

    def to_dict(self) -> dict[str, Any]:
        """As JSON-able data (for ``POST /_admin/faults``)."""
        return attrs.asdict(self)


@attrs.frozen
class ServerPost:
    """A post as the server holds it."""

    remote_id: str
    post_id: str
    text: str
    created_at: float  #: the server's ``clock()`` when the create call was recorded
    deleted: bool = False


@attrs.frozen
class ServerCall:
    """One call as the server saw it: ``method``, ``post_id``, HTTP ``status``
    answered (``0``: no answer, the client had gone), ``at`` (the server's ``clock()``)
    and whether a post was recorded by it."""

    method: Method
    post_id: str
    status: int
    at: float
    recorded: bool = False


class FakePlatformServer:
    """The fake platform: ``with FakePlatformServer() as server: server.url``.

    ``latency``: seconds every call takes. ``rate_limit=(limit, window)``: at
    most ``limit`` create calls recorded in any ``window`` seconds; beyond,
    429 with ``Retry-After`` (counted in ``rate_limited``). ``faults``:
    scripted misbehaviours (:class:`Fault`), taken in order. ``clock``: the
    remote platform's own wall clock (seconds since the epoch; default
    :func:`time.time`). It stamps calls and posts and runs the rate limit's
    window; it is the *server's* time, not terrain's, so tests may pass a fake
    one to drive the rate window without waiting.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency: float = 0.0,
        rate_limit: tuple[int, float] | None = None,
        faults: Iterable[Fault] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.latency = latency
        self._clock = clock
        self.rate_limit = rate_limit
        self._lock = threading.Lock()
        self._faults: dict[str, deque[Fault]] = {m: deque() for m in ("create", "find", "delete")}
        self._posts: list[ServerPost] = []
        self._calls: list[ServerCall] = []
        self._recent: deque[float] = deque()
        self.rate_limited = 0
        self.inject(*faults)
        #: the connections of clients (kept open between their calls: HTTP/1.1)
        self._connections: set[socket.socket] = set()
        self._opened = 0
        self._httpd = _HTTPServer((host, port), _handler(self))
        self._thread: threading.Thread | None = None
        self._serving = False

    def __repr__(self) -> str:
        return f"FakePlatformServer({self.url!r}, posts={len(self._posts)})"

    @property
    def url(self) -> str:
        """The base URL (``http://127.0.0.1:PORT``)."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- running -----------------------------------------------------------------

    def start(self) -> FakePlatformServer:
        """Serve in a background thread; returns ``self``."""
        self._serving = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-platform",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`stop` (or a signal) ends it."""
        self._serving = True
        self._httpd.serve_forever()

    def stop(self) -> None:
        """Stop serving and close the socket, and the connections clients keep open:
        a stopped server answers no call. A server never started is closed too."""
        if self._serving:  # shutdown() waits for serve_forever(), which may never run
            self._httpd.shutdown()
            self._serving = False
        self._httpd.server_close()
        with self._lock:
            kept = list(self._connections)
        for conn in kept:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakePlatformServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting and inspection ------------------------------------------------

    @property
    def connections(self) -> int:
        """How many connections clients opened (a client that keeps its connection
        open between calls, as :class:`~terrain.testing.http.HTTPPlatform` does,
        opens one for many calls)."""
        with self._lock:
            return self._opened

    def inject(self, *faults: Fault) -> None:
        """Append ``faults`` to the script of their methods' next calls."""
        with self._lock:
            for fault in faults:
                self._faults[fault.method].append(fault)

    def fail_next(self, call: Any, *, hang: float = 2.0) -> None:
        """The contract kit's fault hook: script the fault a
        :class:`~terrain.testing.contract.NextCall` asks for (timeouts hang
        ``hang`` seconds, longer than the client's timeout)."""
        methods: dict[str, Method] = {"publish": "create", "find": "find", "delete": "delete"}
        method = methods[call.method]
        kind = call.kind
        if kind == "rate_limited":
            fault = Fault.rate_limited(call.retry_after, method)
        elif kind == "server_error":
            fault = Fault.server_error(call.status or 503, method)
        elif kind == "timeout_before":
            fault = Fault.timeout_before(hang, method)
        elif kind == "timeout_after":
            fault = Fault.timeout_after(hang)
        elif kind == "unauthorized":
            fault = Fault.unauthorized(method)
        else:
            fault = Fault.rejected(call.status or 400)
        self.inject(fault)

    @property
    def posts(self) -> list[ServerPost]:
        """Every post ever created (deleted ones flagged), in creation order."""
        with self._lock:
            return list(self._posts)

    @property
    def calls(self) -> list[ServerCall]:
        """Every call, in the order they were answered."""
        with self._lock:
            return list(self._calls)

    def created(self) -> dict[str, int]:
        """How many posts were created per ``post_id`` (exactly once: all 1)."""
        counts: dict[str, int] = {}
        for post in self.posts:
            counts[post.post_id] = counts.get(post.post_id, 0) + 1
        return counts

    def max_in_window(self, window: float | None = None) -> int:
        """The most posts created within any ``window`` seconds (default: the
        rate limit's window)."""
        span = window if window is not None else (self.rate_limit or (0, 1.0))[1]
        times = sorted(p.created_at for p in self.posts)
        most, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= span:
                start += 1
            most = max(most, end - start + 1)
        return most

    def snapshot(self) -> dict[str, Any]:
        """Calls and posts as JSON-able data (``GET /_admin/calls``)."""
        return {
            "calls": [attrs.asdict(c) for c in self.calls],
            "posts": [attrs.asdict(p) for p in self.posts],
            "rate_limited": self.rate_limited,
        }

    # -- the platform's logic (called by the handler threads) ------------------------

    def _next_fault(self, method: Method) -> Fault | None:
        with self._lock:
            queue = self._faults[method]
            return queue.popleft() if queue else None

    def _log(self, method: Method, post_id: str, status: int, recorded: bool = False) -> None:
        with self._lock:
            self._calls.append(ServerCall(method, post_id, status, self._clock(), recorded))

    def _record(self, post_id: str, text: str) -> ServerPost | None:
        """Record a new post, or ``None`` when the rate limit says no."""
        with self._lock:
            now = self._clock()
            if self.rate_limit is not None:
                limit, window = self.rate_limit
                while self._recent and now - self._recent[0] >= window:
                    self._recent.popleft()
                if len(self._recent) >= limit:
                    self.rate_limited += 1
                    return None
                self._recent.append(now)
            post = ServerPost(f"fp-{len(self._posts) + 1}", post_id, text, now)
            self._posts.append(post)
            return post

    def _retry_after(self) -> float:
        with self._lock:
            if self.rate_limit is None or not self._recent:
                return 1.0
            return max(0.0, self._recent[0] + self.rate_limit[1] - self._clock())

    def _find(self, post_id: str) -> list[ServerPost]:
        with self._lock:
            return [p for p in self._posts if p.post_id == post_id and not p.deleted]

    def _delete(self, remote_id: str) -> bool:
        with self._lock:
            for i, post in enumerate(self._posts):
                if post.remote_id == remote_id and not post.deleted:
                    self._posts[i] = attrs.evolve(post, deleted=True)
                    return True
            return False


def _as_json(post: ServerPost, base: str) -> dict[str, Any]:
    return {
        "id": post.remote_id,
        "post_id": post.post_id,
        "text": post.text,
        "url": f"{base}/p/{post.remote_id}",
        "created_at": datetime.fromtimestamp(post.created_at, UTC).isoformat(),
    }


class _HTTPServer(ThreadingHTTPServer):
    """The stdlib's threading server, with a real server's listen backlog.

    ``socketserver`` listens with a backlog of 5: a burst of new connections
    beyond it (16 clients starting at once) has its SYNs dropped, and each
    dropped client waits for the kernel's retransmission, one second.
    """

    daemon_threads = True
    request_queue_size = 128


def _handler(server: FakePlatformServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # An answer goes out as two writes (the headers, then the body). With
        # Nagle's algorithm on, the body waits for the client to acknowledge the
        # headers, and on a kept-alive connection the client delays that ACK by
        # up to 40 ms: every call of a client that reuses its connection took
        # ~40 ms more than `latency`. Real servers turn Nagle off; so does this one.
        disable_nagle_algorithm = True

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server._connections.add(self.connection)
                server._opened += 1

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                with server._lock:
                    server._connections.discard(self.connection)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the server's record is :attr:`FakePlatformServer.calls`."""

        # -- answering -------------------------------------------------------------

        def _answer(
            self, status: int, body: Any = None, headers: dict[str, str] | None = None
        ) -> None:
            data = (
                b""
                if body is None
                else (body if isinstance(body, bytes) else json.dumps(body).encode())
            )
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if data:
                    self.wfile.write(data)
            except OSError:  # the client gave up (a timeout): nothing to answer
                pass

        def _fault_answer(self, method: Method, post_id: str, fault: Fault) -> bool:
            """Answer a fault that needs no post; ``False`` if the call goes on."""
            if fault.kind == "rate_limited":
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = f"{fault.retry_after:g}"
                server._log(method, post_id, 429)
                self._answer(429, {"error": "too many requests"}, headers)
            elif fault.kind == "server_error":
                status = fault.status or 503
                server._log(method, post_id, status)
                self._answer(status, {"error": HTTPStatus(status).phrase})
            elif fault.kind == "timeout_before":
                time.sleep(fault.hang)
                server._log(method, post_id, 504)
                self._answer(504, {"error": "gateway timeout"})
            elif fault.kind == "unauthorized":
                server._log(method, post_id, 401)
                self._answer(401, {"error": fault.message or "unauthorized"})
            elif fault.kind == "rejected":
                status = fault.status or 400
                server._log(method, post_id, status)
                self._answer(status, {"error": fault.message or "rejected"})
            else:
                return False
            return True

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            return json.loads(raw) if raw else None

        # -- endpoints -------------------------------------------------------------

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            try:
                body = self._body()
            except ValueError:
                self._answer(400, {"error": "the body is not JSON"})
                return
            if path == "/_admin/faults":
                server.inject(*(Fault(**f) for f in body or []))
                self._answer(204)
                return
            if path != "/posts" or not isinstance(body, dict) or "post_id" not in body:
                self._answer(400, {"error": "POST /posts with a JSON body holding post_id"})
                return
            post_id = str(body["post_id"])
            if server.latency:
                time.sleep(server.latency)
            fault = server._next_fault("create")
            if fault is not None and self._fault_answer("create", post_id, fault):
                return
            post = server._record(post_id, str(body.get("text", "")))
            if post is None:
                server._log("create", post_id, 429)
                wait = math.ceil(server._retry_after() * 1000) / 1000
                self._answer(429, {"error": "rate limit"}, {"Retry-After": f"{wait:g}"})
                return
            if fault is not None and fault.kind == "timeout_after":
                time.sleep(fault.hang)
                server._log("create", post_id, 201, recorded=True)
                self._answer(201, _as_json(post, server.url))
            elif fault is not None and fault.kind == "malformed":
                server._log("create", post_id, 201, recorded=True)
                self._answer(201, b'{"id": "' + post.remote_id.encode() + b'", "url": ')
            else:
                server._log("create", post_id, 201, recorded=True)
                self._answer(201, _as_json(post, server.url))

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            if parts.path == "/_admin/calls":
                self._answer(200, server.snapshot())
                return
            if parts.path != "/posts":
                self._answer(404, {"error": f"no endpoint {parts.path}"})
                return
            post_id = (parse_qs(parts.query).get("post_id") or [""])[0]
            if server.latency:
                time.sleep(server.latency)
            fault = server._next_fault("find")
            if fault is not None:
                if fault.kind == "malformed":
                    server._log("find", post_id, 200)
                    self._answer(200, b'{"posts": [')
                    return
                if self._fault_answer("find", post_id, fault):
                    return
            found = server._find(post_id)
            server._log("find", post_id, 200)
            self._answer(200, {"posts": [_as_json(p, server.url) for p in found]})

        def do_DELETE(self) -> None:
            path = urlsplit(self.path).path
            if not path.startswith("/posts/"):
                self._answer(404, {"error": f"no endpoint {path}"})
                return
            remote_id = path.removeprefix("/posts/")
            if server.latency:
                time.sleep(server.latency)
            fault = server._next_fault("delete")
            if fault is not None and self._fault_answer("delete", remote_id, fault):
                return
            if server._delete(remote_id):
                server._log("delete", remote_id, 204)
                self._answer(204)
            else:
                server._log("delete", remote_id, 404)
                self._answer(404, {"error": f"no post {remote_id}"})

    return Handler
