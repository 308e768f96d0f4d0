"""Member-made content from the shell: imported with its author, credited, held until reuse-ugc."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import Run, snapshot
from .test_content_and_consent import phone_photo


def _ok(run: Run, workspace: Path, *args: str) -> str:
    result = run(*args, workspace=workspace)
    assert result.exit_code == 0, (args, result.output)
    return result.stdout


def _outbox_texts(workspace: Path) -> list[str]:
    posts = sorted((workspace / "outbox" / "outbox").glob("*.json"))
    return [json.loads(p.read_text(encoding="utf-8"))["text"] for p in posts]


def test_ines_photo_is_published_with_her_credit_only_after_she_grants_reuse_ugc(
    workspace: Path, run: Run, tmp_path: Path
) -> None:
    """Inès sends a photo of the repair workshop; it goes out, credited, once she agrees."""
    photo = phone_photo(tmp_path / "atelier-ines.jpg")
    _ok(run, workspace, "member", "add", "ines", "--name", "Inès Benali")
    event = ("--title", "Vélo & ville #12", "--starts", "2026-03-12 19:00")
    _ok(run, workspace, "event", "add", "ev-12", *event, "--ends", "2026-03-12 22:00")
    ugc = ("--event", "ev-12", "--author", "ines", "--json")
    imported = json.loads(_ok(run, workspace, "content", "import", str(photo), *ugc))
    content_id = imported["outcomes"][0]["content_id"]
    listed = json.loads(_ok(run, workspace, "content", "list", "--json"))
    assert [c["author_id"] for c in listed] == ["ines"]
    _ok(run, workspace, "content", "people", str(photo), "--reviewed")  # hands only, nobody shown
    words = ("--alt", "Hands truing a wheel on a repair stand.", "--caption", "L'atelier.")
    _ok(run, workspace, "content", "describe", str(photo), *words)

    held = json.loads(_ok(run, workspace, "publish", "ev-12", "--to", "outbox", "--json"))
    (album,) = held["outcomes"]  # the recap: one album, her photo its only one
    assert album["state"] == "held"
    assert "Inès Benali" in album["message"]
    assert "reuse-ugc" in album["message"]
    assert album["about"] == "event summary (album)"
    assert content_id.startswith("photo-")
    assert not any("Photo: Inès" in t for t in _outbox_texts(workspace))

    form = ("--checkbox", "Je permets la republication de mes photos", "--form-version", "1")
    _ok(run, workspace, "consent", "grant", "ines", "--purpose", "reuse-ugc", *form)
    done = json.loads(_ok(run, workspace, "publish", "ev-12", "--to", "outbox", "--json"))
    (album,) = done["outcomes"]
    assert album["state"] in ("sent", "confirmed"), album
    (text,) = _outbox_texts(workspace)
    assert text.endswith("\nPhoto: Inès Benali")  # the album credits the photo it carries


def test_importing_with_an_unknown_author_exits_2_and_changes_nothing(
    workspace: Path, run: Run, tmp_path: Path
) -> None:
    photo = phone_photo(tmp_path / "atelier.jpg")
    before = snapshot(workspace)
    result = run("content", "import", str(photo), "--author", "ghost", workspace=workspace)
    assert result.exit_code == 2
    assert "'ghost'" in result.stderr
    assert "terrain member list" in result.stderr
    assert snapshot(workspace) == before
