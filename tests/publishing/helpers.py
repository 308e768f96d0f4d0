"""Shared pieces of the publishing tests: a clock, consent gates, posts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from terrain.consent import ConsentLedger, Decision, decide
from terrain.posts import Post
from terrain.publishing import Journal

START = datetime(2026, 3, 12, 22, 0, tzinfo=UTC)


class Clock:
    """A fake clock; ``sleep`` moves it forward instead of waiting."""

    def __init__(self, start: datetime = START) -> None:
        self.at = start
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += timedelta(seconds=seconds)

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


def ledger_gate(ledger: ConsentLedger):  # type: ignore[no-untyped-def]
    """The consent gate over ``ledger`` (posts without people are allowed)."""

    def gate(post: Post, at: datetime, *, purpose: str = "publish") -> Decision:
        return decide(ledger, post, platform=post.platform, purpose=purpose, at=at, contents={})

    return gate


def posts(n: int, platform: str = "fake", prefix: str = "p") -> list[Post]:
    return [Post(id=f"{prefix}-{i:03d}", platform=platform, text=f"recap {i}") for i in range(n)]


def journal(tmp_path: Path, name: str = "journal.db") -> Journal:
    return Journal(tmp_path / name, create=True)
