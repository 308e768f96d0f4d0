"""Publishing: compose a post per platform, journal it, send it exactly once.

- :func:`compose` / :func:`compose_posts` / :func:`event_recaps` /
  :func:`event_announcement`: posts that fit a platform's capabilities, from
  an event and its content, in the community's words (:mod:`terrain.templates`);
  an album of photos takes as many posts as the platform needs.
- :func:`decide_post`: the consent gate asked about a post at the call, photo
  by photo for an album (the runner and the dry run both use it).
- :class:`PostingSlots`: the times a community posts on a platform.
- :class:`Journal`: one row per (post, platform), planned → claimed → sent →
  confirmed (or failed / held), in the workspace database.
- :func:`publish`: the runner (consent at the last moment, hooks, rate limits,
  daily budgets, retries, concurrency, crash reconciliation).
- :func:`run_worker`: a long-running worker draining a journal shared with
  other workers (leases, takeover, graceful stop, store outages ridden out);
  rate limits and budgets hold across workers (:meth:`Journal.reserve`).
- :func:`approval_check` / :class:`Approvals`: with approval on, nothing goes
  out without an approval of its exact content (:func:`fingerprint`).
- :func:`blurred_copies`: the blurred copy of a photo the gate blurs, sent
  instead of the stored original.
- :func:`judge`: what the consent gate's answer on a post means (allowed,
  refused, or undecided when the store or the network failed), shared by the
  runner, the workers and the dry run.
- :class:`TakedownQueue` / :func:`run_takedowns`: the takedowns a withdrawal
  queued, claimed with a lease and carried out once by a worker.
"""

from typing import TYPE_CHECKING

from terrain._lazy import exports

if TYPE_CHECKING:
    from terrain.publishing._album import LEFT_OUT, decide_post, left_out
    from terrain.publishing._approvals import (
        Approval,
        ApprovalCheck,
        Approvals,
        approval_check,
        approval_record,
        editor_refs,
        fingerprint,
    )
    from terrain.publishing._compose import (
        Composed,
        Continued,
        Dropped,
        MayTag,
        Recap,
        compose,
        compose_posts,
        edit_text,
        event_announcement,
        event_recaps,
        event_values,
        photo_captions,
        post_id,
        text_length,
    )
    from terrain.publishing._egress import EGRESS_PREFIX, blurred_copies
    from terrain.publishing._gate import consent_purpose
    from terrain.publishing._journal import (
        Journal,
        JournalRow,
        Reservation,
        RowState,
        TakedownLogEntry,
        new_owner_id,
    )
    from terrain.publishing._judge import Gate, Judgement, Verdict, held_for_infrastructure, judge
    from terrain.publishing._outage import GaveUp, Outage
    from terrain.publishing._outcomes import PostOutcome, RunReport, outcome_of
    from terrain.publishing._policy import DEFAULT_POLICIES, PlatformPolicy
    from terrain.publishing._runner import publish, scrub
    from terrain.publishing._slots import PostingSlots
    from terrain.publishing._stats import MetricsLog, Reading, read_metrics
    from terrain.publishing._takedowns import (
        QueuedTakedown,
        TakedownQueue,
        TakedownRun,
        run_takedowns,
    )
    from terrain.publishing._worker import WorkerReport, run_worker

__all__ = [
    "DEFAULT_POLICIES",
    "EGRESS_PREFIX",
    "LEFT_OUT",
    "Approval",
    "ApprovalCheck",
    "Approvals",
    "Composed",
    "Continued",
    "Dropped",
    "Gate",
    "GaveUp",
    "Journal",
    "JournalRow",
    "Judgement",
    "MayTag",
    "MetricsLog",
    "Outage",
    "PlatformPolicy",
    "PostOutcome",
    "PostingSlots",
    "QueuedTakedown",
    "Reading",
    "Recap",
    "Reservation",
    "RowState",
    "RunReport",
    "TakedownLogEntry",
    "TakedownQueue",
    "TakedownRun",
    "Verdict",
    "WorkerReport",
    "approval_check",
    "approval_record",
    "blurred_copies",
    "compose",
    "compose_posts",
    "consent_purpose",
    "decide_post",
    "edit_text",
    "editor_refs",
    "event_announcement",
    "event_recaps",
    "event_values",
    "fingerprint",
    "held_for_infrastructure",
    "judge",
    "left_out",
    "new_owner_id",
    "outcome_of",
    "photo_captions",
    "post_id",
    "publish",
    "read_metrics",
    "run_takedowns",
    "run_worker",
    "scrub",
    "text_length",
]


# Renamed after 0.1.0 (terrain.consent has an Outcome too; three takedown types had names
# alike): served until the next release.
if not TYPE_CHECKING:  # each name is imported when first used (terrain._lazy)
    __getattr__, __dir__ = exports(
        __name__, __file__, renamed={"Outcome": "PostOutcome", "TakedownEntry": "TakedownLogEntry"}
    )
