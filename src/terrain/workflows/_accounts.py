"""The review desk's accounts and sessions: ``terrain account`` and the desk's login.

An account is a name, a role and a password hashed with scrypt
(:mod:`terrain._passwords`). ``editor``: identify people in photos, describe
them, edit posts. ``approver``: all that, and approve or hold posts. The
password is given at a prompt or on standard input, never as an argument (it
would stay in the shell's history and in ``ps``).

A login checks the password and opens a **new** session: a random id the
browser keeps in an HttpOnly cookie, of which the store keeps only a hash. A
session id the browser had before (one an attacker may have planted) is never
made valid: it is dropped at login. A session ends after ``[web]
session_minutes`` without a request, twelve hours after login whatever
happens, at logout, or when the password changes or the account goes.
"""

from __future__ import annotations

import re
import secrets
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from terrain._passwords import MAX_PASSWORD, hash_password, needs_rehash, verify_password
from terrain._time import instant, require_aware
from terrain.errors import AccessDenied, Conflict, NotFound, ValidationError
from terrain.store import ROLES, Account, Accounts

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "MAX_SESSION",
    "MIN_PASSWORD",
    "account_of_session",
    "accounts_of",
    "add_account",
    "authenticate",
    "log_in",
    "log_out",
    "remove_account",
    "set_password",
]

#: A session ends this long after login, however active it is.
MAX_SESSION = timedelta(hours=12)
#: The shortest password accepted (NIST SP 800-63B asks for at least 8).
MIN_PASSWORD = 10
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
#: scrypt takes 128 MiB and most of a second: one at a time per process.
_hashing = threading.BoundedSemaphore(1)


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValidationError(
            f"account name {name!r}: use 1 to 64 lowercase letters, digits, '.', '_' or '-' "
            "(e.g. camille)"
        )
    return name


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"the password needs at least {MIN_PASSWORD} characters (a few words make a "
            "good one); nothing was stored"
        )
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"the password has more than {MAX_PASSWORD} characters")


def add_account(ws: Workspace, name: str, role: str, password: str, *, now: datetime) -> Account:
    """Create account ``name`` with ``role`` (``editor`` or ``approver``)."""
    require_aware(now, "add_account: now")
    _check_name(name)
    if role not in ROLES:
        raise ValidationError(f"role {role!r}: an account is an {' or an '.join(ROLES)}")
    _check_password(password)
    with _hashing:
        hashed = hash_password(password)
    accounts = Accounts(ws.db)
    if not accounts.add(name, role, hashed, at=now):
        raise Conflict(
            f"there is already an account {name!r}: `terrain account list` shows them; "
            f"`terrain account remove {name}` first to make it again"
        )
    found = accounts.get(name)
    assert found is not None
    return found


def set_password(ws: Workspace, name: str, password: str, *, now: datetime) -> Account:
    """Give account ``name`` a new password; its open sessions end."""
    require_aware(now, "set_password: now")
    _check_password(password)
    with _hashing:
        hashed = hash_password(password)
    accounts = Accounts(ws.db)
    if not accounts.set_password(name, hashed, at=now):
        raise NotFound(f"no account {name!r}: `terrain account list` shows them")
    found = accounts.get(name)
    assert found is not None
    return found


def accounts_of(ws: Workspace) -> list[Account]:
    """Every account of the workspace, by name (never a password or its hash)."""
    return Accounts(ws.db).all()


def remove_account(ws: Workspace, name: str) -> None:
    """Remove account ``name``; its sessions end, its past approvals stay on record."""
    if not Accounts(ws.db).remove(name):
        raise NotFound(f"no account {name!r}: `terrain account list` shows them")


def _expiry(ws: Workspace, started: datetime, now: datetime) -> datetime:
    idle = instant(now) + timedelta(minutes=ws.config.web.session_minutes)
    return min(idle, instant(started) + MAX_SESSION)


def authenticate(ws: Workspace, name: str, password: str, *, now: datetime) -> Account:
    """The account ``name`` if ``password`` is its password, else
    :class:`~terrain.errors.AccessDenied` (the same message for a wrong name or a
    wrong password, after the same work). A hash made with weaker parameters
    than today's is made again."""
    require_aware(now, "authenticate: now")
    accounts = Accounts(ws.db)
    stored = accounts.password_hash(name) if isinstance(name, str) else None
    with _hashing:
        good = verify_password(password if isinstance(password, str) else "", stored)
    account = accounts.get(name) if good else None
    if account is None:
        raise AccessDenied("wrong account name or password", reason="login")
    if stored is not None and needs_rehash(stored):
        with _hashing:
            accounts.set_password(name, hash_password(password), at=now)
    return account


def log_in(
    ws: Workspace, name: str, password: str, *, now: datetime, replacing: str | None = None
) -> tuple[str, Account]:
    """Check ``name``'s ``password`` and open a new session: ``(session id, account)``.

    A wrong name or password raises :class:`~terrain.errors.AccessDenied` with
    the same message either way, after the same work (nobody learns which
    accounts exist). ``replacing`` is the session id the browser had before,
    if any: it ends here, and the browser gets a fresh one (no fixation).
    """
    require_aware(now, "log_in: now")
    account = authenticate(ws, name, password, now=now)
    accounts = Accounts(ws.db)
    session_id = secrets.token_urlsafe(32)
    accounts.open_session(session_id, name, at=now, expires_at=_expiry(ws, now, now),
                          replacing=replacing)
    return session_id, account


def account_of_session(ws: Workspace, session_id: str | None, *, now: datetime) -> Account:
    """The account of a live session (its idle time starts again); an unknown, ended or
    expired session raises :class:`~terrain.errors.AccessDenied` (log in again)."""
    require_aware(now, "account_of_session: now")
    if not session_id or len(session_id) > 100:
        raise AccessDenied("not logged in", reason="session")
    accounts = Accounts(ws.db)
    session = accounts.session(session_id)
    if session is None:
        raise AccessDenied("not logged in", reason="session")
    if instant(session.expires_at) <= instant(now):
        accounts.close_session(session_id)
        raise AccessDenied("the session expired: log in again", reason="expired")
    account = accounts.get(session.account)
    if account is None:  # removed meanwhile
        accounts.close_session(session_id)
        raise AccessDenied("not logged in", reason="session")
    if instant(now) - instant(session.seen_at) > timedelta(minutes=1):
        accounts.touch(session_id, at=now, expires_at=_expiry(ws, session.created_at, now))
    return account


def log_out(ws: Workspace, session_id: str | None) -> None:
    """End a session (nothing happens for an unknown one)."""
    if session_id and len(session_id) <= 100:
        Accounts(ws.db).close_session(session_id)
