"""The members' pages under load: the event page and the consent form, on 127.0.0.1.

``terrain serve --workers 2``'s application (one process per core) runs
under uvicorn on a workspace of 60 members; this
process sends a bounded number of requests (``N`` per page, default 1,500)
over 8 keep-alive connections with a minimal asyncio HTTP/1.1 client, and
counts requests per second. The issue's goal is absolute: at least 200
requests/s for each page on 2 cores. The peer, measured in the same run under
the same server and load, is a bare Starlette page: the cost of the HTTP
stack alone, so the ratio says what terrain's page adds.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks._harness import Result

N = int(os.environ.get("TERRAIN_BENCH_WEB_N", "1500"))
CONNECTIONS = 8
#: ``terrain serve --workers 2``: one process per core.
WORKERS = 2
GOAL_RPS = 200.0
PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=PARIS)
EVENT = "ev-2026-11"

_SERVER = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route
path, port = sys.argv[1], int(sys.argv[2])
if path == "-":
    async def hello(request):
        return HTMLResponse("<!DOCTYPE html><title>hello</title><p>hello</p>")
    app = Starlette(routes=[Route("/{rest:path}", hello)])
else:
    import os
    os.environ["TERRAIN_WORKSPACE"] = path
    app = "terrain.web:app_from_environment"
uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, log_level="warning",
            factory=path != "-", workers=int(sys.argv[3]))
"""


def _workspace(root: Path) -> tuple[Path, str]:
    """A community of 60 members and a meetup ahead; a member's personal link token."""
    from terrain import Community, Event, Member, Talk, Venue
    from terrain.store import Workspace
    from terrain.workflows import answer_rsvp, personal_link

    with Workspace.init(root, community=Community(id="velo", name="Vélo Lyon",
                                                  timezone="Europe/Paris")) as ws:
        for i in range(60):
            ws.add(Member(id=f"m{i:02d}", display_name=f"Membre {i}",
                          email=f"m{i:02d}@example.org"))
        ws.add(Venue(id="zinc", name="Le Zinc", kind="bar", capacity=40,
                     address="12 rue des Capucins, Lyon"))
        start = datetime(2026, 11, 12, 19, 0, tzinfo=PARIS)
        ws.add(Event(id=EVENT, title="Vélo & ville #12", starts_at=start,
                     ends_at=start + timedelta(hours=3), venue_id="zinc",
                     talks=[Talk(title="Les pistes du 7e", speaker="Ana", minutes=25,
                                 qa_minutes=10)], networking_minutes=120))
        for i in range(45):  # a full room and a waitlist
            answer_rsvp(ws, EVENT, f"m{i:02d}", "going", at=NOW)
        link, _ = personal_link(ws, "m50", now=NOW)
    return root, link.token


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Server:
    def __init__(self, path: str, workers: int = 1) -> None:
        self.port = _port()
        env = {**os.environ, "TERRAIN_NOW": NOW.isoformat()}
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, path, str(self.port), str(workers)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stderr.read().decode()  # type: ignore[union-attr]
                                       ) from None
                time.sleep(0.05)
        raise RuntimeError("the server did not start in 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()


async def _connection(port: int, request: bytes, count: int) -> int:
    """Send ``request`` ``count`` times on one keep-alive connection; how many got 200."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    ok = 0
    try:
        for _ in range(count):
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            ok += head.startswith(b"HTTP/1.1 200")
    finally:
        writer.close()
        await writer.wait_closed()
    return ok


def _load(port: int, path: str, cookie: str = "") -> tuple[float, int]:
    """``(requests per second, answers that were 200)`` for ``N`` GETs of ``path``."""
    extra = f"Cookie: {cookie}\r\n" if cookie else ""
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}\r\n".encode()

    async def main() -> int:
        per = N // CONNECTIONS
        done = await asyncio.gather(*(_connection(port, request, per) for _ in
                                      range(CONNECTIONS)))
        return sum(done)

    asyncio.run(_warm(port, request))
    start = time.perf_counter()
    ok = asyncio.run(main())
    return ok / (time.perf_counter() - start), ok


async def _warm(port: int, request: bytes) -> None:
    await _connection(port, request, 50)


def run() -> list[Result]:
    """The event page's and the consent form's requests per second."""
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        root, token = _workspace(Path(tmp) / "ws")
        peer = _Server("-")  # one process: the floor of the HTTP stack itself
        try:
            hello, _ = _load(peer.port, "/hello")
        finally:
            peer.stop()
        server = _Server(str(root), workers=WORKERS)
        try:
            pages = [
                ("web: event page (GET, 8 connections)", f"/events/{EVENT}", ""),
                ("web: consent form (GET, personal link)", f"/events/{EVENT}/consent",
                 f"terrain_personal={token}"),
            ]
            for name, path, cookie in pages:
                rps, ok = _load(server.port, path, cookie)
                expected = (N // CONNECTIONS) * CONNECTIONS
                results.append(Result(
                    name=name, ours=rps, floor=hello, floor_name="a bare Starlette page, same "
                    "server and load", unit="/s", ratio=rps / hello if hello else 0.0,
                    goal=f"≥ {GOAL_RPS:g}/s", ok=rps >= GOAL_RPS and ok == expected,
                    detail=f"{ok}/{expected} answers 200, {N} requests on 127.0.0.1, "
                    f"terrain serve --workers {WORKERS}",
                ))
        finally:
            server.stop()
    return results


if __name__ == "__main__":
    for result in run():
        print(result)
