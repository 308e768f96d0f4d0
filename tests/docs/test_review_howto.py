"""docs/howto/review-photos-and-approve.rst runs as written, commands and examples in order,
on photos tagged the way Lightroom writes face regions."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests._faces import GROUP, group_photo, jpeg_with_xmp, landscape, regions_of, xmp_packet
from tests.docs._rst_runner import count_directives, run_page

PAGE = Path(__file__).resolve().parents[2] / "docs" / "howto" / "review-photos-and-approve.rst"


def _photos(folder: Path) -> None:
    """The meetup's two photos: a group where Léa and Samir are tagged (and a third face
    nobody tagged), and the bikes outside, nobody in them."""
    lea, samir, _ = regions_of(GROUP)
    tags = [("Léa Martin", *lea), ("Samir Haddad", *samir)]
    group = jpeg_with_xmp(group_photo(seed=1), xmp_packet(tags, (1000, 700)))
    (folder / "IMG_0412.jpg").write_bytes(group)
    (folder / "IMG_0413.jpg").write_bytes(landscape(seed=4))


@pytest.mark.parametrize("now", ["2026-11-13T09:00:00+01:00", "2026-11-14T23:30:00-05:00"])
def test_the_review_how_to_runs_as_written(tmp_path: Path, now: str) -> None:
    pytest.importorskip("cv2", reason="the page shows the faces OpenCV finds (faces extra)")
    _photos(tmp_path)
    session = run_page(PAGE, tmp_path, {"TERRAIN_NOW": now})
    assert len(session.ran) == count_directives(PAGE.read_text(encoding="utf-8"))
