"""Approvals: a person says yes to the exact content of a post, and the runner checks it.

With ``[publish] approval = true`` the publishing runner (``terrain publish``
and every ``terrain worker``) sends a post only when an approval of *what it
is about to send* is on record: the approval holds a :func:`fingerprint` of
the post as the consent gate lets it go (text, thread parts, link, each
photo's key, alt text and blurred regions, the mentions kept) and of the
consent records that decision rests on. Change the text, a photo, an alt text,
a mention, or a consent that matters, and the fingerprint changes: the
approval falls, and the post is held until someone approves it again.

:class:`Approvals` is the ``approvals`` table (migration 8): the latest word
on each (post, platform), approved or held, by whom, when. Every approval and
hold also goes to the decision log (:func:`approval_record`). :func:`approval_check`
is what the runner asks right before a call (:func:`~terrain.publishing.publish`'s
``approval``), after the consent gate allowed the post.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from terrain._time import require_aware
from terrain.consent import Decision, DecisionOutcome, DecisionRecord, Purpose, Reason
from terrain.posts import Post
from terrain.store import Accounts, Database

__all__ = [
    "Approval",
    "ApprovalCheck",
    "Approvals",
    "approval_check",
    "approval_record",
    "editor_refs",
    "fingerprint",
]

#: ``check(post, decision) -> reason or None``: ``None`` lets the post go.
ApprovalCheck = Callable[[Post, "Decision | None"], "str | None"]


def fingerprint(post: Post, decision: Decision | None) -> str:
    """The SHA-256 (hex) of everything a person approves when they approve ``post`` as
    it would go: its text, thread parts and link; each photo's key, alt text and the
    regions blurred in it, in order; the mentions kept; and the consent records the
    gate's ``decision`` on it rests on."""
    document = {
        "post": post.id,
        "platform": post.platform,
        "text": post.text,
        "thread": list(post.thread),
        "link": post.link,
        "media": [
            {
                "key": m.key,
                "alt": m.alt_text,
                "blur": [[round(v, 6) for v in (r.left, r.top, r.width, r.height)]
                         for r in m.blur],
            }
            for m in post.media
        ],
        "mentions": [[m.handle, m.member_id, m.partner_id] for m in post.mentions],
        "consents": sorted(decision.relied_on) if decision is not None else [],
    }
    text = json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@attrs.frozen
class Approval:
    """The latest word on post ``post_id`` for ``platform``: ``approved`` or ``held``,
    by ``account`` at ``at``, for the content whose :func:`fingerprint` it holds;
    ``reason`` says why it was held."""

    post_id: str
    platform: str
    state: str
    fingerprint: str
    account: str
    at: datetime
    reason: str = ""

    @property
    def approved(self) -> bool:
        """Whether this is an approval (not a hold)."""
        return self.state == "approved"


def _ts(at: datetime) -> str:
    return require_aware(at, "approval time").astimezone(UTC).isoformat(timespec="microseconds")


_COLUMNS = "post_id, platform, state, fingerprint, account, at, reason"


def _approval(r: Sequence[Any]) -> Approval:
    return Approval(post_id=r[0], platform=r[1], state=r[2], fingerprint=r[3], account=r[4],
                    at=datetime.fromisoformat(r[5]), reason=r[6])


class Approvals:
    """The ``approvals`` table of a workspace database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, approval: Approval) -> None:
        """Store ``approval`` as the latest word on its post and platform."""
        with self.db.transaction() as tx:
            tx.execute("DELETE FROM approvals WHERE post_id = ? AND platform = ?",
                       (approval.post_id, approval.platform))
            tx.execute(
                f"INSERT INTO approvals ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (approval.post_id, approval.platform, approval.state, approval.fingerprint,
                 approval.account, _ts(approval.at), approval.reason),
            )

    def get(self, post_id: str, platform: str) -> Approval | None:
        """The latest word on ``post_id`` for ``platform``, if any."""
        found = self.db.query(
            f"SELECT {_COLUMNS} FROM approvals WHERE post_id = ? AND platform = ?",
            (post_id, platform),
        )
        return _approval(found[0]) if found else None

    def all(self) -> dict[tuple[str, str], Approval]:
        """Every approval and hold, by (post id, platform)."""
        rows = self.db.query(f"SELECT {_COLUMNS} FROM approvals", ())
        return {(r[0], r[1]): _approval(r) for r in rows}


def editor_refs(post: Post) -> list[str]:
    """What counts as editing ``post`` (the ``ref`` of the edits table): its text on its
    platform, and each content it draws on (who is in its photos, what describes them)."""
    contents = list(dict.fromkeys([*post.content_ids,
                                   *(m.content_id for m in post.media if m.content_id)]))
    return [f"post:{post.id}:{post.platform}", *(f"content:{c}" for c in contents)]


def approval_check(db: Database, *, four_eyes: bool) -> ApprovalCheck:
    """What the runner asks before each call when approval is on: ``None`` when an
    approval of exactly ``post`` as it would go (and the consents it rests on) is on
    record, else why the post must wait (held, never approved, changed since, or
    approved by someone who edited it under ``four_eyes``)."""
    approvals = Approvals(db)
    accounts = Accounts(db)

    def check(post: Post, decision: Decision | None) -> str | None:
        again = (
            f"approve it on the review desk, or with `terrain approve {post.id} "
            f"--platform {post.platform} --as ACCOUNT`"
        )
        found = approvals.get(post.id, post.platform)
        if found is None:
            return f"awaiting approval: {again}"
        when = found.at.date().isoformat()
        if not found.approved:
            why = f": {found.reason}" if found.reason else ""
            return f"held on the review desk by {found.account} on {when}{why}; {again}"
        if found.fingerprint != fingerprint(post, decision):
            return (
                f"approved by {found.account} on {when}, but the post changed since (its text, "
                f"a photo, an alt text, a mention, or a consent it rests on): {again}"
            )
        if four_eyes and found.account in accounts.editors(editor_refs(post)):
            return (
                f"approved by {found.account}, who also edited it, and four eyes are needed "
                "([publish] four_eyes): another approver must approve it on the review desk, "
                f"or with `terrain approve {post.id} --platform {post.platform} --as ACCOUNT`"
            )
        return None

    return check


def approval_record(
    approval: Approval, *, record_id: str, editors: Sequence[str] = ()
) -> DecisionRecord:
    """The decision log's record of ``approval`` (outcome allowed when approved, denied
    when held), saying who and what content it holds."""
    who = f"{approval.account}"
    edited = f"; edited by {', '.join(editors)}" if editors else ""
    if approval.approved:
        text = (f"approved by {who} for this exact content (fingerprint "
                f"{approval.fingerprint[:16]}){edited}")
    else:
        text = f"held by {who}: {approval.reason or 'no reason given'}{edited}"
    return DecisionRecord(
        id=record_id,
        actor=f"review desk {approval.account}",
        subject_kind="post",
        subject_id=approval.post_id,
        platform=approval.platform,
        purpose=Purpose.PUBLISH,
        at=approval.at,
        outcome=DecisionOutcome.ALLOWED if approval.approved else DecisionOutcome.DENIED,
        reasons=(Reason(text=text, blocking=not approval.approved),),
    )
