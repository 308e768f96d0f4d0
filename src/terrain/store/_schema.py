"""The workspace database schema: numbered migrations, in order, in one place.

:data:`MIGRATIONS` is the whole history of the schema. Opening a workspace
applies, in order and each in its own transaction, every migration whose
``version`` is above the one recorded in the ``schema_version`` table; a
database whose version is above the last one here was written by a newer
terrain and is refused rather than misread.

Adding a migration (e.g. the publication journal tables)
--------------------------------------------------------
Append one :class:`Migration` at the END of :data:`MIGRATIONS`, with the next
version number (the last one + 1) and the SQL as one script::

    Migration(
        2,
        "publication journal",
        '''
        CREATE TABLE publication_journal (...);
        CREATE INDEX publication_journal_ready ON publication_journal (...);
        ''',
    ),

Never edit or reorder a migration that was committed: workspaces in the field
already ran it. To change a table, append a new migration that alters it.

A migration that rewrites data gives a ``repair`` function too: it runs in the
migration's transaction after the SQL, with the community's time zone (the
one thing a store does not hold), and returns notes that are kept in the
``schema_notes`` table and shown by ``terrain store migrate``.
``tests/store/test_schema.py`` checks the numbering (1, 2, 3… with no gap).

Keep the SQL portable so a PostgreSQL backend can run the same scripts later:
``TEXT``/``INTEGER``/``BIGINT`` columns, explicit ``PRIMARY KEY`` and
``UNIQUE`` constraints, ISO 8601 UTC timestamps stored as ``TEXT`` (they sort
like the instants they name), JSON documents stored as ``TEXT``; no SQLite-only
``AUTOINCREMENT`` or ``WITHOUT ROWID`` (sequence numbers are assigned by the
store inside the writing transaction). Statements are split on ``;`` at
statement ends, so no ``;`` inside a statement. A trigger's SQL differs by
dialect: a repair creates it, one statement per ``tx.execute`` (migration 18).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import attrs

from terrain.store._backend import Transaction

if TYPE_CHECKING:
    from terrain.content import ContentSummary

__all__ = [
    "DIGEST_SIZE",
    "LISTED_KINDS",
    "MIGRATIONS",
    "Migration",
    "Repair",
    "handle_rows",
    "index_content_summaries",
    "index_member_handles",
    "latest_version",
    "post_refs",
    "record_digest",
    "record_digests",
    "summary_row",
]

#: A data repair: ``(transaction, community zone or None) -> notes``.
Repair = Callable[[Transaction, ZoneInfo | None], list[str]]


@attrs.frozen
class Migration:
    """Schema version ``version``: what it adds (``name``), its SQL script, and an
    optional ``repair`` of the data already stored (see the module docstring)."""

    version: int
    name: str
    sql: str
    repair: Repair | None = None

    def statements(self) -> list[str]:
        """The script's statements, one SQL string each, without the ``;``."""
        return [s.strip() for s in self.sql.split(";") if s.strip()]


