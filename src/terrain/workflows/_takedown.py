"""Takedown: a person withdraws their consent; what it covered comes down.

:func:`takedown` withdraws ``subject_id``'s consent (or uses a withdrawal
already recorded), asks the consent engine which published posts the
withdrawal affects, deletes each through its platform, and records what
could not be deleted automatically with the URL to remove by hand. Plugins
hear about it through ``terrain_consent_withdrawn(subject, receipts)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from terrain._time import require_aware
from terrain.community import Member
from terrain.consent import Scope, ScopeKind, withdrawal_impact
from terrain.content import Content
from terrain.errors import ConfigError, NotFound, PlatformError
from terrain.events import Event
from terrain.plugins import Platform
from terrain.posts import Post, Receipt
from terrain.publishing import TakedownEntry, scrub
from terrain.workflows._publish import journal_of, people_of, plugin_hook

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["BATCH", "TakedownResult", "takedown"]

#: Takedown outcomes recorded per commit.
BATCH = 50


@attrs.frozen
class TakedownResult:
    """What a takedown did.

    ``withdrawn`` are the consent record ids withdrawn now (empty when a
    withdrawal was already recorded); ``entries`` one line per affected
    receipt: ``deleted``, ``manual`` (remove it by hand at ``url``) or
    ``failed`` (the platform refused; retry, or remove it by hand).
    """

    subject_id: str
    at: datetime
    withdrawn: tuple[str, ...]
    entries: tuple[TakedownEntry, ...]
    content_ids: tuple[str, ...] = ()

    @property
    def to_remove_by_hand(self) -> tuple[TakedownEntry, ...]:
        """What could not be deleted automatically."""
        return tuple(e for e in self.entries if e.outcome != "deleted")

    @property
    def failed(self) -> bool:
        """Whether something is still online that should not be."""
        return bool(self.to_remove_by_hand)


def takedown(
    ws: Workspace,
    subject_id: str,
    *,
    event_id: str | None = None,
    now: datetime,
    platforms: Mapping[str, Platform] | None = None,
    hook: Any = None,
    recorded_by: str | None = None,
) -> TakedownResult:
    """Withdraw ``subject_id``'s consent at ``now`` and take down what it covered.

    ``event_id`` limits the withdrawal (and the takedown) to that event's
    content. ``platforms`` replaces the workspace's platforms by name
    (tests); by default each is built from ``terrain.toml``. ``hook`` is a
    plugin manager's hook relay (``None``: the installed plugins'; ``False``:
    none).
    """
    require_aware(now, "takedown: now")
    member = ws.get(Member, subject_id)
    scope = None
    if event_id is not None:
        ws.get(Event, event_id)
        scope = Scope(kind=ScopeKind.EVENT, ref=event_id)
    withdrawn = ws.update_ledger(
        lambda ledger: ledger.withdraw(subject_id, at=now, scope=scope, recorded_by=recorded_by)
    )
    journal = journal_of(ws)
    # Only what involves this person is read, through indexes: the contents they
    # appear in or made, the published posts drawing on those or mentioning them,
    # and the other contents those posts draw on (for the decision on each post).
    involving = ws.contents_involving(subject_id)
    rows = journal.published_drawing_on(
        content_ids=[c.id for c in involving], member_ids=[subject_id]
    )
    published = [(row.post, row.receipt) for row in rows if row.receipt is not None]
    drawn = {c for post, _ in published for c in _drawn_on(post)}
    contents = {c.id: c for c in involving}
    contents.update(ws.get_many(Content, sorted(drawn - set(contents))))
    with ws.consent(people_of(contents.values()) | {subject_id}) as ledger:
        impact = withdrawal_impact(
            subject_id,
            contents=contents,
            published=published,
            at=now,
            ledger=ledger,
            scope=scope,
        )
    built: dict[str, Platform | str] = dict(platforms or {})
    entries: list[TakedownEntry] = []
    batch: list[TakedownEntry] = []
    for item in impact.takedown:
        entry = _take_down(ws, built, subject_id, item.receipt, now)
        entries.append(entry)
        batch.append(entry)
        if len(batch) >= BATCH:  # one commit per batch, not per post
            journal.record_takedowns(batch)
            batch = []
    journal.record_takedowns(batch)
    receipts = [t.receipt for t in impact.takedown]
    relay = plugin_hook(ws) if hook is None else hook
    caller: Callable[..., Any] | None = getattr(relay, "terrain_consent_withdrawn", None)
    if caller is not None:
        caller(subject=member, receipts=receipts)
    return TakedownResult(
        subject_id=subject_id,
        at=now,
        withdrawn=tuple(c.id for c in withdrawn),
        entries=tuple(entries),
        content_ids=impact.content_ids,
    )


def _drawn_on(post: Post) -> set[str]:
    """The ids of the contents ``post`` draws on (as content or through its media)."""
    return set(post.content_ids) | {m.content_id for m in post.media if m.content_id}


def _take_down(
    ws: Workspace,
    built: dict[str, Platform | str],
    subject_id: str,
    receipt: Receipt,
    now: datetime,
) -> TakedownEntry:
    def entry(outcome: str, message: str) -> TakedownEntry:
        return TakedownEntry(
            subject_id=subject_id,
            post_id=receipt.post_id,
            platform=receipt.platform,
            remote_id=receipt.remote_id,
            url=receipt.url,
            outcome=outcome,
            message=scrub(message),
            at=now,
        )

    where = receipt.url or f"{receipt.platform} post {receipt.remote_id}"
    platform = built.get(receipt.platform)
    if platform is None:
        try:
            platform = ws.platform(receipt.platform)
        except ConfigError as exc:
            platform = str(exc)
        built[receipt.platform] = platform
    if isinstance(platform, str):
        return entry(
            "manual", f"{receipt.platform} is not available ({platform}); remove {where} by hand"
        )
    if not platform.capabilities.delete:
        return entry(
            "manual",
            f"{receipt.platform} cannot delete posts through its API; remove {where} by hand",
        )
    try:
        platform.delete(receipt)
    except NotFound:
        return entry("deleted", f"already gone from {receipt.platform}")
    except PlatformError as exc:
        return entry(
            "failed",
            f"{receipt.platform} did not delete it ({type(exc).__name__}: {exc}); run the "
            f"takedown again later, or remove {where} by hand",
        )
    return entry("deleted", f"deleted from {receipt.platform}")
