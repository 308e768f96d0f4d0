"""``terrain report season``: the season on one page, with its charts.

Writes an HTML file (no script, every text escaped) with the attendance of
each meetup and the reach of each post (the metrics ``terrain stats`` pulled
back): a page partners and the community would rather look at than read.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from terrain import clock
from terrain.cli._common import emit, json_option, pass_workspace

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


def _day(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date: write it as 2026-09-01", param_hint=option
        ) from None


@click.group("report")
def command() -> None:
    """Reports to share: the season, with charts."""


@command.command("season")
@click.option(
    "--from", "start", default=None, metavar="DATE", help="First day (default: 1 September)."
)
@click.option("--to", "end", default=None, metavar="DATE", help="Last day (default: 31 August).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The HTML file to write (default: season-YYYY-YYYY.html in the current folder).",
)
@json_option
@pass_workspace
def season(
    ws: Workspace, start: str | None, end: str | None, output: Path | None, as_json: bool
) -> None:
    """Write the season report: attendance per meetup and reach per post, as charts."""
    from terrain.workflows import season_html, season_report

    report = season_report(
        ws,
        today=clock.today(ws.community.timezone),
        start=_day(start, "--from"),
        end=_day(end, "--to"),
    )
    path = output or Path(f"season-{report.start.year}-{report.end.year}.html")
    try:
        path.write_text(season_html(report), encoding="utf-8")
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {path}: {exc.strerror or exc}", param_hint="--output"
        ) from None
    emit(
        {"path": str(path), "report": report},
        as_json=as_json,
        human=lambda: click.echo(
            f"Wrote {path}: {len(report.attendance)} meetups ({report.people} came), "
            f"{len(report.reach)} posts (seen {report.reached} times online). Open it in a "
            "browser."
        ),
    )
