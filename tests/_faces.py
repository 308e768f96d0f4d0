"""Photos with faces for the tests: drawn faces, and face tags as photo tools write them.

The XMP forms below are the ones Lightroom Classic, digiKam (through exiv2) and
Picasa/exiftool write for Metadata Working Group regions: the same data in the
three serialisations of RDF/XML that readers meet in the field (fields as
attributes of a nested ``rdf:Description``; fields as attributes of the struct
element; fields as elements of ``rdf:parseType="Resource"`` structs). Regions
are given by their centre and size (``stArea:x/y/w/h``, normalised), in the
picture as stored.
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from PIL import ExifTags, Image, ImageDraw, ImageFilter

#: (name, centre x, centre y, width, height) of one tagged face.
Tag = tuple[str, float, float, float, float]

_HEAD = (
    '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="{toolkit}">\n'
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
    '  <rdf:Description rdf:about=""\n'
    '    xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"\n'
    '    xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#"\n'
    '    xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"\n'
    '    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"\n'
    '    xmlns:exif="http://ns.adobe.com/exif/1.0/"\n'
    '    exif:GPSLatitude="45,45.2N" exif:GPSLongitude="4,50.5E">\n'
)
_TAIL = '  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end="w"?>'


def _lightroom(tags: Sequence[Tag], size: tuple[int, int]) -> str:
    items = "".join(
        f'      <rdf:li>\n'
        f'       <rdf:Description mwg-rs:Name={quoteattr(n)} mwg-rs:Type="Face" '
        f'mwg-rs:Rotation="0.0">\n'
        f'        <mwg-rs:Area stArea:h="{h}" stArea:w="{w}" stArea:x="{x}" stArea:y="{y}" '
        f'stArea:unit="normalized"/>\n'
        f'        <mwg-rs:Extensions rdf:parseType="Resource">\n'
        f'         <lr:AppliedFaceRecognition>true</lr:AppliedFaceRecognition>\n'
        f'        </mwg-rs:Extensions>\n'
        f'       </rdf:Description>\n'
        f'      </rdf:li>\n'
        for n, x, y, w, h in tags
    )
    return (
        _HEAD.format(toolkit="Adobe XMP Core 7.0-c000 1.000000, 0000/00/00-00:00:00")
        + '   <mwg-rs:Regions rdf:parseType="Resource">\n'
        f'    <mwg-rs:AppliedToDimensions stDim:w="{size[0]}" stDim:h="{size[1]}" '
        'stDim:unit="pixel"/>\n'
        '    <mwg-rs:RegionList>\n     <rdf:Bag>\n'
        + items
        + '     </rdf:Bag>\n    </mwg-rs:RegionList>\n   </mwg-rs:Regions>\n'
        + _TAIL
    )


def _digikam(tags: Sequence[Tag], size: tuple[int, int]) -> str:
    items = "".join(
        f'      <rdf:li\n       mwg-rs:Name={quoteattr(n)}\n       mwg-rs:Type="Face">\n'
        f'      <mwg-rs:Area\n        stArea:x="{x}"\n        stArea:y="{y}"\n'
        f'        stArea:w="{w}"\n        stArea:h="{h}"\n        stArea:unit="normalized"/>\n'
        f'      </rdf:li>\n'
        for n, x, y, w, h in tags
    )
    return (
        _HEAD.format(toolkit="XMP Core 4.4.0-Exiv2")
        + '   <mwg-rs:Regions rdf:parseType="Resource">\n'
        f'    <mwg-rs:AppliedToDimensions\n     stDim:w="{size[0]}"\n     stDim:h="{size[1]}"\n'
        '     stDim:unit="pixel"/>\n'
        '    <mwg-rs:RegionList>\n     <rdf:Bag>\n'
        + items
        + '     </rdf:Bag>\n    </mwg-rs:RegionList>\n   </mwg-rs:Regions>\n'
        + _TAIL
    )


def _picasa(tags: Sequence[Tag], size: tuple[int, int]) -> str:
    items = "".join(
        f'      <rdf:li rdf:parseType="Resource">\n'
        f'       <mwg-rs:Area rdf:parseType="Resource">\n'
        f'        <stArea:h>{h}</stArea:h>\n        <stArea:unit>normalized</stArea:unit>\n'
        f'        <stArea:w>{w}</stArea:w>\n        <stArea:x>{x}</stArea:x>\n'
        f'        <stArea:y>{y}</stArea:y>\n       </mwg-rs:Area>\n'
        f'       <mwg-rs:Name>{escape(n)}</mwg-rs:Name>\n'
        f'       <mwg-rs:Type>Face</mwg-rs:Type>\n'
        f'      </rdf:li>\n'
        for n, x, y, w, h in tags
    )
    return (
        _HEAD.format(toolkit="XMP Core 5.5.0")
        + '   <mwg-rs:Regions rdf:parseType="Resource">\n'
        '    <mwg-rs:AppliedToDimensions rdf:parseType="Resource">\n'
        f'     <stDim:h>{size[1]}</stDim:h>\n     <stDim:unit>pixel</stDim:unit>\n'
        f'     <stDim:w>{size[0]}</stDim:w>\n    </mwg-rs:AppliedToDimensions>\n'
        '    <mwg-rs:RegionList>\n     <rdf:Bag>\n'
        + items
        + '     </rdf:Bag>\n    </mwg-rs:RegionList>\n   </mwg-rs:Regions>\n'
        + _TAIL
    )


#: The three ways photo tools write the same regions.
FORMS = {"lightroom": _lightroom, "digikam": _digikam, "picasa": _picasa}


def xmp_packet(tags: Sequence[Tag], size: tuple[int, int], form: str = "lightroom") -> bytes:
    """The XMP packet ``form``'s tool writes for ``tags`` on a ``size`` picture."""
    return FORMS[form](tags, size).encode("utf-8")


