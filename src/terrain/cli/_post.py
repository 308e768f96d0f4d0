"""``terrain post edit POST_ID``: your own words in a planned post, before it goes.

The text is checked as the platform counts it: over the limit it is refused
with how many characters to cut, and nothing changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain import clock
from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._complete import complete_platform, complete_post_id
from terrain.cli._publish import read_text_file

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


@click.group("post")
def command() -> None:
    """Edit the text of a planned post before it goes."""


@command.command("edit")
@click.argument("post_id", shell_complete=complete_post_id)
@click.option("--text", default=None, help="The new text.")
@click.option(
    "--text-file",
    default=None,
    metavar="FILE",
    help="Read the new text from FILE (- for standard input); a line --- alone starts a "
    "thread reply.",
)
@click.option(
    "--platform",
    default=None,
    shell_complete=complete_platform,
    help="The platform of the post (needed only when the id is planned on several).",
)
@json_option
@pass_workspace
def edit(
    ws: Workspace,
    post_id: str,
    text: str | None,
    text_file: str | None,
    platform: str | None,
    as_json: bool,
) -> None:
    """Replace the text of planned post POST_ID with yours."""
    from terrain.workflows import edit_post_as

    if (text is None) == (text_file is None):
        raise click.UsageError("give the new text with --text or --text-file (one of them)")
    words = text if text is not None else read_text_file(text_file)
    assert words is not None
    post = edit_post_as(ws, post_id, words, now=clock.now(), platform=platform)

    def human() -> None:
        click.echo(f"Edited {post.id} on {post.platform}; it now reads:")
        for line in post.text_with_link().splitlines():
            click.echo(f"  | {line}")
        for number, part in enumerate(post.thread, start=2):
            click.echo(f"  thread {number}/{len(post.thread) + 1}:")
            for line in part.splitlines():
                click.echo(f"  | {line}")

    emit(post, as_json=as_json, human=human)
