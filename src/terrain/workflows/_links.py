"""Members' links to the web pages: signed, expiring, one purpose each, revocable.

A link is ``{base_url}/l/{token}``. The token is
``{purpose}.{id}.{expiry}.{signature}``: a random id, the purpose and the
expiry (Unix seconds), signed with HMAC-SHA256 under the workspace's key,
``.terrain/web.key`` (32 random bytes, mode 600, made on first use; never in
terrain.toml). A token says nothing about the person: the server keeps the
rest (whose link it is, for which event) in the ``web_links`` table, where a
link is marked used (single-use purposes) or revoked.

:func:`check_link` refuses, with :class:`~terrain.errors.LinkRefused`, a
token that is malformed or forged, for another purpose, expired, revoked,
or single-use and used. Deleting ``web.key`` revokes every link at once.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from terrain._time import instant, require_aware
from terrain.errors import ConfigError, LinkRefused
from terrain.events import event_url
from terrain.store import DATA_DIR, LinkRow, Links

if TYPE_CHECKING:
    from terrain.store import Workspace, WorkspaceConfig

__all__ = [
    "IssuedLink",
    "LinkPurpose",
    "check_link",
    "event_page_url",
    "issue_link",
    "link_url",
    "listen_address",
    "revoke_links",
    "use_link",
    "web_key",
]

KEY_NAME = "web.key"


class LinkPurpose(enum.StrEnum):
    """What a link opens. A link has exactly one purpose."""

    PERSONAL = "personal"  #: the member's own page (reusable until it expires)
    RSVP = "rsvp"  #: answer for one event (single use)
    CHECK_IN = "check-in"  #: check in at one event (single use)
    CONSENT = "consent"  #: the consent form for one event (single use)
    GUARDIAN = "guardian"  #: a guardian confirms a minor's consent request (single use)

    @property
    def single_use(self) -> bool:
        """Whether the link is spent once its form is sent."""
        return self is not LinkPurpose.PERSONAL

    @property
    def lifetime(self) -> timedelta | None:
        """How long the link holds (``None``: ``[web] link_days``)."""
        return None if self is LinkPurpose.PERSONAL else timedelta(days=2)


#: Refusals, worded for the logs and tests (the page says the same to everyone).
_REFUSED = "this link cannot be used ({}); ask for a new one"


@attrs.frozen
class IssuedLink:
    """A link just issued: ``url`` to send or print, ``id`` (safe to log and to keep
    as evidence), when it ``expires``. ``token`` is the secret part of the URL."""

    id: str
    purpose: LinkPurpose
    subject_id: str
    url: str
    token: str = attrs.field(repr=False)
    expires_at: datetime


def web_key(ws: Workspace) -> bytes:
    """The workspace's signing key, ``.terrain/web.key``, made (mode 600) when missing.

    A key file readable by others is refused (:class:`~terrain.errors.ConfigError`):
    anyone who reads it can forge links.
    """
    path = ws.root / DATA_DIR / KEY_NAME
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_hex(32) + "\n")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"{path} is readable by others (mode {mode:o}): anyone who reads it can forge "
            f"members' links; run `chmod 600 {path}`"
        )
    text = path.read_text(encoding="ascii").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 32:
        raise ConfigError(
            f"{path} does not hold a key (64 hex digits): delete it and a new one is made "
            "(every link issued so far stops working)"
        )
    return key


def _sign(key: bytes, purpose: str, link_id: str, expiry: int) -> str:
    mac = hmac.new(key, f"terrain-link|{purpose}|{link_id}|{expiry}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()[:24]).decode("ascii")


def link_url(ws: Workspace | WorkspaceConfig, token: str) -> str:
    """The address a member opens for ``token``."""
    config = ws if not hasattr(ws, "config") else ws.config
    return f"{config.web.public_url}/l/{token}"


def event_page_url(ws: Workspace | WorkspaceConfig, event_id: str) -> str:
    """The public address of event ``event_id``'s page (``[web] base_url``/events/ID):
    what an announcement links to for RSVPs, and what the poster's QR code opens."""
    config = ws if not hasattr(ws, "config") else ws.config
    return event_url(config.web.public_url, event_id)


