"""``terrain log [--post ID] [--event EV] [--member M] [--since DATE] [--limit N]``:
why was this posted, or held back?

Every post of the publication journal with its state, and the consent
decisions recorded right before each call: allowed or denied, the reasons
per person and mention (who was not tagged, and why: mentions are decided
at the call, typed ``@handles`` included), and the consent records relied on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._complete import complete_event_id, complete_member_id

if TYPE_CHECKING:
    from terrain.consent import DecisionRecord
    from terrain.store import Workspace
    from terrain.workflows import LogEntry

__all__ = ["command", "log_data"]


def log_data(entries: list[LogEntry]) -> list[dict[str, Any]]:
    """The log entries as plain data (for ``--json``)."""
    from terrain.publishing import outcome_of
    from terrain.serialization import unstructure

    return [
        {
            **unstructure(outcome_of(e.row)),
            "event_id": e.row.event_id,
            "content_ids": list(e.row.post.content_ids),
            "text": e.row.post.text,
            "mentions": [m.handle for m in e.row.post.mentions],
            "decisions": [unstructure(d) for d in e.decisions],
        }
        for e in entries
    ]


def _print(entries: list[LogEntry], echo: Callable[[str], None]) -> None:
    """Print the log as text, in one write (``echo`` takes the whole text)."""
    from terrain.publishing import outcome_of

    if not entries:
        echo("Nothing was published or planned yet: see `terrain publish --help`.")
        return
    lines: list[str] = []
    for entry in entries:
        row = entry.row
        outcome = outcome_of(row)
        about = ", ".join(row.post.content_ids) or f"event {row.event_id} summary"
        lines.append(f"{row.post_id} on {row.platform} ({about}): {outcome.message}")
        for record in entry.decisions:
            _print_decision(record, lines.append)
        lines.append("")
    echo("\n".join(lines))


def _print_decision(record: DecisionRecord, echo: Callable[[str], None]) -> None:
    from terrain.publishing import LEFT_OUT  # the album's code: loaded when a decision prints

    echo(f"  {record.at.isoformat(timespec='seconds')} {record.outcome.value.upper()}")
    for reason in record.reasons:
        if reason.handle is not None:  # a mention: dropped (not tagged) or kept
            mark = "- not tagged:" if reason.blocking else "+ tagged:"
        else:
            mark = "x" if reason.blocking else "-" if LEFT_OUT in reason.text else "+"
        echo(f"    {mark} {reason.text}")
    if record.dropped_mentions:
        echo(f"    not tagged (no tag consent): {', '.join(record.dropped_mentions)}")
    if record.relied_on:
        echo(f"    relied on consent {', '.join(record.relied_on)}")


@click.command("log")
@click.option("--post", "post_id", default=None, help="Only this post id.")
@click.option(
    "--event",
    "event_id",
    default=None,
    shell_complete=complete_event_id,
    help="Only the posts of this event.",
)
@click.option(
    "--member",
    "member_id",
    default=None,
    shell_complete=complete_member_id,
    help="Only the posts showing or mentioning this member.",
)
@click.option(
    "--since", "since_text", default=None, help="Only posts planned since, e.g. 2026-03-01."
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=None, help="Only the N most recent posts."
)
@click.option(
    "--offset",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Skip the N most recent posts first (with --limit: the next page).",
)
@json_option
@pass_workspace
def command(
    ws: Workspace,
    post_id: str | None,
    event_id: str | None,
    member_id: str | None,
    since_text: str | None,
    limit: int | None,
    offset: int,
    as_json: bool,
) -> None:
    """Why was each post published or held back (the consent decisions)."""
    from terrain.cli._when import parse_when
    from terrain.workflows import post_log

    since = parse_when(since_text, ws.community.timezone, option="--since") if since_text else None
    entries = post_log(
        ws,
        post_id=post_id,
        event_id=event_id,
        member_id=member_id,
        since=since,
        limit=limit,
        offset=offset,
    )
    emit(
        log_data(entries) if as_json else None,  # the text needs no plain data
        as_json=as_json,
        human=lambda: _print(entries, click.echo),
    )
