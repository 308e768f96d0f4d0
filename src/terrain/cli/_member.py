"""``terrain member add|import|edit|list|delete|export|erase``: the people of the community."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import emit, emit_list, json_option, list_options, pass_workspace
from terrain.cli._complete import complete_member_id
from terrain.cli._delete import delete_command
from terrain.cli._importing import import_options, run_import
from terrain.serialization import unstructure

if TYPE_CHECKING:
    from terrain import Member
    from terrain.store import Workspace

__all__ = ["command", "member_row", "parse_handles"]


@click.group("member")
def command() -> None:
    """The members: add, import, edit, list, delete; export or erase one (GDPR)."""


def parse_handles(values: tuple[str, ...]) -> dict[str, str]:
    """``("x=lea_m", "instagram=@lea")`` as ``{"x": "lea_m", "instagram": "lea"}``
    (:class:`click.BadParameter` for a value that is not PLATFORM=HANDLE)."""
    handles = {}
    for value in values:
        platform, sep, handle = value.partition("=")
        if not sep or not platform.strip() or not handle.strip():
            raise click.BadParameter(
                f"{value!r} is not PLATFORM=HANDLE, e.g. x=lea_m", param_hint="--handle"
            )
        handles[platform.strip()] = handle.strip().removeprefix("@")
    return handles


@command.command("add")
@click.argument("member_id")
@click.option("--name", "display_name", required=True, help="Name as people know them.")
@click.option("--handle", "handles", multiple=True, help="PLATFORM=HANDLE, e.g. x=lea_m.")
@click.option("--phone", default="", help="Their phone number.")
@click.option("--minor", is_flag=True, help="The member is a minor (name a --guardian).")
@click.option(
    "--guardian",
    "guardians",
    multiple=True,
    shell_complete=complete_member_id,
    help="Member id of a guardian (add them first).",
)
@click.option("--tag", "tags", multiple=True, help="An interest, e.g. vélo (for introductions).")
@click.option(
    "--email", default=None, help="Where the web pages send their links (terrain serve)."
)
@json_option
@pass_workspace
def add(
    ws: Workspace,
    member_id: str,
    display_name: str,
    handles: tuple[str, ...],
    phone: str,
    minor: bool,
    guardians: tuple[str, ...],
    tags: tuple[str, ...],
    email: str | None,
    as_json: bool,
) -> None:
    """Add member MEMBER_ID."""
    from terrain import Member

    member = Member(
        id=member_id,
        display_name=display_name,
        handles=parse_handles(handles),
        phone=phone,
        is_minor=minor,
        guardian_ids=guardians,
        tags=tags,
        email=email or None,
    )
    ws.add(member)
    emit(member, as_json=as_json, human=lambda: click.echo(f"Added {display_name} ({member_id})."))


@command.command("import")
@import_options
@pass_workspace
def import_(ws: Workspace, **options: Any) -> None:
    """Add or update the members listed in FILE (CSV or JSON), row by row.

    FILE is an attendee export (--preset meetup, luma, eventbrite, helloasso),
    a spreadsheet with columns named after the fields (name, email, phone,
    handle:x, tags...), or anything a mapping file describes. People already
    members are found by id, email or handle and updated (an empty cell keeps
    what is stored), so importing a file again changes nothing. All or
    nothing: a refused row stores nothing, unless --skip-bad. Try it with
    --dry-run first.
    """
    from terrain.workflows import import_members

    run_import(import_members, ws=ws, **options)


@command.command("edit")
@click.argument("member_id", shell_complete=complete_member_id)
@click.option("--name", default=None, help="Another name.")
@click.option("--email", default=None, help="Another email ('' to forget it).")
@click.option("--phone", default=None, help="Another phone number ('' to forget it).")
@click.option("--handle", "handles", multiple=True, help="PLATFORM=HANDLE to add or replace.")
@click.option("--drop-handle", "drop_handles", multiple=True, help="A platform to forget.")
@click.option("--tag", "tags", multiple=True, help="A tag to add.")
@click.option("--drop-tag", "drop_tags", multiple=True, help="A tag to take off.")
@click.option("--minor/--adult", default=None, help="Whether they are a minor.")
@click.option(
    "--guardian",
    "guardians",
    multiple=True,
    shell_complete=complete_member_id,
    help="A guardian to add (a member id).",
)
@click.option(
    "--drop-guardian",
    "drop_guardians",
    multiple=True,
    shell_complete=complete_member_id,
    help="A guardian to take off.",
)
@json_option
@pass_workspace
def edit(
    ws: Workspace,
    member_id: str,
    name: str | None,
    email: str | None,
    phone: str | None,
    handles: tuple[str, ...],
    drop_handles: tuple[str, ...],
    tags: tuple[str, ...],
    drop_tags: tuple[str, ...],
    minor: bool | None,
    guardians: tuple[str, ...],
    drop_guardians: tuple[str, ...],
    as_json: bool,
) -> None:
    """Change member MEMBER_ID: what is given changes, the rest stays (see `terrain
    history member MEMBER_ID`)."""
    from terrain.workflows import edit_member

    done = edit_member(
        ws,
        member_id,
        name=name,
        email=email,
        phone=phone,
        handles=parse_handles(handles),
        drop_handles=drop_handles,
        tags=tags,
        drop_tags=drop_tags,
        minor=minor,
        guardians=guardians,
        drop_guardians=drop_guardians,
    )
    emit(
        {"member": done.after, "changed": list(done.changed)},
        as_json=as_json,
        human=lambda: click.echo(
            f"Changed {', '.join(done.changed)} of {member_id}."
            if done.changed
            else f"Nothing changed for {member_id}."
        ),
    )


delete_command(
    command,
    "member",
    """Delete member MEMBER_ID, added by mistake.

    Refused while photos, answers, votes or other members point to them (the
    message says which command changes each). To forget a person who asks it,
    use `terrain member erase` instead: it keeps what proves past publications
    were lawful.
    """,
    complete=complete_member_id,
    force='Delete even if consent records or posts online rely on them.',
)


#: The columns of `terrain member list --csv` (handles follow, one column per platform).
COLUMNS = ["id", "name", "email", "phone", "tags", "minor", "guardians", "joined_on"]


def member_row(member: Member) -> dict[str, Any]:
    """A member as a spreadsheet row (what `terrain member import` reads back)."""
    row: dict[str, Any] = {
        "id": member.id,
        "name": member.display_name,
        "email": member.email,
        "phone": member.phone,
        "tags": "; ".join(sorted(member.tags)),
        "minor": member.is_minor,
        "guardians": "; ".join(member.guardian_ids),
        "joined_on": member.joined_on.isoformat() if member.joined_on else None,
    }
    row.update({f"handle:{p}": h for p, h in member.handles.items()})
    return row


@command.command("list")
@list_options
@pass_workspace
def list_(ws: Workspace, as_json: bool, as_csv: bool) -> None:
    """List the members."""
    from terrain import Member

    members = ws.list(Member)

    def human() -> None:
        if not members:
            click.echo("No member yet: add one with `terrain member add ID --name NAME`.")
        for m in members:
            extra = []
            if m.erased:
                extra.append("erased at their request")
            if m.is_minor:
                extra.append("minor, guardians: " + ", ".join(m.guardian_ids))
            if m.email:
                extra.append(m.email)
            if m.handles:
                extra.append(", ".join(f"{p}: @{h}" for p, h in sorted(m.handles.items())))
            click.echo(
                f"{m.id:<20} {m.display_name}" + (f"  ({'; '.join(extra)})" if extra else "")
            )

    platforms = sorted({p for m in members for p in m.handles})
    emit_list(
        members,
        as_json=as_json,
        as_csv=as_csv,
        table=([*COLUMNS, *(f"handle:{p}" for p in platforms)], [member_row(m) for m in members]),
        human=human,
    )


@command.command("export")
@click.argument("member_id", shell_complete=complete_member_id)
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@json_option
@pass_workspace
def export(ws: Workspace, member_id: str, output: Path, as_json: bool) -> None:
    """Write everything about MEMBER_ID into the zip file OUTPUT (GDPR Art. 15 and 20).

    person.json holds their record, consents with evidence, answers, the photos
    they appear in or made, workshops, posts and decisions about them, and the
    history of their record; media/ holds the files. Give it to them.
    """
    from terrain.workflows import export_member

    done = export_member(ws, member_id, output, now=clock.now())

    def human() -> None:
        shown = ", ".join(f"{n} {what}" for what, n in done.counts.items() if n)
        click.echo(f"Wrote {output}: {shown or 'their member record'}.")
        for key in done.missing:
            click.echo(f"! {key} is missing from the storage", err=True)

    emit(
        {"output": str(output), "counts": dict(done.counts), "missing": list(done.missing)},
        as_json=as_json,
        human=human,
    )


@command.command("erase")
@click.argument("member_id", shell_complete=complete_member_id)
@click.option("--yes", is_flag=True, help="Yes, erase them: it cannot be undone.")
@json_option
@pass_workspace
def erase(ws: Workspace, member_id: str, yes: bool, as_json: bool) -> None:
    """Erase MEMBER_ID at their request (GDPR Art. 17); it cannot be undone.

    Withdraws every consent of theirs and takes down what was published; deletes
    their own photos, ideas and votes and their personal fields; replaces them
    everywhere by a tombstone the consent gate refuses forever. The consent log
    keeps what proves past publications were lawful, without their name,
    email or handles (docs/privacy.rst). Export their data first if they asked
    for it too (`terrain member export`).
    """
    from terrain.cli._common import EXIT_FAILED, fail

    if not yes:
        fail(
            f"erasing {member_id} cannot be undone: run `terrain member erase {member_id} --yes` "
            f"(export their data first with `terrain member export {member_id} FILE.zip` if "
            "they asked for it)"
        )
    from terrain.workflows import erase_member

    done = erase_member(ws, member_id, now=clock.now())

    def human() -> None:
        click.echo(
            f"Erased {member_id}: now {done.tombstone_id}; {len(done.withdrawn)} consent(s) "
            f"withdrawn, {len(done.takedown)} post(s) taken down, {len(done.deleted)} record(s) "
            f"and {len(done.files)} file(s) of theirs deleted."
        )
        for entry in done.to_remove_by_hand:
            click.echo(f"! remove by hand: {entry.url or entry.remote_id} ({entry.message})",
                       err=True)
        for key in done.files_left:
            click.echo(f"! the storage kept {key}: delete it by hand", err=True)

    emit(
        {
            "member_id": member_id,
            "tombstone_id": done.tombstone_id,
            "withdrawn": list(done.withdrawn),
            "takedown": [unstructure(e) for e in done.takedown],
            "deleted": list(done.deleted),
            "files": list(done.files),
            "files_left": list(done.files_left),
        },
        as_json=as_json,
        human=human,
    )
    if done.to_remove_by_hand or done.files_left:
        fail("part of what was published could not be deleted: remove it by hand (see above)",
             code=EXIT_FAILED)
