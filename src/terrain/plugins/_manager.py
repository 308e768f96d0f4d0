"""Building a plugin manager: entry points, load errors, and the factory registries.

Nothing happens at import: :func:`get_plugin_manager` builds a fresh manager
each time it is called (no module-level singleton), like ``llm`` does but
later. A plugin that fails to import, registers a name another plugin already
took, or misspells a hook is reported in :attr:`PluginManager.load_errors`
(a :class:`~terrain.errors.PluginError` each, naming the plugin and what to
do); the other plugins keep working.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import inspect
import logging
import os
import re
import threading
from collections.abc import Mapping
from typing import Any, Literal, cast

import attrs
import pluggy

from terrain import hookspecs
from terrain.errors import NotFound, PluginError
from terrain.plugins._protocols import PlatformFactory, StorageFactory

__all__ = [
    "ENTRY_POINT_GROUP",
    "LOAD_PLUGINS_ENV_VAR",
    "MODULES_ENV_VAR",
    "PluginInfo",
    "PluginManager",
    "Registration",
    "get_plugin_manager",
]

#: The entry-point group plugins declare (``[project.entry-points.terrain]``).
ENTRY_POINT_GROUP = "terrain"

#: When set: a comma list of the distributions whose plugins load (empty = built-ins only).
LOAD_PLUGINS_ENV_VAR = "TERRAIN_LOAD_PLUGINS"

#: When set: a comma list of extra plugin *modules* to import and register, by
#: dotted name (``TERRAIN_PLUGINS=terrain.testing.http``), like pytest's
#: ``PYTEST_PLUGINS``: for worker processes and tests, without installing a package.
MODULES_ENV_VAR = "TERRAIN_PLUGINS"

#: The distribution whose entry point adds the built-in adapters (always loaded): the
#: one that ships ``terrain`` (its name on the package index; ``terrain`` is another project).
BUILTIN_DISTRIBUTION = "terrain-field"

log = logging.getLogger("terrain.plugins")

Kind = Literal["platform", "storage"]
_HOOKS: dict[Kind, str] = {
    "platform": "terrain_register_platforms",
    "storage": "terrain_register_storages",
}


@attrs.frozen
class PluginInfo:
    """A loaded plugin: its name, the distribution that ships it (``None`` when
    registered in code) and that distribution's version."""

    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None

    def describe(self) -> str:
        """``name`` with its distribution and version, for messages."""
        if self.distribution is None:
            return f"plugin {self.name!r}"
        return f"plugin {self.name!r} (distribution {self.distribution} {self.version})"


@attrs.frozen
class Registration:
    """A platform or storage factory, and the plugin that registered it."""

    kind: Kind
    name: str
    factory: Any
    plugin: PluginInfo


def _normalize(name: str) -> str:
    """PEP 503 normalisation: ``Terrain_Example.Platform`` → ``terrain-example-platform``."""
    return re.sub(r"[-_.]+", "-", name).lower()


