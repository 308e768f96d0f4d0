"""The face tags photo tools write: XMP Metadata Working Group regions, read before cleaning.

Lightroom, digiKam, Picasa (and exiftool, exiv2) write the people tagged in a
photo as MWG regions in its XMP packet::

    <mwg-rs:Regions rdf:parseType="Resource">
      <mwg-rs:AppliedToDimensions stDim:w="4000" stDim:h="3000" stDim:unit="pixel"/>
      <mwg-rs:RegionList>
        <rdf:Bag>
          <rdf:li rdf:parseType="Resource">
            <mwg-rs:Area stArea:x="0.5" stArea:y="0.4" stArea:w="0.2" stArea:h="0.3"
                         stArea:unit="normalized"/>
            <mwg-rs:Name>Jane Doe</mwg-rs:Name>
            <mwg-rs:Type>Face</mwg-rs:Type>
          </rdf:li>
        …

``stArea:x``/``y`` are the *centre* of the region and ``w``/``h`` its size, as
fractions of the picture as stored (before its EXIF orientation is applied).
The same structures come in every RDF/XML form: fields as attributes or as
elements, a struct as ``rdf:parseType="Resource"`` or as a nested
``rdf:Description`` (digiKam/exiv2), so every form is read, by namespace URI
(a prefix means nothing in XML). A JPEG keeps its packet in an ``APP1``
segment (and, when over 64 KB, the rest in "extended XMP" segments); a PNG
in an ``iTXt`` chunk named ``XML:com.adobe.xmp``.

:func:`read_face_tags` returns the faces it found (name and region); the
import stores them as data, since the file terrain keeps has no XMP left. A
packet with a DOCTYPE (entity expansion) is not read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator

import attrs

from terrain.content import Region
from terrain.errors import ValidationError

__all__ = ["TaggedFace", "read_face_tags", "xmp_packets"]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
MWG_RS = "http://www.metadataworkinggroup.com/schemas/regions/"
ST_AREA = "http://ns.adobe.com/xmp/sType/Area#"
ST_DIM = "http://ns.adobe.com/xap/1.0/sType/Dimensions#"

_XMP_JPEG = b"http://ns.adobe.com/xap/1.0/\x00"
_XMP_EXTENDED = b"http://ns.adobe.com/xmp/extension/\x00"
_XMP_PNG = b"XML:com.adobe.xmp"
#: More XMP than any photo tool writes: past it, the rest is not read.
MAX_XMP_BYTES = 4 * 1024 * 1024
#: How far the tagged picture's shape may differ from the stored one (rounding).
_ASPECT_SLACK = 0.01


@attrs.frozen
class TaggedFace:
    """A face tagged in a photo tool: the ``name`` it was given (``""`` when none)
    and its ``region`` in the picture as stored (``None`` when the photo was
    cropped after tagging, so the region no longer says where the face is)."""

    name: str
    region: Region | None


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, bytes]]:
    """``(marker, payload)`` of each segment before the image data."""
    i, n = 2, len(data)
    while i + 4 <= n and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xFF:  # a fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        if marker in (0xDA, 0xD9):  # the image data starts (or the file ends)
            return
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        if length < 2 or i + 2 + length > n:
            return
        yield marker, data[i + 4 : i + 2 + length]
        i += 2 + length


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    at, n = 8, len(data)
    while at + 12 <= n:
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        if at + 12 + length > n:
            return
        yield kind, data[at + 8 : at + 8 + length]
        if kind == b"IEND":
            return
        at += 12 + length


def _itxt_xmp(body: bytes) -> bytes | None:
    keyword, _, rest = body.partition(b"\x00")
    if keyword != _XMP_PNG or len(rest) < 2:
        return None
    compressed, text = rest[0], rest[2:]
    _language, _, text = text.partition(b"\x00")
    _translated, _, text = text.partition(b"\x00")
    if not compressed:
        return text
    try:
        inflater = zlib.decompressobj()
        out = inflater.decompress(text, MAX_XMP_BYTES)
    except zlib.error:
        return None
    return out if not inflater.unconsumed_tail else None


def xmp_packets(data: bytes) -> list[bytes]:
    """The XMP packets of a JPEG (the main one, then the extended one reassembled)
    or a PNG; ``[]`` for a file with none, or of another kind."""
    packets: list[bytes] = []
    if data.startswith(b"\xff\xd8"):
        parts: dict[bytes, dict[int, bytes]] = {}
        sizes: dict[bytes, int] = {}
        for marker, payload in _jpeg_segments(data):
            if marker != 0xE1:
                continue
            if payload.startswith(_XMP_JPEG) and not packets:
                packets.append(payload[len(_XMP_JPEG) :])
            elif payload.startswith(_XMP_EXTENDED) and len(payload) > len(_XMP_EXTENDED) + 40:
                head = payload[len(_XMP_EXTENDED) :]
                guid, total = head[:32], int.from_bytes(head[32:36], "big")
                offset = int.from_bytes(head[36:40], "big")
                if total <= MAX_XMP_BYTES:
                    sizes[guid] = total
                    parts.setdefault(guid, {})[offset] = head[40:]
        for guid, chunks in parts.items():
            whole = b"".join(chunks[o] for o in sorted(chunks))
            if len(whole) == sizes[guid]:
                packets.append(whole)
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        for kind, body in _png_chunks(data):
            if kind == b"iTXt":
                found = _itxt_xmp(body)
                if found is not None:
                    packets.append(found)
    return [p for p in packets if len(p) <= MAX_XMP_BYTES]


def _body(element: ET.Element) -> ET.Element:
    """The element holding a struct's fields: the element itself (``parseType=
    "Resource"`` or fields as attributes), or its nested ``rdf:Description``."""
    if element.get(f"{{{RDF}}}parseType") == "Resource":
        return element
    nested = element.find(f"{{{RDF}}}Description")
    return element if nested is None else nested


def _field(body: ET.Element, ns: str, name: str) -> str | None:
    """A simple field, as an attribute or as a child element."""
    value = body.get(f"{{{ns}}}{name}")
    if value is None:
        child = body.find(f"{{{ns}}}{name}")
        if child is None:
            return None
        value = "".join(child.itertext())
    return value.strip()


def _number(body: ET.Element, ns: str, name: str) -> float | None:
    text = _field(body, ns, name)
    try:
        return None if text is None else float(text)
    except ValueError:
        return None


def _items(region_list: ET.Element) -> Iterator[ET.Element]:
    for container in region_list:
        for item in container.findall(f"{{{RDF}}}li"):
            yield _body(item)


def _area(item: ET.Element, applied: tuple[float, float] | None) -> Region | None:
    found = item.find(f"{{{MWG_RS}}}Area")
    area = _body(found) if found is not None else item  # some writers skip the struct
    values = [_number(area, ST_AREA, k) for k in ("x", "y", "w", "h")]
    if any(v is None for v in values):
        return None
    x, y, w, h = (float(v) for v in values if v is not None)
    unit = (_field(area, ST_AREA, "unit") or "normalized").lower()
    if unit == "pixel":
        if applied is None or not all(applied):
            return None
        x, w = x / applied[0], w / applied[0]
        y, h = y / applied[1], h / applied[1]
    elif unit != "normalized":
        return None
    if not (w > 0 and h > 0):
        return None
    try:
        return Region.from_center(x, y, w, h)
    except ValidationError:  # nothing of it inside the picture
        return None


def _applied(regions: ET.Element) -> tuple[float, float] | None:
    found = regions.find(f"{{{MWG_RS}}}AppliedToDimensions")
    if found is None:
        return None
    body = _body(found)
    w, h = _number(body, ST_DIM, "w"), _number(body, ST_DIM, "h")
    return (w, h) if w and h and w > 0 and h > 0 else None


def _same_shape(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] / a[1] - b[0] / b[1]) <= _ASPECT_SLACK * (b[0] / b[1])


def _faces_in(packet: bytes, size: tuple[int, int], orientation: int) -> list[TaggedFace]:
    head = packet[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in packet.lower():
        return []  # entity expansion: no photo tool writes one
    try:
        root = ET.fromstring(packet)
    except (ET.ParseError, ValueError):
        return []
    faces: list[TaggedFace] = []
    for regions in root.iter(f"{{{MWG_RS}}}Regions"):
        body = _body(regions)
        applied = _applied(body)
        frame = "stored"
        if applied is not None and not _same_shape(applied, size):
            swapped = orientation in (5, 6, 7, 8) and _same_shape(applied, (size[1], size[0]))
            frame = "upright" if swapped else "cropped"
        for region_list in body.findall(f"{{{MWG_RS}}}RegionList"):
            for item in _items(region_list):
                kind = _field(item, MWG_RS, "Type")
                name = " ".join((_field(item, MWG_RS, "Name") or "").split())
                if kind is not None and kind.lower() != "face":
                    continue
                if kind is None and not name:
                    continue
                region = _area(item, applied)
                if region is not None and frame == "upright":
                    region = region.stored(orientation)
                elif frame == "cropped":
                    region = None
                faces.append(TaggedFace(name=name[:200], region=region))
    return faces


def read_face_tags(
    data: bytes, *, width: int, height: int, orientation: int = 1
) -> tuple[TaggedFace, ...]:
    """The faces tagged in the XMP of ``data`` (a JPEG or a PNG, as it came from the
    photo tool), in the order written; a face tagged twice (main and extended XMP)
    is given once.

    ``width`` x ``height`` is the picture as stored and ``orientation`` its EXIF
    orientation: a region is kept in the stored picture's frame. When the tags
    were written for a picture of another shape (cropped since), a face keeps its
    name but loses its region; a tool that wrote them for the upright picture is
    understood too. Unreadable or hostile XMP gives no face, never an error.
    """
    seen: set[tuple[str, Region | None]] = set()
    out: list[TaggedFace] = []
    for packet in xmp_packets(data):
        for face in _faces_in(packet, (width, height), orientation):
            if (face.name, face.region) not in seen:
                seen.add((face.name, face.region))
                out.append(face)
    return tuple(out)
