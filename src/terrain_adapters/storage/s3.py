"""S3 (and S3-compatible: MinIO, Ceph, Scaleway…) storage through boto3.

Settings (``[storage]`` in ``terrain.toml``, with ``backend = "s3"``):
``bucket`` (required), ``prefix`` (a folder inside the bucket), ``region``,
``endpoint_url`` (for S3-compatible stores), ``addressing_style``
(``"auto"``, ``"path"`` — MinIO usually wants it — or ``"virtual"``),
``connect_timeout`` and ``read_timeout`` in seconds.

Credentials come from the standard AWS chain (``AWS_ACCESS_KEY_ID`` /
``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE``, an instance role…), never from
``terrain.toml``. :meth:`S3Storage.public_url` gives presigned ``GET`` URLs,
which is what Instagram needs to fetch images. boto3 (the ``s3`` extra) is
imported when a storage is built, not when this module is imported.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, NoReturn, cast

from terrain.errors import ConfigError, NotFound, StorageError
from terrain.plugins import check_storage_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from terrain.plugins import Storage, StorageContext

__all__ = ["MAX_PRESIGN_SECONDS", "S3Storage", "S3StorageFactory"]

MAX_PRESIGN_SECONDS = 7 * 24 * 3600  # SigV4 presigned URLs live at most a week
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})


class S3Storage:
    """Bytes by key in one bucket, under an optional prefix."""

    name = "s3"

    def __init__(self, client: S3Client, *, bucket: str, prefix: str = "") -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = _normalize_prefix(prefix)

    def __repr__(self) -> str:
        return f"S3Storage(bucket={self._bucket!r}, prefix={self._prefix!r})"

    def put(self, key: str, data: bytes) -> None:
        """Store ``data`` under ``key`` (an S3 PUT is atomic: readers see old or new)."""
        with self._errors("put", key):
            self._client.put_object(Bucket=self._bucket, Key=self._full(key), Body=bytes(data))

    def get(self, key: str) -> bytes:
        """The bytes under ``key``; :class:`~terrain.errors.NotFound` if absent."""
        full = self._full(key)
        with self._errors("get", key):
            answer = self._client.get_object(Bucket=self._bucket, Key=full)
            return answer["Body"].read()

    def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens if it is absent."""
        with self._errors("delete", key):
            self._client.delete_object(Bucket=self._bucket, Key=self._full(key))

    def list(self, prefix: str = "") -> Iterator[str]:
        """Every key that starts with ``prefix``, sorted."""
        if prefix:
            _check_prefix(prefix)
        keys: list[str] = []
        with self._errors("list", prefix or "(all)"):
            paginator = self._client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self._bucket, Prefix=self._prefix + prefix):
                for item in page.get("Contents", []):
                    name = item.get("Key", "")
                    if name.startswith(self._prefix):
                        keys.append(name[len(self._prefix) :])
        return iter(sorted(keys))

    def exists(self, key: str) -> bool:
        """Whether ``key`` is stored."""
        try:
            with self._errors("check", key):
                self._client.head_object(Bucket=self._bucket, Key=self._full(key))
        except NotFound:
            return False
        return True

    def public_url(self, key: str, *, expires_in: int = 3600) -> str | None:
        """A presigned ``GET`` URL for ``key``, valid ``expires_in`` seconds (at most 7 days)."""
        if isinstance(expires_in, bool) or not 1 <= expires_in <= MAX_PRESIGN_SECONDS:
            raise ValueError(
                f"expires_in={expires_in!r}: a presigned URL lives 1 to "
                f"{MAX_PRESIGN_SECONDS} seconds"
            )
        with self._errors("presign", key):
            return self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": self._full(key)},
                ExpiresIn=expires_in,
            )

    # -- helpers ---------------------------------------------------------------

    def _full(self, key: str) -> str:
        check_storage_key(key)
        return self._prefix + key

    @contextmanager
    def _errors(self, what: str, key: str) -> Iterator[None]:
        """Turn botocore failures into terrain's storage errors."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (ClientError, BotoCoreError) as exc:
            self._raise(exc, what, key)

    def _raise(self, exc: BaseException, what: str, key: str) -> NoReturn:
        from botocore.exceptions import (
            ClientError,
            EndpointConnectionError,
            NoCredentialsError,
        )

        where = f"s3://{self._bucket}/{self._prefix}{key}"
        if isinstance(exc, ClientError):
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            if code in _MISSING:
                raise NotFound(f"{where} does not exist") from None
            if code == "NoSuchBucket":
                raise StorageError(
                    f"could not {what} {where}: bucket {self._bucket!r} does not exist; "
                    "create it or fix [storage] bucket"
                ) from None
            if code in {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"}:
                raise StorageError(
                    f"could not {what} {where}: access denied ({code}); check the AWS "
                    "credentials (AWS_PROFILE or AWS_ACCESS_KEY_ID…) and the bucket policy"
                ) from None
            raise StorageError(
                f"could not {what} {where}: {code} {error.get('Message', '')}".rstrip()
            ) from None
        if isinstance(exc, NoCredentialsError):
            raise StorageError(
                f"could not {what} {where}: no AWS credentials found; set AWS_PROFILE or "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (never in terrain.toml)"
            ) from None
        if isinstance(exc, EndpointConnectionError):
            raise StorageError(
                f"could not {what} {where}: cannot reach the S3 endpoint; check "
                "[storage] endpoint_url and the network"
            ) from None
        raise StorageError(f"could not {what} {where}: {type(exc).__name__}: {exc}") from None


def _normalize_prefix(prefix: str) -> str:
    prefix = prefix.strip("/")
    if not prefix:
        return ""
    check_storage_key(prefix)
    return prefix + "/"


def _check_prefix(prefix: str) -> None:
    # a listing prefix may end with "/" (a folder) but is otherwise a key
    check_storage_key(prefix.rstrip("/") or prefix)


def _text(settings: Mapping[str, Any], key: str) -> str | None:
    value = settings.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"[storage] {key} = {value!r}: give a non-empty string")
    return value.strip()


def _seconds(settings: Mapping[str, Any], key: str, default: float) -> float:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 600:
        raise ConfigError(f"[storage] {key} = {value!r}: give a number of seconds from 0 to 600")
    return float(value)


class S3StorageFactory:
    """Builds the ``s3`` storage from the ``[storage]`` table of ``terrain.toml``."""

    name = "s3"

    def __call__(self, context: StorageContext) -> Storage:
        """An :class:`S3Storage` with a boto3 client using the standard AWS credential chain."""
        settings = context.settings
        bucket = _text(settings, "bucket")
        if bucket is None:
            raise ConfigError('[storage] bucket is missing: set bucket = "<bucket name>"')
        style = _text(settings, "addressing_style") or "auto"
        if style not in {"auto", "path", "virtual"}:
            raise ConfigError(
                f'[storage] addressing_style = {style!r}: use "auto", "path" or "virtual"'
            )
        try:
            import boto3
            from botocore.config import Config
        except ImportError:
            raise ConfigError(
                "the s3 storage needs boto3: pip install 'terrain-field[s3]'"
            ) from None
        config = Config(
            connect_timeout=_seconds(settings, "connect_timeout", 10),
            read_timeout=_seconds(settings, "read_timeout", 60),
            retries={"max_attempts": 3, "mode": "standard"},
            s3={"addressing_style": cast(Literal["auto", "path", "virtual"], style)},
            signature_version="s3v4",
        )
        client = boto3.session.Session().client(
            "s3",
            region_name=_text(settings, "region"),
            endpoint_url=_text(settings, "endpoint_url"),
            config=config,
        )
        return S3Storage(client, bucket=bucket, prefix=_text(settings, "prefix") or "")
