"""Looking after a store: migrating its schema, and copying it to another backend.

:func:`migrate_store` applies the schema migrations a store lacks and says
which (``terrain store migrate``); :func:`copy_store` (in ``_copy``) takes
store URLs too, and :func:`open_copy_target` opens the target of a copy,
creating a missing SQLite file that a failed copy removes again.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import attrs

from terrain._time import zone as known_zone
from terrain.errors import NotFound
from terrain.store._config import CONFIG_NAME, parse_config
from terrain.store._db import Database
from terrain.store._schema import MIGRATIONS
from terrain.store._url import parse_store_url
from terrain.store._workspace import DATA_DIR, DB_NAME, Workspace

__all__ = ["MigrationReport", "migrate_store", "open_copy_target", "workspace_store_url"]

#: Collations that sort text as SQLite does (byte order).
_BYTE_ORDER = frozenset({"C", "POSIX", "C.UTF-8", "C.utf8"})


@attrs.frozen
class MigrationReport:
    """What :func:`migrate_store` did to the store at ``store`` (a URL without password).

    ``applied`` and ``notes`` are ``(version, text)`` pairs: the migrations run
    now with their names, and every note the migrations left (what they
    changed in the data).
    """

    store: str
    from_version: int
    version: int
    applied: tuple[tuple[int, str], ...]
    notes: tuple[tuple[int, str], ...]
    collation: str = "C"

    @property
    def sorts_like_sqlite(self) -> bool:
        """Whether the database sorts text in byte order, as SQLite does (a PostgreSQL
        database made without ``--locale=C`` lists things in another order)."""
        return self.collation in _BYTE_ORDER


def workspace_store_url(workspace: Path | str) -> tuple[str, str]:
    """The store URL of the workspace in folder ``workspace`` (``[store] url``, else
    its SQLite file) and its community's time zone."""
    root = Path(workspace).absolute()
    config = parse_config(root / CONFIG_NAME)
    zone = config.community.timezone
    if config.store_url is not None:
        return config.store_url, zone
    return f"sqlite://{root / DATA_DIR / DB_NAME}", zone


def migrate_store(
    url: str | None = None,
    *,
    workspace: Path | str | None = None,
    zone: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> MigrationReport:
    """Apply the schema migrations the store lacks; what was applied and noted.

    The store is ``url`` (``postgresql://user@host/db``, ``sqlite:///path``),
    else that of the workspace in folder ``workspace``, else of the workspace
    found from the current folder (as :meth:`Workspace.find
    <terrain.store.Workspace.find>` does). ``zone`` is the community's IANA
    time zone, which the migration giving stored datetimes their zone needs
    (default: the workspace's). The PostgreSQL password comes from
    ``$TERRAIN_STORE_PASSWORD`` (or libpq's ``PGPASSWORD``, ``~/.pgpass``),
    never from the URL.
    """
    base = None
    if url is None:
        root = Workspace.locate(environ=environ) if workspace is None else Path(workspace)
        url, community_zone = workspace_store_url(root)
        base = root.absolute()
        zone = zone or community_zone
    if zone is not None:
        known_zone(zone)  # an unknown name: a clear error before anything runs
    db = Database.connect(url, base=base, environ=environ, migrate=False)
    try:
        before = db.schema_version()
        applied = db.migrate(zone=zone)
        names = {m.version: m.name for m in MIGRATIONS}
        return MigrationReport(
            store=db.url,
            from_version=before,
            version=db.schema_version(),
            applied=tuple((v, names[v]) for v in applied),
            notes=tuple(db.notes()),
            collation=getattr(db.backend, "collation", "C"),
        )
    finally:
        db.close()


def open_copy_target(url: str) -> tuple[Database, list[Path]]:
    """Open (creating a missing SQLite file) the target of a copy, and the files to
    remove if the copy fails."""
    parsed = parse_store_url(url)
    created: list[Path] = []
    if parsed.scheme == "sqlite":
        assert parsed.path is not None
        if not parsed.path.exists():
            if not parsed.path.parent.is_dir():
                raise NotFound(
                    f"the folder {parsed.path.parent} does not exist: create it, or give "
                    "another --to path"
                )
            created = [
                parsed.path.with_name(parsed.path.name + s) for s in ("", "-wal", "-shm", ".lock")
            ]
    try:
        return Database.connect(parsed, create=True), created
    except BaseException:
        for path in created:  # a migration failed on the file just made: leave no trace
            if path.is_file():
                path.unlink()
        raise
