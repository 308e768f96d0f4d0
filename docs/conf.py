"""Sphinx configuration for terrain's documentation."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

project = "terrain"
author = "terrain developers"
copyright = "2026, terrain developers"
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "sphinx_click",  # reference/cli.rst: generated from the click commands
    "sphinx_copybutton",  # a copy button on every code block
    "myst_parser",  # changelog.md includes the repository's CHANGELOG.md
]
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

# Python's objects come from an inventory kept in the repository, so that the build
# never needs the network (CI has none): docs/_intersphinx/python-3.11.inv is the
# objects.inv of Python 3.11's documentation (Debian's python3.11-doc package, or
# https://docs.python.org/3.11/objects.inv); replace it when the oldest supported
# Python changes.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {
    "python": ("https://docs.python.org/3.11", "_intersphinx/python-3.11.inv"),
}
intersphinx_timeout = 5
nitpicky = False

html_theme = "furo"  # wide code blocks: long commands are not clipped
html_title = "terrain"
html_static_path = ["_static"]
exclude_patterns = ["_build", "_intersphinx"]

# Copy the commands, not the prompts nor the output they print.
copybutton_prompt_text = r"\$ |>>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_line_continuation_character = "\\"

myst_heading_anchors = 3
