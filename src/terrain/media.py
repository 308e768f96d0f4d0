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
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from terrain._files import DEFAULT_MAX_MEGAPIXELS
from terrain.content import Region
from terrain.errors import ValidationError

__all__ = [
    "ACCEPTED_FORMATS",
    "BLOCK",
    "DEFAULT_MAX_MEGAPIXELS",
    "MAX_ROTATED_PNG_PIXELS",
    "MediaRejected",
    "PreparedImage",
    "blur_boxes",
    "blur_regions",
    "clean_media",
    "prepare_image",
    "thumbnail",
    "thumbnail_of",
    "turn_upright",
]

#: The longest side of a thumbnail, in pixels (a contact sheet shows them at half that,
#: sharp on a high-density screen).
THUMBNAIL_SIDE = 320

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


#: A blurred box is widened to this grid of pixels: a JPEG is coded in blocks of 8
#: (16 where colour is halved), so blurring whole blocks leaves the others as they were.
BLOCK = 16


def blur_boxes(
    regions: Sequence[Region], width: int, height: int, *, margin: float = 0.0
) -> list[tuple[int, int, int, int]]:
    """The pixel boxes ``(x0, y0, x1, y1)`` :func:`blur_regions` covers in a ``width`` x
    ``height`` picture: each region grown by ``margin`` of its size on every side, then
    widened to the :data:`BLOCK` grid."""
    boxes = []
    for region in regions:
        x0, y0, x1, y1 = region.grown(margin).pixels(width, height)
        x0, y0 = x0 - x0 % BLOCK, y0 - y0 % BLOCK
        x1 = min(width, x1 + (-x1) % BLOCK)
        y1 = min(height, y1 + (-y1) % BLOCK)
        boxes.append((x0, y0, x1, y1))
    return boxes


