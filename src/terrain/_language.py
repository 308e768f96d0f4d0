"""The words terrain writes for the public, in the community's language.

Recaps, project updates and before/after images are read by the community,
so they are written in its language (``[community] language`` in
terrain.toml): French (``"fr"``, the default) or English (``"en"``). Only
these public texts are translated; messages to the community manager stay in
English. Month names come from here, never from the machine's locale, so a
post reads the same on every machine.

    >>> phrase("fr", "update_title", title="Place du Marché", month=month_name("fr", 4, 2026))
    'Place du Marché : avancement d’avril 2026'
    >>> count(1, "meetup"), count(3, "person", "people")
    ('1 meetup', '3 people')
"""

from __future__ import annotations

from terrain.errors import ValidationError

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "count", "month_name", "phrase"]

#: The languages terrain writes public texts in.
LANGUAGES = ("fr", "en")
#: The language of a community that does not say.
DEFAULT_LANGUAGE = "fr"

_MONTHS = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

_PHRASES: dict[str, dict[str, str]] = {
    "fr": {
        "recap_thanks": "{title}: merci à toutes et à tous !",
        "recap_when": "Meetup du {day}{where}.",
        "recap_where": " à {venue}",
        "recap_partners": "Merci à nos partenaires : {names}.",
        "update_title": "{title} : avancement {month_of}",
        "quote": "« {quote} » — {who}",
        "before": "Avant",
        "after": "Après",
        "photo_alt": "{title}, {viewpoint}, {day}",
        "photo_alt_before": "{title}, {viewpoint}, {day} (avant)",
        "composite_alt": "Avant ({before}) et après ({after})",
        "composite_title": "{title} — {viewpoint}",
        "composite_content_title": "Avant/après : {viewpoint}",
    },
    "en": {
        "recap_thanks": "{title}: thank you all!",
        "recap_when": "Meetup of {day}{where}.",
        "recap_where": " at {venue}",
        "recap_partners": "Thanks to our partners: {names}.",
        "update_title": "{title}: {month} update",
        "quote": "“{quote}” — {who}",
        "before": "Before",
        "after": "After",
        "photo_alt": "{title}, {viewpoint}, {day}",
        "photo_alt_before": "{title}, {viewpoint}, {day} (before)",
        "composite_alt": "Before ({before}) and after ({after})",
        "composite_title": "{title} — {viewpoint}",
        "composite_content_title": "Before/after: {viewpoint}",
    },
}


def check_language(language: str) -> str:
    """``language`` if terrain writes in it, else :class:`ValidationError` naming the others."""
    if language not in LANGUAGES:
        raise ValidationError(
            f"language {language!r}: terrain writes public texts in {', '.join(LANGUAGES)}"
        )
    return language


def month_name(language: str, month: int, year: int) -> str:
    """``avril 2026`` / ``April 2026``."""
    return f"{_MONTHS[check_language(language)][month - 1]} {year}"


def _month_of(name: str) -> str:
    # "d'avril", "de mai": French elides "de" before a vowel
    return f"d’{name}" if name[:1] in "aeiouyéèêàâîôûh" else f"de {name}"


def phrase(language: str, key: str, **values: str) -> str:
    """The phrase ``key`` in ``language``, filled with ``values``."""
    template = _PHRASES[check_language(language)][key]
    if "month" in values:
        values = {**values, "month_of": _month_of(values["month"])}
    return template.format(**values)


def count(n: int, one: str, many: str | None = None) -> str:
    """``1 meetup``, ``2 meetups``, ``0 meetups``: a count and its noun, in English."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
