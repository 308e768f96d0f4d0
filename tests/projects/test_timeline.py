"""The square's before/after update: timeline, composite image, progress post."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
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


def framed(size: tuple[int, int], left: str = "lime", right: str = "magenta") -> bytes:
    """A grey photo with a coloured strip along its left and right edges: if either strip
    is missing from a composite, the scene was cropped."""
    image = Image.new("RGB", size, "grey")
    strip = max(2, size[0] // 5)
    image.paste(Image.new("RGB", (strip, size[1]), left), (0, 0))
    image.paste(Image.new("RGB", (strip, size[1]), right), (size[0] - strip, 0))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def close_to(pixel: object, color: str) -> bool:
    from PIL import ImageColor

    assert isinstance(pixel, tuple)
    return all(abs(a - b) < 60 for a, b in zip(pixel, ImageColor.getrgb(color), strict=False))


def test_a_landscape_photo_next_to_a_portrait_one_keeps_its_whole_scene() -> None:
    """It used to be cropped to the portrait's shape: half the square was gone."""
    data = before_after_image(
        framed((800, 600)),
        framed((600, 800), left="blue", right="yellow"),
        before_caption="Avant — 10/01/2026",
        later_caption="Après — 28/05/2026",
        height=300,
        image_format="PNG",
    )
    with Image.open(io.BytesIO(data)) as img:
        rgb = img.convert("RGB")
        width, height = rgb.size
        assert (width, height) == (400 + 225, 300 + 25)  # both at 300 px high, whole
        row = 150
        assert close_to(rgb.getpixel((2, row)), "lime")
        assert close_to(rgb.getpixel((397, row)), "magenta")  # the right edge of the scene
        assert close_to(rgb.getpixel((402, row)), "blue")
        assert close_to(rgb.getpixel((width - 3, row)), "yellow")
        band = [rgb.getpixel((x, 300 + 12)) for x in range(width)]
    assert any(px != (255, 255, 255) for px in band)  # the captions are drawn


def test_the_title_is_drawn_above_the_photos() -> None:
    data = before_after_image(
        framed((400, 300)),
        framed((400, 300)),
        before_caption="Avant — 10/01/2026",
        later_caption="Après — 28/05/2026",
        title="Place du Marché — fontaine",
        height=200,
        image_format="PNG",
    )
    with Image.open(io.BytesIO(data)) as img:
        rgb = img.convert("RGB")
        width, height = rgb.size
        band = 24
        assert height == band + 200 + band
        title = [rgb.getpixel((x, y)) for x in range(width // 2) for y in range(band)]
        assert close_to(rgb.getpixel((2, band + 100)), "lime")  # the photos start below it
    assert any(px != (255, 255, 255) for px in title)


@settings(max_examples=40, deadline=None)
@given(
    st.tuples(st.integers(40, 600), st.integers(40, 600)),
    st.tuples(st.integers(40, 600), st.integers(40, 600)),
    st.integers(60, 300),
)
def test_no_scene_is_ever_cropped_whatever_the_shapes(
    before: tuple[int, int], later: tuple[int, int], height: int
) -> None:
    """Each photo keeps its shape and both its edges, at the same height as the other."""
    w1 = max(1, round(height * before[0] / before[1]))
    w2 = max(1, round(height * later[0] / later[1]))
    assume(min(w1, w2) >= 20)  # the edge strips of a sliver are blurred away by scaling
    data = before_after_image(
        framed(before),
        framed(later, left="blue", right="yellow"),
        before_caption="Avant",
        later_caption="Après",
        height=height,
        image_format="PNG",
    )
    with Image.open(io.BytesIO(data)) as img:
        rgb = img.convert("RGB")
        assert rgb.size[0] == w1 + w2
        row = height // 2
        for x, color in ((0, "lime"), (w1 - 1, "magenta"), (w1, "blue"), (w1 + w2 - 1, "yellow")):
            assert close_to(rgb.getpixel((x, row)), color), (x, color)


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
    assert post.text.startswith("Place du Marché\u00a0: avancement de mai 2026")
    assert "Fontaine démontée" in post.text
    assert "Pavés posés" not in post.text
    assert "«\u00a0On a hâte de retrouver la terrasse.\u00a0» — Nadia, boulangère" in post.text
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


def test_the_update_is_written_in_the_communitys_language() -> None:
    """It was in English whatever the community: a July update in a French town read
    "July 2026 update"."""
    baker = Member(id="nadia", display_name="Nadia, boulangère")
    interview = Content(
        id="itw-nadia",
        kind="micro-interview",
        created_at=datetime(2026, 4, 20, tzinfo=UTC),
        body="On a hâte de retrouver la terrasse.",
        appearances=[Appearance("nadia", reviewed=True)],
        people_reviewed=True,
    )
    texts = {
        language: progress_post(
            SQUARE,
            month=date(2026, 4, 1),
            platform="x",
            pair=before_now_pair(PHOTOS, "fontaine"),
            interview=interview,
            interviewee=baker,
            composite_key="media/composite.jpg",
            language=language,
        )
        for language in ("fr", "en")
    }
    assert texts["fr"].text.startswith("Place du Marché\u00a0: avancement d’avril 2026")
    assert texts["fr"].media[0].alt_text.startswith("Avant (Place du Marché, fontaine, 10/01/2026")
    assert texts["en"].text.startswith("Place du Marché: April 2026 update")
    assert "“On a hâte de retrouver la terrasse.” — Nadia, boulangère" in texts["en"].text
    assert texts["en"].media[0].alt_text.startswith("Before (")
    with pytest.raises(ValidationError, match="terrain writes public texts in fr, en"):
        progress_post(
            SQUARE,
            month=date(2026, 4, 1),
            platform="x",
            pair=before_now_pair(PHOTOS, "fontaine"),
            interview=interview,
            interviewee=baker,
            language="de",
        )


@given(st.sampled_from(["fr", "en"]), st.integers(1, 12), st.integers(2000, 2100))
def test_every_month_has_its_own_name_in_both_languages(
    language: str, month: int, year: int
) -> None:
    from terrain._language import month_name, phrase

    names = {month_name(language, m, year).split()[0] for m in range(1, 13)}
    assert len(names) == 12
    name = month_name(language, month, year)
    assert name.endswith(f" {year}")
    title = phrase(language, "update_title", title="P", month=name)
    assert name in title
    if language == "fr":  # "d'avril", "de mai": French elides "de" before a vowel
        word = name.split()[0]
        assert title.endswith(("d’" if word[0] in "aeiouéh" else "de ") + name)
