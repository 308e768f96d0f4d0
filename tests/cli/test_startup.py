"""What a command pays before its own work: the modules it imports, the plugins it
loads, the statements that open the workspace.

Every ``terrain`` command is a fresh process; what it imports and does before
its own work is paid on every run (``benchmarks/bench_workspace.py`` measures
it against ``terrain --help``). These tests keep each saving: a command runs in
a new interpreter and reports what it imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Run, ok

_REPORT = """
import json, sys
from terrain.cli import main
out, args = sys.argv[1], sys.argv[2:]
try:
    main(args, prog_name="terrain")
except SystemExit as exc:
    code = exc.code
with open(out, "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules)}, f)
"""


def _imported(tmp_path: Path, *args: str) -> set[str]:
    """The modules ``terrain ARGS`` imported, run in a new interpreter (it must succeed)."""
    report = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", _REPORT, str(report), *args],
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("TERRAIN_")},
             "TERRAIN_NOW": "2026-11-20T21:00:00+00:00"},
    )
    found = json.loads(report.read_text())
    assert found["code"] in (0, None), done.stderr
    return set(found["modules"])


def _heavy(modules: set[str], names: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m in names or m.startswith(tuple(f"{n}." for n in names)))


@pytest.fixture
def members(run: Run, workspace: Path) -> Path:
    ok(run, workspace, "member", "add", "lea", "--name", "Léa Martin")
    return workspace


#: What reading terrain.toml and opening the store never needs: the models of photos,
#: meetups and consent records, media code, the plugins (and their entry points).
NOT_FOR_OPENING = (
    "terrain.content",
    "terrain.media",
    "terrain.events._models",
    "terrain.consent._records",
    "terrain.consent._state",
    "terrain.posts",
    "terrain.plugins",
    "pluggy",
    "importlib.metadata",
    "shutil",
    "difflib",
    "hashlib",
    "click.shell_completion",
    "terrain.store._history",  # a change is recorded or read (history, a write)
    "terrain.store._references",  # what relies on a record (remove)
)


def test_listing_members_imports_no_model_media_or_plugin_code(
    tmp_path: Path, members: Path
) -> None:
    modules = _imported(tmp_path, "member", "list", "--workspace", str(members))
    assert "terrain.store._config" in modules  # it did open the workspace
    assert _heavy(modules, NOT_FOR_OPENING) == []


def test_recording_a_consent_for_every_platform_loads_no_plugin(
    tmp_path: Path, members: Path
) -> None:
    """Only the names given are checked against the platforms the plugins register:
    without ``--platform`` there is nothing to check, so no plugin is loaded."""
    modules = _imported(
        tmp_path,
        "consent", "grant", "lea", "--purpose", "publish", "--witness", "Camille",
        "--workspace", str(members),
    )  # fmt: skip
    assert "terrain.consent._ledger" in modules  # it did record the consent
    assert _heavy(modules, ("pluggy", "importlib.metadata", "terrain.plugins", "terrain.posts",
                            "terrain.content", "terrain.media", "hashlib",
                            "terrain.store._history", "terrain.store._references")) == []


def test_recording_a_consent_next_to_scoped_ones_loads_no_openssl(
    tmp_path: Path, run: Run, members: Path
) -> None:
    """A person's records scoped to a meetup are read from their stored peek, whose
    digest is BLAKE2b: computed by CPython's own module, not through hashlib (which
    loads OpenSSL)."""
    ok(run, members, "consent", "grant", "lea", "--purpose", "publish", "--witness", "C",
       "--event", "ev-1")
    modules = _imported(
        tmp_path,
        "consent", "grant", "lea", "--purpose", "tag", "--witness", "Camille",
        "--workspace", str(members),
    )  # fmt: skip
    assert "_blake2" in modules  # it did check the peek of the scoped record
    assert _heavy(modules, ("hashlib", "_hashlib")) == []


def test_recording_a_consent_for_a_named_platform_still_asks_the_plugins(
    tmp_path: Path, members: Path
) -> None:
    modules = _imported(
        tmp_path,
        "consent", "grant", "lea", "--purpose", "publish", "--witness", "Camille",
        "--platform", "outbox", "--workspace", str(members),
    )  # fmt: skip
    assert "pluggy" in modules


def test_withdrawing_every_platform_loads_no_plugin(tmp_path: Path, run: Run,
                                                    members: Path) -> None:
    ok(run, members, "consent", "grant", "lea", "--purpose", "publish", "--witness", "C")
    modules = _imported(tmp_path, "consent", "withdraw", "lea", "--workspace", str(members))
    assert _heavy(modules, ("pluggy", "importlib.metadata", "terrain.plugins")) == []


def test_help_imports_no_logging_toml_or_secrets_file_code(tmp_path: Path) -> None:
    """``terrain --help`` masks what it prints (:mod:`terrain._redact`) without the
    rest of :mod:`terrain.secrets`: no logging, no TOML reader."""
    modules = _imported(tmp_path, "--help")
    assert "terrain._redact" in modules  # what it printed was masked
    assert _heavy(modules, ("logging", "tomllib", "terrain.secrets", "terrain.store",
                            "attrs", "cattrs")) == []


def test_the_log_imports_no_content_model_or_consent_record(
    tmp_path: Path, run: Run, members: Path
) -> None:
    """``terrain log`` reads journal rows (posts, whose blurs are regions) and the
    decisions about them (which name purposes): no content model, no consent record."""
    modules = _imported(tmp_path, "log", "--limit", "50", "--workspace", str(members))
    assert "terrain.workflows._log" in modules  # it did read the log
    assert {"terrain.posts", "terrain._region", "terrain.consent._purpose"} <= modules
    assert _heavy(modules, ("terrain.content", "terrain.consent._records",
                            "terrain.store._history", "terrain.store._references",
                            "pluggy", "importlib.metadata")) == []


_PROGRAM = """
import atexit, gc, json, sys
from terrain.__main__ import run  # as the console script does first
out, args = sys.argv[1], sys.argv[2:]
before_verb = []  # one entry per collection started before the verb's module was imported
gc.callbacks.append(lambda phase, info: phase == "start"
                    and "terrain.cli._member" not in sys.modules and before_verb.append(1))
