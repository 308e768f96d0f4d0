"""Importing a meetup's photos: stripped, deduplicated, never stopped by one bad file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from terrain import Content
from terrain.errors import NotFound, ValidationError
from terrain.store import Workspace
from terrain.workflows import FileOutcome, ImportStatus, import_media, thumbnail_key

from .conftest import NOW, DictStorage, make_jpeg


def _assert_no_gps(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        assert ExifTags.IFD.GPSInfo not in exif
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert exif.get(ExifTags.Base.Orientation) == 6


def test_photos_are_stored_without_gps_as_unreviewed_photo_contents(
    ws: Workspace, storage: DictStorage, tmp_path: Path
) -> None:
    files = [make_jpeg(tmp_path / f"IMG_{i}.jpg", seed=i) for i in range(3)]
    report = import_media(ws, files, event_id="ev-12", now=NOW)
    assert report.summary() == "3 imported, 0 duplicate, 0 rejected"
    contents = ws.list(Content)
    assert len(contents) == 3
    for content in contents:
        assert content.kind == "photo"
        assert content.event_id == "ev-12"
        assert content.people_reviewed is False
        assert content.appearances == ()
        (media,) = content.media
        assert media.key.startswith("photos/events/ev-12/")
        _assert_no_gps(storage.files[media.key])
        assert ws.find_media(media.checksum) == (content.id, media.id, media.key)


def test_one_bad_file_does_not_stop_the_batch(
    ws: Workspace, storage: DictStorage, tmp_path: Path
) -> None:
    good = make_jpeg(tmp_path / "good.jpg")
    notes = tmp_path / "notes.jpg"
    notes.write_text("not a photo")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(make_jpeg(tmp_path / "whole.jpg", seed=5).read_bytes()[:300])
    missing = tmp_path / "missing.jpg"
    report = import_media(ws, [notes, good, cut, missing], now=NOW)
    assert [o.status for o in report.outcomes] == [
        ImportStatus.REJECTED,
        ImportStatus.IMPORTED,
        ImportStatus.REJECTED,
        ImportStatus.REJECTED,
    ]
    reasons = [o.reason for o in report.rejected]
    assert "notes.jpg: is not an image" in reasons[0]
    assert "cut.jpg" in reasons[1]
    assert "truncated" in reasons[1] or "corrupt" in reasons[1]
    assert "missing.jpg: does not exist" in reasons[2]
    assert not report.ok
    (content,) = ws.list(Content)
    assert sorted(storage.files) == sorted(  # the one photo, and its review desk thumbnail
        [content.media[0].key, thumbnail_key(content.id, content.media[0].id)]
    )


def test_the_same_photo_twice_is_a_duplicate_in_a_batch_and_across_imports(
    ws: Workspace, tmp_path: Path
) -> None:
    photo = make_jpeg(tmp_path / "a.jpg", seed=1)
    copy = tmp_path / "copy-of-a.jpg"
    copy.write_bytes(photo.read_bytes())
    first = import_media(ws, [photo, copy], now=NOW)
    assert [o.status for o in first.outcomes] == [ImportStatus.IMPORTED, ImportStatus.DUPLICATE]
    assert first.outcomes[1].content_id == first.outcomes[0].content_id
    again = import_media(ws, [photo], now=NOW)
    assert again.outcomes[0].status is ImportStatus.DUPLICATE
    assert len(ws.list(Content)) == 1


def test_a_photo_differing_only_by_its_gps_is_a_duplicate(ws: Workspace, tmp_path: Path) -> None:
    """Dedup is on the stored (stripped) bytes: moving the GPS fix changes nothing."""
    a = make_jpeg(tmp_path / "a.jpg", seed=1, gps_seconds=10.0)
    b = make_jpeg(tmp_path / "b.jpg", seed=1, gps_seconds=41.0)
    assert a.read_bytes() != b.read_bytes()
    report = import_media(ws, [a, b], now=NOW)
    assert [o.status for o in report.outcomes] == [ImportStatus.IMPORTED, ImportStatus.DUPLICATE]


def test_a_batch_uses_worker_processes_and_gives_the_same_result(
    ws: Workspace, storage: DictStorage, tmp_path: Path
) -> None:
    files = [make_jpeg(tmp_path / f"p{i}.jpg", seed=i) for i in range(12)]
    (tmp_path / "junk.jpg").write_bytes(b"\x00" * 50)
    files.insert(5, tmp_path / "junk.jpg")
    seen: list[tuple[int, int, FileOutcome]] = []
    report = import_media(
        ws, files, event_id="ev-12", now=NOW, workers=2, progress=lambda *a: seen.append(a)
    )
    assert report.summary() == "12 imported, 0 duplicate, 1 rejected"
    assert [o.path for o in report.outcomes] == [str(f) for f in files]
    assert [(d, t) for d, t, _ in seen] == [(i, 13) for i in range(1, 14)]
    for content in ws.list(Content):  # the photos (their thumbnails are upright already)
        _assert_no_gps(storage.files[content.media[0].key])


def test_an_unknown_event_is_refused_before_anything_is_stored(
    ws: Workspace, storage: DictStorage, tmp_path: Path
) -> None:
    with pytest.raises(NotFound, match=r"'ev-99'.*terrain event list"):
        import_media(ws, [make_jpeg(tmp_path / "a.jpg")], event_id="ev-99", now=NOW)
    assert storage.files == {}
    assert ws.list(Content) == []


def test_a_naive_time_is_refused(ws: Workspace, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="time zone"):
        import_media(ws, [], now=NOW.replace(tzinfo=None))


def test_a_storage_failure_rejects_that_file_and_records_nothing(
    ws: Workspace, storage: DictStorage, tmp_path: Path
) -> None:
    storage.fail_on.add("photos/")
    report = import_media(ws, [make_jpeg(tmp_path / "a.jpg")], now=NOW)
    assert report.outcomes[0].status is ImportStatus.REJECTED
    assert "No space left on device" in report.outcomes[0].reason
    assert ws.list(Content) == []


def test_two_imports_of_the_same_photos_at_once_store_each_photo_once(
    ws: Workspace, storage: DictStorage, tmp_path: Path
) -> None:
    """Two commands on one workspace race: one imports, the other sees a duplicate,
    and the stored file survives whichever finishes last."""
    import threading

    files = [make_jpeg(tmp_path / f"p{i}.jpg", seed=i) for i in range(6)]
    reports = []

    def one_import() -> None:
        with Workspace.open(ws.root, storage=storage) as other:
            reports.append(import_media(other, files, event_id="ev-12", now=NOW, workers=1))

    threads = [threading.Thread(target=one_import) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r.imported) for r in reports) == 6
    assert sum(len(r.duplicates) for r in reports) == 6
    assert all(r.ok for r in reports)
    contents = ws.list(Content)
    assert len(contents) == 6
    for content in contents:
        assert content.media[0].key in storage.files
