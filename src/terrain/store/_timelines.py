"""The stored consent timeline: where each record stands at any instant, looked up.

:func:`terrain.consent.timeline` says, for one person, where each of their
records stands over time. The store keeps it per person (migration 12:
``consent_spans``, ``consent_standing``, ``consent_stamps``), so ``terrain
consent list --at T`` reads the spans holding at ``T`` in one query instead
of replaying the consent log.

It is a cache, and never trusted blindly. Each person's stamp says what
their timeline was made from: the last consent event and member revision
the ledger had seen, the guardian rule, and the people whose member records
it read (them, their guardians, whoever gave their records; one row each in
``consent_stamp_people``, migration 14, so the check is one query). Before a
listing, a person is *stale* when an event of theirs came after the stamp,
one of those people was written (or removed, or added) since, or the rule
changed; their timeline is then made again from the log (their events only)
and stored, unless the workspace is read-only. A consent write stores the
timelines of the people it is about in its own transaction. A store copied
without the tables, or a workspace just migrated, is all stale: the first
listing makes every timeline.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from terrain._time import instant
from terrain.errors import StorageError
from terrain.store._backend import Transaction

if TYPE_CHECKING:
    from terrain.consent import ConsentLedger, ListedConsent
    from terrain.store._workspace import Workspace

__all__ = ["listing", "listing_lines", "micros", "store_timelines"]

_log = logging.getLogger(__name__)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)

#: A listed row: (subject, position, consent id, status, detail, summary, JSON or None).
Row = tuple[str, int, str, str, str, str, str | None]


def micros(at: datetime) -> int:
    """``at`` as UTC microseconds since 1970 (how the spans are stored)."""
    return (instant(at) - _EPOCH) // _MICRO


class Made:
    """The timelines of some people, made from a ledger: the rows to store and
    the rows holding at one instant."""

    def __init__(self) -> None:
        self.subjects: list[str] = []
        self.spans: list[tuple[str, int, int, int | None, str, str, str, str]] = []
        self.standing: list[tuple[str, int, str]] = []
        self.stamps: list[tuple[str, int, int, str, str]] = []
        self.people: list[tuple[str, str, int]] = []

    def store(self, tx: Transaction, ws: Workspace) -> None:
        """Replace these people's stored timelines by these."""
        ws.db.replace_timelines(tx, self.subjects, self.spans, self.standing, self.stamps,
                                self.people)

    def at(self, when: int, data: bool) -> list[Row]:
        """The rows holding at ``when`` (UTC microseconds)."""
        standing = {(s, p): d for s, p, d in self.standing}
        return [
            (subject, pos, consent_id, status, detail, summary,
             standing[subject, pos] if data else None)
            for subject, pos, since, until, consent_id, status, detail, summary in self.spans
            if since <= when and (until is None or when < until)
        ]


def make(
    ledger: ConsentLedger, subjects: Collection[str], *, seq: int, rev: int, rule: str
) -> Made:
    """The timelines of ``subjects`` as ``ledger`` says (it holds their events and
    the members they need), stamped with the last event ``seq`` and member
    revision ``rev`` it has seen and the guardian ``rule``."""
    import orjson

    from terrain.consent import describe, timeline
    from terrain.serialization import unstructure

    made = Made()
    members = ledger.members
    for subject in sorted(set(subjects)):
        made.subjects.append(subject)
        people = {subject}
        member = members.get(subject)
        if member is not None:
            people.update(member.guardian_ids)
            summaries = []
            for pos, record in enumerate(ledger.for_subject(subject)):
                people.update(record.given_by)
                summaries.append(describe(record))
                made.standing.append((subject, pos, orjson.dumps(unstructure(record)).decode()))
            for span in timeline(ledger, subject):
                made.spans.append((
                    subject, span.position, micros(span.since),
                    None if span.until is None else micros(span.until),
                    span.consent_id, span.status.value, span.detail, summaries[span.position],
                ))
        seen = {p: int(p in members) for p in sorted(people)}
        made.stamps.append((subject, seq, rev, rule, json.dumps(seen, separators=(",", ":"))))
        made.people.extend((subject, person, present) for person, present in seen.items())
    return made


