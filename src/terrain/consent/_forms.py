"""Printable consent forms, to collect consent in the field.

:func:`render_consent_form` writes one standalone HTML page (no external
file, print styles included) in French or English. Print it, or "print to
PDF" from any browser; once signed, attach the scan or photo as the
consent's evidence: ``Evidence(kind="signed-form", file_key=...)``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta
from html import escape

import attrs

from terrain.community import Community, Member
from terrain.consent._records import Purpose
from terrain.consent._state import platforms_of, purposes_of
from terrain.errors import ValidationError
from terrain.events import Event
from terrain.projects import Project

__all__ = ["ConsentFormText", "consent_form_text", "purpose_labels", "render_consent_form"]

_TEXT: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Autorisation d'utilisation de l'image et de la parole",
        "intro": "{community} vous demande votre accord pour les usages cochés ci-dessous.",
        "event": "Événement : {name}",
        "project": "Projet : {name}",
        "purposes": "Usages",
        "platforms": "Où",
        "all_platforms": "tous les réseaux et le site de la communauté",
        "duration": "Durée",
        "until_withdrawn": "jusqu'à ce que vous retiriez votre accord",
        "right": "Votre droit de retrait",
        "right_text": (
            "Vous pouvez retirer votre accord à tout moment, sans justification, en "
            "écrivant ou en parlant à l'équipe de {community}. Les publications "
            "concernées seront retirées dans les meilleurs délais ; rien de nouveau ne "
            "sera publié après le retrait."
        ),
        "yes": "Oui",
        "no": "Non",
        "person": "Personne concernée",
        "name": "Nom et prénom",
        "date": "Date",
        "signature": "Signature",
        "guardian": "Représentant(s) légal(aux) — la personne est mineure",
        "guardian_text": (
            "Pour un mineur, l'accord des titulaires de l'autorité parentale est "
            "nécessaire, et l'enfant est associé à la décision."
        ),
        "assent": "L'enfant est d'accord : Oui ☐ Non ☐",
        "web_right": (
            "Vous pouvez aussi retirer votre accord vous-même, en un clic, depuis votre "
            "page personnelle."
        ),
        "scope_event": "pour cet événement seulement",
        "scope_all": "pour tous les événements",
        "days": "{n} jours",
        "months": "{n} mois",
        "years": "{n} an(s)",
    },
    "en": {
        "title": "Consent to use of image and words",
        "intro": "{community} asks for your agreement to the uses ticked below.",
        "event": "Event: {name}",
        "project": "Project: {name}",
        "purposes": "Uses",
        "platforms": "Where",
        "all_platforms": "every network and the community's website",
        "duration": "Duration",
        "until_withdrawn": "until you withdraw your consent",
        "right": "Your right to withdraw",
        "right_text": (
            "You may withdraw your consent at any time, without giving a reason, by "
            "writing or speaking to the {community} team. The posts concerned will be "
            "taken down as soon as possible; nothing new will be published after the "
            "withdrawal."
        ),
        "yes": "Yes",
        "no": "No",
        "person": "Person concerned",
        "name": "Full name",
        "date": "Date",
        "signature": "Signature",
        "guardian": "Parent(s) or legal guardian(s) — the person is a minor",
        "guardian_text": (
            "For a minor, the agreement of those with parental authority is required, "
            "and the child takes part in the decision."
        ),
        "assent": "The child agrees: Yes ☐ No ☐",
        "web_right": "You may also withdraw it yourself, in one click, on your personal page.",
        "scope_event": "for this event only",
        "scope_all": "for every event",
        "days": "{n} days",
        "months": "{n} months",
        "years": "{n} year(s)",
    },
}

_PURPOSES: dict[str, dict[Purpose, str]] = {
    "fr": {
        Purpose.PUBLISH: "Publier des photos et vidéos où j'apparais",
        Purpose.TAG: "M'identifier (me taguer) avec mon compte",
        Purpose.ARCHIVE: "Conserver ces contenus dans les archives de la communauté",
        Purpose.REUSE_UGC: "Republier les contenus que j'ai créés, en me citant",
        Purpose.INTERVIEW: "Enregistrer et publier mon interview",
    },
    "en": {
        Purpose.PUBLISH: "Publish photos and videos I appear in",
        Purpose.TAG: "Tag me with my account",
        Purpose.ARCHIVE: "Keep this content in the community's archive",
        Purpose.REUSE_UGC: "Republish content I made, with credit",
        Purpose.INTERVIEW: "Record and publish my interview",
    },
}

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 42rem; margin: 2rem auto; color: #111; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.05rem; margin-top: 1.4rem; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #999; padding: .4rem; text-align: left; }
.line { border-bottom: 1px solid #333; height: 2rem; margin: .2rem 0 .8rem; }
@media print { body { margin: 1cm; } a { color: inherit; } }
"""


