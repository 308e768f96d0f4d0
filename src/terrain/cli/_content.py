"""``terrain content import|people|faces|describe|sheet|thumbnails|list``: photos and people."""

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
    echo_lines,
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
    from terrain.content import Content, Region
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
            for name in outcome.unknown_names:
                click.echo(f"           tagged in the file, not a member: {name}")
        click.echo(report.summary() + ".")
        for note in report.notes:
            click.echo(f"Note: {note}.")
        if any(o.people for o in report.imported):
            click.echo(
                "People tagged in the files arrive identified, not reviewed: confirm who is "
                "in each photo with `terrain content people PHOTO --add MEMBER --reviewed` "
                "(or on the review desk, `terrain serve`)."
            )
        elif report.imported:
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
            "notes": report.notes,
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
        tagged = f" (tagged: {', '.join(outcome.people)})" if outcome.people else ""
        faces = f", {outcome.faces} face(s)" if outcome.faces else ""
        return f"imported   {name} -> {outcome.content_id}{tagged}{faces}"
    if outcome.status == "duplicate":
        return f"duplicate  {name} (already stored as {outcome.content_id})"
    return f"rejected   {outcome.reason}"


def _resolve(ws: Workspace, photo: str) -> Content:
    """A content by id, or by the file it was imported from (same stripped bytes)."""
    from terrain.workflows import find_content

    return find_content(ws, photo)


def _regions(values: tuple[str, ...]) -> dict[str, Region | None]:
    """``--region MEMBER=LEFT,TOP,WIDTH,HEIGHT`` (fractions of the picture as stored), or
    ``MEMBER=none`` to forget where they are."""
    from terrain.content import Region
    from terrain.errors import ValidationError

    out: dict[str, Region | None] = {}
    for value in values:
        member, sep, numbers = value.partition("=")
        if not sep or not member:
            raise click.BadParameter(
                f"{value!r}: write MEMBER=LEFT,TOP,WIDTH,HEIGHT (fractions of the picture, "
                "e.g. lea=0.4,0.2,0.15,0.2) or MEMBER=none", param_hint="--region")
        if numbers.strip().lower() == "none":
            out[member] = None
            continue
        try:
            left, top, width, height = (float(n) for n in numbers.split(","))
            out[member] = Region(left, top, width, height)
        except (ValueError, ValidationError) as exc:
            raise click.BadParameter(
                f"{value!r}: {exc if isinstance(exc, ValidationError) else 'four numbers'} "
                "(LEFT,TOP,WIDTH,HEIGHT, each from 0 to 1)", param_hint="--region") from None
    return out


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
    "--region",
    "regions",
    multiple=True,
    metavar="MEMBER=L,T,W,H",
    help="Where MEMBER is in the picture, as fractions of it (left, top, width, height), "
    "or MEMBER=none; a person without consent whose region is known can be blurred.",
)
@click.option("--media", "media_id", default=None,
              help="The media the people are in, when the content holds several.")
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
    help="Who identifies and confirms (default: your login name); kept in the photo's "
    "review log, and an approver who edited a post's photos does not approve it under "
    "[publish] four_eyes.",
)
@click.option(
    "--confirm-faces",
    is_flag=True,
    help="With --reviewed: more faces were found than people identified, and nobody else "
    "needs to be (a back, a poster, a passer-by).",
)
@json_option
@pass_workspace
def people(
    ws: Workspace,
    photo: str,
    added: tuple[str, ...],
    removed: tuple[str, ...],
    regions: tuple[str, ...],
    media_id: str | None,
    reviewed: bool,
    reviewer: str | None,
    confirm_faces: bool,
    as_json: bool,
) -> None:
    """Record who is in PHOTO (a content id, or the file it was imported from).

    Any change to the people makes the photo unreviewed again, unless
    ``--reviewed`` comes with it: nothing of it is published until someone
    confirms who is in it (kept in the photo's review log, with who did).
    """
    from terrain.workflows import identify_people

    both = set(added) & set(removed)
    if both:
        raise click.BadParameter(
            f"{', '.join(sorted(both))} given to both --add and --remove", param_hint="--add"
        )
    content = _resolve(ws, photo)
    updated = identify_people(
        ws, content.id, add=added, remove=removed, regions=_regions(regions), media_id=media_id,
        reviewed=reviewed, confirm_faces=confirm_faces, by=reviewer or login(),
        now=clock.now(),
    )

    def human() -> None:
        names = ", ".join(sorted(updated.member_ids)) or "nobody identified"
        state = (
            "reviewed" if updated.review_is_current else "NOT reviewed (cannot be published)"
        )
        click.echo(f"{updated.id}: {names}; people {state}.")

    emit(updated, as_json=as_json, human=human)


@command.command("faces")
@click.argument("photo", shell_complete=complete_content_id)
@click.option("--detect", is_flag=True,
              help="Run the face detector on the stored picture again (faces found are added).")