def issue_link(
    ws: Workspace,
    purpose: LinkPurpose | str,
    subject_id: str,
    *,
    now: datetime,
    ref: str | None = None,
    data: Mapping[str, Any] | None = None,
    lifetime: timedelta | None = None,
    key: bytes | None = None,
) -> IssuedLink:
    """Issue a ``purpose`` link to member ``subject_id`` (for event ``ref``), valid from
    ``now`` for ``lifetime`` (default: the purpose's; a personal link ``[web] link_days``)."""
    kind = LinkPurpose(purpose)
    now = require_aware(now, "issue_link: now")
    span = lifetime or kind.lifetime or timedelta(days=ws.config.web.link_days)
    expires = instant(now) + span
    expiry = int(expires.timestamp())
    expires = datetime.fromtimestamp(expiry, UTC)
    link_id = f"l{secrets.token_hex(12)}"
    Links(ws.db).add(
        LinkRow(id=link_id, purpose=kind.value, subject_id=subject_id, ref=ref,
                data=dict(data or {}), issued_at=now, expires_at=expires)
    )
    signature = _sign(key or web_key(ws), kind.value, link_id, expiry)
    token = f"{kind.value}.{link_id}.{expiry}.{signature}"
    return IssuedLink(id=link_id, purpose=kind, subject_id=subject_id, url=link_url(ws, token),
                      token=token, expires_at=expires)


def check_link(
    ws: Workspace,
    token: str,
    purposes: Iterable[LinkPurpose | str],
    *,
    now: datetime,
    key: bytes | None = None,
) -> LinkRow:
    """The link ``token`` stands for, if it is one of ``purposes`` and usable at ``now``.

    Raises :class:`~terrain.errors.LinkRefused` (``reason``: ``"malformed"``,
    ``"forged"``, ``"purpose"``, ``"expired"``, ``"revoked"``, ``"used"``).
    The signature is checked before the database is read.
    """
    require_aware(now, "check_link: now")
    wanted = {LinkPurpose(p).value for p in purposes}
    parts = token.split(".") if isinstance(token, str) and len(token) < 200 else []
    if len(parts) != 4 or not parts[2].isdigit():
        raise LinkRefused(_REFUSED.format("malformed"), reason="malformed")
    purpose, link_id, expiry_text, signature = parts
    expected = _sign(key or web_key(ws), purpose, link_id, int(expiry_text))
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise LinkRefused(_REFUSED.format("forged"), reason="forged")
    if purpose not in wanted:
        raise LinkRefused(_REFUSED.format("meant for another page"), reason="purpose")
    row = Links(ws.db).get(link_id)
    if row is None or row.purpose != purpose:
        raise LinkRefused(_REFUSED.format("revoked"), reason="revoked")
    if instant(require_aware(now, "check_link: now")) >= instant(row.expires_at):
        raise LinkRefused(_REFUSED.format("expired"), reason="expired")
    if row.revoked_at is not None:
        raise LinkRefused(_REFUSED.format("revoked"), reason="revoked")
    if row.used_at is not None and LinkPurpose(purpose).single_use:
        raise LinkRefused(_REFUSED.format("already used"), reason="used")
    return row


@contextmanager
def use_link(ws: Workspace, row: LinkRow, *, now: datetime) -> Iterator[None]:
    """Spend single-use link ``row`` for the work done inside the ``with`` block
    (a personal link is never spent).

    Raises :class:`~terrain.errors.LinkRefused` (``"used"``) when another
    request spent it first; when the work raises, the link is usable again
    (nothing was done with it).
    """
    if not LinkPurpose(row.purpose).single_use:
        yield
        return
    links = Links(ws.db)
    if not links.use(row.id, at=now):
        raise LinkRefused(_REFUSED.format("already used"), reason="used")
    try:
        yield
    except BaseException:
        links.unuse(row.id)
        raise


def revoke_links(
    ws: Workspace,
    member_id: str,
    *,
    now: datetime,
    purposes: Iterable[LinkPurpose | str] | None = None,
) -> int:
    """Revoke every link of ``member_id`` (of ``purposes`` only, if given); how many were."""
    require_aware(now, "revoke_links: now")
    from terrain.community import Member

    ws.get(Member, member_id)  # NotFound names `terrain member list`
    kinds = None if purposes is None else [LinkPurpose(p).value for p in purposes]
    return Links(ws.db).revoke(member_id, at=now, purposes=kinds)


def listen_address(
    ws: Workspace, host: str | None = None, port: int | None = None
) -> tuple[str, int]:
    """Where ``terrain serve`` listens: ``(host, port)``, from the arguments or ``[web]``.

    An address that is not this machine's loopback must be the one ``[web]
    host`` names (:class:`~terrain.errors.ConfigError` otherwise): listening
    to the network is a choice written in terrain.toml, not a typo on the
    command line.
    """
    from terrain.store import is_loopback

    settings = ws.config.web
    where = host or settings.host
    if not is_loopback(where) and where != settings.host:
        raise ConfigError(
            f"terrain serve listens on {where} only when terrain.toml says so: add "
            f'host = "{where}" to [web] (or serve on 127.0.0.1 behind a reverse proxy)'
        )
    return where, port or settings.port
