"""The photo timeline of a project, before/after composites, monthly progress posts.

A :class:`ProjectPhoto` places one photo of a project in time (its date and
phase) and in space (its viewpoint: "north corner", "fountain"). Photos from
the same viewpoint pair up: the first *before* and the latest photo give the
before/now pair of a progress post, and :func:`before_after_image` puts them
side by side, whole, with "Avant / Après" captions and a title (Pillow, loaded
only when called). Public texts are in the community's language.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

import attrs

from terrain._language import DEFAULT_LANGUAGE, month_name, month_of, phrase
from terrain._validation import a_date, as_enum, identifier, member_of, optional, text
from terrain.community import Member
from terrain.content import Content, ContentKind
from terrain.errors import ValidationError
from terrain.posts import Post, PostMedia
from terrain.projects._models import Phase, Project
from terrain.templates import Template, default_templates

__all__ = [
    "ProjectPhoto",
    "Timeline",
    "ViewpointPair",
    "before_after_image",
    "before_now_pair",
    "composite_captions",
    "composite_title",
    "photo_timeline",
    "progress_post",
    "viewpoint_pairs",
]


def _to_phase(value: Phase | str) -> Phase:
    return as_enum(Phase, value)


@attrs.frozen
class ProjectPhoto:
    """A photo of a project: media ``media_id`` of content ``content_id``, stored at ``key``."""

    content_id: str = attrs.field(validator=identifier())
    media_id: str = attrs.field(validator=identifier())
    key: str = attrs.field(validator=text(nonempty=True, max_length=1024))
    taken_on: date = attrs.field(validator=a_date())
    phase: Phase = attrs.field(converter=_to_phase, validator=member_of(Phase))
    viewpoint: str | None = attrs.field(
        default=None, validator=optional(text(nonempty=True, max_length=200))
    )
    alt_text: str = attrs.field(default="", validator=text(max_length=1500))


@attrs.frozen
class Timeline:
    """The photos of a project by phase, each phase in date order."""

    before: tuple[ProjectPhoto, ...]
    during: tuple[ProjectPhoto, ...]
    after: tuple[ProjectPhoto, ...]

    @property
    def photos(self) -> tuple[ProjectPhoto, ...]:
        """Every photo, before then during then after."""
        return self.before + self.during + self.after


def photo_timeline(photos: Iterable[ProjectPhoto]) -> Timeline:
    """Sort ``photos`` into before / during / after, oldest first in each phase."""
    ordered = sorted(photos, key=lambda p: (p.taken_on, p.content_id, p.media_id))
    return Timeline(
        before=tuple(p for p in ordered if p.phase is Phase.BEFORE),
        during=tuple(p for p in ordered if p.phase is Phase.DURING),
        after=tuple(p for p in ordered if p.phase is Phase.AFTER),
    )


@attrs.frozen
class ViewpointPair:
    """Two photos from the same viewpoint: the first before, and a later one."""

    viewpoint: str
    before: ProjectPhoto
    later: ProjectPhoto


def before_now_pair(
    photos: Iterable[ProjectPhoto], viewpoint: str, *, on: date | None = None
) -> ViewpointPair:
    """The first *before* photo of ``viewpoint`` and the latest one taken by ``on``."""
    same = sorted(
        (p for p in photos if p.viewpoint == viewpoint and (on is None or p.taken_on <= on)),
        key=lambda p: p.taken_on,
    )
    befores = [p for p in same if p.phase is Phase.BEFORE]
    if not befores:
        raise ValidationError(
            f"no 'before' photo from viewpoint {viewpoint!r}; take one there (or tag an old "
            "photo with this viewpoint) before asking for a before/now pair"
        )
    later = [p for p in same if p.taken_on > befores[0].taken_on and p.phase is not Phase.BEFORE]
    if not later:
        raise ValidationError(
            f"viewpoint {viewpoint!r} has no photo after {befores[0].taken_on}; "
            "take a new one from the same spot"
        )
    return ViewpointPair(viewpoint, befores[0], later[-1])


def viewpoint_pairs(photos: Iterable[ProjectPhoto]) -> tuple[ViewpointPair, ...]:
    """A before/latest pair for every viewpoint that has both, by viewpoint name."""
    photos = tuple(photos)
    pairs = []
    for viewpoint in sorted({p.viewpoint for p in photos if p.viewpoint is not None}):
        try:
            pairs.append(before_now_pair(photos, viewpoint))
        except ValidationError:
            continue
    return tuple(pairs)


def before_after_image(
    before: bytes,
    later: bytes,
    *,
    before_caption: str,
    later_caption: str,
    title: str = "",
    height: int = 600,
    image_format: str = "JPEG",
) -> bytes:
    """A side-by-side composite: both photos whole, at the same height, each with its caption.

    Nothing of either scene is cut: each photo is scaled to ``height`` pixels
    and keeps its own shape, so a landscape photo next to a portrait one
    stays whole. The caption band sits under each photo (e.g. ``"Avant —
    10/01/2026"``), ``title`` (if any) in a band on top. Returns the encoded
    image (``"JPEG"`` or ``"PNG"``), with no metadata carried over.
    """
    from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

    fmt = image_format.upper()
    if fmt not in {"JPEG", "PNG"}:
        raise ValidationError(f"before_after_image: format {image_format!r}; use 'JPEG' or 'PNG'")
    if height < 50:
        raise ValidationError(f"before_after_image: height {height} is too small; use 50 or more")
    images = []
    for name, data in (("before", before), ("later", later)):
        try:
            with Image.open(io.BytesIO(data)) as img:
                img.load()
                images.append(ImageOps.exif_transpose(img).convert("RGB"))
        except (UnidentifiedImageError, OSError) as exc:
            raise ValidationError(
                f"before_after_image: the {name} photo is not a readable image ({exc})"
            ) from exc
    tiles = [
        i.resize((max(1, round(height * i.width / i.height)), height), Image.Resampling.LANCZOS)
        for i in images
    ]
    band = max(24, height // 12)
    font = ImageFont.load_default(size=max(12, band * 2 // 3))
    top = band if title else 0
    width = sum(t.width for t in tiles)
    canvas = Image.new("RGB", (width, top + height + band), "white")
    draw = ImageDraw.Draw(canvas)
    if title:
        draw.text((8, top // 2), title, fill="black", font=font, anchor="lm")
    x = 0
    for tile, caption in zip(tiles, (before_caption, later_caption), strict=True):
        canvas.paste(tile, (x, top))
        draw.text((x + 8, top + height + band // 2), caption, fill="black", font=font, anchor="lm")
        x += tile.width
    out = io.BytesIO()
    canvas.save(out, format=fmt)
    return out.getvalue()


def composite_captions(pair: ViewpointPair, *, language: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """The captions of ``pair``'s before/after image: ``("Avant — 10/01/2026", "Après —
    28/04/2026")`` in French, ``Before`` / ``After`` in English."""
    return (
        f"{phrase(language, 'before')} — {pair.before.taken_on:%d/%m/%Y}",
        f"{phrase(language, 'after')} — {pair.later.taken_on:%d/%m/%Y}",
    )


def composite_title(
    project: Project, pair: ViewpointPair, *, language: str = DEFAULT_LANGUAGE
) -> str:
    """The title of ``pair``'s before/after image: the project and the viewpoint."""
    return phrase(language, "composite_title", title=project.title, viewpoint=pair.viewpoint)


def _quote_of(interview: Content) -> str:
    source = (interview.body or interview.caption).strip()
    if not source:
        raise ValidationError(
            f"content {interview.id!r} has no text to quote; write the transcript in its body"
        )
    first = source.split("\n")[0].strip()
    return first if len(first) <= 280 else first[:277].rstrip() + "…"


def progress_post(
    project: Project,
    *,
    month: date,
    platform: str,
    pair: ViewpointPair,
    interview: Content,
    interviewee: Member,
    summary: str = "",
    composite_key: str | None = None,
    language: str = DEFAULT_LANGUAGE,
    template: Template | None = None,
    community: str = "",
) -> Post:
    """The monthly update of ``project``: text, the before/now pair, a quote.

    Written in ``language`` (the community's: ``"fr"`` or ``"en"``), with its
    ``project-update`` ``template`` (:mod:`terrain.templates`; terrain's
    default in ``language`` when not given). The
    quote is the first line of the micro-interview's transcript. The post
    names every content it draws on in ``content_ids``: the publishing gate
    checks the consent of the people in them (the interviewee's ``interview``
    consent included) right before publishing. With ``composite_key`` (a
    :func:`before_after_image` already stored), one image is attached instead
    of the two photos.
    """
    if interview.kind is not ContentKind.MICRO_INTERVIEW:
        raise ValidationError(
            f"content {interview.id!r} is a {interview.kind.value}; quote a micro-interview"
        )
    if interviewee.id not in interview.member_ids:
        raise ValidationError(
            f"{interviewee.display_name} ({interviewee.id!r}) is not in micro-interview "
            f"{interview.id!r}; add the appearance or pick the right interview"
        )
    reached = [
        m
        for m in project.milestones
        if m.reached_on and (m.reached_on.year, m.reached_on.month) == (month.year, month.month)
    ]
    words = template or default_templates(language).get("project-update")
    language = words.language
    month_text = month_name(language, month.month, month.year)
    text = words.render(
        {
            "community": community,
            "title": project.title,
            "month": month_text,
            "month_of": month_of(month_text),
            "summary": summary.strip(),
            "milestones": "\n\n".join(
                f"✔ {m.title} ({m.reached_on:%d/%m})" for m in reached if m.reached_on
            ),
            "quote": _quote_of(interview),
            "who": interviewee.display_name,
        }
    )
    b, n = pair.before, pair.later
    alt_b = b.alt_text or phrase(
        language,
        "photo_alt_before",
        title=project.title,
        viewpoint=str(pair.viewpoint),
        day=f"{b.taken_on:%d/%m/%Y}",
    )
    alt_n = n.alt_text or phrase(
        language,
        "photo_alt",
        title=project.title,
        viewpoint=str(pair.viewpoint),
        day=f"{n.taken_on:%d/%m/%Y}",
    )
    media: tuple[PostMedia, ...]
    if composite_key is not None:
        alt = phrase(language, "composite_alt", before=alt_b, after=alt_n)
        media = (PostMedia(composite_key, "image/jpeg", alt),)
    else:
        media = (
            PostMedia(b.key, "image/jpeg", alt_b, b.content_id, b.media_id),
            PostMedia(n.key, "image/jpeg", alt_n, n.content_id, n.media_id),
        )
    content_ids = tuple(dict.fromkeys([b.content_id, n.content_id, interview.id]))
    return Post(
        id=f"{project.id}-{month:%Y-%m}-{platform}",
        platform=platform,
        text=text,
        media=media,
        content_ids=content_ids,
    )
