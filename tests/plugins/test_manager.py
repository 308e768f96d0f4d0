"""Loading plugins: entry points, TERRAIN_LOAD_PLUGINS, and broken plugins that do not
take the others down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import terrain
from terrain.errors import NotFound, PluginError
from terrain.plugins import PlatformContext, PluginManager, get_plugin_manager
from tests.plugins.conftest import JOURNAL_PLUGIN, MakeDist

ONLY_BUILTINS = {"TERRAIN_LOAD_PLUGINS": ""}


def messages(manager: PluginManager) -> str:
    return "\n".join(str(e) for e in manager.load_errors)


def test_built_in_adapters_come_in_through_the_entry_point() -> None:
    manager = get_plugin_manager(environ=ONLY_BUILTINS)
    assert manager.load_errors == []
    assert {"outbox"} <= set(manager.platforms())
    assert "filesystem" in manager.storages()
    registration = manager.platforms()["outbox"]
    assert registration.plugin.name == "terrain_adapters"
    assert registration.plugin.distribution == "terrain-field"
    assert registration.plugin.version == terrain.__version__


def test_every_call_builds_a_new_manager() -> None:
    assert get_plugin_manager(environ=ONLY_BUILTINS) is not get_plugin_manager(
        environ=ONLY_BUILTINS
    )


def test_without_entry_points_nothing_is_loaded() -> None:
    manager = get_plugin_manager(load_entrypoints=False)
    assert manager.plugin_infos() == []
    assert manager.platforms() == {}


def test_a_third_party_platform_is_found_with_its_plugin_and_version(
    make_dist: MakeDist, tmp_path: Path
) -> None:
    make_dist(
        "terrain-journal",
        "2.3",
        modules={"terrain_journal": JOURNAL_PLUGIN},
        entry_points={"journal": "terrain_journal"},
    )
    manager = get_plugin_manager(environ={})
    assert manager.load_errors == []
    journal = manager.platforms()["journal"]
    assert (journal.plugin.name, journal.plugin.distribution, journal.plugin.version) == (
        "journal",
        "terrain-journal",
        "2.3",
    )
    platform = manager.platform_factory("journal")(PlatformContext(root=tmp_path))
    assert platform.name == "journal"


def test_load_plugins_variable_limits_loading_to_the_listed_distributions(
    make_dist: MakeDist,
) -> None:
    make_dist(
        "terrain-journal",
        modules={"terrain_journal": JOURNAL_PLUGIN},
        entry_points={"journal": "terrain_journal"},
    )
    only_builtins = get_plugin_manager(environ=ONLY_BUILTINS)
    assert "journal" not in only_builtins.platforms()
    assert "outbox" in only_builtins.platforms()
    listed = get_plugin_manager(environ={"TERRAIN_LOAD_PLUGINS": " Terrain_Journal , other"})
    assert {"journal", "outbox"} <= set(listed.platforms())


def test_a_plugin_that_fails_to_import_is_named_and_the_others_still_work(
    make_dist: MakeDist,
) -> None:
    make_dist(
        "terrain-broken",
        "0.1",
        modules={"terrain_broken": "import a_module_nobody_installed\n"},
        entry_points={"broken": "terrain_broken"},
    )
    make_dist(
        "terrain-journal",
        modules={"terrain_journal": JOURNAL_PLUGIN},
        entry_points={"journal": "terrain_journal"},
    )
    manager = get_plugin_manager(environ={})
    text = messages(manager)
    assert "plugin 'broken' (distribution terrain-broken 0.1) failed to import" in text
    assert "a_module_nobody_installed" in text
    assert "pip uninstall terrain-broken" in text
    assert "TERRAIN_LOAD_PLUGINS" in text
    assert {"journal", "outbox"} <= set(manager.platforms())


def test_two_plugins_registering_one_name_are_both_named_and_the_name_is_unavailable(
    make_dist: MakeDist,
) -> None:
    make_dist(
        "terrain-journal",
        modules={"terrain_journal": JOURNAL_PLUGIN},
        entry_points={"journal": "terrain_journal"},
    )
    make_dist(
        "terrain-journal-fork",
        "9.9",
        modules={"terrain_journal_fork": JOURNAL_PLUGIN},
        entry_points={"journal_fork": "terrain_journal_fork"},
    )
    manager = get_plugin_manager(environ={})
    text = messages(manager)
    assert "platform name 'journal' is registered by" in text
    assert "terrain-journal 1.0" in text
    assert "terrain-journal-fork 9.9" in text
    assert "Uninstall one" in text
    with pytest.raises(PluginError, match="registered by"):
        manager.platform_factory("journal")
    assert "outbox" in manager.platforms()


def test_a_misspelled_hook_is_reported_with_the_right_name(make_dist: MakeDist) -> None:
    make_dist(
        "terrain-typo",
        modules={
            "terrain_typo": """
                import terrain

                @terrain.hookimpl
                def terrain_register_platform(register):
                    pass
            """
        },
        entry_points={"typo": "terrain_typo"},
    )
    manager = get_plugin_manager(environ={})
    assert "did you mean 'terrain_register_platforms'" in messages(manager)
    with pytest.raises(PluginError, match="terrain_register_platform'"):
        manager.check_pending()
    assert "outbox" in manager.platforms()


def test_a_hook_without_the_marker_is_reported(make_dist: MakeDist) -> None:
    make_dist(
        "terrain-unmarked",
        modules={"terrain_unmarked": "def terrain_after_publish(receipt):\n    pass\n"},
        entry_points={"unmarked": "terrain_unmarked"},
    )
    text = messages(get_plugin_manager(environ={}))
    assert "'terrain_after_publish' without @terrain.hookimpl" in text


def test_check_pending_passes_for_the_built_ins() -> None:
    get_plugin_manager(environ=ONLY_BUILTINS).check_pending()


def test_a_hook_with_arguments_terrain_does_not_pass_cannot_register(
    make_dist: MakeDist,
) -> None:
    make_dist(
        "terrain-greedy",
        modules={
            "terrain_greedy": """
                import terrain

                @terrain.hookimpl
                def terrain_after_publish(receipt, mood):
                    pass
            """
        },
        entry_points={"greedy": "terrain_greedy"},
    )
    manager = get_plugin_manager(environ={})
    assert "plugin 'greedy' (distribution terrain-greedy 1.0) cannot be registered" in (
        messages(manager)
    )
    assert "greedy" not in {i.name for i in manager.plugin_infos()}


class Plugin:
    def __init__(self, **factories: Any) -> None:
        self.factories = factories

    @terrain.hookimpl
    def terrain_register_platforms(self, register: Any) -> None:
        for factory in self.factories.values():
            register(factory)


class Named:
    def __init__(self, name: object) -> None:
        self.name = name

    def __call__(self, context: PlatformContext) -> Any:
        raise AssertionError("never built here")


def test_a_factory_without_a_name_is_refused_naming_the_plugin() -> None:
    manager = get_plugin_manager(load_entrypoints=False)
    manager.register(Plugin(a=Named("")), name="nameless")
    manager.register(Plugin(b=Named("fine")), name="good")
    text = messages(manager)
    assert "plugin 'nameless' registered" in text
    assert "give the factory a `name`" in text
    assert list(manager.platforms()) == ["fine"]


def test_a_register_hook_that_raises_only_loses_its_own_platforms() -> None:
    class Exploding:
        @terrain.hookimpl
        def terrain_register_platforms(self, register: Any) -> None:
            register(Named("half"))
            raise RuntimeError("config file missing")

    manager = get_plugin_manager(load_entrypoints=False)
    manager.register(Exploding(), name="exploding")
    manager.register(Plugin(b=Named("fine")), name="good")
    assert "plugin 'exploding' failed in terrain_register_platforms" in messages(manager)
    assert "config file missing" in messages(manager)
    assert list(manager.platforms()) == ["fine"]


def test_an_unknown_platform_lists_the_known_ones() -> None:
    manager = get_plugin_manager(environ=ONLY_BUILTINS)
    with pytest.raises(NotFound, match=r"offer: .*outbox") as caught:
        manager.platform_factory("myspace")
    assert "`terrain plugins`" in str(caught.value)
    with pytest.raises(NotFound, match=r"offer: .*filesystem"):
        manager.storage_factory("dropbox")


def test_registries_follow_registration_and_unregistration() -> None:
    manager = get_plugin_manager(load_entrypoints=False)
    plugin = Plugin(a=Named("late"))
    manager.register(plugin, name="late")
    assert "late" in manager.platforms()
    manager.unregister(plugin)
    assert manager.platforms() == {}


def test_two_distributions_using_one_plugin_name_load_one_and_name_the_other(
    make_dist: MakeDist,
) -> None:
    make_dist(
        "terrain-journal",
        modules={"terrain_journal": JOURNAL_PLUGIN},
        entry_points={"journal": "terrain_journal"},
    )
    make_dist(
        "terrain-other-journal",
        "3.0",
        modules={"terrain_other_journal": JOURNAL_PLUGIN},
        entry_points={"journal": "terrain_other_journal"},
    )
    manager = get_plugin_manager(environ={})
    assert "another plugin is already called 'journal'" in messages(manager)
    assert "rename its entry point or uninstall one" in messages(manager)
    assert [i.name for i in manager.plugin_infos()].count("journal") == 1
    assert "journal" in manager.platforms()


def test_load_errors_are_logged_when_the_manager_is_built(
    make_dist: MakeDist, caplog: pytest.LogCaptureFixture
) -> None:
    make_dist(
        "terrain-broken",
        modules={"terrain_broken": "import a_module_nobody_installed\n"},
        entry_points={"broken": "terrain_broken"},
    )
    with caplog.at_level("WARNING", logger="terrain.plugins"):
        get_plugin_manager(environ={})
    assert any("plugin 'broken'" in r.getMessage() for r in caplog.records)
