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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from terrain._language import phrase
from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.content import (
    Appearance,
    Content,
    ContentKind,
    MediaFile,
    PeopleReview,
    change_people,
)
from terrain.errors import ValidationError
from terrain.plugins import Platform, capability_problems
from terrain.posts import Post, PostMedia, text_length
from terrain.projects import (
    Milestone,
    Phase,
    Project,
    ProjectPhoto,
    Timeline,
    ViewpointPair,
    before_after_image,
    before_now_pair,
    composite_captions,
    composite_title,
    photo_timeline,
    progress_post,
    viewpoint_pairs,
)
from terrain.publishing import PlatformPolicy
from terrain.workflows._import import ImportStatus, import_media
from terrain.workflows._publish import PublishResult, clock_from, deliver, platforms_for

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "Composite",
    "ProjectTimeline",
    "add_project_photo",
    "project_composite",
    "project_pair",
    "project_photos",
    "project_timeline",
    "publish_project_update",
    "set_milestone",
    "set_project_phase",
]


def project_photos(ws: Workspace, project_id: str) -> list[ProjectPhoto]:
    """The timeline photos of project ``project_id`` stored in ``ws``."""
    ws.get(Project, project_id)
    return [
        p for p in ws.list(ProjectPhoto) if ws.get(Content, p.content_id).project_id == project_id
    ]


@attrs.frozen
class ProjectTimeline:
    """A project's photos before / during / after, and the viewpoints photographed both
    before and later (``pairs``, the before-after comparisons)."""

    timeline: Timeline
    pairs: tuple[ViewpointPair, ...]


def project_timeline(ws: Workspace, project_id: str) -> ProjectTimeline:
    """The photo timeline of project ``project_id`` and its before-after viewpoints."""
    photos = project_photos(ws, project_id)
    return ProjectTimeline(photo_timeline(photos), viewpoint_pairs(photos))


def set_milestone(
    ws: Workspace,
    project_id: str,
    milestone_id: str,
    *,
    title: str | None = None,
    due_on: date | None = None,
    reached_on: date | None = None,
) -> Milestone:
    """Add milestone ``milestone_id`` to project ``project_id``, or change what is given
    of it (``reached_on=date(2026, 5, 12)`` marks it reached); the milestone as stored.

    A new milestone needs its ``title``.
    """
    with ws.db.transaction():  # read and written in one go: no change lost in between
        project = ws.get(Project, project_id)
        old = next((m for m in project.milestones if m.id == milestone_id), None)
        if old is None:
            if title is None:
                raise ValidationError(
                    f"{milestone_id!r} is a new milestone of project {project_id!r}: give its "
                    "title (--title)"
                )
            old = Milestone(id=milestone_id, title=title)
        new = attrs.evolve(
            old,
            title=title or old.title,
            due_on=due_on or old.due_on,
            reached_on=reached_on or old.reached_on,
        )
        others = tuple(m for m in project.milestones if m.id != milestone_id)
        ws.put(attrs.evolve(project, milestones=(*others, new)))
    return new


def add_project_photo(
    ws: Workspace,
    project_id: str,
    path: Path | str,
    *,
    phase: Phase | str,
    taken_on: date,
    now: datetime,
    viewpoint: str | None = None,
    alt_text: str = "",
    nobody: bool = False,
    reviewed_by: str | None = None,
) -> tuple[Content, ProjectPhoto]:
    """Import photo file ``path`` into the timeline of project ``project_id``: the
    content as stored (location metadata removed) and its timeline entry.

    ``phase`` is before, during or after the works; ``viewpoint`` where it was
    taken from (photos of one viewpoint make the before-after pairs).
    ``nobody`` says nobody recognisable is in it, so it is publishable as is
    (its people are reviewed, by ``reviewed_by``, else :attr:`Workspace.actor
    <terrain.store.Workspace.actor>`, at ``now``); a photo already stored with people in it
    refuses it. A file already imported is not stored twice: it is added to
    the timeline if it is a photo of this project. All or nothing, in one
    transaction: on any error nothing is stored (not even the file).
    """
    require_aware(now, "add_project_photo: now")
    ws.get(Project, project_id)
    # the timeline entry is checked before the photo is imported: nothing stored on bad input
    ProjectPhoto("probe", "probe", "probe", taken_on, phase, viewpoint, alt_text)
    name = Path(path).name
    new_key = None
    try:
        with ws.db.transaction():
            report = import_media(ws, [path], project_id=project_id, now=now, workers=1)
            outcome = report.outcomes[0]
            if outcome.content_id is None:
                raise ValidationError(outcome.reason or f"{name} could not be imported")
            content = ws.get(Content, outcome.content_id)
            if outcome.status is ImportStatus.IMPORTED:
                new_key = content.media[0].key
            if content.project_id != project_id:
                raise ValidationError(
                    f"{name} is already stored as {content.id!r}, which is not a photo of "
                    f"project {project_id!r}"
                )
            if nobody and content.appearances:
                people = ", ".join(sorted({a.member_id for a in content.appearances}))
                raise ValidationError(
                    f"{name} is already stored as {content.id!r} with people in it ({people}), "
                    f"so --nobody cannot be right: take them off with `terrain content people "
                    f"{content.id} --remove ID` first, or drop --nobody"
                )
            if nobody and not content.people_reviewed:
                content = ws.put(
                    change_people(content, reviewed=True, by=reviewed_by or ws.actor, at=now)
                )
            media = content.media[0]
            entry = ws.put(
                ProjectPhoto(
                    content_id=content.id,
                    media_id=media.id,
                    key=media.key,
                    taken_on=taken_on,
                    phase=phase,
                    viewpoint=viewpoint,
                    alt_text=alt_text,
                )
            )
    except BaseException:
        if new_key is not None:  # the record was rolled back: the file goes too
            ws.storage.delete(new_key)
        raise
    return content, entry


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


