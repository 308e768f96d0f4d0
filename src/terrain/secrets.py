"""Secrets (API tokens) that never leak.

A :class:`Secret` prints as ``Secret('***')``; only :meth:`Secret.reveal`
gives the value, and only adapters call it, right where a request is signed.
Tokens come from the environment (``TERRAIN_X_*``, ``TERRAIN_FACEBOOK_*``) or
from a credentials file readable by its owner only (mode 0600).

A revealed value is remembered by the process: :func:`redact` masks it (raw or
URL-encoded) in any text, and a :class:`RedactingFilter` on a logging handler
masks it in every record the handler writes, the client libraries' included
(``terrain -v`` puts one on its stderr handler). This is terrain's one
registry: the adapters' messages, the publishing runner's stored and printed
messages (:func:`terrain.publishing.scrub`) and everything the command line
prints go through it. As a second lock it also masks the value of any
environment variable whose *name* says it is a secret (:data:`SECRET_NAME`:
``TERRAIN_X_ACCESS_TOKEN``, ``PGPASSWORD``, ``AWS_SECRET_ACCESS_KEY``…), even
one no adapter revealed; other variables (``TERRAIN_WORKSPACE``,
``TERRAIN_LOAD_PLUGINS``) are not secrets and are never masked.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Final, NoReturn

from terrain import _redact
from terrain._redact import REDACTOR as _REDACTOR
from terrain._redact import redact, remember_secret
from terrain.errors import ConfigError, MissingSecret

__all__ = [
    "MASK",
    "MIN_SECRET_LENGTH",
    "SECRET_NAME",
    "EnvSecrets",
    "RedactingFilter",
    "Secret",
    "SecretSource",
    "redact",
    "remember_secret",
]

# The registry lives in terrain._redact (printing imports it alone); its constants are
# named here too, the same objects, where the reference documents them.
#: What a masked secret looks like in a message or a log line.
MASK: Final = _redact.MASK
#: Shorter values are not masked: no real token is that short, and masking a
#: one-letter "secret" would garble every message it appears in.
MIN_SECRET_LENGTH: Final = _redact.MIN_SECRET_LENGTH
#: A setting or variable name that says its value is a secret.
SECRET_NAME: Final = _redact.SECRET_NAME


class RedactingFilter(logging.Filter):
    """A logging filter that masks revealed secrets in each record's message.

    On a *handler* it sees every record the handler writes, whichever logger
    made it (a filter on a logger sees only that logger's own records)::

        handler.addFilter(RedactingFilter())
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite ``record`` when its message holds a secret; never drop it."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix; keep it as is
            return True
        clean = _REDACTOR.redact(message)
        if clean != message:
            record.msg = clean
            record.args = None
        if record.exc_info and record.exc_text is None and record.exc_info[1] is not None:
            # the traceback text is formatted later, by the handler: mask it here
            record.exc_text = _REDACTOR.redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = _REDACTOR.redact(record.exc_text)
        return True


class Secret:
    """An opaque secret value. Its ``repr`` and ``str`` never show the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("a secret must be a non-empty string")
        self._value: Final = value

    def reveal(self) -> str:
        """The value itself: pass it straight to the client that needs it.

        From then on :func:`redact` and :class:`RedactingFilter` mask it.
        """
        _REDACTOR.add(self._value)
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled or copied out of the process")


class SecretSource:
    """Where adapters get their tokens: ``source.get("TERRAIN_X_API_KEY")``."""

    def get(self, name: str, *, purpose: str = "") -> Secret:
        """The secret ``name``, or :class:`MissingSecret` saying how to provide it."""
        raise NotImplementedError

    def has(self, name: str) -> bool:
        """Whether ``name`` is set (without revealing it)."""
        raise NotImplementedError


class EnvSecrets(SecretSource):
    """Secrets from environment variables, then from a credentials file.

    The credentials file is TOML with ``NAME = "value"`` lines. It must be
    readable by its owner only (``chmod 600``); any other mode is refused, so a
    token is never left readable by other users of the machine.
    """

    def __init__(
        self, environ: Mapping[str, str] | None = None, credentials_file: Path | None = None
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._file = credentials_file
        self._file_values: dict[str, str] | None = None

    def _from_file(self) -> dict[str, str]:
        if self._file_values is None:
            self._file_values = {}
            if self._file is not None and self._file.exists():
                self._file_values = self._read_file(self._file)
        return self._file_values

    @staticmethod
    def _read_file(path: Path) -> dict[str, str]:
        """``NAME = "value"`` pairs of the credentials file; :class:`ConfigError` saying
        what to fix for anything else (never a traceback: a value is never quoted)."""
        from terrain._files import UnreadableFile, read_regular_file

        fix = "it must be a TOML file of NAME = \"value\" lines, mode 600"
        try:
            data = read_regular_file(path, max_bytes=1024 * 1024)
        except UnreadableFile as exc:
            raise ConfigError(f"the credentials file {path} {exc}; {fix}") from None
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(
                f"{path} is readable by other users (mode {mode:o}); run: chmod 600 {path}"
            )
        try:
            values = tomllib.loads(data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"the credentials file {path} is not UTF-8 text (at byte {exc.start}); "
                f"{fix}: save it as UTF-8"
            ) from None
        except tomllib.TOMLDecodeError as exc:
            # the message of TOMLDecodeError quotes no value, only the place
            raise ConfigError(f"{path} is not valid TOML: {exc}") from None
        except RecursionError:
            raise ConfigError(f"the credentials file {path} nests too deeply; {fix}") from None
        return {k: v for k, v in values.items() if isinstance(v, str) and v}

    def has(self, name: str) -> bool:
        return bool(self._environ.get(name)) or name in self._from_file()

    def get(self, name: str, *, purpose: str = "") -> Secret:
        value = self._environ.get(name) or self._from_file().get(name)
        if not value:
            where = f" or add it to {self._file} (mode 600)" if self._file is not None else ""
            why = f" ({purpose})" if purpose else ""
            raise MissingSecret(f"{name} is not set{why}: export {name}=...{where}")
        return Secret(value)
