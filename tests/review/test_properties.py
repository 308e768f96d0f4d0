"""Properties of the review desk's classes of problems, over generated inputs.

- Face tags: whatever faces a photo tool tagged (names with any characters, regions
  anywhere in the frame), in any of the three XMP forms tools write, the import reads
  back the same names and regions.
- Blurring: whatever regions consent blurs, the outgoing picture differs from the
  stored one only inside the boxes of those regions (a PNG exactly; a JPEG, which is
  coded again, is the stored photo coded again outside them), and carries no metadata.
- Approval: a fingerprint changes with anything an approver looked at (text, thread,
  link, a photo, its alt text, what is blurred in it, a mention, a consent relied on)
  and with nothing else.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import attrs
import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, JpegImagePlugin

from terrain._xmp import read_face_tags
from terrain.consent import Decision
from terrain.content import Region
from terrain.media import blur_boxes, blur_regions
from terrain.posts import Mention, Post, PostMedia
from terrain.publishing import fingerprint
from terrain.testing import strategies
from tests._faces import jpeg_with_xmp, landscape, png_with_xmp, xmp_packet

SIZE = (900, 600)  #: tests._faces.landscape's
AT = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
#: A photo as cameras give them (smooth areas, edges, a little noise), as JPEG and PNG.
JPEG, PNG = landscape(seed=4), landscape(seed=4, fmt="PNG")

#: Names as a member list spells them: the MWG reader (Lightroom's form) collapses runs of
#: white space (a no-break space included) to one space, so a name is drawn already so.
names = st.text(
    st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip() and " ".join(s.split()) == s)


@st.composite
def tags(draw: st.DrawFn) -> list[tuple[str, float, float, float, float]]:
    """(name, centre x, centre y, width, height) of faces inside the frame."""
    found = []
    for region in draw(st.lists(strategies.regions(), min_size=1, max_size=4)):
        region = Region(round(region.left, 4), round(region.top, 4),
                        max(round(region.width, 4), 0.001), max(round(region.height, 4), 0.001))
        if region.left + region.width > 1 or region.top + region.height > 1:
            continue
        found.append((draw(names), region.left + region.width / 2,
                      region.top + region.height / 2, region.width, region.height))
    return found


@settings(max_examples=60, deadline=None)
@given(faces=tags(), form=st.sampled_from(["lightroom", "digikam", "picasa"]),
       container=st.sampled_from(["jpeg", "png"]))
def test_any_faces_tagged_in_any_tool_s_form_are_read_back_as_written(
    faces: list[tuple[str, float, float, float, float]], form: str, container: str
) -> None:
    packet = xmp_packet(faces, SIZE, form)
    data = jpeg_with_xmp(JPEG, packet) if container == "jpeg" else png_with_xmp(PNG, packet)
    read = read_face_tags(data, width=SIZE[0], height=SIZE[1])
    expected = list(dict.fromkeys(faces))
    assert [f.name for f in read] == [name for name, *_ in expected]
    for face, (_name, x, y, w, h) in zip(read, expected, strict=True):
        assert face.region is not None
        assert face.region.left == pytest.approx(x - w / 2, abs=1e-6)
        assert face.region.top == pytest.approx(y - h / 2, abs=1e-6)
        assert face.region.width == pytest.approx(w, abs=1e-6)
        assert face.region.height == pytest.approx(h, abs=1e-6)


def _coded_again(data: bytes) -> bytes:
    """``data`` decoded and coded again as it was (its tables, its chroma sampling)."""
    with Image.open(io.BytesIO(data)) as image:
        tables, sampling = image.quantization, JpegImagePlugin.get_sampling(image)
        out = io.BytesIO()
        image.save(out, format="JPEG", qtables=tables, subsampling=sampling)
    return out.getvalue()


def _rgb(data: bytes) -> numpy.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return numpy.asarray(image.convert("RGB")).astype(int)


@settings(max_examples=40, deadline=None)
@given(regions=st.lists(strategies.regions(), min_size=1, max_size=3),
       margin=st.sampled_from([0.0, 0.3, 1.0]), fmt=st.sampled_from(["JPEG", "PNG"]))
def test_a_blurred_copy_differs_only_inside_the_blurred_boxes(
    regions: list[Region], margin: float, fmt: str
) -> None:
    original = JPEG if fmt == "JPEG" else PNG
    out = blur_regions(original, regions, margin=margin)
    # a JPEG is coded again, with its own tables: outside the boxes (and the 16-pixel
    # blocks that share their colour samples) it must be the photo coded again, no more
    before = _rgb(original) if fmt == "PNG" else _rgb(_coded_again(original))
    after = _rgb(out)
    edge = 0 if fmt == "PNG" else 16
    inside = numpy.zeros(before.shape[:2], dtype=bool)
    for x0, y0, x1, y1 in blur_boxes(regions, *SIZE, margin=margin):
        inside[max(0, y0 - edge):y1 + edge, max(0, x0 - edge):x1 + edge] = True
    outside = numpy.abs(before - after).max(axis=2)[~inside]
    assert not outside.any()
    with Image.open(io.BytesIO(out)) as image:
        assert image.format == fmt
        assert not set(image.getexif()) - {0x0112}
        assert "xmp" not in image.info
        assert "XML:com.adobe.xmp" not in image.info


_POST = Post(
    id="post-1", platform="outbox", text="Merci à toutes et à tous !", thread=("La suite",),
    link="https://example.org/ev", mentions=(Mention("lea_m", member_id="lea"),),
    media=(PostMedia(key="photos/a.jpg", media_type="image/jpeg", alt_text="Léa au Zinc",
                     content_id="a", media_id="m-a", blur=(Region(0.1, 0.1, 0.2, 0.2),)),),
)
_CHANGES = {
    "text": lambda p: attrs.evolve(p, text=p.text + "."),
    "thread": lambda p: attrs.evolve(p, thread=(*p.thread, "Et encore")),
    "link": lambda p: attrs.evolve(p, link="https://example.org/other"),
    "mention": lambda p: attrs.evolve(p, mentions=()),
    "photo": lambda p: attrs.evolve(p, media=(attrs.evolve(p.media[0], key="photos/b.jpg"),)),
    "alt": lambda p: attrs.evolve(p, media=(attrs.evolve(p.media[0], alt_text="Léa"),)),
    "blur": lambda p: attrs.evolve(p, media=(attrs.evolve(p.media[0], blur=()),)),
    "order": lambda p: attrs.evolve(p, media=(*p.media, PostMedia(
        key="photos/c.jpg", media_type="image/jpeg", alt_text="Vélos"))),
}


@given(change=st.sampled_from(sorted(_CHANGES)), consents=st.sets(st.sampled_from(
    ["c-1", "c-2", "c-3"])))
def test_a_fingerprint_changes_with_anything_the_approver_saw(
    change: str, consents: set[str]
) -> None:
    decision = Decision(subject_kind="post", subject_id="post-1", platform="outbox",
                        purpose="publish", at=AT, allowed=True, reasons=(),
                        relied_on=tuple(sorted(consents)))
    same = fingerprint(_POST, decision)
    assert fingerprint(attrs.evolve(_POST), attrs.evolve(decision)) == same
    assert fingerprint(_CHANGES[change](_POST), decision) != same
    other = attrs.evolve(decision, relied_on=tuple(sorted(consents ^ {"c-9"})))
    assert fingerprint(_POST, other) != same
