"""Publishing: compose a post per platform, journal it, send it exactly once.

- :func:`compose` / :func:`event_recaps`: a :class:`~terrain.Post` that fits
  a platform's capabilities, from an event and its content.
- :class:`Journal`: one row per (post, platform), planned → claimed → sent →
  confirmed (or failed / held), in the workspace database.
- :func:`publish`: the runner (consent at the last moment, hooks, rate limits,
  daily budgets, retries, concurrency, crash reconciliation).
- :func:`run_worker`: a long-running worker draining a journal shared with
  other workers (leases, takeover, graceful stop, store outages ridden out);
  rate limits and budgets hold across workers (:meth:`Journal.reserve`).
- :func:`judge`: what the consent gate's answer on a post means (allowed,
  refused, or undecided when the store or the network failed), shared by the
  runner, the workers and the dry run.
"""

from terrain.publishing._compose import MayTag, Recap, compose, event_recaps, post_id, text_length
from terrain.publishing._journal import (
    Journal,
    JournalRow,
    Reservation,
    RowState,
    TakedownEntry,
)
from terrain.publishing._judge import Gate, Judgement, Verdict, judge
from terrain.publishing._outcomes import Outcome, RunReport, outcome_of
from terrain.publishing._policy import DEFAULT_POLICIES, PlatformPolicy
from terrain.publishing._runner import publish, scrub
from terrain.publishing._worker import WorkerReport, run_worker

__all__ = [
    "DEFAULT_POLICIES",
    "Gate",
    "Journal",
    "JournalRow",
    "Judgement",
    "MayTag",
    "Outcome",
    "PlatformPolicy",
    "Recap",
    "Reservation",
    "RowState",
    "RunReport",
    "TakedownEntry",
    "Verdict",
    "WorkerReport",
    "compose",
    "event_recaps",
    "judge",
    "outcome_of",
    "post_id",
    "publish",
    "run_worker",
    "scrub",
    "text_length",
]
