"""Preparing photos for the workspace, and cleaning every media file that leaves it.

:func:`prepare_image` takes the bytes of a file as it came off a phone or a
camera and returns the bytes terrain stores, with no location in them, without
decoding the picture (a lossless copy: no quality lost, little memory used):

- **JPEG**: ``terrain._jpeg.clean_jpeg`` copies the compressed image data
  byte for byte and writes anew only what changes how it looks (JFIF density,
  the Adobe colour transform, a rewritten ICC profile holding colour tags
  only, and an EXIF segment with the ``Orientation`` tag alone): EXIF with its
  GPS IFD and thumbnail, XMP, IPTC, comments, JFIF thumbnails (the uncropped
  picture) and every other segment are dropped.
- **PNG**: ``terrain._png.clean_png`` copies the chunks needed to show it
  and drops text, ``eXIf``, ``tIME`` and private chunks; its ICC profile is
  rewritten too. A PNG whose ``eXIf`` says it is rotated is turned upright
  (decoded and re-encoded, up to :data:`MAX_ROTATED_PNG_PIXELS`).

The file is identified by its content and checked whole, so a truncated or
corrupt file is rejected with :class:`MediaRejected` instead of being stored:
a JPEG is decoded at 1/8 of its size (every byte of its data is still read), a
PNG's image data is inflated as a stream and its rows counted. A picture over
``max_pixels`` (``[import] max_megapixels``) is refused from its header, before
anything is decoded: a 300 KB PNG can claim 20,000 x 20,000 pixels
(a decompression bomb). A name whose image extension contradicts the content
(a PNG renamed ``.jpg``) is rejected too: it is usually a broken export or a
file swapped by mistake, and the message says how to rename it. A name without
an image extension is judged by its content alone.

:func:`clean_media` is the check at the way out: the adapters read every media
file through it (``terrain_adapters._shared.read_media``), so a file that
reached the storage another way (copied by hand, written by a plugin, a
composite) leaves cleaned too, and a file terrain cannot clean does not leave.
Pillow is imported inside the functions: ``import terrain`` stays light.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from typing import Any

import attrs

from terrain.errors import ValidationError

__all__ = [
    "ACCEPTED_FORMATS",
    "DEFAULT_MAX_MEGAPIXELS",
    "MAX_ROTATED_PNG_PIXELS",
    "MediaRejected",
    "PreparedImage",
    "clean_media",
    "prepare_image",
]

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
#: The default of ``[import] max_megapixels``: every phone and camera photo (a 108 MP
#: phone mode, a 61 MP full-frame camera) fits; a bigger picture is refused unread.
DEFAULT_MAX_MEGAPIXELS = 120
#: A rotated PNG is decoded to be turned upright: up to this many pixels (~300 MB).
MAX_ROTATED_PNG_PIXELS = 25_000_000


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


def _too_many_pixels(name: str, width: int, height: int, max_pixels: int) -> MediaRejected:
    limit = max_pixels / 1e6
    return _reject(
        name,
        f"is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels); terrain imports "
        f"pictures up to {limit:g} megapixels ([import] max_megapixels = {limit:g} in "
        "terrain.toml), and decoding this one would take gigabytes of memory (a "
        "decompression bomb, or a scan far bigger than a photo): export it smaller, or raise "
        "max_megapixels",
    )


def prepare_image(
    data: bytes, *, name: str = "", max_pixels: int = DEFAULT_MAX_MEGAPIXELS * 1_000_000
) -> PreparedImage:
    """The bytes of an image with every location metadata removed (see the module doc).

    ``name`` is only used in messages. Raises :class:`MediaRejected` for a
    file that is empty, not an image, of a format terrain does not store,
    over ``max_pixels``, or corrupt/truncated.
    """
    from PIL import Image, UnidentifiedImageError

    from terrain._jpeg import JpegError, clean_jpeg
    from terrain._png import PNG_SIGNATURE, PngError, check_png_data, clean_png, png_header

    if not data:
        raise _reject(name, "the file is empty")
    with warnings.catch_warnings():
        # Pillow warns about broken EXIF blocks (dropped anyway) and about pictures over
        # its own pixel limit: ours, checked below from the header, is the one that holds
        warnings.simplefilter("ignore")
        try:
            if data.startswith(PNG_SIGNATURE):  # Pillow refuses the biggest without their size
                header = png_header(data)
                if header.width * header.height > max_pixels:
                    raise _too_many_pixels(name, header.width, header.height, max_pixels)
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
                if fmt not in ACCEPTED_FORMATS:
                    kinds = ", ".join(ACCEPTED_FORMATS)
                    raise _reject(
                        name, f"is a {fmt or 'unknown'} image; terrain stores {kinds}: convert it"
                    )
                _check_extension(name, fmt)
                width, height = image.size
                if width * height > max_pixels:
                    raise _too_many_pixels(name, width, height, max_pixels)
                # Pillow decodes a whole PNG to find its eXIf chunk: read the chunk instead
                orientation = _orientation(image) if fmt == "JPEG" else _png_orientation(data)
                if fmt == "JPEG":
                    out = clean_jpeg(data, orientation)
                    _verify_jpeg(out)
                elif orientation == 1:
                    check_png_data(data)
                    out = clean_png(data)
                else:
                    if width * height > MAX_ROTATED_PNG_PIXELS:
                        raise _reject(
                            name,
                            f"is a {width}x{height} PNG marked as rotated; terrain turns PNGs "
                            f"upright only up to {MAX_ROTATED_PNG_PIXELS // 1_000_000} "
                            "megapixels: save it upright (or as a JPEG) and import it again",
                        )
                    check_png_data(data)
                    out, (width, height) = _upright_png(image)
                    orientation = 1
        except UnidentifiedImageError:
            raise _reject(
                name, "is not an image (or not one Pillow can read): only photos are imported"
            ) from None
        except Image.DecompressionBombError as exc:
            claimed = re.search(r"\((\d+) pixels\)", str(exc))
            size = f" ({int(claimed.group(1)) / 1e6:.0f} megapixels)" if claimed else ""
            raise _reject(
                name,
                f"claims more pixels{size} than Pillow will ever decode; terrain imports "
                f"pictures up to {max_pixels / 1e6:g} megapixels ([import] max_megapixels): "
                "a decompression bomb, or no photo",
            ) from None
        except (JpegError, PngError) as exc:
            raise _reject(name, f"is corrupt or truncated: {exc}; copy it again") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            if isinstance(exc, MediaRejected):
                raise
            raise _reject(name, f"is corrupt or truncated ({exc}); copy it again") from None
    media_type, extension = ACCEPTED_FORMATS[fmt]
    return PreparedImage(
        data=out,
        media_type=media_type,
        extension=extension,
        width=width,
        height=height,
        checksum=hashlib.sha256(out).hexdigest(),
        orientation=orientation,
    )


def clean_media(data: bytes, *, name: str = "") -> bytes:
    """``data`` (a JPEG or a PNG) with every metadata removed but what is needed to show
    it right: what may leave the workspace. Fast (no decoding) and idempotent.

    Raises :class:`MediaRejected` for anything else (another format, a corrupt
    file): a file terrain cannot clean never leaves.
    """
    from terrain._jpeg import JpegError, clean_jpeg
    from terrain._png import PNG_SIGNATURE, PngError, clean_png

    try:
        if data.startswith(b"\xff\xd8\xff"):
            return clean_jpeg(data, _jpeg_orientation(data))
        if data.startswith(PNG_SIGNATURE):
            return clean_png(data)
    except (JpegError, PngError) as exc:
        raise _reject(name, f"is corrupt ({exc}): import the photo again") from None
    raise _reject(
        name,
        "is neither a JPEG nor a PNG, so terrain cannot make sure it carries no location: "
        "it is not sent; import the photo again (`terrain content import`)",
    )


def _orientation(image: Any) -> int:
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except Exception:  # a broken EXIF block: it is dropped anyway
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _png_orientation(data: bytes) -> int:
    from PIL import Image

    from terrain._png import png_exif

    body = png_exif(data)
    if body is None:
        return 1
    exif = Image.Exif()
    try:
        exif.load(body)
    except Exception:  # a broken eXIf chunk: dropped anyway
        return 1
    value = exif.get(_ORIENTATION, 1)
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _jpeg_orientation(data: bytes) -> int:
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(io.BytesIO(data)) as image:
                return _orientation(image)
        except Exception:  # clean_jpeg says what is wrong with the file
            return 1


def _verify_jpeg(data: bytes) -> None:
    """Decode what will be stored, completely, at 1/8 scale: truncated data raises here."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        # every byte of the entropy-coded data is still read (truncation and corruption
        # are caught), into a picture 64 times smaller
        image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()


def _upright_png(image: Any) -> tuple[bytes, tuple[int, int]]:
    """A PNG marked as rotated, decoded, turned upright and written again (pixels only)."""
    from PIL import ImageOps

    image.load()
    upright = ImageOps.exif_transpose(image)
    params: dict[str, Any] = {"optimize": False}
    if "transparency" in image.info:
        params["transparency"] = image.info["transparency"]
    upright.info = {}  # a new image: no text, XMP or EXIF chunk is written
    buffer = io.BytesIO()
    upright.save(buffer, format="PNG", **params)
    from terrain._png import clean_png

    return clean_png(buffer.getvalue()), upright.size