def _local_day(ws: Workspace, at: datetime) -> date:
    from zoneinfo import ZoneInfo

    return at.astimezone(ZoneInfo(ws.community.timezone)).date()


def _interview(ws: Workspace, project_id: str, interview_id: str | None, *, month: date) -> Content:
    """The interview quoted in the update of ``month``: ``interview_id``, else the latest
    interview of the project made by the end of that month (never a later one)."""
    last_day = _month_end(month)
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
        made = _local_day(ws, content.created_at)
        if made > last_day:
            raise ValidationError(
                f"micro-interview {interview_id!r} was made on {made}, after {month:%Y-%m}: "
                "an update quotes only what was said by the end of its month; quote an "
                "earlier interview"
            )
        return content
    interviews = [
        c
        for c in ws.list(Content)
        if c.project_id == project_id and c.kind is ContentKind.MICRO_INTERVIEW
    ]
    found = sorted(
        (c for c in interviews if _local_day(ws, c.created_at) <= last_day),
        key=lambda c: (c.created_at, c.id),
    )
    if not found:
        later = (
            f" (its interviews were made after {month:%Y-%m}: an update quotes only what was "
            "said by the end of its month)"
            if interviews
            else ""
        )
        raise ValidationError(
            f"project {project_id!r} has no micro-interview to quote{later}; record one with "
            "`terrain project interview PROJECT ID --member M --text ... --on DATE`"
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


def _composite_people(sources: Sequence[Content]) -> tuple[list[Appearance], bool]:
    """The people of a composite made of ``sources``: everyone who appears in any of
    them (reviewed only if reviewed in every source that shows them), and whether
    the people of every source were reviewed."""
    people: dict[str, Appearance] = {}
    for content in sources:
        for a in content.appearances:
            seen = people.get(a.member_id)
            reviewed = a.reviewed if seen is None else seen.reviewed and a.reviewed
            people[a.member_id] = Appearance(a.member_id, None, reviewed)
    return [people[m] for m in sorted(people)], all(c.people_reviewed for c in sources)


def _inherited_review(
    sources: Sequence[Content], appearances: Sequence[Appearance]
) -> PeopleReview | None:
    """The review a composite inherits from its photos: who reviewed them, when the last
    of them was, for the people the composite shows (``None`` if no review was logged)."""
    lasts = [c.last_review for c in sources]
    if any(r is None for r in lasts):
        return None
    done = [r for r in lasts if r is not None]
    return PeopleReview(
        by=" and ".join(sorted({r.by for r in done})),
        at=max((r.at for r in done), key=instant),
        people=[(a.member_id, a.media_id) for a in appearances],
    )


def _composite_image(
    ws: Workspace,
    project: Project,
    pair: ViewpointPair,
    *,
    height: int = 600,
    image_format: str = "JPEG",
) -> bytes:
    """``pair`` side by side, captions and title in the community's language."""
    language = ws.community.language
    before_caption, later_caption = composite_captions(pair, language=language)
    return before_after_image(
        ws.storage.get(pair.before.key),
        ws.storage.get(pair.later.key),
        before_caption=before_caption,
        later_caption=later_caption,
        title=composite_title(project, pair, language=language),
        height=height,
        image_format=image_format,
    )


def _store_composite(
    ws: Workspace, project: Project, pair: ViewpointPair, month: date
) -> PostMedia:
    """Store the before/now image of ``pair`` as a content of its own, whose people are
    those of both photos (kept in step with them each time), so the consent gate and
    a takedown know who is in it."""
    import hashlib

    language = ws.community.language
    image = _composite_image(ws, project, pair)
    checksum = hashlib.sha256(image).hexdigest()
    content_id = f"composite-{checksum[:12]}"
    media_id = f"m-{checksum[:12]}"
    key = f"projects/{project.id}/composites/{month:%Y-%m}-{checksum[:12]}.jpg"
    alt = f"{project.title}, {pair.viewpoint}: {pair.before.taken_on} → {pair.later.taken_on}"
    sources = [ws.get(Content, pair.before.content_id), ws.get(Content, pair.later.content_id)]
    appearances, reviewed = _composite_people(sources)
    if not ws.exists(Content, content_id):
        ws.storage.put(key, image)
        ws.add(
            Content(
                id=content_id,
                kind=ContentKind.PHOTO,
                created_at=max(c.created_at for c in sources),
                title=phrase(language, "composite_content_title", viewpoint=str(pair.viewpoint)),
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
                appearances=appearances,
                people_reviewed=reviewed,
                project_id=project.id,
            )
        )
    stored = ws.get(Content, content_id)
    if (list(stored.appearances), stored.people_reviewed) != (appearances, reviewed):
        # someone was added to (or reviewed in) a source photo since: the composite follows,
        # reviewed by the reviews of its photos (else a change of people resets its review)
        review = _inherited_review(sources, appearances) if reviewed else None
        stored = attrs.evolve(
            stored,
            appearances=appearances,
            people_reviewed=reviewed,
            reviews=stored.reviews if review is None else (*stored.reviews, review),
        )
        stored = ws.put(stored)
    media = stored.media[0]
    return PostMedia(media.key, media.media_type, media.alt_text, content_id, media.id)


def set_project_phase(ws: Workspace, project_id: str, phase: Phase | str) -> Project:
    """Project ``project_id`` is now in ``phase`` (before, during or after the works)."""
    project = attrs.evolve(ws.get(Project, project_id), phase=phase)
    ws.put(project)
    return project


@attrs.frozen
class Composite:
    """A before/after image made for people to look at (not published): the image, the
    pair it shows, and what to know before showing it around (``warnings``: people
    in it, people not reviewed)."""

    image: bytes
    pair: ViewpointPair
    warnings: tuple[str, ...]


def project_composite(
    ws: Workspace,
    project_id: str,
    viewpoint: str,
    *,
    on: date | None = None,
    height: int = 600,
    image_format: str = "JPEG",
) -> Composite:
    """The before/after image of ``viewpoint`` (photos taken by ``on``), whole, with the
    "Avant / Après" captions and title in the community's language.

    Writing it to a file publishes nothing, but the image shows whoever the two
    photos show: the result's ``warnings`` name them, and people not reviewed.
    Only ``terrain project update --composite`` publishes it, through the
    consent gate (the image is then a content whose people are both photos').
    """
    project = ws.get(Project, project_id)
    pair = project_pair(ws, project_id, viewpoint=viewpoint, on=on)
    image = _composite_image(ws, project, pair, height=height, image_format=image_format)
    sources = [ws.get(Content, pair.before.content_id), ws.get(Content, pair.later.content_id)]
    people, _reviewed = _composite_people(sources)
    names = {m.id: m.display_name for m in ws.list(Member)}
    warnings = []
    if people:
        shown = ", ".join(names.get(a.member_id, a.member_id) for a in people)
        warnings.append(
            f"it shows {shown}: keep it to yourself; `terrain project update --composite` "
            "publishes it only with their consent"
        )
    for content in sources:
        if not content.people_reviewed or any(not a.reviewed for a in content.appearances):
            warnings.append(
                f"nobody has checked who is in {content.title or content.id} ({content.id}): "
                f"review it with `terrain content people {content.id} --reviewed` before "
                "showing the image around"
            )
    return Composite(image, pair, tuple(warnings))


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
    project made by the end of ``month``: a July update never quotes what was
    said in November). The text is in the community's language. With
    ``composite`` one side-by-side image (stored in the
    workspace's media) replaces the two photos. A ``dry_run`` needs no token
    (each platform's capabilities are enough); ``enqueue`` only plans the post
    for publisher workers (``terrain worker``), as for event recaps. The result's
    ``subject_id`` is the project id (``subject_kind`` is ``"project"``). Running it
    again never posts twice.
    """
    clock = clock_from(now)
    project = ws.get(Project, project_id)
    pair = project_pair(ws, project_id, viewpoint=viewpoint, on=_month_end(month))
    interview = _interview(ws, project_id, interview_id, month=month)
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
    words = ws.templates().get("project-update")
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
            language=ws.community.language,
            template=words,
            community=ws.community.name,
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
        subject_kind="project",
    )
