"""Finding platform and storage factories through the plugin manager."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from terrain.errors import ConfigError, NotFound

__all__ = ["find_factory", "known_names", "platform_factories", "unknown_name"]

Kind = Literal["platform", "storage"]


def _factories(
    kind: Kind, environ: Mapping[str, str], manager: Any = None
) -> tuple[Any, dict[str, Any]]:
    if manager is None:
        from terrain.plugins import get_plugin_manager

        manager = get_plugin_manager(environ=environ)
    registry = manager.platforms() if kind == "platform" else manager.storages()
    factories = {name: registration.factory for name, registration in registry.items()}
    return manager, factories


def platform_factories(environ: Mapping[str, str], manager: Any = None) -> dict[str, Any]:
    """Every platform factory the installed plugins register, by name (through
    ``manager``, else one manager built)."""
    return _factories("platform", environ, manager)[1]


def known_names(kind: Kind, environ: Mapping[str, str], manager: Any = None) -> list[str]:
    """The names of every platform (or storage backend) the installed plugins offer
    (through ``manager``, else a new plugin manager)."""
    return sorted(_factories(kind, environ, manager)[1])


def unknown_name(kind: Kind, name: str, known: Iterable[str], table: str | None = None) -> str:
    """The message for an unknown platform (or storage backend) ``name``: it is unknown,
    these are known, the closest one if any, and where it was written (``table``, when
    the name comes from terrain.toml)."""
    label = "storage backend" if kind == "storage" else kind
    names = sorted(set(known))
    import difflib

    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    where = f" (in {table} of terrain.toml)" if table else ""
    hint = f"did you mean {close[0]!r}? " if close else ""
    return (
        f"unknown {label} {name!r}{where}: known {label}s are "
        f"{', '.join(names) or 'none installed'}; {hint}fix the name, or install the plugin "
        "that adds it (`terrain plugins` lists them)"
    )


def find_factory(
    kind: Kind,
    name: str,
    environ: Mapping[str, str],
    table: str | None = None,
    *,
    also_known: Iterable[str] = (),
    manager: Any = None,
) -> Any:
    """The factory registered as ``name``; :class:`ConfigError` listing the known ones
    (and ``also_known``: names configured in terrain.toml) and suggesting the closest.

    ``table`` is where terrain.toml names ``name``, when it does. Two plugins
    registering ``name`` raise the manager's :class:`~terrain.errors.PluginError`,
    which names both.
    """
    manager, factories = _factories(kind, environ, manager)
    if name in factories:
        return factories[name]
    with contextlib.suppress(NotFound):  # raises PluginError when two plugins claim the name
        getattr(manager, f"{kind}_factory")(name)
    raise ConfigError(unknown_name(kind, name, [*factories, *also_known], table))