#: Every migration, oldest first. APPEND ONLY (see the module docstring).
MIGRATIONS: list[Migration] = [
    Migration(
        1,
        "records, media index, appearances, consent events, decisions",
        """
        CREATE TABLE records (
            kind TEXT NOT NULL,
            id   TEXT NOT NULL,
            data TEXT NOT NULL,
            PRIMARY KEY (kind, id)
        );
        CREATE TABLE media_index (
            checksum   TEXT NOT NULL,
            content_id TEXT NOT NULL,
            media_id   TEXT NOT NULL,
            storage_key TEXT NOT NULL,
            PRIMARY KEY (content_id, media_id)
        );
        CREATE INDEX media_index_checksum ON media_index (checksum);
        CREATE TABLE appearance_index (
            member_id  TEXT NOT NULL,
            content_id TEXT NOT NULL,
            PRIMARY KEY (member_id, content_id)
        );
        CREATE INDEX appearance_index_content ON appearance_index (content_id);
        CREATE TABLE consent_events (
            seq        INTEGER NOT NULL PRIMARY KEY,
            subject_id TEXT NOT NULL,
            at         TEXT NOT NULL,
            data       TEXT NOT NULL
        );
        CREATE INDEX consent_events_subject ON consent_events (subject_id);
        CREATE TABLE decisions (
            seq          INTEGER NOT NULL PRIMARY KEY,
            id           TEXT NOT NULL UNIQUE,
            at           TEXT NOT NULL,
            subject_kind TEXT NOT NULL,
            subject_id   TEXT NOT NULL,
            platform     TEXT NOT NULL,
            data         TEXT NOT NULL
        );
        CREATE INDEX decisions_subject ON decisions (subject_kind, subject_id)
        """,
    ),
    # Publication journal and takedown log (terrain.publishing._sql holds the
    # statements that read and write them).
    Migration(
        2,
        "publication journal and takedown log",
        """
        CREATE TABLE IF NOT EXISTS publication_journal (
            post_id         TEXT NOT NULL,
            platform        TEXT NOT NULL,
            purpose         TEXT NOT NULL DEFAULT 'publish',
            event_id        TEXT,
            post_json       TEXT NOT NULL,
            state           TEXT NOT NULL DEFAULT 'planned'
                    CHECK (state IN ('planned','claimed','sent','confirmed','failed','held')),
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error      TEXT,
            reasons_json    TEXT NOT NULL DEFAULT '[]',
            receipt_json    TEXT,
            claimed_by      TEXT,
            lease_until     TEXT,
            planned_at      TEXT NOT NULL,
            updated_at      TEXT NOT NULL,
            sent_at         TEXT,
            taken_down_at   TEXT,
            PRIMARY KEY (post_id, platform)
        );
        CREATE INDEX IF NOT EXISTS publication_journal_ready
            ON publication_journal (platform, state, next_attempt_at);
        CREATE INDEX IF NOT EXISTS publication_journal_event
            ON publication_journal (event_id);
        CREATE TABLE IF NOT EXISTS takedown_log (
            seq         INTEGER NOT NULL PRIMARY KEY,
            subject_id  TEXT NOT NULL,
            post_id     TEXT NOT NULL,
            platform    TEXT NOT NULL,
            remote_id   TEXT NOT NULL,
            url         TEXT,
            outcome     TEXT NOT NULL CHECK (outcome IN ('deleted','manual','failed')),
            message     TEXT NOT NULL DEFAULT '',
            at          TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS takedown_log_subject ON takedown_log (subject_id)
        """,
    ),
    # Call slots reserved by publisher workers (rate limits and daily budgets
    # that hold across processes: terrain.publishing._sql.RESERVE_*).
    Migration(
        3,
        "publication journal: reserved call slots",
        """
        ALTER TABLE publication_journal ADD COLUMN slot_at TEXT;
        CREATE INDEX IF NOT EXISTS publication_journal_slot
            ON publication_journal (platform, slot_at)
        """,
    ),
    # Datetimes keep their IANA zone (terrain.store._zones): re-attach the
    # community's zone to what was stored with an offset only, and keep the notes.
    Migration(
        4,
        "datetimes keep their time zone; migration notes",
        """
        CREATE TABLE IF NOT EXISTS schema_notes (
            version INTEGER NOT NULL,
            seq     INTEGER NOT NULL,
            note    TEXT NOT NULL,
            PRIMARY KEY (version, seq)
        )
        """,
        repair=lambda tx, zone: _repair_zones(tx, zone),
    ),
    # Reading only what changed, and what the read commands and takedowns look
    # up (terrain.store._db: changes_since, contents of an event or by an author;
    # terrain.publishing._sql: the journal rows that draw on a content or mention
    # a member, the log's order and its decisions; a worker's claim walks the
    # planned rows of its platform in order instead of sorting them all; consent
    # ids are unique across the log, and found without reading it).
    Migration(
        5,
        "record revisions, indexes for incremental reads, read commands and takedowns",
        """
        CREATE TABLE IF NOT EXISTS content_index (
            content_id TEXT NOT NULL PRIMARY KEY,
            event_id   TEXT,
            author_id  TEXT
        );
        CREATE INDEX IF NOT EXISTS content_index_event ON content_index (event_id, content_id);
        CREATE INDEX IF NOT EXISTS content_index_author ON content_index (author_id);
        CREATE TABLE IF NOT EXISTS publication_refs (
            ref      TEXT NOT NULL,
            post_id  TEXT NOT NULL,
            platform TEXT NOT NULL,
            PRIMARY KEY (ref, post_id, platform)
        );
        CREATE INDEX IF NOT EXISTS publication_refs_post ON publication_refs (post_id, platform);
        CREATE INDEX IF NOT EXISTS decisions_post
            ON decisions (subject_kind, subject_id, platform, seq);
        CREATE INDEX IF NOT EXISTS publication_journal_order
            ON publication_journal (planned_at, post_id, platform);
        CREATE INDEX IF NOT EXISTS publication_journal_claim
            ON publication_journal (platform, state, planned_at, post_id)
        """,
        repair=lambda tx, _zone: _backfill_5(tx),
    ),
    # What the platforms say about the posts that went out (terrain stats): one
    # row per reading, kept with its time (terrain.publishing._stats).
    Migration(
        6,
        "public metrics of published posts, with the time they were read",
        """
        CREATE TABLE IF NOT EXISTS post_metrics (
            post_id   TEXT NOT NULL,
            platform  TEXT NOT NULL,
            at        TEXT NOT NULL,
            remote_id TEXT NOT NULL,
            gone      INTEGER NOT NULL DEFAULT 0,
            counts    TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (post_id, platform, at)
        );
        CREATE INDEX IF NOT EXISTS post_metrics_read ON post_metrics (at)
        """,
    ),
    # The web front end's links (terrain.store._links: signed, expiring,
    # single-purpose, revocable) and the takedowns a withdrawal queues for
    # `terrain worker` (terrain.publishing._takedowns: claimed before each
    # delete, like the publication journal).
    Migration(
        7,
        "web links and the takedown queue",
        """
        CREATE TABLE IF NOT EXISTS web_links (
            id         TEXT NOT NULL PRIMARY KEY,
            purpose    TEXT NOT NULL,
            subject_id TEXT NOT NULL,
            ref        TEXT,
            data       TEXT NOT NULL DEFAULT '{}',
            issued_at  TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at    TEXT,
            revoked_at TEXT
        );
        CREATE INDEX IF NOT EXISTS web_links_subject ON web_links (subject_id, purpose);
        CREATE TABLE IF NOT EXISTS takedown_queue (
            id              TEXT NOT NULL PRIMARY KEY,
            withdrawal_id   TEXT NOT NULL,
            subject_id      TEXT NOT NULL,
            post_id         TEXT NOT NULL,
            platform        TEXT NOT NULL,
            receipt_json    TEXT NOT NULL,
            consent_ids     TEXT NOT NULL DEFAULT '[]',
            state           TEXT NOT NULL DEFAULT 'queued'
                    CHECK (state IN ('queued','claimed','done')),
            outcome         TEXT CHECK (outcome IN ('deleted','manual','failed')),
            message         TEXT NOT NULL DEFAULT '',
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            claimed_by      TEXT,
            lease_until     TEXT,
            queued_at       TEXT NOT NULL,
            updated_at      TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS takedown_queue_state ON takedown_queue (state, queued_at);
        CREATE INDEX IF NOT EXISTS takedown_queue_subject ON takedown_queue (subject_id)
        """,
    ),
    # Every change to a record (terrain.store._history): who, when, what before,
    # what after. Append-only, but for erasure, which removes a person from it.
    Migration(
        8,
        "history of record changes",
        """
        CREATE TABLE IF NOT EXISTS history (
            seq       INTEGER NOT NULL PRIMARY KEY,
            at        TEXT NOT NULL,
            who       TEXT NOT NULL,
            action    TEXT NOT NULL,
            kind      TEXT NOT NULL,
            record_id TEXT NOT NULL,
            before    TEXT,
            after     TEXT,
            note      TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX IF NOT EXISTS history_record ON history (kind, record_id, seq)
        """,
    ),
    # The consent gate treats a member's @handle typed in a post's text as a
    # mention (issue 15): a takedown of someone's tag finds those posts too.
    Migration(
        9,
        "publication refs: the @handles typed in each post",
        "",
        repair=lambda tx, _zone: _backfill_refs(tx),
    ),
    # The review desk (issue 21): the community manager's accounts (a scrypt hash
    # each, never a password), their sessions (only a hash of each session id), who
    # edited what (the four-eyes rule), and the approvals of posts, tied to the
    # exact content approved (terrain.store._accounts, terrain.publishing._approvals).
    Migration(
        10,
        "review desk: accounts, sessions, edits, approvals",
        """
        CREATE TABLE IF NOT EXISTS accounts (
            name       TEXT NOT NULL PRIMARY KEY,
            role       TEXT NOT NULL CHECK (role IN ('editor','approver')),
            password   TEXT NOT NULL,
            created_at TEXT NOT NULL,
            changed_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS desk_sessions (
            id_hash    TEXT NOT NULL PRIMARY KEY,
            account    TEXT NOT NULL,
            created_at TEXT NOT NULL,
            seen_at    TEXT NOT NULL,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS desk_sessions_account ON desk_sessions (account);
        CREATE TABLE IF NOT EXISTS edits (
            ref     TEXT NOT NULL,
            account TEXT NOT NULL,
            what    TEXT NOT NULL,
            at      TEXT NOT NULL,
            PRIMARY KEY (ref, account, what)
        );
        CREATE TABLE IF NOT EXISTS approvals (
            post_id     TEXT NOT NULL,
            platform    TEXT NOT NULL,
            state       TEXT NOT NULL CHECK (state IN ('approved','held')),
            fingerprint TEXT NOT NULL,
            account     TEXT NOT NULL,
            at          TEXT NOT NULL,
            reason      TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (post_id, platform)
        )
        """,
    ),
    # The owners of the @handles typed in a post, found without reading every member
    # (issue 17: a dry run's cost grows with the post, not with the community). Each
    # form a handle may be typed in (terrain.posts.handle_forms), lower case; `plain`
    # says whether typed_handles can give it (a text is always searched for the others).
    Migration(
        11,
        "the @handles of members, indexed",
        """
        CREATE TABLE IF NOT EXISTS member_handles (
            form      TEXT NOT NULL,
            member_id TEXT NOT NULL,
            plain     INTEGER NOT NULL,
            PRIMARY KEY (form, member_id)
        );
        CREATE INDEX IF NOT EXISTS member_handles_member ON member_handles (member_id);
        CREATE INDEX IF NOT EXISTS member_handles_odd ON member_handles (plain)
        """,
        repair=lambda tx, _zone: index_member_handles(tx),
    ),
    # Where each consent record stands at every instant (issue 17: `terrain consent
    # list --at T` is a lookup, not a replay of the log). A cache of what the ledger
    # says (terrain.consent.timeline), per person: `consent_spans` holds each record's
    # spans (UTC microseconds, `until_us` NULL: open) with its one-line summary (no
    # index on the instants: a listing reads most spans), `consent_standing` each
    # record as it stands (JSON, for --json and --csv), `consent_stamps` what it was made
    # from (the last event and member revision seen, the guardian rule, and the people
    # read: `{member id: 1 on record, 0 not}`). A person whose stamp is missing or
    # behind is made again from the log when listed: nothing to fill here.
    Migration(
        12,
        "the consent timeline, per person",
        """
        CREATE TABLE IF NOT EXISTS consent_spans (
            subject_id TEXT NOT NULL,
            pos        INTEGER NOT NULL,
            since_us   BIGINT NOT NULL,
            until_us   BIGINT,
            consent_id TEXT NOT NULL,
            status     TEXT NOT NULL,
            detail     TEXT NOT NULL,
            summary    TEXT NOT NULL,
            PRIMARY KEY (subject_id, pos, since_us)
        );
        CREATE TABLE IF NOT EXISTS consent_standing (
            subject_id TEXT NOT NULL,
            pos        INTEGER NOT NULL,
            data       TEXT NOT NULL,
            PRIMARY KEY (subject_id, pos)
        );
        CREATE TABLE IF NOT EXISTS consent_stamps (
            subject_id TEXT NOT NULL PRIMARY KEY,
            seq        BIGINT NOT NULL,
            rev        BIGINT NOT NULL,
            rule       TEXT NOT NULL,
            people     TEXT NOT NULL
        )
        """,
    ),
    # What `terrain content list` prints of each content, kept beside its event and
    # author (issue 17: 20,000 photos listed without reading 20,000 JSON documents).
    # Written with the record, from the model (Workspace._index); NULL when the stored
    # JSON was not in the shape terrain writes: the listing then reads it whole.
    Migration(
        13,
        "what content listings show, indexed",
        "",  # the columns are added by the repair, unless there (it may run again)
        repair=lambda tx, _zone: _listing_columns(tx),
    ),
    # Who each stored consent timeline read (issue 17: whether a timeline is stale is
    # one query, not 2,000 JSON documents decoded before each listing): one row per
    # person read, `present` 1 when their member record was on record, 0 when not. The
    # rows of the timelines stored before are read from their stamps' JSON.
    Migration(
        14,
        "the people each consent timeline read, one row each",
        """
        CREATE TABLE IF NOT EXISTS consent_stamp_people (
            subject_id TEXT NOT NULL,
            person_id  TEXT NOT NULL,
            present    INTEGER NOT NULL,
            PRIMARY KEY (subject_id, person_id)
        );
        CREATE INDEX IF NOT EXISTS consent_stamp_people_person
            ON consent_stamp_people (person_id)
        """,
        repair=lambda tx, _zone: _stamp_people(tx),
    ),
    # What a reader needs of each consent event that may wait undecoded (issue 17: a
    # record scoped to one event, project or content, a renewal), kept beside its JSON
    # so that reading the events of the people a post shows decodes no JSON for them:
    # a digest of both, then its subject, record id, scope, renewed record and givers
    # (terrain.store._workspace._peek_of). NULL: the reader decodes the JSON, as it
    # does when the digest no longer matches (a record rewritten behind terrain's back).
    Migration(
        15,
        "what a reader needs of each consent event that may wait undecoded",
        "",  # the column is added by the repair, unless there (it may run again)
        repair=lambda tx, _zone: _consent_peeks(tx),
    ),
    # A worker's claim skips the planned rows not due yet (a retry backing off, a post
    # scheduled for later) inside the index, without reading each one's table row
    # (issue 17: 5,000 such rows ahead of the oldest due one cost 2.9 ms a claim; with
    # next_attempt_at in the index, 0.7 ms). The new index starts with every column of
    # publication_journal_claim, which it replaces: one index to keep up, not two.
    Migration(
        16,
        "the claim index holds when each planned row is due",
        """
        CREATE INDEX IF NOT EXISTS publication_journal_claim_due
            ON publication_journal (platform, state, planned_at, post_id, next_attempt_at);
        DROP INDEX IF EXISTS publication_journal_claim
        """,
    ),
    # A planned row waiting for its next attempt (a retry backing off, a post scheduled
    # for later) sleeps outside the claim's order: wake_at holds its next_attempt_at until
    # a claim at or after that instant wakes it (NULL: awake). The claim walks an index of
    # the awake planned rows only, in planned order, and takes the first due; the wake
    # seeks the sleepers due by now in an index of their own (each row is in one of the
    # two; each wakes once per wait). Issue 17: with migration 16's index a claim still
    # stepped over every row not due yet ahead of the oldest due one (3.6-5.1x slower
    # behind 5,000 of them); ordered by next_attempt_at instead, it would sort the whole
    # of a backlog falling due at once. Partial indexes: PostgreSQL does not read an
    # index in the order of the columns after one tested with IS NULL.
    Migration(
        17,
        "planned rows waiting for their next attempt sleep outside the claim's order",
        "",  # the column is added by the repair, unless there (it may run again)
        repair=lambda tx, _zone: _sleeping_rows(tx),
    ),
    # A listing in content_index is used only while the content's JSON is the one it
    # was made from, and the database itself now says so (issue 17: `terrain content
    # list` no longer reads and hashes 20,000 JSON documents, 13 MB, to find the few
    # edited behind terrain's back); each listing also keeps the line it prints (made
    # once when written, not by the database at every listing). Triggers on records
    # set the listing's digest to NULL (stale) when a content's record is inserted,
    # changed or deleted by anyone; terrain writes the listing after the record
    # (Workspace._index), so its own listings stay fresh. The listings already stored
    # are made again from their JSON (one whose JSON changed since it was listed is
    # caught here, once). A later migration that rewrites contents' JSON, or changes
    # the printed line, must make the listings again too (index_content_summaries).
    Migration(
        18,
        "a content's listing goes stale when its record changes; it keeps its line",
        "",  # the triggers are created by the repair: their SQL differs by dialect
        repair=lambda tx, _zone: _listing_triggers(tx),
    ),
]


