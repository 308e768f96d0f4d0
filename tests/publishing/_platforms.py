"""Fake platforms at the edge, for the runner's reliability tests.

- :class:`ScriptedPlatform` follows a script of outcomes per call (success,
  failures before or after the post lands, a simulated crash), and counts
  what really landed, so a test can check "exactly once".
- :class:`FilePlatform` keeps its posts as files in a folder, so its state
  survives a ``SIGKILL`` of the process that publishes.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from terrain.errors import AuthError, RateLimited, Rejected, TransientError
from terrain.posts import Capabilities, Post, Receipt

CAPS = Capabilities(max_text_length=500, max_media=4, mentions=True, delete=True)


class Crash(BaseException):
    """The process dies here (nothing after this line runs)."""


class ScriptedPlatform:
    """A platform whose calls follow ``script``; then every call succeeds.

    Steps: ``ok``; ``transient`` (5xx, nothing posted); ``timeout-after``
    (posted, but the answer is lost: TransientError); ``rate`` (429 with
    retry-after 0); ``crash-before`` / ``crash-after`` (the runner's process
    dies before / after the post lands); ``reject``; ``auth``.
    """

    def __init__(self, name: str = "fake", script: Iterable[str] = ()) -> None:
        self.name = name
        self.capabilities = CAPS
        self.script = list(script)
        self.landed: Counter[str] = Counter()
        self.receipts: dict[str, Receipt] = {}
        self.sent: dict[str, Post] = {}  # the post as it landed (an album's photos left)
        self.calls = 0
        self._lock = threading.Lock()

    def _land(self, post: Post) -> Receipt:
        receipt = Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=f"{self.name}-{post.id}",
            published_at=datetime(2026, 3, 12, tzinfo=UTC),
            url=f"https://{self.name}.example/{post.id}",
        )
        self.landed[post.id] += 1
        self.receipts[post.id] = receipt
        self.sent[post.id] = post
        return receipt

    def publish(self, post: Post) -> Receipt:
        with self._lock:
            self.calls += 1
            step = self.script.pop(0) if self.script else "ok"
            if step == "ok":
                return self._land(post)
            if step == "transient":
                raise TransientError(f"{self.name}: 503 Service Unavailable")
            if step == "timeout-after":
                self._land(post)
                raise TransientError(f"{self.name}: read timed out")
            if step == "rate":
                raise RateLimited(f"{self.name}: 429 Too Many Requests", retry_after=0.0)
            if step == "crash-before":
                raise Crash()
            if step == "crash-after":
                self._land(post)
                raise Crash()
            if step == "reject":
                raise Rejected(f"{self.name}: duplicate content")
            if step == "auth":
                raise AuthError(f"{self.name}: 401 Unauthorized (token expired)")
            raise AssertionError(f"unknown step {step!r}")

    def find(self, post: Post) -> Receipt | None:
        with self._lock:
            return self.receipts.get(post.id)

    def delete(self, receipt: Receipt) -> None:
        with self._lock:
            self.receipts.pop(receipt.post_id, None)


class FilePlatform:
    """Posts as files ``<folder>/<post id>.<random>.json``, written atomically.

    Every call that lands leaves its own file, so a duplicate shows as two
    files for one post id.
    """

    def __init__(self, folder: Path, name: str = "files", *, delay: float = 0.0) -> None:
        self.name = name
        self.delay = delay
        self.capabilities = CAPS
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def publish(self, post: Post) -> Receipt:
        time.sleep(self.delay)
        receipt = Receipt(
            platform=self.name,
            post_id=post.id,
            remote_id=f"{post.id}.{uuid.uuid4().hex[:8]}",
            published_at=datetime.now(UTC),
        )
        tmp = self.folder / f".{receipt.remote_id}.tmp"
        tmp.write_text(json.dumps({"post_id": post.id, "text": post.text}))
        os.replace(tmp, self.folder / f"{receipt.remote_id}.json")
        return receipt

    def find(self, post: Post) -> Receipt | None:
        for path in sorted(self.folder.glob(f"{post.id}.*.json")):
            return Receipt(
                platform=self.name,
                post_id=post.id,
                remote_id=path.stem,
                published_at=datetime.fromtimestamp(path.stat().st_mtime, UTC),
            )
        return None

    def delete(self, receipt: Receipt) -> None:
        (self.folder / f"{receipt.remote_id}.json").unlink(missing_ok=True)

    def landed(self) -> Counter[str]:
        """How many times each post id landed."""
        return Counter(p.name.split(".")[0] for p in self.folder.glob("*.json"))
