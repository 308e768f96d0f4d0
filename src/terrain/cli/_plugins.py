"""``terrain plugins``: which plugins are loaded, what they add, and what failed to load."""

from __future__ import annotations

from typing import Any

import click

from terrain.cli._common import EXIT_FAILED, emit, json_option

__all__ = ["command", "report"]


def report() -> dict[str, Any]:
    """The loaded plugins with their platforms and storages, and the load errors."""
    from terrain.plugins import get_plugin_manager

    manager = get_plugin_manager()
    platforms = manager.platforms()
    storages = manager.storages()
    errors = [str(e) for e in manager.load_errors]
    plugins = [
        {
            "name": info.name,
            "distribution": info.distribution,
            "version": info.version,
            "module": info.module,
            "platforms": sorted(n for n, r in platforms.items() if r.plugin.name == info.name),
            "storages": sorted(n for n, r in storages.items() if r.plugin.name == info.name),
        }
        for info in manager.plugin_infos()
    ]
    return {"plugins": plugins, "errors": errors}


@click.command("plugins")
@json_option
def command(as_json: bool) -> None:
    """List the loaded plugins, the platforms and storages they add, and load errors.

    Exits with 1 when a plugin failed to load (the others still work).
    TERRAIN_LOAD_PLUGINS (a comma list of distributions; empty for the
    built-ins only) chooses which plugins load.
    """
    data = report()

    def human() -> None:
        for plugin in data["plugins"]:
            origin = (
                f"{plugin['distribution']} {plugin['version']}"
                if plugin["distribution"]
                else "registered in code"
            )
            click.echo(f"{plugin['name']} ({origin})")
            click.echo(f"  platforms: {', '.join(plugin['platforms']) or '-'}")
            click.echo(f"  storages:  {', '.join(plugin['storages']) or '-'}")
        if not data["plugins"]:
            click.echo("No plugin loaded.")
        for error in data["errors"]:
            click.echo(f"Error: {error}", err=True)

    emit(data, as_json=as_json, human=human)
    if data["errors"]:
        raise SystemExit(EXIT_FAILED)
