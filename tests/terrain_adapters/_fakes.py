"""Small helpers for the adapter tests: a dict storage and what a leak looks like.

The storage here stands in for the workspace's media store (a protocol
fake at the edge); the adapters and the client libraries run for real.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime

from terrain.errors import InvalidKey, NotFound

SENTINEL = "SENTINEL-TOKEN-123"
FIXED_NOW = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)

def _picture(fmt: str) -> bytes:
    """A small real picture without metadata: what ``terrain content import`` stores
    (media leave through :func:`terrain.media.clean_media`, which refuses anything else)."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 40, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


JPEG = _picture("JPEG")
PNG = _picture("PNG")


def fixed_clock() -> datetime:
    return FIXED_NOW


class DictStorage:
    """Bytes in a dict; ``public_base`` set means it can give public URLs."""

    name = "dict"

    def __init__(self, public_base: str | None = None) -> None:
        self.files: dict[str, bytes] = {}
        self._public = public_base

    def put(self, key: str, data: bytes) -> None:
        if not key or key.startswith("/") or ".." in key.split("/"):
            raise InvalidKey(key)
        self.files[key] = data

    def get(self, key: str) -> bytes:
        try:
            return self.files[key]
        except KeyError:
            raise NotFound(key) from None

    def delete(self, key: str) -> None:
        self.files.pop(key, None)

    def list(self, prefix: str = "") -> Iterator[str]:
        return iter(sorted(k for k in self.files if k.startswith(prefix)))

    def exists(self, key: str) -> bool:
        return key in self.files

    def public_url(self, key: str, *, expires_in: int = 3600) -> str | None:
        return None if self._public is None else f"{self._public}/{key}"


def leaks(secret: str, exc: BaseException | None, records: list[logging.LogRecord]) -> list[str]:
    """Every place ``secret`` shows up: the exception, its printed traceback, log lines."""
    found: list[str] = []
    if exc is not None:
        if secret in str(exc) or secret in repr(exc):
            found.append(f"exception: {exc!r}")
        if secret in "".join(traceback.format_exception(exc)):
            found.append("printed traceback")
    for record in records:
        if secret in record.getMessage():
            found.append(f"log {record.name}: {record.getMessage()[:200]}")
    return found


def form_of(request: object) -> dict[str, str | bytes]:
    """The fields of a form-encoded or multipart request body (files as bytes)."""
    from urllib.parse import parse_qsl

    headers = getattr(request, "headers", {})
    body = getattr(request, "body", b"") or b""
    content_type = headers.get("Content-Type", "")
    if isinstance(body, str):
        body = body.encode()
    if content_type.startswith("multipart/form-data"):
        boundary = content_type.split("boundary=", 1)[1].encode()
        fields: dict[str, str | bytes] = {}
        for part in body.split(b"--" + boundary):
            if b"\r\n\r\n" not in part:
                continue
            head, _, value = part.partition(b"\r\n\r\n")
            value = value.removesuffix(b"\r\n")
            name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
            fields[name] = value if b"filename=" in head else value.decode()
        return fields
    return dict(parse_qsl(body.decode(), keep_blank_values=True))
