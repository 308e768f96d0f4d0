"""No location and no thumbnail leaves in a media file: metadata segments and chunks are
rewritten from the values a viewer needs, never copied, and checked again on the way
out (media can reach the storage without being imported)."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageCms

from terrain._icc import clean_icc
from terrain.errors import Rejected
from terrain.media import MediaRejected, clean_media, prepare_image
from terrain_adapters._shared import check_media_clean, read_media
from tests.terrain_adapters._fakes import DictStorage

MARKER = b"LOC:45.7640N,4.8357E"


def base_jpeg(size: tuple[int, int] = (48, 32)) -> bytes:
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((20, 90, 200), (0, 0, size[0] // 2, size[1] // 3))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def with_segments(jpeg: bytes, *segments: bytes) -> bytes:
    """``jpeg`` with ``segments`` right after SOI (before its own JFIF segment)."""
    return jpeg[:2] + b"".join(segments) + jpeg[2:]


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB").tobytes()


def icc_text_of(data: bytes) -> bytes:
    """The ICC profile a viewer would read (JPEG or PNG), or b""."""
    with Image.open(io.BytesIO(data)) as image:
        return bytes(image.info.get("icc_profile") or b"")


def leaks(data: bytes) -> bool:
    """Whether the marker is anywhere in the file, or in its (compressed) ICC profile."""
    return MARKER in data or MARKER in icc_text_of(data)


# -- the examples of the defect ----------------------------------------------------------


def test_a_jfif_thumbnail_the_uncropped_picture_never_survives() -> None:
    thumbnail = (MARKER * 40)[: 16 * 12 * 3]  # 16x12 RGB thumbnail pixels
    jfif = b"JFIF\0\x01\x02\x01\x00\x48\x00\x48" + bytes((16, 12)) + thumbnail
    original = base_jpeg()
    photo = with_segments(original[:2] + original[20:], segment(0xE0, jfif))  # replaces APP0
    prepared = prepare_image(photo, name="crop.jpg")
    assert MARKER not in prepared.data
    app0 = prepared.data[2:4] == b"\xff\xe0" and prepared.data[4:6]
    assert app0 == (16).to_bytes(2, "big")  # JFIF without thumbnail: 14 bytes + length
    assert pixels(prepared.data) == pixels(photo)


def test_a_hand_made_icc_segment_carrying_a_location_never_survives() -> None:
    fake_icc = b"ICC_PROFILE\0\x01\x01" + b"\0\0\x01\0lcms" + MARKER * 4
    prepared = prepare_image(with_segments(base_jpeg(), segment(0xE2, fake_icc)), name="a.jpg")
    assert not leaks(prepared.data)


def test_an_adobe_segment_carrying_a_location_keeps_only_its_colour_transform() -> None:
    adobe = b"Adobe\0\x64\x80\0\0\0\x01" + b" place Bellecour, " + MARKER
    prepared = prepare_image(with_segments(base_jpeg(), segment(0xEE, adobe)), name="a.jpg")
    assert MARKER not in prepared.data
    assert b"Adobe\0\x64\0\0\0\0\x01" in prepared.data


def test_a_real_colour_profile_is_kept_as_colour_and_loses_its_text() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert clean_icc(srgb) is not None
    image = Image.new("RGB", (40, 30), (10, 120, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", icc_profile=srgb)
    prepared = prepare_image(buffer.getvalue(), name="p3.jpg")
    profile = icc_text_of(prepared.data)
    assert profile, "the colour profile is kept"
    parsed = ImageCms.ImageCmsProfile(io.BytesIO(profile))  # littleCMS reads it
    assert ImageCms.getProfileDescription(parsed).strip() == "ICC profile"
    assert pixels(prepared.data) == pixels(buffer.getvalue())


# -- at the way out -----------------------------------------------------------------------


def phone_photo() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 60))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N"}
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), comment=MARKER)
    return buffer.getvalue()


def test_a_photo_that_reached_the_storage_without_import_leaves_cleaned() -> None:
    storage = DictStorage()
    storage.put("photos/copied-by-hand.jpg", phone_photo())
    sent = read_media(storage, "photos/copied-by-hand.jpg", platform="outbox")
    assert MARKER not in sent
    with Image.open(io.BytesIO(sent)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert exif.get(ExifTags.Base.Orientation) == 6  # still shows upright


def test_a_platform_fetching_a_public_url_refuses_a_file_that_is_not_clean() -> None:
    storage = DictStorage()
    storage.put("photos/raw.jpg", phone_photo())
    storage.put("photos/imported.jpg", prepare_image(phone_photo()).data)
    with pytest.raises(Rejected, match="carries metadata that must not leave"):
        check_media_clean(storage, "photos/raw.jpg", platform="instagram")
    check_media_clean(storage, "photos/imported.jpg", platform="instagram")


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "TIFF"])
def test_a_file_terrain_cannot_clean_is_never_sent(fmt: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format=fmt)
    storage = DictStorage()
    storage.put("photos/other", buffer.getvalue())
    with pytest.raises(Rejected, match="neither a JPEG nor a PNG"):
        read_media(storage, "photos/other", platform="x")


# -- the class: whatever metadata a file carries, none of it leaves -----------------------

_PREFIXES = [
    b"",
    b"JFIF\0\x01\x01\x00\x00\x01\x00\x01",
    b"JFXX\0\x10",
    b"Exif\0\0II*\0",
    b"http://ns.adobe.com/xap/1.0/\0",
    b"ICC_PROFILE\0\x01\x01",
    b"ICC_PROFILE\0\x01\x01\0\0\x02\0lcms\x02\x10\0\0mntrRGB XYZ ",
    b"MPF\0",
    b"Photoshop 3.0\x008BIM",
    b"Adobe\0\x64\0\0\0\0\x01",
    b"Ducky",
]


@st.composite
def app_segments(draw: st.DrawFn) -> bytes:
    """An APPn (or COM) segment whose payload hides the marker somewhere."""
    marker = draw(st.sampled_from([*range(0xE0, 0xF0), 0xFE]))
    prefix = draw(st.sampled_from(_PREFIXES))
    before = draw(st.binary(max_size=40))
    after = draw(st.binary(max_size=40))
    return segment(marker, prefix + before + MARKER + after)


@settings(max_examples=150)
@given(segments=st.lists(app_segments(), min_size=1, max_size=5))
def test_no_app_segment_with_a_location_survives_egress_for_jpeg(segments: list[bytes]) -> None:
    original = base_jpeg()
    dirty = with_segments(original, *segments)
    cleaned = clean_media(dirty)
    assert not leaks(cleaned)
    assert pixels(cleaned) == pixels(original)
    assert clean_media(cleaned) == cleaned  # idempotent


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def base_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (24, 16), (10, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


@st.composite
def png_chunks(draw: st.DrawFn) -> bytes:
    """A text, EXIF, ICC or private chunk hiding the marker (compressed or not)."""
    kind = draw(st.sampled_from([b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP", b"prVt", b"tIME"]))
    text = draw(st.binary(max_size=30)) + MARKER + draw(st.binary(max_size=30))
    if kind == b"zTXt":
        body = b"Location\0\0" + zlib.compress(text)
    elif kind == b"iTXt":
        body = b"XML:com.adobe.xmp\0\0\0\0\0" + text
    elif kind == b"iCCP":
        body = b"ICC Profile\0\0" + zlib.compress(b"\0\0\x02\0lcms" + bytes(28) + b"acsp" + text)
    else:
        body = text
    return chunk(kind, body)


@settings(max_examples=150)
@given(extra=st.lists(png_chunks(), min_size=1, max_size=5), after_data=st.booleans())
def test_no_chunk_with_a_location_survives_egress_for_png(
    extra: list[bytes], after_data: bool
) -> None:
    original = base_png()
    at = original.index(b"IEND") - 4 if after_data else 33  # after IHDR, or before IEND
    dirty = original[:at] + b"".join(extra) + original[at:]
    cleaned = clean_media(dirty)
    assert not leaks(cleaned)
    assert pixels(cleaned) == pixels(original)
    assert clean_media(cleaned) == cleaned


def icc_profile(text_tags: dict[bytes, bytes], version: int = 2) -> bytes:
    """A well-formed ICC profile: sRGB's colour tags plus text tags of our choosing."""
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    count = int.from_bytes(srgb[128:132], "big")
    tags = []
    for i in range(count):
        signature, offset, size = struct.unpack(">4sII", srgb[132 + 12 * i : 144 + 12 * i])
        if signature not in text_tags:
            tags.append((signature, srgb[offset : offset + size]))
    tags += [(sig, b"text\0\0\0\0" + body) for sig, body in text_tags.items()]
    table, data = bytearray(), bytearray()
    start = 132 + 12 * len(tags)
    for signature, body in tags:
        table += struct.pack(">4sII", signature, start + len(data), len(body))
        data += body + b"\0" * (-len(body) % 4)
    header = bytearray(srgb[:128])
    header[0:4] = (start + len(data)).to_bytes(4, "big")
    header[8] = version
    return bytes(header) + len(tags).to_bytes(4, "big") + bytes(table) + bytes(data)


@settings(max_examples=60)
@given(
    tags=st.dictionaries(
        st.sampled_from([b"desc", b"cprt", b"dmnd", b"dmdd", b"meta", b"GPS ", b"priv"]),
        st.binary(max_size=30).map(lambda b: b + MARKER),
        min_size=1,
        max_size=4,
    ),
    version=st.sampled_from([2, 4]),
)
def test_a_well_formed_icc_profile_keeps_its_colour_and_loses_every_text(
    tags: dict[bytes, bytes], version: int
) -> None:
    profile = icc_profile(tags, version)
    cleaned = clean_icc(profile)
    assert cleaned is not None
    assert MARKER not in cleaned
    ImageCms.ImageCmsProfile(io.BytesIO(cleaned))  # still a profile littleCMS reads
    image = Image.new("RGB", (16, 16), (10, 120, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", icc_profile=profile)
    assert not leaks(clean_media(buffer.getvalue()))


@given(st.binary(max_size=300))
def test_random_bytes_are_refused_at_the_way_out_never_sent_as_they_are(data: bytes) -> None:
    try:
        cleaned = clean_media(data)
    except MediaRejected:
        return
    assert cleaned[:2] == b"\xff\xd8" or cleaned.startswith(b"\x89PNG")