def blur_regions(
    data: bytes, regions: Sequence[Region], *, margin: float = 0.3, name: str = ""
) -> bytes:
    """``data`` (a JPEG or a PNG) with each of ``regions`` (of the picture as stored)
    made unrecognisable, and no metadata but what shows it right (:func:`clean_media`).

    Each box (:func:`blur_boxes`) is pixelated to about eight blocks across, then
    given a strong Gaussian blur: nothing of the face is left to recover, and it
    reads as a blur, not a black box. Only those boxes change: a PNG stays
    lossless (not one pixel outside moves); a JPEG is written again with its own
    quantisation tables and chroma subsampling, so outside the boxes (and the
    16-pixel blocks sharing their colour samples) it is the photo coded once
    more: a level at most on a smooth photo, a few levels on a textured one.
    The orientation is kept. Raises :class:`MediaRejected` for a file that is not a
    JPEG or a PNG Pillow can read.
    """
    from PIL import Image, ImageFilter, UnidentifiedImageError

    if not regions:
        return clean_media(data, name=name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format
                if fmt not in ACCEPTED_FORMATS:
                    raise _reject(name, f"is a {fmt or 'unknown'} image: it cannot be blurred")
                orientation = _orientation(image) if fmt == "JPEG" else 1
                image.load()
                width, height = image.size
                picture = image.copy()
                jpeg: dict[str, Any] = {}
                if fmt == "JPEG":
                    jpeg = _same_coding(image, orientation)
                for x0, y0, x1, y1 in blur_boxes(regions, width, height, margin=margin):
                    box = picture.crop((x0, y0, x1, y1))
                    across = max(1, min(8, (x1 - x0) // 4))
                    down = max(1, round(across * (y1 - y0) / max(1, x1 - x0)))
                    small = box.resize((across, down), Image.Resampling.BOX)
                    blocky = small.resize(box.size, Image.Resampling.NEAREST)
                    radius = max(2.0, max(box.size) / 12)
                    picture.paste(blocky.filter(ImageFilter.GaussianBlur(radius)), (x0, y0))
                out = io.BytesIO()
                if fmt == "JPEG":
                    picture.save(out, format="JPEG", **jpeg)
                else:
                    png: dict[str, Any] = {}
                    if "transparency" in image.info:
                        png["transparency"] = image.info["transparency"]
                    picture.info = {}
                    picture.save(out, format="PNG", **png)
        except UnidentifiedImageError:
            raise _reject(name, "is not an image: it cannot be blurred") from None
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            if isinstance(exc, MediaRejected):
                raise
            raise _reject(name, f"is corrupt ({exc}): it cannot be blurred") from None
    return clean_media(out.getvalue(), name=name)


def _same_coding(source: Any, orientation: int) -> dict[str, Any]:
    """JPEG save parameters that code a picture as ``source`` was: its quantisation
    tables, its chroma subsampling, its colour profile and orientation."""
    from PIL import Image, JpegImagePlugin

    params: dict[str, Any] = {"qtables": source.quantization}
    sampling = JpegImagePlugin.get_sampling(source)
    params["subsampling"] = 2 if sampling == -1 else sampling
    if source.info.get("icc_profile"):
        params["icc_profile"] = source.info["icc_profile"]
    if orientation != 1:
        exif = Image.Exif()
        exif[_ORIENTATION] = orientation
        params["exif"] = exif.tobytes()
    return params


def thumbnail_of(image: Any, side: int = THUMBNAIL_SIDE) -> bytes:
    """A JPEG of ``image`` (a Pillow image, already upright) at most ``side`` pixels on
    its longest side, with no metadata at all (no EXIF, no ICC profile)."""
    small = image.convert("RGB")
    small.thumbnail((side, side))
    return _small_jpeg(small)


def _small_jpeg(small: Any) -> bytes:
    small.info = {}
    out = io.BytesIO()
    small.save(out, format="JPEG", quality=80, optimize=True)
    return out.getvalue()


def _thumbnail_size(size: tuple[int, int], side: int = THUMBNAIL_SIDE) -> tuple[int, int]:
    """The size of the thumbnail of a picture of ``size`` (as shown): what Pillow's
    ``Image.thumbnail((side, side))`` gives, the aspect ratio kept as closely as whole
    pixels allow; ``size`` itself when it fits already."""
    import math

    width, height = size
    if side >= width and side >= height:
        return size

    def round_aspect(number: float, key: Callable[[int], float]) -> int:
        return max(min(math.floor(number), math.ceil(number), key=key), 1)

    aspect = width / height
    x, y = side, side
    if x / y >= aspect:
        x = round_aspect(y * aspect, key=lambda n: abs(aspect - n / y))
    else:
        y = round_aspect(x / aspect, key=lambda n: 0 if n == 0 else abs(aspect - x / n))
    return x, y


def thumbnail(data: bytes, side: int = THUMBNAIL_SIDE, *, blur: Sequence[Region] = (),
              margin: float = 0.3, name: str = "") -> bytes:
    """The thumbnail of the picture in ``data`` (a JPEG or a PNG): upright, at most
    ``side`` pixels on its longest side, metadata-free, with ``blur`` regions (of the
    picture as stored) blurred as :func:`blur_regions` blurs them.

    A JPEG is decoded at the smallest scale its decoder offers (1/2, 1/4, 1/8) that
    still gives at least twice the thumbnail's size each way, then resampled as
    :func:`thumbnail_of` resamples: a 1600×1200 photo is decoded at 800×600, not whole.
    """
    from PIL import Image

    if blur:
        data = blur_regions(data, blur, margin=margin, name=name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(io.BytesIO(data)) as image:
                orientation = _orientation(image) if image.format == "JPEG" else 1
                stored = image.size
                turned = orientation >= 5  # shown on its side: width and height swap
                final = _thumbnail_size((stored[1], stored[0]) if turned else stored, side)
                target = (final[1], final[0]) if turned else final
                box = None
                if image.format == "JPEG":
                    # at least twice the thumbnail each way (Pillow's reducing gap of 2);
                    # the square (side * 2, side * 2) asked before missed it for a 4:3
                    # photo under 2,560 pixels wide, which was then decoded whole
                    drafted = image.draft("RGB", (target[0] * 2, target[1] * 2))
                    box = drafted[1] if drafted is not None else None
                picture = image.convert("RGB")
        except Exception as exc:
            raise _reject(name, f"cannot be shown ({exc}): import the photo again") from None
    if picture.size != target:
        picture = picture.resize(target, Image.Resampling.BICUBIC, box=box, reducing_gap=2.0)
    return _small_jpeg(turn_upright(picture, orientation))


def turn_upright(image: Any, orientation: int) -> Any:
    """``image`` (a Pillow image of a picture as stored) turned as EXIF ``orientation``
    (1-8) says it is shown."""
    from PIL import Image

    method = {
        2: Image.Transpose.FLIP_LEFT_RIGHT,
        3: Image.Transpose.ROTATE_180,
        4: Image.Transpose.FLIP_TOP_BOTTOM,
        5: Image.Transpose.TRANSPOSE,
        6: Image.Transpose.ROTATE_270,
        7: Image.Transpose.TRANSVERSE,
        8: Image.Transpose.ROTATE_90,
    }.get(orientation)
    return image if method is None else image.transpose(method)


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