class PluginManager(pluggy.PluginManager):
    """pluggy's manager with terrain's hooks, load errors and factory registries.

    Use :meth:`platforms` / :meth:`storages` to see every factory with the
    plugin that registered it, :meth:`platform_factory` /
    :meth:`storage_factory` to get one by name.
    """

    def __init__(self) -> None:
        super().__init__(hookspecs.PROJECT_NAME)
        self.add_hookspecs(hookspecs)
        self._infos: dict[str, PluginInfo] = {}
        self._load_errors: list[PluginError] = []
        self._registry_lock = threading.RLock()  # a plugin may ask the registry while registering
        self._registries: dict[Kind, tuple[dict[str, Registration], list[PluginError]]] = {}

    # -- registration ------------------------------------------------------------

    def register(self, plugin: object, name: str | None = None) -> str | None:
        """Register ``plugin`` (a module or object with hook implementations)."""
        registered = super().register(plugin, name)
        if registered is not None:
            self._infos.setdefault(registered, PluginInfo(name=registered))
        self._invalidate()
        return registered

    def unregister(self, plugin: object | None = None, name: str | None = None) -> Any:
        """Unregister ``plugin`` (or the plugin called ``name``)."""
        removed = super().unregister(plugin, name)
        self._invalidate()
        return removed

    def _invalidate(self) -> None:
        with self._registry_lock:
            self._registries.clear()

    def load_entrypoint_plugins(self, only: set[str] | None = None) -> None:
        """Load the ``terrain`` entry points; ``only`` limits them to these
        distributions (besides terrain's own). Failures go to :attr:`load_errors`."""
        for ep in sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name
        ):
            dist = ep.dist
            dist_name = dist.name if dist is not None else None
            version = dist.version if dist is not None else None
            if (
                only is not None
                and (dist_name is None or _normalize(dist_name) != BUILTIN_DISTRIBUTION)
                and (dist_name is None or _normalize(dist_name) not in only)
            ):
                continue
            info = PluginInfo(
                name=ep.name, distribution=dist_name, version=version, module=ep.value
            )
            if self.get_plugin(ep.name) is not None or self.is_blocked(ep.name):
                self._load_errors.append(
                    PluginError(
                        f"{info.describe()}: another plugin is already called {ep.name!r}; "
                        "rename its entry point or uninstall one of them"
                    )
                )
                continue
            try:
                plugin = ep.load()
            except Exception as exc:
                self._load_errors.append(
                    PluginError(
                        f"{info.describe()} failed to import ({ep.value}): "
                        f"{type(exc).__name__}: {exc}. Fix or upgrade it, uninstall it "
                        f"(pip uninstall {dist_name or ep.name}), or leave it out with "
                        f"{LOAD_PLUGINS_ENV_VAR}=<the plugins you want>"
                    )
                )
                continue
            self._infos[ep.name] = info
            try:
                self.register(plugin, name=ep.name)
            except (pluggy.PluginValidationError, ValueError) as exc:
                self._infos.pop(ep.name, None)
                self._load_errors.append(
                    PluginError(f"{info.describe()} cannot be registered: {exc}; fix its hooks")
                )
                continue
            self._load_errors.extend(self._hook_mistakes(ep.name, plugin))

    def load_module_plugins(self, names: str) -> None:
        """Import and register each module of the comma list ``names`` (the value
        of :data:`MODULES_ENV_VAR`); the plugin's name is the module's dotted
        name. Failures go to :attr:`load_errors`."""
        for name in dict.fromkeys(n.strip() for n in names.split(",") if n.strip()):
            info = PluginInfo(name=name, module=name)
            if self.get_plugin(name) is not None:
                continue  # already loaded (listed twice, or also an entry point)
            try:
                plugin = importlib.import_module(name)
            except Exception as exc:
                self._load_errors.append(
                    PluginError(
                        f"{info.describe()} (from {MODULES_ENV_VAR}) failed to import: "
                        f"{type(exc).__name__}: {exc}. Fix the module name in "
                        f"{MODULES_ENV_VAR} (a dotted module path such as "
                        "terrain.testing.http) or make the module importable"
                    )
                )
                continue
            self._infos[name] = info
            try:
                self.register(plugin, name=name)
            except (pluggy.PluginValidationError, ValueError) as exc:
                self._infos.pop(name, None)
                self._load_errors.append(
                    PluginError(f"{info.describe()} cannot be registered: {exc}; fix its hooks")
                )
                continue
            self._load_errors.extend(self._hook_mistakes(name, plugin))

    def _hook_mistakes(self, name: str, plugin: object) -> list[PluginError]:
        """Misspelled hooks and hooks missing ``@terrain.hookimpl`` in ``plugin``."""
        info = self.plugin_info(name)
        known = [n for n in dir(hookspecs) if n.startswith("terrain_")]
        errors: list[PluginError] = []
        for attr in dir(plugin):
            if not attr.startswith("terrain_"):
                continue
            try:
                value = getattr(plugin, attr)
            except Exception:  # a property that fails is not our business
                continue
            if not (inspect.isfunction(value) or inspect.ismethod(value)):
                continue
            marked = hasattr(value, hookspecs.PROJECT_NAME + "_impl")
            if attr not in known:
                close = difflib.get_close_matches(attr, known, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                errors.append(
                    PluginError(
                        f"{info.describe()} defines {attr!r}, which is no terrain hook; "
                        f"{hint}terrain's hooks are {', '.join(known)}"
                    )
                )
            elif not marked:
                errors.append(
                    PluginError(
                        f"{info.describe()} defines {attr!r} without @terrain.hookimpl, so "
                        "terrain never calls it; decorate it with @terrain.hookimpl"
                    )
                )
        return errors

    # -- what was loaded ---------------------------------------------------------

    @property
    def load_errors(self) -> list[PluginError]:
        """Every problem met while loading plugins and collecting their factories.

        Each is a :class:`~terrain.errors.PluginError` naming the plugin(s)
        and what to do. The plugins not named keep working.
        """
        errors = list(self._load_errors)
        for kind in _HOOKS:
            errors.extend(self._registry(kind)[1])
        return errors

    def plugin_info(self, name: str) -> PluginInfo:
        """What is known of the plugin registered as ``name``."""
        return self._infos.get(name, PluginInfo(name=name))

    def plugin_infos(self) -> list[PluginInfo]:
        """Every registered plugin, sorted by name."""
        return sorted(
            (self.plugin_info(name) for name, _ in self.list_name_plugin()),
            key=lambda i: i.name,
        )

    def check_pending(self) -> None:
        """Raise :class:`~terrain.errors.PluginError` if a plugin implements a
        hook terrain does not have (a misspelled hook), naming the plugin and
        the closest hook name."""
        errors: list[str] = []
        for name, plugin in self.list_name_plugin():
            errors.extend(
                str(e) for e in self._hook_mistakes(name, plugin) if "no terrain hook" in str(e)
            )
        try:
            super().check_pending()
        except pluggy.PluginValidationError as exc:
            if not errors:
                errors.append(f"{exc}; check the hook's name against terrain.hookspecs")
        if errors:
            raise PluginError("; ".join(errors))

    # -- registries --------------------------------------------------------------

    def _registry(self, kind: Kind) -> tuple[dict[str, Registration], list[PluginError]]:
        with self._registry_lock:
            cached = self._registries.get(kind)
            if cached is None:
                cached = self._collect(kind)
                self._registries[kind] = cached
            return cached

    def _collect(self, kind: Kind) -> tuple[dict[str, Registration], list[PluginError]]:
        caller = getattr(self.hook, _HOOKS[kind])
        found: dict[str, list[Registration]] = {}
        errors: list[PluginError] = []
        # Oldest plugin first, so the order of registration is the order of loading.
        for impl in reversed(caller.get_hookimpls()):
            info = self.plugin_info(impl.plugin_name)
            mine: list[Registration] = []

            def register(factory: Any, _info: PluginInfo = info, _mine: list[Any] = mine) -> None:
                name = getattr(factory, "name", None)
                if not isinstance(name, str) or not name.strip():
                    raise PluginError(
                        f"{_info.describe()} registered {factory!r} as a {kind}, which has no "
                        "`name`; give the factory a `name` string attribute"
                    )
                if not callable(factory):
                    raise PluginError(
                        f"{_info.describe()} registered {kind} {name!r} as {factory!r}, which "
                        "cannot be called; register a factory taking a context"
                    )
                _mine.append(Registration(kind, name, factory, _info))

            try:
                kwargs = {"register": register} if "register" in impl.argnames else {}
                impl.function(**kwargs)
            except Exception as exc:
                errors.append(
                    PluginError(
                        f"{info.describe()} failed in {_HOOKS[kind]}: {type(exc).__name__}: "
                        f"{exc}; its {kind}s are not available until it is fixed"
                    )
                    if not isinstance(exc, PluginError)
                    else exc
                )
                continue
            for registration in mine:
                found.setdefault(registration.name, []).append(registration)
        registry: dict[str, Registration] = {}
        for name, regs in sorted(found.items()):
            if len(regs) == 1:
                registry[name] = regs[0]
                continue
            who = " and ".join(r.plugin.describe() for r in regs)
            errors.append(
                PluginError(
                    f"{kind} name {name!r} is registered by {who}; terrain cannot tell which "
                    f"to use, so {name!r} is unavailable. Uninstall one, or choose the "
                    f"plugins to load with {LOAD_PLUGINS_ENV_VAR}"
                )
            )
        return registry, errors

    def platforms(self) -> dict[str, Registration]:
        """Every platform factory registered (without the duplicated names), by name."""
        return dict(self._registry("platform")[0])

    def storages(self) -> dict[str, Registration]:
        """Every storage factory registered (without the duplicated names), by name."""
        return dict(self._registry("storage")[0])

    def platform_factory(self, name: str) -> PlatformFactory:
        """The factory of platform ``name``; :class:`~terrain.errors.NotFound`
        listing the known names if nobody registered it (a
        :class:`~terrain.errors.PluginError` if two plugins did)."""
        return cast(PlatformFactory, self._factory("platform", name))

    def storage_factory(self, name: str) -> StorageFactory:
        """The factory of storage backend ``name`` (errors as :meth:`platform_factory`)."""
        return cast(StorageFactory, self._factory("storage", name))

    def _factory(self, kind: Kind, name: str) -> Any:
        registry, errors = self._registry(kind)
        found = registry.get(name)
        if found is not None:
            return found.factory
        for error in errors:
            if f"name {name!r} is registered by" in str(error):
                raise error
        known = ", ".join(sorted(registry)) or "none"
        raise NotFound(
            f"no {kind} called {name!r}; the installed plugins offer: {known}. Check the "
            "spelling, or install the plugin that adds it (`terrain plugins` lists them)"
        )


def get_plugin_manager(
    load_entrypoints: bool = True, *, environ: Mapping[str, str] | None = None
) -> PluginManager:
    """A new plugin manager with terrain's hooks (and, by default, the installed plugins).

    Each call builds a fresh manager; keep it as long as you need it.
    ``load_entrypoints=False`` gives an empty manager for tests, to which you
    ``register`` plugin objects. With :data:`LOAD_PLUGINS_ENV_VAR` (``TERRAIN_LOAD_PLUGINS``)
    set in ``environ`` (default ``os.environ``), only the distributions it
    lists load, besides terrain's own built-ins (``TERRAIN_LOAD_PLUGINS=``
    loads the built-ins only). :data:`MODULES_ENV_VAR` (``TERRAIN_PLUGINS``)
    names extra plugin modules to import and register as well (a comma list
    of dotted names), like pytest's ``PYTEST_PLUGINS``. Problems are in
    :attr:`PluginManager.load_errors`; they never raise here.
    """
    manager = PluginManager()
    if load_entrypoints:
        env = os.environ if environ is None else environ
        raw = env.get(LOAD_PLUGINS_ENV_VAR)
        only = None if raw is None else {_normalize(n.strip()) for n in raw.split(",") if n.strip()}
        manager.load_entrypoint_plugins(only)
        modules = env.get(MODULES_ENV_VAR)
        if modules:
            manager.load_module_plugins(modules)
    for error in manager.load_errors:
        log.warning("%s", error)
    return manager
