"""Withdrawing from one's own page: one click, the consent rules, the takedown queued.

:func:`withdraw_on_page` is what the personal page's "withdraw" buttons do
(``terrain serve``): the same partial withdrawal as ``terrain consent
withdraw`` (:func:`~terrain.workflows.withdraw_consent`), then the takedown of
exactly what it covers queued for ``terrain worker`` (the posts ``terrain
takedown`` would take down, :func:`~terrain.workflows.takedown`).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from terrain._time import require_aware
from terrain.community import Member
from terrain.consent import Consent, Purpose, Scope, ScopeKind, Staying, platform_key
from terrain.errors import NotFound, ValidationError
from terrain.events import Event
from terrain.publishing import QueuedTakedown, TakedownQueue
from terrain.workflows._consent import withdraw_consent
from terrain.workflows._links import LinkPurpose, check_link
from terrain.workflows._self_service import _member_of
from terrain.workflows._takedown import impact_of, tell_plugins

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["WithdrawalDone", "withdraw_on_page"]


def _purpose(value: Purpose | str) -> Purpose:
    try:
        return Purpose(value)
    except ValueError:
        raise ValidationError(
            f"unknown purpose: choose among {', '.join(p.value for p in Purpose)}"
        ) from None


@attrs.frozen
class WithdrawalDone:
    """A withdrawal made on the personal page: ``id`` names it in the takedown queue and
    the decision log; ``covers`` says what it covers (``"tag on every platform, for all
    content"``); ``ended`` the consent records it ended (in part or whole); ``queued``
    the takedowns ``terrain worker`` will carry out; ``stays`` the posts with the member
    in them that stay online, and why (outside what the withdrawal covers, or still
    covered by the consent they keep); ``hook_errors`` the plugins whose
    ``terrain_consent_withdrawn`` failed."""

    id: str
    member: Member
    covers: str
    ended: tuple[Consent, ...]
    queued: tuple[QueuedTakedown, ...]
    stays: tuple[Staying, ...] = ()
    hook_errors: tuple[str, ...] = ()


def withdraw_on_page(
    ws: Workspace,
    token: str,
    *,
    now: datetime,
    key: bytes | None = None,
    purposes: Iterable[Purpose | str] | None = None,
    platforms: Iterable[str] | None = None,
    event_id: str | None = None,
    consent_id: str | None = None,
    hook: Any = None,
) -> WithdrawalDone:
    """Withdraw, for the member holding personal link ``token``, one purpose, one
    platform, one event, what one record covers (``consent_id``), or everything (none
    given), and queue the takedown of what was published under it.

    The withdrawal follows the consent rules (:func:`~terrain.workflows.withdraw_consent`):
    it is recorded at once (nothing new is published under it from ``now`` on) and
    ends that part of every consent expressed before it; the rest stays in force.
    Only the posts it covers are queued — as ``terrain takedown`` would take down
    (:func:`~terrain.workflows.takedown`) — and come down when
    ``terrain worker`` runs. Plugins hear of it once
    (``terrain_consent_withdrawn``; ``hook``: a hook relay, ``None`` the installed
    plugins', ``False`` none); one that fails is reported, not allowed to stop it.
    A record, event or platform that is not the member's is
    :class:`~terrain.errors.NotFound`, and nothing is recorded.
    """
    require_aware(now, "withdraw_on_page: now")
    row = check_link(ws, token, [LinkPurpose.PERSONAL], now=now, key=key)
    member = _member_of(ws, row)
    wanted_purposes = None if purposes is None else [_purpose(p) for p in purposes] or None
    wanted_platforms = None if platforms is None else list(platforms) or None
    known = {platform_key(n): n for n in ws.platform_names()}
    for name in wanted_platforms or ():
        if not isinstance(name, str) or platform_key(name) not in known:
            raise NotFound(f"no platform {name!r}: choose among {', '.join(sorted(known))}")
    scope = None
    if event_id is not None:
        ws.get(Event, event_id)
        scope = Scope(kind=ScopeKind.EVENT, ref=event_id)
    if consent_id is not None:
        with ws.consent([member.id]) as ledger:
            record = next((c for c in ledger.for_subject(member.id) if c.id == consent_id), None)
        if record is None:
            raise NotFound(f"no consent record {consent_id!r} of yours")
        wanted_purposes = sorted(record.purposes)
        wanted_platforms = None if record.platforms is None else sorted(record.platforms)
        scope = record.scope if record.scope.kind is not ScopeKind.ALL else None
    withdrawal_id = f"wd-{secrets.token_hex(8)}"
    done = withdraw_consent(
        ws, member.id, now=now, purposes=wanted_purposes, platforms=wanted_platforms,
        scope=scope,
        note=f"withdrawn by {member.id} on their personal page (withdrawal {withdrawal_id}, "
        f"link {row.id})",
        recorded_by=f"{member.id} (web)",
    )
    impact = impact_of(ws, member, now=now, scope=scope, purposes=wanted_purposes,
                       platforms=wanted_platforms)
    receipts = [t.receipt for t in impact.takedown]
    queued = TakedownQueue(ws.db).enqueue(
        withdrawal_id, member.id, receipts, now=now, consent_ids=[c.id for c in done.ended],
    )
    relay = ws.plugins.hook if hook is None else hook
    return WithdrawalDone(
        id=withdrawal_id,
        member=member,
        covers=done.covers,
        ended=done.ended,
        queued=tuple(queued),
        stays=impact.stays,
        hook_errors=tuple(tell_plugins(relay, member, receipts)) if relay is not False else (),
    )