def post_refs(data: dict[str, Any]) -> set[str]:
    """What a post (as plain data) draws on: ``content:ID`` for each content
    and media's content, ``member:ID`` for each member it mentions, and
    ``handle:H`` for each ``@handle`` typed in its text or thread."""
    from terrain.posts import typed_handles  # the journal's code: not every command's

    refs = {f"content:{c}" for c in data.get("content_ids") or ()}
    refs |= {f"content:{m['content_id']}" for m in data.get("media") or () if m.get("content_id")}
    refs |= {f"member:{m['member_id']}" for m in data.get("mentions") or () if m.get("member_id")}
    texts = [data.get("text") or "", *(data.get("thread") or ())]
    refs |= {f"handle:{h}" for h in typed_handles(*texts)}
    return refs


def _repair_zones(tx: Transaction, zone: ZoneInfo | None) -> list[str]:
    """Migration 4's repair (:func:`terrain.store._zones.repair_zones`), imported when
    it runs: opening a store at the latest schema does not import it (nor orjson)."""
    from terrain.store._zones import repair_zones

    return repair_zones(tx, zone)


def _has_column(tx: Transaction, table: str, column: str) -> bool:
    """Whether ``table`` has ``column`` (a probe in a savepoint: portable, and a
    failed statement does not spoil a PostgreSQL transaction)."""
    tx.execute("SAVEPOINT probe_column")
    try:
        tx.query(f"SELECT {column} FROM {table} WHERE 1 = 0")  # names fixed in this module
    except Exception:
        tx.execute("ROLLBACK TO SAVEPOINT probe_column")
        found = False
    else:
        found = True
    tx.execute("RELEASE SAVEPOINT probe_column")
    return found


