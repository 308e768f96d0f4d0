"""The Graph API client shared by the Facebook Page and Instagram adapters.

It wraps one :class:`facebook.GraphAPI` (facebook-sdk 3.1) and adds what the
SDK lacks:

- **the version**: the SDK's constructor only accepts versions up to 3.1
  (``VALID_API_VERSIONS``), all retired; we build the client without one and
  set ``.version`` (``"v23.0"`` unless ``graph_version`` says otherwise);
- **timeouts**: ``GraphAPI(timeout=...)`` is passed to every request;
- **errors**: :class:`facebook.GraphAPIError` and ``requests`` failures become
  :class:`~terrain.errors.PlatformError` subclasses (code 190 → ``AuthError``,
  4/17/32/613 and 80001–80014 → ``RateLimited``, 1/2 or ``is_transient`` or an
  HTTP 5xx → ``TransientError``, other codes → ``Rejected``);
- **secrecy**: the SDK puts ``access_token`` in the query string of GET and
  DELETE requests, so every message is passed through
  :func:`terrain_adapters._redact.redact` and the exception chain is cut
  (``from None``) so a traceback cannot show the original URL.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, Any

from terrain.errors import (
    AuthError,
    ConfigError,
    PlatformError,
    RateLimited,
    Rejected,
    TransientError,
)
from terrain.secrets import Secret
from terrain_adapters import _redact
from terrain_adapters._claims import Claims
from terrain_adapters._shared import http_timeout, traced

if TYPE_CHECKING:
    import requests

__all__ = [
    "DEFAULT_GRAPH_VERSION",
    "DEFAULT_TIMEOUT",
    "GraphClient",
    "created_id",
    "find_latest",
    "graph_settings",
    "graph_time",
    "numeric_id",
]

log = logging.getLogger("terrain_adapters.graph")

DEFAULT_GRAPH_VERSION = "v23.0"
DEFAULT_TIMEOUT = 30.0
GRAPH_URL = "https://graph.facebook.com/"

_VERSION = re.compile(r"^v\d{1,3}\.\d{1,2}$")
_AUTH_CODES = frozenset({190, 102, 10}) | frozenset(range(200, 300))
_RATE_CODES = frozenset({4, 17, 32, 613}) | frozenset(range(80001, 80015))
_TRANSIENT_CODES = frozenset({1, 2})


def graph_settings(settings: Mapping[str, Any], *, table: str) -> tuple[str, float]:
    """``(graph_version, timeout)`` read from a ``[platforms.<table>]`` table."""
    version = settings.get("graph_version", DEFAULT_GRAPH_VERSION)
    if not isinstance(version, str) or not _VERSION.match(version):
        raise ConfigError(
            f"[platforms.{table}] graph_version = {version!r}: give a Graph API version "
            f'such as "{DEFAULT_GRAPH_VERSION}" (with the leading "v")'
        )
    timeout = settings.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(
            f"[platforms.{table}] timeout = {timeout!r}: give a number of seconds above 0"
        )
    return version, float(timeout)


class GraphClient:
    """One Graph API client for one access token, with errors mapped and redacted.

    ``platform`` names the adapter in error messages; ``token_variable`` is the
    environment variable to fix when the token is refused.
    """

    def __init__(
        self,
        token: Secret | Callable[[], Secret],
        *,
        platform: str,
        token_variable: str,
        version: str = DEFAULT_GRAPH_VERSION,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.platform = platform
        self.version = version
        self._token = token
        self._token_variable = token_variable
        self._timeout = timeout
        self._last = threading.local()
        self._lock = threading.Lock()
        self._client: Any = None

    def _api(self) -> Any:
        """The facebook-sdk client, built at the first call (so that a platform can
        be built, e.g. for a dry run, without the token in the environment)."""
        with self._lock:
            if self._client is None:
                import facebook  # lazy: facebook-sdk and requests load at the first call
                import requests

                try:
                    token = self._token() if callable(self._token) else self._token
                except ConfigError as exc:  # MissingSecret, or a credentials file others can read
                    raise AuthError(f"{self.platform}: {exc}", platform=self.platform) from None
                session = requests.Session()
                session.hooks["response"].append(self._remember_status)
                _redact.register(token.reveal())
                client = facebook.GraphAPI(
                    access_token=token.reveal(),
                    timeout=http_timeout(self._timeout),
                    session=session,
                )
                # facebook-sdk 3.1 validates versions against a list that ends at 3.1:
                # set the served version after construction (see the module docstring).
                client.version = self.version
                self._client = client
            return self._client

    def __repr__(self) -> str:
        return f"GraphClient(platform={self.platform!r}, version={self.version!r})"

    def _remember_status(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last.status = response.status_code
        self._last.headers = dict(response.headers)

    # -- calls -----------------------------------------------------------------

    def get(self, path: str, **args: Any) -> dict[str, Any]:
        """``GET /{version}/{path}`` with query ``args``."""
        with self._mapped(f"GET {path}"):
            return self._dict(self._api().request(f"{self.version}/{path}", args=args))

    def post(self, path: str, **data: Any) -> dict[str, Any]:
        """``POST /{version}/{path}`` with form fields ``data``."""
        with self._mapped(f"POST {path}"):
            return self._dict(
                self._api().request(f"{self.version}/{path}", post_args=_form(data), method="POST")
            )

    def post_file(
        self, path: str, *, data: bytes, filename: str, media_type: str, **fields: Any
    ) -> dict[str, Any]:
        """``POST /{version}/{path}`` as multipart, the file in the ``source`` field."""
        with self._mapped(f"POST {path}"):
            return self._dict(
                self._api().put_photo(
                    image=(filename, data, media_type), album_path=path, **_form(fields)
                )
            )

    def delete(self, object_id: str) -> dict[str, Any]:
        """``DELETE /{version}/{object_id}``."""
        with self._mapped(f"DELETE {object_id}"):
            return self._dict(self._api().delete_object(object_id))

    # -- error mapping -----------------------------------------------------------

    @staticmethod
    def _dict(result: Any) -> dict[str, Any]:
        if isinstance(result, dict):
            return result
        raise TransientError(f"the Graph API answered {type(result).__name__}, not a JSON object")

    @contextmanager
    def _mapped(self, what: str) -> Iterator[None]:
        """One Graph API call: traced at DEBUG, failures as PlatformError subclasses."""
        with traced(log, self.platform, what), self._errors(what):
            yield

    @contextmanager
    def _errors(self, what: str) -> Iterator[None]:
        import facebook
        import requests

        self._last.status = None
        self._last.headers = {}
        try:
            yield
        except facebook.GraphAPIError as exc:
            raise self._from_graph_error(exc, what) from None
        except requests.Timeout:
            raise TransientError(
                f"{self.platform}: {what} timed out; try again later", platform=self.platform
            ) from None
        except requests.ConnectionError as exc:
            raise TransientError(
                f"{self.platform}: {what} could not connect "
                f"({_redact.redact(type(exc).__name__)}); try again later",
                platform=self.platform,
            ) from None
        except requests.RequestException as exc:
            raise TransientError(
                f"{self.platform}: {what} failed: {_redact.redact(exc)}", platform=self.platform
            ) from None
        except (KeyError, ValueError):
            # facebook-sdk reads headers["content-type"] and response.json() unguarded
            status = getattr(self._last, "status", None)
            raise TransientError(
                f"{self.platform}: {what} got an unreadable answer (HTTP {status}); "
                "try again later",
                platform=self.platform,
            ) from None

    def _from_graph_error(self, exc: Any, what: str) -> PlatformError:
        result: dict[str, Any] = exc.result if isinstance(exc.result, dict) else {}
        raw = result.get("error")
        error: dict[str, Any] = raw if isinstance(raw, dict) else {}
        code = exc.code if isinstance(exc.code, int) else error.get("code")
        subcode = error.get("error_subcode")
        message = _redact.redact(exc.message if isinstance(exc.message, str) else exc)
        status = getattr(self._last, "status", None)
        detail = f"{self.platform}: {what} failed (Graph error {code}"
        detail += f"/{subcode}" if subcode else ""
        detail += f"): {message}"
        if code in _AUTH_CODES:
            if code == 190:
                return AuthError(
                    f"{self.platform}: page token expired or invalid: {message}. Generate a new "
                    f"long-lived Page access token and set {self._token_variable}.",
                    platform=self.platform,
                )
            return AuthError(
                f"{detail}. The token in {self._token_variable} lacks a permission this call "
                "needs; see the platform page of the terrain docs.",
                platform=self.platform,
            )
        if code in _RATE_CODES:
            return RateLimited(
                f"{detail}. Wait before publishing again.",
                retry_after=self._retry_after(),
                platform=self.platform,
            )
        if code in _TRANSIENT_CODES or error.get("is_transient") or (status or 0) >= 500:
            return TransientError(f"{detail}; try again later", platform=self.platform)
        return Rejected(detail, platform=self.platform)

    def _retry_after(self) -> float | None:
        """Seconds until access returns, from Meta's usage headers, when they say."""
        headers: dict[str, str] = getattr(self._last, "headers", {}) or {}
        lowered = {k.lower(): v for k, v in headers.items()}
        minutes: list[float] = []
        for name in ("x-business-use-case-usage", "x-ad-account-usage"):
            raw = lowered.get(name)
            if not raw:
                continue
            try:
                usage = json.loads(raw)
            except ValueError:
                continue
            entries = usage.values() if isinstance(usage, dict) else [usage]
            for entry in entries:
                for item in entry if isinstance(entry, list) else [entry]:
                    value = (
                        item.get("estimated_time_to_regain_access")
                        if isinstance(item, dict)
                        else None
                    )
                    if isinstance(value, int | float) and value > 0:
                        minutes.append(float(value))
        return max(minutes) * 60.0 if minutes else None