def jpeg_with_xmp(jpeg: bytes, packet: bytes) -> bytes:
    """``jpeg`` with an XMP ``APP1`` segment holding ``packet`` right after its start."""
    payload = b"http://ns.adobe.com/xap/1.0/\x00" + packet
    assert len(payload) + 2 <= 0xFFFF
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def png_with_xmp(png: bytes, packet: bytes, *, compressed: bool = False) -> bytes:
    """``png`` with an ``iTXt`` chunk ``XML:com.adobe.xmp`` holding ``packet`` after IHDR."""
    text = zlib.compress(packet) if compressed else packet
    body = b"XML:com.adobe.xmp\x00" + bytes((int(compressed), 0)) + b"\x00\x00" + text
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + body))
    ihdr_end = 8 + 25
    return png[:ihdr_end] + chunk + png[ihdr_end:]


def face(size: int) -> Image.Image:
    """A face as a camera would see it in grey: skin, hair, eye sockets and eyes, brows,
    a lit nose bridge, a mouth, softened (OpenCV's Haar cascade finds it)."""
    img = Image.new("L", (size, int(size * 1.25)), 60)
    d = ImageDraw.Draw(img)
    w, h = img.size
    d.ellipse([0.12 * w, 0.05 * h, 0.88 * w, 0.95 * h], fill=185)
    d.ellipse([0.05 * w, -0.1 * h, 0.95 * w, 0.3 * h], fill=45)
    for cx in (0.33, 0.67):
        d.ellipse([(cx - 0.13) * w, 0.33 * h, (cx + 0.13) * w, 0.47 * h], fill=120)
        d.ellipse([(cx - 0.07) * w, 0.37 * h, (cx + 0.07) * w, 0.43 * h], fill=40)
        d.rectangle([(cx - 0.13) * w, 0.29 * h, (cx + 0.13) * w, 0.32 * h], fill=70)
    d.polygon([(0.5 * w, 0.42 * h), (0.43 * w, 0.66 * h), (0.57 * w, 0.66 * h)], fill=205)
    d.ellipse([0.44 * w, 0.63 * h, 0.48 * w, 0.67 * h], fill=110)
    d.ellipse([0.52 * w, 0.63 * h, 0.56 * w, 0.67 * h], fill=110)
    d.ellipse([0.35 * w, 0.73 * h, 0.65 * w, 0.80 * h], fill=95)
    return img.filter(ImageFilter.GaussianBlur(size / 40))


