"""terrain's own face detector: OpenCV's Haar cascade, offline (the ``faces`` extra).

``pip install 'terrain-field[faces]'`` brings ``opencv-python-headless`` (4.x:
its wheel ships the trained cascades in ``cv2.data.haarcascades``; OpenCV 5
dropped them) and numpy. Without them :func:`haar_faces` answers ``None``
("cannot tell"), and the import says face detection is off.

The frontal-face cascade finds faces looking at the camera, from about 4% of
the picture's shorter side; it misses faces in profile and finds a false one
now and then. That is the right side to err on here: a face found makes a
person review the photo, and a plugin can bring a better detector
(:func:`terrain.hookspecs.terrain_detect_faces`).
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING, Any

from terrain.content import Region

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = ["CASCADE", "haar_faces"]

#: The cascade used, from the ones OpenCV ships.
CASCADE = "haarcascade_frontalface_default.xml"
#: The longest side the cascade looks at: a face of 4% of the picture is still 24
#: pixels there, and a textured 12 MP photo takes about 0.2 s of one core, not 0.5 s.
SIDE = 800

_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def _classifier() -> Any:
    """The cascade, loaded once per process; ``None`` when OpenCV is missing."""
    with _lock:
        if "cascade" not in _loaded:
            try:
                import cv2

                folder = importlib.import_module("cv2.data").haarcascades
            except ImportError:
                _loaded["cascade"] = None
            else:
                cascade = cv2.CascadeClassifier(folder + CASCADE)
                _loaded["cascade"] = None if cascade.empty() else cascade
        return _loaded["cascade"]


def haar_faces(image: Image) -> list[Region] | None:
    """The faces OpenCV's frontal-face cascade finds in ``image`` (as fractions of it),
    or ``None`` when OpenCV is not installed."""
    cascade = _classifier()
    if cascade is None:
        return None
    import cv2
    import numpy

    small = image.convert("L")
    small.thumbnail((SIDE, SIDE))
    grey = cv2.equalizeHist(numpy.asarray(small))
    height, width = grey.shape
    smallest = max(24, int(min(width, height) * 0.04))
    found = cascade.detectMultiScale(
        grey, scaleFactor=1.2, minNeighbors=5, minSize=(smallest, smallest)
    )
    faces = []
    for x, y, w, h in (tuple(int(v) for v in box) for box in found):
        faces.append(Region(x / width, y / height, min(w / width, 1 - x / width),
                            min(h / height, 1 - y / height)))
    return sorted(faces, key=lambda r: (r.left, r.top))
