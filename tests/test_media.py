"""Photos lose every location metadata on the way in, and keep showing upright."""

from __future__ import annotations

import contextlib
import hashlib
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image

from terrain.media import MediaRejected, prepare_image

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (45.0, 45.0, 51.0),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (4.0, 50.0, 32.0),
}
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
    b'syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" '
    b'exif:GPSLatitude="45,45.85N" exif:GPSLongitude="4,50.53E"/></rdf:RDF></x:xmpmeta>'
)
IPTC_CITY = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0b\x1c\x02Z\x00\x04Lyon\x00"


def field_photo(
    *, orientation: int = 6, size: tuple[int, int] = (64, 48), xmp: bool = True, iptc: bool = True
) -> bytes:
    """A JPEG like a phone makes: EXIF with GPS and orientation, XMP, IPTC city."""
    image = Image.new("RGB", size, (200, 40, 40))
    image.paste((20, 90, 200), (0, 0, size[0] // 2, size[1] // 3))  # tells up from down
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "Fairphone"
    exif[ExifTags.IFD.GPSInfo] = GPS
    buffer = io.BytesIO()
    image.save(
        buffer, format="JPEG", quality=90, exif=exif.tobytes(), **({"xmp": XMP} if xmp else {})
    )
    data = buffer.getvalue()
    if iptc:  # an APP13 (Photoshop/IPTC) segment naming the city, right after SOI
        data = (
            data[:2] + b"\xff\xed" + (len(IPTC_CITY) + 2).to_bytes(2, "big") + IPTC_CITY + data[2:]
        )
    return data


def assert_no_location(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert ExifTags.IFD.GPSInfo not in exif
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert "xmp" not in image.info
        assert "photoshop" not in image.info
    for needle in (b"GPS", b"45,45", b"Lyon", b"8BIM", b"http://ns.adobe.com/xap", b"Fairphone"):
        assert needle not in data


def test_a_phone_photo_loses_gps_xmp_and_iptc_but_keeps_its_orientation() -> None:
    original = field_photo(orientation=6)
    with Image.open(io.BytesIO(original)) as image:  # the fixture really carries GPS
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    prepared = prepare_image(original, name="IMG_0001.jpg")
    assert_no_location(prepared.data)
    assert prepared.orientation == 6
    with Image.open(io.BytesIO(prepared.data)) as image:
        assert image.getexif()[ExifTags.Base.Orientation] == 6
    assert prepared.media_type == "image/jpeg"
    assert prepared.checksum == hashlib.sha256(prepared.data).hexdigest()


def test_jpeg_pixels_are_untouched() -> None:
    """Stripping is lossless: the decoded image is the same, pixel for pixel."""
    original = field_photo(orientation=1)
    prepared = prepare_image(original)
    with Image.open(io.BytesIO(original)) as a, Image.open(io.BytesIO(prepared.data)) as b:
        assert a.tobytes() == b.tobytes()
    assert len(prepared.data) < len(original)


def test_an_upright_photo_gets_no_exif_at_all() -> None:
    prepared = prepare_image(field_photo(orientation=1))
    assert b"Exif\x00\x00" not in prepared.data


def test_a_png_loses_its_location_text_xmp_and_gps_and_is_turned_upright() -> None:
    buffer = io.BytesIO()
    info = __import__("PIL.PngImagePlugin", fromlist=["PngInfo"]).PngInfo()
    info.add_text("XML:com.adobe.xmp", XMP.decode())
    info.add_text("Location", "Place Bellecour, Lyon")
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = GPS
    exif[ExifTags.Base.Orientation] = 3
    Image.new("RGB", (30, 20), (0, 128, 0)).save(buffer, format="PNG", pnginfo=info, exif=exif)
    prepared = prepare_image(buffer.getvalue(), name="square.png")
    assert prepared.media_type == "image/png"
    assert prepared.extension == "png"
    assert_no_location(prepared.data)
    with Image.open(io.BytesIO(prepared.data)) as image:
        assert image.text == {}
        assert image.size == (30, 20)  # turned upright (180°) before the tag was dropped


def test_a_text_file_is_rejected_with_its_name() -> None:
    with pytest.raises(MediaRejected, match=r"notes\.jpg: is not an image"):
        prepare_image(b"Meetup notes: 14 people, great talk.", name="notes.jpg")


def test_an_empty_file_is_rejected() -> None:
    with pytest.raises(MediaRejected, match="empty"):
        prepare_image(b"", name="zero.jpg")


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.95])
def test_a_truncated_jpeg_is_rejected(keep: float) -> None:
    data = field_photo(size=(320, 240))
    with pytest.raises(MediaRejected, match=r"cut\.jpg: .*(truncated|corrupt)"):
        prepare_image(data[: int(len(data) * keep)], name="cut.jpg")


def test_a_gif_is_rejected_with_what_to_do() -> None:
    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, format="GIF")
    with pytest.raises(MediaRejected, match="GIF image; terrain stores JPEG, PNG: convert"):
        prepare_image(buffer.getvalue(), name="anim.gif")


