"""The registry of secret values behind :func:`terrain.secrets.redact` (see :mod:`terrain.secrets`).

Kept apart from the rest of :mod:`terrain.secrets` (the credentials file and
its TOML, the logging filter) so that what masks printed text imports neither
``logging`` nor ``tomllib``: ``terrain --help`` prints through it. There is
one registry, this module's; :mod:`terrain.secrets` re-exports its names.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "MIN_SECRET_LENGTH", "REDACTOR", "SECRET_NAME", "redact", "remember_secret"]

#: What a masked secret looks like in a message or a log line.
MASK = "***"
#: Shorter values are not masked: no real token is that short, and masking a
#: one-letter "secret" would garble every message it appears in.
MIN_SECRET_LENGTH = 8
#: A setting or variable name that says its value is a secret.
SECRET_NAME = re.compile(r"(token|secret|password|passwd|api_?key|private_?key)", re.IGNORECASE)


class _Redactor:
    """The secret values this process has revealed, in every form they are sent in."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: tuple[str, ...] = ()  # longest first
        #: ``os.environ``'s raw data when last read, and the secret forms found in it
        self._env_seen: tuple[dict[Any, Any], frozenset[str]] | None = None

    def add(self, value: str) -> None:
        if len(value) < MIN_SECRET_LENGTH:
            return
        forms = {value, quote(value, safe=""), quote_plus(value, safe="")}
        with self._lock:
            if forms <= set(self._forms):
                return
            # longest first, so that an encoded form is not half-replaced by a shorter one
            self._forms = tuple(sorted(set(self._forms) | forms, key=len, reverse=True))

    def _named(self, environ: Mapping[str, str] | None) -> frozenset[str]:
        """Every form of the values of ``environ``'s variables named as secrets.

        For ``os.environ`` the answer is kept until the environment changes:
        comparing the process's raw environment with the copy it was computed
        from is one C-level dict comparison, where reading every variable again
        costs a decode per variable on every line the command line prints.
        """
        raw = getattr(os.environ, "_data", None) if environ is None else None
        if raw is not None:
            seen = self._env_seen
            if seen is not None and seen[0] == raw:
                return seen[1]
        named = [
            value
            for name, value in (os.environ if environ is None else environ).items()
            if len(value) >= MIN_SECRET_LENGTH and SECRET_NAME.search(name)
        ]
        forms = frozenset(f for v in named for f in (v, quote(v, safe=""), quote_plus(v, safe="")))
        if raw is not None:
            self._env_seen = (dict(raw), forms)
        return forms

    def redact(self, text: str, environ: Mapping[str, str] | None = None) -> str:
        forms = self._forms
        named = self._named(environ)
        if named:
            forms = tuple(sorted(set(forms) | named, key=len, reverse=True))
        for form in forms:
            if form in text:
                text = text.replace(form, MASK)
        return text


REDACTOR = _Redactor()


def remember_secret(value: str) -> None:
    """Mask ``value`` from now on in :func:`redact` and :class:`RedactingFilter`.

    :meth:`Secret.reveal` does it for every secret; call it for a credential
    obtained another way (a token a platform hands back, say).
    """
    REDACTOR.add(value)


def redact(text: object, environ: Mapping[str, str] | None = None) -> str:
    """``str(text)`` with every secret this process revealed, and the value of every
    variable of ``environ`` (default ``os.environ``) whose name says it is a secret,
    masked (raw or URL-encoded)."""
    return REDACTOR.redact(str(text), environ)


# Public in terrain.secrets, which re-exports them (pickle and the docs find them there).
redact.__module__ = remember_secret.__module__ = "terrain.secrets"
