"""The :class:`~terrain.content.Region` of a picture (see :mod:`terrain.content`).

Apart from the content models so that what only needs a region (a post's blurs,
read back from the journal by ``terrain log``) imports none of them; it is
claimed by :mod:`terrain.content`, its public home, which re-exports it.
"""

from __future__ import annotations

import math

import attrs

from terrain._public import claim
from terrain._validation import fail

__all__ = ["Region"]


def _fraction(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise fail(instance, attribute, f"expected a number from 0 to 1, got {value!r}")
    if not 0.0 <= value <= 1.0:
        raise fail(instance, attribute, f"{value!r}: a fraction of the picture, from 0 to 1")


def _to_float(value: object) -> object:
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


#: What a region may overrun the picture by, from rounding in the tool that wrote it.
_SLACK = 1e-6

#: How EXIF orientation ``o`` maps a stored picture to the upright one: whether the
#: axes are swapped, then whether x and y are mirrored (in the upright picture).
_ORIENTATIONS: dict[int, tuple[bool, bool, bool]] = {
    1: (False, False, False),
    2: (False, True, False),
    3: (False, True, True),
    4: (False, False, True),
    5: (True, False, False),
    6: (True, True, False),
    7: (True, True, True),
    8: (True, False, True),
}


@attrs.frozen
class Region:
    """A rectangle of a picture, as fractions of its width and height (0 to 1).

    ``left`` and ``top`` are its top-left corner, ``width`` and ``height`` its
    size, all in the picture **as stored** (before an EXIF orientation turns it
    upright), as the Metadata Working Group's face regions are: a region keeps
    its place whatever size the picture is shown at. A region never leaves the
    picture.
    """

    left: float = attrs.field(converter=_to_float, validator=_fraction)
    top: float = attrs.field(converter=_to_float, validator=_fraction)
    width: float = attrs.field(converter=_to_float, validator=_fraction)
    height: float = attrs.field(converter=_to_float, validator=_fraction)

    def __attrs_post_init__(self) -> None:
        if self.width <= 0 or self.height <= 0:
            raise fail(self, attrs.fields(Region).width, "a region has a width and a height")
        if self.left + self.width > 1 + _SLACK or self.top + self.height > 1 + _SLACK:
            raise fail(
                self, attrs.fields(Region).left,
                f"the region ({self.left:g}, {self.top:g}, {self.width:g} x {self.height:g}) "
                "leaves the picture: left + width and top + height are at most 1",
            )

    @classmethod
    def from_center(cls, x: float, y: float, w: float, h: float) -> Region:
        """The region of centre ``(x, y)`` and size ``w`` x ``h`` (the MWG ``stArea``
        form), cut to the picture; :class:`~terrain.errors.ValidationError` when
        nothing of it is inside the picture."""
        left, top = max(0.0, x - w / 2), max(0.0, y - h / 2)
        right, bottom = min(1.0, x + w / 2), min(1.0, y + h / 2)
        return cls(left, top, right - left, bottom - top)

    @property
    def center(self) -> tuple[float, float]:
        """The centre ``(x, y)``."""
        return (self.left + self.width / 2, self.top + self.height / 2)

    def grown(self, margin: float) -> Region:
        """This region enlarged by ``margin`` times its size on every side, cut to the
        picture (a blur covers hair and ears, not just the face a tool outlined)."""
        dx, dy = self.width * margin, self.height * margin
        left, top = max(0.0, self.left - dx), max(0.0, self.top - dy)
        right = min(1.0, self.left + self.width + dx)
        bottom = min(1.0, self.top + self.height + dy)
        return Region(left, top, right - left, bottom - top)

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The box ``(x0, y0, x1, y1)`` this region covers in a ``width`` x ``height``
        picture, every pixel it touches included."""
        x0 = min(width - 1, max(0, math.floor(self.left * width)))
        y0 = min(height - 1, max(0, math.floor(self.top * height)))
        x1 = max(x0 + 1, min(width, math.ceil((self.left + self.width) * width)))
        y1 = max(y0 + 1, min(height, math.ceil((self.top + self.height) * height)))
        return x0, y0, x1, y1

    def overlap(self, other: Region) -> float:
        """The area both regions cover over the area either covers (0: apart, 1: the same)."""
        left, top = max(self.left, other.left), max(self.top, other.top)
        right = min(self.left + self.width, other.left + other.width)
        bottom = min(self.top + self.height, other.top + other.height)
        if right <= left or bottom <= top:
            return 0.0
        both = (right - left) * (bottom - top)
        return both / (self.width * self.height + other.width * other.height - both)

    def upright(self, orientation: int) -> Region:
        """This region in the picture as shown, once EXIF ``orientation`` (1-8) turned it
        upright."""
        swap, flip_x, flip_y = _ORIENTATIONS.get(orientation, _ORIENTATIONS[1])
        left, top, width, height = self.left, self.top, self.width, self.height
        if swap:
            left, top, width, height = top, left, height, width
        if flip_x:
            left = 1.0 - left - width
        if flip_y:
            top = 1.0 - top - height
        return Region(max(0.0, left), max(0.0, top), width, height)

    def stored(self, orientation: int) -> Region:
        """The inverse of :meth:`upright`: a region of the upright picture, in the
        picture as stored."""
        swap, flip_x, flip_y = _ORIENTATIONS.get(orientation, _ORIENTATIONS[1])
        left, top, width, height = self.left, self.top, self.width, self.height
        if flip_x:
            left = 1.0 - left - width
        if flip_y:
            top = 1.0 - top - height
        if swap:
            left, top, width, height = top, left, height, width
        return Region(max(0.0, left), max(0.0, top), width, height)


claim("terrain.content", {"__all__": __all__, "Region": Region})
