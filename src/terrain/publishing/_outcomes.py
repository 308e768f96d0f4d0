"""What a run says about each row: :class:`PostOutcome`, :class:`RunReport`."""

from __future__ import annotations

from datetime import datetime

import attrs

from terrain.publishing._journal import JournalRow, RowState

__all__ = ["Outcome", "PostOutcome", "RunReport", "outcome_of"]


@attrs.frozen
class PostOutcome:
    """Where one (post, platform) stands after a run, and why.

    ``taken_down_at`` is set when the post was published, then taken down.
    """

    post_id: str
    platform: str
    state: RowState
    message: str
    url: str | None = None
    attempts: int = 0
    reasons: tuple[str, ...] = ()
    next_attempt_at: datetime | None = None
    taken_down_at: datetime | None = None

    @property
    def is_online(self) -> bool:
        """Whether the post is on the platform now (published and not taken down)."""
        return self.state in (RowState.SENT, RowState.CONFIRMED) and self.taken_down_at is None


#: The name this class had until 0.1.0 (terrain.consent has an Outcome too); kept here
#: for the modules that still import it, and served with a warning by terrain.publishing.
Outcome = PostOutcome


@attrs.frozen
class RunReport:
    """What a run did: one :class:`PostOutcome` per row, and platform-wide messages."""

    outcomes: tuple[PostOutcome, ...]
    messages: tuple[str, ...] = ()

    @property
    def failed(self) -> bool:
        """Whether anything failed (a refused post, a stopped platform)."""
        return any(o.state is RowState.FAILED for o in self.outcomes) or any(
            m.startswith("STOPPED") for m in self.messages
        )

    def by_state(self, state: RowState | str) -> list[PostOutcome]:
        """The outcomes in ``state``."""
        return [o for o in self.outcomes if o.state == state]


def outcome_of(row: JournalRow) -> PostOutcome:
    """A row as a one-line :class:`PostOutcome` for people and ``--json``."""
    url = row.receipt.url if row.receipt is not None else None
    if row.state in (RowState.CONFIRMED, RowState.SENT):
        message = f"published on {row.platform}" + (f": {url}" if url else "")
        if row.taken_down_at is not None:
            message = f"taken down from {row.platform} on {row.taken_down_at.isoformat()}"
    elif row.state is RowState.HELD:
        message = "held back: " + "; ".join(row.reasons)
    elif row.state is RowState.FAILED:
        message = f"failed: {row.last_error}"
    elif row.state is RowState.PLANNED:
        when = row.next_attempt_at.isoformat(timespec="minutes") if row.next_attempt_at else "now"
        message = f"planned (next try {when})" + (
            f"; last error: {row.last_error}" if row.last_error else ""
        )
    else:
        message = f"in flight (claimed by {row.claimed_by})"
    return PostOutcome(
        post_id=row.post_id,
        platform=row.platform,
        state=row.state,
        message=message,
        url=url,
        attempts=row.attempts,
        reasons=row.reasons,
        next_attempt_at=row.next_attempt_at,
        taken_down_at=row.taken_down_at,
    )
