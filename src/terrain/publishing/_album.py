"""Albums: the consent gate asked photo by photo, at the call.

A post with ``min_media`` (:class:`~terrain.Post`) is an album: several photos
in one post, as X (4), Facebook (``attached_media``), Instagram (a carousel),
LinkedIn, Mastodon and Bluesky allow. One person who may not be shown must
not hold back the photos of everyone else, so :func:`decide_post` asks the
gate (its public call, ``gate(post, at, purpose=...)``) about the whole post first and,
when it says no, about each photo on its own, at the same instant:

- a photo the gate refuses drops out, with the gate's reasons (a mention the
  gate drops never takes a photo out: the mention goes, typed in the text or
  not, and the photo stays);
- the post goes with the photos left, decided once more as it will go, if at
  least ``min_media`` are left; the reasons of the photos that dropped out
  are added to that decision (not blocking), so the decision log says what
  went and what did not, and why;
- below ``min_media`` the post is held, with every photo's reasons.

The runner and the dry run both call it, so a preview says what a real run
would send.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from terrain._time import require_aware
from terrain.consent import Decision, Reason
from terrain.posts import HandleFinder, Post, PostMedia
from terrain.publishing._gate import Gate

__all__ = ["AlbumGate", "decide_post", "left_out"]

#: The gate an album is decided with (the runner's :class:`~terrain.publishing.Gate`).
AlbumGate = Gate

#: How the reasons of a photo that dropped out of an album start.
LEFT_OUT = "left out of the album: "


def _label(media: PostMedia) -> str:
    return f"photo {media.media_id or media.key}" + (
        f" of {media.content_id}" if media.content_id else ""
    )


def _alone(post: Post, media: PostMedia) -> Post:
    """``post`` showing ``media`` only: what the gate is asked about one photo."""
    return attrs.evolve(
        post,
        media=(media,),
        content_ids=tuple(c for c in post.content_ids if c == media.content_id),
        mentions=(),
        min_media=None,
    )


def _keeping(post: Post, kept: list[PostMedia]) -> Post:
    """``post`` with ``kept`` only, its contents and its mentions of people in them."""
    contents = {m.content_id for m in kept}
    dropped_contents = {m.content_id for m in post.media} - contents
    content_ids = tuple(c for c in post.content_ids if c not in dropped_contents)
    return attrs.evolve(
        post,
        media=tuple(kept),
        content_ids=content_ids,
        min_media=min(post.min_media or 1, len(kept)),
    )


def decide_post(
    gate: AlbumGate, post: Post, at: datetime, *, purpose: str = "publish"
) -> tuple[Post, Decision]:
    """The post that may go at ``at`` for ``purpose`` and the gate's decision about
    it (see the module).

    For a post that is not an album, or that the gate allows whole, that is
    ``post`` and the gate's answer. Mentions of people who appear only in the
    photos that dropped out go with them (the gate decides the rest again).
    """
    require_aware(at, "decide_post: at")
    whole = gate(post, at, purpose=purpose)
    if whole.allowed or post.min_media is None or not post.media:
        return post, whole
    kept: list[PostMedia] = []
    notes: list[Reason] = []
    why: dict[str, Reason] = {}  # each refusal once, as the gate said it
    for media in post.media:
        alone = gate(_alone(post, media), at, purpose=purpose)
        if alone.allowed:
            kept.append(media)
            continue
        for reason in alone.blocking:
            if reason.handle is not None:  # a mention, dropped on its own: not why it is out
                continue
            why.setdefault(reason.text, reason)
            notes.append(
                attrs.evolve(reason, text=f"{_label(media)}: {LEFT_OUT}{reason.text}",
                             content_id=reason.content_id or media.content_id)
            )
    if len(kept) < post.min_media:
        shown = f"{len(kept)} of its {len(post.media)} photos may go"
        need = f"at least {post.min_media} needed"
        held = Reason(text=f"album: {shown}, {need}", blocking=True)
        reasons = (*why.values(), held)
        return post, attrs.evolve(whole, reasons=reasons, kept_mentions=(), dropped_mentions=())
    smaller = _keeping(post, kept)
    people = _people_mentioned(whole, smaller, post)
    mentions = tuple(m for m in smaller.mentions if m.member_id is None or m.member_id in people)
    smaller = _without_typed(attrs.evolve(smaller, mentions=mentions), whole, people)
    final = gate(smaller, at, purpose=purpose)
    if not final.allowed:
        return smaller, attrs.evolve(final, reasons=(*final.reasons, *notes))
    quiet = tuple(attrs.evolve(n, blocking=False) for n in notes)
    return smaller, attrs.evolve(final, reasons=(*final.reasons, *quiet))


def _people_mentioned(whole: Decision, smaller: Post, post: Post) -> set[str | None]:
    """The members still shown once photos dropped out: those of the kept photos'
    contents, as the whole decision's reasons name them."""
    kept_contents = {m.content_id for m in smaller.media} | set(smaller.content_ids)
    shown: set[str | None] = set()
    for reason in whole.reasons:
        if reason.handle is None and reason.member_id and reason.content_id in kept_contents:
            shown.add(reason.member_id)
    # a member tagged who is not in any photo (a speaker typed by hand) stays
    everyone = {r.member_id for r in whole.reasons if r.handle is None and r.member_id}
    shown |= {m.member_id for m in post.mentions if m.member_id not in everyone}
    return shown


def _without_typed(smaller: Post, whole: Decision, people: set[str | None]) -> Post:
    """``smaller`` without the ``@handles`` typed in its text of the people shown only in
    the photos that dropped out: like their mentions, they go with their photos (a
    handle of someone in no photo stays, for the gate to decide)."""
    pictured = {r.member_id for r in whole.reasons if r.handle is None and r.member_id}
    structured = {m.handle.casefold() for m in smaller.mentions}
    gone = {
        m.handle for m in (*whole.kept_mentions, *whole.dropped_mentions)
        if m.member_id in pictured and m.member_id not in people
        and m.handle.casefold() not in structured
    }
    if not gone:
        return smaller
    thread = tuple(
        part for part in (HandleFinder.remove(t, gone) for t in smaller.thread) if part.strip()
    )
    return attrs.evolve(smaller, text=HandleFinder.remove(smaller.text, gone), thread=thread)


def left_out(decision: Decision) -> tuple[Reason, ...]:
    """The reasons of the photos a decision left out of its album."""
    return tuple(r for r in decision.reasons if LEFT_OUT in r.text and not r.blocking)
