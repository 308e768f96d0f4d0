"""An in-memory platform and storage, for tests (terrain's and plugin authors').

:class:`InMemoryPlatform` behaves like a real platform: it honours its
:class:`~terrain.Capabilities`, takes time (``latency``, a real
``time.sleep`` so a runner's concurrency can be measured), and fails on
demand with the same :class:`~terrain.errors.PlatformError` subclasses the
real adapters raise. Everything is thread-safe and every call is recorded.

A test scripts failures with :class:`Failure` values::

    platform = InMemoryPlatform("x", failures=[Failure.rate_limited(2.0), None])
    platform.publish(post)   # raises RateLimited(retry_after=2.0)
    platform.publish(post)   # None in the script: this call succeeds
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Literal, TypeVar

import attrs

from terrain.errors import AuthError, NotFound, PlatformError, RateLimited, Rejected, TransientError
from terrain.plugins import check_capabilities, check_storage_key
from terrain.posts import Capabilities, Metrics, Post, Receipt

__all__ = [
    "DEFAULT_CAPABILITIES",
    "Call",
    "Failure",
    "InMemoryPlatform",
    "InMemoryStorage",
    "check_capabilities",
]

#: Generous capabilities: what an :class:`InMemoryPlatform` accepts by default.
DEFAULT_CAPABILITIES = Capabilities(
    max_text_length=5000,
    max_media=10,
    media_types=frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"}),
    alt_text=True,
    mentions=True,
    threads=True,
    delete=True,
)

T = TypeVar("T")

Method = Literal["publish", "find", "delete", "metrics"]
FailureKind = Literal["rate_limited", "server_error", "timeout", "auth", "rejected"]


@attrs.frozen
class Failure:
    """One scripted failure of an :class:`InMemoryPlatform` call.

    ``landed=True`` (timeouts only) means the post reached the platform before
    the answer was lost: ``publish`` raises, yet ``find`` will find the post,
    as happens with real networks.
    """

    kind: FailureKind
    retry_after: float | None = None
    status: int | None = None
    message: str = ""
    landed: bool = False

    @classmethod
    def rate_limited(cls, retry_after: float | None = 1.0) -> Failure:
        """HTTP 429: raises :class:`~terrain.errors.RateLimited` with ``retry_after``."""
        return cls("rate_limited", retry_after=retry_after, status=429)

    @classmethod
    def server_error(cls, status: int = 503) -> Failure:
        """HTTP 5xx: raises :class:`~terrain.errors.TransientError`."""
        return cls("server_error", status=status)

    @classmethod
    def timeout(cls, *, landed: bool = False) -> Failure:
        """The answer never came: :class:`~terrain.errors.TransientError`.

        With ``landed=True`` the post was published anyway.
        """
        return cls("timeout", landed=landed)

    @classmethod
    def auth(cls, message: str = "the access token expired") -> Failure:
        """HTTP 401: raises :class:`~terrain.errors.AuthError`."""
        return cls("auth", status=401, message=message)

    @classmethod
    def rejected(cls, message: str = "the platform refused this content") -> Failure:
        """HTTP 400/403 on content: raises :class:`~terrain.errors.Rejected`."""
        return cls("rejected", status=400, message=message)

    def to_error(self, platform: str) -> PlatformError:
        """The exception a real adapter would raise for this failure."""
        if self.kind == "rate_limited":
            wait = "" if self.retry_after is None else f"; retry after {self.retry_after:g} s"
            return RateLimited(
                f"{platform}: 429 Too Many Requests{wait}",
                retry_after=self.retry_after,
                platform=platform,
            )
        if self.kind == "server_error":
            return TransientError(
                f"{platform}: HTTP {self.status} from the server; try again later",
                platform=platform,
            )
        if self.kind == "timeout":
            return TransientError(
                f"{platform}: no answer before the timeout; the post may or may not be out "
                "(look with find() before retrying)",
                platform=platform,
            )
        if self.kind == "auth":
            return AuthError(
                f"{platform}: 401 Unauthorized: {self.message}; renew the token", platform=platform
            )
        return Rejected(f"{platform}: {self.message}", platform=platform)


#: What a script entry may be: a failure, or ``None`` for "this call succeeds".
ScriptStep = Failure | None


@attrs.frozen
class Call:
    """One recorded call: which method, for which post, when it started and ended
    (``time.monotonic()``), and the error it raised, if any."""

    method: Method
    post_id: str
    started: float
    ended: float
    error: PlatformError | None = None


class InMemoryPlatform:
    """A platform that keeps its posts in memory; see the module docstring.

    ``failures`` scripts the next ``publish`` calls (``find`` and ``delete``
    can be scripted with :meth:`inject`). ``clock`` gives receipt times
    (defaults to a fixed instant, so tests are reproducible).
    """

    #: Every call holds a lock around the shared state.
    thread_safe = True

    def __init__(
        self,
        name: str = "memory",
        capabilities: Capabilities = DEFAULT_CAPABILITIES,
        *,
        latency: float = 0.0,
        failures: Iterable[ScriptStep] = (),
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.name = name
        self.capabilities = capabilities
        self.latency = latency
        self._clock = clock or (lambda: datetime(2026, 3, 12, 21, 0, tzinfo=UTC))
        self._lock = threading.Lock()
        self._scripts: dict[Method, deque[ScriptStep]] = {
            "publish": deque(failures),
            "find": deque(),
            "delete": deque(),
            "metrics": deque(),
        }
        self._counts: dict[str, dict[str, int]] = {}
        self._posts: dict[str, Receipt] = {}
        self._bodies: dict[str, Post] = {}
        self._calls: list[Call] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._serial = 0

    def __repr__(self) -> str:
        return f"InMemoryPlatform(name={self.name!r}, posts={len(self._posts)})"

    # -- scripting and inspection ------------------------------------------------

    def inject(self, *steps: ScriptStep, method: Method = "publish") -> None:
        """Append ``steps`` to the script of ``method``'s next calls."""
        with self._lock:
            self._scripts[method].extend(steps)

    @property
    def calls(self) -> list[Call]:
        """Every call so far, in the order they ended."""
        with self._lock:
            return list(self._calls)

    @property
    def posts(self) -> dict[str, Receipt]:
        """The receipts of the posts currently published, by ``Post.id``."""
        with self._lock:
            return dict(self._posts)

    def published(self, post_id: str) -> Post | None:
        """The post published under ``post_id`` (what the platform received), or ``None``."""
        with self._lock:
            return self._bodies.get(post_id)

    @property
    def max_in_flight(self) -> int:
        """The most calls that ran at the same time (to measure concurrency)."""
        with self._lock:
            return self._max_in_flight

    def set_metrics(self, post_id: str, **counts: int) -> None:
        """What :meth:`metrics` says about post ``post_id`` from now on (``likes=3``…)."""
        with self._lock:
            self._counts[post_id] = dict(counts)

    def publish_count(self) -> int:
        """How many ``publish`` calls were made (failed ones included)."""
        return sum(1 for c in self.calls if c.method == "publish")

    # -- the Platform protocol ---------------------------------------------------

    def publish(self, post: Post) -> Receipt:
        """Publish ``post`` (once per ``Post.id``) or raise the scripted failure."""

        def act(step: ScriptStep) -> Receipt:
            if step is not None and not step.landed:
                raise step.to_error(self.name)
            check_capabilities(post, self.capabilities, platform=self.name)
            with self._lock:
                receipt = self._posts.get(post.id)
                if receipt is None:
                    self._serial += 1
                    receipt = Receipt(
                        platform=self.name,
                        post_id=post.id,
                        remote_id=f"{self.name}-{self._serial}",
                        published_at=self._clock(),
                        url=f"https://{self.name}.example/p/{self._serial}",
                        part_ids=tuple(
                            f"{self.name}-{self._serial}-{i}"
                            for i in range(1, len(post.thread) + 1)
                        ),
                    )
                    self._posts[post.id] = receipt
                    self._bodies[post.id] = post
            if step is not None:
                raise step.to_error(self.name)
            return receipt

        return self._run("publish", post.id, act)

    def find(self, post: Post) -> Receipt | None:
        """The receipt of ``post`` if it is published here, else ``None``."""

        def act(step: ScriptStep) -> Receipt | None:
            if step is not None:
                raise step.to_error(self.name)
            with self._lock:
                return self._posts.get(post.id)

        return self._run("find", post.id, act)

    def delete(self, receipt: Receipt) -> None:
        """Delete the post named by ``receipt``; :class:`~terrain.errors.NotFound`
        if nothing here has that remote id (already deleted)."""

        def act(step: ScriptStep) -> None:
            if step is not None:
                raise step.to_error(self.name)
            with self._lock:
                for post_id, held in self._posts.items():
                    if held.remote_id == receipt.remote_id:
                        del self._posts[post_id]
                        del self._bodies[post_id]
                        return
            raise NotFound(
                f"{self.name}: no post {receipt.remote_id!r} (post {receipt.post_id}); "
                "it was already deleted"
            )

        self._run("delete", receipt.post_id, act)

    def metrics(self, receipt: Receipt) -> Metrics:
        """The counts set with :meth:`set_metrics` (zero likes, reposts and replies,
        and zero impressions, for a post nobody has seen yet); ``gone`` once the
        post was deleted."""

        def act(step: ScriptStep) -> Metrics:
            if step is not None:
                raise step.to_error(self.name)
            with self._lock:
                held = next(
                    (r for r in self._posts.values() if r.remote_id == receipt.remote_id), None
                )
                counts = self._counts.get(
                    receipt.post_id, {"likes": 0, "reposts": 0, "replies": 0, "impressions": 0}
                )
            if held is None:
                return Metrics(
                    self.name, receipt.post_id, receipt.remote_id, self._clock(), gone=True
                )
            return Metrics(self.name, receipt.post_id, receipt.remote_id, self._clock(), counts)

        return self._run("metrics", receipt.post_id, act)

    def _run(self, method: Method, post_id: str, act: Callable[[ScriptStep], T]) -> T:
        with self._lock:
            script = self._scripts[method]
            step = script.popleft() if script else None
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        started = time.monotonic()
        error: PlatformError | None = None
        try:
            if self.latency > 0:
                time.sleep(self.latency)
            return act(step)
        except PlatformError as exc:
            error = exc
            raise
        finally:
            with self._lock:
                self._in_flight -= 1
                self._calls.append(Call(method, post_id, started, time.monotonic(), error))


