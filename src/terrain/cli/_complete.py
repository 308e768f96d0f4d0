"""Shell completion of the ids stored in the workspace, and of platform names.

Each function here is a click ``shell_complete`` callback: the shell calls
``terrain`` with ``_TERRAIN_COMPLETE`` set, click parses the words typed so
far, and the callback offers the values that start with the word being
typed. The workspace is the one the command would use (``--workspace`` if
already typed, else ``$TERRAIN_WORKSPACE``, else the current folder or its
nearest parent), opened read-only; completion must never disturb the shell,
so anything going wrong (no workspace, a database being migrated, a broken
plugin) completes nothing rather than printing an error.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import click

if TYPE_CHECKING:  # imported by the callbacks: a command that is not completing needs none
    from click.shell_completion import CompletionItem

__all__ = [
    "KINDS",
    "complete_content_id",
    "complete_event_id",
    "complete_member_id",
    "complete_platform",
    "complete_post_id",
    "complete_record_id",
    "only_event_option",
]

Completer: TypeAlias = "Callable[[click.Context, click.Parameter, str], list[CompletionItem]]"


@contextlib.contextmanager
def _silent() -> Iterator[None]:
    """No log line reaches the terminal while completing (the shell would show it)."""
    root = logging.getLogger()
    handler = logging.NullHandler()
    root.addHandler(handler)  # Python's last-resort handler stays quiet
    try:
        yield
    finally:
        root.removeHandler(handler)


def _workspace_dir(ctx: click.Context) -> Path | None:
    """``--workspace`` (or ``$TERRAIN_WORKSPACE``) as parsed so far, from any level."""
    for level in (ctx, *_parents(ctx)):
        folder = level.params.get("workspace_dir")
        if folder is not None:
            return Path(folder)
    return None


def _parents(ctx: click.Context) -> Iterator[click.Context]:
    parent = ctx.parent
    while parent is not None:
        yield parent
        parent = parent.parent


#: The kinds of records a workspace stores (terrain.store.RECORD_KINDS), listed here so
#: that parsing a command line imports no store.
KINDS = (
    "member",
    "venue",
    "event",
    "partner",
    "partnership",
    "content",
    "project",
    "workshop",
    "series",
    "attendance",
    "contribution",
    "vote",
    "project-photo",
)


def _items(values: Iterable[str], incomplete: str) -> list[CompletionItem]:
    """The completions: those of ``values`` that start with what is typed."""
    from click.shell_completion import CompletionItem  # loaded by click when completing

    return [CompletionItem(v) for v in values if v.startswith(incomplete)]


def _ids(kind: str | None) -> Completer:
    """A completer of the stored ids of records of ``kind`` (``member``, ``event``…;
    ``None``: the kind the command line names in its ``kind`` argument)."""

    def complete(
        ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        wanted = kind if kind is not None else ctx.params.get("kind")
        if wanted not in KINDS:
            return []
        try:
            with _silent():
                from terrain.store import RECORD_KINDS, Workspace

                cls = next(c for c, name in RECORD_KINDS.items() if name == wanted)
                folder = _workspace_dir(ctx)
                if folder is not None:
                    ws = Workspace.open(folder, read_only=True)
                else:
                    ws = Workspace.find(read_only=True)
                with ws:
                    ids = ws.ids(cls)
        except Exception:  # completion never fails loudly: no workspace, no ids
            return []
        return _items(ids, incomplete)

    complete.__doc__ = f"Complete the ids of the {kind or 'record'}s stored in the workspace."
    return complete


#: ``shell_complete=`` for a member id.
complete_member_id: Completer = _ids("member")
#: ``shell_complete=`` for an event id.
complete_event_id: Completer = _ids("event")
#: ``shell_complete=`` for a content id (a photo, a micro-interview…).
complete_content_id: Completer = _ids("content")
#: ``shell_complete=`` for the id of a record of the kind named before it
#: (``terrain edit KIND ID``).
complete_record_id: Completer = _ids(None)


def complete_platform(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Complete the names of the platforms the installed plugins offer."""
    try:
        with _silent():
            from terrain.plugins import get_plugin_manager

            names = sorted(get_plugin_manager().platforms())
    except Exception:  # a broken plugin must not break the shell
        return []
    return _items(names, incomplete)


def complete_post_id(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    """Complete the ids of the posts waiting in the workspace's journal (``terrain queue``)."""
    try:
        with _silent():
            from terrain.store import Workspace
            from terrain.workflows import queue_of

            folder = _workspace_dir(ctx)
            ws = (
                Workspace.open(folder, read_only=True)
                if folder is not None
                else Workspace.find(read_only=True)
            )
            with ws:
                rows = queue_of(ws)
    except Exception:  # completion never fails loudly
        return []
    ids = dict.fromkeys(r.post_id for r in rows)
    return _items(ids, incomplete)


#: ``--event EVENT_ID``: only the content of this event (completes the stored event ids).
only_event_option = click.option(
    "--event",
    "event_id",
    default=None,
    shell_complete=complete_event_id,
    help="Only the content of this event.",
)
