"""Preparing photos for the workspace: location metadata out, orientation kept.

:func:`prepare_image` takes the bytes of a file as it came off a phone or a
camera and returns the bytes terrain stores, with no location in them:

- **JPEG** is rewritten *losslessly*: the compressed image data is copied
  byte for byte, the metadata segments are dropped (EXIF — including its GPS
  IFD —, XMP, IPTC/Photoshop, comments, multi-picture extras and anything
  after the end of the image), and a new minimal EXIF segment carries only the
  ``Orientation`` tag, so the photo still shows upright. No re-encoding means
  no quality loss and no time spent compressing (see ``benchmarks/bench_import.py``).
  The colour profile (ICC) and the JFIF/Adobe segments the decoder needs stay.
- **PNG** is decoded, turned upright (its ``eXIf`` orientation applied) and
  re-encoded (PNG is lossless) without any text, XMP or EXIF chunk.

The file is identified by its content and fully decoded once, so a truncated
or corrupt file is rejected with :class:`MediaRejected` instead of being
stored. A name whose image extension contradicts the content (a PNG renamed
``.jpg``) is rejected too: it is usually a broken export or a file swapped by
mistake, and the message says how to rename it. A name without an image
extension is judged by its content alone. Pillow is
imported inside the functions: ``import terrain`` stays light.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from typing import Any

import attrs

from terrain.errors import ValidationError

__all__ = ["ACCEPTED_FORMATS", "MediaRejected", "PreparedImage", "prepare_image"]

#: Formats terrain stores, by Pillow format name -> (media type, file extension).
ACCEPTED_FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
}

#: Image extensions a file name may carry, by the format they promise.
_EXTENSIONS: dict[str, str] = {
    "jpg": "JPEG", "jpeg": "JPEG", "jpe": "JPEG", "jfif": "JPEG",
    "png": "PNG",
    "gif": "GIF", "webp": "WEBP", "tif": "TIFF", "tiff": "TIFF", "bmp": "BMP",
    "heic": "HEIF", "heif": "HEIF",
}  # fmt: skip

_ORIENTATION = 0x0112
_MAX_PIXELS = 120_000_000  # a 120-megapixel photo; anything bigger is refused


class MediaRejected(ValidationError):
    """A file that is not an image terrain can store (not an image, corrupt, truncated)."""


@attrs.frozen
class PreparedImage:
    """The bytes to store, and what was learnt about them.

    ``checksum`` is the SHA-256 (hex) of ``data``; ``width`` and ``height``
    are as stored (before the orientation tag is applied by viewers, for JPEG).
    """

    data: bytes = attrs.field(repr=False)
    media_type: str
    extension: str
    width: int
    height: int
    checksum: str
    orientation: int = 1


def _reject(name: str, why: str) -> MediaRejected:
    label = f"{name}: " if name else ""
    return MediaRejected(f"{label}{why}")


def _check_extension(name: str, fmt: str) -> None:
    stem, dot, extension = name.rpartition(".")
    promised = _EXTENSIONS.get(extension.lower()) if dot and stem else None
    if promised is not None and promised != fmt:
        right = ACCEPTED_FORMATS[fmt][1]
        raise _reject(
            name,
            f"the name says {promised} but the content is a {fmt} image (a renamed file or "
            f"a broken export?): rename it {stem}.{right} if it is the right photo, "
            "then import it again",
        )


def prepare_image(data: bytes, *, name: str = "") -> PreparedImage:
    """The bytes of an image with every location metadata removed (see the module doc).

    ``name`` is only used in messages. Raises :class:`MediaRejected` for a
    file that is empty, not an image, of a format terrain does not store, or
    corrupt/truncated.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise _reject(name, "the file is empty")
    with warnings.catch_warnings():
        # Pillow warns about broken EXIF blocks: they are dropped anyway
        warnings.simplefilter("ignore")
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
                if fmt not in ACCEPTED_FORMATS:
                    kinds = ", ".join(ACCEPTED_FORMATS)
                    raise _reject(
                        name, f"is a {fmt or 'unknown'} image; terrain stores {kinds}: convert it"
                    )
                _check_extension(name, fmt)
                if image.width * image.height > _MAX_PIXELS:
                    raise _reject(
                        name, f"is {image.width}x{image.height} pixels, too large to be a photo"
                    )
                orientation = _orientation(image)
                if fmt == "JPEG":
                    out = _strip_jpeg(data, orientation, name)
                    size = image.size
                else:
                    out, size = _reencode_png(image)
                    orientation = 1
            _verify(out)
        except UnidentifiedImageError:
            raise _reject(
                name, "is not an image (or not one Pillow can read): only photos are imported"
            ) from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise _reject(name, "is too large to be a photo (decompression bomb guard)") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            if isinstance(exc, MediaRejected):
                raise
            raise _reject(name, f"is corrupt or truncated ({exc}); copy it again") from None
    media_type, extension = ACCEPTED_FORMATS[fmt]
    return PreparedImage(
        data=out,
        media_type=media_type,
        extension=extension,
        width=size[0],
        height=size[1],
        checksum=hashlib.sha256(out).hexdigest(),
        orientation=orientation,
    )


