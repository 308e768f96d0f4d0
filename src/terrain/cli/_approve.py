"""``terrain approve [POST]``: the review desk's approvals, for scripts and terminals.

Without POST it lists the posts waiting to go, each exactly as it would go now
and whether an approval of that content is on record. With POST it approves
it (or, with ``--hold``, holds it) as ``--as ACCOUNT``, whose password is asked
(or read from standard input): an approval says who looked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain import clock
from terrain.cli._account import read_password
from terrain.cli._common import emit, json_option, pass_workspace
from terrain.cli._complete import complete_event_id, complete_platform, complete_post_id
from terrain.cli._publish import preview_lines

if TYPE_CHECKING:
    from terrain.store import Workspace
    from terrain.workflows import ForApproval

__all__ = ["command", "describe"]


def describe(item: ForApproval) -> list[str]:
    """Lines showing a post waiting for approval, as it would go."""
    preview = item.preview
    if item.approved:
        status = f"APPROVED by {item.approval.account}" if item.approval else "APPROVED"
    elif item.approval is not None and not item.approval.approved:
        status = f"HELD by {item.approval.account}: {item.approval.reason}"
    elif item.changed_since_approval:
        status = "CHANGED since its approval: approve it again"
    else:
        status = "TO APPROVE"
    consent = "consent: may go" if item.may_go else "consent: " + "; ".join(item.outcome.reasons)
    lines = [f"{preview.post_id} on {preview.platform} — {status}; {consent}"]
    lines += preview_lines(preview)
    if item.editors:
        lines.append("  edited by: " + ", ".join(sorted(item.editors)))
    return lines


@click.command("approve")
@click.argument("post_id", required=False, shell_complete=complete_post_id)
@click.option("--platform", default=None, shell_complete=complete_platform,
              help="The platform of the post (needed when the id is planned on several).")
@click.option("--as", "account", default=None, metavar="ACCOUNT",
              help="The approver's account (its password is asked).")
@click.option("--hold", is_flag=True, help="Hold the post instead of approving it.")
@click.option("--reason", default="", help="Why the post is held (with --hold).")
@click.option("--event", "event_id", default=None, shell_complete=complete_event_id,
              help="List only the posts of this event.")
@click.option("--password-stdin", "from_stdin", is_flag=True,
              help="Read the password from standard input (one line), for scripts.")
@json_option
@pass_workspace
def command(
    ws: Workspace,
    post_id: str | None,
    platform: str | None,
    account: str | None,
    hold: bool,
    reason: str,
    event_id: str | None,
    from_stdin: bool,
    as_json: bool,
) -> None:
    """Approve POST_ID as it would go now (--hold: hold it); without it, list what waits.

    With ``[publish] approval = true`` in terrain.toml nothing is sent without an
    approval of its exact content; with ``four_eyes = true`` the approver must not
    be someone who edited the post.
    """
    from terrain.workflows import approval_queue, approve_post, authenticate

    now = clock.now()
    if post_id is None:
        if account or hold or reason:
            raise click.UsageError("name the post to approve or hold (terrain approve POST_ID)")
        queue = approval_queue(ws, now=now, event_id=event_id)

        def listing() -> None:
            if not queue:
                click.echo("Nothing waits for an approval.")
            for item in queue:
                for line in describe(item):
                    click.echo(line)
                click.echo("")

        emit([_data(i) for i in queue], as_json=as_json, human=listing)
        return
    if account is None:
        raise click.UsageError("say who approves: --as ACCOUNT (its password is asked)")
    if reason and not hold:
        raise click.UsageError("--reason goes with --hold")
    who = authenticate(ws, account, read_password(from_stdin, confirm=False), now=now)
    item = approve_post(ws, post_id, account=who, now=now, platform=platform, hold=hold,
                        reason=reason)

    def human() -> None:
        verb = "Held" if hold else "Approved"
        click.echo(f"{verb} {item.preview.post_id} on {item.preview.platform} as it would go:")
        for line in describe(item):
            click.echo(line)

    emit(_data(item), as_json=as_json, human=human)


def _data(item: ForApproval) -> dict[str, object]:
    return {
        "post_id": item.preview.post_id,
        "platform": item.preview.platform,
        "preview": item.preview,
        "may_go": item.may_go,
        "reasons": list(item.outcome.reasons),
        "fingerprint": item.fingerprint,
        "approved": item.approved,
        "approval": item.approval,
        "editors": sorted(item.editors),
    }
