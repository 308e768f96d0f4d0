"""JPEG files, cleaned segment by segment: a lossless copy that keeps the picture only.

:func:`clean_jpeg` copies the compressed image data byte for byte and the
segments a decoder needs (quantisation and Huffman tables, frame and scan
headers, restart interval), and *writes anew* the few metadata segments that
change how the picture looks, from the values they hold, never copying them:

- ``APP0`` JFIF: version, density units and density; never its thumbnail (a
  JFIF or JFXX thumbnail is the uncropped picture);
- ``APP14`` Adobe: the colour transform flag (YCbCr, YCCK or none);
- ``APP2`` ICC profile: reassembled from its chunks, rewritten by
  :func:`terrain._icc.clean_icc` (colour tags only), split again;
- ``APP1`` EXIF: a new one holding the ``Orientation`` tag alone.

Everything else goes: EXIF (its GPS IFD, its thumbnail), XMP, IPTC/Photoshop,
comments, multi-picture extras, any other ``APPn``, and whatever follows the
end of the image.
"""

from __future__ import annotations

from collections.abc import Callable

from terrain._icc import MAX_ICC_BYTES, clean_icc

__all__ = ["JpegError", "clean_jpeg"]

_SOI, _EOI, _SOS, _COM = 0xD8, 0xD9, 0xDA, 0xFE
_APP0, _APP1, _APP2, _APP14 = 0xE0, 0xE1, 0xE2, 0xEE
_ORIENTATION = 0x0112
_ICC = b"ICC_PROFILE\0"
_ICC_CHUNK = 65519 - len(_ICC) - 2  # a segment holds 65533 bytes of payload


def _dqt(p: bytes) -> bool:
    i = 0
    while i < len(p):
        precision, table = p[i] >> 4, p[i] & 0x0F
        if precision > 1 or table > 3:
            return False
        i += 1 + 64 * (precision + 1)
    return i == len(p) and i > 0


def _dht(p: bytes) -> bool:
    i = 0
    while i < len(p):
        if i + 17 > len(p) or p[i] >> 4 > 1 or p[i] & 0x0F > 3:
            return False
        i += 17 + sum(p[i + 1 : i + 17])
    return i == len(p) and i > 0


def _sof(p: bytes) -> bool:
    return len(p) >= 6 and len(p) == 6 + 3 * p[5]


def _sos(p: bytes) -> bool:
    return len(p) >= 1 and len(p) == 1 + 2 * p[0] + 3


def _two_bytes(p: bytes) -> bool:
    return len(p) == 2


def _dac(p: bytes) -> bool:
    return len(p) > 0 and len(p) % 2 == 0


#: The segments a decoder needs (marker -> a check of the payload's exact structure):
#: frames (SOF0-3, 5-7, 9-11, 13-15), Huffman and arithmetic tables, quantisation
#: tables, scans, the restart interval and the number of lines.
_DECODER_SEGMENTS: dict[int, Callable[[bytes], bool]] = {
    **dict.fromkeys((192, 193, 194, 195, 197, 198, 199, 201, 202, 203, 205, 206, 207), _sof),
    0xC4: _dht,
    0xCC: _dac,
    0xDB: _dqt,
    _SOS: _sos,
    0xDD: _two_bytes,  # DRI
    0xDC: _two_bytes,  # DNL
}  # fmt: skip


class JpegError(ValueError):
    """A JPEG that is truncated or corrupt (the message says where)."""


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes((0xFF, marker)) + (len(payload) + 2).to_bytes(2, "big") + payload


def _jfif(payload: bytes) -> bytes:
    if len(payload) < 14 or not payload.startswith(b"JFIF\0"):
        return b""
    version, units, density = payload[5:7], payload[7:8], payload[8:12]
    if units[0] > 2:
        units = b"\0"
    return _segment(_APP0, b"JFIF\0" + version + units + density + b"\0\0")  # no thumbnail


