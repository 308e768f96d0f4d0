"""Importing photos that photo tools tagged: the people arrive identified, with their region.

The files carry XMP Metadata Working Group face regions as Lightroom, digiKam
and Picasa write them (``tests/_faces.py``); the import reads them before the
stored copy loses every metadata, matches the names to members, and keeps the
regions as data. Face detection is off in most of these tests
(``detect_faces=False``): ``tests/test_face_detection.py`` covers it.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from terrain import Content, Member
from terrain.content import Region
from terrain.store import Workspace
from terrain.workflows import import_media
from tests._faces import (
    FORMS,
    GROUP,
    group_photo,
    jpeg_with_xmp,
    landscape,
    png_with_xmp,
    xmp_packet,
)

from .conftest import NOW, DictStorage

TAGS = [
    ("Léa Martin", 0.5, 0.4, 0.2, 0.3),
    ("samir haddad", 0.2, 0.5, 0.1, 0.15),  # as typed in the tool: case does not matter
    ("Jean Inconnu", 0.8, 0.5, 0.1, 0.15),
]


@pytest.fixture
def members(ws: Workspace) -> Workspace:
    ws.add(Member(id="samir", display_name="Samir Haddad"))
    return ws


def _photo(tmp_path: Path, data: bytes, name: str = "tagged.jpg") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("form", sorted(FORMS))
def test_people_tagged_in_a_photo_tool_arrive_identified_with_their_region(
    members: Workspace, storage: DictStorage, tmp_path: Path, form: str
) -> None:
    data = jpeg_with_xmp(landscape(), xmp_packet(TAGS, (900, 600), form))
    report = import_media(members, [_photo(tmp_path, data)], event_id="ev-12", now=NOW,
                          detect_faces=False)
    (outcome,) = report.imported
    assert outcome.people == ("lea", "samir")
    assert outcome.unknown_names == ("Jean Inconnu: no member is called 'Jean Inconnu'",)
    assert outcome.faces == 3
    content = members.get(Content, outcome.content_id)
    (media,) = content.media
    by_member = {a.member_id: a for a in content.appearances}
    assert by_member["lea"].region == Region.from_center(0.5, 0.4, 0.2, 0.3)
    assert by_member["samir"].region == Region.from_center(0.2, 0.5, 0.1, 0.15)
    assert all(a.media_id == media.id and not a.reviewed for a in content.appearances)
    assert not content.people_reviewed  # identified is not reviewed
    assert len(media.faces) == 3  # the unknown face counts: someone must look at it
    stored = storage.files[media.key]
    for leak in (b"mwg-rs", b"Inconnu", b"GPS", b"Martin"):
        assert leak not in stored


def test_a_png_carries_its_face_tags_in_an_itxt_chunk(
    members: Workspace, tmp_path: Path
) -> None:
    for compressed in (False, True):
        png = landscape(fmt="PNG", seed=int(compressed))
        data = png_with_xmp(png, xmp_packet(TAGS[:1], (900, 600), "digikam"),
                            compressed=compressed)
        report = import_media(members, [_photo(tmp_path, data, f"t{compressed}.png")], now=NOW,
                              detect_faces=False)
        content = members.get(Content, report.imported[0].content_id)
        assert [a.member_id for a in content.appearances] == ["lea"]


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_a_photo_without_face_tags_arrives_with_nobody(
    members: Workspace, tmp_path: Path, fmt: str
) -> None:
    report = import_media(members, [_photo(tmp_path, landscape(fmt=fmt), f"x.{fmt.lower()}")],
                          now=NOW, detect_faces=False)
    (outcome,) = report.imported
    assert (outcome.people, outcome.unknown_names, outcome.faces) == ((), (), 0)
    content = members.get(Content, outcome.content_id)
    assert content.appearances == ()
    assert content.media[0].faces == ()


def test_regions_stay_in_the_frame_of_the_stored_picture_of_a_turned_photo(
    members: Workspace, storage: DictStorage, tmp_path: Path
) -> None:
    """A portrait taken with the camera turned: EXIF orientation 6, MWG regions in the
    picture as stored (as the standard says): the stored copy keeps both as they are."""
    data = jpeg_with_xmp(group_photo(orientation=6), xmp_packet(TAGS[:1], (1000, 700)))
    report = import_media(members, [_photo(tmp_path, data)], now=NOW, detect_faces=False)
    content = members.get(Content, report.imported[0].content_id)
    (appearance,) = content.appearances
    assert appearance.region == Region.from_center(0.5, 0.4, 0.2, 0.3)
    with Image.open(io.BytesIO(storage.files[content.media[0].key])) as stored:
        assert stored.size == (1000, 700)
        assert stored.getexif().get(0x0112) == 6


def test_tags_written_for_the_upright_picture_are_turned_back(
    members: Workspace, tmp_path: Path
) -> None:
    """Some tools write the regions of a turned photo for the picture as shown (their
    AppliedToDimensions says so: 700 x 1000): terrain keeps them as stored."""
    data = jpeg_with_xmp(group_photo(orientation=6), xmp_packet(TAGS[:1], (700, 1000)))
    report = import_media(members, [_photo(tmp_path, data)], now=NOW, detect_faces=False)
    (appearance,) = members.get(Content, report.imported[0].content_id).appearances
    assert appearance.region is not None
    assert appearance.region.upright(6) == pytest.approx(Region.from_center(0.5, 0.4, 0.2, 0.3))


def test_a_photo_cropped_after_tagging_keeps_the_names_not_the_regions(
    members: Workspace, tmp_path: Path
) -> None:
    data = jpeg_with_xmp(landscape(), xmp_packet(TAGS[:1], (4000, 4000)))  # square: cropped
    report = import_media(members, [_photo(tmp_path, data)], now=NOW, detect_faces=False)
    (appearance,) = members.get(Content, report.imported[0].content_id).appearances
    assert (appearance.member_id, appearance.region) == ("lea", None)


def test_two_members_with_the_tagged_name_are_not_guessed(
    members: Workspace, tmp_path: Path
) -> None:
    members.add(Member(id="lea-2", display_name="Lea MARTIN"))
    data = jpeg_with_xmp(landscape(), xmp_packet(TAGS[:1], (900, 600)))
    report = import_media(members, [_photo(tmp_path, data)], now=NOW, detect_faces=False)
    (outcome,) = report.imported
    assert outcome.people == ()
    assert outcome.unknown_names == (
        "Léa Martin: 2 members are called 'Léa Martin' (lea, lea-2)",
    )


def test_hostile_xmp_is_ignored_and_the_photo_imported(
    members: Workspace, tmp_path: Path
) -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            b"&b;</x:xmpmeta>")
    broken = xmp_packet(TAGS, (900, 600))[:-200]
    for number, packet in enumerate((bomb, broken, b"\xff\xfe not xml")):
        data = jpeg_with_xmp(landscape(seed=number), packet)
        path = _photo(tmp_path, data, f"h{number}.jpg")
        report = import_media(members, [path], now=NOW, detect_faces=False)
        assert report.ok
        outcome = report.outcomes[0]
        assert (outcome.people, outcome.faces) == ((), 0)


def test_tagged_photos_imported_by_worker_processes_arrive_the_same(
    members: Workspace, tmp_path: Path
) -> None:
    paths = [
        _photo(tmp_path, jpeg_with_xmp(group_photo(seed=i), xmp_packet(TAGS[:2], (1000, 700))),
               f"p{i}.jpg")
        for i in range(9)
    ]
    report = import_media(members, paths, now=NOW, workers=2, detect_faces=False)
    assert len(report.imported) == 9
    assert {o.people for o in report.imported} == {("lea", "samir")}


def test_faces_found_are_counted_once_whether_tagged_or_detected(
    members: Workspace, tmp_path: Path
) -> None:
    pytest.importorskip("cv2")
    tags = [("Léa Martin", *r) for r in [(0.19, 0.37, 0.18, 0.32)]]  # GROUP's first face
    data = jpeg_with_xmp(group_photo(), xmp_packet(tags, (1000, 700)))
    report = import_media(members, [_photo(tmp_path, data)], now=NOW)
    (outcome,) = report.imported
    assert outcome.faces == len(GROUP)
    assert report.notes == ()