def object_is_gone(exc: Rejected) -> bool:
    """Whether a refusal of the Graph API says the object does not exist (any more):
    error 100 with subcode 33, or error 803."""
    text = str(exc)
    return "(Graph error 100/33)" in text or "(Graph error 803" in text


def get_unless_gone(graph: GraphClient, object_id: str, **args: Any) -> dict[str, Any] | None:
    """``GET /{object_id}``, or ``None`` when the Graph API says it does not exist (any
    more): a post deleted on the platform (:func:`object_is_gone`)."""
    try:
        return graph.get(object_id, **args)
    except Rejected as exc:
        if object_is_gone(exc):
            return None
        raise


def insights(graph: GraphClient, object_id: str, names: Mapping[str, str]) -> dict[str, int]:
    """The lifetime ``insights`` of ``object_id`` (Graph names → terrain's), those
    the token may read: a metric refused (no permission, too few followers, a
    metric Meta retired) is left out rather than failing the whole reading; the counts
    read before it came with the same token, so a refusal here is about insights."""
    try:
        answer = graph.get(f"{object_id}/insights", metric=",".join(names))
    except (Rejected, AuthError):
        return {}
    out: dict[str, int] = {}
    for entry in answer.get("data") or []:
        if not isinstance(entry, dict) or entry.get("name") not in names:
            continue
        total = entry.get("total_value")
        values = entry.get("values")
        value = (
            total.get("value")
            if isinstance(total, dict)
            else values[0].get("value")
            if isinstance(values, list) and values and isinstance(values[0], dict)
            else None
        )
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            out[names[entry["name"]]] = value
    return out


