"""Erasing a person from every table of the store, in one transaction.

:func:`erase_person` is the store's half of :func:`terrain.workflows.erase_member`
(which first withdraws the person's consents and takes down what was
published). It replaces the person's member id by a tombstone id everywhere a
member id is kept, deletes their member record (the tombstone takes its
place), deletes the records the workflow names (their own content, votes),
writes the records it changed (workshops without their ideas), and replaces
every trace of their name, email, phone and handles in the text kept by the
store (captions, post texts, decision reasons, notes) by ``[erased]``:

=================== ===========================================================
``records``         member ids in appearances, answers, participants, guardians,
                    talks; names and handles in any text
``consent_events``  the subject and ``given_by`` ids (the records stay: they
                    prove past publications were lawful); evidence text, notes
``decisions``       member ids and names in the reasons (the decisions stay)
``publication_journal`` mentions of the person, names and handles in post texts
``takedown_log``    the subject id, names in messages
``history``         every change of the person's member record is deleted; ids
                    and names in the other changes are replaced
``appearance_index`` the member id
``content_index``   the listing of each content (title, people) read again from the
                    scrubbed records
``publication_refs`` the member id; the index of her handles typed in posts is deleted
``web_links``       the person's links are deleted (and a guardian's links to answer
                    for them); ids and names in the others are replaced
``takedown_queue``  the subject id, names in messages
``consent_spans``  the stored consent timelines that may name the person (and
                    their ``consent_standing``, ``consent_stamps``,
                    ``consent_stamp_people``) are dropped: hers, those that read
                    her member record or one the scrubbing changed, those whose
                    events it changed; a cache, made again from the rewritten
                    log when listed
=================== ===========================================================

The consent log, the decisions and the journal are otherwise append-only:
this is the one place that rewrites them, because the right to erasure (GDPR
Art. 17) comes before the keeping of what identifies the person. What they
keep is what proves that past publications were lawful, without identifying
data (``docs/privacy.rst``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from terrain.serialization import to_json
from terrain.store._backend import Transaction
from terrain.store._field import record_key
from terrain.store._schema import index_content_summaries

if TYPE_CHECKING:
    from terrain.community import Member
    from terrain.store._workspace import Workspace

__all__ = ["ERASED_TEXT", "Scrubber", "erase_person"]

#: What replaces the person's name, email, phone or handle in a text.
ERASED_TEXT = "[erased]"
#: Keys whose value is one member id, and keys whose value is a list of member ids.
_ID_KEYS = frozenset({"member_id", "author_id", "speaker_id", "subject_id"})
_ID_LISTS = frozenset({"guardian_ids", "participant_ids", "given_by"})
#: Other keys holding ids or keys of other things, left as they are (an event whose id
#: happens to be a member's id is not the member).
_OTHER_IDS = re.compile(r"(id|.+_id|.+_ids|key|ref|checksum|platform|kind|status)")


class Scrubber:
    """Replaces a person in JSON documents and text: their member id by the tombstone's,
    their name, email, phone and handles by :data:`ERASED_TEXT`."""

    def __init__(self, old_id: str, new_id: str, texts: Iterable[str]) -> None:
        self.old_id, self.new_id = old_id, new_id
        words = sorted({t.strip() for t in texts if t and len(t.strip()) >= 3}, key=len,
                       reverse=True)
        self._pattern = (
            re.compile(
                "|".join(rf"(?<![\w@.+-])@?{re.escape(w)}(?![\w@])" for w in words),
                re.IGNORECASE,
            )
            if words
            else None
        )
        self._id = re.compile(rf"(?<![A-Za-z0-9._:-]){re.escape(old_id)}(?![A-Za-z0-9._:-])")

    def text(self, value: str) -> str:
        """``value`` with the person's words replaced, and their id by the tombstone's."""
        if self._pattern is not None:
            value = self._pattern.sub(ERASED_TEXT, value)
        return self._id.sub(self.new_id, value)

    def value(self, value: Any, key: str | None = None) -> Any:
        """A JSON value with the person replaced (ids in id fields, words everywhere)."""
        if isinstance(value, dict):
            return {k: self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            if key in _ID_LISTS:
                return [self.new_id if v == self.old_id else v for v in value]
            if key is not None and _OTHER_IDS.fullmatch(key):
                return value
            return [self.value(v) for v in value]
        if isinstance(value, str):
            if key in _ID_KEYS:
                return self.new_id if value == self.old_id else value
            if key is not None and _OTHER_IDS.fullmatch(key):
                return value
            return self.text(value)
        return value

    def document(self, text: str | None) -> str | None:
        """A JSON document (text) with the person replaced; ``None`` stays ``None``."""
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            return self.text(text)
        return json.dumps(self.value(data), ensure_ascii=False, sort_keys=True)


def _rewrite(tx: Transaction, table: str, key_columns: Sequence[str],
             columns: Sequence[str], scrub: Scrubber, *, json_columns: Sequence[str] = (),
             changed_keys: list[tuple[Any, ...]] | None = None) -> int:
    """Rewrite ``columns`` of every row of ``table`` through ``scrub``; rows changed
    (the keys of those whose values, JSON read as data, say something else are
    appended to ``changed_keys`` when given: a document only written anew is not)."""
    keys = ", ".join(key_columns)
    rows = tx.query(f"SELECT {keys}, {', '.join(columns)} FROM {table}")  # fixed names
    changed = 0
    for row in rows:
        key, values = row[: len(key_columns)], row[len(key_columns) :]
        new = [
            (scrub.document(v) if c in json_columns else None if v is None else scrub.text(v))
            if isinstance(v, str) or v is None
            else v
            for c, v in zip(columns, values, strict=True)
        ]
        if new != list(values):
            sets = ", ".join(f"{c} = ?" for c in columns)
            where = " AND ".join(f"{k} = ?" for k in key_columns)
            tx.execute(f"UPDATE {table} SET {sets} WHERE {where}", (*new, *key))
            changed += 1
            if changed_keys is not None and any(
                not _same_data(a, b) if c in json_columns else a != b
                for c, a, b in zip(columns, values, new, strict=True)
            ):
                changed_keys.append(tuple(key))
    return changed


def _same_data(before: Any, after: Any) -> bool:
    """Whether two JSON texts hold the same data (the same text when one is not JSON)."""
    try:
        return bool(json.loads(before) == json.loads(after))
    except (TypeError, ValueError):
        return bool(before == after)


def _names_child(data: str, member_id: str) -> bool:
    """Whether a link's ``data`` is a guardian's request to answer for ``member_id``."""
    try:
        found = json.loads(data)
    except ValueError:
        return False
    return isinstance(found, dict) and found.get("child") == member_id


def erase_person(
    ws: Workspace,
    member: Member,
    tombstone: Member,
    *,
    records: Sequence[object] = (),
    deletions: Sequence[tuple[str, str]] = (),
    texts: Iterable[str] = (),
    note: str = "",
) -> None:
    """Replace ``member`` by ``tombstone`` in the whole store (see the module
    docstring), in one transaction: ``records`` are written as given (before the
    scrubbing), ``deletions`` (kind, id) deleted, ``texts`` (the person's name,
    email, phone, handles) replaced by :data:`ERASED_TEXT` wherever text is kept.
    The erasure is the one change recorded in the history.
    """
    from terrain.store._history import recorded_at
    from terrain.store._workspace import RECORD_KINDS

    scrub = Scrubber(member.id, tombstone.id, texts)
    db = ws.db
    with db.transaction() as tx:
        for kind, record_id in deletions:
            db.delete_record(tx, kind, record_id)
            if kind == "content":
                db.unindex_content(tx, record_id)
        for obj in records:
            db.upsert_record(tx, RECORD_KINDS[type(obj)], record_key(obj), to_json(obj))
        db.delete_record(tx, "member", member.id)
        db.insert_record(tx, "member", tombstone.id, to_json(tombstone))
        rewritten: list[tuple[Any, ...]] = []
        _rewrite(tx, "records", ("kind", "id"), ("data",), scrub, json_columns=("data",),
                 changed_keys=rewritten)
        # the stored timelines that may name her: her own, those that read her member
        # record or one the scrubbing rewrote, those of the people whose events it rewrote
        members = {member.id, *(str(k[1]) for k in rewritten if k[0] == "member")}
        members.update(record_key(r) for r in records if RECORD_KINDS[type(r)] == "member")
        named = {member.id, *db.timelines_reading(tx, members)}
        tx.execute(
            "UPDATE appearance_index SET member_id = ? WHERE member_id = ?",
            (tombstone.id, member.id),
        )
        tx.execute(
            "UPDATE consent_events SET subject_id = ? WHERE subject_id = ?",
            (tombstone.id, member.id),
        )
        tx.execute(
            "UPDATE publication_refs SET ref = ? WHERE ref = ?",
            (f"member:{tombstone.id}", f"member:{member.id}"),
        )
        for ref, post_id, platform in tx.query(
            "SELECT ref, post_id, platform FROM publication_refs "
            "WHERE ref NOT LIKE 'member:%' AND ref NOT LIKE 'content:%'"
        ):
            if scrub.text(ref) != ref:  # an @handle of hers typed in a post
                tx.execute(
                    "DELETE FROM publication_refs WHERE ref = ? AND post_id = ? AND platform = ?",
                    (ref, post_id, platform),
                )
        tx.execute(
            "UPDATE content_index SET author_id = ? WHERE author_id = ?",
            (tombstone.id, member.id),
        )
        index_content_summaries(tx)  # titles and people as the scrubbed records say
        events: list[tuple[Any, ...]] = []
        _rewrite(tx, "consent_events", ("seq",), ("data",), scrub, json_columns=("data",),
                 changed_keys=events)
        named.update(db.subjects_of_events(tx, [int(k[0]) for k in events]))
        db.forget_timelines(tx, named)  # made again from the rewritten log when listed
        _rewrite(tx, "decisions", ("seq",), ("data",), scrub, json_columns=("data",))
        _rewrite(
            tx,
            "publication_journal",
            ("post_id", "platform"),
            ("post_json", "reasons_json", "last_error"),
            scrub,
            json_columns=("post_json", "reasons_json"),
        )
        tx.execute(
            "UPDATE takedown_log SET subject_id = ? WHERE subject_id = ?",
            (tombstone.id, member.id),
        )
        _rewrite(tx, "takedown_log", ("seq",), ("message",), scrub)
        tx.execute("DELETE FROM web_links WHERE subject_id = ?", (member.id,))
        for link_id, data in tx.query("SELECT id, data FROM web_links"):
            if _names_child(data, member.id):
                tx.execute("DELETE FROM web_links WHERE id = ?", (link_id,))
        _rewrite(tx, "web_links", ("id",), ("data",), scrub, json_columns=("data",))
        tx.execute(
            "UPDATE takedown_queue SET subject_id = ? WHERE subject_id = ?",
            (tombstone.id, member.id),
        )
        _rewrite(tx, "takedown_queue", ("id",), ("message",), scrub)
        tx.execute(
            "DELETE FROM history WHERE kind = 'member' AND record_id = ?", (member.id,)
        )
        for seq, record_id in tx.query("SELECT seq, record_id FROM history WHERE kind = 'vote'"):
            workshop, idea, voter = str(record_id).rsplit("/", 2)
            if voter == member.id:
                renamed = f"{workshop}/{idea}/{tombstone.id}"
                tx.execute("UPDATE history SET record_id = ? WHERE seq = ?", (renamed, seq))
        _rewrite(
            tx, "history", ("seq",), ("before", "after", "note"), scrub,
            json_columns=("before", "after"),
        )
        db.record_change(
            tx,
            at=recorded_at(),
            who=ws.actor,
            action="erase",
            kind="member",
            record_id=tombstone.id,
            before=None,
            after=to_json(tombstone),
            note=note,
        )