def stale(ws: Workspace, subject_id: str | None) -> set[str]:
    """The people (``subject_id``, or everyone with consent events) whose stored
    timeline is missing or behind the log, the members or the guardian rule (one
    query: :meth:`~terrain.store._db.Database.stale_timelines`)."""
    return ws.db.stale_timelines(ws.config.guardian_rule, subject_id)


def store_timelines(ws: Workspace, tx: Transaction, ledger: ConsentLedger,
                    subjects: Collection[str]) -> None:
    """Store the timelines of ``subjects`` as ``ledger`` (the workspace's, just
    brought up to date and changed in transaction ``tx``) says: a consent write
    keeps them current."""
    made = make(ledger, subjects, seq=ws._ledger_seq, rev=ws._ledger_rev,
                rule=ws.config.guardian_rule)
    made.store(tx, ws)


def _made_again(ws: Workspace, subject_id: str | None) -> tuple[set[str], Made | None, bool]:
    """The people (``subject_id``, or everyone) whose stored timeline was stale, their
    timelines made again, and whether those were stored (not in a read-only
    workspace, nor when the store refused the write)."""
    behind = stale(ws, subject_id)
    if not behind:
        return behind, None, True
    with ws._ledger_lock:
        ledger = ws._refresh_ledger(behind)
        made = make(ledger, behind, seq=ws._ledger_seq, rev=ws._ledger_rev,
                    rule=ws.config.guardian_rule)
    if ws.db.backend.read_only:
        return behind, made, False
    try:
        with ws.db.transaction() as tx:
            made.store(tx, ws)
    except StorageError as exc:  # a read-only file, a busy store: list all the same
        _log.debug("consent timelines not stored (made again next time): %s", exc)
        return behind, made, False
    return behind, made, True


def listing(
    ws: Workspace, subject_id: str | None, at: datetime, *, data: bool
) -> list[ListedConsent]:
    """Where each record (of ``subject_id``, or everyone's) stands at ``at``, by
    person then in the order recorded: the stored timelines, those that are stale
    made again first (and stored, unless the workspace is read-only)."""
    behind, made, _ = _made_again(ws, subject_id)
    return _listed(ws, subject_id, micros(at), behind, made, data=data)


def listing_lines(ws: Workspace, subject_id: str | None, at: datetime) -> list[str]:
    """:func:`listing`'s records as ``terrain consent list`` prints them
    (:meth:`~terrain.consent.ListedConsent.line`), made by the database from the
    stored timelines; in Python when a stale timeline could not be stored."""
    behind, made, stored = _made_again(ws, subject_id)
    when = micros(at)
    if stored:
        return ws.db.timeline_lines_at(when, subject_id)
    return [row.line() for row in _listed(ws, subject_id, when, behind, made, data=False)]


def _listed(ws: Workspace, subject_id: str | None, when: int, behind: set[str],
            made: Made | None, *, data: bool) -> list[ListedConsent]:
    """The records holding at ``when``: the stored rows, those of ``behind`` as
    ``made`` says."""
    from terrain.consent import ListedConsent, RecordStatus

    rows = ws.db.timeline_at(when, subject_id, data=data)
    if made is not None:
        rows = [r for r in rows if r[0] not in behind] + made.at(when, data)
    rows.sort(key=itemgetter(0, 1))  # in Python: a server's collation may sort ids otherwise
    statuses = {s.value: s for s in RecordStatus}
    new, line = tuple.__new__, ListedConsent  # 20,000 rows: no Python frame each
    if not data:
        return [new(line, (consent_id, subject, statuses[status], detail, summary, None))
                for subject, _, consent_id, status, detail, summary, _ in rows]
    import orjson  # the records' data: --json and --csv only

    out: list[ListedConsent] = []
    for subject, _, consent_id, status, detail, summary, text in rows:
        record: Any = None if text is None else orjson.loads(text)
        out.append(ListedConsent(consent_id, subject, statuses[status], detail, summary, record))
    return out


def subjects_of(events: Sequence[Any]) -> set[str]:
    """The people consent ``events`` are about."""
    return {str(e.subject_id) for e in events}
