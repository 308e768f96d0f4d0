"""``terrain link show|send|revoke MEMBER``: members' links to the web pages.

``show`` issues a personal link and prints it (and a QR code with ``--qr``)
for the community manager to print or show; ``send`` mails it through
``[smtp]``; ``revoke`` ends every link the member holds (a lost phone).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import EXIT_FAILED, TerrainGroup, emit, json_option, pass_workspace
from terrain.cli._complete import complete_member_id

if TYPE_CHECKING:
    from terrain.store import Workspace
    from terrain.workflows import IssuedLink

__all__ = ["command"]


@click.group("link", cls=TerrainGroup)
def command() -> None:
    """A member's personal link to the web pages: show it, mail it, or revoke their links."""


def _data(link: IssuedLink, sent: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "member_id": link.subject_id,
        "link_id": link.id,
        "url": link.url,
        "expires_at": link.expires_at.isoformat(),
    }
    if sent is not None:
        data["sent"] = sent
    return data


@command.command("show")
@click.argument("member_id", shell_complete=complete_member_id)
@click.option("--qr", is_flag=True, help="Print a QR code of the link too (web extra).")
@json_option
@pass_workspace
def show(ws: Workspace, member_id: str, qr: bool, as_json: bool) -> None:
    """Issue MEMBER_ID's personal link and print it (to print or show them)."""
    from terrain.workflows import personal_link

    link, _ = personal_link(ws, member_id, now=clock.now())

    def human() -> None:
        click.echo(f"Personal link of {member_id} (until {link.expires_at:%Y-%m-%d}):")
        click.echo(link.url)
        if qr:
            import segno

            segno.make(link.url, error="m").terminal(compact=True)

    emit(_data(link), as_json=as_json, human=human)


@command.command("send")
@click.argument("member_id", shell_complete=complete_member_id)
@json_option
@pass_workspace
def send(ws: Workspace, member_id: str, as_json: bool) -> None:
    """Issue MEMBER_ID's personal link and mail it to them through [smtp]."""
    from terrain.workflows import personal_link

    link, sent = personal_link(ws, member_id, now=clock.now(), send=True)

    def human() -> None:
        if sent:
            click.echo(f"Mailed {member_id} their personal link (link {link.id}).")
        else:
            click.echo(
                f"! The link was not mailed: check [smtp] in terrain.toml and the mail "
                f"server, then run `terrain link send {member_id}` again (or `terrain link "
                f"show {member_id}` to print it).",
                err=True,
            )

    emit(_data(link, sent), as_json=as_json, human=human)
    if not sent:
        sys.exit(EXIT_FAILED)


@command.command("revoke")
@click.argument("member_id", shell_complete=complete_member_id)
@json_option
@pass_workspace
def revoke(ws: Workspace, member_id: str, as_json: bool) -> None:
    """Revoke every link MEMBER_ID holds (their page, RSVP, consent links)."""
    from terrain.workflows import revoke_links

    count = revoke_links(ws, member_id, now=clock.now())
    emit(
        {"member_id": member_id, "revoked": count},
        as_json=as_json,
        human=lambda: click.echo(f"Revoked {count} link(s) of {member_id}."),
    )
