"""Faces found at import: OpenCV's Haar cascade (the ``faces`` extra), or a plugin's detector.

The photos are made here: faces drawn with the shading a camera sees (skin, eye
sockets, a lit nose bridge: ``tests/_faces.py``), which the frontal-face
cascade finds, and pictures with no face at all (a landscape, a plain wall).
"""

from __future__ import annotations

import io
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import terrain
from terrain import Community, Content
from terrain.content import Region
from terrain.faces import DETECTION_OFF, find_faces, merge_faces, upright_picture
from terrain.store import Workspace
from terrain.testing import strategies
from terrain.workflows import import_media

from ._faces import GROUP, _noise, group_photo, landscape, regions_of

NOW = datetime(2026, 3, 12, 23, 0, tzinfo=UTC)
cv2 = pytest.importorskip("cv2", reason="the faces extra (opencv-python-headless) is needed")


def _truth(faces: tuple[tuple[int, int, int], ...] = GROUP) -> list[Region]:
    return [Region.from_center(*r) for r in regions_of(faces)]


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    with Workspace.init(tmp_path / "ws", community=Community(id="c", name="C")) as opened:
        yield opened


def _hook() -> object:
    return terrain.get_plugin_manager().hook


@given(seed=st.integers(0, 2**64), size=st.integers(0, 5000))
def test_the_photos_noise_is_what_randrange_draws_one_at_a_time(seed: int, size: int) -> None:
    """The photos' noise, drawn in bulk, is the same as ``randrange(0, 12)`` called
    ``size`` times: the photos these tests read do not depend on the shortcut."""
    rng = random.Random(seed)
    assert _noise.__wrapped__(seed, size) == bytes(rng.randrange(0, 12) for _ in range(size))


def test_the_built_in_detector_finds_each_face_of_a_group_photo() -> None:
    data = group_photo()
    found = find_faces(data, width=1000, height=700, hook=_hook())
    assert found.detected
    assert len(found.faces) == len(GROUP)
    for truth in _truth():
        assert max(truth.overlap(face) for face in found.faces) > 0.4


@pytest.mark.parametrize(
    "picture",
    [landscape(), landscape(fmt="PNG"), group_photo(faces=())],
    ids=["landscape", "landscape-png", "empty-room"],
)
def test_the_built_in_detector_finds_no_face_where_there_is_none(picture: bytes) -> None:
    with Image.open(io.BytesIO(picture)) as image:
        width, height = image.size
    found = find_faces(picture, width=width, height=height, hook=_hook())
    assert found.detected
    assert found.faces == ()


def test_faces_of_a_turned_photo_are_found_upright_and_kept_as_stored() -> None:
    """The camera was turned: the stored picture lies on its side (orientation 6). The
    detector sees it upright; the regions come back in the picture as stored."""
    upright = Image.open(io.BytesIO(group_photo()))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    stored.save(out, format="JPEG", quality=90, exif=exif)
    found = find_faces(out.getvalue(), width=700, height=1000, hook=_hook())
    assert len(found.faces) == len(GROUP)
    for truth in _truth():
        assert max(truth.overlap(face.upright(6)) for face in found.faces) > 0.4


def test_import_counts_the_faces_and_says_when_detection_is_off(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group = tmp_path / "group.jpg"
    group.write_bytes(group_photo())
    report = import_media(ws, [group], now=NOW)
    assert report.outcomes[0].faces == len(GROUP)
    assert report.notes == ()
    content = ws.get(Content, report.outcomes[0].content_id)
    assert len(content.media[0].faces) == len(GROUP)
    # without OpenCV (the extra not installed): nothing breaks, the report says so
    import terrain_adapters.faces as built_in

    monkeypatch.setitem(sys.modules, "cv2", None)
    monkeypatch.setattr(built_in, "_loaded", {})
    other = tmp_path / "other.jpg"
    other.write_bytes(group_photo(seed=7))
    report = import_media(ws, [other], now=NOW)
    assert report.ok
    assert report.outcomes[0].faces == 0
    assert report.notes == (DETECTION_OFF,)
    assert "pip install 'terrain-field[faces]'" in DETECTION_OFF


class _Counting:
    """A plugin whose detector finds one face in the middle of every picture."""

    def __init__(self) -> None:
        self.calls = 0

    @terrain.hookimpl
    def terrain_detect_faces(self, image: Image.Image) -> list[Region]:
        self.calls += 1
        assert image.mode == "RGB"
        assert max(image.size) <= 1280
        return [Region(0.4, 0.4, 0.2, 0.2)]


class _CannotTell:
    @terrain.hookimpl
    def terrain_detect_faces(self, image: Image.Image) -> None:
        return None


def test_a_plugin_s_detector_is_asked_before_terrain_s_own(
    ws: Workspace, tmp_path: Path
) -> None:
    plugin = _Counting()
    ws.plugins.register(plugin, name="better-faces")
    photo = tmp_path / "room.jpg"
    photo.write_bytes(landscape())
    report = import_media(ws, [photo], now=NOW)
    assert plugin.calls == 1
    assert report.outcomes[0].faces == 1
    assert ws.get(Content, report.outcomes[0].content_id).media[0].faces == (
        Region(0.4, 0.4, 0.2, 0.2),
    )


def test_a_plugin_that_cannot_tell_leaves_the_answer_to_the_next_detector(
    ws: Workspace, tmp_path: Path
) -> None:
    ws.plugins.register(_CannotTell(), name="no-model")
    photo = tmp_path / "group.jpg"
    photo.write_bytes(group_photo())
    report = import_media(ws, [photo], now=NOW)
    assert report.outcomes[0].faces == len(GROUP)


def test_worker_processes_detect_faces_too(ws: Workspace, tmp_path: Path) -> None:
    paths = []
    for i in range(8):
        path = tmp_path / f"g{i}.jpg"
        path.write_bytes(group_photo(seed=i + 10))
        paths.append(path)
    report = import_media(ws, paths, now=NOW, workers=2)
    assert [o.faces for o in report.outcomes] == [len(GROUP)] * 8


def test_the_detector_sees_the_picture_upright_and_small() -> None:
    image, orientation = upright_picture(group_photo(orientation=8), max_side=500)
    assert orientation == 8
    assert image.size == (350, 500)  # 1000 x 700 turned, then made smaller


@settings(max_examples=60, deadline=None)
@given(st.lists(strategies.regions(), max_size=6), st.lists(strategies.regions(), max_size=6))
def test_merging_faces_keeps_each_face_once_and_every_face_somewhere(
    tagged: list[Region], detected: list[Region]
) -> None:
    merged = merge_faces(tagged, detected)
    assert len(merged) <= len(tagged) + len(detected)
    for face in [*tagged, *detected]:  # nothing is lost: each is one of the kept, or over one
        assert face in merged or any(face.overlap(k) > 0 or k.overlap(face) > 0 for k in merged)
    assert merge_faces(merged) == merged  # the kept faces are all different faces