def _adobe(payload: bytes) -> bytes:
    if len(payload) < 12 or not payload.startswith(b"Adobe"):
        return b""
    transform = payload[11] if payload[11] <= 2 else 1
    return _segment(_APP14, b"Adobe\0\x64\0\0\0\0" + bytes((transform,)))


def _orientation(orientation: int) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[_ORIENTATION] = orientation
    return _segment(_APP1, exif.tobytes())  # b"Exif\0\0" + TIFF header + one IFD entry


def _icc(chunks: dict[int, bytes], count: int) -> bytes:
    """The ICC profile of the ``APP2`` chunks, rewritten, as new ``APP2`` segments."""
    if not chunks or sorted(chunks) != list(range(1, count + 1)):
        return b""
    profile = b"".join(chunks[i] for i in range(1, count + 1))
    cleaned = clean_icc(profile) if len(profile) <= MAX_ICC_BYTES else None
    if cleaned is None:
        return b""
    parts = [cleaned[i : i + _ICC_CHUNK] for i in range(0, len(cleaned), _ICC_CHUNK)]
    return b"".join(
        _segment(_APP2, _ICC + bytes((n, len(parts))) + part) for n, part in enumerate(parts, 1)
    )


def clean_jpeg(data: bytes, orientation: int = 1) -> bytes:
    """The JPEG with only what is needed to show it (see the module doc); ``orientation``
    (1-8) is written in a new EXIF segment when it is not 1."""
    if data[:2] != b"\xff\xd8":
        raise JpegError("it does not start like a JPEG file")
    head = bytearray()  # rebuilt metadata segments, written right after SOI
    body = bytearray()  # tables, frame, scans: copied
    jfif = adobe = b""
    icc: dict[int, bytes] = {}
    icc_count = 0
    i, n = 2, len(data)
    while True:
        if i >= n:
            raise JpegError("it is truncated (the JPEG ends before its end marker)")
        if data[i] != 0xFF:
            raise JpegError(f"it is corrupt (no JPEG marker at byte {i})")
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            raise JpegError("it is truncated")
        marker = data[i]
        i += 1
        if marker == _EOI:
            break  # anything after the end of image is dropped
        if 0xD0 <= marker <= 0xD7 or marker in (0x01, _SOI):
            body += bytes((0xFF, marker))
            continue
        if i + 2 > n:
            raise JpegError("it is truncated inside a JPEG segment")
        length = int.from_bytes(data[i : i + 2], "big")
        end = i + length
        if length < 2 or end > n:
            raise JpegError("it is truncated inside a JPEG segment")
        payload = data[i + 2 : end]
        if marker == _APP0 and not jfif:
            jfif = _jfif(payload)
        elif marker == _APP14 and not adobe:
            adobe = _adobe(payload)
        elif marker == _APP2 and payload.startswith(_ICC) and len(payload) > len(_ICC) + 2:
            sequence, count = payload[len(_ICC)], payload[len(_ICC) + 1]
            if count and (not icc_count or count == icc_count) and sequence not in icc:
                icc_count = count
                icc[sequence] = payload[len(_ICC) + 2 :]
        elif marker in _DECODER_SEGMENTS:
            # tables, frame and scan headers, DRI: copied only when their length is exactly
            # what their structure needs, so no other bytes ride along under their marker
            if not _DECODER_SEGMENTS[marker](payload):
                raise JpegError(f"it is corrupt (a malformed 0xFF{marker:02X} segment at byte {i})")
            body += data[i - 2 : end]
        # anything else (APPn, comments, hierarchical or unknown segments) is dropped
        i = end
        if marker == _SOS:
            # entropy-coded data runs until a marker that is not a stuffed 0xFF00 or a restart
            j = i
            while True:
                j = data.find(b"\xff", j)
                if j < 0 or j + 1 >= n:
                    raise JpegError("it is truncated (the image data stops before its end)")
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    j += 1
                    continue
                break
            body += data[i:j]
            i = j
    head += jfif
    if orientation != 1:
        head += _orientation(orientation)
    head += _icc(icc, icc_count) + adobe
    return b"\xff\xd8" + bytes(head) + bytes(body) + b"\xff\xd9"
