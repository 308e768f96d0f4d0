"""ICC colour profiles, checked and rewritten so that they carry colour and nothing else.

A photo's ICC profile is needed to show its colours right (an iPhone's Display P3
photo looks washed out without it), but a profile is a container: its text tags
(``desc``, ``cprt``, ``dmnd``…) and private tags can hold anything, a place name
or GPS coordinates included, and a hand-made profile is easy to write.
:func:`clean_icc` therefore parses the profile (header, tag table, bounds of every
tag) and writes a new one holding only the tags that describe colour, each of a
type that holds numbers (``XYZ``, curves, matrices, look-up tables), plus a fixed
description. Anything it cannot parse is dropped: the image then shows in sRGB,
which is what a viewer assumes without a profile.
"""

from __future__ import annotations

import struct

__all__ = ["MAX_ICC_BYTES", "clean_icc"]

#: A profile larger than this is not a colour profile a camera writes: dropped.
MAX_ICC_BYTES = 4 * 1024 * 1024

_HEADER = 128
# tag signature -> the tag types (first 4 bytes of its data) allowed for it
_NUMBERS_XYZ = frozenset({b"XYZ "})
_CURVES = frozenset({b"curv", b"para"})
_LUTS = frozenset({b"mft1", b"mft2", b"mAB ", b"mBA "})
_COLOUR_TAGS: dict[bytes, frozenset[bytes]] = {
    **dict.fromkeys((b"rXYZ", b"gXYZ", b"bXYZ", b"wtpt", b"bkpt", b"lumi"), _NUMBERS_XYZ),
    **dict.fromkeys((b"rTRC", b"gTRC", b"bTRC", b"kTRC"), _CURVES),
    **dict.fromkeys((b"A2B0", b"A2B1", b"A2B2", b"B2A0", b"B2A1", b"B2A2", b"gamt"), _LUTS),
    b"chad": frozenset({b"sf32"}),
    b"chrm": frozenset({b"chrm"}),
}
_DESCRIPTION = "ICC profile"


def clean_icc(profile: bytes) -> bytes | None:
    """A rewritten copy of ``profile`` with only its colour tags, or ``None`` if it is
    no well-formed ICC profile (see the module doc)."""
    if not _HEADER + 4 <= len(profile) <= MAX_ICC_BYTES or profile[36:40] != b"acsp":
        return None
    declared = int.from_bytes(profile[0:4], "big")
    if not _HEADER + 4 <= declared <= len(profile):
        return None
    profile = profile[:declared]
    count = int.from_bytes(profile[128:132], "big")
    table_end = _HEADER + 4 + 12 * count
    if count > 200 or table_end > declared:
        return None
    kept: list[tuple[bytes, bytes]] = []
    for index in range(count):
        entry = _HEADER + 4 + 12 * index
        signature, offset, size = struct.unpack(">4sII", profile[entry : entry + 12])
        if offset < table_end or size < 8 or offset + size > declared:
            return None  # a tag outside the profile, or over the tag table: not well formed
        data = profile[offset : offset + size]
        allowed = _COLOUR_TAGS.get(signature)
        if allowed is not None and data[:4] in allowed and data[4:8] == b"\0\0\0\0":
            kept.append((signature, data))
    if not kept:
        return None
    version = profile[8]
    kept.append((b"desc", _description(version)))
    return _write(profile[:_HEADER], kept)


def _description(version: int) -> bytes:
    """The fixed ``desc`` tag: ``mluc`` for ICC v4, ``textDescriptionType`` for v2."""
    if version >= 4:
        text = _DESCRIPTION.encode("utf-16-be")
        return b"mluc\0\0\0\0" + struct.pack(">II2s2sII", 1, 12, b"en", b"US", len(text), 28) + text
    ascii_text = _DESCRIPTION.encode("ascii") + b"\0"
    return (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(ascii_text))
        + ascii_text
        + b"\0" * 8  # no Unicode description
        + b"\0" * 3  # no ScriptCode description
        + b"\0" * 67
    )


def _write(header: bytes, tags: list[tuple[bytes, bytes]]) -> bytes:
    table = bytearray()
    data = bytearray()
    start = _HEADER + 4 + 12 * len(tags)
    for signature, body in tags:
        table += struct.pack(">4sII", signature, start + len(data), len(body))
        data += body + b"\0" * (-len(body) % 4)
    size = start + len(data)
    head = bytearray(header)
    head[0:4] = size.to_bytes(4, "big")
    head[84:100] = bytes(16)  # profile ID (an MD5 of the old profile): "not computed"
    head[100:128] = bytes(28)  # reserved: must be zero
    return bytes(head) + len(tags).to_bytes(4, "big") + bytes(table) + bytes(data)
