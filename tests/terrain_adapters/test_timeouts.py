"""Every HTTP call of the adapters gives up connecting after a few seconds: with no
network a publication fails fast and the runner's retries start at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from terrain_adapters._shared import CONNECT_TIMEOUT, http_timeout

from .test_x import TWEETS, recap, x


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def test_x_connects_within_the_connect_timeout_and_waits_for_answers_within_its_timeout(
    rsps: responses.RequestsMock,
) -> None:
    rsps.post(TWEETS, status=201, json={"data": {"id": "1903", "text": "…"}})
    x(timeout=45).publish(recap())
    (call,) = rsps.calls
    assert call.request.req_kwargs["timeout"] == (CONNECT_TIMEOUT, 45)  # type: ignore[attr-defined]


@pytest.mark.parametrize("timeout", [1.0, 5.0, 30.0, 300.0])
def test_the_connect_timeout_is_never_longer_than_the_whole_timeout(timeout: float) -> None:
    connect, read = http_timeout(timeout)
    assert connect <= min(CONNECT_TIMEOUT, timeout)
    assert read == timeout