def report():
    with open(out, "w") as f:
        json.dump({"enabled": gc.isenabled(), "frozen": gc.get_freeze_count(),
                   "collections_before_verb": len(before_verb)}, f)
atexit.register(report)
sys.argv = ["terrain", *args]
run()
"""


def test_the_program_starts_without_collecting_and_runs_the_command_with_the_collector_on(
    tmp_path: Path, members: Path
) -> None:
    """``terrain`` (the console script, ``python -m terrain``) pauses the garbage
    collector while it imports, then freezes what start-up made and turns it back on
    before the command runs: a long command (a worker) collects as any program does."""
    report = tmp_path / "gc.json"
    done = subprocess.run(
        [sys.executable, "-c", _PROGRAM, str(report), "member", "list", "--workspace",
         str(members)],
        capture_output=True, text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("TERRAIN_")},
             "TERRAIN_NOW": "2026-11-20T21:00:00+00:00"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "lea" in done.stdout  # the command ran
    found = json.loads(report.read_text())
    assert found["collections_before_verb"] == 0
    assert found["enabled"] is True
    assert found["frozen"] > 1000  # start-up's modules, classes and functions


def test_calling_main_in_process_leaves_the_collector_as_it_was(
    run: Run, members: Path
) -> None:
    import gc

    frozen = gc.get_freeze_count()
    ok(run, members, "member", "list")
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_listing_consents_reads_no_log_and_decodes_no_record(
    tmp_path: Path, run: Run, members: Path
) -> None:
    """``terrain consent list`` reads the stored timelines: no ledger, no consent
    record model, no timeline code, no hash code, no plugin."""
    ok(run, members, "consent", "grant", "lea", "--purpose", "publish", "--witness", "C")
    modules = _imported(tmp_path, "consent", "list", "--workspace", str(members))
    assert "terrain.store._timelines" in modules  # it did list
    assert _heavy(modules, ("terrain.consent._ledger", "terrain.consent._records",
                            "terrain.consent._timeline", "hashlib", "pluggy",
                            "terrain.plugins", "terrain.posts", "terrain.content")) == []


_BUILT = """
import json, sys
from terrain.cli import main
out, args = sys.argv[1], sys.argv[2:]
try:
    main(args, prog_name="terrain")
