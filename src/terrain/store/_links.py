"""The web links a workspace has issued (table ``web_links``, schema 5).

A row is what the server knows of one link: its random ``id``, its
``purpose`` (one per link), whose it is, what it is for (``ref``: an event
id), extra ``data`` (a minor's consent request for a guardian's link), when
it expires, and whether it was used (single-use links) or revoked. The token
the member holds is the id signed with the workspace's key
(:mod:`terrain.workflows._links`); this table never holds a token.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from terrain._time import require_aware
from terrain.store._db import Database

__all__ = ["LinkRow", "Links"]

_COLUMNS = "id, purpose, subject_id, ref, data, issued_at, expires_at, used_at, revoked_at"


def _ts(at: datetime) -> str:
    return require_aware(at, "link time").astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@attrs.frozen
class LinkRow:
    """One issued link, as stored (times in UTC)."""

    id: str
    purpose: str
    subject_id: str
    ref: str | None
    data: Mapping[str, Any]
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


def _row(r: Sequence[Any]) -> LinkRow:
    issued, expires = _dt(r[5]), _dt(r[6])
    assert issued is not None
    assert expires is not None
    return LinkRow(
        id=r[0], purpose=r[1], subject_id=r[2], ref=r[3], data=json.loads(r[4]),
        issued_at=issued, expires_at=expires, used_at=_dt(r[7]), revoked_at=_dt(r[8]),
    )


class Links:
    """The ``web_links`` table of a workspace database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, row: LinkRow) -> None:
        """Store a newly issued link."""
        with self.db.transaction() as tx:
            tx.execute(
                f"INSERT INTO web_links ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
                (row.id, row.purpose, row.subject_id, row.ref,
                 json.dumps(dict(row.data), ensure_ascii=False, sort_keys=True),
                 _ts(row.issued_at), _ts(row.expires_at)),
            )

    def get(self, link_id: str) -> LinkRow | None:
        """Link ``link_id``, or ``None``."""
        found = self.db.query(f"SELECT {_COLUMNS} FROM web_links WHERE id = ?", (link_id,))
        return _row(found[0]) if found else None

    def use(self, link_id: str, *, at: datetime) -> bool:
        """Mark single-use link ``link_id`` used at ``at``; ``False`` when it already
        was, or was revoked (two tabs sending the same form: one wins)."""
        with self.db.transaction() as tx:
            return tx.execute(
                "UPDATE web_links SET used_at = ? WHERE id = ? AND used_at IS NULL "
                "AND revoked_at IS NULL",
                (_ts(at), link_id),
            ) == 1

    def unuse(self, link_id: str) -> None:
        """Undo :meth:`use` (the work the link was spent on failed: nothing was done)."""
        with self.db.transaction() as tx:
            tx.execute("UPDATE web_links SET used_at = NULL WHERE id = ?", (link_id,))

    def revoke(
        self, subject_id: str, *, at: datetime, purposes: Iterable[str] | None = None
    ) -> int:
        """Revoke every link of ``subject_id`` (of ``purposes`` only, if given); how many."""
        query = "UPDATE web_links SET revoked_at = ? WHERE subject_id = ? AND revoked_at IS NULL"
        params: list[Any] = [_ts(at), subject_id]
        if purposes is not None:
            wanted = list(purposes)
            query += f" AND purpose IN ({', '.join('?' for _ in wanted)})"
            params += wanted
        with self.db.transaction() as tx:
            return tx.execute(query, params)

    def of_subject(self, subject_id: str, purpose: str | None = None) -> list[LinkRow]:
        """Every link issued to ``subject_id`` (of ``purpose`` only, if given), oldest first."""
        query = f"SELECT {_COLUMNS} FROM web_links WHERE subject_id = ?"
        params: list[Any] = [subject_id]
        if purpose is not None:
            query += " AND purpose = ?"
            params.append(purpose)
        return [_row(r) for r in self.db.query(query + " ORDER BY issued_at, id", params)]

    def with_purpose(self, purpose: str) -> list[LinkRow]:
        """Every link of ``purpose``, oldest first."""
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM web_links WHERE purpose = ? ORDER BY issued_at, id",
            (purpose,),
        )
        return [_row(r) for r in rows]

    def with_data(self, purpose: str, key: str, value: str) -> list[LinkRow]:
        """Links of ``purpose`` whose ``data[key]`` is ``value`` (a request's guardians)."""
        rows = self.db.query(
            f"SELECT {_COLUMNS} FROM web_links WHERE purpose = ? ORDER BY issued_at, id",
            (purpose,),
        )
        return [r for r in map(_row, rows) if r.data.get(key) == value]