def numeric_id(settings: Mapping[str, Any], key: str, *, table: str, hint: str) -> str:
    """The numeric Graph id ``key`` of ``[platforms.<table>]`` (a number or a string of
    digits), or :class:`ConfigError` saying where ``hint`` finds it."""
    value = settings.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip().isdigit():
        raise ConfigError(
            f'[platforms.{table}] {key} = {value!r}: set {key} = "<numeric id>" ({hint})'
        )
    return value.strip()


def find_latest(
    graph: GraphClient,
    claims: Claims,
    post_id: str,
    *,
    path: str,
    fields: str,
    limit: int,
    text_field: str,
    text: str,
) -> dict[str, Any] | None:
    """The newest unclaimed item of ``GET path`` whose ``text_field`` is exactly ``text``.

    What ``find`` does on a Page and on Instagram: read the latest ``limit``
    items, match the text this adapter would send, and claim the item for
    ``post_id`` so that two identical posts never share one receipt.
    """
    answer = graph.get(path, fields=fields, limit=limit)
    matches = (
        item
        for item in answer.get("data") or []
        if isinstance(item, dict) and item.get("id") and (item.get(text_field) or "") == text
    )
    item: dict[str, Any] | None = claims.pick(post_id, matches, lambda i: str(i["id"]))
    if item is not None:
        claims.claim(str(item["id"]), post_id)
    return item


def created_id(answer: Mapping[str, Any], what: str, *, platform: str) -> str:
    """The ``id`` of what a Graph call created, or :class:`Rejected` if it gave none."""
    value = answer.get("id")
    if not value:
        raise Rejected(
            f"{platform}: the Graph API created a {what} but returned no id", platform=platform
        )
    return str(value)


def graph_time(value: object) -> datetime | None:
    """Graph's ``2026-03-02T19:04:11+0000`` as an aware datetime (``None`` if it is not one)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def _form(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Form fields as Graph expects them: booleans lower-case, lists/dicts as JSON."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, list | dict):
            out[key] = json.dumps(value, separators=(",", ":"))
        else:
            out[key] = value
    return out
