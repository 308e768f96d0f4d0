"""``terrain store migrate|copy``: the database behind a workspace.

``migrate`` applies the schema migrations a store lacks (opening a workspace
does it too; run it on purpose before starting workers on a new release).
``copy`` moves everything from one store to another, e.g. from the embedded
SQLite file to PostgreSQL when a community outgrows one laptop.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from terrain.cli._common import emit, json_option, workspace_option

__all__ = ["command"]


@click.group("store")
def command() -> None:
    """Migrate the workspace database, or copy it to another one (SQLite, PostgreSQL)."""


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
    from terrain.store import migrate_store

    report = migrate_store(url, workspace=workspace_dir, zone=timezone)
    where, before, after = report.store, report.from_version, report.version
    data: dict[str, Any] = {
        "store": where,
        "from_version": before,
        "version": after,
        "applied": [{"version": v, "name": name} for v, name in report.applied],
        "notes": [{"version": v, "note": n} for v, n in report.notes],
    }
    if not report.sorts_like_sqlite:
        data["note"] = (
            f"the database sorts text by the {report.collation!r} collation, so lists come out "
            "in another order than on SQLite; create it with --locale=C for the same order"
        )

    def human() -> None:
        if "note" in data:
            click.echo(f"Note: {data['note']}.", err=True)
        if not report.applied:
            click.echo(f"{where} is up to date (schema version {after}); nothing to apply.")
        else:
            click.echo(f"Migrated {where} from schema version {before} to {after}:")
            for version, name in report.applied:
                click.echo(f"  {version}. {name}")
        if report.notes:
            click.echo("Notes of the migrations:")
        for version, note in report.notes:
            click.echo(f"  [{version}] {note}")

    emit(data, as_json=as_json, human=human)


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
    from terrain.store import copy_store

    started = time.perf_counter()
    report = copy_store(source_url, target_url)
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
