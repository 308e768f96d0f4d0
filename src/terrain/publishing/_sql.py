"""Every SQL statement of the publication journal, in one place.

The statements run on SQLite and PostgreSQL alike: plain ``?`` parameters
(the store's backend adapts them to its driver) and ISO 8601 UTC timestamps
stored as text, which sort like the instants they name. The one difference is
how a claim keeps two workers off the same row: SQLite serialises writers
(``BEGIN IMMEDIATE``), PostgreSQL locks the selected rows and lets other
workers skip them (:func:`skip_locked`).

The schema itself is migration 2 of the workspace
(:mod:`terrain.store._schema`), the one place the database's tables are defined.
"""

from __future__ import annotations

__all__ = ["STATES", "skip_locked"]

#: States of a row: planned → claimed → sent → confirmed, or failed / held.
STATES = ("planned", "claimed", "sent", "confirmed", "failed", "held")

COLUMNS = (
    "post_id, platform, purpose, event_id, post_json, state, attempts, next_attempt_at, "
    "last_error, reasons_json, receipt_json, claimed_by, lease_until, planned_at, updated_at, "
    "sent_at, taken_down_at"
)


def skip_locked(statement: str, dialect: str) -> str:
    """``statement`` (a ``SELECT``) locking the rows it returns, skipping rows another
    transaction holds, on PostgreSQL; unchanged on SQLite, whose writers take turns."""
    if dialect == "postgresql":
        return f"{statement.rstrip()}\nFOR UPDATE SKIP LOCKED"
    return statement


SELECT_ONE = f"SELECT {COLUMNS} FROM publication_journal WHERE post_id = ? AND platform = ?"

#: The rows of some posts (``{marks}``: one ``?`` per post id), on every platform.
SELECT_OF_POSTS = f"SELECT {COLUMNS} FROM publication_journal WHERE post_id IN ({{marks}})"

INSERT_PLANNED = """
INSERT INTO publication_journal
    (post_id, platform, purpose, event_id, post_json, state, attempts, next_attempt_at,
     planned_at, updated_at)
VALUES (?, ?, ?, ?, ?, 'planned', 0, NULL, ?, ?)
"""

#: Re-planning a row that did not go out (held, failed) starts it afresh; a
#: row already on the platform (sent, confirmed) or in flight is left alone.
#: ``attempts`` stays at 1 if the row was ever tried: the runner then asks
#: ``Platform.find`` before calling again (a timeout may have hidden a success).
REPLAN_FINISHED = """
UPDATE publication_journal
SET post_json = ?, state = 'planned', attempts = CASE WHEN attempts > 0 THEN 1 ELSE 0 END,
    next_attempt_at = NULL, wake_at = NULL, last_error = NULL, reasons_json = '[]',
    claimed_by = NULL, lease_until = NULL, updated_at = ?
WHERE post_id = ? AND platform = ? AND state IN ('held', 'failed')
"""

#: A row held for a reason that no longer stands (an outage while consent was
#: read) is planned again as it is; like REPLAN_FINISHED, a row ever tried keeps
#: ``attempts`` at 1 so that ``Platform.find`` is asked before any call.
REPLAN_HELD = """
UPDATE publication_journal
SET state = 'planned', attempts = CASE WHEN attempts > 0 THEN 1 ELSE 0 END,
    next_attempt_at = NULL, wake_at = NULL, reasons_json = '[]', claimed_by = NULL,
    lease_until = NULL, updated_at = ?
WHERE post_id = ? AND platform = ? AND state = 'held'
"""

#: A row still planned keeps its tries, its next attempt and its last error.
REPLAN_PLANNED = """
UPDATE publication_journal
SET post_json = ?, updated_at = ?
WHERE post_id = ? AND platform = ? AND state = 'planned'
"""

#: A post planned for a given time (``terrain publish --at``, a posting slot,
#: ``terrain queue move``): the worker takes it when ``next_attempt_at`` comes. The
#: row sleeps until then (``wake_at``, the same instant, twice in the parameters: see
#: WAKE).
SCHEDULE = """
UPDATE publication_journal
SET next_attempt_at = ?, wake_at = ?, updated_at = ?
WHERE post_id = ? AND platform = ? AND state = 'planned'
"""

#: ``terrain queue cancel``: a planned post is held, with the manager's reason.
CANCEL = """
UPDATE publication_journal
SET state = 'held', reasons_json = ?, last_error = ?, updated_at = ?
WHERE post_id = ? AND platform = ? AND state = 'planned'
"""

