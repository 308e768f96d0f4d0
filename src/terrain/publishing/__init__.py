"""Publishing: compose a post per platform, journal it, send it exactly once.

- :func:`compose` / :func:`event_recaps`: a :class:`~terrain.Post` that fits
  a platform's capabilities, from an event and its content.
- :class:`Journal`: one row per (post, platform), planned → claimed → sent →
  confirmed (or failed / held), in the workspace database.
- :func:`publish`: the runner (consent at the last moment, hooks, rate limits,
  daily budgets, retries, concurrency, crash reconciliation).
- :func:`run_worker`: a long-running worker draining a journal shared with
  other workers (leases, takeover, graceful stop); rate limits and budgets
  hold across workers (:meth:`Journal.reserve`).
- :class:`TakedownQueue` / :func:`run_takedowns`: the takedowns a withdrawal
  queued, claimed with a lease and carried out once by a worker.
"""

from terrain.publishing._compose import MayTag, Recap, compose, event_recaps, post_id, text_length
from terrain.publishing._journal import (
    Journal,
    JournalRow,
    Reservation,
    RowState,
    TakedownEntry,
    new_owner_id,
)
from terrain.publishing._outcomes import Outcome, RunReport, outcome_of
from terrain.publishing._policy import DEFAULT_POLICIES, PlatformPolicy
from terrain.publishing._runner import Gate, publish, scrub
from terrain.publishing._takedowns import (
    QueuedTakedown,
    TakedownQueue,
    TakedownRun,
    run_takedowns,
)
from terrain.publishing._worker import WorkerReport, run_worker

__all__ = [
    "DEFAULT_POLICIES",
    "Gate",
    "Journal",
    "JournalRow",
    "MayTag",
    "Outcome",
    "PlatformPolicy",
    "QueuedTakedown",
    "Recap",
    "Reservation",
    "RowState",
    "RunReport",
    "TakedownEntry",
    "TakedownQueue",
    "TakedownRun",
    "WorkerReport",
    "compose",
    "event_recaps",
    "new_owner_id",
    "outcome_of",
    "post_id",
    "publish",
    "run_takedowns",
    "run_worker",
    "scrub",
    "text_length",
]
