"""``terrain init``: create a workspace folder."""

from __future__ import annotations

from pathlib import Path

import click

from terrain.cli._common import emit, json_option

__all__ = ["command"]


@click.command("init")
@click.argument(
    "directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--community-id", required=True, help="Short id of the community, e.g. velo-lyon.")
@click.option("--name", required=True, help="Name of the community, e.g. 'Vélo Lyon'.")
@click.option(
    "--timezone",
    default="UTC",
    show_default=True,
    help="IANA time zone the community meets in, e.g. Europe/Paris.",
)
@click.option(
    "--language",
    type=click.Choice(["fr", "en"]),
    default="fr",
    show_default=True,
    help="Language of the recaps and updates terrain writes for the community.",
)
@click.option(
    "--store-url",
    default=None,
    metavar="URL",
    help="Keep the records in this PostgreSQL database (postgresql://user@host:5432/db; "
    "the password comes from $TERRAIN_STORE_PASSWORD) instead of .terrain/terrain.db.",
)
@json_option
def command(
    directory: Path,
    community_id: str,
    name: str,
    timezone: str,
    language: str,
    store_url: str | None,
    as_json: bool,
) -> None:
    """Create a workspace in DIRECTORY (default: the current folder).

    Writes terrain.toml and .terrain/terrain.db (or migrates the database
    --store-url names); refuses to touch a folder that already holds a
    workspace.
    """
    from terrain import Community
    from terrain.store import Workspace

    community = Community(id=community_id, name=name, timezone=timezone, language=language)
    with Workspace.init(directory, community=community, store_url=store_url) as ws:
        root = str(ws.root)
    emit(
        {"root": root, "community": community},
        as_json=as_json,
        human=lambda: click.echo(
            f"Created the workspace of {name} ({community_id}) in {root}.\n"
            "Next: `terrain member add`, `terrain event add`, `terrain content import`."
        ),
    )
