"""The bad-input corpus: every malformed input gets a clear message, exit code 2,
no traceback, and leaves the workspace exactly as it was.

"Exactly as it was" is checked by hashing the workspace's *logical* content
before and after the command: the SQLite database as ``iterdump()`` SQL (so
SQLite's own housekeeping — WAL checkpoints, page reuse — is no false alarm),
``terrain.toml`` and every other file byte for byte (media, consent scans).

Each case is one row of :data:`CASES`: (input, command, expected message
fragment). The corpus is generated here (small files, a sparse 200 MB file
made with ``truncate``), so nothing binary is kept in the repository.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from terrain.cli import main

DB = Path(".terrain") / "terrain.db"
SQLITE_FILES = {str(DB), f"{DB}-wal", f"{DB}-shm", f"{DB}-journal"}
SECRET_LINE = 'access_token = "s3cr3t-in-toml"\n'
BAD_DATE = "2026-02-30T19:00:00+01:00"
VALID_TOML = """\
[community]
id = "velo-lyon"
name = "Vélo Lyon"
timezone = "Europe/Paris"

[storage]
backend = "filesystem"
"""


def invoke(*args: str, workspace: Path) -> Result:
    return CliRunner().invoke(main, [*args, "--workspace", str(workspace)])


def logical_hash(root: Path) -> dict[str, str]:
    """SHA-256 of the workspace's content: the database as SQL, every other file as bytes."""
    digests: dict[str, str] = {}
    connection = sqlite3.connect(root / DB)
    try:
        dump = "\n".join(connection.iterdump())
    finally:
        connection.close()
    digests[str(DB)] = hashlib.sha256(dump.encode()).hexdigest()
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_file() and name not in SQLITE_FILES:
            digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def jpeg_bytes(seed: int = 0, size: tuple[int, int] = (320, 240)) -> bytes:
    image = Image.effect_noise(size, 40 + seed).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 128, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with a member, an event, a photo and a consent (built once)."""
    root = tmp_path_factory.mktemp("template") / "velo"
    runner = CliRunner()
    photo = root.parent / "IMG_0001.jpg"
    photo.write_bytes(jpeg_bytes())
    steps = [
        ["init", str(root), "--community-id", "velo-lyon", "--name", "Vélo Lyon",
         "--timezone", "Europe/Paris"],
        ["member", "add", "ana", "--name", "Ana Costa", "--handle", "x=ana_c",
         "--workspace", str(root)],
        ["event", "add", "ev-12", "--title", "Vélo & ville #12", "--starts",
         "2026-03-12 19:00", "--ends", "2026-03-12 22:00", "--workspace", str(root)],
        ["content", "import", str(photo), "--event", "ev-12", "--workspace", str(root)],
        ["consent", "grant", "ana", "--purpose", "publish", "--witness", "Léa",
         "--at", "2026-03-12 19:30", "--workspace", str(root)],
    ]  # fmt: skip
    for args in steps:
        result = runner.invoke(main, args)
        assert result.exit_code == 0, (args, result.output)
    return root


@pytest.fixture
def ws(template: Path, tmp_path: Path) -> Path:
    root = tmp_path / "velo"
    shutil.copytree(template, root)
    return root


# -- ways to spoil a workspace or make a bad file ----------------------------------------


def toml(text: str) -> Callable[[Path], None]:
    def spoil(root: Path) -> None:
        (root / "terrain.toml").write_text(text, encoding="utf-8")

    return spoil


def toml_bytes(data: bytes) -> Callable[[Path], None]:
    def spoil(root: Path) -> None:
        (root / "terrain.toml").write_bytes(data)

    return spoil


def record(
    kind: str, record_id: str | None, change: Callable[[dict[str, object]], object]
) -> Callable[[Path], None]:
    """Edit the JSON of one stored record (``None``: the first of its kind), as a
    buggy tool or a hand edit would."""

    def spoil(root: Path) -> None:
        connection = sqlite3.connect(root / DB)
        try:
            query = "SELECT id, data FROM records WHERE kind = ?"
            params: tuple[str, ...] = (kind,)
            if record_id is not None:
                query, params = query + " AND id = ?", (kind, record_id)
            (found_id, data) = connection.execute(query + " ORDER BY id", params).fetchone()
            document = json.loads(data)
            changed = change(document)
            text = changed if isinstance(changed, str) else json.dumps(document)
            connection.execute(
                "UPDATE records SET data = ? WHERE kind = ? AND id = ?", (text, kind, found_id)
            )
            connection.commit()
        finally:
            connection.close()

    return spoil


def setitem(key: str, value: object) -> Callable[[dict[str, object]], None]:
    return lambda document: document.__setitem__(key, value)


def set_media_key(key: str) -> Callable[[dict[str, object]], None]:
    def change(document: dict[str, object]) -> None:
        media = document["media"]
        assert isinstance(media, list)
        media[0]["key"] = key

    return change


def file(name: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    """Create ``name`` next to the workspace (outside it: the workspace must not change)."""

    def spoil(root: Path) -> None:
        make(root.parent / name)

    return spoil


def sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(size)  # what `truncate -s 200M` does: no block written

    return make


def immutable(*names: str) -> Callable[[Path], None]:
    """Make files or folders of the workspace read-only *for root too* (``chattr +i``:
    the kernel refuses every write; ``chmod`` does not stop root, who runs the tests)."""

    def spoil(root: Path) -> None:
        for name in names:
            chattr("+i", root / name)

    return spoil


def writable(*names: str) -> Callable[[Path], None]:
    def restore(root: Path) -> None:
        for name in names:
            chattr("-i", root / name)

    return restore


def chattr(flag: str, path: Path) -> None:
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True, text=True)
    if done.returncode != 0:  # not ext2/3/4, xfs, btrfs…: no immutable flag here
        message = f"chattr {flag} {path} failed: {done.stderr.strip()}"
        if os.environ.get("CI") and flag == "+i":
            pytest.fail(message)
        pytest.skip(message)


@dataclass(frozen=True)
class Case:
    """One row of the corpus: what is wrong, the command, what the message must say.

    ``restore`` undoes what ``spoil`` did to the machine (not to the workspace)
    before the workspace is compared with what it was.
    """

    id: str
    spoil: Callable[[Path], None]
    args: tuple[str, ...]
    fragment: str
    also: tuple[str, ...] = field(default=())
    restore: Callable[[Path], None] | None = None


BIG = 200 * 1024 * 1024
CREDENTIALS = Path(".terrain") / "credentials.toml"
#: A file name that would set the terminal's title, then ring its bell.
ESCAPED_NAME = "IMG\x1b]0;owned\x07.jpg"


def credentials(data: bytes) -> Callable[[Path], None]:
    def spoil(root: Path) -> None:
        (root / CREDENTIALS).write_bytes(data)
        (root / CREDENTIALS).chmod(0o600)

    return spoil


def _bomb() -> bytes:
    """A 900-megapixel PNG in about 100 KB (blank 1-bit rows, compressed)."""
    from tests.test_media_limits import blank_png

    return blank_png(30_000, 30_000)


BOMB = _bomb()

CASES = [
    # -- terrain.toml -------------------------------------------------------------------
    Case("toml-syntax-error", toml("[community\nid = 'x'\n"), ("member", "list"),
         "is not valid TOML", ("line 1",)),
    Case("toml-wrong-type", toml(VALID_TOML.replace('"Vélo Lyon"', "5")), ("member", "list"),
         "must be a string", ("[community] name", "line 3")),
    Case("toml-unknown-storage-key", toml(VALID_TOML + 'pth = "photos"\n'),
         ("content", "import", "../IMG_0002.jpg"), "unknown setting", ("pth", "path")),
    Case("toml-unknown-community-key", toml(VALID_TOML.replace("[st", 'mascot = "cat"\n[st')),
         ("member", "list"), "unknown key", ("mascot",)),
    Case("toml-unknown-table", toml(VALID_TOML + "[extras]\nx = 1\n"), ("member", "list"),
         "unknown setting", ("extras",)),
    Case("toml-table-is-a-string", toml('storage = "s3"\n' + VALID_TOML.split("[storage]")[0]),
         ("member", "list"), "must be a table", ("storage",)),
    Case("toml-bad-size-limit", toml(VALID_TOML + '[import]\nmax_file_mb = "big"\n'),
         ("member", "list"), "max_file_mb", ("a number of megabytes",)),
    Case("toml-bad-pixel-limit", toml(VALID_TOML + "[import]\nmax_megapixels = 1000\n"),
         ("member", "list"), "max_megapixels", ("at most 178",)),
    Case("toml-secret-in-file", toml(VALID_TOML + "[platforms.x]\n" + SECRET_LINE),
         ("member", "list"), "looks like a secret", ("TERRAIN_X_ACCESS_TOKEN",)),
    Case("toml-storage-secret", toml(VALID_TOML + 'secret_access_key = "s3cr3t-in-toml"\n'),
         ("member", "list"), "looks like a secret", ("secret_access_key",)),
    Case("toml-missing-community", toml('[storage]\nbackend = "filesystem"\n'), ("member", "list"),
         "[community] table is missing", ()),
    Case("toml-bad-timezone", toml(VALID_TOML.replace("Europe/Paris", "Mars/Olympus")),
         ("member", "list"), "Mars/Olympus", ("timezone",)),
    Case("toml-not-utf8", toml_bytes(b"[community]\nname = \"V\xe9lo\"\n"), ("member", "list"),
         "is not UTF-8 text", ("terrain.toml", "0xe9", "save it as UTF-8")),
    Case("toml-unknown-backend", toml(VALID_TOML.replace('"filesystem"', '"ftp"')),
         ("content", "import", "../IMG_0002.jpg"), "ftp", ()),
    # -- JSON read back from the workspace: unknown keys, invalid dates ----------------
    Case("record-unknown-key", record("member", "ana", setitem("favourite_bike", "Brompton")),
         ("member", "list"), "favourite_bike", ("member", "ana")),
    Case("record-invalid-date", record("event", "ev-12", setitem("starts_at", BAD_DATE)),
         ("event", "list"), "2026-02-30", ("ev-12",)),
    Case("record-date-wrong-type", record("event", "ev-12", setitem("starts_at", 1773338400)),
         ("event", "list"), "datetime", ("ev-12",)),
    Case("record-not-json", record("member", "ana", lambda d: "{not json"),
         ("member", "list"), "not valid JSON", ("ana",)),
    # -- dates typed on the command line ----------------------------------------------
    Case("cli-invalid-date", lambda root: None,
         ("consent", "grant", "ana", "--purpose", "tag", "--witness", "Léa", "--at", "2026-02-30"),
         "is not a date and time", ("--at",)),
    Case("cli-words-for-date", lambda root: None,
         ("event", "add", "ev-13", "--title", "T", "--starts", "next thursday", "--ends",
          "2026-04-09 22:00"), "is not a date and time", ("--starts",)),
    # -- local times that do not exist or happen twice, control characters ------------
    Case("cli-time-in-spring-gap", lambda root: None,
         ("event", "add", "ev-13", "--title", "T", "--starts", "2026-03-29 02:30", "--ends",
          "2026-03-29 05:00"), "2026-03-29 02:30 does not exist in Europe/Paris",
         ("--starts", "nearest valid times are 01:59 and 03:00")),
    Case("cli-ambiguous-time-without-fold", lambda root: None,
         ("event", "add", "ev-13", "--title", "T", "--starts", "2026-10-25 02:30", "--ends",
          "2026-10-25 05:00"), "happens twice in Europe/Paris",
         ("--fold earlier or --fold later", "2026-10-25T02:30+02:00", "2026-10-25T02:30+01:00")),
    Case("cli-series-first-in-gap", lambda root: None,
         ("series", "add", "nuit", "--title", "Nuit", "--rrule", "FREQ=YEARLY;COUNT=2", "--first",
          "2027-03-28 02:15", "--minutes", "60"), "does not exist in Europe/Paris", ("--first",)),
    Case("cli-consent-at-ambiguous", lambda root: None,
         ("consent", "grant", "ana", "--purpose", "tag", "--witness", "Léa", "--at",
          "2026-10-25 02:10"), "happens twice", ("--at", "--fold")),
    Case("cli-rsvp-at-in-gap", lambda root: None,
         ("rsvp", "ev-12", "ana", "going", "--at", "2026-03-29 02:05"), "does not exist",
         ("--at",)),
    Case("cli-title-with-crlf", lambda root: None,
         ("event", "add", "ev-13", "--title", "Apéro\r\nBEGIN:VEVENT", "--starts",
          "2026-04-09 19:00", "--ends", "2026-04-09 22:00"), "Event.title",
         ("carriage return", "one line of text: remove it")),
    Case("cli-title-with-escape", lambda root: None,
         ("series", "add", "s", "--title", "Apéro\x1b[31m", "--rrule", "FREQ=WEEKLY;COUNT=2",
          "--first", "2026-04-09 19:00", "--minutes", "60"), "Series.title",
         ("U+001B", "remove it")),
    Case("cli-talk-speaker-with-newline", lambda root: None,
         ("event", "talk", "ev-12", "--title", "Pistes", "--speaker", "Ana\nCosta", "--minutes",
          "20"), "Talk.speaker", ("a line break",)),
    Case("record-offset-not-the-zone", record("event", "ev-12",
         setitem("starts_at", "2026-03-12T19:00:00+02:00[Europe/Paris]")),
         ("event", "list"), "the offset is not Europe/Paris's", ("ev-12",)),
    Case("record-unknown-zone", record("event", "ev-12",
         setitem("starts_at", "2026-03-12T19:00:00+01:00[Europe/Lyon]")),
         ("event", "list"), "[Europe/Lyon] is not a known IANA time zone", ("ev-12",)),
    # -- media -----------------------------------------------------------------------
    Case("png-renamed-jpg", file("shot.jpg", lambda p: p.write_bytes(png_bytes())),
         ("content", "import", "../shot.jpg"), "content is a PNG image", ("shot.jpg",)),
    Case("truncated-jpeg", file("cut.jpg", lambda p: p.write_bytes(jpeg_bytes(1)[:2000])),
         ("content", "import", "../cut.jpg"), "truncated", ("cut.jpg",)),
    Case("text-named-jpg", file("notes.jpg", lambda p: p.write_text("14 people, great talk")),
         ("content", "import", "../notes.jpg"), "is not an image", ("notes.jpg",)),
    Case("empty-file", file("zero.jpg", lambda p: p.write_bytes(b"")),
         ("content", "import", "../zero.jpg"), "empty", ("zero.jpg",)),
    Case("a-folder", file("DCIM", lambda p: p.mkdir()),
         ("content", "import", "../DCIM"), "is a folder", ("DCIM",)),
    Case("png-decompression-bomb", file("bomb.png", lambda p: p.write_bytes(BOMB)),
         ("content", "import", "../bomb.png"), "decompression bomb",
         ("bomb.png", "30000x30000", "max_megapixels")),
    Case("200-MB-file", file("huge.jpg", sparse(BIG)),
         ("content", "import", "../huge.jpg"), "too large", ("huge.jpg", "200", "max_file_mb")),
    Case("200-MB-evidence", file("form.pdf", sparse(BIG)),
         ("consent", "grant", "ana", "--purpose", "tag", "--evidence-file", "../form.pdf"),
         "too large", ("form.pdf", "max_file_mb")),
    # -- path traversal: storage keys that would leave the store ---------------------
    Case("traversal-key-in-record", record("content", None, set_media_key("../../etc/passwd")),
         ("content", "list"), "../../etc/passwd", ("'..'",)),
    Case("absolute-key-in-record", record("content", None, set_media_key("/etc/passwd")),
         ("content", "list"), "/etc/passwd", ("absolute",)),
    Case("nul-in-key", record("content", None, set_media_key("photos/a\x00.jpg")),
         ("content", "list"), "control character", ()),
    # -- a workspace that cannot be written: the database is intact, say so ------------
    Case("read-only-terrain-folder", immutable(".terrain"),
         ("member", "add", "bob", "--name", "Bob"), "cannot write to the workspace database",
         ("read-only", "intact", "nothing was changed"), restore=writable(".terrain")),
    Case("read-only-database-file", immutable(str(DB)),
         ("member", "add", "bob", "--name", "Bob"), "cannot write to the workspace database",
         ("read-only", "intact"), restore=writable(str(DB))),
    Case("read-only-database-on-import", immutable(str(DB)),
         ("content", "import", "../IMG_0002.jpg"), "cannot write to the workspace database",
         ("IMG_0002.jpg", "not imported", "intact"), restore=writable(str(DB))),
    Case("read-only-folder-on-consent", immutable(".terrain"),
         ("consent", "grant", "ana", "--purpose", "tag", "--witness", "Léa", "--at",
          "2026-03-12 19:40"), "cannot write to the workspace database", ("read-only",),
         restore=writable(".terrain")),
    # -- files that are no files, names that would drive the terminal ------------------
    Case("fifo-in-the-import-list", file("pipe.jpg", os.mkfifo),
         ("content", "import", "../pipe.jpg"), "not a regular file", ("pipe.jpg",)),
    Case("fifo-as-evidence-file", file("form.pdf", os.mkfifo),
         ("consent", "grant", "ana", "--purpose", "tag", "--evidence-file", "../form.pdf"),
         "not a regular file", ("form.pdf",)),
    Case("fifo-as-credentials-file", lambda root: os.mkfifo(root / CREDENTIALS),
         ("publish", "ev-12", "--to", "x"), "not a regular file", ("credentials.toml",)),
    Case("folder-as-credentials-file", lambda root: (root / CREDENTIALS).mkdir(),
         ("publish", "ev-12", "--to", "x"), "is a folder", ("credentials.toml",)),
    Case("credentials-not-utf8", credentials(b'TERRAIN_X_API_KEY = "caf\xe9-s3cr3t"\n'),
         ("publish", "ev-12", "--to", "x"), "not UTF-8", ("credentials.toml",)),
    Case("toml-nested-too-deep", toml(VALID_TOML + "deep = " + "[" * 5000 + "]" * 5000 + "\n"),
         ("member", "list"), "nests arrays or tables too deeply", ("terrain.toml",)),
    Case("escape-codes-in-a-file-name", file(ESCAPED_NAME, lambda p: p.write_text("notes")),
         ("content", "import", f"../{ESCAPED_NAME}"), "is not an image",
         ("\\u001b]0;owned\\u0007",)),
    # -- files imported (member, rsvp, checkin, consent import) -------------------------
    Case("import-empty-file", file("members.csv", lambda p: p.write_bytes(b"")),
         ("member", "import", "../members.csv"), "is empty", ("members.csv",)),
    Case("import-a-folder", file("people", lambda p: p.mkdir()),
         ("member", "import", "../people"), "is a directory", ("people",)),
    Case("import-no-known-column", file("odd.csv", lambda p: p.write_text("Colonne;Autre\n1;2\n")),
         ("member", "import", "../odd.csv"), "no column terrain reads", ("--preset", "--mapping")),
    Case("import-bad-row-all-or-nothing",
         file("m.csv", lambda p: p.write_text("name,email\nLéa,lea@velo.fr\nKarim,k at v\n")),
         ("member", "import", "../m.csv"), "line 3", ("not an email address", "--skip-bad")),
    Case("import-unknown-encoding", file("m.csv", lambda p: p.write_text("name\nLéa\n")),
         ("member", "import", "../m.csv", "--encoding", "klingon"), "is not one Python knows",
         ("cp1252",)),
    Case("import-unknown-preset", file("m.csv", lambda p: p.write_text("name\nLéa\n")),
         ("member", "import", "../m.csv", "--preset", "facebook"), "--preset", ("facebook",)),
    Case("import-bad-mapping-key", file("map.toml", lambda p: p.write_text('colums = 1\n')),
         ("member", "import", "../m.csv", "--mapping", "../map.toml"), "unknown key 'colums'",
         ("map.toml",)),
    Case("import-unknown-answer",
         file("r.csv", lambda p: p.write_text("member,answer\nana,maybe?\n")),
         ("rsvp", "import", "../r.csv", "--event", "ev-12"), "'maybe?' is not an answer",
         ("[answers]",)),
    Case("import-unknown-event",
         file("r.csv", lambda p: p.write_text("member,answer,event\nana,going,ev-99\n")),
         ("rsvp", "import", "../r.csv"), "'ev-99' does not exist", ("line 2",)),
    Case("import-consent-without-date",
         file("c.csv", lambda p: p.write_text("member,purposes,witness\nana,publish,Léa\n")),
         ("consent", "import", "../c.csv"), "no date", ("line 2",)),
    # -- edits and deletions ------------------------------------------------------------
    Case("edit-unknown-field", lambda root: None,
         ("edit", "member", "ana", "--set", "shoe=42"), "Member has no field 'shoe'",
         ("display_name",)),
    Case("edit-bad-value", lambda root: None,
         ("edit", "event", "ev-12", "--set", "capacity=many"), "Event.capacity", ("'many'",)),
    Case("edit-end-before-start", lambda root: None,
         ("edit", "event", "ev-12", "--set", "ends_at=2026-03-12 18:00"), "Event.ends_at",
         ("not after the start",)),
    Case("delete-what-a-consent-relies-on", lambda root: None,
         ("delete", "member", "ana"), "is relied on", ("--force", "terrain member erase ana")),
    Case("delete-unknown-record", lambda root: None,
         ("delete", "venue", "nowhere"), "no venue with id 'nowhere'", ()),
    Case("erase-without-yes", lambda root: None,
         ("member", "erase", "ana"), "cannot be undone", ("--yes",)),
    Case("export-over-an-existing-zip", file("s.zip", lambda p: p.write_bytes(b"PK")),
         ("export", "season", "../s.zip"), "exists", ("s.zip",)),
    Case("toml-bad-retention",
         toml(VALID_TOML + '[retention]\nunpublished_photos_days = "a year"\n'),
         ("member", "list"), "unpublished_photos_days", ("whole number of days",)),
    Case("toml-bad-import-preset", toml(VALID_TOML + '[import]\npreset = "facebook"\n'),
         ("member", "list"), "[import] preset", ("luma",)),
    Case("traversal-member-id", lambda root: None,
         ("consent", "grant", "../../etc/passwd", "--purpose", "tag", "--evidence-file",
          "../form.txt"), "no member with id '../../etc/passwd'", ()),
]  # fmt: skip


@contextlib.contextmanager
def no_longer_than(seconds: int) -> Iterator[None]:
    def hung(signum: int, frame: object) -> None:
        raise TimeoutError(f"the command was still running after {seconds} s: it hangs")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_changes(
    case: Case, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TERRAIN_WORKSPACE", raising=False)
    monkeypatch.chdir(ws)  # "../x" names a file next to the workspace
    (ws.parent / "IMG_0002.jpg").write_bytes(jpeg_bytes(2))
    (ws.parent / "form.txt").write_text("signed")
    if case.restore is None:
        case.spoil(ws)
    before = logical_hash(ws)  # a spoil with a restore changes the machine, not the content
    if case.restore is not None:
        case.spoil(ws)
    try:
        with no_longer_than(60):  # a command that hangs (on a FIFO…) fails, never blocks CI
            result = invoke(*case.args, workspace=ws)
    finally:
        if case.restore is not None:
            case.restore(ws)

    output = result.output
    assert result.exit_code == 2, output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in output
    assert output.startswith(("Error:", "Usage:")) or "\nError:" in output, output
    for fragment in (case.fragment, *case.also):
        assert fragment in output, (fragment, output)
    assert len(output.strip().splitlines()) <= 6, output  # one paragraph, not a dump
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", output), output  # no raw control
    assert logical_hash(ws) == before


def test_the_hash_sees_a_change_of_a_record_a_file_or_the_toml(ws: Path) -> None:
    """The harness can fail: each kind of change shows in the logical hash."""
    before = logical_hash(ws)
    record("member", "ana", setitem("display_name", "Ana C."))(ws)
    after_record = logical_hash(ws)
    assert after_record != before
    (ws / "terrain.toml").write_text(VALID_TOML + "# a comment\n")
    assert logical_hash(ws) != after_record
    media = next(p for p in (ws / "media").rglob("*") if p.is_file())
    media.write_bytes(media.read_bytes() + b"\0")
    assert logical_hash(ws) != after_record


def test_the_hash_ignores_sqlite_housekeeping(ws: Path) -> None:
    before = logical_hash(ws)
    connection = sqlite3.connect(ws / DB)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("VACUUM")
    connection.close()
    assert logical_hash(ws) == before


def test_a_200_mb_file_is_refused_by_its_size_before_it_is_read(ws: Path) -> None:
    big = ws.parent / "huge.jpg"
    sparse(BIG)(big)
    tracemalloc.start()
    try:
        result = invoke("content", "import", str(big), workspace=ws)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 2, result.output
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.0f} MB allocated: the file was read"


def test_the_size_limit_is_set_in_terrain_toml(ws: Path) -> None:
    photo = ws.parent / "IMG_0003.jpg"
    photo.write_bytes(jpeg_bytes(3, size=(1200, 900)))
    assert os.path.getsize(photo) > 1024 * 1024 // 2
    text = (ws / "terrain.toml").read_text()
    (ws / "terrain.toml").write_text(text + "\n[import]\nmax_file_mb = 0.5\n")
    result = invoke("content", "import", str(photo), workspace=ws)
    assert result.exit_code == 2
    assert "max_file_mb = 0.5" in result.output
    (ws / "terrain.toml").write_text(text + "\n[import]\nmax_file_mb = 5\n")
    assert invoke("content", "import", str(photo), workspace=ws).exit_code == 0


def test_a_png_renamed_png_again_imports_as_the_png_it_is(ws: Path) -> None:
    """After the rename the message asks for, the same bytes import, stored as a PNG."""
    renamed = ws.parent / "IMG_0004.jpg"
    renamed.write_bytes(png_bytes())
    refused = invoke("content", "import", str(renamed), workspace=ws)
    assert refused.exit_code == 2
    assert "rename it IMG_0004.png" in refused.output
    fixed = renamed.rename(ws.parent / "IMG_0004.png")
    result = invoke("content", "import", str(fixed), "--json", workspace=ws)
    assert result.exit_code == 0, result.output
    (outcome,) = json.loads(result.stdout)["outcomes"]
    listed = json.loads(invoke("content", "list", "--json", workspace=ws).stdout)
    (content,) = [c for c in listed if c["id"] == outcome["content_id"]]
    assert content["media"][0]["media_type"] == "image/png"
    assert content["media"][0]["key"].endswith(".png")
