"""``terrain`` commands forked from a process that has imported terrain already.

A page run as written starts a ``terrain`` process per command, and a fresh
process spends most of its CPU importing terrain (about 0.4 s a command, most of
the docs tests' time). :class:`ForkServer` imports terrain (the command line and
every verb's module) once, in a process of its own, and puts a ``terrain`` of
its own first on the session's ``PATH``: a small script (Python without
``site``: a few milliseconds) that hands its arguments, folder, environment and
its stdin/stdout/stderr to the server, which forks a process that runs
:func:`terrain.__main__.run` as the console script does, and answers with its
exit status. The command still runs in a process of its own, with the page's
folder, environment, pipes and exit code; only the imports are shared.

:attr:`ForkServer.python` does the same for ``python SCRIPT ARGS`` (the crash
test's publishing children: :mod:`runpy` runs the script as ``__main__``).

What a fork cannot reproduce falls back to the real console script: a command
whose environment differs from the server's in anything the interpreter reads
when it starts (``PYTHON*``, ``LC_*``, ``LANG``) runs the real ``terrain``
(:data:`STARTUP_VARIABLES`). ``tests/docs/test_rst_runner.py`` checks that the
two give the same output and exit codes, and the tutorial still runs once with
the real console script.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

__all__ = ["STARTUP_VARIABLES", "ForkServer", "startup_environment"]

ROOT = Path(__file__).resolve().parents[1]
#: Besides all of terrain, what the server imports: the test helpers its children use.
PRELOAD = ("tests.publishing._platforms",)

#: The variables read when the interpreter starts (stdio encoding and buffering, the
#: locale, bytecode, hash seed...): a forked command inherits the server's reading of
#: them, so a command whose values differ runs the real console script instead.
STARTUP_VARIABLES = ("PYTHON", "LC_", "LANG")


def startup_environment(env: dict[str, str]) -> dict[str, str]:
    """The variables of ``env`` that the interpreter reads as it starts."""
    return {k: v for k, v in env.items() if k.startswith(STARTUP_VARIABLES)}


#: The server: imports terrain, then forks a command per connection. Each connection
#: gets a handler process (so that the server never waits for a command), which forks
#: the command, waits for it and sends its status back.
_SERVER = r"""
import atexit, importlib, json, os, signal, socket, sys, traceback

path, preload, root = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
import pkgutil, runpy
import terrain.__main__
from terrain import cli
for module, _summary in cli.COMMANDS.values():
    importlib.import_module(module)
for info in pkgutil.walk_packages(terrain.__path__, "terrain."):  # all of terrain
    try:
        importlib.import_module(info.name)
    except Exception:  # an optional dependency missing: the command imports it, or fails
        pass
for name, module in list(sys.modules.items()):  # lazy packages take their names now
    if name.startswith("terrain"):
        for public in getattr(module, "__all__", ()):
            getattr(module, public, None)
sys.path.insert(0, root)  # the checkout, for the test helpers a child imports
for module in preload:
    importlib.import_module(module)
sys.path.remove(root)
import gc
gc.collect()
gc.freeze()  # what the server made stays shared with the forks (copy on write)

listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(path)
listener.listen(64)
print("ready", flush=True)


def reap(block):
    # Wait for the handlers that are done (all, if block): waited for, their CPU time
    # (and their commands') counts in the server's, and so in the test run's.
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def receive(conn):
    data, fds, _flags, _addr = socket.recv_fds(conn, 1 << 20, 3)
    while not data.endswith(b"\n"):
        more = conn.recv(1 << 20)
        if not more:
            raise EOFError("the client went away")
        data += more
    return json.loads(data), fds


def command(request, fds):
    # A fresh process's state, as far as the console script can tell.
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = [request["script"], *request["argv"]]
    code = 0
    try:
        if request["python"]:  # python SCRIPT ARGS...
            sys.argv = request["argv"]
            sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
            runpy.run_path(sys.argv[0], run_name="__main__")
        else:  # the console script: its folder first on sys.path, not the current one
            sys.path[0] = os.path.dirname(request["script"])
            terrain.__main__.run()
    except SystemExit as exit:
        if exit.code is None:
            code = 0
        elif isinstance(exit.code, int):
            code = exit.code
        else:
            print(exit.code, file=sys.stderr)
            code = 1
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            code = code or 120  # as Python exits when it cannot flush stdout
    os._exit(code)


