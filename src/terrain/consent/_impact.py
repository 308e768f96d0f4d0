"""Withdrawal impact: what a withdrawn consent takes down.

The takedown workflow asks :func:`withdrawal_impact` which contents show or
were made by a person, and which published posts (by their receipts) must be
deleted because that person's consent no longer covers them.
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
from terrain.consent._records import Scope
from terrain.consent._state import Target
from terrain.content import Content
from terrain.errors import ValidationError
from terrain.posts import Post, Receipt

__all__ = ["Takedown", "WithdrawalImpact", "withdrawal_impact"]


@attrs.frozen
class Takedown:
    """A published post to delete (by its ``receipt``), and why."""

    receipt: Receipt = attrs.field(validator=instance_of(Receipt))
    reason: str = attrs.field(validator=text_of(nonempty=True))

    @property
    def post_id(self) -> str:
        """The id of the post the receipt is for."""
        return self.receipt.post_id


@attrs.frozen
class WithdrawalImpact:
    """What a withdrawal of ``subject_id`` affects, at ``at``.

    ``content_ids`` are the contents (within ``scope``) that show the person
    or that they made; ``takedown`` the published posts to delete, each with
    its reason. ``kept`` lists the receipts of posts that involve the person
    but that their remaining consent still covers (only when a ledger was
    given).
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

    @property
    def receipts(self) -> tuple[Receipt, ...]:
        """The receipts to take down."""
        return tuple(t.receipt for t in self.takedown)


def _involvement(subject_id: str, post: Post, contents: Mapping[str, Content],
                 affected: set[str]) -> list[str]:
    """How ``post`` involves ``subject_id`` through affected contents or a mention."""
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
) -> WithdrawalImpact:
    """What withdrawing ``subject_id``'s consent affects, at ``at``.

    ``contents`` are the workspace's contents (a list, or a mapping by id);
    ``published`` pairs each published post with its receipt. A content is
    affected when the person appears in it or made it, and ``scope`` (when
    given) covers it. A post is involved when one of its media or drawn
    contents shows them (or is theirs), or when it mentions them; with a
    ``scope``, a mention counts only in a post the scope covers.

    Without ``ledger`` (a preview before the withdrawal, or a withdrawal of
    everything) every involved post is to take down. With ``ledger`` (after
    the withdrawal was recorded), only the posts that :func:`decide` would no
    longer allow for this person at ``at`` are: a withdrawal for Instagram
    only, or for one event, leaves the rest online (listed in ``kept``).
    ``platforms``, when given, limits the receipts considered.
    """
    require_aware(at, "withdrawal_impact: at")
    by_id = dict(contents) if isinstance(contents, Mapping) else {c.id: c for c in contents}
    for key, content in by_id.items():
        if not isinstance(content, Content) or content.id != key:
            raise ValidationError(
                f"contents must map each content id to its Content; {key!r} does not"
            )
    wanted = None if platforms is None else frozenset(platforms)
    affected = {
        c.id
        for c in by_id.values()
        if (subject_id in c.member_ids or c.author_id == subject_id)
        and (scope is None or Target.of(c).covered_by(scope))
    }
    takedown: list[Takedown] = []
    kept: list[Receipt] = []
    for post, receipt in published:
        if wanted is not None and receipt.platform not in wanted:
            continue
        how = _involvement(subject_id, post, by_id, affected)
        if scope is not None:
            drawn = [by_id[c] for c in post.content_ids if c in by_id]
            target = Target(
                content_ids=frozenset(post.content_ids),
                event_ids=frozenset(c.event_id for c in drawn if c.event_id)
                | frozenset(() if post.event_id is None else (post.event_id,)),
                project_ids=frozenset(c.project_id for c in drawn if c.project_id),
            )
            if not target.covered_by(scope):
                how = [h for h in how if not h.startswith("tags")]
        if not how:
            continue
        if ledger is None:
            takedown.append(Takedown(receipt=receipt, reason=f"post {post.id} " + ", ".join(how)))
            continue
        decision = decide(ledger, post, platform=post.platform, at=at, contents=by_id)
        theirs = [r.text for r in decision.reasons if r.blocking and r.member_id == subject_id]
        if theirs:
            takedown.append(Takedown(receipt=receipt, reason="; ".join(theirs)))
        else:
            kept.append(receipt)
    return WithdrawalImpact(
        subject_id=subject_id,
        at=at,
        content_ids=tuple(sorted(affected)),
        takedown=takedown,
        kept=kept,
        scope=scope,
    )
