"""Passwords of the review desk's accounts: scrypt, from the standard library.

scrypt is memory-hard: each guess costs an attacker ``128 * N * r`` bytes of
memory as well as time, which is what makes graphics cards and custom chips
slow at it. The parameters are OWASP's first recommendation for scrypt
(Password Storage Cheat Sheet): ``N = 2**17`` (128 MiB), ``r = 8``, ``p = 1``,
with a 16-byte random salt and a 32-byte key: about 0.3 to 0.7 s on one core of
a small server, paid once per login (the desk logs in, then holds a session).

A stored hash names its parameters (``scrypt$17$8$1$salt$key``, base64 without
padding), so they can be raised later: :func:`needs_rehash` says when a hash
was made with weaker ones, and the login stores a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["hash_password", "needs_rehash", "verify_password"]

LOG2_N = 17
R = 8
P = 1
_KEY_BYTES = 32
_SALT_BYTES = 16
#: Memory scrypt may use: twice what the parameters need (Python's default is 32 MiB).
_MAXMEM = 2 * 128 * (2**LOG2_N) * R
#: A password longer than this is not a password (and would cost time to hash).
MAX_PASSWORD = 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def _derive(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=2**log2_n, r=r, p=p,
        maxmem=max(_MAXMEM, 2 * 128 * (2**log2_n) * r * p), dklen=_KEY_BYTES,
    )


def hash_password(password: str) -> str:
    """The string to store for ``password`` (a fresh salt each time)."""
    if not password or len(password) > MAX_PASSWORD:
        raise ValueError(f"a password has 1 to {MAX_PASSWORD} characters")
    salt = secrets.token_bytes(_SALT_BYTES)
    key = _derive(password, salt, LOG2_N, R, P)
    return f"scrypt${LOG2_N}${R}${P}${_b64(salt)}${_b64(key)}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return None
    try:
        log2_n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return None
    if not (10 <= log2_n <= 22 and 1 <= r <= 32 and 1 <= p <= 16) or len(key) != _KEY_BYTES:
        return None
    return log2_n, r, p, salt, key


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` is the one ``stored`` was made from. Takes as long when
    ``stored`` is ``None`` (an unknown account), so timing does not tell who exists."""
    parsed = _parse(stored) if stored else None
    if parsed is None or not password or len(password) > MAX_PASSWORD:
        _derive("not the password", b"\0" * _SALT_BYTES, LOG2_N, R, P)
        return False
    log2_n, r, p, salt, key = parsed
    return hmac.compare_digest(_derive(password, salt, log2_n, r, p), key)


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with weaker parameters than today's."""
    parsed = _parse(stored)
    return parsed is None or (parsed[0], parsed[1], parsed[2]) < (LOG2_N, R, P)
