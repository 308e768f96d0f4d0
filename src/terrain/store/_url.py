"""Store URLs: which database a workspace's records live in.

::

    postgresql://terrain@db.example.org:5432/city     PostgreSQL (psycopg 3)
    sqlite:///srv/terrain/terrain.db                  SQLite, absolute path
    sqlite:data/terrain.db  (or a bare path)          SQLite, relative to the workspace

A URL never holds a password: it is read from ``TERRAIN_STORE_PASSWORD``
(or libpq's own ``PGPASSWORD`` and ``~/.pgpass``). A URL with one is refused
with a :class:`~terrain.errors.ConfigError` naming the variable to set, and
every message quotes URLs through :func:`redact_password`.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import attrs

from terrain.errors import ConfigError

__all__ = ["PASSWORD_ENV_VAR", "StoreURL", "parse_store_url", "redact", "redact_password"]

#: Environment variable holding the PostgreSQL password (never terrain.toml).
PASSWORD_ENV_VAR = "TERRAIN_STORE_PASSWORD"

_EXAMPLES = "postgresql://user@host:5432/dbname or sqlite:///path/to/terrain.db"
# user:password@ up to the LAST "@" before any query: a password may hold "/", "@" or ":"
_USERINFO_PASSWORD = re.compile(r"(://[^:/@?\s]*):[^?\s]*@")
_QUERY_PASSWORD = re.compile(r"(password=)[^&\s]*", re.I)


def redact_password(text: str) -> str:
    """``text`` with any password in a URL (``user:pw@``, ``password=pw``) replaced by ``***``."""
    return _QUERY_PASSWORD.sub(r"\1***", _USERINFO_PASSWORD.sub(r"\1:***@", text))


#: The short name, for this package's messages (``terrain.store`` exports
#: :func:`redact_password`: ``terrain.secrets`` has a ``redact`` too).
redact = redact_password


@attrs.frozen
class StoreURL:
    """A parsed store URL: ``scheme`` is ``"sqlite"`` (with ``path``) or ``"postgresql"``
    (with ``conninfo``, the URL libpq reads, which holds no password)."""

    scheme: str
    path: Path | None = None
    conninfo: str = attrs.field(default="", repr=False)

    def __str__(self) -> str:
        if self.scheme == "sqlite":
            return f"sqlite://{self.path}"
        return redact_password(self.conninfo)


def _password_refused(text: str) -> ConfigError:
    return ConfigError(
        f"the store URL {redact(text)} holds a password, and URLs (in terrain.toml or on the "
        f"command line) must hold none: remove it and set the environment variable "
        f"{PASSWORD_ENV_VAR} instead (or PGPASSWORD, or a ~/.pgpass file)"
    )


def parse_store_url(text: str, *, base: Path | None = None) -> StoreURL:
    """Parse a store URL; relative SQLite paths are taken from ``base`` (default: cwd).

    Every problem is a :class:`~terrain.errors.ConfigError` that quotes the
    URL without its password and shows a correct one.
    """
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"the store URL is empty: write {_EXAMPLES}")
    text = text.strip()
    scheme = text.partition(":")[0].lower() if ":" in text else ""
    if scheme == "sqlite":
        rest = text[len("sqlite:") :]
        if rest.startswith("//"):
            rest = rest[2:]
            if not rest.startswith("/"):
                raise ConfigError(
                    f"{redact(text)} is not a SQLite URL terrain reads: write sqlite:///absolute/"
                    "path.db (three slashes) or sqlite:relative/path.db"
                )
        return StoreURL("sqlite", path=_sqlite_path(rest, text, base))
    if scheme in ("postgresql", "postgres"):
        return StoreURL("postgresql", conninfo=_postgres_conninfo(text))
    if "://" in text:
        raise ConfigError(
            f"unknown store URL scheme {scheme!r} in {redact(text)}: terrain stores records in "
            f"sqlite or postgresql; write {_EXAMPLES}"
        )
    return StoreURL("sqlite", path=_sqlite_path(text, text, base))


def _sqlite_path(rest: str, text: str, base: Path | None) -> Path:
    if not rest:
        raise ConfigError(f"{redact(text)} names no file: write {_EXAMPLES}")
    path = Path(rest).expanduser()
    if not path.is_absolute():
        path = (base if base is not None else Path.cwd()) / path
    return path.absolute()


def _userinfo(text: str) -> str:
    """What stands before the last ``@`` of the authority (``""`` when none)."""
    after = text.partition("://")[2].partition("?")[0]
    at = after.rfind("@")
    return after[:at] if at >= 0 else ""


def _postgres_conninfo(text: str) -> str:
    # a password is refused before anything else parses the URL: a "/" or "@" in
    # it would otherwise be read as a host, a port or a path and end up in messages
    if ":" in _userinfo(text):
        raise _password_refused(text)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(
            f"{redact(text)} is not a valid PostgreSQL URL (the port must be a number): "
            f"write {_EXAMPLES}"
        ) from None
    if parts.password is not None or "password" in {k.lower() for k in parse_qs(parts.query)}:
        raise _password_refused(text)
    if not parts.path.strip("/"):
        raise ConfigError(
            f"{redact(text)} names no database: add it after the host, e.g. {_EXAMPLES}"
        )
    if parts.fragment:
        raise ConfigError(f"{redact(text)} has a #fragment, which a PostgreSQL URL cannot have")
    return text
