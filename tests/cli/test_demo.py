"""``terrain demo``: the whole flow, no account, no network, no location leaks."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import ExifTags, Image

from terrain.cli import main

#: A sentinel value for every secret terrain (or a library it drives) reads from the
#: environment; none may ever show up anywhere terrain writes or prints.
SENTINELS = {
    "TERRAIN_X_API_KEY": "sentinel-x-key-7c1e",
    "TERRAIN_X_API_SECRET": "sentinel-x-secret-9b2f",
    "TERRAIN_X_ACCESS_TOKEN": "1234-sentinel-x-token-44aa",
    "TERRAIN_X_ACCESS_TOKEN_SECRET": "sentinel-x-tsecret-1d0c",
    "TERRAIN_FACEBOOK_PAGE_TOKEN": "sentinel-fb-token-e5e5",
    "TERRAIN_INSTAGRAM_TOKEN": "sentinel-ig-token-3b3b",
    "AWS_ACCESS_KEY_ID": "sentinel-aws-key-id-7f7f",  # not AKIA…: no real-key lookalike
    "AWS_SECRET_ACCESS_KEY": "sentinel-aws-secret-0a0a",
    "AWS_SESSION_TOKEN": "sentinel-aws-session-6d6d",
    "TERRAIN_STORE_PASSWORD": "sentinel-store-password-8e8e",
}


def demo(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["demo", "--workspace", str(folder)])
    return result.exit_code, result.output


def has_gps(path: Path) -> bool:
    with Image.open(path) as image:
        return bool(image.getexif().get_ifd(ExifTags.IFD.GPSInfo))


def images(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.suffix.lower() in {".jpg", ".jpeg", ".png"}]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    folder = tmp_path_factory.mktemp("demo") / "workspace"
    code, output = demo(folder)
    return folder, code, output


def test_demo_publishes_to_the_outbox_per_platform(demo_run: tuple[Path, int, str]) -> None:
    folder, code, output = demo_run
    assert code == 0, output
    for platform in ("x", "facebook"):
        assert f"published on {platform}: file://{folder / 'outbox' / platform}/post-" in output
    assert "Published (2)" in output  # one album per platform
    assert str(folder / "outbox") in output


def test_demo_says_which_photos_stayed_out_of_the_album_and_why(
    demo_run: tuple[Path, int, str],
) -> None:
    _, _, output = demo_run
    album = output.split("On x, the album carries", 1)[1].split("\n\n", 1)[0]
    assert "left out: comptoir.jpg: Samir Haddad: refused" in album
    assert "left out: atelier-enfants.jpg: Tom Martin (minor): guardian consent missing" in album
    assert "@lea_velo" in album  # Léa agreed to be tagged


def test_no_outbound_photo_carries_gps_although_the_camera_ones_did(
    demo_run: tuple[Path, int, str],
) -> None:
    folder, code, output = demo_run
    assert sum(has_gps(p) for p in images(folder / "camera")) == 2
    # the demo reads the outgoing files before Léa's withdrawal takes the albums down
    # (and exits 1 if one carries GPS)
    assert "GPS metadata in the 4 outgoing photos: none, as it should be." in output
    assert code == 0
    assert not [p for p in images(folder / "media") if has_gps(p)]


def test_demo_takes_down_what_showed_lea(demo_run: tuple[Path, int, str]) -> None:
    folder, _, output = demo_run
    assert "Withdrew consent" in output
    assert output.count("deleted from") == 2  # the album that showed her, on each platform
    for platform in ("x", "facebook"):
        texts = [p.read_text() for p in (folder / "outbox" / platform).rglob("*.json")]
        assert not [t for t in texts if "lea_velo" in t or "lea.martin" in t]


def test_running_the_demo_again_recreates_its_workspace(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    assert demo(folder)[0] == 0
    (folder / "leftover.txt").write_text("from the first run")
    code, output = demo(folder)
    assert code == 0, output
    assert not (folder / "leftover.txt").exists()


def test_demo_refuses_a_folder_it_did_not_create_and_leaves_it_alone(tmp_path: Path) -> None:
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter1.md").write_text("precious")
    code, output = demo(folder)
    assert code == 2
    assert "not a terrain demo workspace" in output
    assert (folder / "chapter1.md").read_text() == "precious"
    assert sorted(p.name for p in folder.iterdir()) == ["chapter1.md"]


def _leaks(blobs: list[str]) -> list[tuple[str, str]]:
    """(variable, where) for every sentinel found in ``blobs`` (``where`` is the start)."""
    return [(name, b[:80]) for b in blobs for name, value in SENTINELS.items() if value in b]


def _files(folder: Path) -> list[str]:
    """Every file under ``folder``, the SQLite database, WAL and journal included."""
    return [p.read_bytes().decode("utf-8", "replace") for p in folder.rglob("*") if p.is_file()]


def _failing_publication(folder: Path) -> list[str]:
    """Publish the demo's recap for real to X, Facebook and Instagram, every call
    failing (401 and 400 code 190 with the token echoed back; no retry, so no wait); return every
    output and every message of every exception raised on the way."""
    import traceback

    import responses

    from terrain import Post
    from terrain.store import Workspace

    with (folder / "terrain.toml").open("a") as handle:
        handle.write('\n[platforms.facebook]\npage_id = "1234567890"\n')
        handle.write('\n[platforms.instagram]\nig_user_id = "17890"\n')
    connection = sqlite3.connect(folder / ".terrain" / "terrain.db")
    connection.execute("DELETE FROM publication_journal")  # as if never published
    connection.commit()
    connection.close()
    token = SENTINELS["TERRAIN_FACEBOOK_PAGE_TOKEN"]
    echo = {"error": {"message": f"Invalid token {token} (access_token={token})", "code": 190}}
    blobs: list[str] = []
    runner = CliRunner()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as fake:
        fake.add(
            responses.POST, re.compile(r"https://graph\.facebook\.com/.*"), json=echo, status=400
        )
        fake.add(
            responses.GET, re.compile(r"https://graph\.facebook\.com/.*"), json=echo, status=400
        )
        fake.add(
            responses.POST,
            re.compile(r"https://api\.(x|twitter)\.com/.*"),
            status=401,
            body="upstream error for " + SENTINELS["TERRAIN_X_ACCESS_TOKEN"],
        )
        fake.add(
            responses.GET,
            re.compile(r"https://api\.(x|twitter)\.com/.*"),
            status=401,
            body="upstream error for " + SENTINELS["TERRAIN_X_ACCESS_TOKEN"],
        )
        for platform in ("x", "facebook", "instagram"):
            for extra in ([], ["--json"]):
                args = [
                    "-vvv",  # every log line too, the HTTP libraries' included
                    "publish",
                    "ev-2026-03",
                    "--to",
                    platform,
                    *extra,
                    "--workspace",
                    str(folder),
                ]
                result = runner.invoke(main, args)
                assert result.exit_code != 0 or platform == "instagram", result.output
                blobs.append(result.output)
                if result.exception is not None:
                    blobs.append("".join(traceback.format_exception(result.exception)))
        # the library, called directly: every exception and its whole chain
        with Workspace.open(folder) as ws:
            for platform in ("x", "facebook", "instagram"):
                try:
                    adapter = ws.platform(platform)
                    blobs.append(repr(adapter))
                    adapter.publish(
                        Post(id=f"post-leak-{platform}", platform=platform, text="Merci !")
                    )
                except Exception as exc:  # every failure is inspected
                    blobs += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    return blobs


def _failing_store(folder: Path) -> list[str]:
    """Point the workspace at a PostgreSQL server that is not there, with the store
    password in the environment; return the outputs and the exceptions' tracebacks."""
    import traceback

    from terrain.store import Workspace

    with (folder / "terrain.toml").open("a") as handle:
        handle.write('\n[store]\nurl = "postgresql://terrain@127.0.0.1:1/velo"\n')
    blobs: list[str] = []
    for args in (["member", "list"], ["store", "migrate"], ["log", "--json"]):
        result = CliRunner().invoke(main, [*args, "--workspace", str(folder)])
        assert result.exit_code != 0, result.output
        blobs.append(result.output)
        if result.exception is not None:
            blobs.append("".join(traceback.format_exception(result.exception)))
    try:
        Workspace.open(folder).close()
    except Exception as exc:  # every failure is inspected
        blobs += [str(exc), repr(exc), "".join(traceback.format_exception(exc))]
    assert "cannot reach the store" in "".join(blobs)  # the password was on its way
    return blobs


