"""The installed distribution: its own name on the package index, its metadata, and a
README that still works once it is the project's page there."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import terrain
from terrain.plugins._manager import BUILTIN_DISTRIBUTION

ROOT = Path(__file__).parents[2]
DISTRIBUTION = "terrain-field"
#: Where the README's links point (the repository's address: a placeholder until confirmed).
REPOSITORY = "https://github.com/terrain-field/terrain"


def test_the_distribution_is_terrain_field_and_its_version_is_terrains() -> None:
    assert importlib.metadata.version(DISTRIBUTION) == terrain.__version__


def test_the_import_name_and_the_command_stay_terrain() -> None:
    dist = importlib.metadata.distribution(DISTRIBUTION)
    scripts = {ep.name: ep.value for ep in dist.entry_points if ep.group == "console_scripts"}
    assert scripts == {"terrain": "terrain.__main__:run"}


def test_the_built_in_plugins_distribution_is_the_one_that_ships_them() -> None:
    """``TERRAIN_LOAD_PLUGINS`` always keeps the built-ins: they are found by this name."""
    dist = importlib.metadata.distribution(BUILTIN_DISTRIBUTION)
    plugins = {ep.name: ep.value for ep in dist.entry_points if ep.group == "terrain"}
    assert plugins == {"terrain_adapters": "terrain_adapters.plugin"}


def test_metadata_has_the_project_urls_and_the_mit_licence() -> None:
    metadata = importlib.metadata.metadata(DISTRIBUTION)
    urls = dict(u.split(", ", 1) for u in metadata.get_all("Project-URL") or [])
    assert set(urls) == {"Homepage", "Documentation", "Changelog", "Issues"}
    assert all(url.startswith(REPOSITORY) for url in urls.values())
    assert metadata["License-Expression"] == "MIT"
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")


def test_only_user_facing_extras_are_published() -> None:
    """Development tools are dependency groups (PEP 735), never an extra users can pick."""
    extras = importlib.metadata.metadata(DISTRIBUTION).get_all("Provides-Extra") or []
    assert "dev" not in extras
    assert "docs" not in extras
    assert {"s3", "postgres"} <= set(extras)


def test_readme_links_are_absolute_and_point_at_files_of_the_repository() -> None:
    """The README is also the page on the package index, where relative links break."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    inline = re.findall(r"\]\(([^)\s]+)\)", text)
    references = re.findall(r"^\[[^\]]+\]:\s*(\S+)", text, flags=re.MULTILINE)
    links = inline + references
    assert links
    for link in links:
        assert re.match(r"https?://", link), f"README link {link!r} is relative"
        if link.startswith(f"{REPOSITORY}/blob/main/"):
            path = ROOT / link.removeprefix(f"{REPOSITORY}/blob/main/")
            assert path.is_file(), f"README links to {link}, but {path} does not exist"


def test_no_page_tells_users_to_install_the_other_projects_terrain() -> None:
    """``pip install terrain`` would install an unrelated project of the same name."""
    wrong = re.compile(r"pip install (?:-U |--upgrade )?['\"]?terrain(?![-\w])")
    pages = [ROOT / "README.md", *(ROOT / "docs").rglob("*.rst"), *(ROOT / "src").rglob("*.py")]
    found = [
        f"{page.relative_to(ROOT)}:{number}: {line.strip()}"
        for page in pages
        if "_build" not in page.parts
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1)
        if wrong.search(line)
    ]
    assert found == []
