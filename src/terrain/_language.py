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

from datetime import date, time

from terrain.errors import ValidationError

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "clock_time",
    "count",
    "enumeration",
    "long_date",
    "month_name",
    "month_of",
    "phrase",
    "relative_day",
]

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

_WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
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


def long_date(language: str, day: date) -> str:
    """``jeudi 12 mars 2026`` / ``Thursday 12 March 2026``: a day as people write it.

    >>> long_date("fr", date(2026, 3, 1)), long_date("en", date(2026, 3, 12))
    ('dimanche 1er mars 2026', 'Thursday 12 March 2026')
    """
    language = check_language(language)
    weekday = _WEEKDAYS[language][day.weekday()]
    number = "1er" if language == "fr" and day.day == 1 else str(day.day)
    return f"{weekday} {number} {month_name(language, day.month, day.year)}"


def clock_time(language: str, at: time) -> str:
    """``19 h`` / ``19 h 30`` in French, ``7 pm`` / ``7:30 pm`` in English.

    >>> clock_time("fr", time(19, 0)), clock_time("fr", time(9, 5)), clock_time("en", time(19, 30))
    ('19\\xa0h', '9\\xa0h\\xa005', '7:30\\xa0pm')
    """
    if check_language(language) == "fr":
        return f"{at.hour}\u00a0h" + (f"\u00a0{at.minute:02d}" if at.minute else "")
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    if at.hour == 12 and at.minute == 0:
        return "noon"
    return f"{hour}" + (f":{at.minute:02d}" if at.minute else "") + f"\u00a0{suffix}"


def relative_day(language: str, day: date, *, seen_from: date) -> str:
    """How ``day`` is said on ``seen_from``: ``aujourd’hui``, ``demain``, else its long date
    (``le jeudi 12 mars 2026``).

    >>> relative_day("fr", date(2026, 3, 12), seen_from=date(2026, 3, 11))
    'demain'
    >>> relative_day("en", date(2026, 3, 12), seen_from=date(2026, 3, 9))
    'on Thursday 12 March 2026'
    """
    language = check_language(language)
    days = (day - seen_from).days
    if days == 0:
        return "aujourd’hui" if language == "fr" else "today"
    if days == 1:
        return "demain" if language == "fr" else "tomorrow"
    return ("le " if language == "fr" else "on ") + long_date(language, day)


def enumeration(language: str, items: list[str] | tuple[str, ...]) -> str:
    """``A``, ``A et B``, ``A, B et C`` (``and`` in English): a list in a sentence.

    >>> enumeration("fr", ["Ana", "Léa", "Tom"]), enumeration("en", ["Ana", "Léa"])
    ('Ana, Léa et Tom', 'Ana and Léa')
    """
    word = " et " if check_language(language) == "fr" else " and "
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + word + items[-1]


def month_of(name: str) -> str:
    """``d’avril 2026``, ``de mai 2026``: French elides ``de`` before a vowel."""
    return f"d’{name}" if name[:1] in "aeiouyéèêàâîôûh" else f"de {name}"


def phrase(language: str, key: str, **values: str) -> str:
    """The phrase ``key`` in ``language``, filled with ``values``."""
    template = _PHRASES[check_language(language)][key]
    if "month" in values:
        values = {**values, "month_of": month_of(values["month"])}
    return template.format(**values)


def count(n: int, one: str, many: str | None = None) -> str:
    """``1 meetup``, ``2 meetups``, ``0 meetups``: a count and its noun, in English."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
