"""Takedown: a person withdraws their consent; what it covered comes down.

:func:`takedown` withdraws ``subject_id``'s consent — all of it, or one
purpose, platform or scope (an event, a project, a content item) — or uses a
withdrawal already recorded, asks the consent engine which published posts
the withdrawal affects, deletes each through its platform, and records what
could not be deleted automatically with the URL to remove by hand. What the
withdrawal does not cover stays online, and the result says why. Plugins hear
about a new withdrawal through ``terrain_consent_withdrawn(subject,
receipts)``; a plugin that fails is reported and the takedown goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.consent import (
    Consent,
    ConsentLedger,
    Purpose,
    Scope,
    ScopeKind,
    Slice,
    Staying,
    WithdrawalImpact,
    platforms_of,
    purposes_of,
    withdrawal_impact,
)
from terrain.content import Content
from terrain.errors import ConfigError, NotFound, PlatformError
from terrain.events import Event
from terrain.plugins import Platform
from terrain.posts import Post, Receipt
from terrain.projects import Project
from terrain.publishing import TakedownLogEntry, scrub
from terrain.workflows._publish import journal_of, people_of, plugin_hook

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "BATCH",
    "TakedownReport",
    "TakedownResult",
    "impact_of",
    "takedown",
    "tell_plugins",
]

#: Takedown outcomes recorded per commit.
BATCH = 50

log = logging.getLogger("terrain.takedown")


@attrs.frozen
class TakedownReport:
    """What a takedown did.

    ``withdrawn`` are the consent record ids the withdrawal recorded now
    ended (empty when a withdrawal was already recorded); ``covers`` says
    what it covers (``"everything"``, ``"tag on every platform, for all
    content"``…). ``entries`` has one line per affected receipt: ``deleted``,
    ``manual`` (remove it by hand at ``url``) or ``failed`` (the platform
    refused; retry, or remove it by hand). ``stays`` lists the posts that
    involve the person but stay online, and why. ``hook_errors`` are the
    plugins whose ``terrain_consent_withdrawn`` failed (their reaction did
    not happen; the takedown went on).
    """

    subject_id: str
    at: datetime
    withdrawn: tuple[str, ...]
    entries: tuple[TakedownLogEntry, ...]
    content_ids: tuple[str, ...] = ()
    covers: str = "everything"
    recorded: bool = False
    stays: tuple[Staying, ...] = ()
    hook_errors: tuple[str, ...] = ()

    @property
    def to_remove_by_hand(self) -> tuple[TakedownLogEntry, ...]:
        """What could not be deleted automatically."""
        return tuple(e for e in self.entries if e.outcome != "deleted")

    @property
    def failed(self) -> bool:
        """Whether something is still online that should not be, or a plugin
        could not react to the withdrawal."""
        return bool(self.to_remove_by_hand) or bool(self.hook_errors)


def _scope(
    ws: Workspace, event_id: str | None, project_id: str | None, content_id: str | None
) -> Scope | None:
    given = [
        (kind, ref, cls)
        for kind, ref, cls in (
            (ScopeKind.EVENT, event_id, Event),
            (ScopeKind.PROJECT, project_id, Project),
            (ScopeKind.CONTENT, content_id, Content),
        )
        if ref is not None
    ]
    if len(given) > 1:
        from terrain.errors import ValidationError

        raise ValidationError(
            "a takedown covers one event, one project or one content: give one of "
            "--event, --project, --content"
        )
    if not given:
        return None
    kind, ref, cls = given[0]
    ws.get(cls, ref)  # NotFound names the list command
    return Scope(kind=kind, ref=ref)


#: Its name until 0.1.0 (what a workflow did is a report);
#: kept for the modules of this package.
TakedownResult = TakedownReport


def takedown(
    ws: Workspace,
    subject_id: str,
    *,
    event_id: str | None = None,
    project_id: str | None = None,
    content_id: str | None = None,
    purposes: Iterable[Purpose | str] | None = None,
    on_platforms: Iterable[str] | None = None,
    now: datetime,
    platforms: Mapping[str, Platform] | None = None,
    hook: Any = None,
    recorded_by: str | None = None,
) -> TakedownResult:
    """Withdraw ``subject_id``'s consent at ``now`` and take down what it covered.

    ``event_id``, ``project_id`` or ``content_id`` limit the withdrawal (and
    the takedown) to that content; ``purposes`` to those uses (``tag``:
    posts that tag them come down, posts that only show them stay);
    ``on_platforms`` to those platforms. A withdrawal already recorded that
    covers as much is used as is (running the takedown again retries what
    could not be deleted, and records nothing new). ``platforms`` replaces
    the workspace's platforms by name (tests); by default each is built from
    ``terrain.toml``. ``hook`` is a plugin manager's hook relay (``None``:
    the installed plugins'; ``False``: none): it hears of a withdrawal
    recorded now, once.
    """
    require_aware(now, "takedown: now")
    member = ws.get(Member, subject_id)
    scope = _scope(ws, event_id, project_id, content_id)
    wanted_purposes = None if purposes is None else purposes_of(list(purposes))
    wanted_platforms = (
        None if on_platforms is None else platforms_of(list(on_platforms), ws.known_platforms())
    )
    asked = Slice(wanted_purposes, wanted_platforms, scope)

    def withdraw(ledger: ConsentLedger) -> tuple[Consent, ...] | None:
        """Withdraw, unless a withdrawal already covers it and nothing came in force
        since (a run again retries what is left, and records nothing new)."""
        reached = ledger.reached_by(
            subject_id, at=now, purposes=wanted_purposes, platforms=wanted_platforms,
            scope=scope,
        )
        covered = any(
            instant(w.at) <= instant(now)
            and Slice(w.purposes, w.platforms, w.scope).contains(asked)
            for w in ledger.withdrawals(subject_id)
            if w.consent_id is None
        )
        if reached or not covered:
            ledger.withdraw(
                subject_id, at=now, purposes=wanted_purposes, platforms=wanted_platforms,
                scope=scope, recorded_by=recorded_by, note="takedown",
            )
            return reached
        return None

    withdrawn = ws.update_ledger(withdraw, subjects=[subject_id])
    recorded = withdrawn is not None
    journal = journal_of(ws)
    impact = impact_of(ws, member, now=now, scope=scope, purposes=wanted_purposes,
                       platforms=wanted_platforms)
    built: dict[str, Platform | str] = dict(platforms or {})
    entries: list[TakedownLogEntry] = []
    batch: list[TakedownLogEntry] = []
    for item in impact.takedown:
        entry = _take_down(ws, built, subject_id, item.receipt, now)
        entries.append(entry)
        batch.append(entry)
        if len(batch) >= BATCH:  # one commit per batch, not per post
            journal.record_takedowns(batch)
            batch = []
    journal.record_takedowns(batch)
    hook_errors: list[str] = []
    if recorded:
        hook_errors = tell_plugins(
            plugin_hook(ws) if hook is None else hook,
            member,
            [t.receipt for t in impact.takedown],
        )
    return TakedownResult(
        subject_id=subject_id,
        at=now,
        withdrawn=tuple(c.id for c in withdrawn or ()),
        entries=tuple(entries),
        content_ids=impact.content_ids,
        covers=asked.describe(),
        recorded=recorded,
        stays=impact.stays,
        hook_errors=tuple(hook_errors),
    )


def impact_of(
    ws: Workspace,
    member: Member,
    *,
    now: datetime,
    scope: Scope | None = None,
    purposes: Iterable[Purpose] | None = None,
    platforms: Iterable[str] | None = None,
) -> WithdrawalImpact:
    """What a withdrawal by ``member`` (already recorded) of ``purposes`` on
    ``platforms`` for ``scope`` (``None``: all of it) takes down at ``now``, and what
    stays online and why (:func:`~terrain.consent.withdrawal_impact`).

    Only what involves the person is read, through indexes: the contents they
    appear in or made, the published posts drawing on those, mentioning them or
    with their ``@handle`` typed in the text, and the other contents those posts
    draw on (for the decision on each post). ``terrain takedown`` and a
    withdrawal on the personal page both ask this, so they take down the same.
    """
    require_aware(now, "impact_of: now")
    involving = ws.contents_involving(member.id)
    rows = journal_of(ws).published_drawing_on(
        content_ids=[c.id for c in involving],
        member_ids=[member.id],
        handles=member.handles.values(),  # typed in a post's text, they tag the person too
    )
    published = [(row.post, row.receipt) for row in rows if row.receipt is not None]
    drawn = {c for post, _ in published for c in _drawn_on(post)}
    contents = {c.id: c for c in involving}
    contents.update(ws.get_many(Content, sorted(drawn - set(contents))))
    with ws.consent(people_of(contents.values()) | {member.id}) as ledger:
        return withdrawal_impact(
            member.id,
            contents=contents,
            published=published,
            at=now,
            ledger=ledger,
            scope=scope,
            platforms=platforms,
            purposes=purposes,
        )


def _drawn_on(post: Post) -> set[str]:
    """The ids of the contents ``post`` draws on (as content or through its media)."""
    return set(post.content_ids) | {m.content_id for m in post.media if m.content_id}


def tell_plugins(relay: Any, member: Member, receipts: list[Receipt]) -> list[str]:
    """Call ``terrain_consent_withdrawn``; a plugin that raises is logged and
    reported, never allowed to stop the takedown (or hide what is left to do)."""
    caller: Callable[..., Any] | None = getattr(relay, "terrain_consent_withdrawn", None)
    if caller is None:
        return []
    try:
        caller(subject=member, receipts=receipts)
    except Exception as exc:
        message = scrub(
            f"a plugin's terrain_consent_withdrawn failed ({type(exc).__name__}: {exc}); "
            "what it does on a withdrawal (a newsletter archive, a ticket…) did not happen: "
            "do it by hand, and fix or uninstall the plugin (`terrain plugins` lists them)"
        )
        log.warning("%s", message)
        return [message]
    return []


def _take_down(
    ws: Workspace,
    built: dict[str, Platform | str],
    subject_id: str,
    receipt: Receipt,
    now: datetime,
) -> TakedownLogEntry:
    def entry(outcome: str, message: str) -> TakedownLogEntry:
        return TakedownLogEntry(
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
