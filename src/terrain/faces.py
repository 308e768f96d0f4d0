"""Who is in a photo before anyone looks: the faces tagged in a photo tool, and faces found.

At import, before the file is cleaned of its metadata, :func:`find_faces`
reads the face tags a photo tool wrote (XMP Metadata Working Group regions,
read by ``terrain._xmp``) and asks the face detector
(:func:`terrain.hookspecs.terrain_detect_faces`: a plugin's, else OpenCV's
with the ``faces`` extra) for the faces in the picture. :func:`match_names`
matches the tagged names to members. What comes out is data the workspace
keeps (``Appearance.region``, ``MediaFile.faces``): the file it stores has
no metadata left to read.

Pillow is imported inside the functions: ``import terrain`` stays light.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from terrain._public import claim
from terrain._xmp import TaggedFace, read_face_tags
from terrain.community import Member
from terrain.content import Region
from terrain.media import turn_upright

__all__ = [
    "DETECTION_OFF",
    "DETECTOR_SIDE",
    "FacesFound",
    "TaggedFace",
    "detect_faces",
    "find_faces",
    "match_names",
    "merge_faces",
    "orientation_of",
    "read_face_tags",
    "upright_picture",
]

#: The longest side of the picture a face detector is shown (faces stay findable,
#: a 12 MP photo decodes at 1/4 scale in a few milliseconds).
DETECTOR_SIDE = 1280
#: What an import says when no detector answered.
DETECTION_OFF = (
    "face detection is off (no detector installed: pip install 'terrain-field[faces]', "
    "or a plugin implementing terrain_detect_faces): count the people in each photo "
    "yourself when you review it"
)
#: Two regions overlapping this much (or one's centre inside the other) are one face.
_SAME_FACE = 0.3


@attrs.frozen
class FacesFound:
    """What :func:`find_faces` learnt about one picture.

    ``tagged`` are the faces a photo tool tagged (name and region), ``faces``
    every face found, tagged or detected, once each (regions of the picture as
    stored); ``detected`` is ``False`` when no detector could answer.
    """

    tagged: tuple[TaggedFace, ...] = ()
    faces: tuple[Region, ...] = ()
    detected: bool = False


def upright_picture(data: bytes, max_side: int = DETECTOR_SIDE) -> tuple[Any, int]:
    """The picture in ``data`` turned upright, RGB, at most ``max_side`` pixels on its
    longest side (a JPEG is decoded at a reduced scale), and its EXIF orientation."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        image: Any = Image.open(io.BytesIO(data))
        try:
            orientation = int(image.getexif().get(0x0112, 1))
        except Exception:
            orientation = 1
        if not 1 <= orientation <= 8:
            orientation = 1
        if image.format == "JPEG":
            image.draft("RGB", (max_side, max_side))
        image = image.convert("RGB")
        image.thumbnail((max_side, max_side))
        if orientation != 1:
            image = turn_upright(image, orientation)
    return image, orientation


def detect_faces(image: Any, hook: Any) -> tuple[Region, ...] | None:
    """The faces the first detector that can tell finds in ``image`` (an upright Pillow
    image), as fractions of it; ``None`` when no detector answered. ``hook`` is a
    plugin manager's hook relay."""
    caller = getattr(hook, "terrain_detect_faces", None) if hook is not None else None
    if caller is None:
        return None
    found = caller(image=image)
    if found is None:
        return None
    return tuple(r for r in found if isinstance(r, Region))


def merge_faces(*groups: Iterable[Region]) -> tuple[Region, ...]:
    """Every face of ``groups`` once: a region over one already kept (they overlap by a
    third, or the centre of one is inside the other) is the same face."""
    kept: list[Region] = []
    for group in groups:
        for region in group:
            if not any(_same(region, k) for k in kept):
                kept.append(region)
    return tuple(kept)


def _inside(point: tuple[float, float], region: Region) -> bool:
    x, y = point
    return (region.left <= x <= region.left + region.width
            and region.top <= y <= region.top + region.height)


def _same(a: Region, b: Region) -> bool:
    return a.overlap(b) >= _SAME_FACE or _inside(a.center, b) or _inside(b.center, a)


def find_faces(
    data: bytes,
    *,
    width: int,
    height: int,
    hook: Any = None,
    detect: bool = True,
    picture: tuple[Any, int] | None = None,
) -> FacesFound:
    """The faces tagged in ``data`` (the file as it came, with its XMP) and the faces a
    detector finds in it (when ``detect`` and ``hook`` has one), once each.

    ``width`` x ``height`` is the picture as stored. Tags that cannot be read give no
    face, never an error; a picture the detector cannot decode is simply not
    detected.
    """
    orientation = 1
    detected: tuple[Region, ...] | None = None
    if detect and hook is not None:
        try:
            image, orientation = upright_picture(data)
        except Exception:  # a picture Pillow cannot decode: nothing detected
            image = None
        if image is not None:
            upright = detect_faces(image, hook)
            if upright is not None:
                detected = tuple(r.stored(orientation) for r in upright)
    else:
        orientation = picture[1] if picture is not None else orientation_of(data)
    tagged = read_face_tags(data, width=width, height=height, orientation=orientation)
    tagged_regions = [t.region for t in tagged if t.region is not None]
    return FacesFound(
        tagged=tagged,
        faces=merge_faces(tagged_regions, detected or ()),
        detected=detected is not None,
    )


def orientation_of(data: bytes) -> int:
    """The EXIF orientation (1-8) of the picture in ``data``; 1 when it has none."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(io.BytesIO(data)) as image:
                value = int(image.getexif().get(0x0112, 1))
        except Exception:
            return 1
    return value if 1 <= value <= 8 else 1


def _folded(name: str) -> str:
    """A name as people mean it: no accents, no case, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def match_names(
    names: Sequence[str], members: Mapping[str, Member] | Iterable[Member]
) -> tuple[dict[str, str], dict[str, str]]:
    """Match the names a photo tool wrote to members: by display name (accents, case and
    spaces aside) or by member id.

    Returns ``(matched, unknown)``: ``matched`` maps a name to its member id;
    ``unknown`` maps each other name to why (no member has it, or several do).
    """
    people = list(members.values()) if isinstance(members, Mapping) else list(members)
    by_name: dict[str, list[str]] = {}
    for member in people:
        by_name.setdefault(_folded(member.display_name), []).append(member.id)
    ids = {m.id for m in people}
    matched: dict[str, str] = {}
    unknown: dict[str, str] = {}
    for name in names:
        if not name or name in matched or name in unknown:
            continue
        found = by_name.get(_folded(name), [])
        if len(found) == 1:
            matched[name] = found[0]
        elif name in ids:
            matched[name] = name
        elif found:
            unknown[name] = f"{len(found)} members are called {name!r} ({', '.join(found)})"
        else:
            unknown[name] = f"no member is called {name!r}"
    return matched, unknown


claim(__name__, globals())