#: Where :func:`group_photo` puts its faces: (left, top, size) in pixels of 1000 x 700.
GROUP = ((100, 150, 180), (450, 100, 220), (760, 260, 150))


def group_photo(
    faces: Sequence[tuple[int, int, int]] = GROUP, *, seed: int = 1, orientation: int = 1,
    fmt: str = "JPEG",
) -> bytes:
    """A 1000 x 700 photo of people (:func:`face` at ``faces``), with sensor noise."""
    canvas = Image.new("L", (1000, 700), 150)
    for left, top, size in faces:
        canvas.paste(face(size), (left, top))
    noise = Image.frombytes("L", canvas.size, _noise(seed))
    canvas = Image.blend(canvas, noise, 0.04).convert("RGB")
    return _encode(canvas, fmt, orientation)


#: Maps a byte to its high nibble (the 4 bits ``getrandbits(4)`` keeps of a 32-bit draw).
_HIGH_NIBBLE = bytes(b >> 4 for b in range(256))
#: The bytes whose high nibble is 12 or more: draws ``randrange(0, 12)`` rejects.
_REJECTED = bytes(range(12 << 4, 256))


@functools.cache
def _noise(seed: int, size: int = 700_000) -> bytes:
    """The sensor noise of a 1000 x 700 photo: the values ``randrange(0, 12)`` of a
    ``random.Random(seed)`` draws ``size`` times (made once per seed).

    Drawn in bulk, not one call at a time (0.02 s instead of 0.4 s, in every pytest-xdist
    worker that collects the tests): ``randrange(0, 12)`` keeps the top 4 bits of a 32-bit
    draw and draws again when they are 12 or more, and ``getrandbits(32 * n)`` is the
    next n 32-bit draws, the first in the lowest bits (``tests/test_face_detection.py``
    checks the two agree)."""
    import random

    rng = random.Random(seed)
    values = bytearray()
    while len(values) < size:
        draws = size - len(values) + 1024
        top_bytes = rng.getrandbits(32 * draws).to_bytes(4 * draws, "little")[3::4]
        values += top_bytes.translate(_HIGH_NIBBLE, _REJECTED)
    return bytes(values[:size])


def landscape(*, seed: int = 2, fmt: str = "JPEG") -> bytes:
    """A photo with no face: sky, hills, a road, a few trees."""
    image = Image.new("RGB", (900, 600), (120, 170 - seed % 50, 230))
    d = ImageDraw.Draw(image)
    d.polygon([(0, 380), (220, 260), (480, 360), (700, 240), (900, 330), (900, 600), (0, 600)],
              fill=(70, 130, 60))
    d.polygon([(380, 600), (460, 380), (500, 380), (620, 600)], fill=(90, 90, 90))
    for x in range(40, 900, 130):
        d.rectangle([x + 12, 330, x + 20, 400], fill=(80, 50, 30))
        d.ellipse([x, 270, x + 34, 340], fill=(40, 100, 40))
    return _encode(image.filter(ImageFilter.GaussianBlur(1.2)), fmt, 1)


def _encode(image: Image.Image, fmt: str, orientation: int) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = orientation
        exif[ExifTags.IFD.GPSInfo] = {
            ExifTags.GPS.GPSLatitudeRef: "N",
            ExifTags.GPS.GPSLatitude: (45.0, 45.0, 12.0),
            ExifTags.GPS.GPSLongitudeRef: "E",
            ExifTags.GPS.GPSLongitude: (4.0, 50.0, 32.0),
        }
        image.save(out, format="JPEG", quality=90, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()


def regions_of(faces: Sequence[tuple[int, int, int]], size: tuple[int, int] = (1000, 700)
               ) -> list[tuple[float, float, float, float]]:
    """The centre and size of each of :func:`group_photo`'s faces, normalised (MWG form)."""
    out = []
    for left, top, side in faces:
        w, h = side / size[0], side * 1.25 / size[1]
        out.append((left / size[0] + w / 2, top / size[1] + h / 2, w, h))
    return out
