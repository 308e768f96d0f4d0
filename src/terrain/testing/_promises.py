"""The checks of :class:`~terrain.testing.contract.PlatformContract` that go past the happy path.

What the plugin documentation promises and a plugin author cannot see by
publishing once: errors mapped to the right :class:`~terrain.errors.PlatformError`
subclass (the **fault suite**, driven by the ``fail_next`` fixture the author
implements against their fake), a post whose answer was lost found again,
threads and their ``part_ids``, deleting twice, no secret in any message or
``repr``, and concurrent calls for a platform that declares
``thread_safe = True``.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import attrs
import pytest

from terrain.errors import (
    AuthError,
    NotFound,
    PlatformError,
    RateLimited,
    Rejected,
    TransientError,
)
from terrain.posts import Post, Receipt

if TYPE_CHECKING:
    from terrain.plugins import Platform, PlatformFactory, Storage

__all__ = ["FailNext", "NextCall", "PromiseChecks"]

FaultKind = Literal[
    "rate_limited", "server_error", "timeout_before", "timeout_after", "unauthorized", "rejected"
]
CallKind = Literal["publish", "find", "delete"]

#: Secrets shorter than this are not looked for (no real token is that short).
MIN_SECRET = 8


@attrs.frozen
class NextCall:
    """How the platform's next call of ``method`` must go wrong (asked of ``fail_next``).

    ``method`` names the kind of call: for ``"publish"`` the request that
    *creates* the post (not a media upload or a sign-in before it), for
    ``"find"`` the request that lists or looks up posts, for ``"delete"`` the
    request that deletes one. ``kind``:

    - ``"rate_limited"``: answer 429 announcing a reset ``retry_after``
      seconds from now, the way the network announces it (a header);
    - ``"server_error"``: answer ``status`` (503 unless given);
    - ``"timeout_before"``: give no answer before the client's timeout, and
      do not record the post;
    - ``"timeout_after"``: record the post, then give no answer before the
      client's timeout (the post is out, the client does not know);
    - ``"unauthorized"``: answer 401, as for an expired token;
    - ``"rejected"``: answer ``status`` (422 unless given) refusing the content.
    """

    kind: FaultKind
    method: CallKind = "publish"
    retry_after: float | None = None
    status: int | None = None

    @classmethod
    def rate_limited(cls, retry_after: float = 120.0, method: CallKind = "publish") -> NextCall:
        """429 with a reset ``retry_after`` seconds away."""
        return cls("rate_limited", method, retry_after=retry_after, status=429)

    @classmethod
    def server_error(cls, status: int = 503, method: CallKind = "publish") -> NextCall:
        """A 5xx answer."""
        return cls("server_error", method, status=status)

    @classmethod
    def timeout_before(cls, method: CallKind = "publish") -> NextCall:
        """No answer in time; nothing recorded."""
        return cls("timeout_before", method)

    @classmethod
    def timeout_after(cls) -> NextCall:
        """The post is recorded, then no answer in time."""
        return cls("timeout_after", "publish")

    @classmethod
    def unauthorized(cls, method: CallKind = "publish") -> NextCall:
        """401: the token expired."""
        return cls("unauthorized", method, status=401)

    @classmethod
    def rejected(cls, status: int = 422) -> NextCall:
        """400 or 422: the network refuses this content."""
        return cls("rejected", "publish", status=status)


#: What the ``fail_next`` fixture returns: a function that arms the fault.
FailNext = Callable[[NextCall], None]


class PromiseChecks:
    """Mixed into :class:`~terrain.testing.contract.PlatformContract`."""

    # provided by PlatformContract
    make_post: Callable[..., Post]

    @pytest.fixture
    def fail_next(self) -> FailNext | None:
        """The fault suite's hook: override it to return a function that makes your
        fake answer the platform's next call as a :class:`NextCall` says. ``None``
        (the default) skips the fault suite."""
        return None

    # -- helpers -------------------------------------------------------------------

    @staticmethod
    def _secrets(secret_env: Mapping[str, str]) -> list[str]:
        return [v for v in secret_env.values() if isinstance(v, str) and len(v) >= MIN_SECRET]

    def assert_no_secret(self, secret_env: Mapping[str, str], *texts: object) -> None:
        """No value of ``secret_env`` in the ``str`` or ``repr`` of ``texts``."""
        for secret in self._secrets(secret_env):
            for text in texts:
                for shown in (str(text), repr(text)):
                    assert secret not in shown, f"a secret shows in {shown[:200]!r}"

    def _expect(
        self,
        platform: Platform,
        fail_next: FailNext | None,
        secret_env: Mapping[str, str],
        call: NextCall,
        error: type[PlatformError],
        action: Callable[[], object],
    ) -> PlatformError:
        if fail_next is None:
            pytest.skip("no fault suite: override the fail_next fixture to run it")
        fail_next(call)
        with pytest.raises(PlatformError) as caught:
            action()
        exc = caught.value
        assert isinstance(exc, error), (
            f"{call.kind} on {call.method} raised {type(exc).__name__}: {exc}; "
            f"expected {error.__name__}"
        )
        assert str(exc).strip(), "the error says nothing"
        self.assert_no_secret(secret_env, exc, exc.__cause__, exc.__context__)
        return exc

    # -- the fault suite -------------------------------------------------------------

    def test_fault_429_on_publish_is_rate_limited_with_retry_after(
        self, platform: Platform, fail_next: FailNext | None, secret_env: Mapping[str, str]
    ) -> None:
        post = self.make_post(platform)
        exc = self._expect(
            platform,
            fail_next,
            secret_env,
            NextCall.rate_limited(120.0),
            RateLimited,
            lambda: platform.publish(post),
        )
        assert isinstance(exc, RateLimited)
        assert exc.retryable
        assert exc.retry_after is not None, "the 429 announced a reset: give retry_after"
        assert 0 <= exc.retry_after <= 2 * 24 * 3600
        assert platform.find(post) is None

    @pytest.mark.parametrize("status", [500, 502, 503])
    def test_fault_5xx_on_publish_is_transient(
        self,
        platform: Platform,
        fail_next: FailNext | None,
        secret_env: Mapping[str, str],
        status: int,
    ) -> None:
        post = self.make_post(platform)
        exc = self._expect(
            platform,
            fail_next,
            secret_env,
            NextCall.server_error(status),
            TransientError,
            lambda: platform.publish(post),
        )
        assert exc.retryable
        assert platform.find(post) is None
        assert platform.publish(post).post_id == post.id, "a retry after a 5xx publishes"

    def test_fault_timeout_before_the_server_records_is_transient_and_find_is_none(
        self, platform: Platform, fail_next: FailNext | None, secret_env: Mapping[str, str]
    ) -> None:
        post = self.make_post(platform)
        exc = self._expect(
            platform,
            fail_next,
            secret_env,
            NextCall.timeout_before(),
            TransientError,
            lambda: platform.publish(post),
        )
        assert exc.retryable
        assert platform.find(post) is None
        receipt = platform.publish(post)
        found = platform.find(post)
        assert found is not None
        assert found.remote_id == receipt.remote_id

    def test_fault_timeout_after_the_server_records_is_transient_and_find_recovers_the_post(
        self, platform: Platform, fail_next: FailNext | None, secret_env: Mapping[str, str]
    ) -> None:
        """The answer was lost but the post is out: ``find`` must say so, or the
        runner would publish it twice."""
        post = self.make_post(platform)
        exc = self._expect(
            platform,
            fail_next,
            secret_env,
            NextCall.timeout_after(),
            TransientError,
            lambda: platform.publish(post),
        )
        assert exc.retryable
        found = platform.find(post)
        assert found is not None, "find() did not recover a post whose answer was lost"
        assert found.post_id == post.id
        if platform.capabilities.delete:
            platform.delete(found)
            assert platform.find(post) is None

    def test_fault_401_on_publish_is_an_auth_error(
        self, platform: Platform, fail_next: FailNext | None, secret_env: Mapping[str, str]
    ) -> None:
        post = self.make_post(platform)
        exc = self._expect(
            platform,
            fail_next,
            secret_env,
            NextCall.unauthorized(),
            AuthError,
            lambda: platform.publish(post),
        )
        assert not exc.retryable
        assert isinstance(exc, PermissionError)

    @pytest.mark.parametrize("status", [400, 422])
    def test_fault_4xx_on_publish_is_rejected(
        self,
        platform: Platform,
        fail_next: FailNext | None,
        secret_env: Mapping[str, str],
        status: int,
    ) -> None:
        post = self.make_post(platform)
        exc = self._expect(
            platform,
            fail_next,
            secret_env,
            NextCall.rejected(status),
            Rejected,
            lambda: platform.publish(post),
        )
        assert not exc.retryable
        assert platform.find(post) is None

    @pytest.mark.parametrize(
        ("call", "error"),
        [
            (NextCall.rate_limited(60.0, method="find"), RateLimited),
            (NextCall.server_error(503, method="find"), TransientError),
            (NextCall.timeout_before(method="find"), TransientError),
            (NextCall.unauthorized(method="find"), AuthError),
        ],
        ids=["429", "503", "timeout", "401"],
    )
    def test_fault_on_find_is_mapped_too(
        self,
        platform: Platform,
        fail_next: FailNext | None,
        secret_env: Mapping[str, str],
        call: NextCall,
        error: type[PlatformError],
    ) -> None:
        """The runner calls ``find`` after every failure: its own failures must say
        whether to retry."""
        post = self.make_post(platform)
        self._expect(platform, fail_next, secret_env, call, error, lambda: platform.find(post))

    @pytest.mark.parametrize(
        ("call", "error"),
        [
            (NextCall.server_error(503, method="delete"), TransientError),
            (NextCall.unauthorized(method="delete"), AuthError),
        ],
        ids=["503", "401"],
    )
    def test_fault_on_delete_is_mapped_and_the_post_stays(
        self,
        platform: Platform,
        fail_next: FailNext | None,
        secret_env: Mapping[str, str],
        call: NextCall,
        error: type[PlatformError],
    ) -> None:
        if not platform.capabilities.delete:
            pytest.skip(f"{platform.name} declares it cannot delete")
        post = self.make_post(platform)
        receipt = platform.publish(post)
        self._expect(platform, fail_next, secret_env, call, error, lambda: platform.delete(receipt))
        assert platform.find(post) is not None
        platform.delete(receipt)
        assert platform.find(post) is None

    # -- threads, deleting twice -------------------------------------------------------

    def test_thread_is_published_with_its_parts_and_found_again(self, platform: Platform) -> None:
        if not platform.capabilities.threads:
            pytest.skip(f"{platform.name} has no threads")
        post = self.make_post(platform, thread=["Deuxième partie du fil.", "Et la troisième."])
        receipt = platform.publish(post)
        assert receipt.remote_id not in receipt.part_ids
        assert len(set(receipt.part_ids)) == len(receipt.part_ids)
        found = platform.find(post)
        assert found is not None
        assert found.remote_id == receipt.remote_id
        assert found.part_ids == receipt.part_ids, "find() must name the same parts"

    def test_deleting_a_thread_deletes_its_replies(self, platform: Platform) -> None:
        caps = platform.capabilities
        if not (caps.threads and caps.delete):
            pytest.skip(f"{platform.name} has no threads or cannot delete")
        post = self.make_post(platform, thread=["Une réponse à effacer aussi."])
        platform.delete(platform.publish(post))
        assert platform.find(post) is None
        alone = self.make_post(platform, text="Une réponse à effacer aussi.")
        assert platform.find(alone) is None, "a reply of the deleted thread is still there"

    def test_deleting_twice_is_quiet_or_not_found(self, platform: Platform) -> None:
        """A takedown run again finds the post already gone: that is success, so the
        second delete returns quietly or raises NotFound, never another error."""
        if not platform.capabilities.delete:
            pytest.skip(f"{platform.name} declares it cannot delete")
        post = self.make_post(platform)
        receipt = platform.publish(post)
        platform.delete(receipt)
        with contextlib.suppress(NotFound):  # quiet or NotFound: both say "gone"
            platform.delete(receipt)
        assert platform.find(post) is None

    # -- secrets ---------------------------------------------------------------------

    def test_no_secret_in_reprs_messages_or_log_lines(
        self,
        factory: PlatformFactory,
        platform: Platform,
        storage: Storage,
        secret_env: Mapping[str, str],
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG)
        caps = platform.capabilities
        post = self.make_post(platform)
        receipt = platform.publish(post)
        found = platform.find(post)
        refused = self.make_post(platform, text="a" * (caps.max_text_length + 1))
        with pytest.raises(PlatformError) as caught:
            platform.publish(refused)
        if caps.delete:
            platform.delete(receipt)
        shown: list[object] = [factory, platform, receipt, found, caught.value]
        self.assert_no_secret(secret_env, *shown)
        for secret in self._secrets(secret_env):
            for record in caplog.records:
                assert secret not in record.getMessage(), f"a secret in the log of {record.name}"

    # -- threads of the runner ---------------------------------------------------------

    def test_concurrent_calls_when_declared_thread_safe(self, platform: Platform) -> None:
        """terrain calls a platform from several worker threads when its policy's
        ``concurrency`` is above 1; a platform saying ``thread_safe = True`` must
        take it."""
        if not getattr(platform, "thread_safe", False):
            pytest.skip(f"{platform.name} does not declare thread_safe = True")
        posts = [self.make_post(platform, text=f"Message {i} de la rencontre.") for i in range(6)]
        receipts: dict[str, Receipt] = {}
        errors: list[BaseException] = []
        lock = threading.Lock()

        def run(action: Callable[[Post], Any], items: list[Post]) -> None:
            def one(item: Post) -> None:
                try:
                    result = action(item)
                except BaseException as exc:
                    with lock:
                        errors.append(exc)
                    return
                if isinstance(result, Receipt):
                    with lock:
                        receipts[item.id] = result

            threads = [threading.Thread(target=one, args=(p,)) for p in items]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)

        run(platform.publish, posts)
        assert errors == []
        assert len({r.remote_id for r in receipts.values()}) == len(posts)
        found = {p.id: platform.find(p) for p in posts}
        for post in posts:
            assert found[post.id] is not None
            assert found[post.id].remote_id == receipts[post.id].remote_id  # type: ignore[union-attr]
        if platform.capabilities.delete:
            by_id = {p.id: p for p in posts}
            run(lambda p: platform.delete(receipts[p.id]), list(by_id.values()))
            assert errors == []
            assert all(platform.find(p) is None for p in posts)

