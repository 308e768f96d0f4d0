"""The test suite's own machinery (tests/conftest.py): what makes `make test` fast must
not change what it runs."""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest

from terrain.store import Database
from terrain.store._schema import MIGRATIONS, latest_version
from tests import conftest, pg
from tests.conftest import _STARTED, LONG_FIRST, result, start_once

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", LONG_FIRST)
def test_every_file_the_suite_starts_with_exists(path: str) -> None:
    """A renamed file would silently lose its place at the front of the run."""
    assert (ROOT / path).is_file(), f"{path} is in LONG_FIRST but is no file: update the list"


def test_the_long_files_run_first_and_every_test_still_runs(request: pytest.FixtureRequest) -> None:
    """Reordering moves tests, it drops none: the session holds each collected test once."""
    items = request.session.items
    assert len({item.nodeid for item in items}) == len(items)
    ranks = [
        LONG_FIRST.index(p) if (p := i.nodeid.split("::")[0]) in LONG_FIRST else None for i in items
    ]
    seen = [r for r in ranks if r is not None]
    assert seen == sorted(seen), "the long files are not in LONG_FIRST's order"
    if seen:  # a run of a few files may hold none of them
        first_other = next((n for n, r in enumerate(ranks) if r is None), len(ranks))
        assert all(r is None for r in ranks[first_other:]), "a long file runs after the rest"


