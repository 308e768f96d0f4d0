"""InMemoryPlatform and InMemoryStorage behave like the real thing, failures included."""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.errors import AuthError, NotFound, PlatformError, RateLimited, Rejected, TransientError
from terrain.posts import Capabilities, Post
from terrain.testing import Failure, InMemoryPlatform, InMemoryStorage


def post(post_id: str = "recap-ev-1", text: str = "Merci pour jeudi !") -> Post:
    return Post(id=post_id, platform="memory", text=text)


@pytest.mark.parametrize(
    ("failure", "error", "retryable"),
    [
        (Failure.rate_limited(30.0), RateLimited, True),
        (Failure.server_error(502), TransientError, True),
        (Failure.timeout(), TransientError, True),
        (Failure.auth(), AuthError, False),
        (Failure.rejected("duplicate content"), Rejected, False),
    ],
)
def test_scripted_failures_raise_the_platform_error_a_real_adapter_would(
    failure: Failure, error: type[PlatformError], retryable: bool
) -> None:
    platform = InMemoryPlatform(failures=[failure])
    with pytest.raises(error) as caught:
        platform.publish(post())
    assert caught.value.retryable is retryable
    assert caught.value.platform == "memory"
    assert platform.find(post()) is None
    assert platform.publish(post()).post_id == "recap-ev-1"


def test_rate_limit_carries_retry_after() -> None:
    platform = InMemoryPlatform("x", failures=[Failure.rate_limited(17.5)])
    with pytest.raises(RateLimited) as caught:
        platform.publish(post())
    assert caught.value.retry_after == 17.5
    assert "retry after 17.5 s" in str(caught.value)


def test_a_timeout_after_landing_hides_a_success_that_find_reveals() -> None:
    platform = InMemoryPlatform(failures=[Failure.timeout(landed=True)])
    with pytest.raises(TransientError):
        platform.publish(post())
    found = platform.find(post())
    assert found is not None
    assert platform.publish(post()) == found
    assert len(platform.posts) == 1


def test_none_in_the_script_is_a_success_between_failures() -> None:
    platform = InMemoryPlatform(failures=[None, Failure.server_error()])
    platform.publish(post("a"))
    with pytest.raises(TransientError):
        platform.publish(post("b"))


def test_find_and_delete_can_be_scripted_too() -> None:
    platform = InMemoryPlatform()
    receipt = platform.publish(post())
    platform.inject(Failure.server_error(), method="find")
    platform.inject(Failure.auth(), method="delete")
    with pytest.raises(TransientError):
        platform.find(post())
    with pytest.raises(AuthError):
        platform.delete(receipt)
    platform.delete(receipt)
    assert platform.find(post()) is None


def test_deleting_twice_says_it_is_already_gone() -> None:
    platform = InMemoryPlatform()
    receipt = platform.publish(post())
    platform.delete(receipt)
    with pytest.raises(NotFound, match="already deleted"):
        platform.delete(receipt)


def test_every_call_is_recorded_with_its_error() -> None:
    platform = InMemoryPlatform(failures=[Failure.auth()])
    with pytest.raises(AuthError):
        platform.publish(post())
    platform.publish(post())
    platform.find(post())
    assert [(c.method, c.post_id) for c in platform.calls] == [
        ("publish", "recap-ev-1"),
        ("publish", "recap-ev-1"),
        ("find", "recap-ev-1"),
    ]
    assert isinstance(platform.calls[0].error, AuthError)
    assert platform.calls[1].error is None
    assert platform.publish_count() == 2


def test_capabilities_are_honoured() -> None:
    platform = InMemoryPlatform(capabilities=Capabilities(max_text_length=10))
    with pytest.raises(Rejected, match="at most 10"):
        platform.publish(post(text="bien plus que dix caractères"))


def test_latency_is_real_so_concurrency_can_be_measured() -> None:
    platform = InMemoryPlatform(latency=0.2)
    threads = [threading.Thread(target=platform.publish, args=(post(f"p-{i}"),)) for i in range(4)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    assert platform.max_in_flight == 4
    assert 0.2 <= elapsed < 0.75
    assert len(platform.posts) == 4


@given(st.lists(st.sampled_from(["a", "b", "c"]), max_size=30))
def test_each_post_id_is_published_at_most_once_whatever_the_calls(ids: list[str]) -> None:
    platform = InMemoryPlatform()
    receipts = {i: platform.publish(post(i)) for i in ids}
    assert set(platform.posts) == set(ids)
    assert all(platform.publish(post(i)) == r for i, r in receipts.items())


def test_memory_storage_copies_the_bytes_it_is_given() -> None:
    data = bytearray(b"photo")
    storage = InMemoryStorage()
    storage.put("media/a.jpg", data)
    data[0] = 0
    assert storage.get("media/a.jpg") == b"photo"
    assert storage.public_url("media/a.jpg") is None