def _orientation(image: Any) -> int:
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except Exception:  # a broken EXIF block: it is dropped anyway
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _verify(data: bytes) -> None:
    """Decode what will be stored, completely: truncated data raises here."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        if image.format == "JPEG":
            # decode at 1/8 scale: every byte of the entropy-coded data is still
            # read (truncation and corruption are caught) at a fraction of the cost
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()


def _reencode_png(image: Any) -> tuple[bytes, tuple[int, int]]:
    from PIL import ImageOps

    image.load()
    upright = ImageOps.exif_transpose(image)
    buffer = io.BytesIO()
    params: dict[str, Any] = {"optimize": False}
    if "transparency" in image.info:
        params["transparency"] = image.info["transparency"]
    if "icc_profile" in image.info:
        params["icc_profile"] = image.info["icc_profile"]
    # a fresh image carries no text/XMP/EXIF chunk: only pixels are written
    clean = upright.copy()
    clean.info = {}
    clean.save(buffer, format="PNG", **params)
    return buffer.getvalue(), clean.size


# -- JPEG: a lossless segment filter -------------------------------------------------------

_SOI, _EOI, _SOS, _COM = 0xD8, 0xD9, 0xDA, 0xFE
_APP0, _APP1, _APP2, _APP13, _APP14 = 0xE0, 0xE1, 0xE2, 0xED, 0xEE


def _keep_app(marker: int, payload: bytes) -> bool:
    if marker == _APP0:
        return payload.startswith(b"JFIF\x00")  # not JFXX thumbnails
    if marker == _APP2:
        return payload.startswith(b"ICC_PROFILE\x00")  # not MPF (extra pictures)
    return marker == _APP14 and payload.startswith(b"Adobe")  # colour transform flag


def _orientation_segment(orientation: int) -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[_ORIENTATION] = orientation
    payload = exif.tobytes()  # b"Exif\0\0" + TIFF header + one IFD entry
    return b"\xff\xe1" + (len(payload) + 2).to_bytes(2, "big") + payload


def _strip_jpeg(data: bytes, orientation: int, name: str) -> bytes:
    """Copy a JPEG keeping only the segments needed to show it (see the module doc)."""
    if data[:2] != b"\xff\xd8":
        raise _reject(name, "does not start like a JPEG file")
    out = bytearray(b"\xff\xd8")
    if orientation != 1:
        out += _orientation_segment(orientation)
    i, n = 2, len(data)
    while True:
        if i >= n:
            raise _reject(name, "is truncated (the JPEG ends before its end marker); copy it again")
        if data[i] != 0xFF:
            raise _reject(name, f"is corrupt (no JPEG marker at byte {i})")
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            raise _reject(name, "is truncated; copy it again")
        marker = data[i]
        i += 1
        if marker == _EOI:
            out += b"\xff\xd9"
            return bytes(out)  # anything after the end of image is dropped
        if 0xD0 <= marker <= 0xD7 or marker in (0x01, _SOI):
            out += bytes((0xFF, marker))
            continue
        if i + 2 > n:
            raise _reject(name, "is truncated inside a JPEG segment; copy it again")
        length = int.from_bytes(data[i : i + 2], "big")
        end = i + length
        if length < 2 or end > n:
            raise _reject(name, "is truncated inside a JPEG segment; copy it again")
        payload = data[i + 2 : end]
        is_app = 0xE0 <= marker <= 0xEF
        if (not is_app and marker != _COM) or (is_app and _keep_app(marker, payload)):
            out += data[i - 2 : end]
        i = end
        if marker == _SOS:
            # entropy-coded data runs until a marker that is not a stuffed 0xFF00 or a restart
            j = i
            while True:
                j = data.find(b"\xff", j)
                if j < 0 or j + 1 >= n:
                    raise _reject(
                        name, "is truncated (the image data stops before its end); copy it again"
                    )
                following = data[j + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
                    j += 1
                    continue
                break
            out += data[i:j]
            i = j
