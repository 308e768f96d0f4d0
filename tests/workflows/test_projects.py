"""A project's timeline from a library: photos imported onto it and milestones, one call each."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from terrain import Appearance, Content, Milestone, Project
from terrain.errors import NotFound, ValidationError
from terrain.projects import ProjectPhoto
from terrain.store import Workspace
from terrain.workflows import add_project_photo, project_timeline, set_milestone, thumbnail_key
from tests.workflows.conftest import NOW, DictStorage, make_jpeg


@pytest.fixture
def square(ws: Workspace) -> Workspace:
    ws.add(Project(id="square", title="Place du Marché", started_on=date(2026, 1, 5)))
    ws.add(Project(id="gare", title="Gare", started_on=date(2026, 1, 5)))
    return ws


def test_a_photo_is_imported_and_placed_on_the_timeline_in_one_call(
    square: Workspace, tmp_path: Path, storage: DictStorage
) -> None:
    content, entry = add_project_photo(
        square,
        "square",
        make_jpeg(tmp_path / "avant.jpg"),
        phase="before",
        taken_on=date(2026, 1, 10),
        viewpoint="fontaine",
        now=NOW,
    )
    assert square.get(Content, content.id) == content
    assert content.project_id == "square"
    assert not content.people_reviewed  # nobody checked who is in it yet
    assert square.list(ProjectPhoto) == [entry]
    assert (entry.content_id, entry.viewpoint, entry.taken_on) == (
        content.id,
        "fontaine",
        date(2026, 1, 10),
    )
    # the photo, and the thumbnail the review desk's contact sheet shows (issue 21)
    assert sorted(storage.files) == sorted(
        [entry.key, thumbnail_key(content.id, content.media[0].id)]
    )
    assert project_timeline(square, "square").timeline.before == (entry,)


def test_nobody_makes_the_photo_publishable_as_is(square: Workspace, tmp_path: Path) -> None:
    content, _ = add_project_photo(
        square,
        "square",
        make_jpeg(tmp_path / "vide.jpg"),
        phase="during",
        taken_on=date(2026, 2, 1),
        nobody=True,
        now=NOW,
    )
    assert content.people_reviewed
    assert square.get(Content, content.id).people_reviewed


def test_the_same_file_again_joins_the_timeline_without_a_second_copy(
    square: Workspace, tmp_path: Path, storage: DictStorage
) -> None:
    photo = make_jpeg(tmp_path / "avant.jpg")
    first, _ = add_project_photo(
        square, "square", photo, phase="before", taken_on=date(2026, 1, 10), now=NOW
    )
    again, entry = add_project_photo(
        square, "square", photo, phase="after", taken_on=date(2026, 6, 10), now=NOW
    )
    assert again.id == first.id
    assert sorted(key.split("/")[0] for key in storage.files) == ["photos", "thumbs"]  # one each
    assert square.list(ProjectPhoto) == [entry]  # the entry of that photo, replaced


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phase": "someday"}, "someday"),
        ({"viewpoint": ""}, "viewpoint"),
        ({"project_id": "nowhere"}, "no project with id 'nowhere'"),
    ],
)
def test_bad_input_stores_neither_the_photo_nor_its_file(
    square: Workspace,
    tmp_path: Path,
    storage: DictStorage,
    changes: dict[str, str],
    message: str,
) -> None:
    arguments = {"project_id": "square", "phase": "before", "viewpoint": "fontaine", **changes}
    with pytest.raises((ValidationError, NotFound), match=message):
        add_project_photo(
            square,
            arguments["project_id"],
            make_jpeg(tmp_path / "avant.jpg"),
            phase=arguments["phase"],
            viewpoint=arguments["viewpoint"],
            taken_on=date(2026, 1, 10),
            now=NOW,
        )
    assert square.list(Content) == []
    assert square.list(ProjectPhoto) == []
    assert storage.files == {}


def test_a_file_that_is_no_photo_is_refused_and_nothing_is_stored(
    square: Workspace, tmp_path: Path, storage: DictStorage
) -> None:
    text = tmp_path / "notes.jpg"
    text.write_text("not a photo")
    with pytest.raises(ValidationError, match=r"notes\.jpg"):
        add_project_photo(
            square, "square", text, phase="before", taken_on=date(2026, 1, 10), now=NOW
        )
    assert (square.list(Content), storage.files) == ([], {})


def test_a_photo_of_another_project_cannot_join_this_timeline(
    square: Workspace, tmp_path: Path
) -> None:
    photo = make_jpeg(tmp_path / "gare.jpg")
    add_project_photo(square, "gare", photo, phase="before", taken_on=date(2026, 1, 10), now=NOW)
    with pytest.raises(ValidationError, match="not a photo of project 'square'"):
        add_project_photo(
            square, "square", photo, phase="before", taken_on=date(2026, 1, 10), now=NOW
        )
    assert [p.content_id for p in square.list(ProjectPhoto)] == [square.list(Content)[0].id]


def test_nobody_on_a_photo_already_showing_people_is_refused_and_changes_nothing(
    square: Workspace, tmp_path: Path
) -> None:
    photo = make_jpeg(tmp_path / "avant.jpg")
    content, entry = add_project_photo(
        square, "square", photo, phase="before", taken_on=date(2026, 1, 10), now=NOW
    )
    shown = square.put(Content(**{**_fields(content), "appearances": [Appearance("lea")]}))
    with pytest.raises(ValidationError, match=r"with people in it \(lea\)"):
        add_project_photo(
            square,
            "square",
            photo,
            phase="after",
            taken_on=date(2026, 6, 1),
            nobody=True,
            now=NOW,
        )
    assert square.get(Content, content.id) == shown
    assert square.list(ProjectPhoto) == [entry]


def _fields(content: Content) -> dict[str, object]:
    import attrs

    return attrs.asdict(content, recurse=False)


def test_a_milestone_is_added_then_reached_keeping_what_was_not_given(
    square: Workspace,
) -> None:
    added = set_milestone(square, "square", "works", title="Works start", due_on=date(2026, 3, 1))
    reached = set_milestone(square, "square", "works", reached_on=date(2026, 3, 4))
    assert reached == Milestone(
        "works", "Works start", due_on=date(2026, 3, 1), reached_on=date(2026, 3, 4)
    )
    assert added.reached_on is None
    assert square.get(Project, "square").milestones == (reached,)


def test_a_new_milestone_without_a_title_is_refused_and_nothing_is_stored(
    square: Workspace,
) -> None:
    with pytest.raises(ValidationError, match=r"'works' is a new milestone .* give its title"):
        set_milestone(square, "square", "works", due_on=date(2026, 3, 1))
    assert square.get(Project, "square").milestones == ()
