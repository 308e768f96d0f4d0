"""The community's own words: a template per kind of post and per language.

terrain writes six kinds of public text: the **announcement** of a meetup, its
**reminder** the day before, its **recap**, the **photo caption** of the
photos an album cannot hold, a project's monthly **update**, and the
**partner thanks** line. Each has a default in French and in English; a
community replaces any of them with its own words (``templates/recap.fr.txt``
next to ``terrain.toml``, or ``[templates]`` in it: :doc:`/reference/configuration`).

The template language is :class:`string.Template`: ``$title`` or ``${title}``
is replaced by a value, ``$$`` is a dollar sign, and nothing else happens (no
code runs, no attribute is read). Two rules make one template fit every
meetup:

- a line where a placeholder has nothing to say (no talks, no venue, no link)
  is left out whole, so each optional fact gets its own line;
- in French, ``à`` or ``de`` before a value starting with ``Le``/``Les`` is
  contracted (``à Le Zinc`` → ``au Zinc``, ``de Les Halles`` → ``des Halles``).

A placeholder that the kind does not know is a :class:`~terrain.errors.ConfigError`
naming the file, the line and the placeholder, with the ones it may use:

    >>> t = Template("recap", "fr", "$title : merci à $venue !\\nAu programme : $talks.")
    >>> print(t.render({"title": "Vélo & ville #12", "venue": "Le Zinc", "talks": ""}))
    Vélo & ville #12 : merci au Zinc !
    >>> Template("recap", "en", "Thanks, $titel", source="templates/recap.en.txt").check()
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    terrain.errors.ConfigError: templates/recap.en.txt, line 1: unknown placeholder $titel (did you mean $title?); a recap template may use ...
"""  # noqa: E501

from __future__ import annotations

import re
import string
from collections.abc import Mapping

import attrs

from terrain._language import DEFAULT_LANGUAGE, LANGUAGES, check_language
from terrain.errors import ConfigError

__all__ = [
    "DEFAULTS",
    "KINDS",
    "PLACEHOLDERS",
    "Template",
    "Templates",
    "default_templates",
]

#: The kinds of post a community can write its own template for.
KINDS = (
    "announcement",
    "reminder",
    "recap",
    "photo-caption",
    "project-update",
    "partner-thanks",
)

_EVENT = ("community", "title", "date", "time", "venue", "address", "place", "link")
_PROGRAMME = ("talks", "talk_list", "speakers")

#: What each kind of template may use.
PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "announcement": frozenset((*_EVENT, *_PROGRAMME, "end_time", "description", "relative_day")),
    "reminder": frozenset((*_EVENT, *_PROGRAMME, "end_time", "description", "relative_day")),
    "recap": frozenset((*_EVENT, *_PROGRAMME, "partners", "thanks")),
    "photo-caption": frozenset(("community", "title", "date", "part", "captions")),
    "project-update": frozenset(
        ("community", "title", "month", "month_of", "summary", "milestones", "quote", "who")
    ),
    "partner-thanks": frozenset(("community", "title", "date", "partners")),
}

_NB = "\u00a0"  # no-break space: before a colon, inside guillemets
_NNB = "\u202f"  # narrow no-break space: before ! ? ;

#: terrain's own words, per language and kind (French typography: a no-break
#: space before ``:`` and inside « », a narrow one before ``!`` and ``?``).
DEFAULTS: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "announcement": (
            f"Prochain meetup{_NB}: $title\n"
            "Rendez-vous $relative_day à $time.\n"
            f"Lieu{_NB}: $place\n"
            f"Au programme{_NB}: $talks, puis place aux échanges.\n"
            f"Inscription{_NB}: $link"
        ),
        "reminder": (
            f"Rappel{_NB}: $title, c’est $relative_day à $time{_NNB}!\n"
            f"Lieu{_NB}: $place\n"
            f"Au programme{_NB}: $talks.\n"
            f"Inscription{_NB}: $link"
        ),
        "recap": (
            f"$title{_NB}: merci à toutes et à tous{_NNB}!\n"
            "Meetup du $date.\n"
            f"Au programme{_NB}: $talks.\n"
            "Merci à $venue de nous avoir accueillis.\n"
            "$thanks"
        ),
        "photo-caption": "Encore des photos de $title ($part)\n$captions",
        "project-update": (
            f"$title{_NB}: avancement $month_of\n\n$summary\n\n$milestones\n\n"
            f"«{_NB}$quote{_NB}» — $who"
        ),
        "partner-thanks": f"Un grand merci à $partners pour leur soutien{_NNB}!",
    },
    "en": {
        "announcement": (
            "Next meetup: $title\n"
            "Join us $relative_day at $time.\n"
            "Where: $place\n"
            "On the programme: $talks, then time to meet and talk.\n"
            "RSVP: $link"
        ),
        "reminder": (
            "Reminder: $title is $relative_day at $time!\n"
            "Where: $place\n"
            "On the programme: $talks.\n"
            "RSVP: $link"
        ),
        "recap": (
            "$title: thank you all for coming!\n"
            "Meetup on $date.\n"
            "On the programme: $talks.\n"
            "Thanks to $venue for having us.\n"
            "$thanks"
        ),
        "photo-caption": "More photos from $title ($part)\n$captions",
        "project-update": (
            "$title: $month update\n\n$summary\n\n$milestones\n\n“$quote” — $who"
        ),
        "partner-thanks": "Many thanks to $partners for their support!",
    },
}

