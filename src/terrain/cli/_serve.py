"""``terrain serve [--host 127.0.0.1] [--port 8000]``: the members' web pages.

Members open their links (``terrain link show MEMBER``, or the ones the pages
mail them) to RSVP, check in at the door, give or withdraw consent, and see
what was published with them. Listens on ``127.0.0.1`` unless ``[web] host``
in terrain.toml says otherwise: in production, put it behind a reverse proxy
with TLS (see the deployment docs). Needs the ``web`` extra.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from terrain.cli._common import pass_workspace

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["command"]


@click.command("serve")
@click.option(
    "--host",
    default=None,
    help="Address to listen on (default: [web] host, else 127.0.0.1; another address must "
    "be the one [web] host names).",
)
@click.option(
    "--port",
    type=click.IntRange(min=1, max=65535),
    default=None,
    help="Port to listen on (default: [web] port, else 8000).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=1,
    show_default=True,
    help="Processes serving the pages (one per core; rate limits count per process).",
)
@pass_workspace
def command(ws: Workspace, host: str | None, port: int | None, workers: int) -> None:
    """Serve the members' web pages: RSVP, check-in, consent and withdrawal (web extra)."""
    from terrain.web import serve

    click.echo(f"Serving {ws.community.name} on {ws.config.web.public_url} (Ctrl-C stops).")
    serve(ws, host=host, port=port, workers=workers)