def _backfill_5(tx: Transaction) -> list[str]:
    """Add the record revision and the consent id columns (unless there), then fill
    ``content_index``, ``publication_refs`` and the consent id of each recorded
    consent event from the stored JSON (migration 5; nothing to note). Safe to run
    again on a store that has them."""
    if not _has_column(tx, "records", "rev"):
        tx.execute("ALTER TABLE records ADD COLUMN rev BIGINT NOT NULL DEFAULT 0")
    tx.execute("CREATE INDEX IF NOT EXISTS records_kind_rev ON records (kind, rev)")
    if not _has_column(tx, "consent_events", "consent_id"):
        tx.execute("ALTER TABLE consent_events ADD COLUMN consent_id TEXT")
    tx.execute(
        "CREATE UNIQUE INDEX IF NOT EXISTS consent_events_consent_id ON consent_events (consent_id)"
    )
    rows = tx.query("SELECT id, data FROM records WHERE kind = 'content'")
    contents = []
    for content_id, data in rows:
        doc = json.loads(data)
        contents.append((content_id, doc.get("event_id"), doc.get("author_id")))
    tx.execute_many(
        "INSERT INTO content_index (content_id, event_id, author_id) VALUES (?, ?, ?) "
        "ON CONFLICT (content_id) DO NOTHING",
        contents,
    )
    recorded = []
    for seq, data in tx.query("SELECT seq, data FROM consent_events"):
        doc = json.loads(data)
        if doc.get("type") == "recorded" and isinstance(doc.get("consent"), dict):
            recorded.append((doc["consent"].get("id"), seq))
    tx.execute_many("UPDATE consent_events SET consent_id = ? WHERE seq = ?", recorded)
    return _backfill_refs(tx)