#: French contractions of a preposition and a name's article: à Le Zinc → au Zinc.
_CONTRACTIONS = (("à", "Les", "aux"), ("à", "Le", "au"), ("de", "Les", "des"), ("de", "Le", "du"))


def _closest(name: str, known: frozenset[str]) -> str:
    import difflib

    found = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean ${found[0]}?)" if found else ""


@attrs.frozen
class Template:
    """The words of one ``kind`` of post in one ``language``.

    ``source`` says where the text comes from (a file, ``terrain.toml``, or
    terrain's defaults) and ``first_line`` the line of that source where the
    text starts: error messages name both.
    """

    kind: str
    language: str
    text: str
    source: str = "terrain's default"
    first_line: int = 1

    def __attrs_post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(
                f"{self.source}: no template kind {self.kind!r}; the kinds are {', '.join(KINDS)}"
            )

    def _where(self, offset: int) -> str:
        return f"{self.source}, line {self.first_line + offset}"

    def check(self) -> Template:
        """This template, if every ``$placeholder`` is one its kind knows; else a
        :class:`~terrain.errors.ConfigError` naming the source, the line and the
        placeholder, and listing those the kind may use."""
        check_language(self.language)
        known = PLACEHOLDERS[self.kind]
        allowed = ", ".join(f"${k}" for k in sorted(known))
        for offset, line in enumerate(self.text.split("\n")):
            for match in string.Template.pattern.finditer(line):
                name = match.group("named") or match.group("braced")
                if match.group("invalid") is not None:
                    raise ConfigError(
                        f"{self._where(offset)}: a lone '$' at column {match.start() + 1}: "
                        "write $$ for a dollar sign, or $name for a value; a "
                        f"{self.kind} template may use {allowed}"
                    )
                if name is not None and name not in known:
                    raise ConfigError(
                        f"{self._where(offset)}: unknown placeholder ${name}"
                        f"{_closest(name, known)}; a {self.kind} template may use {allowed}"
                    )
        return self

    def placeholders(self) -> frozenset[str]:
        """The placeholders this template uses."""
        found = set()
        for match in string.Template.pattern.finditer(self.text):
            name = match.group("named") or match.group("braced")
            if name:
                found.add(name)
        return frozenset(found)

    def render(self, values: Mapping[str, str]) -> str:
        """The text with ``values`` in place (see the module for the rules).

        A placeholder missing from ``values`` has nothing to say: its line is
        left out. Blank lines left side by side are merged; the text is stripped.
        """
        self.check()
        lines: list[str] = []
        for line in self.text.split("\n"):
            names = [
                m.group("named") or m.group("braced")
                for m in string.Template.pattern.finditer(line)
            ]
            if any(n and not str(values.get(n, "")).strip() for n in names):
                continue
            lines.append(_fill(line, values, french=self.language == "fr"))
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _fill(line: str, values: Mapping[str, str], *, french: bool) -> str:
    """``line`` with its placeholders replaced (``à Le Zinc`` → ``au Zinc`` in French)."""
    out = ""
    position = 0
    for match in string.Template.pattern.finditer(line):
        out += line[position : match.start()]
        position = match.end()
        if match.group("escaped") is not None:
            out += "$"
            continue
        value = str(values[match.group("named") or match.group("braced")])
        if french:
            for prep, article, merged in _CONTRACTIONS:
                if re.search(rf"(?:^|\s){prep} $", out) and value.startswith(f"{article} "):
                    out = out[: len(out) - len(prep) - 1] + merged + " "
                    value = value[len(article) + 1 :]
                    break
        out += value
    return out + line[position:]


@attrs.frozen
class Templates:
    """The templates of a community: its own where it wrote some, terrain's defaults
    elsewhere, all in its ``language``."""

    language: str = DEFAULT_LANGUAGE
    own: Mapping[str, Template] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        check_language(self.language)
        for kind, template in self.own.items():
            if template.kind != kind or template.language != self.language:
                raise ConfigError(
                    f"{template.source}: a {template.kind} template in {template.language!r} "
                    f"given as the {kind} template in {self.language!r}"
                )
            template.check()

    def get(self, kind: str) -> Template:
        """The template of ``kind``: the community's own, else terrain's default."""
        if kind not in KINDS:
            raise ConfigError(f"no template kind {kind!r}; the kinds are {', '.join(KINDS)}")
        found = self.own.get(kind)
        if found is not None:
            return found
        return Template(
            kind, self.language, DEFAULTS[self.language][kind], f"terrain's default {kind} "
            f"({self.language})"
        )

    def render(self, kind: str, values: Mapping[str, str]) -> str:
        """The text of a ``kind`` post with ``values``."""
        return self.get(kind).render(values)


def default_templates(language: str = DEFAULT_LANGUAGE) -> Templates:
    """terrain's own words in ``language`` (``"fr"`` or ``"en"``)."""
    return Templates(language=language)


assert set(DEFAULTS) == set(LANGUAGES)
