"""Media upload to X API v2, on the same OAuth 1.0a credentials as tweepy.

tweepy 4.17 has no v2 media upload (``API.media_upload`` calls the retired
v1.1 ``upload.twitter.com`` endpoint), so this helper sends the requests
itself over tweepy's own :class:`requests.Session`, signed by the
:class:`requests_oauthlib.OAuth1` object tweepy builds
(``OAuth1UserHandler(...).apply_auth()``):

- simple upload (files up to ``simple_limit``, 5 MB by default):
  ``POST /2/media/upload`` multipart with ``media`` and ``media_category``;
- chunked upload for larger files: ``POST /2/media/upload/initialize`` (JSON
  ``media_type``, ``total_bytes``, ``media_category``), one
  ``POST /2/media/upload/{id}/append`` per chunk (multipart ``media``,
  ``segment_index``), ``POST /2/media/upload/{id}/finalize``, then
  ``GET /2/media/upload?command=STATUS&media_id=…`` while X says it is processing;
- alt text: ``POST /2/media/metadata`` with
  ``{"id": …, "metadata": {"alt_text": {"text": …}}}``.

Every request has a timeout. A non-2xx answer raises the same tweepy
exception tweepy's client would (``TooManyRequests`` with ``reset_time`` from
``x-rate-limit-reset``, ``Forbidden``, ``TwitterServerError``…), so the
adapter maps errors in one place.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests
    from requests.auth import AuthBase

__all__ = ["MediaUploader"]

API_BASE = "https://api.x.com"
SIMPLE_LIMIT = 5 * 1024 * 1024
CHUNK_SIZE = 4 * 1024 * 1024


def category_of(media_type: str) -> str:
    """X's ``media_category`` for a MIME type."""
    if media_type == "image/gif":
        return "tweet_gif"
    if media_type.startswith("video/"):
        return "tweet_video"
    return "tweet_image"


class MediaUploader:
    """Uploads media and sets alt text; returns X media ids (strings)."""

    def __init__(
        self,
        session: requests.Session,
        auth: AuthBase,
        *,
        timeout: float | tuple[float, float],
        base_url: str = API_BASE,
        simple_limit: int = SIMPLE_LIMIT,
        chunk_size: int = CHUNK_SIZE,
        status_checks: int = 10,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._session = session
        self._auth = auth
        self._timeout = timeout
        self._base = base_url.rstrip("/")
        self._simple_limit = simple_limit
        self._chunk_size = chunk_size
        self._status_checks = status_checks
        self._sleep = sleep

    def upload(self, data: bytes, media_type: str) -> str:
        """Upload ``data`` and return its media id (simple or chunked by size)."""
        category = category_of(media_type)
        if len(data) <= self._simple_limit:
            answer = self._send(
                "POST",
                "/2/media/upload",
                files={"media": ("media", data, media_type)},
                data={"media_category": category},
            )
            return self._media_id(answer)
        answer = self._send(
            "POST",
            "/2/media/upload/initialize",
            json={"media_type": media_type, "total_bytes": len(data), "media_category": category},
        )
        media_id = self._media_id(answer)
        for index, start in enumerate(range(0, len(data), self._chunk_size)):
            chunk = data[start : start + self._chunk_size]
            self._send(
                "POST",
                f"/2/media/upload/{media_id}/append",
                files={"media": ("chunk", chunk, "application/octet-stream")},
                data={"segment_index": str(index)},
            )
        answer = self._send("POST", f"/2/media/upload/{media_id}/finalize")
        self._wait_processed(media_id, answer)
        return media_id

    def set_alt_text(self, media_id: str, alt_text: str) -> None:
        """Attach ``alt_text`` to an uploaded media."""
        self._send(
            "POST",
            "/2/media/metadata",
            json={"id": media_id, "metadata": {"alt_text": {"text": alt_text}}},
        )

    # -- internals ---------------------------------------------------------------

    def _wait_processed(self, media_id: str, answer: dict[str, Any]) -> None:
        import tweepy

        info = (answer.get("data") or {}).get("processing_info")
        for _ in range(self._status_checks):
            if not info or info.get("state") == "succeeded":
                return
            if info.get("state") == "failed":
                error = info.get("error") or {}
                raise tweepy.TweepyException(
                    f"X could not process media {media_id}: "
                    f"{error.get('message') or error.get('name') or 'unknown error'}"
                )
            self._sleep(float(info.get("check_after_secs") or 1))
            answer = self._send(
                "GET", "/2/media/upload", params={"command": "STATUS", "media_id": media_id}
            )
            info = (answer.get("data") or {}).get("processing_info")
        if info and info.get("state") != "succeeded":
            raise TimeoutError(f"X is still processing media {media_id}")

    @staticmethod
    def _media_id(answer: dict[str, Any]) -> str:
        data = answer.get("data") or {}
        media_id = data.get("id") or data.get("media_id") or answer.get("media_id_string")
        if not media_id:
            import tweepy

            raise tweepy.TweepyException("X accepted the upload but returned no media id")
        return str(media_id)

    def _send(self, method: str, route: str, **kwargs: Any) -> dict[str, Any]:
        import tweepy.errors as errors

        response = self._session.request(
            method, self._base + route, auth=self._auth, timeout=self._timeout, **kwargs
        )
        status = response.status_code
        if status == 400:
            raise errors.BadRequest(response)
        if status == 401:
            raise errors.Unauthorized(response)
        if status == 403:
            raise errors.Forbidden(response)
        if status == 404:
            raise errors.NotFound(response)
        if status == 429:
            reset = response.headers.get("x-rate-limit-reset")
            raise errors.TooManyRequests(
                response, reset_time=int(reset) if reset and reset.isdigit() else None
            )
        if status >= 500:
            raise errors.TwitterServerError(response)
        if not 200 <= status < 300:
            raise errors.HTTPException(response)
        if not response.content:
            return {}
        try:
            body = response.json()
        except ValueError:
            return {}
        return body if isinstance(body, dict) else {}
