"""The documentation builds offline (CI has no network) and its copy button copies commands."""

from __future__ import annotations

import re
import runpy
from pathlib import Path
from typing import Any

DOCS = Path(__file__).parents[2] / "docs"


def conf() -> dict[str, Any]:
    return runpy.run_path(str(DOCS / "conf.py"))


def test_every_intersphinx_inventory_is_a_file_of_the_repository() -> None:
    mapping = conf()["intersphinx_mapping"]
    assert "python" in mapping
    for name, (_url, inventory) in mapping.items():
        assert inventory is not None, f"{name}: the inventory would be downloaded"
        path = DOCS / inventory
        assert path.is_file(), f"{name}: {path} is missing"
        assert path.read_bytes().startswith(b"# Sphinx inventory version 2")


def test_the_copy_button_strips_shell_and_python_prompts() -> None:
    settings = conf()
    assert settings["copybutton_prompt_is_regexp"] is True
    prompt = re.compile(settings["copybutton_prompt_text"])
    assert prompt.sub("", "$ terrain demo", count=1) == "terrain demo"
    assert prompt.sub("", ">>> import terrain", count=1) == "import terrain"
    assert prompt.match("Published 2 posts") is None  # output lines are not copied


def test_the_changelog_page_shows_the_changelog_at_the_root() -> None:
    assert "{include} ../CHANGELOG.md" in (DOCS / "changelog.md").read_text(encoding="utf-8")
    assert "changelog" in (DOCS / "index.rst").read_text(encoding="utf-8")