#: Hold a row that waits (planned, or held already) with new reasons: the review desk.
HOLD_WAITING = """
UPDATE publication_journal
SET state = 'held', reasons_json = ?, last_error = ?, updated_at = ?
WHERE post_id = ? AND platform = ? AND state IN ('planned', 'held')
"""

#: What will go, and when: planned and in-flight rows, the soonest first.
SELECT_QUEUE = f"""
SELECT {COLUMNS} FROM publication_journal
WHERE state IN ('planned', 'claimed')
ORDER BY CASE WHEN next_attempt_at IS NULL THEN 0 ELSE 1 END, next_attempt_at, planned_at,
         post_id, platform
"""

#: Migration 17: a planned row whose ``next_attempt_at`` is set *sleeps* (``wake_at``:
#: the same instant; NULL: awake) until a claim at or after that instant wakes it. The
#: awake planned rows have an index of their own, in planned order (the claim takes the
#: first due one past any number of rows not due yet), and so do the sleepers, by
#: ``wake_at`` (the wake seeks the ones due by now past any number of awake rows); each
#: row wakes once per wait. Ordered by next_attempt_at instead, a claim would sort the
#: whole of a backlog falling due at once to take its oldest row.
WAKE = """
UPDATE publication_journal
SET wake_at = NULL
WHERE platform = ? AND state = 'planned' AND wake_at <= ?
"""

#: The next row a worker may take (once WAKE ran at the same instant): planned and
#: due, oldest first. A row woken at a later instant than the claim's (a clock set
#: back) is still awake and skipped in the index by its next_attempt_at.
SELECT_READY = f"""
SELECT {COLUMNS} FROM publication_journal
WHERE platform = ? AND state = 'planned' AND wake_at IS NULL
  AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
ORDER BY planned_at, post_id
LIMIT 1
"""

#: Rows another run left in flight (claimed or sent, not confirmed).
SELECT_IN_FLIGHT = f"""
SELECT {COLUMNS} FROM publication_journal
WHERE platform = ? AND state IN ('claimed', 'sent')
ORDER BY planned_at, post_id
"""

#: The atomic claim: only succeeds if the row is still what the claimer saw.
CLAIM = """
UPDATE publication_journal
SET state = 'claimed', claimed_by = ?, lease_until = ?, updated_at = ?
WHERE post_id = ? AND platform = ? AND state = ?
  AND coalesce(claimed_by, '') = coalesce(?, '')
"""

#: Every transition after a claim is guarded by the claimer's id, so a run
#: whose lease was taken over can never overwrite the new owner's work.
MARK_SENT = """
UPDATE publication_journal
SET state = 'sent', receipt_json = ?, sent_at = ?, attempts = attempts + 1,
    last_error = NULL, updated_at = ?, post_json = ?
WHERE post_id = ? AND platform = ? AND claimed_by = ? AND state = 'claimed'
"""

#: Sent and confirmed at once, when no after-publish hook has to run in between.
MARK_SENT_CONFIRMED = """
UPDATE publication_journal
SET state = 'confirmed', receipt_json = ?, sent_at = ?, attempts = attempts + 1,
    last_error = NULL, updated_at = ?, post_json = ?, claimed_by = NULL, lease_until = NULL
WHERE post_id = ? AND platform = ? AND claimed_by = ? AND state = 'claimed'
"""

MARK_CONFIRMED = """
UPDATE publication_journal
SET state = 'confirmed', claimed_by = NULL, lease_until = NULL, updated_at = ?
WHERE post_id = ? AND platform = ? AND claimed_by = ? AND state = 'sent'
"""

MARK_HELD = """
UPDATE publication_journal
SET state = 'held', reasons_json = ?, last_error = ?, claimed_by = NULL, lease_until = NULL,
    updated_at = ?
WHERE post_id = ? AND platform = ? AND claimed_by = ? AND state = 'claimed'
"""

MARK_FAILED = """
UPDATE publication_journal
SET state = 'failed', last_error = ?, attempts = attempts + ?, claimed_by = NULL,
    lease_until = NULL, updated_at = ?
WHERE post_id = ? AND platform = ? AND claimed_by = ? AND state = 'claimed'
"""

