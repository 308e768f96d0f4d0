"""``terrain account add|list|remove|password``: who logs in to the review desk.

A password is typed at a hidden prompt (asked twice), or read from standard
input with ``--password-stdin`` (one line, for scripts): never an argument,
which would stay in the shell's history and show in ``ps``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from terrain import clock
from terrain.cli._common import emit, json_option, pass_workspace

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command", "read_password"]

_STDIN = click.option(
    "--password-stdin",
    "from_stdin",
    is_flag=True,
    help="Read the password from standard input (one line), for scripts.",
)


def read_password(from_stdin: bool, *, confirm: bool, prompt: str = "Password") -> str:
    """The password: one line of standard input, or a hidden prompt (asked twice when
    ``confirm``). Never an argument."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    value: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm)
    return value


@click.group("account")
def command() -> None:
    """Accounts of the review desk (terrain serve): editors and approvers."""


@command.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["editor", "approver"]),
    required=True,
    help="editor: identify people, describe photos, edit posts; approver: that, and "
    "approve or hold posts.",
)
@_STDIN
@json_option
@pass_workspace
def add(ws: Workspace, name: str, role: str, from_stdin: bool, as_json: bool) -> None:
    """Create account NAME (lowercase letters, digits, '.', '_', '-')."""
    from terrain.workflows import add_account

    account = add_account(ws, name, role, read_password(from_stdin, confirm=True),
                          now=clock.now())
    emit(account, as_json=as_json,
         human=lambda: click.echo(f"Account {account.name} ({account.role}) created."))


@command.command("list")
@json_option
@pass_workspace
def list_(ws: Workspace, as_json: bool) -> None:
    """List the accounts and their roles (never a password)."""
    from terrain.workflows import accounts_of

    accounts = accounts_of(ws)

    def human() -> None:
        if not accounts:
            click.echo("No account yet: `terrain account add NAME --role approver`.")
        for a in accounts:
            click.echo(f"{a.name:<20} {a.role:<9} since {a.created_at.date().isoformat()}")

    emit(accounts, as_json=as_json, human=human)


@command.command("remove")
@click.argument("name")
@json_option
@pass_workspace
def remove(ws: Workspace, name: str, as_json: bool) -> None:
    """Remove account NAME: its sessions end; its past approvals stay on record."""
    from terrain.workflows import remove_account

    remove_account(ws, name)
    emit({"removed": name}, as_json=as_json,
         human=lambda: click.echo(f"Account {name} removed; its sessions ended."))


@command.command("password")
@click.argument("name")
@_STDIN
@json_option
@pass_workspace
def password(ws: Workspace, name: str, from_stdin: bool, as_json: bool) -> None:
    """Set a new password for account NAME (its open sessions end)."""
    from terrain.workflows import set_password

    account = set_password(ws, name, read_password(from_stdin, confirm=True), now=clock.now())
    emit(account, as_json=as_json,
         human=lambda: click.echo(f"New password for {account.name}; its sessions ended."))