def handle(conn):
    request, fds = receive(conn)
    pid = os.fork()
    if pid == 0:
        conn.close()
        command(request, fds)
    for fd in fds:
        os.close(fd)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        answer = {"signal": os.WTERMSIG(status)}
    else:
        answer = {"exit": os.WEXITSTATUS(status)}
    conn.sendall(json.dumps(answer).encode() + b"\n")
    conn.close()


import select

while True:  # until the test process that started the server closes its stdin, or dies
    ready, _, _ = select.select([listener, 0], [], [], 1.0)
    reap(block=False)
    if 0 in ready:
        reap(block=True)
        os._exit(0)
    if listener not in ready:
        continue
    conn, _ = listener.accept()
    if os.fork() == 0:
        listener.close()
        try:
            handle(conn)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    conn.close()
"""

#: The ``terrain`` the session finds first on ``PATH``. ``-I -S``: no site, no
#: PYTHON* variables, for a start of a few milliseconds.
_CLIENT = r"""#!{python} -IS
import json, os, signal, socket, sys

SERVER, SCRIPT, PYTHON = {socket!r}, {script!r}, {python_mode!r}
STARTUP, PREFIXES = {startup!r}, {prefixes!r}
env = dict(os.environ)
if {{k: v for k, v in env.items() if k.startswith(PREFIXES)}} != STARTUP:
    # the interpreter would start otherwise: run the real program
    os.execv(SCRIPT, [SCRIPT, *sys.argv[1:]])
request = {{
    "argv": sys.argv[1:], "cwd": os.getcwd(), "env": env, "script": SCRIPT, "python": PYTHON
}}
conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
conn.connect(SERVER)
socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
answer = b""
while not answer.endswith(b"\n"):
    more = conn.recv(4096)
    if not more:
        sys.exit("terrain (forked): the test fork server went away")
    answer += more
status = json.loads(answer)
if "signal" in status:  # die of the same signal, as the shell would have seen it
    try:
        signal.signal(status["signal"], signal.SIG_DFL)
    except (OSError, ValueError):
        pass  # SIGKILL, SIGSTOP: cannot be caught anyway
    os.kill(os.getpid(), status["signal"])
sys.exit(status["exit"])
"""


class ForkServer:
    """A server forking ``terrain`` commands, for the sessions of one test process."""

    def __init__(self, env: dict[str, str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="terrain-forks-"))
        self.bin = self.folder / "bin"
        self.bin.mkdir()
        sock = str(self.folder / "server.sock")
        self.startup = startup_environment(env)
        #: ``terrain ARGS...``, first on a session's ``PATH``
        self.terrain = self._client("terrain", sock, str(Path(sys.executable).parent / "terrain"))
        #: ``python SCRIPT ARGS...`` (a script run as ``__main__``, as ``python`` does)
        self.python = self._client("python-forked", sock, sys.executable, python_mode=True)
        with open(self.folder / "server.log", "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _SERVER, sock, json.dumps(PRELOAD), str(ROOT)],
                env=env,
                cwd=self.folder,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        assert self.process.stdout is not None
        if self.process.stdout.readline() != b"ready\n":
            log = (self.folder / "server.log").read_text(encoding="utf-8", errors="replace")
            self.close()
            raise RuntimeError(f"the terrain fork server did not start:\n{log}")

    def _client(self, name: str, sock: str, script: str, *, python_mode: bool = False) -> str:
        client = self.bin / name
        client.write_text(
            _CLIENT.format(
                python=sys.executable,
                socket=sock,
                script=script,
                python_mode=python_mode,
                startup=self.startup,
                prefixes=STARTUP_VARIABLES,
            ),
            encoding="utf-8",
        )
        client.chmod(0o755)
        return str(client)

    def serves(self, env: dict[str, str]) -> bool:
        """True when a command with ``env`` can be forked (else it runs the real script)."""
        return self.process.poll() is None and startup_environment(env) == self.startup

    def close(self) -> None:
        """Stop the server, once the commands it runs are done."""
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


_SERVERS: list[ForkServer] = []
atexit.register(lambda: close_all())


def shared(env: dict[str, str] | None = None) -> ForkServer:
    """The server of this test process (started at first use) that serves ``env``
    (default: this process's environment)."""
    env = dict(os.environ) if env is None else env
    for server in _SERVERS:
        if server.serves(env):
            return server
    server = ForkServer(env)
    _SERVERS.append(server)
    return server


def close_all() -> None:
    """Stop every server :func:`shared` started."""
    while _SERVERS:
        _SERVERS.pop().close()