def test_a_command_started_by_several_runs_once_and_its_output_is_read(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    name = f"once-{uuid.uuid4().hex}"

    def command(folder: Path) -> list[str]:
        code = "import pathlib, sys; p = pathlib.Path(sys.argv[1]) / 'runs'; "
        code += "p.write_text(p.read_text() + 'x' if p.exists() else 'x'); print('indexed')"
        return [sys.executable, "-c", code, str(folder)]

    start_once(tmp_path_factory, name, command)
    start_once(tmp_path_factory, name, command)
    assert result(tmp_path_factory, name, command) == "indexed\n"
    _STARTED.pop().wait()
    folder = next(tmp_path_factory.getbasetemp().parent.glob(f"**/{name}.work"))
    assert (folder / "runs").read_text() == "x"


def test_a_failed_command_fails_the_test_that_needs_its_output(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    name = f"fails-{uuid.uuid4().hex}"

    def command(folder: Path) -> list[str]:
        return [sys.executable, "-c", "import sys; sys.exit('no docs here')"]

    with pytest.raises(pytest.fail.Exception, match=r"exited with 1:\n.*no docs here"):
        result(tmp_path_factory, name, command)
    _STARTED.pop().wait()


# -- the PostgreSQL stores: empty, or copied from a database migrated once per session --


@pytest.mark.parametrize("store_url", ["sqlite", "postgresql"], indirect=True)
def test_an_unmarked_store_starts_empty(store_url: str) -> None:
    """The migration tests need a store no migration has touched."""
    db = Database.connect(store_url, create=True, migrate=False)
    try:
        assert db.schema_version() == 0
    finally:
        db.close()


@pytest.mark.migrated_postgres
@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_a_marked_postgresql_store_starts_at_the_latest_schema(store_url: str) -> None:
    db = Database.connect(store_url, migrate=False)
    try:
        assert db.schema_version() == latest_version()
        assert db.migrate() == []
        versions = db.query("SELECT version FROM schema_version ORDER BY version")
        assert [v for (v,) in versions] == [m.version for m in MIGRATIONS]
    finally:
        db.close()


@pytest.mark.postgres
def test_what_a_test_writes_is_not_in_the_next_tests_store(
    postgres_url: str, postgres_template: str
) -> None:
    """Each test gets a copy; nothing a test does reaches the template or another test."""
    with pg.fresh_database(postgres_url, template=postgres_template) as first:
        db = Database.connect(first, migrate=False)
        try:
            db.execute("INSERT INTO schema_notes (version, seq, note) VALUES (1, 1, 'mine')")
        finally:
            db.close()
        with pg.fresh_database(postgres_url, template=postgres_template) as second:
            other = Database.connect(second, migrate=False)
            try:
                assert other.schema_version() == latest_version()
                assert other.query("SELECT note FROM schema_notes WHERE note = 'mine'") == []
            finally:
                other.close()


@pytest.mark.postgres
def test_no_test_can_connect_to_the_template_to_change_it(
    postgres_url: str, postgres_template: str
) -> None:
    with pytest.raises(psycopg.OperationalError, match="not currently accepting connections"):
        psycopg.connect(postgres_url.rpartition("/")[0] + f"/{postgres_template}").close()


@pytest.mark.postgres
def test_the_postgresql_server_keeps_its_files_in_memory_with_the_run_s_folders(
    postgres_url: str,
) -> None:
    """Its data directory is in the memory file system the run's folders use (on a disk,
    every test's ``CREATE DATABASE`` and ``DROP DATABASE`` waits for it)."""
    with psycopg.connect(postgres_url, connect_timeout=10) as conn:
        row = conn.execute("SHOW data_directory").fetchone()
    assert row is not None
    parent = conftest.fast_basetemp_parent()
    assert Path(row[0]).parent.parent == (Path(tempfile.gettempdir()) if parent is None else parent)


def test_terrain_test_tmp_disk_keeps_the_postgresql_files_on_disk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TERRAIN_TEST_TMP", "disk")
    assert pg.data_parent() is None
    monkeypatch.delenv("TERRAIN_TEST_TMP")
    assert pg.data_parent() == conftest.fast_basetemp_parent()


# -- the run's temporary folders: in memory when the machine has room ---------------


def test_the_run_s_folders_go_in_memory_and_are_removed_at_the_end() -> None:
    this_run = list(conftest._FAST_BASETEMP)  # this very run's folder, if in memory
    conftest._FAST_BASETEMP.clear()
    try:
        config = SimpleNamespace(option=SimpleNamespace(basetemp=None))
        conftest.pytest_cmdline_main(config)  # type: ignore[arg-type]
        if conftest.fast_basetemp_parent() is None:  # no roomy tmpfs here: pytest's default
            assert config.option.basetemp is None
            return
        base = Path(config.option.basetemp)
        assert base.parent == conftest.FAST_TMP
        assert base.is_dir()
        conftest.pytest_unconfigure(config)  # type: ignore[arg-type]
        assert not base.exists(), "a run's folders were left in memory"
    finally:
        conftest._FAST_BASETEMP[:] = this_run


def test_a_chosen_basetemp_and_an_xdist_worker_s_are_kept() -> None:
    chosen = SimpleNamespace(option=SimpleNamespace(basetemp="/somewhere"))
    conftest.pytest_cmdline_main(chosen)  # type: ignore[arg-type]
    assert chosen.option.basetemp == "/somewhere"
    worker = SimpleNamespace(option=SimpleNamespace(basetemp=None), workerinput={})
    conftest.pytest_cmdline_main(worker)  # type: ignore[arg-type]
    assert worker.option.basetemp is None


def test_terrain_test_tmp_disk_keeps_the_folders_on_disk() -> None:
    assert conftest.fast_basetemp_parent({"TERRAIN_TEST_TMP": "disk"}) is None


def test_this_run_still_has_its_folders(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The test above stops and starts the machinery of a run: not this run's."""
    assert tmp_path_factory.getbasetemp().is_dir()
    assert tmp_path_factory.mktemp("still-here").is_dir()


def test_the_terrain_processes_of_a_run_keep_no_code_in_the_user_s_cache() -> None:
    """The ``terrain`` processes the tests start write their generated code where the
    run says (conftest's ``_code_cache_of_the_run``), never in ``~/.cache``."""
    from terrain._codecache import default_folder

    folder = default_folder()
    assert folder is not None
    assert not Path(folder).resolve().is_relative_to((Path.home() / ".cache").resolve())


def test_every_browser_test_reads_a_page_once_it_has_loaded() -> None:
    """``page.content()`` right after a click can read the next document before it
    is parsed (an empty page: CI failed once that way); ``html(page)`` waits."""
    tests = Path(__file__).parent
    readers = [path for path in tests.rglob("*.py")
               if "chromium" in (text := path.read_text(encoding="utf-8"))
               and path.name not in ("_browser.py", Path(__file__).name)]
    assert readers, "no browser test found: the check would check nothing"
    for path in readers:
        text = path.read_text(encoding="utf-8")
        assert ".content()" not in text, f"{path}: read pages with html(page)"
