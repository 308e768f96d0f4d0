"""A fake network API served on 127.0.0.1 (stdlib only), with scripted faults.

The LinkedIn, Mastodon and Bluesky fakes (``_fake_networks.py``) are
subclasses: each declares its routes and how it answers an error, the
adapters talk to them over a real socket with ``requests`` (so timeouts are
real timeouts), and the CLI can talk to them from another process (the
tutorial test). Every request is recorded; a fault scripted with
:meth:`FakeNetwork.fail_next` hits the next request of its kind of call
(``publish``, ``find``, ``delete``, ``upload``).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from terrain.testing.contract import NextCall

Answer = tuple[int, dict[str, str], bytes]


@dataclass
class Request:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body or b"{}")

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def form(self) -> dict[str, str | bytes]:
        """Fields of a multipart/form-data body (files as bytes)."""
        content_type = self.header("content-type")
        boundary = content_type.split("boundary=", 1)[1].encode()
        fields: dict[str, str | bytes] = {}
        for part in self.body.split(b"--" + boundary):
            if b"\r\n\r\n" not in part:
                continue
            head, _, value = part.partition(b"\r\n\r\n")
            value = value.removesuffix(b"\r\n")
            name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
            fields[name] = value if b"filename=" in head else value.decode()
        return fields


def as_json(status: int, payload: object, headers: dict[str, str] | None = None) -> Answer:
    return (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        json.dumps(payload).encode(),
    )


Route = tuple[str, re.Pattern[str], str, Callable[[Request], Answer]]


class FakeNetwork:
    """A fake API in a thread on 127.0.0.1; subclasses add :attr:`routes`."""

    #: how long a timeout fault keeps the client waiting (it gives up before)
    hang = 1.5

    def __init__(self, *, now: Callable[[], datetime]) -> None:
        self.now = now
        self.requests: list[Request] = []
        self._faults: dict[str, deque[NextCall | None]] = {}
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self.routes: list[Route] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeNetwork:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeNetwork:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def route(
        self, method: str, pattern: str, op: str, handler: Callable[[Request], Answer]
    ) -> None:
        self.routes.append((method, re.compile(pattern + "$"), op, handler))

    def fail_next(self, call: NextCall, *, after: int = 0) -> None:
        """Make the next request of ``call.method``'s kind fail as ``call`` says
        (``after``: let that many such requests through first)."""
        with self._lock:
            queue = self._faults.setdefault(call.method, deque())
            queue.extend([None] * after)
            queue.append(call)

    def seen(self, method: str, pattern: str) -> list[Request]:
        """The recorded requests to ``method`` on a path matching ``pattern``."""
        regex = re.compile(pattern + "$")
        with self._lock:
            return [r for r in self.requests if r.method == method and regex.match(r.path)]

    # -- what each network says -----------------------------------------------------

    def error(self, status: int, message: str) -> Answer:
        """An error answer as the network writes it."""
        return as_json(status, {"error": message})

    def rate_limited(self, retry_after: float | None) -> Answer:
        """A 429 as the network writes it, announcing a reset ``retry_after`` s from now."""
        return self.error(429, "Too many requests")

    def authorized(self, request: Request) -> bool:
        """Whether ``request`` carries the right credentials."""
        return True

    # -- the server -----------------------------------------------------------------

    def _next_fault(self, op: str) -> NextCall | None:
        with self._lock:
            queue = self._faults.get(op)
            return queue.popleft() if queue else None

    def _serve(self, request: Request) -> Answer | None:
        for method, pattern, op, handler in self.routes:
            match = pattern.match(request.path)
            if method != request.method or match is None:
                continue
            request.params = match.groupdict()
            fault = self._next_fault(op)
            if fault is None:
                if not self.authorized(request):
                    return self.error(401, "The access token is invalid")
                with self._lock:
                    return handler(request)
            kind = fault.kind
            if kind == "rate_limited":
                return self.rate_limited(fault.retry_after)
            if kind == "server_error":
                return self.error(fault.status or 503, "Service Unavailable")
            if kind == "unauthorized":
                return self.error(401, "The access token is invalid")
            if kind == "rejected":
                return self.error(fault.status or 422, "Validation failed: this is not allowed")
            if kind == "timeout_after":
                with self._lock:
                    handler(request)
            self._stop.wait(self.hang)
            return None  # no answer: the client has given up
        return self.error(404, f"no route for {request.method} {request.path}")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                )
                with fake._lock:
                    fake.requests.append(request)
                answer = fake._serve(request)
                if answer is None:
                    self.close_connection = True
                    return
                status, headers, payload = answer
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if payload:
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _any

        return Handler
