"""``terrain log [--post ID]``: why was this posted, or held back?

Every post of the publication journal with its state, and the consent
decisions recorded right before each call: allowed or denied, the reasons
per person and mention, and the consent records relied on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from terrain.cli._common import emit, json_option, pass_workspace

if TYPE_CHECKING:
    from terrain.consent import DecisionRecord
    from terrain.publishing import JournalRow
    from terrain.store import Workspace

__all__ = ["command", "log_data"]


def log_data(ws: Workspace, post_id: str | None = None) -> list[dict[str, Any]]:
    """The journal rows (of ``post_id`` only, if given) with their decisions."""
    from terrain.errors import NotFound
    from terrain.publishing import outcome_of
    from terrain.serialization import unstructure
    from terrain.workflows._publish import journal_of

    rows = journal_of(ws).rows(post_id=post_id)
    if post_id is not None and not rows:
        raise NotFound(f"no post {post_id!r} in the journal; `terrain log` lists them all")
    out = []
    for row in rows:
        decisions = ws.decisions(subject_kind="post", subject_id=row.post_id, platform=row.platform)
        out.append(
            {
                **unstructure(outcome_of(row)),
                "event_id": row.event_id,
                "content_ids": list(row.post.content_ids),
                "text": row.post.text,
                "mentions": [m.handle for m in row.post.mentions],
                "decisions": [unstructure(d) for d in decisions],
            }
        )
    return out


def _print(rows: list[JournalRow], ws: Workspace, echo: Callable[[str], None]) -> None:
    from terrain.publishing import outcome_of

    if not rows:
        echo("Nothing was published or planned yet: see `terrain publish --help`.")
    for row in rows:
        outcome = outcome_of(row)
        about = ", ".join(row.post.content_ids) or f"event {row.event_id} summary"
        echo(f"{row.post_id} on {row.platform} ({about}): {outcome.message}")
        decisions = ws.decisions(subject_kind="post", subject_id=row.post_id, platform=row.platform)
        for record in decisions:
            _print_decision(record, echo)
        echo("")


def _print_decision(record: DecisionRecord, echo: Callable[[str], None]) -> None:
    echo(f"  {record.at.isoformat(timespec='seconds')} {record.outcome.value.upper()}")
    for reason in record.reasons:
        mark = "x" if reason.blocking else "+"
        echo(f"    {mark} {reason.text}")
    if record.dropped_mentions:
        echo(f"    mentions dropped: {', '.join(record.dropped_mentions)}")
    if record.relied_on:
        echo(f"    relied on consent {', '.join(record.relied_on)}")


@click.command("log")
@click.option("--post", "post_id", default=None, help="Only this post id.")
@json_option
@pass_workspace
def command(ws: Workspace, post_id: str | None, as_json: bool) -> None:
    """Why was each post published or held back (the consent decisions)."""
    from terrain.workflows._publish import journal_of

    data = log_data(ws, post_id)
    rows = journal_of(ws).rows(post_id=post_id)
    emit(data, as_json=as_json, human=lambda: _print(rows, ws, click.echo))
