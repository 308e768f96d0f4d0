"""Keep tokens out of error messages and log lines.

facebook-sdk puts the access token in the query string of every GET and
DELETE, so it shows up in ``requests``/``urllib3`` error messages and debug
logs; ``requests_oauthlib`` logs the OAuth 1.0a headers (with the access
token) at debug level. Adapters register each secret value they use with
:func:`register`; :func:`redact` scrubs text before it goes into an
exception, and a :class:`logging.Filter` installed on the loggers of those
libraries scrubs their records before any handler sees them.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "MIN_SECRET_LENGTH", "redact", "register"]

MASK = "***"
#: Shorter values are not masked: no real token is that short, and masking a
#: one-letter "secret" would garble every message it appears in.
MIN_SECRET_LENGTH = 8

# Loggers of the libraries under our adapters that may format a URL, a header
# or a signature base string holding a token.
_LOGGERS = (
    "urllib3.connectionpool",
    "urllib3.util.retry",
    "requests_oauthlib.oauth1_auth",
    "oauthlib.oauth1.rfc5849",
    "tweepy.client",
)


class _RedactingFilter(logging.Filter):
    """Rewrites a record whose rendered message contains a registered secret."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._forms: frozenset[str] = frozenset()

    def add(self, value: str) -> None:
        if len(value) < MIN_SECRET_LENGTH:
            return  # masking "k" everywhere would garble every message, and hide nothing
        forms = {value, quote(value, safe=""), quote_plus(value, safe="")}
        with self._lock:
            self._forms = self._forms | {f for f in forms if f}

    def redact(self, text: str) -> str:
        # longest first, so that an encoded form is not half-replaced by a shorter one
        for form in sorted(self._forms, key=len, reverse=True):
            if form in text:
                text = text.replace(form, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix; keep it as is
            return True
        clean = self.redact(message)
        if clean != message:
            record.msg = clean
            record.args = None
        return True


_FILTER = _RedactingFilter()
_installed = False
_install_lock = threading.Lock()


def register(value: str) -> None:
    """Remember ``value`` as a secret: :func:`redact` and the log filter mask it."""
    global _installed
    _FILTER.add(value)
    with _install_lock:
        if not _installed:
            for name in _LOGGERS:
                logging.getLogger(name).addFilter(_FILTER)
            _installed = True


def redact(text: object) -> str:
    """``str(text)`` with every registered secret (raw or URL-encoded) masked."""
    return _FILTER.redact(str(text))
