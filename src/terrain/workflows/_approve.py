"""Approving exactly what goes out: the review desk's queue, ``terrain approve``.

:func:`approval_queue` lists the posts waiting in the journal (planned, or held
for want of an approval) with, for each, the exact preview a dry run gives
(:func:`~terrain.workflows._publish.judge_dry`: the text with the mentions
consent keeps, the thread parts, the photos in order with their alt text and
the regions blurred), the consent verdict, the approval on record and whether
it still holds, and who edited the post.

:func:`approve_post` records an approval (or, with ``hold``, a hold) of that
exact content: its :func:`~terrain.publishing.fingerprint`. It goes in the
decision log too. Only an ``approver`` account may do it and, with ``[publish]
four_eyes``, only one that did not edit the post (its text, who is in its
photos, their descriptions). A post held for want of an approval is planned
again at once; the next ``terrain worker`` (or ``terrain publish``) judges it
again at its call, consent first, then the approval.

:func:`edit_post_as` is :func:`~terrain.workflows.edit_post` recording who
edited (an approval of the old text falls with it: the fingerprint changed).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from terrain._time import require_aware
from terrain.consent import Decision
from terrain.errors import AccessDenied, Conflict, ValidationError
from terrain.posts import Post
from terrain.publishing import (
    Approval,
    Approvals,
    Gate,
    JournalRow,
    PostOutcome,
    RowState,
    Verdict,
    approval_record,
    editor_refs,
    fingerprint,
    judge,
)
from terrain.store import Account, Accounts
from terrain.workflows._publish import Preview, journal_of, judge_dry, workspace_gate
from terrain.workflows._review import CLI_EDITOR
from terrain.workflows._schedule import _row, edit_post

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "APPROVAL_WAIT",
    "ForApproval",
    "approval_queue",
    "approve_post",
    "edit_post_as",
    "post_for_approval",
    "preview_picture",
]

#: How a row held for want of an approval starts its reasons (the runner's words).
APPROVAL_WAIT = ("awaiting approval", "held on the review desk", "approved by")


@attrs.frozen
class ForApproval:
    """A post waiting to go, as the approver sees it.

    ``preview`` is the post exactly as it would go now; ``outcome`` what the
    consent gate says (``planned``: may go, ``held``: would be held, with
    ``outcome.reasons``). ``fingerprint`` is that content's (what an approval
    holds). ``approval`` is the latest word on record; ``approved`` whether it
    is an approval of exactly this content. ``editors`` edited it (account ->
    what they did), ``state`` is the journal row's state.
    """

    row: JournalRow
    preview: Preview
    outcome: PostOutcome
    fingerprint: str
    approval: Approval | None
    approved: bool
    editors: dict[str, set[str]]
    state: RowState

    @property
    def may_go(self) -> bool:
        """Whether consent lets it go now."""
        return self.outcome.state is RowState.PLANNED

    @property
    def changed_since_approval(self) -> bool:
        """Whether it was approved, but its content changed since (the approval fell)."""
        return (self.approval is not None and self.approval.approved
                and not self.approved)


def _waiting(row: JournalRow) -> bool:
    if row.state is RowState.PLANNED:
        return True
    return row.state is RowState.HELD and any(
        reason.startswith(APPROVAL_WAIT) for reason in row.reasons
    )


def _remembering(gate: Gate) -> Gate:
    """``gate``, asked once per (post, instant): the preview and the fingerprint are
    made from the very same decisions."""
    seen: dict[tuple[Post, datetime, str], Decision] = {}

    def remembered(post: Post, at: datetime, *, purpose: str = "publish") -> Decision:
        key = (post, at, purpose)
        if key not in seen:
            seen[key] = gate(post, at, purpose=purpose)
        return seen[key]

    return remembered


def _for_approval(ws: Workspace, row: JournalRow, approvals: Approvals, accounts: Accounts,
                  now: datetime) -> ForApproval:
    gate = _remembering(workspace_gate(ws))
    outcome, preview = judge_dry(gate, row.post, now, purpose=row.purpose)
    judgement = judge(gate, row.post, now, purpose=row.purpose)
    decision = judgement.decision if judgement.verdict is Verdict.ALLOWED else None
    shown = judgement.post if judgement.verdict is Verdict.ALLOWED else row.post
    print_ = fingerprint(shown, decision)
    approval = approvals.get(row.post_id, row.platform)
    return ForApproval(
        row=row, preview=preview, outcome=outcome, fingerprint=print_, approval=approval,
        approved=approval is not None and approval.approved and approval.fingerprint == print_,
        editors=accounts.editors(editor_refs(row.post)), state=row.state,
    )


def approval_queue(
    ws: Workspace, *, now: datetime, event_id: str | None = None
) -> list[ForApproval]:
    """The posts waiting to go (planned, or held for want of an approval), each as it
    would go at ``now``, soonest first; only event ``event_id``'s when given."""
    require_aware(now, "approval_queue: now")
    journal = journal_of(ws)
    rows = [r for r in journal.rows(states=(RowState.PLANNED, RowState.HELD)) if _waiting(r)]
    if event_id is not None:
        rows = [r for r in rows if r.event_id == event_id]
    rows.sort(key=lambda r: (r.next_attempt_at is not None,
                             r.next_attempt_at or r.planned_at, r.post_id, r.platform))
    approvals, accounts = Approvals(ws.db), Accounts(ws.db)
    return [_for_approval(ws, r, approvals, accounts, now) for r in rows]


def approval_queue_size(ws: Workspace) -> int:
    """How many posts wait to go (planned, or held for want of an approval)."""
    return sum(1 for r in journal_of(ws).rows(states=(RowState.PLANNED, RowState.HELD))
               if _waiting(r))


