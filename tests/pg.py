"""A real PostgreSQL 15 server for the tests, started once per session in a temp dir.

As root, ``initdb`` and ``postgres`` run as the ``postgres`` user (PostgreSQL refuses
root). The server listens on 127.0.0.1 only, on a free port, with trust auth, and is
stopped at the end of the session. Its files go in memory when the machine has a roomy
tmpfs (:func:`data_parent`): on a disk, even with ``fsync`` off, each ``CREATE DATABASE``
and ``DROP DATABASE`` (one pair per PostgreSQL test) writes and checkpoints megabytes
and waits for the disk.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def find_bin_dir() -> Path | None:
    """The newest ``/usr/lib/postgresql/*/bin`` holding ``initdb``, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def missing_reason() -> str | None:
    """Why a server cannot be started here, or None when it can."""
    if find_bin_dir() is None:
        return (
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin; "
            "run `make test` as root (installs the Debian `postgresql` package) or "
            "`apt-get install -y postgresql`"
        )
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root but there is no `postgres` user to run the server"
    return None


_INITDB_LOCALE = ("-E", "UTF8", "--locale", "C")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str]) -> None:
    done = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({done.returncode}): {done.stderr or done.stdout}")


def data_parent() -> Path | None:
    """Where a server's temp dir goes: the memory file system the run's temporary
    folders use (:func:`tests.conftest.fast_basetemp_parent`, so ``TERRAIN_TEST_TMP=disk``
    keeps it on disk too), else the system's temp dir (None)."""
    from tests.conftest import fast_basetemp_parent

    return fast_basetemp_parent()


class Server:
    """A throwaway PostgreSQL server in a temp dir, which a test may stop and start again
    (same data, same port): ``stop()`` is ``pg_ctl stop -m immediate`` by default, a crash
    as far as clients can tell."""

    def __init__(self) -> None:
        bin_dir = find_bin_dir()
        assert bin_dir is not None
        self.bin_dir = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="terrain-pg-", dir=data_parent()))
        self.data, sock = self.root / "data", self.root / "sock"
        sock.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(sock, "postgres")
            self.root.chmod(0o700)
        self.port = _free_port()
        self.options = f"-h 127.0.0.1 -p {self.port} -k {sock} -F -c max_connections=200"
        _run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "-A",
                "trust",
                "--no-sync",
                *_INITDB_LOCALE,
            ]
        )
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.running = False

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self.running = True
        _run(
            [
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                self.options,
                "-l",
                str(self.root / "log"),
                "-w",
                "-t",
                "120",
                "start",
            ]
        )

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (``immediate``: no checkpoint, clients cut off at once)."""
        self.running = False
        _run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def remove(self) -> None:
        """Stop the server if it runs, and delete its files."""
        subprocess.run(
            _as_server_user(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def own_server() -> Iterator[Server]:
    """A server of one's own (to stop and start at will), removed afterwards."""
    server = Server()
    try:
        server.start()
        yield server
    finally:
        server.remove()


@contextmanager
def running_server() -> Iterator[str]:
    """Start a throwaway server; yield its URL (``postgresql://postgres@127.0.0.1:PORT/postgres``)."""
    with own_server() as server:
        yield server.url


def require_server() -> None:
    """Skip locally, fail in CI (``CI=true``), when no server can be started."""
    reason = missing_reason()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI needs PostgreSQL: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL: {reason}")


@contextmanager
def fresh_database(server_url: str, template: str | None = None) -> Iterator[str]:
    """A new database on the server at ``server_url``; its URL. Dropped afterwards.

    Empty, or a copy of database ``template`` (``CREATE DATABASE … TEMPLATE``: a file
    copy, far cheaper than running the migrations again)."""
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    copy = "" if template is None else f' TEMPLATE "{template}"'
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as admin:
        admin.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield _database_url(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database_url(server_url: str, name: str) -> str:
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}"


#: The database :func:`migrated_template` makes on a server.
TEMPLATE = "terrain_migrated"


def migrated_template(server_url: str) -> str:
    """Make database :data:`TEMPLATE` on the server at ``server_url``, migrated to the
    latest schema, for :func:`fresh_database` to copy; its name. It then takes no
    connection (``ALLOW_CONNECTIONS false``, as ``template0``): no test can change what
    the next one starts from."""
    import psycopg

    from terrain.store import Database

    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as admin:
        admin.execute(f'CREATE DATABASE "{TEMPLATE}"')
    Database.connect(_database_url(server_url, TEMPLATE)).close()
    with psycopg.connect(server_url, autocommit=True, connect_timeout=10) as admin:
        admin.execute(f'ALTER DATABASE "{TEMPLATE}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
    return TEMPLATE