@settings(max_examples=30, deadline=None)
@given(
    orientation=st.integers(1, 8),
    width=st.integers(1, 96),
    height=st.integers(1, 96),
    xmp=st.booleans(),
    iptc=st.booleans(),
)
def test_no_prepared_jpeg_carries_location(
    orientation: int, width: int, height: int, xmp: bool, iptc: bool
) -> None:
    prepared = prepare_image(
        field_photo(orientation=orientation, size=(width, height), xmp=xmp, iptc=iptc)
    )
    assert_no_location(prepared.data)
    assert prepared.orientation == orientation
    assert (prepared.width, prepared.height) == (width, height)


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_crash_only_reject(data: bytes) -> None:
    """Anything but MediaRejected escaping (OSError, SyntaxError…) fails this test."""
    with contextlib.suppress(MediaRejected):
        prepare_image(data)


@settings(max_examples=40, deadline=None)
@given(cut=st.integers(2, 4000), flip=st.integers(0, 255))
def test_damaged_jpegs_are_rejected_or_stored_clean(cut: int, flip: int) -> None:
    data = bytearray(field_photo(size=(80, 60)))
    data[cut % len(data)] ^= flip
    try:
        prepared = prepare_image(bytes(data))
    except MediaRejected:
        return
    assert_no_location(prepared.data)


@pytest.mark.parametrize("name", ["IMG_0001.jpg", "IMG_0001.JPEG", "scan.heic"])
def test_a_name_that_contradicts_the_content_is_refused_with_the_right_name(name: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 128, 0)).save(buffer, format="PNG")
    with pytest.raises(MediaRejected) as caught:
        prepare_image(buffer.getvalue(), name=name)
    stem = name.rsplit(".", 1)[0]
    assert f"rename it {stem}.png" in str(caught.value)


@pytest.mark.parametrize("name", ["", "photo", "photo.dat", ".jpg"])
def test_a_name_without_an_image_extension_is_judged_by_the_content(name: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 128, 0)).save(buffer, format="PNG")
    assert prepare_image(buffer.getvalue(), name=name).media_type == "image/png"


@settings(max_examples=60, deadline=None)
@given(
    marker=st.integers(0xC0, 0xFE).filter(lambda m: m not in (0xD8, 0xD9, 0xDA) and
                                          not 0xD0 <= m <= 0xD7),
    padding=st.binary(max_size=40),
)
def test_location_hidden_under_any_non_metadata_marker_never_leaves(
    marker: int, padding: bytes
) -> None:
    """A flipped byte once turned the EXIF marker into 0xFFDC (DNL), and the filter,
    which dropped APPn segments by marker only, copied the GPS along: every segment a
    decoder does not need goes, and the ones it needs must have exactly their shape."""
    data = field_photo(size=(80, 60))
    payload = padding + b"GPS 45.7640 N 4.8357 E Fairphone"
    segment = bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload
    sos = data.index(b"\xff\xda")
    tampered = data[:sos] + segment + data[sos:]
    try:
        prepared = prepare_image(tampered)
    except MediaRejected:
        return
    assert b"Fairphone" not in prepared.data
    assert b"45.7640" not in prepared.data
