"""``terrain consent list``: where each record stands, read from the stored timelines.

On its own, so a listing loads neither the ledger nor the other consent
workflows: what it prints was worked out when the consent was recorded.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from terrain._time import require_aware
from terrain.community import Member

if TYPE_CHECKING:
    from terrain.consent import ListedConsent
    from terrain.store import Workspace

__all__ = ["consent_list", "consent_list_lines"]


def consent_list(
    ws: Workspace, subject_id: str | None = None, *, at: datetime, data: bool = False
) -> list[ListedConsent]:
    """What ``terrain consent list`` shows: where each consent record stands at
    ``at`` (of ``subject_id``, or everyone's), by person then in the order
    recorded, with each record's one-line summary (and, with ``data``, the
    record as it stands, as plain data). Says what
    :func:`~terrain.workflows.consent_states` says, read from the stored
    timelines (:meth:`Workspace.consent_listing
    <terrain.store.Workspace.consent_listing>`) instead of a replay of the log."""
    require_aware(at, "consent_list: at")
    if subject_id is not None:
        ws.get(Member, subject_id)
    return ws.consent_listing(subject_id, at=at, data=data)


def consent_list_lines(ws: Workspace, subject_id: str | None = None, *, at: datetime) -> list[str]:
    """What ``terrain consent list`` prints (its text, not ``--json`` nor ``--csv``):
    the line (:meth:`ListedConsent.line <terrain.consent.ListedConsent.line>`) of
    each record :func:`consent_list` lists, in its order, made by the store from
    the stored timelines (:meth:`Workspace.consent_listing_lines
    <terrain.store.Workspace.consent_listing_lines>`)."""
    require_aware(at, "consent_list_lines: at")
    if subject_id is not None:
        ws.get(Member, subject_id)
    return ws.consent_listing_lines(subject_id, at=at)