class InMemoryStorage:
    """Bytes by key in a dict, with the same key rules as the built-in backends."""

    name = "memory"

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, bytes] = {}
        for key, data in (files or {}).items():
            self.put(key, data)

    def __repr__(self) -> str:
        return f"InMemoryStorage(keys={len(self._files)})"

    def put(self, key: str, data: bytes) -> None:
        """Store a copy of ``data`` under ``key``."""
        check_storage_key(key)
        with self._lock:
            self._files[key] = bytes(data)

    def get(self, key: str) -> bytes:
        """The bytes under ``key``; :class:`~terrain.errors.NotFound` if absent."""
        check_storage_key(key)
        with self._lock:
            try:
                return self._files[key]
            except KeyError:
                raise NotFound(
                    f"storage key {key!r} is not stored; check the key or import the file first"
                ) from None

    def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens if it is absent."""
        check_storage_key(key)
        with self._lock:
            self._files.pop(key, None)

    def list(self, prefix: str = "") -> Iterator[str]:
        """Every key that starts with ``prefix``, sorted."""
        with self._lock:
            keys = sorted(k for k in self._files if k.startswith(prefix))
        return iter(keys)

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""
        check_storage_key(key)
        with self._lock:
            return key in self._files

    def public_url(self, key: str, *, expires_in: int = 3600) -> str | None:
        """Always ``None``: memory cannot be fetched by a platform."""
        check_storage_key(key)
        return None