def _backfill_refs(tx: Transaction) -> list[str]:
    """Fill ``publication_refs`` from the stored posts (safe to run again)."""
    refs: list[tuple[str, str, str]] = []
    for post_id, platform, data in tx.query(
        "SELECT post_id, platform, post_json FROM publication_journal"
    ):
        refs.extend((ref, post_id, platform) for ref in sorted(post_refs(json.loads(data))))
    tx.execute_many(
        "INSERT INTO publication_refs (ref, post_id, platform) VALUES (?, ?, ?) "
        "ON CONFLICT (ref, post_id, platform) DO NOTHING",
        refs,
    )
    return []


def handle_rows(member_id: str, handles: Collection[str]) -> list[tuple[str, str, int]]:
    """The ``member_handles`` rows of a member with ``handles``: ``(form, member id,
    plain)`` for each form they may be typed in."""
    from terrain.posts import handle_forms, plain_handle  # a write's code: not every command's

    forms = dict.fromkeys(f for h in sorted(handles) for f in handle_forms(h))
    return [(form, member_id, int(plain_handle(form))) for form in forms]


def index_member_handles(tx: Transaction) -> list[str]:
    """Fill ``member_handles`` from the stored members (safe to run again)."""
    tx.execute("DELETE FROM member_handles")
    rows: list[tuple[str, str, int]] = []
    for member_id, data in tx.query("SELECT id, data FROM records WHERE kind = 'member'"):
        handles = json.loads(data).get("handles") or {}
        rows += handle_rows(str(member_id), [h for h in handles.values() if isinstance(h, str)])
    tx.execute_many(
        "INSERT INTO member_handles (form, member_id, plain) VALUES (?, ?, ?)", rows
    )
    return []


