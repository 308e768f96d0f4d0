"""An example terrain plugin: the ``example-journal`` platform.

Each published post is appended as one JSON line to a journal file; a delete
appends a ``deleted`` line (the file is never rewritten). ``find`` reads the
file, so a run interrupted after the write never publishes the post twice.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import terrain
from terrain.errors import ConfigError, NotFound
from terrain.plugins import PlatformContext, check_capabilities

__all__ = ["CAPABILITIES", "JournalFactory", "JournalPlatform"]

__version__ = "0.1.0"

#: What the journal accepts: short posts, up to four images, no threads.
CAPABILITIES = terrain.Capabilities(
    max_text_length=1000,
    max_media=4,
    alt_text=True,
    mentions=True,
    threads=False,
    delete=True,
)


class JournalPlatform:
    """Posts as lines of a JSON Lines file."""

    name = "example-journal"
    capabilities = CAPABILITIES
    #: terrain may call it from several threads: appends hold a lock.
    thread_safe = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def _append(self, record: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            handle.write(line)
            handle.flush()
            os.fsync(handle.fileno())

    def _records(self) -> list[dict[str, Any]]:
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in lines if line.strip()]

    def publish(self, post: terrain.Post) -> terrain.Receipt:
        """Append ``post`` to the journal (once) and return its receipt."""
        found = self.find(post)
        if found is not None:
            return found
        check_capabilities(post, self.capabilities, platform=self.name)
        now = datetime.now(UTC)
        self._append(
            {
                "event": "published",
                "post_id": post.id,
                "at": now.isoformat(),
                "text": post.text_with_mentions(),
                "media": [{"key": m.key, "alt_text": m.alt_text} for m in post.media],
            }
        )
        return self._receipt(post.id, now)

    def find(self, post: terrain.Post) -> terrain.Receipt | None:
        """The receipt of ``post`` if the journal holds it (and no later delete)."""
        receipt = None
        for record in self._records():
            if record["post_id"] != post.id:
                continue
            if record["event"] == "published":
                receipt = self._receipt(post.id, datetime.fromisoformat(record["at"]))
            else:
                receipt = None
        return receipt

    def delete(self, receipt: terrain.Receipt) -> None:
        """Append a ``deleted`` line; :class:`~terrain.errors.NotFound` if not published."""
        probe = terrain.Post(id=receipt.post_id, platform=self.name, text="probe")
        if self.find(probe) is None:
            raise NotFound(f"{self.name}: post {receipt.post_id} is not in {self.path}")
        self._append({"event": "deleted", "post_id": receipt.post_id})

    def _receipt(self, post_id: str, at: datetime) -> terrain.Receipt:
        return terrain.Receipt(
            platform=self.name, post_id=post_id, remote_id=f"journal:{post_id}", published_at=at
        )


class JournalFactory:
    """Builds the journal from ``[platforms.example-journal]``: ``path`` (default
    ``journal.jsonl`` in the workspace)."""

    name = "example-journal"

    def __call__(self, context: PlatformContext) -> JournalPlatform:
        """A :class:`JournalPlatform` writing to ``path``."""
        raw = context.settings.get("path", "journal.jsonl")
        if not isinstance(raw, str) or not raw:
            raise ConfigError(f"[platforms.example-journal] path = {raw!r}: give a file name")
        path = Path(raw)
        if not path.is_absolute():
            if context.root is None:
                raise ConfigError("example-journal: give an absolute path or a workspace")
            path = context.root / path
        return JournalPlatform(path)


@terrain.hookimpl
def terrain_register_platforms(register: Any) -> None:
    """Add the ``example-journal`` platform."""
    register(JournalFactory())
