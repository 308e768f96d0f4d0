"""A workspace whose disk is full or that cannot be written: the database is intact,
and terrain says so, tells it apart from a file that is no database, and reports
work that was partly done (exit 1) apart from work that was not done (exit 2).

How the faults are made, honestly and without touching terrain's code:

* **read-only** -- ``chattr +i`` (the kernel refuses every write, to root too; the
  tests run as root, so ``chmod`` would not do), in ``test_bad_input.py``'s corpus
  and here;
* **full disk** -- a real ``ENOSPC``: the command runs in a child process inside a
  new user and mount namespace (``unshare --user --map-root-user --mount``, no
  privilege needed and nothing seen outside), on a 1 MB tmpfs filled to the last
  block;
* **the database filling up mid-import** -- SQLite's own ``PRAGMA max_page_count``
  on the workspace's connection: the next page SQLite needs fails with
  ``SQLITE_FULL``, exactly as on a full disk.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from terrain import Content
from terrain.errors import StorageError
from terrain.store import Workspace
from terrain.workflows import ImportStatus, import_media
from tests.reliability.test_bad_input import DB, chattr, invoke, jpeg_bytes, logical_hash
from tests.workflows.conftest import NOW, make_jpeg

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture
def velo(tmp_path: Path) -> Path:
    """A workspace with a member and an event."""
    root = tmp_path / "velo"
    for args in (
        ["init", str(root), "--community-id", "velo-lyon", "--name", "Vélo Lyon"],
        ["member", "add", "ana", "--name", "Ana Costa", "--workspace", str(root)],
        ["event", "add", "ev-12", "--title", "Vélo & ville #12", "--starts", "2026-03-12 19:00",
         "--ends", "2026-03-12 22:00", "--workspace", str(root)],
    ):  # fmt: skip
        from click.testing import CliRunner

        from terrain.cli import main

        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    return root


# -- read-only ---------------------------------------------------------------------------


def test_a_read_only_workspace_can_still_be_read(velo: Path) -> None:
    """Reading commands work on a workspace nobody may write (a backup, a read-only
    mount): the database is opened read-only instead of being called broken."""
    chattr("+i", velo / ".terrain")
    chattr("+i", velo / DB)
    try:
        result = invoke("member", "list", workspace=velo)
    finally:
        chattr("-i", velo / DB)
        chattr("-i", velo / ".terrain")
    assert result.exit_code == 0, result.output
    assert "Ana Costa" in result.output


def test_a_file_that_is_no_database_is_still_called_so(velo: Path) -> None:
    (velo / DB).write_bytes(b"these are my holiday notes, not a database " * 200)
    result = invoke("member", "list", workspace=velo)
    assert result.exit_code == 2
    assert "is not a terrain database, or it is damaged" in result.output
    assert "restore it from a backup" in result.output


# -- the database fills up in the middle of an import -----------------------------------


def test_an_import_stops_when_the_database_is_full_and_keeps_what_was_imported(
    tmp_path: Path,
) -> None:
    from terrain import Community

    root = tmp_path / "ws"
    Workspace.init(root, community=Community(id="velo-lyon", name="Vélo Lyon")).close()
    photos = [make_jpeg(tmp_path / f"IMG_{i}.jpg", seed=i, size=(64, 48)) for i in range(12)]
    with Workspace.open(root) as ws:
        import_media(ws, photos[:1], now=NOW)  # the database has its tables and one photo
        # the connection write transactions run on
        connection: sqlite3.Connection = ws.db.backend._writer_conn()  # type: ignore[attr-defined]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow
        report = import_media(ws, photos[1:], now=NOW)
        statuses = [o.status for o in report.outcomes]
        first_failure = statuses.index(ImportStatus.REJECTED)
        assert set(statuses[:first_failure]) <= {ImportStatus.IMPORTED}
        assert set(statuses[first_failure:]) == {ImportStatus.REJECTED}
        for outcome in report.outcomes[first_failure:]:
            assert "not imported" in outcome.reason
            assert "is full" in outcome.reason
        stored = ws.list(Content)
        assert len(stored) == 1 + first_failure
        keys = sorted(m.key for c in stored for m in c.media)
        assert sorted(ws.storage.list("photos/")) == keys  # no orphan file, no missing file


# -- a full disk, for real ---------------------------------------------------------------

_IN_NAMESPACE = textwrap.dedent(
    """
    import json, os, shutil, subprocess, sys
    from pathlib import Path

    mount, template, command = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
    room = int(sys.argv[4])
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    root = mount / "velo"
    shutil.copytree(template, root)
    for extra in template.parent.glob("*.jpg"):
        shutil.copy(extra, mount / extra.name)
    from tests.reliability.test_bad_input import logical_hash, invoke
    before = logical_hash(root)
    # fill the disk, then give back `room` bytes
    fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    os.truncate(mount / "filler", max(0, os.path.getsize(mount / "filler") - room))
    os.chdir(mount)
    result = invoke(*command, workspace=root)
    os.unlink(mount / "filler")
    print(json.dumps({
        "code": result.exit_code,
        "output": result.output,
        "traceback": not isinstance(result.exception, (SystemExit, type(None))),
        "unchanged": logical_hash(root) == before,
        "contents": len(json.loads(invoke("content", "list", "--json", workspace=root).stdout)),
    }))
    """
)


def on_a_full_disk(template: Path, *command: str, room: int = 0) -> dict[str, object]:
    """Run ``terrain COMMAND`` on a copy of ``template`` on a full 2 MB disk (``room``
    bytes left), in a user and mount namespace of its own."""
    if shutil.which("unshare") is None:
        pytest.fail("unshare (util-linux) is needed to make a full disk") if os.environ.get(
            "CI"
        ) else pytest.skip("no unshare here")
    mount = template.parent / "mnt"
    mount.mkdir(exist_ok=True)  # an empty mount point: the tmpfs lives in the child only
    done = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", sys.executable, "-c", _IN_NAMESPACE,
         str(mount), str(template), json.dumps(command), str(room)],
        capture_output=True, text=True, cwd=REPOSITORY, timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY)},
    )  # fmt: skip
    if (
        done.returncode != 0
        and "unshare" in done.stderr
        and "Operation not permitted" in (done.stderr)
    ):
        pytest.skip(f"no user namespaces here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_on_a_full_disk_reading_works_and_writing_says_the_disk_is_full(velo: Path) -> None:
    listed = on_a_full_disk(velo, "member", "list")
    assert listed["code"] == 0, listed
    assert "Ana Costa" in str(listed["output"])
    added = on_a_full_disk(velo, "member", "add", "bob", "--name", "Bob")
    assert added["code"] == 2, added
    assert not added["traceback"]
    assert "is full" in str(added["output"]), added
    assert "not a terrain database" not in str(added["output"])
    assert added["unchanged"]


def test_an_import_that_fills_the_disk_keeps_what_fitted_and_exits_1(velo: Path) -> None:
    for i in range(4):
        (velo.parent / f"IMG_{i}.jpg").write_bytes(jpeg_bytes(seed=i + 20, size=(640, 480)))
    size = (velo.parent / "IMG_0.jpg").stat().st_size
    result = on_a_full_disk(
        velo, "content", "import", *(f"../IMG_{i}.jpg" for i in range(4)), room=size + 200_000
    )
    assert not result["traceback"], result
    assert result["code"] == 1, result
    output = str(result["output"])
    assert "imported" in output
    assert 1 <= int(str(result["contents"])) < 4
    assert "No space left on device" in output or "is full" in output, output


def test_storage_errors_are_storage_errors(velo: Path) -> None:
    """The class the command line maps: every failure of the file is a StorageError."""
    chattr("+i", velo / DB)
    try:
        with Workspace.open(velo) as ws, pytest.raises(StorageError, match="read-only"):
            ws.db.execute("DELETE FROM records")
    finally:
        chattr("-i", velo / DB)
    assert logical_hash(velo)