@json_option
@pass_workspace
def faces(ws: Workspace, photo: str, detect: bool, as_json: bool) -> None:
    """The faces found in PHOTO and the people identified in it, with their regions.

    A photo showing more faces than people identified stays unreviewed until
    someone identifies them or confirms (`terrain content people PHOTO --reviewed
    --confirm-faces`).
    """
    from terrain.workflows import detect_again, photo_faces

    content = _resolve(ws, photo)
    found = detect_again(ws, content.id, now=clock.now()) if detect else photo_faces(
        ws, content.id)

    def box(region: Region | None) -> str:
        if region is None:
            return "region unknown"
        return (f"at {region.left:.2f},{region.top:.2f} "
                f"size {region.width:.2f}x{region.height:.2f}")

    def human() -> None:
        for media, shown, extra in found.pictures:
            click.echo(f"{content.id} / {media.id}: {len(media.faces)} face(s) found")
            for face in media.faces:
                click.echo(f"  face {box(face)}")
            for appearance in shown:
                mark = "reviewed" if appearance.reviewed else "not reviewed"
                click.echo(f"  {appearance.member_id}: {box(appearance.region)} ({mark})")
            if extra:
                click.echo(f"  {extra} face(s) more than the people identified: identify them, "
                           f"or `terrain content people {content.id} --reviewed --confirm-faces`")

    emit(
        {"content_id": content.id, "unaccounted": found.unaccounted,
         "pictures": [{"media_id": m.id, "faces": m.faces, "people": shown, "unaccounted": extra}
                      for m, shown, extra in found.pictures]},
        as_json=as_json, human=human,
    )


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """``(platform, value)`` pairs as ``{value: [platforms]}``, in first-seen order."""
    groups: dict[str, list[str]] = {}
    for platform, value in pairs:
        groups.setdefault(value, []).append(platform)
    return groups


def _platforms_label(names: list[str], every: tuple[str, ...]) -> str:
    return "every platform" if len(every) > 1 and set(names) == set(every) else ", ".join(names)


def _by_platform(pairs: list[tuple[str, str]], every: tuple[str, ...]) -> str:
    """``held on x, facebook; may-go on outbox`` (``on every platform`` when one state)."""
    return "; ".join(f"{value} on {_platforms_label(names, every)}"
                     for value, names in _grouped(pairs).items())


@command.command("sheet")
@only_event_option
@click.option("--project", "project_id", default=None, help="The project's photos instead.")
@click.option("--show", type=click.Choice(["all", "not-reviewed", "held", "ready"]),
              default="all", help="Only the photos still to review, held, or ready.")
@json_option
@pass_workspace
def sheet(ws: Workspace, event_id: str | None, project_id: str | None, show: str,
          as_json: bool) -> None:
    """The contact sheet of an event (or a project): each photo, who is in it, and what
    consent says on each platform now (may go, held, pending a guardian, not reviewed)."""
    from terrain.workflows import contact_sheet

    result = contact_sheet(ws, event_id=event_id, project_id=project_id, show=show,
                           now=clock.now())

    def human() -> None:
        counts = result.counts
        click.echo(f"{result.title}: {counts['all']} photo(s) — {counts['not-reviewed']} not "
                   f"reviewed, {counts['held']} held, {counts['ready']} ready")
        for photo in result.photos:
            click.echo(f"{photo.content_id:<22} {photo.status:<13} {photo.title}")
            for person in photo.people:
                states = _by_platform([(s.platform, s.status.value) for s in person.states],
                                      result.platforms)
                click.echo(f"    {person.name}: {states}")
            whys = [(s.platform, s.why) for s in photo.platforms
                    if s.why and s.status.value != "may-go"]
            for why, names in _grouped(whys).items():
                click.echo(f"    {_platforms_label(names, result.platforms)}: {why}")
            if photo.unaccounted:
                click.echo(f"    {photo.unaccounted} face(s) nobody is identified for")

    emit(result, as_json=as_json, human=human)


@command.command("thumbnails")
@click.option("--force", is_flag=True, help="Make every thumbnail again.")
@json_option
@pass_workspace
def thumbnails(ws: Workspace, force: bool, as_json: bool) -> None:
    """Make the review desk's missing thumbnails (one process per core)."""
    from terrain.workflows import make_thumbnails

    made = make_thumbnails(ws, force=force)
    emit({"made": made}, as_json=as_json,
         human=lambda: click.echo(f"{made} thumbnail(s) made."))


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
@click.option(
    "--by",
    "editor",
    default=None,
    help="Who describes it (default: your login name): an approver who edited a post's "
    "photos does not approve it under [publish] four_eyes.",
)
@json_option
@pass_workspace
def describe(
    ws: Workspace,
    photo: str,
    alt_text: str | None,
    caption: str | None,
    media_id: str | None,
    editor: str | None,
    as_json: bool,
) -> None:
    """Set the alt text and/or caption of PHOTO (a content id, or the file it was imported from).

    Platforms that show alt text get it for every image; publishing refuses
    an image without one. Text longer than the model allows exits 2
    and changes nothing.
    """
    from terrain.workflows import describe_photo

    updated = describe_photo(ws, photo, alt_text=alt_text, caption=caption,
                             media_id=media_id, by=editor or login(), now=clock.now())

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
    if event_id is not None:
        from terrain import Event  # the event models: only when one is named

        ws.get(Event, event_id)
    if not as_json and not as_csv:  # the text shows a summary: only that is read
        lines = ws.content_listing_lines(event_id)
        if not lines:
            click.echo("No content yet: import photos with `terrain content import PHOTOS`.")
        echo_lines(lines)
        return
    from terrain import Content

    contents = ws.list(Content) if event_id is None else ws.contents_of_event(event_id)
    emit_list(contents, as_json=as_json, as_csv=as_csv, table=flat_rows(contents),
              human=lambda: None)