def _duration(duration: timedelta | None, words: dict[str, str]) -> str:
    if duration is None:
        return words["until_withdrawn"]
    if duration <= timedelta(0):
        raise ValidationError(f"duration must be positive, got {duration}")
    days = duration.days
    if days and days % 365 == 0:
        return words["years"].format(n=days // 365)
    if days and days % 30 == 0:
        return words["months"].format(n=days // 30)
    return words["days"].format(n=max(days, 1))


def purpose_labels(language: str) -> dict[Purpose, str]:
    """What each purpose is called on the form in ``language`` (``"fr"`` or ``"en"``)."""
    return dict(_PURPOSES.get(language, _PURPOSES["en"]))


#: The version of the form's wording: bumped when a text above changes meaning.
FORM_VERSION = "2"


@attrs.frozen
class ConsentFormText:
    """The words of a consent form, as the paper form and the web form show them.

    ``purposes`` pairs each purpose with its label; ``where`` names the
    platforms (or says every network); ``duration`` how long it holds;
    ``right`` the right to withdraw and how. :meth:`plain` is the exact text
    a person agrees to, and :attr:`version` identifies it (the wording's
    version and a digest of the text): both go into the consent's evidence.
    """

    language: str
    title: str
    intro: str
    covers: str
    purposes: tuple[tuple[Purpose, str], ...]
    where: str
    duration: str
    right: str
    words: dict[str, str] = attrs.field(eq=False, repr=False)

    def plain(self) -> str:
        """The form as plain text, one statement a line."""
        w = self.words
        lines = [self.title, self.intro]
        if self.covers:
            lines.append(self.covers)
        lines.append(f"{w['purposes']}:")
        lines += [f"- {label}" for _, label in self.purposes]
        lines += [f"{w['platforms']}: {self.where}", f"{w['duration']}: {self.duration}"]
        lines += [f"{w['right']}: {self.right}"]
        return "\n".join(lines)

    @property
    def version(self) -> str:
        """``form/<wording version>/<12 hex digits of the text's SHA-256>``."""
        digest = hashlib.sha256(self.plain().encode("utf-8")).hexdigest()[:12]
        return f"form/{FORM_VERSION}/{digest}"

    def label(self, key: str, **values: str) -> str:
        """One of the form's other words (``"yes"``, ``"scope_event"``…), filled in."""
        return self.words[key].format(**values)


def consent_form_text(
    *,
    community: Community,
    purposes: Iterable[Purpose | str],
    platforms: Iterable[str] | None,
    duration: timedelta | None,
    language: str = "fr",
    event: Event | None = None,
    project: Project | None = None,
    web: bool = False,
) -> ConsentFormText:
    """The words of the consent form for these choices (see :func:`render_consent_form`).

    ``web``: the right to withdraw also says the person can do it on their
    personal page (``terrain serve``).
    """
    if language not in _TEXT:
        raise ValidationError(f"language {language!r}: use 'fr' or 'en'")
    if event is not None and project is not None:
        raise ValidationError("a form covers one event or one project, not both")
    words = _TEXT[language]
    wanted = sorted(purposes_of(purposes), key=list(Purpose).index)
    where = platforms_of(platforms)
    covers = ""
    if event is not None:
        when = event.starts_at.date().isoformat()
        covers = words["event"].format(name=f"{event.title} ({when})")
    if project is not None:
        covers = words["project"].format(name=project.title)
    right = words["right_text"].format(community=community.name)
    if web:
        right = f"{right} {words['web_right']}"
    return ConsentFormText(
        language=language,
        title=words["title"],
        intro=words["intro"].format(community=community.name),
        covers=covers,
        purposes=tuple((p, _PURPOSES[language][p]) for p in wanted),
        where=words["all_platforms"] if where is None else ", ".join(sorted(where)),
        duration=_duration(duration, words),
        right=right,
        words=words,
    )


def render_consent_form(
    *,
    community: Community,
    purposes: Iterable[Purpose | str],
    platforms: Iterable[str] | None,
    duration: timedelta | None,
    language: str = "fr",
    subject: Member | None = None,
    event: Event | None = None,
    project: Project | None = None,
) -> str:
    """A complete, printable HTML consent form (``language`` ``"fr"`` or ``"en"``).

    It lists each purpose with Yes/No boxes, the platforms (``None``: all),
    the duration (``None``: until withdrawn; 365 days print as a year, 30 as
    a month) and the right to withdraw and how. With ``subject``, their name
    is printed; when they are a minor, a guardian block (signatures and the
    child's assent) is added. ``event`` or ``project`` names what it covers.
    Every text is HTML-escaped.
    """
    text = consent_form_text(community=community, purposes=purposes, platforms=platforms,
                             duration=duration, language=language, event=event, project=project)
    words = text.words
    name = escape(community.name)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{language}">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(text.title)} — {name}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(text.title)}</h1>",
        f"<p>{escape(text.intro)}</p>",
    ]
    if text.covers:
        parts.append(f"<p>{escape(text.covers)}</p>")
    parts.append(f"<h2>{escape(words['purposes'])}</h2>")
    parts.append(f"<table><tr><th></th><th>{words['yes']}</th><th>{words['no']}</th></tr>")
    for _purpose, label in text.purposes:
        parts.append(f"<tr><td>{escape(label)}</td><td>☐</td><td>☐</td></tr>")
    parts.append("</table>")
    parts.append(f"<h2>{escape(words['platforms'])}</h2><p>{escape(text.where)}</p>")
    parts.append(f"<h2>{escape(words['duration'])}</h2><p>{escape(text.duration)}</p>")
    parts.append(f"<h2>{escape(words['right'])}</h2>")
    parts.append(f"<p>{escape(text.right)}</p>")
    parts.append(f"<h2>{escape(words['person'])}</h2>")
    person = "" if subject is None else escape(subject.display_name)
    colon = " :" if language == "fr" else ":"  # French puts a space before the colon
    parts.append(f"<p>{escape(words['name'])}{colon} {person}</p><div class=\"line\"></div>")
    for label in (words["date"], words["signature"]):
        parts.append(f"<p>{escape(label)}</p><div class=\"line\"></div>")
    if subject is not None and subject.is_minor:
        parts.append(f"<h2>{escape(words['guardian'])}</h2>")
        parts.append(f"<p>{escape(words['guardian_text'])}</p>")
        for _ in range(max(2, len(subject.guardian_ids))):
            for label in (words["name"], words["signature"]):
                parts.append(f"<p>{escape(label)}</p><div class=\"line\"></div>")
        parts.append(f"<p>{escape(words['assent'])}</p>")
    parts.extend(["</body>", "</html>", ""])
    return "\n".join(parts)
