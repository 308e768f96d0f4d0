"""Where one record stands at an instant: :class:`RecordStatus` (what ``terrain
consent list`` shows), on its own so a listing need not load the ledger."""

from __future__ import annotations

import enum

__all__ = ["RecordStatus"]


class RecordStatus(enum.StrEnum):
    """Where one record stands at an instant (``terrain consent list``)."""

    GIVEN = "given"  #: in force
    SCHEDULED = "scheduled"  #: expressed, in force from a later date
    PENDING_GUARDIAN = "pending guardian"  #: a minor's: a guardian's agreement is missing
    PENDING_ASSENT = "pending assent"  #: a minor's: the child's own answer is missing
    PARTLY_WITHDRAWN = "partly withdrawn"  #: in force except what was withdrawn
    WITHDRAWN = "withdrawn"  #: ended by a withdrawal
    EXPIRED = "expired"  #: past its end date
    REFUSED = "refused"  #: a refusal, in force
    LIFTED = "lifted"  #: a refusal, lifted later by the same people
