"""The square's before/after update: timeline, composite image, progress post."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from PIL import Image

from terrain.community import Member
from terrain.content import Appearance, Content
from terrain.errors import ValidationError
from terrain.projects import (
    Milestone,
    Phase,
    Project,
    ProjectPhoto,
    before_after_image,
    before_now_pair,
    photo_timeline,
    progress_post,
    viewpoint_pairs,
)


def photo(n: int, on: date, phase: str, viewpoint: str | None = "fontaine") -> ProjectPhoto:
    return ProjectPhoto(f"c{n}", f"m{n}", f"media/p{n}.jpg", on, phase, viewpoint)


PHOTOS = [
    photo(3, date(2026, 4, 2), "during"),
    photo(1, date(2026, 1, 10), "before"),
    photo(2, date(2026, 1, 10), "before", "kiosque"),
    photo(4, date(2026, 5, 28), "during"),
    photo(5, date(2026, 5, 29), "during", None),
]

SQUARE = Project(
    id="place-du-marche",
    title="Place du Marché",
    started_on=date(2026, 1, 5),
    phase="during",
    milestones=[
        Milestone("m1", "Fontaine démontée", reached_on=date(2026, 5, 12)),
        Milestone("m2", "Pavés posés", due_on=date(2026, 7, 1)),
    ],
)


def jpeg(color: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def test_timeline_sorts_photos_by_phase_and_date() -> None:
    timeline = photo_timeline(PHOTOS)
    assert [p.content_id for p in timeline.before] == ["c1", "c2"]
    assert [p.content_id for p in timeline.during] == ["c3", "c4", "c5"]
    assert timeline.after == ()
    assert len(timeline.photos) == 5


def test_viewpoint_pairs_match_the_first_before_with_the_latest_photo() -> None:
    pair = before_now_pair(PHOTOS, "fontaine")
    assert (pair.before.content_id, pair.later.content_id) == ("c1", "c4")
    assert before_now_pair(PHOTOS, "fontaine", on=date(2026, 4, 30)).later.content_id == "c3"
    assert [p.viewpoint for p in viewpoint_pairs(PHOTOS)] == ["fontaine"]
    with pytest.raises(ValidationError, match="take a new one from the same spot"):
        before_now_pair(PHOTOS, "kiosque")


def test_before_after_composite_is_side_by_side_same_size_with_captions() -> None:
    data = before_after_image(
        jpeg("red", (800, 600)),
        jpeg("blue", (600, 800)),
        before_caption="Avant — 10/01/2026",
        later_caption="Maintenant — 28/05/2026",
        height=300,
        image_format="PNG",
    )
    with Image.open(io.BytesIO(data)) as img:
        assert img.format == "PNG"
        width, height = img.size
        assert height > 300
        rgb = img.convert("RGB")
        left = rgb.getpixel((width // 4, 150))
        right = rgb.getpixel((3 * width // 4, 150))
        assert isinstance(left, tuple)
        assert isinstance(right, tuple)
        band = [img.getpixel((x, 300 + (height - 300) // 2)) for x in range(width)]
    assert width % 2 == 0
    assert left[0] > 200
    assert left[2] < 60
    assert right[2] > 200
    assert right[0] < 60
    assert any(px != (255, 255, 255) for px in band)  # the captions are drawn


def test_composite_refuses_what_is_not_an_image() -> None:
    with pytest.raises(ValidationError, match="before photo is not a readable image"):
        before_after_image(b"nope", jpeg("blue", (10, 10)), before_caption="a", later_caption="b")


def test_monthly_progress_post_has_text_pair_and_quote() -> None:
    baker = Member(id="nadia", display_name="Nadia, boulangère")
    interview = Content(
        id="itw-nadia",
        kind="micro-interview",
        created_at=datetime(2026, 5, 20, tzinfo=UTC),
        body="On a hâte de retrouver la terrasse.\nLe reste de l'entretien…",
        appearances=[Appearance("nadia", reviewed=True)],
        people_reviewed=True,
    )
    post = progress_post(
        SQUARE,
        month=date(2026, 5, 1),
        platform="x",
        pair=before_now_pair(PHOTOS, "fontaine"),
        interview=interview,
        interviewee=baker,
        summary="Les travaux avancent.",
    )
    assert post.id == "place-du-marche-2026-05-x"
    assert post.text.startswith("Place du Marché: May 2026 update")
    assert "Fontaine démontée" in post.text
    assert "Pavés posés" not in post.text
    assert "“On a hâte de retrouver la terrasse.” — Nadia, boulangère" in post.text
    assert [m.key for m in post.media] == ["media/p1.jpg", "media/p4.jpg"]
    assert post.content_ids == ("c1", "c4", "itw-nadia")
    assert Phase.DURING is SQUARE.phase


def test_progress_post_quotes_only_a_micro_interview_of_that_person() -> None:
    text = Content(id="t", kind="text", created_at=datetime(2026, 5, 1, tzinfo=UTC), body="x")
    with pytest.raises(ValidationError, match="quote a micro-interview"):
        progress_post(
            SQUARE,
            month=date(2026, 5, 1),
            platform="x",
            pair=before_now_pair(PHOTOS, "fontaine"),
            interview=text,
            interviewee=Member(id="nadia", display_name="Nadia"),
        )