def test_tokens_in_the_environment_never_reach_db_files_logs_outputs_or_exceptions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Sentinel tokens in every secret variable; the demo, its --json outputs, a
    failing real publication, a store that cannot be reached, and the exceptions
    they raise: not one occurrence in the database (and its WAL), the outbox
    files, the logs, stdout/stderr."""
    caplog.set_level(logging.DEBUG)
    for name, value in SENTINELS.items():
        monkeypatch.setenv(name, value)
    folder = tmp_path / "demo"
    runner = CliRunner()
    outputs = [runner.invoke(main, ["demo", "--workspace", str(folder)]).output]
    for args in (
        ["publish", "ev-2026-03", "--to", "x", "--dry-run", "--json"],
        ["log", "--json"],
        ["takedown", "--subject", "ana", "--json"],
        ["consent", "list", "--json"],
        ["content", "list", "--json"],
        ["member", "list", "--json"],
    ):
        result = runner.invoke(main, [*args, "--workspace", str(folder)])
        outputs.append(result.output)
        if args[0] in ("log", "consent", "content", "member"):
            assert result.exit_code == 0, result.output
            assert json.loads(result.output) is not None
    outputs += _failing_publication(folder)
    outputs += _failing_store(folder)
    everything = "".join(outputs)
    assert "X refused the credentials (401)" in everything  # the failing calls did run
    assert "page token expired or invalid: Invalid token ***" in everything
    # -vvv printed the calls, the libraries' requests and the failures on stderr
    assert "DEBUG terrain_adapters.x: x: upload media failed" in everything
    assert "DEBUG terrain_adapters.graph: facebook: POST" in everything
    assert "DEBUG requests_oauthlib.oauth1_auth: Updated headers:" in everything
    logs = [r.getMessage() for r in caplog.records] + [caplog.text]
    assert _leaks(["x" + SENTINELS["TERRAIN_STORE_PASSWORD"]])  # the check itself can fail
    assert not _leaks(outputs), "in outputs or exceptions"
    assert not _leaks(logs), "in the logs"
    assert not _leaks(_files(folder)), "in the workspace files"


def test_the_log_prints_each_post_its_decisions_and_a_blank_line_in_the_journals_order(
    demo_run: tuple[Path, int, str],
) -> None:
    """The text log says, post by post in the order of ``--json``, the header, each
    decision with its reasons, and a blank line (printed in one write)."""
    folder = demo_run[0]
    text = CliRunner().invoke(main, ["log", "--workspace", str(folder)])
    data = json.loads(CliRunner().invoke(main, ["log", "--json", "--workspace",
                                                str(folder)]).output)
    assert text.exit_code == 0, text.output
    blocks = text.output.split("\n\n")
    assert blocks[-1] == ""
    assert len(blocks) == len(data) + 1
    for block, entry in zip(blocks, data, strict=False):
        lines = block.splitlines()
        assert lines[0].startswith(f"{entry['post_id']} on {entry['platform']} (")
        decided = [line for line in lines[1:] if not line.startswith("    ")]
        assert len(decided) == len(entry["decisions"])
        for line, decision in zip(decided, entry["decisions"], strict=True):
            assert line.endswith(decision["outcome"].upper())
        reasons = [line for line in lines if line.startswith("    ") and not line.startswith(
            ("    relied on", "    not tagged (no tag consent)"))]
        assert len(reasons) == sum(len(d["reasons"]) for d in entry["decisions"])
