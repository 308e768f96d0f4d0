"""PNG files, cleaned chunk by chunk without decoding the picture.

:func:`clean_png` copies the chunks a viewer needs to show the image (header,
palette, transparency, colour information, the image data, and the frames of
an animated PNG), rewrites the ICC profile (:func:`terrain._icc.clean_icc`) and
drops every other chunk: text (``tEXt``, ``zTXt``, ``iTXt``: XMP, comments,
software), ``eXIf`` (GPS), ``tIME``, private chunks. Every chunk's CRC is
checked. :func:`check_png_data` inflates the image data as a stream and checks
it holds exactly the rows the header promises: a truncated or corrupt file is
caught with a few kilobytes of memory, whatever the size of the picture.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

from terrain._icc import MAX_ICC_BYTES, clean_icc

__all__ = [
    "PNG_SIGNATURE",
    "PngError",
    "PngHeader",
    "check_png_data",
    "clean_png",
    "png_exif",
    "png_header",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

#: Chunks copied as they are: what a viewer needs to draw the picture right.
_KEEP = frozenset(
    {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD"}
    | {b"pHYs", b"acTL", b"fcTL", b"fdAT"}  # pixel size; animated PNG frames
)
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
#: Adam7 interlacing: (first column, first row, column step, row step) of each pass.
_ADAM7 = (
    (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)
)  # fmt: skip


class PngError(ValueError):
    """A PNG that is truncated or corrupt (the message says where)."""


class PngHeader:
    """What ``IHDR`` says: size, bit depth, colour type, interlacing."""

    def __init__(self, data: bytes) -> None:
        if len(data) != 13:
            raise PngError("its IHDR chunk has the wrong length")
        fields: tuple[int, ...] = struct.unpack(">IIBBBBB", data)
        self.width, self.height, self.bit_depth, self.colour_type, _, _, self.interlace = fields
        if self.colour_type not in _CHANNELS or not self.width or not self.height:
            raise PngError("its IHDR chunk describes no valid image")

    def raw_size(self) -> int:
        """The bytes of the decompressed image data (filter byte + pixels, per row)."""
        bits = _CHANNELS[self.colour_type] * self.bit_depth
        if not self.interlace:
            return self.height * (1 + (self.width * bits + 7) // 8)
        total = 0
        for x0, y0, dx, dy in _ADAM7:
            columns = (self.width - x0 + dx - 1) // dx if self.width > x0 else 0
            rows = (self.height - y0 + dy - 1) // dy if self.height > y0 else 0
            if columns and rows:
                total += rows * (1 + (columns * bits + 7) // 8)
        return total


def _chunks(data: bytes) -> Iterator[tuple[bytes, bytes, bytes]]:
    """``(type, body, the whole chunk)`` of each chunk, CRCs checked, up to ``IEND``."""
    if not data.startswith(PNG_SIGNATURE):
        raise PngError("it does not start like a PNG file")
    at = len(PNG_SIGNATURE)
    while True:
        if at + 12 > len(data):
            raise PngError("it is truncated (it ends before its IEND chunk)")
        length = int.from_bytes(data[at : at + 4], "big")
        kind = data[at + 4 : at + 8]
        end = at + 12 + length
        if length > 0x7FFFFFFF or end > len(data):
            raise PngError(f"it is truncated inside a {kind!r} chunk")
        body = data[at + 8 : at + 8 + length]
        if zlib.crc32(kind + body) != int.from_bytes(data[end - 4 : end], "big"):
            raise PngError(f"its {kind.decode('latin-1')} chunk is corrupt (bad CRC)")
        yield kind, body, data[at:end]
        if kind == b"IEND":
            return
        at = end


def png_header(data: bytes) -> PngHeader:
    """The ``IHDR`` of a PNG (the first chunk)."""
    for kind, body, _ in _chunks(data):
        if kind != b"IHDR":
            raise PngError("its first chunk is not IHDR")
        return PngHeader(body)
    raise PngError("it has no IHDR chunk")  # pragma: no cover - _chunks yields or raises


def png_exif(data: bytes) -> bytes | None:
    """The body of the ``eXIf`` chunk, if any (read without decoding the picture)."""
    for kind, body, _ in _chunks(data):
        if kind == b"eXIf":
            return body
    return None


def clean_png(data: bytes) -> bytes:
    """The PNG with only the chunks needed to show it (see the module doc)."""
    out = bytearray(PNG_SIGNATURE)
    for kind, body, whole in _chunks(data):
        if kind in _KEEP:
            out += whole
        elif kind == b"iCCP":
            out += _iccp(body)
    return bytes(out)


def _iccp(body: bytes) -> bytes:
    """A rewritten ``iCCP`` chunk (a neutral name, the cleaned profile), or nothing."""
    name, _, rest = body.partition(b"\0")
    if not rest or rest[0] != 0 or not 1 <= len(name) <= 79:
        return b""
    inflater = zlib.decompressobj()
    try:
        profile = inflater.decompress(rest[1:], MAX_ICC_BYTES + 1)
    except zlib.error:
        return b""
    if len(profile) > MAX_ICC_BYTES or not inflater.eof:
        return b""
    cleaned = clean_icc(profile)
    if cleaned is None:
        return b""
    chunk = b"iCCP" + b"ICC profile\0\0" + zlib.compress(cleaned)
    return struct.pack(">I", len(chunk) - 4) + chunk + struct.pack(">I", zlib.crc32(chunk))


def check_png_data(data: bytes) -> PngHeader:
    """Inflate the image data as a stream: :class:`PngError` unless it holds exactly the
    bytes the header promises. Memory stays small whatever the size of the picture."""
    header: PngHeader | None = None
    inflater = zlib.decompressobj()
    expected = produced = 0
    finished = False
    for kind, body, _ in _chunks(data):
        if kind == b"IHDR":
            header = PngHeader(body)
            expected = header.raw_size()
        elif kind == b"IDAT":
            if header is None:
                raise PngError("its image data comes before its IHDR chunk")
            if finished:
                continue  # bytes after the end of the zlib stream: ignored, as decoders do
            chunk = body
            try:
                while chunk:
                    produced += len(inflater.decompress(chunk, 1 << 20))
                    if produced > expected:
                        raise PngError("its image data holds more rows than its header says")
                    chunk = inflater.unconsumed_tail
                finished = inflater.eof
            except zlib.error as exc:
                raise PngError(f"its image data is corrupt ({exc})") from None
    if header is None:
        raise PngError("it has no IHDR chunk")
    if produced < expected or not finished:
        raise PngError("it is truncated (its image data stops before the last row)")
    return header