#: The kinds a listing in ``content_index`` may name (the values of
#: :class:`terrain.content.ContentKind`, which a test holds this to): a listing of
#: another kind is not used, the content is read from its JSON. Spelled out here so
#: that printing the listing imports no content model.
LISTED_KINDS = ("photo", "video", "interview", "micro-interview", "story", "text")

#: The ``content_index`` columns a content listing reads (:func:`summary_row`): kind,
#: title, reviewed, people, digest (migration 13) and line (migration 18).
Listed = tuple[str | None, str | None, int | None, str | None, str | None, str | None]


def record_digest(data: str) -> str:
    """The fingerprint of a stored JSON document, written with the listing made from
    it. Since migration 18 the database sets it to ``NULL`` when the record is
    written by anyone (a buggy tool, a hand edit): a listing is used only while it
    has one, or the content is read from its JSON instead."""
    return record_digests([data.encode("utf-8", "surrogatepass")])[0]


#: The size in bytes of a :func:`record_digest` (written as twice as many hex digits).
DIGEST_SIZE = 16


def record_digests(documents: Iterable[bytes]) -> list[str]:
    """:func:`record_digest` of each document, given as its UTF-8 bytes (as the store
    hands them over: a listing of 20,000 contents decodes none of them)."""
    blake2b = digest_function()  # a listing's and a write's: not every command's
    return [blake2b(raw, digest_size=DIGEST_SIZE).hexdigest() for raw in documents]


