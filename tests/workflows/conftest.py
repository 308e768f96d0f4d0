"""Fixtures for the workflow tests: a workspace with a meetup, photos from the field."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from terrain import Community, Event, Member
from terrain.store import Workspace


class DictStorage:
    """A storage kept in a dict (the edge of the system; the workspace is real)."""

    name = "dict"

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.fail_on: set[str] = set()

    def put(self, key: str, data: bytes) -> None:
        if any(part in key for part in self.fail_on):
            raise OSError(28, "No space left on device")
        self.files[key] = data

    def get(self, key: str) -> bytes:
        return self.files[key]

    def delete(self, key: str) -> None:
        self.files.pop(key, None)

    def list(self, prefix: str = "") -> Iterator[str]:
        return iter(sorted(k for k in self.files if k.startswith(prefix)))

    def exists(self, key: str) -> bool:
        return key in self.files

    def public_url(self, key: str, *, expires_in: int = 3600) -> str | None:
        return None


def make_jpeg(
    path: Path, *, seed: int = 0, size: tuple[int, int] = (120, 80), gps_seconds: float = 12.0
) -> Path:
    """A JPEG with fake GPS EXIF and an orientation tag, as a phone writes it."""
    image = Image.new("RGB", size, (seed * 37 % 256, seed * 91 % 256, 120))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (45.0, 45.0, gps_seconds),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (4.0, 50.0, 32.0),
    }
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, exif=exif.tobytes())
    path.write_bytes(buffer.getvalue())
    return path


NOW = datetime(2026, 3, 12, 23, 0, tzinfo=UTC)


@pytest.fixture
def storage() -> DictStorage:
    return DictStorage()


@pytest.fixture
def ws(tmp_path: Path, storage: DictStorage) -> Iterator[Workspace]:
    root = tmp_path / "velo"
    Workspace.init(root, community=Community(id="velo-lyon", name="Vélo Lyon")).close()
    with Workspace.open(root, storage=storage) as workspace:
        workspace.add(Member(id="lea", display_name="Léa Martin"))
        workspace.add(
            Event(
                id="ev-12",
                title="Vélo & ville #12",
                starts_at=datetime(2026, 3, 12, 18, tzinfo=UTC),
                ends_at=datetime(2026, 3, 12, 21, tzinfo=UTC),
            )
        )
        yield workspace
