"""The review desk's operations on the command line: accounts, approvals, faces, the sheet."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner, Result

from terrain import Content
from terrain.store import Workspace
from terrain.workflows import publish_event

from ._desk import AFTER, EVENT_ID, PASSWORD, get_ready, photo_id


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERRAIN_NOW", (AFTER + timedelta(minutes=5)).isoformat())


def run(ws: Workspace, *args: str, stdin: str | None = None) -> Result:
    from terrain.cli import main

    return CliRunner().invoke(main, [*args, "--workspace", str(ws.root)], input=stdin)


def test_accounts_take_their_password_from_stdin_never_from_an_argument(
    desk: Workspace,
) -> None:
    made = run(desk, "account", "add", "sam", "--role", "editor", "--password-stdin",
               stdin="un mot de passe solide\n")
    assert made.exit_code == 0, made.output
    assert "Account sam (editor) created." in made.output
    listed = run(desk, "account", "list", "--json")
    assert [a["name"] for a in json.loads(listed.output)] == ["alex", "camille", "morgan", "sam"]
    assert "scrypt" not in listed.output
    refused = run(desk, "account", "add", "kim", "--role", "editor", "--password", "x" * 12)
    assert refused.exit_code == 2
    assert "No such option" in refused.output
    short = run(desk, "account", "add", "kim", "--role", "editor", "--password-stdin",
                stdin="court\n")
    assert short.exit_code == 2
    assert "at least 10 characters" in short.output
    gone = run(desk, "account", "remove", "sam")
    assert gone.exit_code == 0
    assert run(desk, "account", "remove", "sam").exit_code == 2


def test_approve_lists_what_waits_then_approves_as_an_approver(strict_desk: Workspace) -> None:
    get_ready(strict_desk, "lea", "crowd")
    publish_event(strict_desk, EVENT_ID, ["outbox"], now=AFTER, hook=False)
    listed = run(strict_desk, "approve")
    assert listed.exit_code == 0, listed.output
    assert "TO APPROVE; consent: may go" in listed.output
    assert "| @lea_m" in listed.output
    assert "— La photo lea du meetup" in listed.output
    post_id = listed.output.split(" on ", 1)[0]
    wrong = run(strict_desk, "approve", post_id, "--as", "alex", "--password-stdin",
                stdin="pas le bon\n")
    assert wrong.exit_code == 2
    assert "wrong account name or password" in wrong.output
    editor = run(strict_desk, "approve", post_id, "--as", "camille", "--password-stdin",
                 stdin=f"{PASSWORD}\n")
    assert editor.exit_code == 2
    assert "only an approver" in editor.output
    done = run(strict_desk, "approve", post_id, "--as", "alex", "--password-stdin", "--json",
               stdin=f"{PASSWORD}\n")
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["approved"] is True
    held = run(strict_desk, "approve", post_id, "--as", "morgan", "--hold", "--reason",
               "pas avant lundi", "--password-stdin", stdin=f"{PASSWORD}\n")
    assert held.exit_code == 0
    assert "HELD by morgan: pas avant lundi" in held.output


def test_four_eyes_on_the_command_line_too(strict_desk: Workspace) -> None:
    get_ready(strict_desk, "lea", "crowd", by="alex")
    publish_event(strict_desk, EVENT_ID, ["outbox"], now=AFTER, hook=False)
    post_id = run(strict_desk, "approve").output.split(" on ", 1)[0]
    refused = run(strict_desk, "approve", post_id, "--as", "alex", "--password-stdin",
                  stdin=f"{PASSWORD}\n")
    assert refused.exit_code == 2
    assert "four eyes" in refused.output


def test_content_faces_people_with_a_region_and_the_sheet(desk: Workspace) -> None:
    group = photo_id(desk.root, "group")
    faces = run(desk, "content", "faces", group)
    assert faces.exit_code == 0, faces.output
    assert "3 face(s) found" in faces.output
    assert "1 face(s) more than the people identified" in faces.output
    refused = run(desk, "content", "people", group, "--reviewed")
    assert refused.exit_code == 2
    assert "--confirm-faces" in refused.output
    added = run(desk, "content", "people", group, "--add", "nora", "--region",
                "nora=0.75,0.35,0.15,0.3", "--reviewed", "--confirm-faces")
    assert added.exit_code == 0, added.output
    nora = next(a for a in desk.get(Content, group).appearances if a.member_id == "nora")
    assert nora.region is not None
    assert nora.region.left == 0.75
    bad = run(desk, "content", "people", group, "--region", "nora=2,0,1,1")
    assert bad.exit_code == 2
    assert "--region" in bad.output
    sheet = run(desk, "content", "sheet", "--event", EVENT_ID, "--show", "held")
    assert sheet.exit_code == 0, sheet.output
    assert "group.jpg" in sheet.output
    assert "Samir Haddad: held on outbox" in sheet.output
    thumbs = run(desk, "content", "thumbnails", "--force", "--json")
    assert json.loads(thumbs.output) == {"made": 4}


def test_import_says_who_was_tagged_and_which_names_are_no_member(
    desk: Workspace, tmp_path: object
) -> None:
    from pathlib import Path

    from tests._faces import jpeg_with_xmp, landscape, xmp_packet

    folder = Path(str(tmp_path))
    path = folder / "tagged.jpg"
    path.write_bytes(jpeg_with_xmp(landscape(seed=9), xmp_packet(
        [("Nora Benali", 0.5, 0.5, 0.1, 0.1), ("Jean Inconnu", 0.2, 0.2, 0.1, 0.1)],
        (900, 600), "picasa")))
    done = run(desk, "content", "import", str(path), "--event", EVENT_ID)
    assert done.exit_code == 0, done.output
    assert "(tagged: nora), 2 face(s)" in done.output
    assert "tagged in the file, not a member: Jean Inconnu" in done.output
