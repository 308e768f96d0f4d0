"""``terrain member add|list``: the people of the community."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._complete import complete_member_id

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command", "parse_handles"]


@click.group("member")
def command() -> None:
    """Add and list the members of the community."""


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
        is_minor=minor,
        guardian_ids=guardians,
        tags=tags,
        email=email,
    )
    ws.add(member)
    emit(member, as_json=as_json, human=lambda: click.echo(f"Added {display_name} ({member_id})."))


@command.command("list")
@json_option
@pass_workspace
def list_(ws: Workspace, as_json: bool) -> None:
    """List the members."""
    from terrain import Member

    members = ws.list(Member)

    def human() -> None:
        if not members:
            click.echo("No member yet: add one with `terrain member add ID --name NAME`.")
        for m in members:
            extra = []
            if m.is_minor:
                extra.append("minor, guardians: " + ", ".join(m.guardian_ids))
            if m.handles:
                extra.append(", ".join(f"{p}: @{h}" for p, h in sorted(m.handles.items())))
            click.echo(
                f"{m.id:<20} {m.display_name}" + (f"  ({'; '.join(extra)})" if extra else "")
            )

    emit(members, as_json=as_json, human=human)
