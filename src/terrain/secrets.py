"""Secrets (API tokens) that never leak.

A :class:`Secret` prints as ``Secret('***')``; only :meth:`Secret.reveal`
gives the value, and only adapters call it, right where a request is signed.
Tokens come from the environment (``TERRAIN_X_*``, ``TERRAIN_FACEBOOK_*``) or
from a credentials file readable by its owner only (mode 0600).
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Final, NoReturn

from terrain.errors import ConfigError, MissingSecret

__all__ = ["EnvSecrets", "Secret", "SecretSource"]


class Secret:
    """An opaque secret value. Its ``repr`` and ``str`` never show the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError("a secret must be a non-empty string")
        self._value: Final = value

    def reveal(self) -> str:
        """The value itself: pass it straight to the client that needs it."""
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
                mode = stat.S_IMODE(self._file.stat().st_mode)
                if mode & 0o077:
                    raise ConfigError(
                        f"{self._file} is readable by other users (mode {mode:o}); "
                        f"run: chmod 600 {self._file}"
                    )
                try:
                    data = tomllib.loads(self._file.read_text(encoding="utf-8"))
                except tomllib.TOMLDecodeError as exc:
                    # the message of TOMLDecodeError quotes no value, only the place
                    raise ConfigError(f"{self._file} is not valid TOML: {exc}") from None
                self._file_values = {k: v for k, v in data.items() if isinstance(v, str) and v}
        return self._file_values

    def has(self, name: str) -> bool:
        return bool(self._environ.get(name)) or name in self._from_file()

    def get(self, name: str, *, purpose: str = "") -> Secret:
        value = self._environ.get(name) or self._from_file().get(name)
        if not value:
            where = f" or add it to {self._file} (mode 600)" if self._file is not None else ""
            why = f" ({purpose})" if purpose else ""
            raise MissingSecret(f"{name} is not set{why}: export {name}=...{where}")
        return Secret(value)
