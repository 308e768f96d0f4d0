"""Meetups, their talks and the venues that host them.

The field format: one or two expert talks of 20–30 minutes, each followed by
10–15 minutes of questions, then networking, which must stay the main part of
the evening. The models hold the data and its invariants; the format check,
the running order, series, calendar export and attendance are pure functions
beside them.
"""

from typing import TYPE_CHECKING

from terrain._lazy import exports

if TYPE_CHECKING:
    from terrain.events._agenda import AgendaItem, AgendaKind, build_agenda
    from terrain.events._attendance import (
        DOORS_OPEN,
        SEATS_HELD,
        Attendance,
        Rsvp,
        RsvpStatus,
        cancel_rsvp,
        capacity_of,
        check_in,
        join_waitlist,
        mark_no_shows,
        promote_waitlist,
        rsvp_going,
    )
    from terrain.events._forecast import (
        Forecast,
        VenueSuggestion,
        forecast_attendance,
        suggest_venues,
    )
    from terrain.events._format import Finding, Severity, check_format
    from terrain.events._ics import event_ics, series_ics
    from terrain.events._models import (
        CostModel,
        Event,
        Money,
        Talk,
        Venue,
        VenueKind,
        event_url,
        remove_talk,
    )
    from terrain.events._revise import raise_sequence
    from terrain.events._rules import FormatRules
    from terrain.events._series import (
        Occurrence,
        Override,
        Series,
        occurrence_sequence,
        occurrences,
        series_events,
    )

__all__ = [
    "DOORS_OPEN",
    "SEATS_HELD",
    "AgendaItem",
    "AgendaKind",
    "Attendance",
    "CostModel",
    "Event",
    "Finding",
    "Forecast",
    "FormatRules",
    "Money",
    "Occurrence",
    "Override",
    "Rsvp",
    "RsvpStatus",
    "Series",
    "Severity",
    "Talk",
    "Venue",
    "VenueKind",
    "VenueSuggestion",
    "build_agenda",
    "cancel_rsvp",
    "capacity_of",
    "check_format",
    "check_in",
    "event_ics",
    "event_url",
    "forecast_attendance",
    "join_waitlist",
    "mark_no_shows",
    "occurrence_sequence",
    "occurrences",
    "promote_waitlist",
    "raise_sequence",
    "remove_talk",
    "rsvp_going",
    "series_events",
    "series_ics",
    "suggest_venues",
]

#: Names renamed after 0.1.0: bare verbs that did not say what they act on. The old
#: ones still work, with a DeprecationWarning, until the next release.
_RENAMED = {
    "cancel": "cancel_rsvp",
    "close": "mark_no_shows",
    "promote": "promote_waitlist",
    "revise": "raise_sequence",
    "rsvp": "rsvp_going",
}
if not TYPE_CHECKING:  # type checkers flag the old names; each name is imported when first used
    __getattr__, __dir__ = exports(__name__, __file__, renamed=_RENAMED)
