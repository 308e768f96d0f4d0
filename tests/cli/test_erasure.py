"""A person who asks to be forgotten is: after `terrain member erase`, nothing in the
workspace (database, its write-ahead log, media, outbox) nor in the log lines of the
erasure holds their name, handles, email or phone, except the documented proof (their
consent records and the decisions, under a tombstone id); and no post showing them can
ever be published again."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from terrain import Member
from terrain.store import Workspace

from .conftest import Run, as_json, ok
from .test_content_and_consent import phone_photo

NAME, EMAIL, PHONE = "Léa Martin", "lea.martin@velo-lyon.fr", "+33 6 12 34 56 78"
HANDLES = ("lea_velo", "lea.martin.insta")
SECRETS = (NAME, EMAIL, PHONE, *HANDLES)


def _setup(workspace: Path, run: Run, tmp_path: Path) -> tuple[Path, Path]:
    group = phone_photo(tmp_path / "group.jpg")
    mine = phone_photo(tmp_path / "lea-selfie.jpg", seed=3)
    form = tmp_path / "lea-form.pdf"
    form.write_bytes(f"%PDF-1.4 consent form signed by {NAME}".encode())
    for args in (
        ("member", "add", "lea", "--name", NAME, "--email", EMAIL, "--phone", PHONE,
         "--handle", f"x={HANDLES[0]}", "--handle", f"instagram={HANDLES[1]}", "--tag", "vélo"),
        ("member", "add", "ana", "--name", "Ana Costa", "--handle", "x=ana_c"),
        ("member", "edit", "lea", "--name", NAME),  # a change in the history, then back
        ("event", "add", "ev-12", "--title", "Vélo & ville #12", "--starts", "2026-03-12 19:00",
         "--ends", "2026-03-12 22:00"),
        ("rsvp", "ev-12", "lea", "going", "--at", "2026-03-01 10:00"),
        ("checkin", "ev-12", "lea", "--at", "2026-03-12 19:05"),
        ("content", "import", str(group), "--event", "ev-12"),
        ("content", "people", str(group), "--add", "lea", "--add", "ana", "--reviewed"),
        ("content", "describe", str(group), "--alt", f"{NAME} and Ana at the talk.",
         "--caption", f"Merci {NAME} (@{HANDLES[0]}) pour les photos !"),
        ("content", "import", str(mine), "--event", "ev-12", "--author", "lea"),
        ("content", "people", str(mine), "--add", "lea", "--reviewed"),
        ("content", "describe", str(mine), "--alt", f"A selfie of {NAME}."),
        ("consent", "grant", "lea", "--purpose", "publish", "--purpose", "tag",
         "--purpose", "reuse-ugc", "--evidence-file", str(form), "--at", "2026-03-12 19:10"),
        ("consent", "grant", "ana", "--purpose", "publish", "--witness", "Karim",
         "--at", "2026-03-12 19:10"),
        ("publish", "ev-12", "--to", "outbox"),
        ("link", "show", "lea"),  # her personal link to the web pages
    ):  # fmt: skip
        result = run(*args, workspace=workspace)
        assert result.exit_code == 0, (args, result.output)
    return group, mine


def _hits(root: Path) -> dict[str, list[str]]:
    """The files under ``root`` holding one of the person's words."""
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for word in SECRETS:
            for encoding in ("utf-8", "utf-16-le"):
                if word.encode(encoding) in data or word.lower().encode(encoding) in data:
                    found.setdefault(str(path.relative_to(root)), []).append(word)
    return found


@pytest.fixture
def erased(workspace: Path, run: Run, tmp_path: Path) -> tuple[Path, dict[str, object], str]:
    _setup(workspace, run, tmp_path)
    assert _hits(workspace)  # the search finds her before
    outbox = list((workspace / "outbox").rglob("*.json"))
    assert any(NAME in p.read_text() for p in outbox)
    result = run("-vv", "member", "erase", "lea", "--yes", "--json", workspace=workspace)
    data = as_json(result)
    return workspace, data, result.stderr


def test_after_erasure_no_file_of_the_workspace_names_the_person(
    erased: tuple[Path, dict[str, object], str],
) -> None:
    workspace, data, log = erased
    assert _hits(workspace) == {}
    assert not [w for w in SECRETS if w in log or w.lower() in log]  # nor the log lines
    assert str(data["tombstone_id"]).startswith("erased-")
    assert data["deleted"]  # her selfie


def test_the_database_and_its_wal_hold_no_trace_while_it_is_open(
    workspace: Path, run: Run, tmp_path: Path
) -> None:
    """Through the library, with the database open: the WAL and free pages are clean too."""
    from terrain import clock
    from terrain.workflows import erase_member, personal_link, withdraw_on_page

    _setup(workspace, run, tmp_path)
    with Workspace.open(workspace) as ws:
        # she withdrew "publish" on her page: the takedown waits in the queue for the worker
        link, _ = personal_link(ws, "lea", now=clock.now())
        withdraw_on_page(ws, link.token, now=clock.now(), purposes=["publish"])
        assert ws.db.query("SELECT COUNT(*) FROM takedown_queue WHERE subject_id = 'lea'")[0][0]
        post_id, platform = ws.db.query("SELECT post_id, platform FROM publication_journal")[0]
        with ws.db.transaction() as tx:  # how the journal indexes an @handle typed in a post
            tx.execute(
                "INSERT INTO publication_refs (ref, post_id, platform) VALUES (?, ?, ?)",
                (f"handle:{HANDLES[0]}", post_id, platform),
            )
        ws.db.query("SELECT COUNT(*) FROM records")  # a reader holds the WAL open
        erase_member(ws, "lea", now=clock.now())
        assert ws.db.query("SELECT COUNT(*) FROM web_links WHERE subject_id = 'lea'")[0][0] == 0
        assert not ws.db.query("SELECT id FROM takedown_queue WHERE subject_id = 'lea'")
        db = workspace / ".terrain" / "terrain.db"
        for path in (db, Path(f"{db}-wal")):
            if path.exists():
                data = path.read_bytes()
                assert not [w for w in SECRETS if w.encode() in data], path


