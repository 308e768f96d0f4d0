"""Session fixtures shared by every test directory: a real PostgreSQL server, and a
fresh store (SQLite or PostgreSQL) per test for the suites that run on both.

terrain's pytest plugin (the fixtures plugin authors get) is opt-in, so this suite
enables it the way a plugin author does.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests import pg

pytest_plugins = ["terrain.testing.pytest_plugin"]

# Speed is measured by the benchmarks (`make bench`), not by Hypothesis's per-example
# deadline: on a loaded 2-core CI machine a first call that loads a lazy import
# (regex, tldextract, Pillow) blows the default 200 ms and fails a correct test.
settings.register_profile("terrain", deadline=None, print_blob=True)
settings.load_profile("terrain")

#: The test files that take longest (seconds of CPU or of waiting each: `--durations`),
#: longest first. They run first, so that on a few pytest-xdist workers the run does
#: not end with one of them alone on one worker while the others are idle. Whole files
#: move (their module fixtures stay together); the order of the rest is unchanged.
LONG_FIRST = (
    "tests/consent/test_rules_model.py",
    "tests/store/test_consent_timeline.py",
    "tests/reliability/test_workers.py",
    "tests/packaging/test_wheel.py",
    "tests/reliability/test_crash.py",
    "tests/docs/test_tutorial_networks.py",
    "tests/test_fastload.py",
    "tests/store/test_ledger_cache.py",
    "tests/docs/test_review_howto.py",
    "tests/review/test_desk_browser.py",
    "tests/reliability/test_outages.py",
    "tests/test_validation_inline.py",
    "tests/test_one_converter.py",
    "tests/docs/test_tutorial.py",
    "tests/store/test_copy.py",
    "tests/workflows/test_imports_properties.py",
    "tests/reliability/test_fuzz_loaders.py",
    "tests/events/test_ics.py",
    "tests/plugins/test_plugin_template.py",
    "tests/reliability/test_import_kill.py",
)


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    if path in LONG_FIRST:
        return LONG_FIRST.index(path)
    return len(LONG_FIRST) if item.get_closest_marker("slow") else len(LONG_FIRST) + 1


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The long files first (:data:`LONG_FIRST`, then any other ``slow`` test); a
    stable sort, so every worker collects the same order, as pytest-xdist requires."""
    items.sort(key=_rank)


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist's ``load`` hands each worker a first chunk of a quarter of its share
    (hundreds of tests in collection order): the long files, first, would all land on
    the first worker. At most 4 tests per hand-out (unless ``--maxschedchunk`` says
    otherwise) spreads them; a worker still holds a queue, so none waits for work."""
    if getattr(config.option, "maxschedchunk", 0) is None:
        config.option.maxschedchunk = 4


#: Where the test run's temporary folders go when nobody chose (``--basetemp``): a
#: memory file system (tmpfs) if the machine has one with room to spare. Every store
#: the suite makes is SQLite with ``synchronous=FULL``: on a disk each commit waits
#: for its ``fdatasync`` (a workspace's 16 migrations alone wait ~0.1-0.2 s), and a
#: waiting pytest-xdist worker leaves its core idle. In memory the same files, the
#: same SQL and the same syncs cost no wait. A crash test kills processes, not the
#: machine: what a killed process wrote is in the page cache either way.
#: ``TERRAIN_TEST_TMP=disk`` keeps the default (``/tmp``).
FAST_TMP = Path("/dev/shm")
#: Free space the memory file system must have for the run to use it (bytes).
FAST_TMP_ROOM = 2 * 1024**3


def fast_basetemp_parent(environ: dict[str, str] | None = None) -> Path | None:
    """The memory file system to put the run's temporary folders in, or None (keep
    pytest's default on disk): :data:`FAST_TMP` when it is a writable tmpfs with
    :data:`FAST_TMP_ROOM` free, unless ``TERRAIN_TEST_TMP=disk``."""
    environ = dict(os.environ) if environ is None else environ
    if environ.get("TERRAIN_TEST_TMP", "").lower() == "disk":
        return None
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            tmpfs = any(
                line.split()[1] == str(FAST_TMP) and line.split()[2] == "tmpfs" for line in mounts
            )
        stat = os.statvfs(FAST_TMP)
    except OSError:
        return None
    room = stat.f_bavail * stat.f_frsize
    if not tmpfs or room < FAST_TMP_ROOM or not os.access(FAST_TMP, os.W_OK | os.X_OK):
        return None
    return FAST_TMP


#: The folder :func:`pytest_configure` made for this run's temporary folders (removed
#: at the end of the run, so that a run leaves nothing in memory).
_FAST_BASETEMP: list[Path] = []


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config: pytest.Config) -> None:
    """Put the run's temporary folders in memory (:func:`fast_basetemp_parent`) unless
    ``--basetemp`` says where; before the run is configured, as pytest's tmp_path
    plugin reads ``basetemp`` then. pytest-xdist gives each worker a folder in it."""
    if config.option.basetemp is not None or hasattr(config, "workerinput"):
        return
    parent = fast_basetemp_parent()
    if parent is not None:
        import tempfile

        base = Path(tempfile.mkdtemp(prefix="terrain-tests-", dir=parent))
        _FAST_BASETEMP.append(base)
        config.option.basetemp = str(base)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the in-memory temporary folders of the run (pass ``--basetemp`` to keep
    a run's folders for a look after a failure)."""
    import shutil

    while _FAST_BASETEMP:
        shutil.rmtree(_FAST_BASETEMP.pop(), ignore_errors=True)