except SystemExit as exc:
    code = exc.code
from terrain.cli._consent import command
with open(out, "w") as f:
    json.dump({"code": code, "modules": sorted(sys.modules), "built": sorted(command.built)}, f)
"""


def _consent_built(tmp_path: Path, *args: str) -> tuple[list[str], set[str]]:
    """The ``terrain consent`` subcommands ``terrain ARGS`` built, and the modules it
    imported (run in a new interpreter; it must succeed)."""
    report = tmp_path / "built.json"
    done = subprocess.run(
        [sys.executable, "-c", _BUILT, str(report), *args],
        capture_output=True,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("TERRAIN_")},
             "TERRAIN_NOW": "2026-11-20T21:00:00+00:00"},
    )
    found = json.loads(report.read_text())
    assert found["code"] in (0, None), done.stderr
    return found["built"], set(found["modules"])


def test_a_consent_subcommand_builds_only_itself(tmp_path: Path, members: Path) -> None:
    """``terrain consent grant`` makes its own options, not those of the five other
    subcommands, and imports nothing of ``consent import``; ``terrain consent --help``
    lists them all."""
    built, modules = _consent_built(
        tmp_path,
        "consent", "grant", "lea", "--purpose", "publish", "--witness", "Camille",
        "--workspace", str(members),
    )  # fmt: skip
    assert built == ["grant"]
    assert "terrain.cli._importing" not in modules
    built, modules = _consent_built(tmp_path, "consent", "list", "--workspace", str(members))
    assert built == ["list"]
    assert "terrain.cli._importing" not in modules
    built, _ = _consent_built(tmp_path, "consent", "--help")
    assert built == ["check", "grant", "import", "list", "refuse", "withdraw"]


def test_listing_consents_as_text_builds_no_row_and_imports_no_converter(
    tmp_path: Path, run: Run, members: Path
) -> None:
    """The text of ``terrain consent list`` is made by the store's SQL from the stored
    timelines: no listed row (:class:`~terrain.consent.ListedConsent`), no cattrs;
    ``--json`` reads the records, as plain data."""
    ok(run, members, "consent", "grant", "lea", "--purpose", "publish", "--witness", "C")
    ok(run, members, "consent", "list")  # the timeline is stored: the next run only reads
    modules = _imported(tmp_path, "consent", "list", "--workspace", str(members))
    assert "terrain.store._timelines" in modules  # it did list
    assert _heavy(modules, ("terrain.consent._listing", "cattrs", "terrain.serialization")) == []
    as_json = _imported(tmp_path, "consent", "list", "--json", "--workspace", str(members))
    assert "terrain.consent._listing" in as_json


def test_listing_contents_builds_no_event_consent_or_media_model(
    tmp_path: Path, members: Path
) -> None:
    """``terrain content list`` reads the content index: the event models only for
    ``--event``, no consent or media code, no plugin."""
    modules = _imported(tmp_path, "content", "list", "--workspace", str(members))
    assert "terrain.cli._content" in modules  # it did list
    assert _heavy(modules, ("terrain.events._models", "terrain.consent._ledger",
                            "terrain.consent._records", "terrain.media", "pluggy",
                            "terrain.plugins", "terrain.posts")) == []


def test_listing_contents_imports_no_converter(
    tmp_path: Path, members: Path, run: Run
) -> None:
    """``terrain content list`` of contents terrain stored prints the lines the store
    keeps in the content index: no record is read, so no converter (cattrs) is
    imported, no content model is built, and no JSON is decoded or hashed (the
    database says which listings are stale: migration 18)."""
    from terrain.store import Workspace
    from tests._photos import reviewed_photo

    with Workspace.open(members) as ws:
        ws.add(reviewed_photo("p1", "lea"))
    assert ok(run, members, "content", "list").splitlines() == [
        "p1                   photo  reviewed   lea  "]
    modules = _imported(tmp_path, "content", "list", "--workspace", str(members))
    assert "terrain.cli._content" in modules  # it did list
    assert _heavy(modules, ("cattrs", "terrain.serialization", "terrain.content", "orjson",
                            "_blake2")) == []


_CACHED = """
import atexit, json, sys
from terrain.__main__ import run  # as the console script does
out, args = sys.argv[1], sys.argv[2:]
def report():
    kept = vars(sys.modules["attr._make"]).get("compile") if "attr._make" in sys.modules else None
    cache = getattr(kept, "__self__", None)
    with open(out, "w") as f:
        json.dump({"modules": sorted(sys.modules), "widths": getattr(cache, "widths", None),
                   "hits": getattr(cache, "hits", None), "misses": getattr(cache, "misses", None),
                   "cattrs": "compile" in vars(sys.modules.get("cattrs.gen", sys))}, f)
