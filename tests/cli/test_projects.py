"""Following the Place du Marché from the shell: photos, milestones, the monthly update."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from .conftest import Run, as_json, ok, snapshot


def square_photo(path: Path, color: str) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def square(workspace: Path, run: Run, tmp_path: Path) -> Path:
    ok(
        run,
        workspace,
        "project",
        "add",
        "place-du-marche",
        "--title",
        "Place du Marché",
        "--started",
        "2026-01-05",
        "--location",
        "Place du Marché, Lyon 4e",
    )
    ok(
        run,
        workspace,
        "project",
        "milestone",
        "place-du-marche",
        "fontaine",
        "--title",
        "Fontaine démontée",
        "--due",
        "2026-04-30",
    )
    ok(
        run,
        workspace,
        "project",
        "milestone",
        "place-du-marche",
        "fontaine",
        "--reached",
        "2026-04-12",
    )
    for name, color, phase, taken in (
        ("avant.jpg", "grey", "before", "2026-01-10"),
        ("mars.jpg", "brown", "during", "2026-03-02"),
        ("avril.jpg", "green", "during", "2026-04-28"),
    ):
        ok(
            run,
            workspace,
            "project",
            "photo",
            "place-du-marche",
            str(square_photo(tmp_path / name, color)),
            "--phase",
            phase,
            "--viewpoint",
            "fontaine",
            "--taken",
            taken,
            "--nobody",
        )
    ok(run, workspace, "member", "add", "nadia", "--name", "Nadia, boulangère")
    ok(
        run,
        workspace,
        "project",
        "interview",
        "place-du-marche",
        "itw-nadia",
        "--member",
        "nadia",
        "--text",
        "On a hâte de retrouver la terrasse.",
        "--on",
        "2026-04-20",
    )
    return workspace


def test_the_timeline_pairs_the_first_before_with_the_latest_photo(square: Path, run: Run) -> None:
    data = as_json(run("project", "timeline", "place-du-marche", "--json", workspace=square))
    assert len(data["timeline"]["before"]) == 1
    assert [p["taken_on"] for p in data["timeline"]["during"]] == ["2026-03-02", "2026-04-28"]
    (pair,) = data["pairs"]
    assert (pair["before"]["taken_on"], pair["later"]["taken_on"]) == ("2026-01-10", "2026-04-28")


def test_the_composite_puts_before_and_now_side_by_side(
    square: Path, run: Run, tmp_path: Path
) -> None:
    target = tmp_path / "avant-apres.jpg"
    ok(
        run,
        square,
        "project",
        "composite",
        "place-du-marche",
        "fontaine",
        "-o",
        str(target),
        "--height",
        "300",
        "--on",
        "2026-03-31",
    )
    with Image.open(target) as image:
        assert image.size == (800, 350)  # a title band, the photos, a caption band
        assert image.getpixel((10, 40))[0] > 100  # grey before, on the left
        assert image.getpixel((790, 40))[1] < 100  # brown in March, not April's green


def test_the_squares_update_is_held_until_the_interviewee_consents(square: Path, run: Run) -> None:
    data = as_json(
        run(
            "project",
            "update",
            "place-du-marche",
            "--month",
            "2026-04",
            "--to",
            "outbox",
            "--dry-run",
            "--json",
            workspace=square,
        )
    )
    (outcome,) = data["outcomes"]
    assert outcome["state"] == "held"
    assert "Nadia" in outcome["message"]
    assert not (square / "outbox").exists()


def test_the_squares_before_after_update_is_published_to_the_outbox(square: Path, run: Run) -> None:
    ok(
        run,
        square,
        "consent",
        "grant",
        "nadia",
        "--purpose",
        "interview",
        "--witness",
        "Camille (CM)",
    )
    out = ok(
        run,
        square,
        "project",
        "update",
        "place-du-marche",
        "--month",
        "2026-04",
        "--to",
        "outbox",
        "--summary",
        "Les pavés arrivent.",
    )
    assert "Published (1)" in out
    (posted,) = (square / "outbox" / "outbox").glob("*.json")
    document = json.loads(posted.read_text(encoding="utf-8"))
    assert document["text"].splitlines() == [
        "Place du Marché\u00a0: avancement d’avril 2026",
        "",
        "Les pavés arrivent.",
        "",
        "✔ Fontaine démontée (12/04)",
        "",
        "«\u00a0On a hâte de retrouver la terrasse.\u00a0» — Nadia, boulangère",
    ]
    assert len(document["media"]) == 2
    assert "itw-nadia" in document["content_ids"]
    again = ok(
        run, square, "project", "update", "place-du-marche", "--month", "2026-04", "--to", "outbox"
    )
    assert len(list((square / "outbox" / "outbox").glob("*.json"))) == 1
    assert "Published" in again


def test_the_update_with_a_composite_attaches_one_image(square: Path, run: Run) -> None:
    ok(
        run,
        square,
        "consent",
        "grant",
        "nadia",
        "--purpose",
        "interview",
        "--witness",
        "Camille (CM)",
    )
    out = ok(
        run,
        square,
        "project",
        "update",
        "place-du-marche",
        "--month",
        "2026-04",
        "--to",
        "outbox",
        "--composite",
    )
    assert "Published (1)" in out
    (posted,) = (square / "outbox" / "outbox").glob("*.json")
    (media,) = json.loads(posted.read_text(encoding="utf-8"))["media"]
    assert media["key"].startswith("projects/place-du-marche/composites/2026-04-")
    assert media["alt_text"].startswith("Avant (Place du Marché, fontaine, 10/01/2026")


def test_an_update_for_a_month_without_an_after_photo_says_what_to_do(
    square: Path, run: Run
) -> None:
    before = snapshot(square)
    result = run(
        "project",
        "update",
        "place-du-marche",
        "--month",
        "2026-01",
        "--to",
        "outbox",
        workspace=square,
    )
    assert result.exit_code == 2
    assert "add photos with `terrain project photo" in result.stderr
    assert snapshot(square) == before


def test_a_bad_month_is_refused(square: Path, run: Run) -> None:
    result = run(
        "project",
        "update",
        "place-du-marche",
        "--month",
        "avril",
        "--to",
        "outbox",
        workspace=square,
    )
    assert result.exit_code == 2
    assert "write it as 2026-04" in result.stderr


def test_a_photo_with_an_empty_viewpoint_is_refused_before_it_is_imported(
    square: Path, run: Run, tmp_path: Path
) -> None:
    before = snapshot(square)
    photo = square_photo(tmp_path / "juin.jpg", "blue")
    result = run(
        "project",
        "photo",
        "place-du-marche",
        str(photo),
        "--phase",
        "after",
        "--viewpoint",
        "",
        "--taken",
        "2026-06-01",
        workspace=square,
    )
    assert result.exit_code == 2
    assert "ProjectPhoto.viewpoint" in result.stderr
    assert snapshot(square) == before


def test_a_photo_of_another_project_cannot_join_this_timeline(
    square: Path, run: Run, tmp_path: Path
) -> None:
    ok(run, square, "project", "add", "gare", "--title", "Gare", "--started", "2026-01-01")
    result = run(
        "project",
        "photo",
        "gare",
        str(tmp_path / "avant.jpg"),
        "--phase",
        "before",
        "--taken",
        "2026-01-10",
        workspace=square,
    )
    assert result.exit_code == 2
    assert "not a photo of project 'gare'" in result.stderr


def test_a_dry_run_for_x_needs_no_token(square: Path, run: Run) -> None:
    ok(
        run,
        square,
        "consent",
        "grant",
        "nadia",
        "--purpose",
        "interview",
        "--witness",
        "Camille (CM)",
    )
    env = dict.fromkeys(("TERRAIN_X_API_KEY", "TERRAIN_X_ACCESS_TOKEN"), "")
    result = run(
        "project",
        "update",
        "place-du-marche",
        "--month",
        "2026-04",
        "--to",
        "x",
        "--dry-run",
        "--json",
        workspace=square,
        env=env,
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    (outcome,) = data["outcomes"]
    assert outcome["state"] == "planned"
    # what the update is about: the project, never an "event_id" holding its id
    assert (data["subject_kind"], data["subject_id"]) == ("project", "place-du-marche")
    assert "event_id" not in data


def test_an_enqueued_update_is_sent_by_a_worker_once_consent_is_there(
    square: Path, run: Run
) -> None:
    out = ok(
        run, square, "project", "update", "place-du-marche", "--month", "2026-04",
        "--to", "outbox", "--enqueue",
    )  # fmt: skip
    assert not list((square / "outbox").glob("**/*.json")), "an enqueue sends nothing"
    assert "planned" in out.lower()
    # Nadia has not agreed to be quoted yet: the worker decides at the call and holds it.
    held = ok(run, square, "worker", "--platform", "outbox", "--drain", "--json")
    assert not list((square / "outbox").glob("**/*.json")), held
    ok(
        run, square, "consent", "grant", "nadia", "--purpose", "interview",
        "--witness", "Camille (CM)",
    )  # fmt: skip
    ok(
        run, square, "project", "update", "place-du-marche", "--month", "2026-04",
        "--to", "outbox", "--enqueue",
    )  # fmt: skip
    ok(run, square, "worker", "--platform", "outbox", "--drain")
    assert len(list((square / "outbox" / "outbox").glob("*.json"))) == 1


def test_an_update_cannot_be_both_a_dry_run_and_enqueued(square: Path, run: Run) -> None:
    result = run(
        "project", "update", "place-du-marche", "--month", "2026-04", "--to", "outbox",
        "--dry-run", "--enqueue", workspace=square,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "exclude each other" in result.output


def test_quoting_a_photo_as_the_interview_is_refused(square: Path, run: Run) -> None:
    listed = as_json(run("content", "list", "--json", workspace=square))
    photo = next(c["id"] for c in listed if c["kind"] == "photo")
    result = run(
        "project", "update", "place-du-marche", "--month", "2026-04", "--to", "outbox",
        "--interview", photo, "--dry-run", workspace=square,
    )  # fmt: skip
    assert result.exit_code == 2
    assert "not a micro-interview" in result.output


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("avant-apres.gif", "name it .jpg or .png"),
        ("missing-folder/avant-apres.jpg", "choose a folder that exists"),
    ],
)
def test_a_composite_that_cannot_be_written_says_why(
    square: Path, run: Run, tmp_path: Path, name: str, expected: str
) -> None:
    result = run(
        "project", "composite", "place-du-marche", "fontaine", "-o", str(tmp_path / name),
        workspace=square,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output


def test_an_update_too_long_for_x_names_the_cut_and_the_option(square: Path, run: Run) -> None:
    result = run(
        "project", "update", "place-du-marche", "--month", "2026-04", "--to", "x",
        "--summary", "Les pavés arrivent. " * 20, "--dry-run", workspace=square,
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert "at most 280 are accepted" in result.output
    assert "shorten --summary" in result.output


def test_nobody_on_a_photo_already_showing_people_is_refused(
    square: Path, run: Run, tmp_path: Path
) -> None:
    again = square_photo(tmp_path / "again.jpg", "grey")  # the same bytes as avant.jpg
    ok(run, square, "content", "people", str(again), "--add", "nadia")
    before = snapshot(square)
    result = run(
        "project", "photo", "place-du-marche", str(again), "--phase", "before",
        "--viewpoint", "terrasse", "--taken", "2026-01-10", "--nobody", workspace=square,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "with people in it (nadia)" in result.output
    assert snapshot(square) == before


def grant_interview(run: Run, workspace: Path) -> None:
    ok(run, workspace, "consent", "grant", "nadia", "--purpose", "interview", "--witness", "CM")


def test_an_update_quotes_only_what_was_said_by_the_end_of_its_month(
    square: Path, run: Run
) -> None:
    """A July update used to quote the latest interview, even one made in November."""
    grant_interview(run, square)
    ok(run, square, "member", "add", "marc", "--name", "Marc, paveur")
    later = ("--member", "marc", "--text", "Les pavés sont posés.", "--on", "2026-11-05 10:00")
    ok(run, square, "project", "interview", "place-du-marche", "itw-marc", *later)
    april = ("--month", "2026-04", "--to", "outbox", "--dry-run", "--json")
    data = as_json(run("project", "update", "place-du-marche", *april, workspace=square))
    (post,) = data["posts"]
    assert "itw-nadia" in post["content_ids"]
    assert "Les pavés sont posés" not in post["text"]
    quoting = ("--month", "2026-04", "--to", "outbox", "--interview", "itw-marc")
    before = snapshot(square)
    result = run("project", "update", "place-du-marche", *quoting, workspace=square)
    assert result.exit_code == 2
    assert "was made on 2026-11-05, after 2026-04" in result.stderr
    assert snapshot(square) == before
    november = ("--month", "2026-11", "--to", "outbox", "--dry-run", "--json")
    data = as_json(run("project", "update", "place-du-marche", *november, workspace=square))
    assert "Les pavés sont posés" in data["posts"][0]["text"]


def test_an_interview_says_when_it_was_made(square: Path, run: Run) -> None:
    listed = as_json(run("content", "list", "--json", workspace=square))
    (interview,) = [c for c in listed if c["id"] == "itw-nadia"]
    assert interview["created_at"].startswith("2026-04-20T00:00:00+02:00")
    bad = ("--member", "nadia", "--text", "x", "--on", "hier")
    result = run("project", "interview", "place-du-marche", "itw-2", *bad, workspace=square)
    assert result.exit_code == 2
    assert "is not a date" in result.stderr


def test_the_phase_of_a_project_can_be_set(square: Path, run: Run) -> None:
    """The phase stayed 'before' for ever: nothing could change it."""
    assert "(since 2026-01-05, before)" in ok(run, square, "project", "list")
    out = ok(run, square, "project", "phase", "place-du-marche", "during")
    assert out == "Place du Marché (place-du-marche) is now during.\n"
    assert "(since 2026-01-05, during)" in ok(run, square, "project", "list")
    result = run("project", "phase", "place-du-marche", "finished", workspace=square)
    assert result.exit_code == 2


def test_an_english_speaking_community_gets_its_update_in_english(square: Path, run: Run) -> None:
    config = square / "terrain.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace('language = "fr"', 'language = "en"'),
        encoding="utf-8",
    )
    grant_interview(run, square)
    april = ("--month", "2026-04", "--to", "outbox", "--dry-run", "--json")
    data = as_json(run("project", "update", "place-du-marche", *april, workspace=square))
    assert data["posts"][0]["text"].startswith("Place du Marché: April 2026 update")


def test_a_composite_of_a_photo_showing_someone_warns_and_is_published_only_with_consent(
    square: Path, run: Run, tmp_path: Path
) -> None:
    """The composite of an unreviewed photo showing a person used to be written without a
    word, outside the consent gate."""
    june = square_photo(tmp_path / "juin.jpg", "blue")
    taken = ("--phase", "during", "--viewpoint", "fontaine", "--taken", "2026-05-10")
    ok(run, square, "project", "photo", "place-du-marche", str(june), *taken)  # not reviewed
    target = tmp_path / "avant-apres.jpg"
    composite = ("project", "composite", "place-du-marche", "fontaine", "-o", str(target))
    result = run(*composite, workspace=square)
    assert result.exit_code == 0, result.output
    assert "nobody has checked who is in juin.jpg" in result.stderr
    grant_interview(run, square)
    update = ("project", "update", "place-du-marche", "--month", "2026-05", "--to", "outbox")
    held = run(*update, "--composite", workspace=square)
    assert "Held back" in held.stdout, held.output
    assert not list((square / "outbox").rglob("*.json"))

    ok(run, square, "member", "add", "lea", "--name", "Léa Martin")
    ok(run, square, "content", "people", str(june), "--add", "lea", "--reviewed")
    result = run(*composite, workspace=square)
    assert "it shows Léa Martin: keep it to yourself" in result.stderr
    assert "nobody has checked" not in result.stderr
    held = run(*update, "--composite", workspace=square)
    assert "Léa Martin" in held.stdout  # held back for her consent
    assert not list((square / "outbox").rglob("*.json"))
    listed = as_json(run("content", "list", "--json", workspace=square))
    (stored,) = [c for c in listed if c["id"].startswith("composite-")]
    assert [a["member_id"] for a in stored["appearances"]] == ["lea"]  # kept in step
    assert stored["people_reviewed"] is True
