"""terrain's public modules, and the rules about who imports what is private.

A *private module* is one whose dotted name has a part starting with ``_``
(``terrain.plugins._protocols``); it belongs to the package just above that
part (``terrain.plugins``), and only that package's modules import it. The
top-level helpers (``terrain._time``, ``terrain._validation``) belong to the
``terrain`` package as a whole: the built-in adapters, a package of their own
that works as any third-party plugin, use none of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tests.architecture.imports import SRC, Import, all_imports, modules

#: What the built-in adapters may import from terrain: the surface a third-party
#: plugin uses (plugins, posts, errors, secrets, the hook markers, the clock, the
#: converter, the media cleaning every file gets on its way out, and the regions a
#: face detector returns from ``terrain_detect_faces``).
PLUGIN_SURFACE = (
    "terrain.plugins",
    "terrain.hookspecs",
    "terrain.posts",
    "terrain.content",
    "terrain.errors",
    "terrain.secrets",
    "terrain.clock",
    "terrain.serialization",
    "terrain.media",
)

#: Public modules that are not part of the Python API reference: the command line
#: (its reference is generated from the commands) and ``python -m terrain``.
NOT_API = ("terrain.cli", "terrain.__main__", "terrain.testing.pytest_plugin")


def is_private(module: str) -> bool:
    return any(p.startswith("_") and not p.startswith("__") for p in module.split("."))


def owner_of(module: str) -> str | None:
    """The package a private module belongs to (``terrain.plugins`` for
    ``terrain.plugins._protocols``), ``None`` for a public module."""
    parts = module.split(".")
    for index, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:index])
    return None


def _inside(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def private_import_violations(imports: Iterable[Import]) -> list[str]:
    """Imports of another package's private module, one line each with its place."""
    found: list[str] = []
    for imp in imports:
        owner = owner_of(imp.target)
        if owner is None or _inside(imp.importer, owner):
            continue
        if any(line.startswith(f"{imp.where()}: ") for line in found):
            continue  # one line per statement
        found.append(
            f"{imp.where()}: {imp.importer} imports {imp.target}, private to {owner}: import "
            f"what it needs from {owner} (add it to {owner}'s __all__ if it is missing)"
        )
    return found


def adapter_violations(imports: Iterable[Import]) -> list[str]:
    """Imports by the built-in adapters of terrain modules outside the plugin surface."""
    found = []
    for imp in imports:
        if not imp.importer.startswith("terrain_adapters") or not imp.target.startswith("terrain."):
            continue
        if not any(_inside(imp.target, allowed) for allowed in PLUGIN_SURFACE):
            found.append(
                f"{imp.where()}: {imp.importer} imports {imp.target}: the built-in adapters "
                f"use only what a third-party plugin can ({', '.join(PLUGIN_SURFACE)})"
            )
    return found


def check(src: Path = SRC) -> list[str]:
    imports = all_imports(src)
    return private_import_violations(imports) + adapter_violations(imports)


def public_modules(src: Path = SRC) -> list[str]:
    """Every public module of the ``terrain`` package documented as Python API."""
    return sorted(
        name
        for name in modules(src)
        if _inside(name, "terrain")
        and not is_private(name)
        and not any(_inside(name, other) for other in NOT_API)
    )
