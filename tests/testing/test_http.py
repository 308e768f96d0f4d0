"""The HTTP fake platform: its answers map to terrain's errors, it records every call,
it runs as a process, and the contract suite passes on it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from terrain.errors import AuthError, ConfigError, NotFound, RateLimited, Rejected, TransientError
from terrain.plugins import PlatformContext
from terrain.posts import Post
from terrain.testing.contract import FailNext, PlatformContract
from terrain.testing.http import FakePlatformServer, Fault, HTTPPlatform, HTTPPlatformFactory


@pytest.fixture
def server() -> Iterator[FakePlatformServer]:
    with FakePlatformServer() as running:
        yield running


def recap(n: int = 1) -> Post:
    return Post(id=f"recap-{n}", platform="fake-http", text=f"Merci pour la rencontre {n} !")


@pytest.mark.parametrize(
    ("fault", "error", "said"),
    [
        (Fault.rate_limited(2.5), RateLimited, "retry after 2.5 s"),
        (Fault.rate_limited(None), RateLimited, "429 Too Many Requests"),
        (Fault.server_error(502), TransientError, "HTTP 502"),
        (Fault.server_error(500), TransientError, "try again later"),
        (Fault.timeout_before(0.4), TransientError, "may or may not be out"),
        (Fault.timeout_after(0.4), TransientError, "may or may not be out"),
        (Fault.malformed(), TransientError, "not valid JSON; the post may be out"),
        (Fault.unauthorized(), AuthError, "renew the token"),
        (Fault.rejected(400, "duplicate status"), Rejected, "duplicate status"),
        (Fault.rejected(422, "too many hashtags"), Rejected, "HTTP 422"),
    ],
)
def test_each_answer_becomes_the_error_that_tells_the_runner_what_to_do(
    server: FakePlatformServer, fault: Fault, error: type[Exception], said: str
) -> None:
    server.inject(fault)
    platform = HTTPPlatform(server.url, timeout=0.2)
    with pytest.raises(error) as raised:
        platform.publish(recap())
    assert said in str(raised.value)
    if fault.kind == "rate_limited":
        assert isinstance(raised.value, RateLimited)
        assert raised.value.retry_after == fault.retry_after


@pytest.mark.parametrize(
    ("fault", "landed"),
    [
        (Fault.timeout_before(0.4), False),
        (Fault.timeout_after(0.4), True),
        (Fault.malformed(), True),
        (Fault.server_error(503), False),
    ],
)
def test_find_tells_whether_a_call_that_failed_went_through(
    server: FakePlatformServer, fault: Fault, landed: bool
) -> None:
    server.inject(fault)
    platform = HTTPPlatform(server.url, timeout=0.2)
    with pytest.raises(TransientError):
        platform.publish(recap())
    found = platform.find(recap())
    assert (found is not None) is landed


def test_the_server_does_not_deduplicate_so_a_double_post_is_visible(
    server: FakePlatformServer,
) -> None:
    platform = HTTPPlatform(server.url)
    first = platform.publish(recap())
    second = platform.publish(recap())
    assert first.remote_id != second.remote_id
    assert server.created() == {"recap-1": 2}
    assert [c.method for c in server.calls] == ["create", "create"]


def test_delete_removes_the_post_and_a_second_delete_is_not_found(
    server: FakePlatformServer,
) -> None:
    platform = HTTPPlatform(server.url)
    receipt = platform.publish(recap())
    platform.delete(receipt)
    assert platform.find(recap()) is None
    with pytest.raises(NotFound):
        platform.delete(receipt)


def test_the_server_side_rate_limit_answers_429_with_the_wait_and_records_nothing() -> None:
    with FakePlatformServer(rate_limit=(2, 1.0)) as server:
        platform = HTTPPlatform(server.url)
        platform.publish(recap(1))
        platform.publish(recap(2))
        with pytest.raises(RateLimited) as raised:
            platform.publish(recap(3))
        assert raised.value.retry_after is not None
        assert 0 < raised.value.retry_after <= 1.0
        assert server.rate_limited == 1
        assert len(server.posts) == 2
        assert server.max_in_window(1.0) == 2


def test_the_rate_window_runs_on_the_servers_own_clock_and_reopens_when_it_moves() -> None:
    remote_now = [1_000.0]
    with FakePlatformServer(rate_limit=(1, 60.0), clock=lambda: remote_now[0]) as server:
        platform = HTTPPlatform(server.url)
        platform.publish(recap(1))
        with pytest.raises(RateLimited) as raised:
            platform.publish(recap(2))
        assert raised.value.retry_after == 60.0  # the whole window: the fake clock did not move
        remote_now[0] += 59.5
        with pytest.raises(RateLimited) as raised:
            platform.publish(recap(2))
        assert raised.value.retry_after == pytest.approx(0.5)
        remote_now[0] += 0.5
        platform.publish(recap(2))
    assert [p.created_at for p in server.posts] == [1_000.0, 1_060.0]
    assert [c.at for c in server.calls if c.method == "create"] == [1_000.0, 1_000.0, 1_059.5,
                                                                     1_060.0]


def test_a_server_that_is_not_there_is_a_transient_error() -> None:
    with FakePlatformServer() as server:
        url = server.url
    with pytest.raises(TransientError, match="is the server running"):
        HTTPPlatform(url, timeout=0.5).publish(recap())


def test_a_stopped_server_answers_no_call_even_on_a_connection_the_client_kept() -> None:
    server = FakePlatformServer().start()
    platform = HTTPPlatform(server.url, timeout=0.5)
    platform.publish(recap(1))  # its connection stays open for the next call
    server.stop()
    with pytest.raises(TransientError, match="is the server running"):
        platform.publish(recap(2))
    assert [p.post_id for p in server.posts] == ["recap-1"]


def test_a_call_after_the_server_closed_the_kept_connection_goes_out_on_a_new_one() -> None:
    """A server that restarted closed the connection a call left open: the next call
    does not fail on it (a post would look lost), it opens a new one."""
    first = FakePlatformServer().start()
    platform = HTTPPlatform(first.url, timeout=0.5)
    platform.publish(recap(1))
    port = int(first.url.rpartition(":")[2])
    first.stop()
    with FakePlatformServer(port=port) as second:
        receipt = platform.publish(recap(2))
        assert [p.post_id for p in second.posts] == ["recap-2"]
        assert receipt.remote_id == second.posts[0].remote_id


def test_calls_one_after_another_share_one_connection(server: FakePlatformServer) -> None:
    platform = HTTPPlatform(server.url, timeout=0.5)
    for n in range(5):
        platform.publish(recap(n))
    assert platform.find(recap(3)) is not None
    assert server.connections == 1


def test_an_answer_on_a_kept_connection_is_not_held_back_by_nagle(
    server: FakePlatformServer,
) -> None:
    """The server writes an answer's headers and body apart: with Nagle's algorithm on,
    the body waited for the client's delayed ACK (~40 ms per call on a kept connection,
    which every keep-alive client paid and a new connection per call did not)."""
    platform = HTTPPlatform(server.url, timeout=0.5)
    platform.publish(recap(1))
    platform.publish(recap(2))
    kept = list(server._connections)  # the server side of the client's connection
    assert len(kept) == 1
    assert kept[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_the_plugin_imports_no_server_code() -> None:
    """A process that loads ``terrain.testing.http`` as its plugin (a worker, the
    publishing benchmark) calls the server: http.server, socketserver and argparse
    come with the server's names, when first asked for."""
    script = (
        "import sys, terrain.testing.http as h\n"
        "print(sorted(m for m in ('http.server', 'socketserver', 'argparse',\n"
        "                         'terrain.testing._httpserver') if m in sys.modules))\n"
        "h.FakePlatformServer\n"
        "print('http.server' in sys.modules, h.FakePlatformServer.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == ["[]", "True terrain.testing.http"]


def test_a_burst_of_new_connections_is_queued_not_dropped() -> None:
    """With ``socketserver``'s backlog of 5, the 7th client connecting at once had its
    SYN dropped and waited a second for the kernel to retry: 32 clients (twice the
    runner's calls in flight) are queued, even while nothing accepts them yet."""
    server = FakePlatformServer()  # not started: the kernel queues what nobody accepts
    host, port = server.url.removeprefix("http://").split(":")
    clients = []
    try:
        for n in range(32):
            client = socket.socket()
            clients.append(client)
            client.settimeout(0.5)
            try:
                client.connect((host, int(port)))
            except TimeoutError:
                pytest.fail(f"client {n + 1} of 32 could not connect: the backlog is too short")
    finally:
        for client in clients:
            client.close()
        server.stop()


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ({}, "needs base_url"),
        ({"base_url": "ftp://127.0.0.1:21"}, "is not like http://127.0.0.1:8765"),
        ({"base_url": "http://127.0.0.1:1", "timeout": -1}, "positive number of seconds"),
    ],
)
def test_bad_settings_say_which_terrain_toml_key_to_fix(
    settings: dict[str, Any], said: str
) -> None:
    with pytest.raises(ConfigError, match=said):
        HTTPPlatformFactory()(PlatformContext(settings=settings))


def test_the_server_runs_as_a_process_that_prints_its_url_and_stops_on_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "terrain.testing.http", "--port", "0", "--rate-limit", "5/1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        receipt = HTTPPlatform(url).publish(recap())
        assert receipt.url is not None
        assert receipt.url.startswith(url)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=10)
    assert proc.returncode == 0


class TestHTTPPlatformContract(PlatformContract):
    """terrain's own contract suite, run on the HTTP fake (as a plugin author would)."""

    @pytest.fixture
    def factory(self) -> HTTPPlatformFactory:
        return HTTPPlatformFactory()

    @pytest.fixture
    def settings(self, server: FakePlatformServer) -> dict[str, Any]:
        return {"base_url": server.url, "timeout": 0.5}

    @pytest.fixture
    def fail_next(self, server: FakePlatformServer) -> FailNext:
        return lambda call: server.fail_next(call, hang=1.5)