def post_for_approval(
    ws: Workspace, post_id: str, *, now: datetime, platform: str | None = None
) -> ForApproval:
    """One post of the queue (:func:`approval_queue`), by id (and platform)."""
    require_aware(now, "post_for_approval: now")
    row = _row(ws, post_id, platform)
    return _for_approval(ws, row, Approvals(ws.db), Accounts(ws.db), now)


def _approver(ws: Workspace, account: str | Account) -> Account:
    found = account if isinstance(account, Account) else Accounts(ws.db).get(account)
    if found is None:
        raise AccessDenied(f"no account {account!r}: `terrain account list` shows them",
                           reason="login")
    if not found.may_approve:
        raise AccessDenied(
            f"{found.name} is an {found.role}: only an approver approves or holds posts "
            f"(`terrain account add NAME --role approver`)",
            reason="role",
        )
    return found


def approve_post(
    ws: Workspace,
    post_id: str,
    *,
    account: str | Account,
    now: datetime,
    platform: str | None = None,
    hold: bool = False,
    reason: str = "",
    seen: str | None = None,
) -> ForApproval:
    """Approve post ``post_id`` (on ``platform``) as it would go at ``now``, as
    ``account`` (an approver); with ``hold``, hold it instead, with ``reason``.

    ``seen`` is the fingerprint of the content the approver looked at (the desk
    sends it with the form): if the post changed since, nothing is recorded and
    :class:`~terrain.errors.Conflict` says to look again. An approval of a post
    consent holds back is refused (:class:`~terrain.errors.ValidationError`): fix
    consent first. Under ``[publish] four_eyes`` an approver who edited the post
    cannot approve it (:class:`~terrain.errors.AccessDenied`; holding is allowed).
    """
    require_aware(now, "approve_post: now")
    approver = _approver(ws, account)
    item = post_for_approval(ws, post_id, now=now, platform=platform)
    row = item.row
    if row.state not in (RowState.PLANNED, RowState.HELD) or not _waiting(row):
        raise Conflict(
            f"post {post_id} on {row.platform} is {row.state.value}: only a post waiting to "
            "go is approved or held (`terrain queue` lists them)"
        )
    if seen is not None and seen != item.fingerprint:
        raise Conflict(
            f"post {post_id} on {row.platform} changed since you opened it (its text, a "
            "photo, a mention or a consent): look at it again before approving"
        )
    if not hold:
        if not item.may_go:
            raise ValidationError(
                f"post {post_id} on {row.platform} would be held by consent ("
                + "; ".join(item.outcome.reasons) + "): fix that first, then approve it"
            )
        if ws.config.publish.four_eyes and approver.name in item.editors:
            raise AccessDenied(
                f"{approver.name} edited post {post_id} ("
                + ", ".join(sorted(item.editors[approver.name]))
                + "), and four eyes are needed ([publish] four_eyes): another approver "
                "must approve it",
                reason="four-eyes",
            )
    text = reason.strip()
    if hold and not text:
        raise ValidationError("say why the post is held (it is shown to whoever edits it)")
    approval = Approval(
        post_id=row.post_id, platform=row.platform, state="held" if hold else "approved",
        fingerprint=item.fingerprint, account=approver.name, at=now, reason=text[:500],
    )
    Approvals(ws.db).record(approval)
    ws.record_decision(approval_record(
        approval, record_id=f"dec-{uuid.uuid4().hex}", editors=sorted(item.editors)
    ))
    journal = journal_of(ws)
    if hold:
        why = f": {approval.reason}" if approval.reason else ""
        journal.hold(row.post_id, row.platform, now=now, reasons=[
            f"held on the review desk by {approver.name} on {now.date().isoformat()}{why}; "
            f"approve it on the review desk, or with `terrain approve {row.post_id} "
            f"--platform {row.platform} --as ACCOUNT`"
        ])
    elif row.state is RowState.HELD:
        journal.replan_held(row, now=now)  # the next run judges it again, approval included
    return post_for_approval(ws, row.post_id, now=now, platform=row.platform)


def edit_post_as(
    ws: Workspace, post_id: str, text: str, *, by: str = CLI_EDITOR, now: datetime,
    platform: str | None = None,
) -> Post:
    """:func:`~terrain.workflows.edit_post`, recording that ``by`` edited the post (under
    four eyes, they may not approve it). A post held for want of an approval can be
    edited too: it is planned again, and waits for an approval of the new text."""
    require_aware(now, "edit_post_as: now")
    row = _row(ws, post_id, platform)
    if row.state is RowState.HELD and _waiting(row):
        journal_of(ws).replan_held(row, now=now)
    post = edit_post(ws, post_id, text, now=now, platform=row.platform)
    Accounts(ws.db).record_edit([f"post:{post.id}:{post.platform}"], by, "text", at=now)
    return post


def preview_picture(
    ws: Workspace, post_id: str, platform: str, index: int, *, now: datetime
) -> bytes:
    """A thumbnail of photo ``index`` (from 0) of post ``post_id`` on ``platform`` as it
    would go at ``now``: with the regions consent blurs blurred, no metadata. Ids are
    looked up in the journal, never used as paths (:class:`~terrain.errors.NotFound`)."""
    from terrain.errors import NotFound
    from terrain.media import thumbnail

    require_aware(now, "preview_picture: now")
    row = _row(ws, post_id, platform)
    judgement = judge(_remembering(workspace_gate(ws)), row.post, now, purpose=row.purpose)
    post = judgement.post if judgement.verdict is Verdict.ALLOWED else row.post
    if not 0 <= index < len(post.media):
        raise NotFound(f"post {post_id} has no photo {index + 1}")
    media = post.media[index]
    return thumbnail(ws.storage.get(media.key), blur=media.blur,
                     margin=ws.config.publish.blur_margin, name=media.key)
