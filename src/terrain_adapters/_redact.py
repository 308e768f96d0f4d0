"""Keep tokens out of error messages and log lines.

facebook-sdk puts the access token in the query string of every GET and
DELETE, so it shows up in ``requests``/``urllib3`` error messages and debug
logs; ``requests_oauthlib`` logs the OAuth 1.0a headers (with the access
token) at debug level. Adapters register each secret value they use with
:func:`register`; :func:`redact` scrubs text before it goes into an
exception, and a :class:`terrain.secrets.RedactingFilter` installed on the
loggers of those libraries scrubs their records before any handler sees them
(the command line also puts one on its own handler, which sees every record).
The secret values themselves are kept by :mod:`terrain.secrets`, which
remembers every value :meth:`Secret.reveal <terrain.secrets.Secret.reveal>`
gives out.
"""

from __future__ import annotations

import logging
import threading

from terrain.secrets import MASK, MIN_SECRET_LENGTH, RedactingFilter, redact, remember_secret

__all__ = ["MASK", "MIN_SECRET_LENGTH", "redact", "register"]

# Loggers of the libraries under our adapters that may format a URL, a header
# or a signature base string holding a token (a filter on a logger sees only
# that logger's records, so the children that log are named too).
_LOGGERS = (
    "urllib3.connectionpool",
    "urllib3.util.retry",
    "requests_oauthlib.oauth1_auth",
    "requests_oauthlib.oauth1_session",
    "oauthlib.oauth1.rfc5849",
    "oauthlib.oauth1.rfc5849.signature",
    "oauthlib.oauth1.rfc5849.endpoints.base",
    "tweepy.client",
)

_FILTER = RedactingFilter()
_installed = False
_install_lock = threading.Lock()


def register(value: str) -> None:
    """Remember ``value`` as a secret: :func:`redact` and the log filter mask it."""
    global _installed
    remember_secret(value)
    with _install_lock:
        if not _installed:
            for name in _LOGGERS:
                logging.getLogger(name).addFilter(_FILTER)
            _installed = True
