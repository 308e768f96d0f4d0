"""Withdrawal impact: what a withdrawn consent takes down, and what stays online.

The takedown workflow asks :func:`withdrawal_impact` which contents show or
were made by a person, which published posts (by their receipts) must be
deleted because that person's consent no longer covers them, and which stay
online — outside what the withdrawal covers, or still covered by consent the
person keeps — and why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

from terrain._time import require_aware
from terrain._validation import aware_datetime, each, identifier, instance_of, optional, to_tuple
from terrain._validation import text as text_of
from terrain.consent._decide import decide
from terrain.consent._ledger import ConsentLedger
from terrain.consent._records import Purpose, Scope, platform_key
from terrain.consent._state import Target, purposes_of
from terrain.content import Content
from terrain.errors import ValidationError
from terrain.posts import HandleFinder, Post, Receipt

__all__ = ["Staying", "Takedown", "TakedownTarget", "WithdrawalImpact", "withdrawal_impact"]


@attrs.frozen
class _PostWithReason:
    """A published post (by its ``receipt``) and a sentence saying why."""

    receipt: Receipt = attrs.field(validator=instance_of(Receipt))
    reason: str = attrs.field(validator=text_of(nonempty=True))

    @property
    def post_id(self) -> str:
        """The id of the post the receipt is for."""
        return self.receipt.post_id


@attrs.frozen
class TakedownTarget(_PostWithReason):
    """A published post to delete (by its ``receipt``), and why."""


#: Its name until 0.1.0 (three takedown types had names alike);
#: kept for the modules of this package.
Takedown = TakedownTarget


@attrs.frozen
class Staying(_PostWithReason):
    """A published post that involves the person but stays online, and why."""


@attrs.frozen
class WithdrawalImpact:
    """What a withdrawal of ``subject_id`` affects, at ``at``.

    ``content_ids`` are the contents (within ``scope``) that show the person
    or that they made; ``takedown`` the published posts to delete, each with
    its reason. ``stays`` lists the posts that involve the person but stay
    online, each with its reason (outside what the withdrawal covers, or
    still covered by the consent they keep); ``kept`` their receipts.
    """

    subject_id: str = attrs.field(validator=identifier())
    at: datetime = attrs.field(validator=aware_datetime())
    content_ids: tuple[str, ...] = attrs.field(converter=to_tuple, validator=each(identifier()))
    takedown: tuple[Takedown, ...] = attrs.field(
        converter=to_tuple, validator=each(instance_of(Takedown))
    )
    kept: tuple[Receipt, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Receipt))
    )
    scope: Scope | None = attrs.field(default=None, validator=optional(instance_of(Scope)))
    stays: tuple[Staying, ...] = attrs.field(
        default=(), converter=to_tuple, validator=each(instance_of(Staying))
    )

    @property
    def receipts(self) -> tuple[Receipt, ...]:
        """The receipts to take down."""
        return tuple(t.receipt for t in self.takedown)


def _involvement(subject_id: str, post: Post, contents: Mapping[str, Content],
                 affected: set[str], finder: HandleFinder | None = None) -> list[str]:
    """How ``post`` involves ``subject_id`` through affected contents, a mention, or
    their ``@handle`` typed in its text (``finder`` knows their handles)."""
    how: list[str] = []
    for media in post.media:
        content = contents.get(media.content_id) if media.content_id else None
        if content is None or content.id not in affected:
            continue
        if content.author_id == subject_id or any(
            a.member_id == subject_id
            and (media.media_id is None or a.media_id in (None, media.media_id))
            for a in content.appearances
        ):
            how.append(f"shows them in {content.kind.value} {content.id}")
    for content_id in post.content_ids:
        content = contents.get(content_id)
        if content is None or content.id not in affected:
            continue
        if content.author_id == subject_id or any(
            a.member_id == subject_id and a.media_id is None for a in content.appearances
        ):
            how.append(f"draws on {content.kind.value} {content.id}")
    how.extend(f"tags them as @{m.handle}" for m in post.mentions if m.member_id == subject_id)
    if finder is not None:
        typed = finder.find(post.text, *post.thread)
        how.extend(f"tags them as @{handle} in its text" for handle, _ in typed)
    return list(dict.fromkeys(how))


def withdrawal_impact(
    subject_id: str,
    *,
    contents: Iterable[Content] | Mapping[str, Content],
    published: Iterable[tuple[Post, Receipt]],
    at: datetime,
    ledger: ConsentLedger | None = None,
    scope: Scope | None = None,
    platforms: Iterable[str] | None = None,
    purposes: Iterable[Purpose | str] | None = None,
) -> WithdrawalImpact:
    """What withdrawing ``subject_id``'s consent affects, at ``at``.

    ``contents`` are the workspace's contents (a list, or a mapping by id);
    ``published`` pairs each published post with its receipt. A content is
    affected when the person appears in it or made it, and ``scope`` (when
    given) covers it. A post is involved when one of its media or drawn
    contents shows them (or is theirs), or when it mentions them.

    ``scope``, ``platforms`` and ``purposes`` say what the withdrawal covers
    (``None``: all); an involved post outside it stays online. Without
    ``ledger`` (a preview before the withdrawal) every involved post it
    covers is to take down. With ``ledger`` (after the withdrawal was
    recorded), only the posts that :func:`decide` would no longer allow for
    this person, for a purpose the withdrawal covers, at ``at``: a withdrawal
    of ``tag`` takes down the posts that tag them and leaves those that only
    show them. Each post that stays says why (in ``stays``).
    """
    require_aware(at, "withdrawal_impact: at")
    by_id = dict(contents) if isinstance(contents, Mapping) else {c.id: c for c in contents}
    for key, content in by_id.items():
        if not isinstance(content, Content) or content.id != key:
            raise ValidationError(
                f"contents must map each content id to its Content; {key!r} does not"
            )
    wanted = None if platforms is None else frozenset(platform_key(p) for p in platforms)
    for_purposes = None if purposes is None else purposes_of(purposes)
    affected = {
        c.id
        for c in by_id.values()
        if (subject_id in c.member_ids or c.author_id == subject_id)
        and (scope is None or Target.of(c).covered_by(scope))
    }
    involved = {
        c.id for c in by_id.values() if subject_id in c.member_ids or c.author_id == subject_id
    }
    member = None if ledger is None else ledger.members.get(subject_id)
    finder = None if member is None else HandleFinder(
        dict.fromkeys(member.handles.values(), subject_id)
    )
    takedown: list[Takedown] = []
    stays: list[Staying] = []
    for post, receipt in published:
        how = _involvement(subject_id, post, by_id, involved, finder)
        if not how:
            continue
        if wanted is not None and platform_key(receipt.platform) not in wanted:
            only = ", ".join(sorted(wanted))
            stays.append(Staying(receipt, f"on {receipt.platform}: the withdrawal covers {only} "
                                          "only"))
            continue
        if scope is not None and not _target(post, by_id).covered_by(scope):
            stays.append(Staying(receipt, f"not {scope}: the withdrawal covers {scope} only"))
            continue
        if ledger is None:
            takedown.append(Takedown(receipt=receipt, reason=f"post {post.id} " + ", ".join(how)))
            continue
        decision = decide(ledger, post, platform=post.platform, at=at, contents=by_id)
        mine = [r for r in decision.reasons if r.member_id == subject_id]
        theirs = [
            r.text for r in mine
            if r.blocking and (for_purposes is None or r.purpose in for_purposes)
        ]
        if theirs:
            takedown.append(Takedown(receipt=receipt, reason="; ".join(theirs)))
            continue
        still = [r.text for r in mine if not r.blocking]
        why = "; ".join(still) if still else (
            "the withdrawal does not cover how it involves them (" + ", ".join(how) + ")"
        )
        stays.append(Staying(receipt, f"still covered: {why}"))
    return WithdrawalImpact(
        subject_id=subject_id,
        at=at,
        content_ids=tuple(sorted(affected)),
        takedown=takedown,
        kept=tuple(s.receipt for s in stays),
        scope=scope,
        stays=stays,
    )


def _target(post: Post, contents: Mapping[str, Content]) -> Target:
    """The content a post draws on (its media's and its own), as a consent sees it."""
    ids = set(post.content_ids) | {m.content_id for m in post.media if m.content_id}
    drawn = [contents[c] for c in ids if c in contents]
    return Target(
        content_ids=frozenset(ids),
        event_ids=frozenset(c.event_id for c in drawn if c.event_id)
        | frozenset(() if post.event_id is None else (post.event_id,)),
        project_ids=frozenset(c.project_id for c in drawn if c.project_id),
    )
