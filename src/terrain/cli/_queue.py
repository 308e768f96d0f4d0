"""``terrain queue``: what will go when; ``queue move`` and ``queue cancel``.

The queue is the publication journal's planned posts: ``terrain publish EV
--at TIME`` (or ``--next-slot``, or ``--enqueue``) puts them there and
``terrain worker`` sends each at its time, deciding consent at that moment.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import emit, json_option, pass_workspace, workspace_option
from terrain.cli._complete import complete_platform, complete_post_id
from terrain.cli._when import fold_option, parse_when, shown

if TYPE_CHECKING:
    from terrain.store import Workspace
    from terrain.workflows import QueuedPost

__all__ = ["command"]

#: ``--platform NAME``: which platform's post, when the id is planned on several.
platform_option = click.option(
    "--platform",
    default=None,
    shell_complete=complete_platform,
    help="The platform of the post (needed only when the id is planned on several).",
)


def _data(post: QueuedPost) -> dict[str, Any]:
    from terrain.serialization import unstructure

    data: dict[str, Any] = unstructure(post)
    return data


def _line(post: QueuedPost) -> str:
    when = shown(post.at) if post.at is not None else "as soon as a worker runs"
    if post.state == "claimed":
        when = "being sent now"
    first = (post.text.splitlines() or [""])[0]
    first = first if len(first) <= 50 else first[:49] + "…"
    photos = f" [{post.media} photo{'s' if post.media != 1 else ''}]" if post.media else ""
    return f"  {when:<26} {post.platform:<10} {post.kind:<13} {post.post_id}  {first}{photos}"


@click.group("queue", invoke_without_command=True)
@click.option(
    "--platform",
    "only",
    default=None,
    shell_complete=complete_platform,
    help="Only the posts of this platform.",
)
@json_option
@workspace_option
@click.pass_context
def command(
    ctx: click.Context, only: str | None, as_json: bool, workspace_dir: Path | None
) -> None:
    """What will go when; move or cancel a planned post."""
    if ctx.invoked_subcommand is not None:
        return
    from terrain.store import Workspace

    ws = Workspace.open(workspace_dir) if workspace_dir is not None else Workspace.find()
    with ws:
        _list(ws, only, as_json)


def _list(ws: Workspace, only: str | None, as_json: bool) -> None:
    from terrain.workflows import queue_of

    posts = queue_of(ws, platform=only)

    def human() -> None:
        if not posts:
            click.echo(
                "Nothing is waiting to go. Plan posts with `terrain publish EV --to P --at TIME`."
            )
            return
        click.echo(f"{len(posts)} post(s) waiting, in the order they go:")
        for post in posts:
            click.echo(_line(post))

    emit([_data(p) for p in posts], as_json=as_json, human=human)


@command.command("move")
@click.argument("post_id", shell_complete=complete_post_id)
@click.option(
    "--at", "at_text", required=True, metavar="TIME", help="The new time (community time)."
)
@fold_option
@platform_option
@json_option
@pass_workspace
def move(ws: Workspace, post_id: str, at_text: str, platform: str | None, as_json: bool) -> None:
    """Plan POST_ID for another time."""
    from terrain.workflows import move_post

    at = parse_when(at_text, ws.community.timezone, option="--at")
    post = move_post(ws, post_id, at=at, now=clock.now(), platform=platform)
    emit(
        _data(post),
        as_json=as_json,
        human=lambda: click.echo(f"Moved: {post.post_id} goes to {post.platform} at {shown(at)}."),
    )


@command.command("cancel")
@click.argument("post_id", shell_complete=complete_post_id)
@platform_option
@json_option
@pass_workspace
def cancel(ws: Workspace, post_id: str, platform: str | None, as_json: bool) -> None:
    """Take POST_ID out of the queue (held; `terrain publish` plans it again)."""
    from terrain.workflows import cancel_post

    post = cancel_post(ws, post_id, now=clock.now(), platform=platform)
    emit(
        _data(post),
        as_json=as_json,
        human=lambda: click.echo(f"Cancelled: {post.post_id} will not go to {post.platform}."),
    )
