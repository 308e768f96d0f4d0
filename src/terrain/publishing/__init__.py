"""Publishing: compose a post per platform, journal it, send it exactly once.

- :func:`compose` / :func:`event_recaps`: a :class:`~terrain.Post` that fits
  a platform's capabilities, from an event and its content.
- :class:`Journal`: one row per (post, platform), planned → claimed → sent →
  confirmed (or failed / held), in the workspace database.
- :func:`publish`: the runner (consent at the last moment, hooks, rate limits,
  daily budgets, retries, concurrency, crash reconciliation).
"""

from terrain.publishing._compose import MayTag, Recap, compose, event_recaps, post_id, text_length
from terrain.publishing._journal import Journal, JournalRow, RowState, TakedownEntry
from terrain.publishing._runner import (
    DEFAULT_POLICIES,
    Gate,
    Outcome,
    PlatformPolicy,
    RunReport,
    outcome_of,
    publish,
    scrub,
)

__all__ = [
    "DEFAULT_POLICIES",
    "Gate",
    "Journal",
    "JournalRow",
    "MayTag",
    "Outcome",
    "PlatformPolicy",
    "Recap",
    "RowState",
    "RunReport",
    "TakedownEntry",
    "compose",
    "event_recaps",
    "outcome_of",
    "post_id",
    "publish",
    "scrub",
    "text_length",
]