def digest_function() -> Callable[..., Any]:
    """BLAKE2b, the hash of every digest the store writes: :func:`hashlib.blake2b`,
    taken from the module that defines it. Importing :mod:`hashlib` loads OpenSSL
    too (several milliseconds of ``terrain consent grant``, which reads a peek's
    digest), for a hash that CPython computes itself."""
    try:
        from _blake2 import blake2b  # what hashlib.blake2b is
    except ImportError:  # pragma: no cover - a Python without the module: hashlib's
        from hashlib import blake2b
    return blake2b


def summary_row(summary: ContentSummary | None, data: str) -> Listed:
    """The ``content_index`` columns ``(kind, title, reviewed, people, digest, line)``
    of a content stored as ``data`` with ``summary``, as
    :class:`~terrain.content.ListedContent` has them (``line``: the line ``terrain
    content list`` prints, :meth:`~terrain.content.ListedContent.line`); all ``None``
    when there is no summary."""
    from terrain.content import ListedContent  # a write's code: not every command's

    if summary is None:
        return None, None, None, None, None, None
    listed = ListedContent.of(summary)
    return (listed.kind, listed.title, int(listed.reviewed), listed.people, record_digest(data),
            listed.line())


def _listing_columns(tx: Transaction) -> list[str]:
    """Add the listing columns to ``content_index`` (unless there), then fill them
    (migration 13; nothing to note)."""
    for column, type_ in (("kind", "TEXT"), ("title", "TEXT"), ("reviewed", "INTEGER"),
                          ("people", "TEXT"), ("digest", "TEXT")):
        if not _has_column(tx, "content_index", column):
            tx.execute(f"ALTER TABLE content_index ADD COLUMN {column} {type_}")  # fixed names
    return index_content_summaries(tx, lines=False)


def _stamp_people(tx: Transaction) -> list[str]:
    """Fill ``consent_stamp_people`` from the people JSON of each stored stamp
    (migration 14; nothing to note). Safe to run again: a stamp not in the shape
    terrain writes is dropped (its timeline is made again when listed)."""
    tx.execute("DELETE FROM consent_stamp_people")
    rows: list[tuple[str, str, int]] = []
    bad: list[tuple[str]] = []
    for subject, people in tx.query("SELECT subject_id, people FROM consent_stamps"):
        try:
            seen = json.loads(people)
        except ValueError:
            seen = None
        if not isinstance(seen, dict) or not all(p in (0, 1) for p in seen.values()):
            bad.append((subject,))
            continue
        rows.extend((subject, str(person), int(present)) for person, present in seen.items())
    tx.execute_many("DELETE FROM consent_stamps WHERE subject_id = ?", bad)
    tx.execute_many(
        "INSERT INTO consent_stamp_people (subject_id, person_id, present) VALUES (?, ?, ?)",
        rows,
    )
    return []


def _consent_peeks(tx: Transaction) -> list[str]:
    """Add the ``peek`` column to ``consent_events`` (unless there), then fill it from
    each stored event's JSON (migration 15; nothing to note). Safe to run again."""
    from terrain.store._workspace import _peek_of  # the reader's own: a migration's code

    if not _has_column(tx, "consent_events", "peek"):
        tx.execute("ALTER TABLE consent_events ADD COLUMN peek TEXT")
    rows = [(_peek_of(str(data)), seq) for seq, data in tx.query(
        "SELECT seq, data FROM consent_events")]
    tx.execute_many("UPDATE consent_events SET peek = ? WHERE seq = ?", rows)
    return []