atexit.register(report)
sys.argv = ["terrain", *args]
run()
"""


def _program(tmp_path: Path, cache: str, *args: str) -> dict[str, object]:
    """What ``terrain ARGS`` (the program, as the console script runs it) imported and
    how its code cache answered, with ``TERRAIN_CODE_CACHE=cache``."""
    report = tmp_path / "cache.json"
    done = subprocess.run(
        [sys.executable, "-c", _CACHED, str(report), *args],
        capture_output=True, text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("TERRAIN_")},
             "TERRAIN_NOW": "2026-11-20T21:00:00+00:00", "TERRAIN_CODE_CACHE": cache},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(report.read_text())
    return found


@pytest.mark.parametrize("args", [
    ("community", "core"),
    ("consent", "grant", "lea", "--purpose", "publish", "--witness", "Camille"),
])  # fmt: skip
def test_the_next_command_reads_the_code_of_its_classes_from_the_cache(
    tmp_path: Path, members: Path, args: tuple[str, ...]
) -> None:
    """The first run compiles the code attrs and cattrs generate and keeps it; the next
    compiles none of it (the per-process number of each ``__hash__`` included, but for
    one of a rare width, compiled once: one time in 10,000)."""
    cache = tmp_path / "code"
    first = _program(tmp_path, str(cache), *args, "--workspace", str(members))
    assert first["misses"]
    assert first["cattrs"] is ("cattrs.gen" in first["modules"])  # type: ignore[operator]
    second = _program(tmp_path, str(cache), *args, "--workspace", str(members))
    assert second["misses"] == 0
    assert second["hits"] + second["widths"] == first["hits"] + first["misses"]  # type: ignore[operator]


def test_help_sets_up_no_code_cache(tmp_path: Path) -> None:
    """``terrain --help`` builds no class: it imports no cache and makes no folder."""
    cache = tmp_path / "code"
    found = _program(tmp_path, str(cache), "--help")
    assert "terrain._codecache" not in found["modules"]  # type: ignore[operator]
    assert not cache.exists()


def test_an_empty_code_cache_setting_compiles_as_python_does(
    tmp_path: Path, members: Path
) -> None:
    found = _program(tmp_path, "", "community", "core", "--workspace", str(members))
    assert found["hits"] is None
    assert found["cattrs"] is False
    assert not (tmp_path / "code").exists()


def test_the_core_builds_no_engagement_introduction_forecast_agenda_or_finding_class(
    tmp_path: Path, run: Run, members: Path
) -> None:
    """``terrain community core`` reads the meetups and their check-ins: it builds
    the core, not the engagement score, the co-attendance graph and introductions,
    the attendance forecast and venue suggestions, a running order nor the format
    check's findings (each in a module of its own, imported by the commands that use
    it; the settings hold the format's rules, which are built)."""
    ok(run, members, "event", "add", "ev-12", "--title", "Vélo & ville #12",
       "--starts", "2026-03-12 19:00", "--ends", "2026-03-12 22:00")  # fmt: skip
    ok(run, members, "rsvp", "ev-12", "lea", "going", "--at", "2026-03-01 10:00")
    ok(run, members, "checkin", "ev-12", "lea", "--at", "2026-03-12 19:05")
    assert "Léa Martin (lea)" in ok(run, members, "community", "core", "-k", "1")
    modules = _imported(tmp_path, "community", "core", "-k", "1", "--workspace", str(members))
    assert {"terrain.community._core", "terrain.events._attendance",
            "terrain.events._rules"} <= modules  # it did count, and read the settings
    assert _heavy(modules, ("terrain.community._engagement", "terrain.community._links",
                            "terrain.events._forecast", "terrain.events._agenda",
                            "terrain.events._format")) == []