def test_the_proof_that_past_publications_were_lawful_is_kept_without_identifying_data(
    erased: tuple[Path, dict[str, object], str], run: Run
) -> None:
    workspace, data, _ = erased
    tombstone = str(data["tombstone_id"])
    records = as_json(run("consent", "list", tombstone, "--json", workspace=workspace))
    (record,) = records
    assert sorted(record["purposes"]) == ["publish", "reuse-ugc", "tag"]
    assert record["evidence"]["kind"] == "signed-form"
    assert [h["status"] for h in record["history"]] == ["given", "withdrawn"]
    log = run("log", "--json", workspace=workspace)
    assert tombstone in log.stdout  # the decisions about her photo still say why it went out
    history = as_json(run("history", "member", tombstone, "--json", workspace=workspace))
    assert [h["action"] for h in history] == ["erase"]


def test_no_post_showing_an_erased_person_can_be_published_again(
    erased: tuple[Path, dict[str, object], str], run: Run
) -> None:
    workspace, data, _ = erased
    tombstone = str(data["tombstone_id"])
    again = run("publish", "ev-12", "--to", "outbox", workspace=workspace)
    assert "taken down from outbox" in again.stdout  # her photo's post is never sent again
    ok(run, workspace, "event", "add", "ev-13", "--title", "Vélo & ville #13",
       "--starts", "2026-04-09 19:00", "--ends", "2026-04-09 22:00")
    later = phone_photo(workspace.parent / "later.jpg", seed=7)
    ok(run, workspace, "content", "import", str(later), "--event", "ev-13")
    ok(run, workspace, "content", "people", str(later), "--add", tombstone, "--reviewed")
    ok(run, workspace, "content", "describe", str(later), "--alt", "The bikes.")
    for dry in ("--dry-run", None):
        result = run("publish", "ev-13", "--to", "outbox", *([dry] if dry else []),
                     workspace=workspace)
        assert "erased at their request" in result.stdout, result.output
    assert not any("later" in p.read_text() for p in (workspace / "outbox").rglob("*.json"))
    refused = run("consent", "grant", tombstone, "--purpose", "publish", "--witness", "K",
                  workspace=workspace)
    assert refused.exit_code == 2
    assert "erased at their request" in refused.output
    assert "no consent is recorded for them again" in refused.output
    with Workspace.open(workspace) as ws:
        assert ws.get(Member, tombstone).erased
        from terrain import clock
        from terrain.consent import decide

        photos = ws.contents_showing(tombstone)
        assert len(photos) == 2
        for photo in photos:
            decision = decide(ws.ledger(), photo, platform="outbox", at=clock.now())
            assert not decision.allowed
            assert "erased at their request" in decision.explain()


def test_erasing_needs_yes_and_never_twice(
    erased: tuple[Path, dict[str, object], str], run: Run
) -> None:
    workspace, data, _ = erased
    again = run("member", "erase", "lea", "--yes", workspace=workspace)
    assert again.exit_code == 2
    assert "no member with id 'lea'" in again.output
    tomb = run("member", "erase", str(data["tombstone_id"]), "--yes", workspace=workspace)
    assert tomb.exit_code == 2
    assert "already the tombstone" in tomb.output
    ok(run, workspace, "member", "add", "ines", "--name", "Inès")
    asked = run("member", "erase", "ines", workspace=workspace)
    assert asked.exit_code == 2
    assert "--yes" in asked.output
    assert json.loads(run("member", "list", "--json", workspace=workspace).stdout)


def test_a_form_another_person_signed_too_is_kept(
    workspace: Path, run: Run, tmp_path: Path
) -> None:
    form = tmp_path / "door.pdf"
    form.write_bytes(b"%PDF-1.4 the door sheet")
    for args in (
        ("member", "add", "lea", "--name", NAME),
        ("member", "add", "ana", "--name", "Ana Costa"),
        ("consent", "grant", "lea", "--purpose", "publish", "--evidence-file", str(form)),
        ("consent", "grant", "ana", "--purpose", "publish", "--evidence-file", str(form)),
    ):
        ok(run, workspace, *args)
    with Workspace.open(workspace) as ws:
        keys = {c.evidence.file_key for c in ws.ledger().for_subject("ana")}
    ok(run, workspace, "member", "erase", "lea", "--yes")
    with Workspace.open(workspace) as ws:
        assert all(ws.storage.exists(k) for k in keys if k)
    rows = sqlite3.connect(workspace / ".terrain" / "terrain.db").execute(
        "SELECT COUNT(*) FROM consent_events"
    )
    assert rows.fetchone() == (3,)  # the two grants and her withdrawal: nothing of ana lost
