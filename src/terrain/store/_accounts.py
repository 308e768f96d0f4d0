"""The review desk's accounts, sessions and edits (tables of migration 8).

- ``accounts``: one row per person who logs in to the desk: a name, a role
  (``editor``: identify, describe, compose; ``approver``: that, and approve or
  hold posts) and the scrypt hash of their password (:mod:`terrain._passwords`);
  never the password.
- ``desk_sessions``: one row per logged-in browser. The browser holds a random
  session id; the table holds only its SHA-256, so reading the database gives
  nobody a session. Each session ends at its ``expires_at`` (idle time, and a
  hard limit from its start), at logout, or when its account is removed.
- ``edits``: who changed what (``ref`` is ``post:ID:PLATFORM`` or
  ``content:ID``), for the four-eyes rule: an approver may not approve a post
  they edited, or whose photos they identified or described.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from terrain._time import require_aware
from terrain.store._db import Database

__all__ = ["ROLES", "Account", "Accounts", "DeskSession", "hash_session_id"]

#: The roles of the desk, weakest first.
ROLES = ("editor", "approver")


def _ts(at: datetime) -> str:
    return require_aware(at, "account time").astimezone(UTC).isoformat(timespec="microseconds")


def _dt(value: str) -> datetime:
    return datetime.fromisoformat(value)


def hash_session_id(session_id: str) -> str:
    """What the table keeps of a session id: its SHA-256, in hex."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


@attrs.frozen
class Account:
    """Someone who logs in to the review desk: ``name``, ``role``, and when the account
    was made and its password last set. The password hash stays in the store."""

    name: str
    role: str
    created_at: datetime
    changed_at: datetime

    @property
    def may_approve(self) -> bool:
        """Whether this account approves and holds posts."""
        return self.role == "approver"


@attrs.frozen
class DeskSession:
    """A logged-in browser: its account and when the session ends (times in UTC)."""

    account: str
    created_at: datetime
    seen_at: datetime
    expires_at: datetime


class Accounts:
    """The ``accounts``, ``desk_sessions`` and ``edits`` tables of a workspace database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- accounts ------------------------------------------------------------------

    def add(self, name: str, role: str, password_hash: str, *, at: datetime) -> bool:
        """Store a new account; ``False`` when the name is taken."""
        with self.db.transaction() as tx:
            if tx.one("SELECT name FROM accounts WHERE name = ?", (name,)):
                return False
            tx.execute(
                "INSERT INTO accounts (name, role, password, created_at, changed_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (name, role, password_hash, _ts(at), _ts(at)),
            )
            return True

    def set_password(self, name: str, password_hash: str, *, at: datetime) -> bool:
        """Replace ``name``'s password hash (its sessions end); ``False`` if no such account."""
        with self.db.transaction() as tx:
            changed = tx.execute(
                "UPDATE accounts SET password = ?, changed_at = ? WHERE name = ?",
                (password_hash, _ts(at), name),
            )
            tx.execute("DELETE FROM desk_sessions WHERE account = ?", (name,))
            return changed == 1

    def remove(self, name: str) -> bool:
        """Remove account ``name`` and end its sessions; ``False`` if there was none. Its
        edits and approvals stay: they are history."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM desk_sessions WHERE account = ?", (name,))
            return tx.execute("DELETE FROM accounts WHERE name = ?", (name,)) == 1

    def get(self, name: str) -> Account | None:
        """Account ``name``, or ``None``."""
        found = self.db.query(
            "SELECT name, role, created_at, changed_at FROM accounts WHERE name = ?", (name,)
        )
        return _account(found[0]) if found else None

    def password_hash(self, name: str) -> str | None:
        """The stored hash of ``name``'s password, or ``None`` for no such account."""
        found = self.db.query("SELECT password FROM accounts WHERE name = ?", (name,))
        return str(found[0][0]) if found else None

    def all(self) -> list[Account]:
        """Every account, by name."""
        rows = self.db.query(
            "SELECT name, role, created_at, changed_at FROM accounts ORDER BY name", ()
        )
        return [_account(r) for r in rows]

    # -- sessions ------------------------------------------------------------------

    def open_session(
        self, session_id: str, account: str, *, at: datetime, expires_at: datetime,
        replacing: str | None = None,
    ) -> None:
        """Record a new session for ``account``; the session id ``replacing`` (the one
        the browser had before logging in, if any) ends in the same transaction."""
        with self.db.transaction() as tx:
            if replacing:
                tx.execute("DELETE FROM desk_sessions WHERE id_hash = ?",
                           (hash_session_id(replacing),))
            tx.execute(
                "INSERT INTO desk_sessions (id_hash, account, created_at, seen_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (hash_session_id(session_id), account, _ts(at), _ts(at), _ts(expires_at)),
            )
            tx.execute("DELETE FROM desk_sessions WHERE expires_at <= ?", (_ts(at),))

    def session(self, session_id: str) -> DeskSession | None:
        """The session whose id is ``session_id``, or ``None``."""
        found = self.db.query(
            "SELECT account, created_at, seen_at, expires_at FROM desk_sessions "
            "WHERE id_hash = ?",
            (hash_session_id(session_id),),
        )
        if not found:
            return None
        r = found[0]
        return DeskSession(account=r[0], created_at=_dt(r[1]), seen_at=_dt(r[2]),
                           expires_at=_dt(r[3]))

    def touch(self, session_id: str, *, at: datetime, expires_at: datetime) -> None:
        """The session was used at ``at``: it now ends at ``expires_at``."""
        with self.db.transaction() as tx:
            tx.execute(
                "UPDATE desk_sessions SET seen_at = ?, expires_at = ? WHERE id_hash = ?",
                (_ts(at), _ts(expires_at), hash_session_id(session_id)),
            )

    def close_session(self, session_id: str) -> None:
        """End a session (logout, or it expired)."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM desk_sessions WHERE id_hash = ?",
                       (hash_session_id(session_id),))

    # -- edits ---------------------------------------------------------------------

    def record_edit(self, refs: Iterable[str], account: str, what: str, *, at: datetime) -> None:
        """``account`` changed each of ``refs`` (``what``: identify, describe, text)."""
        rows = [(ref, account, what, _ts(at)) for ref in dict.fromkeys(refs)]
        with self.db.transaction() as tx:
            tx.execute_many(
                "INSERT INTO edits (ref, account, what, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (ref, account, what) DO UPDATE SET at = excluded.at",
                rows,
            )

    def editors(self, refs: Sequence[str]) -> dict[str, set[str]]:
        """Who edited each of ``refs`` (account -> what they did), once each."""
        out: dict[str, set[str]] = {}
        wanted = list(dict.fromkeys(refs))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            for _ref, account, what in self.db.query(
                f"SELECT ref, account, what FROM edits WHERE ref IN ({marks})", chunk
            ):
                out.setdefault(account, set()).add(what)
        return out


def _account(r: Sequence[Any]) -> Account:
    return Account(name=r[0], role=r[1], created_at=_dt(r[2]), changed_at=_dt(r[3]))