_BACKGROUND = """
import pathlib, subprocess, sys
done, argv = pathlib.Path(sys.argv[1]), sys.argv[2:]
run = subprocess.run(argv, capture_output=True, text=True, check=False)
if run.returncode == 0:
    done.with_suffix(".partial").write_text(run.stdout, encoding="utf-8")
    done.with_suffix(".partial").replace(done)
else:
    failed = f"{argv[:2]!r} exited with {run.returncode}:\\n{run.stderr}"
    done.with_suffix(".failed").write_text(failed, encoding="utf-8")
"""


def _shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of this test run that every pytest-xdist worker sees."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if "PYTEST_XDIST_WORKER" in os.environ else base


def start_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, argv: Callable[[Path], list[str]]
) -> None:
    """Start the command ``argv(folder)`` in the background, once per test run even when
    several pytest-xdist workers ask (the first starts it, under a lock); :func:`result`
    waits for what it printed. For data costly to make, that no test changes: made
    while the tests run, by a process of its own, it costs no worker its time."""
    shared = _shared(tmp_path_factory)
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        folder = shared / f"{name}.work"
        if folder.exists():
            return
        folder.mkdir()
        done = shared / f"{name}.out"
        _STARTED.append(
            subprocess.Popen(
                [sys.executable, "-c", _BACKGROUND, str(done), *argv(folder)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )


#: The processes :func:`start_once` started in this process, reaped at the end.
_STARTED: list[subprocess.Popen[bytes]] = []


def pytest_sessionfinish() -> None:
    """Wait for what :func:`start_once` started (done by then, unless the run was cut
    short: then it is stopped)."""
    for process in _STARTED:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def result(
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    argv: Callable[[Path], list[str]],
    timeout: float = 900.0,
) -> str:
    """What the command :func:`start_once` started printed (starting it if nobody did)."""
    start_once(tmp_path_factory, name, argv)
    shared = _shared(tmp_path_factory)
    done, failed = shared / f"{name}.out", shared / f"{name}.failed"
    deadline = time.monotonic() + timeout
    while not done.exists():
        if failed.exists():
            pytest.fail(failed.read_text(encoding="utf-8"), pytrace=False)
        if time.monotonic() > deadline:
            pytest.fail(f"{name}: no result after {timeout:.0f} s", pytrace=False)
        time.sleep(0.05)
    return done.read_text(encoding="utf-8")


@pytest.fixture(scope="session", autouse=True)
def _api_reference_index(request: pytest.FixtureRequest) -> None:
    """Sphinx reads the docs for tests/docs/test_api_reference.py (~30 s of CPU) in a
    process of its own from the start of the run, if the run holds those tests: by the
    time they run, the index is there."""
    if any(i.nodeid.startswith("tests/docs/test_api_reference.py") for i in request.session.items):
        from tests.docs.test_api_reference import INDEX, index_command

        start_once(request.getfixturevalue("tmp_path_factory"), INDEX, index_command)


@pytest.fixture(scope="session", autouse=True)
def _code_cache_of_the_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The ``terrain`` processes the tests start keep the code attrs and cattrs generate
    (``TERRAIN_CODE_CACHE``) in a folder of this run, shared by its pytest-xdist workers,
    not in the user's cache: a test run leaves nothing in ``~/.cache``. A test that
    sets the variable itself (the code cache's own tests) still chooses."""
    if "TERRAIN_CODE_CACHE" in os.environ:
        yield
        return
    folder = _shared(tmp_path_factory) / "code-cache"
    os.environ["TERRAIN_CODE_CACHE"] = str(folder)
    try:
        yield
    finally:
        os.environ.pop("TERRAIN_CODE_CACHE", None)


@pytest.fixture(autouse=True)
def _clock_starts_at_terrain_now() -> None:
    """Each test's clock starts at the TERRAIN_NOW it sets, not where an earlier test of
    this process left it: terrain.clock keeps ticking from the first read of a value, so
    a page run late in a long test session under the leap-day clock (23:30) would
    otherwise read 1 March."""
    from terrain import clock

    clock._anchors.clear()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a PostgreSQL server started for this session (skips locally, fails in CI)."""
    pg.require_server()
    with pg.running_server() as url:
        yield url


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """URL of a new, empty PostgreSQL database for one test (dropped afterwards)."""
    with pg.fresh_database(postgres_url) as url:
        yield url


@pytest.fixture(scope="session")
def postgres_template(postgres_url: str) -> str:
    """Name of a database on the session's server at the latest schema, migrated once
    per session (:func:`tests.pg.migrated_template`)."""
    return pg.migrated_template(postgres_url)


@pytest.fixture
def migrated_postgres_database(postgres_url: str, postgres_template: str) -> Iterator[str]:
    """URL of a new PostgreSQL database for one test, already at the latest schema: a
    copy of :func:`postgres_template` (dropped afterwards)."""
    with pg.fresh_database(postgres_url, template=postgres_template) as url:
        yield url


#: Marks a module or test whose PostgreSQL ``store_url`` starts at the latest schema.
MIGRATED = "migrated_postgres"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store for one test: ``sqlite:///…/store.db`` or a new PostgreSQL
    database. Tests taking it run once on each backend.

    Empty, except the PostgreSQL database of a test marked ``migrated_postgres``:
    a copy of a database migrated once per session, for the tests that open a
    workspace on it as their setup (each migrating a new database on PostgreSQL
    costs about a second). Never mark a test whose subject is the migrations on an
    empty database."""
    if request.param == "sqlite":
        return f"sqlite://{tmp_path / 'store.db'}"
    migrated = request.node.get_closest_marker(MIGRATED) is not None
    url: str = request.getfixturevalue(
        "migrated_postgres_database" if migrated else "postgres_database"
    )
    return url


def workspace_store(store_url: str) -> str | None:
    """The ``store_url=`` to give ``Workspace.init``: ``None`` (the embedded default
    ``.terrain/terrain.db``) for SQLite, the database URL for PostgreSQL."""
    return None if store_url.startswith("sqlite:") else store_url
