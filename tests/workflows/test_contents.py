"""A content from a library: found by id or by its file, described in one call."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from terrain import Content, MediaFile
from terrain.errors import NotFound, ValidationError
from terrain.store import Workspace
from terrain.workflows import describe_photo, find_content, import_media
from tests.workflows.conftest import NOW, make_jpeg


@pytest.fixture
def photo(ws: Workspace, tmp_path: Path) -> tuple[Path, Content]:
    path = make_jpeg(tmp_path / "talk.jpg")
    report = import_media(ws, [path], event_id="ev-12", now=NOW, workers=1)
    content_id = report.outcomes[0].content_id
    assert content_id is not None
    return path, ws.get(Content, content_id)


def test_a_content_is_found_by_id_or_by_the_file_it_came_from(
    ws: Workspace, photo: tuple[Path, Content]
) -> None:
    path, content = photo
    assert find_content(ws, content.id) == content
    assert find_content(ws, path) == content
    assert find_content(ws, str(path)) == content


def test_a_file_never_imported_says_how_to_import_it(ws: Workspace, tmp_path: Path) -> None:
    other = make_jpeg(tmp_path / "other.jpg", seed=9)
    with pytest.raises(NotFound, match="never imported: run `terrain content import"):
        find_content(ws, other)


def test_alt_text_and_caption_are_set_in_one_write(
    ws: Workspace, photo: tuple[Path, Content]
) -> None:
    path, content = photo
    updated = describe_photo(
        ws, path, alt_text="Léa at the talk.", caption="Le talk.", now=NOW
    )
    assert updated.caption == "Le talk."
    assert [m.alt_text for m in updated.media] == ["Léa at the talk."]
    assert ws.get(Content, content.id) == updated


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({}, "give an alt text, a caption or both"),
        ({"caption": "x", "media_id": "m-1"}, "only says which media gets the alt text"),
        ({"alt_text": "x", "media_id": "m-nope"}, "has no media 'm-nope'"),
        ({"alt_text": "x" * 1501}, "1500"),
    ],
)
def test_a_description_that_cannot_apply_changes_nothing(
    ws: Workspace, photo: tuple[Path, Content], arguments: dict[str, str], message: str
) -> None:
    _, content = photo
    with pytest.raises(ValidationError, match=message):
        describe_photo(ws, content.id, now=NOW, **arguments)  # type: ignore[arg-type]
    assert ws.get(Content, content.id) == content


def test_a_content_with_several_media_needs_to_be_told_which_gets_the_alt_text(
    ws: Workspace, photo: tuple[Path, Content]
) -> None:
    _, content = photo
    second = attrs.evolve(content.media[0], id="m-second", key="photos/second.jpg")
    assert isinstance(second, MediaFile)
    both = ws.put(attrs.evolve(content, media=[*content.media, second]))
    with pytest.raises(ValidationError, match="holds 2 media files"):
        describe_photo(ws, content.id, alt_text="Two people.", now=NOW)
    updated = describe_photo(
        ws, content.id, alt_text="Two people.", media_id="m-second", now=NOW
    )
    assert [m.alt_text for m in updated.media] == [both.media[0].alt_text, "Two people."]
