"""Fixtures for the web pages: the site's workspace, a clock, in-process clients, mail."""

from __future__ import annotations

import functools
import re
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest

from terrain.store import Workspace
from terrain.web import create_app

from ._site import BEFORE, build

BASE = "http://127.0.0.1:8000"


class Clock:
    """The time the pages read; tests move it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


class Client:
    """An httpx client calling the app in-process (ASGI transport), keeping cookies.

    ``address`` is the client's IP address as the app sees it.
    """

    def __init__(self, app: Any, address: str = "127.0.0.1") -> None:
        self._portal_cm = anyio.from_thread.start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        transport = httpx.ASGITransport(app=app, client=(address, 50123))
        self.http = httpx.AsyncClient(transport=transport, base_url=BASE)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        call = functools.partial(self.http.request, method, url, **kwargs)
        return self._portal.call(call)

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def csrf(self, page: str = "/") -> str:
        """The CSRF token of a form on ``page`` (and the cookie that goes with it)."""
        return csrf_of(self.get(page).text)

    def submit(self, page: str, action: str, data: dict[str, Any]) -> httpx.Response:
        """Open ``page`` and post ``data`` to ``action`` with the page's CSRF token."""
        return self.post(action, data={"csrf": self.csrf(page), **data})

    def close(self) -> None:
        self._portal.call(self.http.aclose)
        self._portal_cm.__exit__(None, None, None)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found is not None, "the page has no form with a CSRF token"
    return found[1]


@pytest.fixture
def clock() -> Clock:
    return Clock(BEFORE)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return build(tmp_path / "ws")


@pytest.fixture
def ws(site: Path) -> Iterator[Workspace]:
    with Workspace.open(site) as opened:
        yield opened


@pytest.fixture
def app(ws: Workspace, clock: Clock) -> Any:
    return create_app(ws, now=clock)


@pytest.fixture
def client_for(app: Any) -> Iterator[Callable[..., Client]]:
    made: list[Client] = []

    def make(address: str = "127.0.0.1") -> Client:
        made.append(Client(app, address))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(client_for: Callable[..., Client]) -> Client:
    return client_for()


# -- a local mail server ---------------------------------------------------------------


class Mailbox:
    """What the local SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def link_to(self, address: str, *, count: int = 1) -> str:
        """The link of the last message to ``address``, once ``count`` messages came
        (a page mails after it answers: the message may still be on its way)."""
        deadline = time.monotonic() + 10
        while len(self.to(address)) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        body = self.to(address)[-1].get_content()
        found = re.search(r"http://\S+/l/\S+", body)
        assert found is not None
        return found[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def mail_site(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> Path:
    return build(tmp_path / "mail-ws", smtp_port=mailbox[1])
