"""Where a person's records stand at every instant: their consent timeline.

:func:`record_states` answers for one instant by looking at every event of the
person. Its answer only changes at an instant some event names (a record
expressed, in force from, ending, renewed; a withdrawal): between two of
them it is the same. :func:`timeline` asks once at each such instant and
keeps the spans over which each record's status and detail stay the same, so
where records stood at any instant is a lookup (``terrain consent list
--at``) instead of a replay of the log. :func:`describe` is the one-line
summary of a record the listing prints.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import attrs

from terrain._time import instant, require_aware
from terrain.consent._records import Consent
from terrain.consent._status import RecordStatus

if TYPE_CHECKING:
    from terrain.consent._ledger import ConsentLedger

__all__ = ["TimelineSpan", "describe", "timeline"]


@attrs.frozen
class TimelineSpan:
    """Record ``consent_id``, the ``position``-th of its subject's (in the order
    they were recorded), stands at ``status`` with ``detail`` from ``since``
    (included) until ``until`` (excluded; ``None``: from then on). Both are UTC."""

    position: int
    consent_id: str
    since: datetime
    until: datetime | None
    status: RecordStatus
    detail: str

    def holds_at(self, at: datetime) -> bool:
        """Whether ``at`` falls in this span."""
        when = instant(require_aware(at, "TimelineSpan.holds_at: at"))
        return self.since <= when and (self.until is None or when < self.until)


def describe(consent: Consent) -> str:
    """A record in one line: ``"publish, tag on x, for all content until 2027-01-01"``."""
    purposes = ", ".join(sorted(p.value for p in consent.purposes))
    where = "every platform" if consent.platforms is None else ", ".join(sorted(consent.platforms))
    until = f" until {consent.valid_until:%Y-%m-%d}" if consent.valid_until else ""
    return f"{purposes} on {where}, for {consent.scope}{until}"


def turning_points(ledger: ConsentLedger, subject_id: str) -> list[datetime]:
    """Every instant (UTC, sorted) an event of ``subject_id`` names: where the
    status of one of their records may change."""
    found: set[datetime] = set()
    for consent_id in ledger._records_of(subject_id):
        base = ledger._base[consent_id]
        found.update(instant(change.at) for change in base.history)
        found.add(instant(base.valid_from))
        if base.valid_until is not None:
            found.add(instant(base.valid_until))
        for renewal in ledger._renewals.get(consent_id, ()):
            found.update((instant(renewal.at), instant(renewal.until)))
    found.update(instant(w.at) for w in ledger._withdrawals.get(subject_id, ()))
    return sorted(found)


def timeline(ledger: ConsentLedger, subject_id: str) -> tuple[TimelineSpan, ...]:
    """Where each record of ``subject_id`` stands at every instant, as spans in
    which neither its status nor its detail changes, by record then by time.

    A record has no span before it was expressed. Made by asking
    :meth:`~terrain.consent.ConsentLedger.record_states` at every turning point,
    so it says exactly what that method says at any instant. ``()`` for
    someone who is not a member the ledger knows.
    """
    if subject_id not in ledger.members:
        return ()
    position = {c: n for n, c in enumerate(ledger._records_of(subject_id))}
    open_: dict[str, TimelineSpan] = {}
    spans: list[TimelineSpan] = []
    for point in turning_points(ledger, subject_id):
        at = point.astimezone(UTC)
        for state in ledger.record_states(subject_id, at=at):
            cid = state.consent.id
            current = open_.get(cid)
            if current is not None and (current.status, current.detail) == (
                state.status, state.detail,
            ):
                continue
            if current is not None:
                spans.append(attrs.evolve(current, until=at))
            open_[cid] = TimelineSpan(position[cid], cid, at, None, state.status, state.detail)
    spans.extend(open_.values())
    spans.sort(key=lambda s: (s.position, s.since))
    return tuple(spans)
