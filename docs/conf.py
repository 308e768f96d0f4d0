"""Sphinx configuration for terrain's documentation."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "_ext"))

project = "terrain"
author = "terrain developers"
copyright = "2026, terrain developers"
release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "sphinx_click",  # reference/cli.rst: generated from the click commands
    "sphinx_copybutton",  # a copy button on every code block
    "myst_parser",  # changelog.md includes the repository's CHANGELOG.md
    "terrain_api",  # docs/_ext: the table of terrain's own names, terrain.Name references
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
nitpicky = True  # every cross-reference must resolve (-W makes a dead one an error)
# Third-party objects no local inventory describes (the build has no network; only
# Python's inventory is kept in the repository). Nothing of terrain's own goes here.
nitpick_ignore = [
    # Hypothesis: the return type of every strategy of terrain.testing.strategies
    ("py:class", "hypothesis.strategies.SearchStrategy"),
    # pluggy: the base class of terrain.plugins.PluginManager, the markers'
    # docstrings (hookspec, hookimpl) and their private type variable
    ("py:class", "pluggy._manager.PluginManager"),
    ("py:meth", "pluggy.PluginManager.check_pending"),
    ("py:meth", "PluginManager.add_hookspecs"),
    ("py:class", "_F"),
    # cattrs: the type of terrain.serialization.converter
    ("py:class", "cattrs.converters.Converter"),
    # attrs: how a model is changed (concepts.rst)
    ("py:func", "attrs.evolve"),
    # Pillow: the picture a face detector receives (terrain.hookspecs.terrain_detect_faces)
    ("py:class", "PIL.Image.Image"),
]

html_theme = "furo"  # wide code blocks: long commands are not clipped
html_title = "terrain"
html_static_path = ["_static"]
exclude_patterns = ["_build", "_intersphinx", "_ext"]

# Copy the commands, not the prompts nor the output they print.
copybutton_prompt_text = r"\$ |>>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True
copybutton_line_continuation_character = "\\"

myst_heading_anchors = 3


def _public_bases(app: object, name: str, obj: object, options: object, bases: list[type]) -> None:
    """Show a class's public bases only: a private base (``_PostWithReason``) is replaced
    by its own bases, so no "Bases:" line points into a private module."""
    i = 0
    while i < len(bases):
        base = bases[i]
        if getattr(base, "__name__", "").startswith("_"):
            bases[i : i + 1] = [b for b in base.__bases__ if b is not object]
        else:
            i += 1


def setup(app: Any) -> None:
    """Sphinx's hook for this project's own tweaks."""
    app.connect("autodoc-process-bases", _public_bases)
