"""``[web]`` and ``[smtp]`` of ``terrain.toml``: the members' web pages and their mail.

::

    [web]     base_url = "https://meetup.example.org"   the address members see (links, QR codes)
              host = "127.0.0.1", port = 8000           where `terrain serve` listens
              link_days = 180                            how long a personal link holds
              rate_limit = 20                            form posts per minute from one address
              session_minutes = 120                      the review desk logs out after this idle
    [smtp]    host, port = 587, username, sender, security = "starttls" | "ssl" | "none",
              timeout = 10; the password comes from $TERRAIN_SMTP_PASSWORD, never the file

Neither table holds a secret: the key that signs the links is
``.terrain/web.key`` (mode 600, made on first use), the SMTP password comes
from the environment.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import attrs

from terrain._validation import email_problem
from terrain.errors import ConfigError

__all__ = ["SMTP_PASSWORD_ENV", "SmtpSettings", "WebSettings", "parse_smtp", "parse_web"]

_WEB_KEYS = ("base_url", "host", "port", "link_days", "rate_limit", "session_minutes")
_SMTP_KEYS = ("host", "port", "username", "sender", "security", "timeout")
#: Where the SMTP password comes from (never terrain.toml).
SMTP_PASSWORD_ENV = "TERRAIN_SMTP_PASSWORD"
_SECURITY = ("starttls", "ssl", "none")

#: ``ErrorAt(table, key, message)``: the config reader's error, naming the line.
ErrorAt = Callable[[str, str | None, str], ConfigError]


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (``127.0.0.1``, ``::1``, ``localhost``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@attrs.frozen
class WebSettings:
    """``[web]``: where ``terrain serve`` listens and the address members see.

    ``base_url`` is what links and QR codes point at (behind a reverse
    proxy: the public ``https://`` address); it defaults to
    ``http://{host}:{port}``. ``host`` is ``127.0.0.1`` unless configured:
    listening on another address is a choice written in terrain.toml.
    """

    base_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    link_days: int = 180
    rate_limit: int = 20
    #: The review desk's session ends after this many minutes without a request (and
    #: twelve hours after login, whatever happens).
    session_minutes: int = 120

    @property
    def public_url(self) -> str:
        """The base of every link, without a trailing ``/``."""
        if self.base_url is not None:
            return self.base_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def secure(self) -> bool:
        """Whether members reach the pages over HTTPS (cookies are then ``Secure``)."""
        return self.public_url.startswith("https://")


@attrs.frozen
class SmtpSettings:
    """``[smtp]``: the mail server that sends members their links."""

    host: str
    sender: str
    port: int = 587
    username: str | None = None
    security: str = "starttls"
    timeout: float = 10.0


def _int(error: ErrorAt, table: str, data: Mapping[str, Any], key: str, low: int, high: int,
         default: int) -> int:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise error(table, key, f"must be a whole number from {low} to {high} (e.g. {key} = "
                                f"{default})")
    return value


def _str(error: ErrorAt, table: str, data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise error(table, key, 'must be text in quotes (e.g. key = "...")')
    return value


def _unknown(error: ErrorAt, table: str, data: Mapping[str, Any], keys: tuple[str, ...]) -> None:
    for key in data:
        if key not in keys:
            hint = ""
            if "pass" in key.lower() or "secret" in key.lower() or "token" in key.lower():
                hint = (f"; the password comes from the environment variable "
                        f"{SMTP_PASSWORD_ENV}, never terrain.toml")
            raise error(table, key, f"unknown key; [{table}] takes {', '.join(keys)}{hint}")


def parse_web(data: Mapping[str, Any], error: ErrorAt) -> WebSettings:
    """``[web]`` (``{}`` when absent), every problem an ``error(table, key, message)``."""
    _unknown(error, "web", data, _WEB_KEYS)
    base_url = _str(error, "web", data, "base_url")
    if base_url is not None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or (
            parts.fragment or parts.username or parts.password
        ):
            raise error("web", "base_url", 'must be an http(s) address with no user, query or '
                        'fragment (e.g. base_url = "https://meetup.example.org")')
    host = _str(error, "web", data, "host") or "127.0.0.1"
    return WebSettings(
        base_url=base_url,
        host=host,
        port=_int(error, "web", data, "port", 1, 65535, 8000),
        link_days=_int(error, "web", data, "link_days", 1, 3650, 180),
        rate_limit=_int(error, "web", data, "rate_limit", 1, 10000, 20),
        session_minutes=_int(error, "web", data, "session_minutes", 5, 720, 120),
    )


def parse_smtp(data: Mapping[str, Any] | None, error: ErrorAt) -> SmtpSettings | None:
    """``[smtp]``, or ``None`` when terrain.toml has none (no mail is sent)."""
    if data is None:
        return None
    _unknown(error, "smtp", data, _SMTP_KEYS)
    host = _str(error, "smtp", data, "host")
    sender = _str(error, "smtp", data, "sender")
    if host is None or sender is None:
        missing = "host" if host is None else "sender"
        raise error("smtp", None, f'{missing} is missing: add a line {missing} = "..."')
    problem = email_problem(sender)
    if problem is not None:
        raise error("smtp", "sender", problem)
    security = _str(error, "smtp", data, "security") or "starttls"
    if security not in _SECURITY:
        raise error("smtp", "security", f"must be one of {', '.join(_SECURITY)}")
    timeout = data.get("timeout", 10)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not 0 < timeout <= 300:
        raise error("smtp", "timeout", "must be a number of seconds from 0 to 300")
    return SmtpSettings(
        host=host,
        sender=sender,
        port=_int(error, "smtp", data, "port", 1, 65535, 465 if security == "ssl" else 587),
        username=_str(error, "smtp", data, "username"),
        security=security,
        timeout=float(timeout),
    )