#: Back to planned, to be tried again at ``next_attempt_at`` (``attempts``
#: grows by 0 when the call was never made: a budget or a stopped platform); the
#: row sleeps until then (``wake_at``: the same instant again, see WAKE).
RELEASE = """
UPDATE publication_journal
SET state = 'planned', next_attempt_at = ?, wake_at = ?, last_error = ?,
    attempts = attempts + ?,
    claimed_by = NULL, lease_until = NULL, updated_at = ?
WHERE post_id = ? AND platform = ? AND claimed_by = ? AND state = 'claimed'
"""

#: Call slots (migration 3, ``slot_at``). A worker reserves the instant of
#: its next call inside one write transaction (``BEGIN IMMEDIATE`` here,
#: a lock on the platform's rows in PostgreSQL), so that rate limits and
#: daily budgets hold across processes: the budget counts posts sent in the
#: window *and* calls reserved by rows still claimed; the rate spaces each
#: reservation after the latest one of the platform (a 429 pushes it too).
RESERVE_USED = """
SELECT coalesce(sent_at, slot_at) FROM publication_journal
WHERE platform = ? AND NOT (post_id = ?)
  AND ((sent_at IS NOT NULL AND sent_at > ?)
       OR (state = 'claimed' AND slot_at IS NOT NULL AND slot_at > ?))
ORDER BY 1
"""

RESERVE_LAST_SLOT = "SELECT max(slot_at) FROM publication_journal WHERE platform = ?"

RESERVE_SLOT = """
UPDATE publication_journal
SET slot_at = ?, lease_until = ?, updated_at = ?
WHERE post_id = ? AND platform = ? AND claimed_by = ? AND state = 'claimed'
"""

#: A slot too far away to wait for is not written (the row is released until
#: then): only check, in the same transaction, that the claim is still held.
HOLDS_CLAIM = """
UPDATE publication_journal
SET updated_at = ?
WHERE post_id = ? AND platform = ? AND claimed_by = ? AND state = 'claimed'
"""

#: After a 429, no worker may call the platform before ``slot_at``.
PUSH_SLOT = """
UPDATE publication_journal
SET slot_at = ?
WHERE post_id = ? AND platform = ? AND (slot_at IS NULL OR slot_at < ?)
"""

#: Rows planned or in flight, for a worker deciding whether to wait or leave.
COUNT_OPEN = """
SELECT
    sum(CASE WHEN state = 'planned' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
        THEN 1 ELSE 0 END),
    sum(CASE WHEN state IN ('claimed', 'sent') THEN 1 ELSE 0 END)
FROM publication_journal WHERE platform = ?
"""

SENT_SINCE = """
SELECT sent_at FROM publication_journal
WHERE platform = ? AND sent_at IS NOT NULL AND sent_at > ?
ORDER BY sent_at
"""

NEXT_DUE = """
SELECT min(next_attempt_at) FROM publication_journal
WHERE platform = ? AND state = 'planned' AND next_attempt_at IS NOT NULL
"""

COUNT_PLANNED_DUE_LATER = """
SELECT count(*) FROM publication_journal
WHERE platform = ? AND state = 'planned' AND next_attempt_at > ?
"""

SELECT_ALL = f"SELECT {COLUMNS} FROM publication_journal"

#: Posts on their platform that draw on some contents or mention some members
#: (``{marks}``: one ``?`` per ``content:ID`` / ``member:ID`` reference).
SELECT_PUBLISHED_DRAWING_ON = f"""
SELECT {COLUMNS} FROM publication_journal
WHERE state IN ('sent', 'confirmed') AND taken_down_at IS NULL
  AND (post_id, platform) IN (
      SELECT post_id, platform FROM publication_refs WHERE ref IN ({{marks}}))
"""

INSERT_TAKEDOWN = """
INSERT INTO takedown_log
    (seq, subject_id, post_id, platform, remote_id, url, outcome, message, at)
VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM takedown_log), ?, ?, ?, ?, ?, ?, ?, ?)
"""

SELECT_TAKEDOWNS = """
SELECT subject_id, post_id, platform, remote_id, url, outcome, message, at
FROM takedown_log
"""

#: After a takedown the row no longer stands for a post on the platform.
MARK_TAKEN_DOWN = """
UPDATE publication_journal
SET taken_down_at = ?, updated_at = ?
WHERE post_id = ? AND platform = ? AND state IN ('sent', 'confirmed')
"""
