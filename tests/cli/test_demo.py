"""``terrain demo``: the whole flow, no account, no network, no location leaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import ExifTags, Image

from terrain.cli import main

SENTINELS = {
    "TERRAIN_X_API_KEY": "sentinel-x-key-7c1e",
    "TERRAIN_X_API_SECRET": "sentinel-x-secret-9b2f",
    "TERRAIN_X_ACCESS_TOKEN": "sentinel-x-token-44aa",
    "TERRAIN_X_ACCESS_TOKEN_SECRET": "sentinel-x-tsecret-1d0c",
    "TERRAIN_FACEBOOK_PAGE_TOKEN": "sentinel-fb-token-e5e5",
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
        assert any((folder / "outbox" / platform).iterdir()), platform
    assert "Published (6)" in output
    assert str(folder / "outbox") in output


def test_demo_says_what_was_held_back_and_why(demo_run: tuple[Path, int, str]) -> None:
    _, _, output = demo_run
    held = output.split("Held back", 1)[1].split("\n\n", 1)[0]
    assert "Samir Haddad: refused" in held
    assert "Tom Martin (minor): guardian consent missing" in held
    assert "@lea_velo" in output  # Léa agreed to be tagged


def test_no_outbound_photo_carries_gps_although_the_camera_ones_did(
    demo_run: tuple[Path, int, str],
) -> None:
    folder, _, _ = demo_run
    assert sum(has_gps(p) for p in images(folder / "camera")) == 2
    sent = images(folder / "outbox")
    assert sent
    assert not [p for p in sent if has_gps(p)]
    assert not [p for p in images(folder / "media") if has_gps(p)]


def test_demo_takes_down_what_showed_lea(demo_run: tuple[Path, int, str]) -> None:
    folder, _, output = demo_run
    assert "Withdrew consent" in output
    assert output.count("deleted from") == 2
    for platform in ("x", "facebook"):
        texts = [p.read_text() for p in (folder / "outbox" / platform).rglob("*.json")]
        assert texts
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


def test_tokens_in_the_environment_never_reach_db_files_or_json_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in SENTINELS.items():
        monkeypatch.setenv(name, value)
    folder = tmp_path / "demo"
    runner = CliRunner()
    outputs = [runner.invoke(main, ["demo", "--workspace", str(folder)]).output]
    for args in (
        ["publish", "ev-2026-03", "--to", "x", "--dry-run", "--json"],
        ["log", "--json"],
        ["takedown", "--subject", "ana", "--json"],
    ):
        result = runner.invoke(main, [*args, "--workspace", str(folder)])
        outputs.append(result.output)
        if args[0] == "log":
            assert result.exit_code == 0, result.output
            assert json.loads(result.output)
    blobs = [*outputs]
    for path in folder.rglob("*"):
        if path.is_file():
            blobs.append(path.read_bytes().decode("utf-8", "replace"))
    for value in SENTINELS.values():
        assert not [b for b in blobs if value in b], value
