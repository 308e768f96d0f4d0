"""A project's monthly update, published like an event recap: with consent.

:func:`publish_project_update` composes the progress post of a project for
one month on each platform (text, milestones reached that month, the
before/now pair of one viewpoint, a quote from a micro-interview) and hands
it to the same publishing runner and consent gate as event recaps: the
consent of everyone in the photos and of the interviewee (``interview``
purpose) is checked right before each call. With ``dry_run`` nothing is
written and nothing is sent.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import attrs

from terrain.community import Member
from terrain.content import Content, ContentKind, MediaFile
from terrain.errors import ValidationError
from terrain.plugins import Platform, capability_problems
from terrain.posts import Post, PostMedia, text_length
from terrain.projects import (
    Project,
    ProjectPhoto,
    ViewpointPair,
    before_after_image,
    before_now_pair,
    progress_post,
    viewpoint_pairs,
)
from terrain.publishing import PlatformPolicy
from terrain.workflows._publish import PublishResult, clock_from, deliver, platforms_for

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = ["project_pair", "project_photos", "publish_project_update"]


def project_photos(ws: Workspace, project_id: str) -> list[ProjectPhoto]:
    """The timeline photos of project ``project_id`` stored in ``ws``."""
    ws.get(Project, project_id)
    return [
        p for p in ws.list(ProjectPhoto) if ws.get(Content, p.content_id).project_id == project_id
    ]


def _month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def project_pair(
    ws: Workspace, project_id: str, *, viewpoint: str | None = None, on: date | None = None
) -> ViewpointPair:
    """The before/now pair of ``viewpoint`` (default: the first viewpoint that has
    one), with photos taken by ``on``."""
    photos = project_photos(ws, project_id)
    if on is not None:
        photos = [p for p in photos if p.taken_on <= on]
    if viewpoint is not None:
        return before_now_pair(photos, viewpoint, on=on)
    pairs = viewpoint_pairs(photos)
    if not pairs:
        raise ValidationError(
            f"project {project_id!r} has no viewpoint with a 'before' photo and a later one"
            + (f" by {on}" if on else "")
            + "; add photos with `terrain project photo PROJECT FILE --viewpoint V --phase ...`"
        )
    return pairs[0]


def _interview(ws: Workspace, project_id: str, interview_id: str | None) -> Content:
    if interview_id is not None:
        content = ws.get(Content, interview_id)
        if content.project_id != project_id:
            raise ValidationError(
                f"content {interview_id!r} is not a content of project {project_id!r}; "
                "quote an interview made for this project"
            )
        if content.kind is not ContentKind.MICRO_INTERVIEW:
            raise ValidationError(
                f"content {interview_id!r} is a {content.kind.value}, not a micro-interview; "
                "quote an interview (`terrain project interview` records one)"
            )
        return content
    found = sorted(
        (
            c
            for c in ws.list(Content)
            if c.project_id == project_id and c.kind is ContentKind.MICRO_INTERVIEW
        ),
        key=lambda c: c.created_at,
    )
    if not found:
        raise ValidationError(
            f"project {project_id!r} has no micro-interview to quote; record one with "
            "`terrain project interview PROJECT ID --member M --text ...`"
        )
    return found[-1]


def _interviewee(ws: Workspace, interview: Content) -> Member:
    people = sorted(interview.member_ids)
    if len(people) != 1:
        raise ValidationError(
            f"micro-interview {interview.id!r} shows {len(people)} people; "
            "a quote needs exactly one interviewee"
        )
    return ws.get(Member, people[0])


def _store_composite(
    ws: Workspace, project: Project, pair: ViewpointPair, month: date
) -> PostMedia:
    """Store the before/now image of ``pair`` as a content of its own (the people of
    both photos appear in it), so the consent gate can tell who is in it."""
    import hashlib

    image = before_after_image(
        ws.storage.get(pair.before.key),
        ws.storage.get(pair.later.key),
        before_caption=f"{pair.before.taken_on:%d/%m/%Y}",
        later_caption=f"{pair.later.taken_on:%d/%m/%Y}",
    )
    checksum = hashlib.sha256(image).hexdigest()
    content_id = f"composite-{checksum[:12]}"
    media_id = f"m-{checksum[:12]}"
    key = f"projects/{project.id}/composites/{month:%Y-%m}-{checksum[:12]}.jpg"
    alt = f"{project.title}, {pair.viewpoint}: {pair.before.taken_on} and {pair.later.taken_on}"
    if not ws.exists(Content, content_id):
        sources = [ws.get(Content, pair.before.content_id), ws.get(Content, pair.later.content_id)]
        appearances = {
            a.member_id: attrs.evolve(a, media_id=None) for c in sources for a in c.appearances
        }
        ws.storage.put(key, image)
        ws.add(
            Content(
                id=content_id,
                kind=ContentKind.PHOTO,
                created_at=max(c.created_at for c in sources),
                title=f"Before/now: {pair.viewpoint}",
                media=[
                    MediaFile(
                        id=media_id,
                        key=key,
                        media_type="image/jpeg",
                        size=len(image),
                        checksum=checksum,
                        alt_text=alt,
                    )
                ],
                appearances=list(appearances.values()),
                people_reviewed=all(c.people_reviewed for c in sources),
                project_id=project.id,
            )
        )
    media = ws.get(Content, content_id).media[0]
    return PostMedia(media.key, media.media_type, media.alt_text, content_id, media.id)


def _link_composite(post: Post, media: PostMedia) -> Post:
    assert media.content_id is not None
    return attrs.evolve(
        post,
        media=(attrs.evolve(post.media[0], content_id=media.content_id, media_id=media.media_id),),
        content_ids=tuple(dict.fromkeys((*post.content_ids, media.content_id))),
    )


def publish_project_update(
    ws: Workspace,
    project_id: str,
    platforms: Sequence[str] | Mapping[str, Platform],
    *,
    month: date,
    now: datetime | Callable[[], datetime],
    viewpoint: str | None = None,
    interview_id: str | None = None,
    summary: str = "",
    composite: bool = False,
    dry_run: bool = False,
    enqueue: bool = False,
    hook: Any = None,
    policies: Mapping[str, PlatformPolicy] | None = None,
    max_wait: float = 120.0,
) -> PublishResult:
    """Publish the update of project ``project_id`` for ``month`` to ``platforms``.

    The before/now pair is that of ``viewpoint`` (default: the first viewpoint
    that has one), with photos taken by the end of ``month``; the quote comes
    from micro-interview ``interview_id`` (default: the latest of the
    project). With ``composite`` one side-by-side image (stored in the
    workspace's media) replaces the two photos. A ``dry_run`` needs no token
    (each platform's capabilities are enough); ``enqueue`` only plans the post
    for publisher workers (``terrain worker``), as for event recaps. The result's ``event_id`` is
    the project id. Running it again never posts twice.
    """
    clock = clock_from(now)
    project = ws.get(Project, project_id)
    pair = project_pair(ws, project_id, viewpoint=viewpoint, on=_month_end(month))
    interview = _interview(ws, project_id, interview_id)
    interviewee = _interviewee(ws, interview)
    # a dry run or an enqueue needs only what each platform accepts, never a token
    objects, accepts = platforms_for(
        ws, platforms, tokens=not (dry_run or enqueue), example="--to outbox"
    )
    composite_media = None
    if composite and not dry_run:
        # a dry run judges the two photos the composite is made of: same people, same consent
        composite_media = _store_composite(ws, project, pair, month)
    posts: list[Post] = []
    errors: list[str] = []
    for name, caps in accepts.items():
        post = progress_post(
            project,
            month=month,
            platform=name,
            pair=pair,
            interview=interview,
            interviewee=interviewee,
            summary=summary,
            composite_key=None if composite_media is None else composite_media.key,
        )
        if composite_media is not None:
            post = _link_composite(post, composite_media)
        # the same checks a platform makes before any call (text, media, alt text)
        problems = capability_problems(post, caps)
        if problems:
            hint = (
                "; shorten --summary" if text_length(post.text, caps) > caps.max_text_length else ""
            )
            errors.append(f"{project_id} update → {name}: {'; '.join(problems)}{hint}")
            continue
        posts.append(post)
    return deliver(
        ws,
        project_id,
        objects,
        posts,
        errors,
        dry_run=dry_run,
        enqueue=enqueue,
        clock=clock,
        hook=hook,
        policies=policies,
        max_wait=max_wait,
    )