def _sleeping_rows(tx: Transaction) -> list[str]:
    """Add ``wake_at`` to ``publication_journal`` (unless there), put the planned rows
    with a next attempt to sleep until it, and index the awake and the sleeping planned
    rows apart, in place of migration 16's claim index (migration 17; nothing to note).
    Safe to run again: a row put back to sleep is woken by the next claim."""
    if not _has_column(tx, "publication_journal", "wake_at"):
        tx.execute("ALTER TABLE publication_journal ADD COLUMN wake_at TEXT")
    tx.execute(
        "UPDATE publication_journal SET wake_at = next_attempt_at "
        "WHERE state = 'planned' AND next_attempt_at IS NOT NULL"
    )
    tx.execute(
        "CREATE INDEX IF NOT EXISTS publication_journal_awake "
        "ON publication_journal (platform, planned_at, post_id, next_attempt_at) "
        "WHERE state = 'planned' AND wake_at IS NULL"
    )
    tx.execute(
        "CREATE INDEX IF NOT EXISTS publication_journal_asleep "
        "ON publication_journal (platform, wake_at) "
        "WHERE state = 'planned' AND wake_at IS NOT NULL"
    )
    tx.execute("DROP INDEX IF EXISTS publication_journal_claim_due")
    return []


#: The triggers of migration 18 on SQLite: a content's record inserted, changed (its
#: JSON, id or kind) or deleted marks the listing of its id stale.
_SQLITE_LISTING_TRIGGERS = (
    """CREATE TRIGGER IF NOT EXISTS content_listing_stale_insert AFTER INSERT ON records
    WHEN NEW.kind = 'content' BEGIN
        UPDATE content_index SET digest = NULL WHERE content_id = NEW.id;
    END""",
    """CREATE TRIGGER IF NOT EXISTS content_listing_stale_update
    AFTER UPDATE OF kind, id, data ON records
    WHEN OLD.kind = 'content' OR NEW.kind = 'content' BEGIN
        UPDATE content_index SET digest = NULL WHERE content_id IN (OLD.id, NEW.id);
    END""",
    """CREATE TRIGGER IF NOT EXISTS content_listing_stale_delete AFTER DELETE ON records
    WHEN OLD.kind = 'content' BEGIN
        UPDATE content_index SET digest = NULL WHERE content_id = OLD.id;
    END""",
)

#: The same on PostgreSQL: one trigger function (PL/pgSQL, in every PostgreSQL), its
#: tables found where it was created whatever the writer's search_path.
_POSTGRES_LISTING_TRIGGERS = (
    """CREATE OR REPLACE FUNCTION content_listing_stale() RETURNS trigger
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.kind = 'content' THEN
            UPDATE content_index SET digest = NULL WHERE content_id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.kind = 'content' THEN
            UPDATE content_index SET digest = NULL WHERE content_id = NEW.id;
        END IF;
        RETURN NULL;
    END
    $$""",
    "DROP TRIGGER IF EXISTS content_listing_stale ON records",
    """CREATE TRIGGER content_listing_stale
    AFTER INSERT OR UPDATE OF kind, id, data OR DELETE ON records
    FOR EACH ROW EXECUTE FUNCTION content_listing_stale()""",
)


def _listing_triggers(tx: Transaction) -> list[str]:
    """Add the ``line`` column to ``content_index`` (unless there) and create the
    triggers that mark a content's listing stale when its record is written by anyone,
    then make every stored listing again from its JSON, so that none made from another
    JSON is left (migration 18; nothing to note). Safe to run again."""
    if not _has_column(tx, "content_index", "line"):
        tx.execute("ALTER TABLE content_index ADD COLUMN line TEXT")
    postgres = tx.dialect == "postgresql"
    for statement in _POSTGRES_LISTING_TRIGGERS if postgres else _SQLITE_LISTING_TRIGGERS:
        tx.execute(statement)
    return index_content_summaries(tx)


def index_content_summaries(tx: Transaction, *, lines: bool = True) -> list[str]:
    """Fill the listing columns of ``content_index`` from the stored contents
    (:meth:`~terrain.content.ContentSummary.of_stored`; ``NULL`` for a content not
    in the shape terrain writes), the printed ``line`` too unless ``lines`` is false
    (before migration 18 adds it). Safe to run again."""
    from terrain.content import ContentSummary  # a rewrite's code: not every command's

    rows = []
    for content_id, data in tx.query("SELECT id, data FROM records WHERE kind = 'content'"):
        try:
            found = json.loads(data)
        except ValueError:
            found = None
        summary = ContentSummary.of_stored(found) if isinstance(found, dict) else None
        rows.append((*summary_row(summary, str(data))[: 6 if lines else 5], content_id))
    line = ", line = ?" if lines else ""
    tx.execute_many(
        "UPDATE content_index SET kind = ?, title = ?, reviewed = ?, people = ?, digest = ?"
        f"{line} WHERE content_id = ?",
        rows,
    )
    return []


def latest_version() -> int:
    """The version a freshly migrated database is at."""
    return MIGRATIONS[-1].version if MIGRATIONS else 0
