"""Mail to members: their links, a seat freed from the waitlist, a guardian's request.

Sent through the SMTP server of ``[smtp]`` in terrain.toml (the password from
``$TERRAIN_SMTP_PASSWORD``). A workspace without ``[smtp]`` sends nothing: the
community manager prints or shows the links instead (``terrain link show``).
Texts are in the community's language (French or English), plain text, and
hold the link only in the body: never in a subject line or a log.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import TYPE_CHECKING, Any

import attrs

from terrain.store import SMTP_PASSWORD_ENV

if TYPE_CHECKING:
    from terrain.store import SmtpSettings, Workspace

__all__ = ["Mail", "Outgoing", "mail_text", "send_mail"]

log = logging.getLogger("terrain.mail")

_MAIL: dict[str, dict[str, tuple[str, str]]] = {
    "fr": {
        "personal": (
            "Votre page personnelle — {community}",
            "Bonjour {name},\n\nVoici votre lien personnel vers {community} : vos réponses aux "
            "événements, vos accords pour les photos, et le retrait en un clic.\n\n{url}\n\n"
            "Il est valable jusqu'au {until}. Ne le transférez pas : il vous est propre.",
        ),
        "rsvp": (
            "Votre réponse pour {event} — {community}",
            "Bonjour {name},\n\nPour répondre à {event}, ouvrez ce lien (valable 2 jours, une "
            "fois) :\n\n{url}",
        ),
        "check-in": (
            "Votre arrivée à {event} — {community}",
            "Bonjour {name},\n\nPour signaler votre arrivée à {event}, ouvrez ce lien :\n\n{url}",
        ),
        "consent": (
            "Votre accord pour les photos de {event} — {community}",
            "Bonjour {name},\n\nPour dire ce que vous acceptez (ou non) pour les photos et "
            "vidéos de {event}, ouvrez ce lien :\n\n{url}",
        ),
        "guardian": (
            "Accord demandé pour {child} — {community}",
            "Bonjour {name},\n\n{child} a rempli le formulaire d'accord pour les photos de "
            "{event}. En tant que représentant légal, votre accord est nécessaire : lisez ce "
            "qui est demandé et répondez ici (lien personnel, valable 2 jours) :\n\n{url}",
        ),
        "promoted": (
            "Une place s'est libérée : {event} — {community}",
            "Bonjour {name},\n\nUne place s'est libérée pour {event} : vous êtes inscrit·e. "
            "Si vous ne pouvez plus venir, libérez-la depuis la page de l'événement :\n\n{url}",
        ),
    },
    "en": {
        "personal": (
            "Your personal page — {community}",
            "Hello {name},\n\nHere is your personal link to {community}: your answers to "
            "events, what you agreed to for photos, and withdrawal in one click.\n\n{url}\n\n"
            "It holds until {until}. Do not forward it: it is yours alone.",
        ),
        "rsvp": (
            "Your answer for {event} — {community}",
            "Hello {name},\n\nTo answer for {event}, open this link (valid 2 days, once):"
            "\n\n{url}",
        ),
        "check-in": (
            "Your arrival at {event} — {community}",
            "Hello {name},\n\nTo check in at {event}, open this link:\n\n{url}",
        ),
        "consent": (
            "Your agreement for the photos of {event} — {community}",
            "Hello {name},\n\nTo say what you agree to (or not) for the photos and videos of "
            "{event}, open this link:\n\n{url}",
        ),
        "guardian": (
            "Agreement asked for {child} — {community}",
            "Hello {name},\n\n{child} filled in the consent form for the photos of {event}. "
            "As their parent or guardian, your agreement is needed: read what is asked and "
            "answer here (your own link, valid 2 days):\n\n{url}",
        ),
        "promoted": (
            "A seat is free: {event} — {community}",
            "Hello {name},\n\nA seat is free for {event}: you are going. If you cannot come "
            "any more, free it on the event's page:\n\n{url}",
        ),
    },
}


@attrs.frozen
class Mail:
    """One message to send: ``to`` an address, its ``subject`` and plain-text ``body``
    (neither the address nor the body shows in a ``repr``, which may reach a log)."""

    to: str = attrs.field(repr=False)
    subject: str
    body: str = attrs.field(repr=False)
    kind: str = ""


@attrs.frozen
class Outgoing:
    """Mail ready to go: :meth:`send` it now, or after answering (a web page sends it
    once the visitor has their answer, so that how long sending takes tells nothing)."""

    ws: Any = attrs.field(repr=False)
    mails: tuple[Mail, ...] = ()

    def send(self) -> int:
        """Send the mails (see :func:`send_mail`); how many went."""
        return send_mail(self.ws, list(self.mails))


def mail_text(kind: str, language: str, **values: str) -> tuple[str, str]:
    """``(subject, body)`` of mail ``kind`` in ``language``, filled with ``values``."""
    subject, body = _MAIL.get(language, _MAIL["en"])[kind]
    return subject.format(**values), body.format(**values)


def _connect(smtp: SmtpSettings) -> smtplib.SMTP:
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout,
                                context=ssl.create_default_context())
    client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    if smtp.security == "starttls":
        client.starttls(context=ssl.create_default_context())
    return client


def send_mail(ws: Workspace, mails: list[Mail]) -> int:
    """Send ``mails`` through ``[smtp]``; how many went. Without ``[smtp]``, none.

    A failure is logged (the kind of mail and the error, never the address or
    the body) and the rest are still sent: a member asks again. Nothing is
    raised: a page that asked for a link answers the same whatever happens.
    """
    smtp = ws.config.smtp
    if smtp is None or not mails:
        if mails:
            log.info("no [smtp] in terrain.toml: %d mail(s) not sent", len(mails))
        return 0
    sent = 0
    try:
        client = _connect(smtp)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("cannot reach the SMTP server %s:%s (%s)", smtp.host, smtp.port,
                    type(exc).__name__)
        return 0
    try:
        if smtp.username is not None:
            if not ws.secrets.has(SMTP_PASSWORD_ENV):
                log.warning("[smtp] username is set but %s is not: no mail sent",
                            SMTP_PASSWORD_ENV)
                return 0
            password = ws.secrets.get(SMTP_PASSWORD_ENV, purpose="the SMTP server")
            client.login(smtp.username, password.reveal())
        for mail in mails:
            message = EmailMessage()
            message["From"] = formataddr((ws.community.name, smtp.sender))
            message["To"] = mail.to
            message["Subject"] = mail.subject
            message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2])
            message.set_content(mail.body)
            try:
                client.send_message(message)
                sent += 1
            except smtplib.SMTPException as exc:
                log.warning("a %s mail was not sent (%s)", mail.kind or "terrain",
                            type(exc).__name__)
    except smtplib.SMTPException as exc:
        log.warning("the SMTP server refused the login (%s)", type(exc).__name__)
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            client.quit()
    return sent
