"""How hard the runner may push each platform: :class:`PlatformPolicy`."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["DEFAULT_POLICIES", "PlatformPolicy"]


@attrs.frozen
class PlatformPolicy:
    """How hard the runner may push one platform.

    ``rate``: at most this many calls per second. ``daily_budget``: at most
    this many posts in any 24 hours (the rest waits, planned). ``concurrency``:
    calls in flight at once. ``max_attempts``: tries before a retryable error
    fails the row. ``backoff``: first retry delay in seconds, doubled at each
    try up to ``max_backoff``.
    """

    rate: float | None = None
    daily_budget: int | None = None
    concurrency: int = 1
    max_attempts: int = 5
    backoff: float = 2.0
    max_backoff: float = 300.0


#: Known platforms' limits (X free tier: about 17 posts a day).
DEFAULT_POLICIES: Mapping[str, PlatformPolicy] = {
    "x": PlatformPolicy(rate=1.0, daily_budget=17),
    "facebook": PlatformPolicy(rate=1.0, daily_budget=200),
    "instagram": PlatformPolicy(rate=0.5, daily_budget=50),
    # LinkedIn: daily quotas per member and app (reset at midnight UTC)
    "linkedin": PlatformPolicy(rate=0.5, daily_budget=100),
    # Mastodon: 300 calls per 5 minutes, 30 media uploads per 30 minutes per account
    "mastodon": PlatformPolicy(rate=0.5, daily_budget=300),
    # Bluesky: 5,000 write points an hour (a post is 3), 11,666 posts a day at most
    "bluesky": PlatformPolicy(rate=1.0, daily_budget=1000),
    "outbox": PlatformPolicy(concurrency=4),
}
