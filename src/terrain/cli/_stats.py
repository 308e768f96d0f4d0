"""``terrain stats``: how the published posts are doing, pulled back from the platforms.

Reads the public metrics of every post that went out (likes, reposts,
replies, reach…) where the platform's API gives them, within its rate
limits, keeps them with the time they were read, and shows them. Run it from
cron: a post read in the last hour is not read again.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import EXIT_FAILED, emit, json_option, pass_workspace
from terrain.cli._complete import complete_platform
from terrain.cli._when import shown

if TYPE_CHECKING:
    from terrain.store import Workspace
    from terrain.workflows import PostStats, StatsReport

__all__ = ["command"]


def _row(post: PostStats) -> str:
    first = (post.text.splitlines() or [""])[0]
    first = first if len(first) <= 40 else first[:39] + "…"
    m = post.metrics
    if m is None:
        figures = "not read yet"
    elif m.gone:
        figures = f"gone from {post.platform} (read {shown(m.at)})"
    else:
        reach = "?" if m.reached is None else str(m.reached)
        rate = "" if m.engagement_rate is None else f", {m.engagement_rate:.1%} engaged"
        figures = (
            f"seen {reach}, {m.counts.get('likes', 0)} likes, {m.counts.get('reposts', 0)} "
            f"reposts, {m.counts.get('replies', 0)} replies{rate} (read {shown(m.at)})"
        )
    return f"  {post.platform:<10} {first:<41} {figures}"


def _data(report: StatsReport) -> dict[str, Any]:
    from terrain.serialization import unstructure

    return {
        "read": report.read,
        "failed": report.failed,
        "notes": list(report.notes),
        "posts": [
            {
                **unstructure(p),
                "interactions": None if p.metrics is None else p.metrics.interactions,
                "reached": None if p.metrics is None else p.metrics.reached,
            }
            for p in report.posts
        ],
    }


@click.command("stats")
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    shell_complete=complete_platform,
    help="Only this platform (repeat). Default: every platform a post went to.",
)
@click.option(
    "--fresh-for",
    type=click.FloatRange(min=0.0),
    default=60.0,
    show_default=True,
    help="Minutes during which a post read before is not read again (the platforms' read "
    "limits are small).",
)
@json_option
@pass_workspace
def command(ws: Workspace, platforms: tuple[str, ...], fresh_for: float, as_json: bool) -> None:
    """Pull back the likes, reposts, replies and reach of the published posts."""
    from terrain.workflows import fetch_stats

    report = fetch_stats(
        ws, list(platforms), now=clock.now, fresh_for=timedelta(minutes=fresh_for)
    )

    def human() -> None:
        if not report.posts:
            click.echo("Nothing was published yet: `terrain publish` first.")
        else:
            click.echo(f"Read {report.read} post(s) now. The published posts:")
            for post in report.posts:
                click.echo(_row(post))
        for note in report.notes:
            click.echo(f"! {note}")

    emit(_data(report), as_json=as_json, human=human)
    if report.failed:
        sys.exit(EXIT_FAILED)
