"""``terrain store migrate|copy``: the database behind a workspace.

``migrate`` applies the schema migrations a store lacks (opening a workspace
does it too; run it on purpose before starting workers on a new release).
``copy`` moves everything from one store to another, e.g. from the embedded
SQLite file to PostgreSQL when a community outgrows one laptop.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from terrain.cli._common import emit, json_option, workspace_option

if TYPE_CHECKING:
    from terrain.store import Database

__all__ = ["command"]


@click.group("store")
def command() -> None:
    """Migrate the workspace database, or copy it to another one (SQLite, PostgreSQL)."""


def _workspace_url(workspace_dir: Path | None) -> tuple[str, Path, str]:
    """The store URL of the workspace (``[store] url``, else its SQLite file), its root
    and the community's time zone."""
    from terrain.store import CONFIG_NAME, Workspace
    from terrain.store._config import parse_config
    from terrain.store._workspace import DATA_DIR, DB_NAME

    root = Workspace.locate(workspace_dir) if workspace_dir is None else workspace_dir.absolute()
    config = parse_config(root / CONFIG_NAME)
    zone = config.community.timezone
    if config.store_url is not None:
        return config.store_url, root, zone
    return f"sqlite://{root / DATA_DIR / DB_NAME}", root, zone


@command.command("migrate")
@click.option(
    "--url",
    default=None,
    metavar="URL",
    help="Store to migrate (postgresql://user@host/db or sqlite:///path); "
    "default: the workspace's.",
)
@click.option(
    "--timezone",
    default=None,
    metavar="ZONE",
    help="With --url: the community's IANA time zone (e.g. Europe/Paris), which the "
    "migration giving stored datetimes their zone needs; default: the workspace's.",
)
@workspace_option
@json_option
def migrate_command(
    url: str | None, timezone: str | None, workspace_dir: Path | None, as_json: bool
) -> None:
    """Apply the schema migrations the store lacks, and say which (and what they noted).

    The PostgreSQL password comes from $TERRAIN_STORE_PASSWORD (or PGPASSWORD,
    ~/.pgpass), never from the URL.
    """
    from terrain.store import Database
    from terrain.store._schema import MIGRATIONS

    base = None
    if url is None:
        url, base, zone = _workspace_url(workspace_dir)
        timezone = timezone or zone
    if timezone is not None:
        from terrain._time import zone as known_zone

        known_zone(timezone)  # an unknown name: a clear error before anything runs
    db = Database.connect(url, base=base, migrate=False)
    try:
        before = db.schema_version()
        applied = db.migrate(zone=timezone)
        after = db.schema_version()
        where = db.url
        collation = getattr(db.backend, "collation", "C")
        notes = db.notes()
    finally:
        db.close()
    names = {m.version: m.name for m in MIGRATIONS}
    data: dict[str, Any] = {
        "store": where,
        "from_version": before,
        "version": after,
        "applied": [{"version": v, "name": names[v]} for v in applied],
        "notes": [{"version": v, "note": n} for v, n in notes],
    }
    if collation not in ("C", "POSIX", "C.UTF-8", "C.utf8"):
        data["note"] = (
            f"the database sorts text by the {collation!r} collation, so lists come out in "
            "another order than on SQLite; create it with --locale=C for the same order"
        )

    def human() -> None:
        if "note" in data:
            click.echo(f"Note: {data['note']}.", err=True)
        if not applied:
            click.echo(f"{where} is up to date (schema version {after}); nothing to apply.")
        else:
            click.echo(f"Migrated {where} from schema version {before} to {after}:")
            for version in applied:
                click.echo(f"  {version}. {names[version]}")
        if notes:
            click.echo("Notes of the migrations:")
        for version, note in notes:
            click.echo(f"  [{version}] {note}")

    emit(data, as_json=as_json, human=human)


def _open_target(url: str) -> tuple[Database, list[Path]]:
    """Open (creating a missing SQLite file) the target; the files to remove on failure."""
    from terrain.store import Database
    from terrain.store._url import parse_store_url

    parsed = parse_store_url(url)
    created: list[Path] = []
    if parsed.scheme == "sqlite":
        assert parsed.path is not None
        if not parsed.path.exists():
            if not parsed.path.parent.is_dir():
                from terrain.errors import NotFound

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


@command.command("copy")
@click.option(
    "--from",
    "source_url",
    required=True,
    metavar="URL",
    help="Store to copy (sqlite:///path/.terrain/terrain.db or postgresql://user@host/db).",
)
@click.option("--to", "target_url", required=True, metavar="URL", help="Empty store to copy into.")
@json_option
def copy_command(source_url: str, target_url: str, as_json: bool) -> None:
    """Copy every record, consent event, decision and journal row to an empty store.

    Everything is written in one transaction on the target and verified
    (row counts and a digest per table) before it commits; a target that
    already holds rows is refused. Stop the workers and commands writing to
    the source first. Then point [store] url in terrain.toml at the target.
    """
    from terrain.store import Database
    from terrain.store._copy import copy_store

    started = time.perf_counter()
    source = Database.connect(source_url)
    try:
        target, created = _open_target(target_url)
        try:
            report = copy_store(source, target)
        except BaseException:
            target.close()
            for path in created:  # a file this command made: leave no trace
                path.unlink(missing_ok=True)
            raise
        target.close()
    finally:
        source.close()
    seconds = time.perf_counter() - started
    data: dict[str, Any] = {
        "source": report.source,
        "target": report.target,
        "rows": report.rows,
        "verified": True,
        "seconds": round(seconds, 3),
        "tables": [{"table": t.table, "rows": t.rows, "sha256": t.digest} for t in report.tables],
    }

    def human() -> None:
        click.echo(f"Copied {report.rows} rows from {report.source} to {report.target}:")
        for t in report.tables:
            click.echo(f"  {t.table:<20} {t.rows:>7} rows  sha256 {t.digest[:16]}  verified")
        password = (
            " (the password comes from $TERRAIN_STORE_PASSWORD)"
            if report.target.startswith("postgres")
            else ""
        )
        click.echo(
            f'Done in {seconds:.2f} s. Next: set [store] url = "{report.target}" in '
            f"terrain.toml{password}."
        )

    emit(data, as_json=as_json, human=human)
