"""Check a meetup against the field format (its running order is ``terrain.events._agenda``).

The field format: one or two expert talks of 20–30 minutes, each followed by
10–15 minutes of questions, then networking, which must stay the main part of
the evening. :class:`FormatRules` holds those numbers so a community can set
its own; :func:`check_format` says what breaks them and why.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

import attrs

from terrain._language import count as plural
from terrain.events._rules import FormatRules

if TYPE_CHECKING:
    from terrain.events._models import Event

__all__ = ["Finding", "Severity", "check_format"]


class Severity(enum.StrEnum):
    """How serious a format finding is."""

    ERROR = "error"  #: breaks the format; fix before announcing
    WARNING = "warning"  #: unusual; decide knowingly


@attrs.frozen
class Finding:
    """One remark on an event's format: ``code`` is stable, ``message`` explains."""

    severity: Severity
    code: str
    message: str

    @property
    def is_error(self) -> bool:
        """Whether this finding breaks the format."""
        return self.severity is Severity.ERROR

    def __str__(self) -> str:
        return f"{self.severity.value}: {self.message}"


def check_format(event: Event, *, rules: FormatRules | None = None) -> tuple[Finding, ...]:
    """Say what in ``event`` breaks the community's meetup format.

    Returns the findings, errors first; an empty tuple means the event
    follows the format. Nothing is raised for a format problem: the event is
    valid data, the findings are advice with reasons.
    """
    rules = rules or FormatRules()
    findings: list[Finding] = []

    def add(severity: Severity, code: str, message: str) -> None:
        findings.append(Finding(severity, code, message))

    count = len(event.talks)
    if count > rules.max_talks:
        add(
            Severity.ERROR,
            "too-many-talks",
            f"{plural(count, 'talk')}: the format allows at most {rules.max_talks}; "
            "keep the others for the next date of the series",
        )
    elif count < rules.min_talks:
        add(
            Severity.WARNING,
            "too-few-talks",
            f"{plural(count, 'talk')}: the format expects at least {rules.min_talks}",
        )
    for number, talk in enumerate(event.talks, 1):
        label = f"talk {number} ({talk.title!r})"
        if talk.minutes > rules.max_talk_minutes:
            add(
                Severity.ERROR,
                "talk-too-long",
                f"{label} lasts {talk.minutes} min: at most {rules.max_talk_minutes}; "
                "ask the speaker to cut it or split it over two dates",
            )
        elif talk.minutes < rules.min_talk_minutes:
            add(
                Severity.WARNING,
                "talk-too-short",
                f"{label} lasts {talk.minutes} min: the format expects "
                f"{rules.min_talk_minutes}-{rules.max_talk_minutes}",
            )
        if not rules.min_qa_minutes <= talk.qa_minutes <= rules.max_qa_minutes:
            add(
                Severity.WARNING,
                "qa-out-of-range",
                f"{label} has {talk.qa_minutes} min of Q&A: the format expects "
                f"{rules.min_qa_minutes}-{rules.max_qa_minutes}",
            )
    talking = sum(t.minutes + t.qa_minutes for t in event.talks)
    networking = event.networking_minutes
    if networking == 0:
        add(
            Severity.ERROR,
            "no-networking",
            "no networking time: networking is the main part of a meetup; give it time "
            "(`terrain event edit EVENT --networking-minutes 90`)",
        )
    elif networking < rules.networking_share * (talking + networking):
        add(
            Severity.ERROR,
            "networking-too-short",
            f"networking ({networking} min) is shorter than talks and Q&A ({talking} min); "
            "it must stay the main part: drop a talk (`terrain event drop-talk`) or give "
            "networking more time (`terrain event edit --networking-minutes`)",
        )
    findings.sort(key=lambda f: f.severity is not Severity.ERROR)
    return tuple(findings)
