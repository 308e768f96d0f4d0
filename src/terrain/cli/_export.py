"""``terrain export season OUTPUT``: a season in a spreadsheet."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from terrain import clock
from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._money import parse_day

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


@click.group("export")
def command() -> None:
    """Export a season as CSV files a spreadsheet opens (a folder, or a zip)."""


@command.command("season")
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--from", "since", default=None, help="First day, e.g. 2025-09-01 (default: all).")
@click.option("--to", "until", default=None, help="Last day, e.g. 2026-06-30 (default: all).")
@json_option
@pass_workspace
def season(
    ws: Workspace, output: Path, since: str | None, until: str | None, as_json: bool
) -> None:
    """Write the meetups from --from to --to to OUTPUT (a folder, or a file ending in .zip):
    events, attendance, partners, contributions, budgets and published posts, one CSV
    file each (UTF-8 for Excel; no cell is ever run as a formula)."""
    from terrain.workflows import season_export, write_tables

    export = season_export(
        ws,
        since=parse_day(since, option="--from") if since else None,
        until=parse_day(until, option="--to") if until else None,
        now=clock.now(),
    )
    written = write_tables(export, output)
    counts = export.counts()
    emit(
        {"output": str(output), "files": written, "rows": counts},
        as_json=as_json,
        human=lambda: click.echo(
            f"Wrote {output}: "
            + ", ".join(f"{name} ({counts[name]} rows)" for name in written)
            + "."
        ),
    )
