"""``terrain content import|people|describe|list``: field photos, who is in them, their words."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import (
    EXIT_FAILED,
    emit,
    emit_list,
    fail,
    flat_rows,
    json_option,
    list_options,
    login,
    pass_workspace,
    terminal,
)
from terrain.cli._complete import (
    complete_content_id,
    complete_event_id,
    complete_member_id,
    only_event_option,
)
from terrain.cli._when import fold_option, parse_when

if TYPE_CHECKING:
    from terrain.content import Content
    from terrain.store import Workspace
    from terrain.workflows import FileOutcome

__all__ = ["command"]


@click.group("content")
def command() -> None:
    """Import photos, record who is in them, list them."""


@contextmanager
def _progress_bar(total: int, enabled: bool) -> Iterator[Callable[[int, int, Any], None] | None]:
    """A rich progress bar when attached to a terminal, else nothing (rich is not imported)."""
    if not enabled or total < 2:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=Console(file=terminal()),
    ) as progress:
        task = progress.add_task("Importing photos", total=total)

        def advance(done: int, _total: int, _outcome: Any) -> None:
            progress.update(task, completed=done)

        yield advance


@command.command("import")
@click.argument("photos", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--event",
    "event_id",
    default=None,
    shell_complete=complete_event_id,
    help="Event the photos were taken at.",
)
@click.option("--project", "project_id", default=None, help="Project the photos belong to.")
@click.option(
    "--author",
    "author_id",
    default=None,
    shell_complete=complete_member_id,
    help="Member who made the photos (user-generated content): published only with their "
    "reuse-ugc consent, and credited.",
)
@json_option
@pass_workspace
def import_(
    ws: Workspace,
    photos: tuple[Path, ...],
    event_id: str | None,
    project_id: str | None,
    author_id: str | None,
    as_json: bool,
) -> None:
    """Import PHOTOS (JPEG, PNG): location metadata removed, duplicates skipped.

    With ``--author MEMBER`` the photos are that member's (user-generated
    content): each post of them credits the author and is held back until
    the author grants the ``reuse-ugc`` consent.

    Exit code 1 when some files were rejected (the others are imported), 2
    when every file was rejected (nothing changed).
    """
    from terrain.workflows import import_media

    with _progress_bar(len(photos), sys.stdout.isatty() and not as_json) as progress:
        report = import_media(
            ws,
            photos,
            event_id=event_id,
            project_id=project_id,
            author_id=author_id,
            now=clock.now(),
            progress=progress,
        )

    def human() -> None:
        for outcome in report.outcomes:
            click.echo(_describe(outcome))
        click.echo(report.summary() + ".")
        if report.imported:
            click.echo(
                "Nobody is identified yet: record who is in each photo with "
                "`terrain content people PHOTO --add MEMBER --reviewed`."
            )

    emit(
        {
            "outcomes": report.outcomes,
            "imported": len(report.imported),
            "duplicate": len(report.duplicates),
            "rejected": len(report.rejected),
        },
        as_json=as_json,
        human=human,
    )
    if report.rejected:
        count = len(report.rejected)
        if report.imported or report.duplicates:
            fail(
                f"{count} of {len(photos)} files rejected (reasons above); the others are in "
                "the workspace. Fix or remove those files and import them again.",
                code=EXIT_FAILED,
            )
        fail("no photo imported: every file was rejected (reasons above); nothing changed.")


def _describe(outcome: FileOutcome) -> str:
    name = Path(outcome.path).name
    if outcome.status == "imported":
        return f"imported   {name} -> {outcome.content_id}"
    if outcome.status == "duplicate":
        return f"duplicate  {name} (already stored as {outcome.content_id})"
    return f"rejected   {outcome.reason}"


def _resolve(ws: Workspace, photo: str) -> Content:
    """A content by id, or by the file it was imported from (same stripped bytes)."""
    from terrain.workflows import find_content

    return find_content(ws, photo)


@command.command("people")
@click.argument("photo", shell_complete=complete_content_id)
@click.option(
    "--add",
    "added",
    multiple=True,
    shell_complete=complete_member_id,
    help="Member id of a person in the photo.",
)
@click.option(
    "--remove",
    "removed",
    multiple=True,
    shell_complete=complete_member_id,
    help="Member id to take off the photo.",
)
@click.option(
    "--reviewed",
    is_flag=True,
    help="You confirm who is in the photo now (required before publishing). Any change to "
    "the people without it leaves the photo unreviewed.",
)
@click.option(
    "--by",
    "reviewer",
    default=None,
    help="Who confirms (default: your login name); kept in the photo's review log.",
)
@json_option
@pass_workspace
def people(
    ws: Workspace,
    photo: str,
    added: tuple[str, ...],
    removed: tuple[str, ...],
    reviewed: bool,
    reviewer: str | None,
    as_json: bool,
) -> None:
    """Record who is in PHOTO (a content id, or the file it was imported from).

    Adding or removing someone resets the photo's review: confirm who is in
    it with --reviewed (in the same command, or later).
    """
    from terrain.workflows import set_people

    content = _resolve(ws, photo)
    updated = set_people(
        ws,
        content.id,
        add=added,
        remove=removed,
        reviewed=reviewed,
        by=reviewer or login(),
        now=clock.now(),
    )

    def human() -> None:
        names = ", ".join(sorted(updated.member_ids)) or "nobody identified"
        state = (
            "reviewed" if updated.review_is_current else "NOT reviewed (cannot be published)"
        )
        click.echo(f"{updated.id}: {names}; people {state}.")

    emit(updated, as_json=as_json, human=human)


@command.command("describe")
@click.argument("photo", shell_complete=complete_content_id)
@click.option(
    "--alt",
    "alt_text",
    default=None,
    help="Alt text: what the image shows, for people who cannot see it (max 1500 characters).",
)
@click.option(
    "--caption",
    default=None,
    help="Caption: the text of the photo's post, sent as written.",
)
@click.option(
    "--media",
    "media_id",
    default=None,
    help="Which media file gets the alt text, when the content holds several.",
)
@json_option
@pass_workspace
def describe(
    ws: Workspace,
    photo: str,
    alt_text: str | None,
    caption: str | None,
    media_id: str | None,
    as_json: bool,
) -> None:
    """Set the alt text and/or caption of PHOTO (a content id, or the file it was imported from).

    Platforms that show alt text get it for every image; publishing refuses
    an image without one. Text longer than the model allows exits 2
    and changes nothing.
    """
    from terrain.workflows import describe_content

    updated = describe_content(ws, photo, alt_text=alt_text, caption=caption, media_id=media_id)

    def human() -> None:
        alts = ", ".join(repr(m.alt_text) for m in updated.media if m.alt_text) or "none"
        missing = sum(1 for m in updated.media if m.is_image and not m.alt_text)
        click.echo(f"{updated.id}: caption {updated.caption!r}; alt text {alts}.")
        if missing:
            click.echo(f"{missing} image(s) still without alt text: they cannot be published.")

    emit(updated, as_json=as_json, human=human)


@command.command("move")
@click.argument("content_id", shell_complete=complete_content_id)
@click.option("--event", "event_id", default=None, shell_complete=complete_event_id,
              help="The event it belongs to.")
@click.option("--project", "project_id", default=None, help="The project it belongs to.")
@click.option("--workshop", "workshop_id", default=None, help="The workshop it belongs to.")
@click.option("--force", is_flag=True, help="Move it even if a post online shows it.")
@json_option
@pass_workspace
def move(
    ws: Workspace,
    content_id: str,
    event_id: str | None,
    project_id: str | None,
    workshop_id: str | None,
    force: bool,
    as_json: bool,
) -> None:
    """Move CONTENT_ID (a photo imported into the wrong meetup) to another event, project
    or workshop."""
    from terrain.workflows import move_content

    done = move_content(
        ws, content_id, event_id=event_id, project_id=project_id, workshop_id=workshop_id,
        force=force,
    )
    where = event_id or project_id or workshop_id
    emit(done.after, as_json=as_json, human=lambda: click.echo(
        f"Moved {content_id} to {where}." if done.changed else f"{content_id} is already there."))


@command.command("delete")
@click.argument("content_id", shell_complete=complete_content_id)
@click.option("--media", "media_id", default=None,
              help="Only this photo of the content (with its file).")
@click.option("--force", is_flag=True, help="Delete even if a post online shows it.")
@json_option
@pass_workspace
def delete(
    ws: Workspace, content_id: str, media_id: str | None, force: bool, as_json: bool
) -> None:
    """Delete CONTENT_ID and its files (or only its photo --media).

    Refused while a post online shows it (take it down first), unless --force,
    and while a project timeline or a workshop idea points to it.
    """
    if media_id is not None:
        from terrain.workflows import remove_media

        _edit, files = remove_media(ws, content_id, media_id, force=force)
    else:
        from terrain.workflows import delete_record

        files = delete_record(ws, "content", content_id, force=force).files
    emit(
        {"deleted": content_id, "media": media_id, "files": list(files)},
        as_json=as_json,
        human=lambda: click.echo(
            f"Deleted {media_id + ' of ' if media_id else ''}{content_id} and "
            f"{len(files)} file(s)."
        ),
    )


@command.command("edit")
@click.argument("content_id", shell_complete=complete_content_id)
@click.option("--title", default=None, help="Another title.")
@click.option("--caption", default=None, help="Another caption.")
@click.option(
    "--date", "created_at", default=None,
    help="When it was made, e.g. '2026-03-12 19:40' (an interview's date).",
)
@click.option("--author", "author_id", default=None, shell_complete=complete_member_id,
              help="The member who made it ('' when none).")
@fold_option
@json_option
@pass_workspace
def edit(ws: Workspace, content_id: str, as_json: bool, **given: str | None) -> None:
    """Change CONTENT_ID's title, caption, date or author (who is in it: `terrain content
    people`; alt text: `terrain content describe`)."""
    from terrain.workflows import edit_record

    changes = {k: v for k, v in given.items() if v is not None}
    if changes.get("created_at"):
        from terrain.serialization import datetime_text

        changes["created_at"] = datetime_text(
            parse_when(changes["created_at"], ws.community.timezone, option="--date")
        )
    done = edit_record(ws, "content", content_id, changes)
    emit(done.after, as_json=as_json, human=lambda: click.echo(
        f"Changed {', '.join(done.changed) or 'nothing'} of {content_id}."))


@command.command("list")
@only_event_option
@list_options
@pass_workspace
def list_(ws: Workspace, event_id: str | None, as_json: bool, as_csv: bool) -> None:
    """List the contents, with who is in them."""
    from terrain import Content, Event

    if event_id is not None:
        ws.get(Event, event_id)
        contents = ws.contents_of_event(event_id)
    else:
        contents = ws.list(Content)

    def human() -> None:
        if not contents:
            click.echo("No content yet: import photos with `terrain content import PHOTOS`.")
        for c in contents:
            people = ", ".join(sorted(c.member_ids)) or "-"
            state = "reviewed" if c.review_is_current else "unreviewed"
            click.echo(f"{c.id:<20} {c.kind.value:<6} {state:<10} {people}  {c.title}")

    emit_list(contents, as_json=as_json, as_csv=as_csv, table=flat_rows(contents), human=human)
