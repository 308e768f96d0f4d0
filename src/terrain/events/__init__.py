"""Meetups, their talks and the venues that host them.

The field format: one or two expert talks of 20–30 minutes, each followed by
10–15 minutes of questions, then networking, which must stay the main part of
the evening. The models hold the data and its invariants; the format check,
the running order, series, calendar export and attendance are pure functions
beside them.
"""

from terrain._public import claim
from terrain.events._attendance import (
    DOORS_OPEN,
    SEATS_HELD,
    Attendance,
    Forecast,
    Rsvp,
    RsvpStatus,
    VenueSuggestion,
    cancel,
    capacity_of,
    check_in,
    close,
    forecast_attendance,
    join_waitlist,
    promote,
    rsvp,
    suggest_venues,
)
from terrain.events._format import (
    AgendaItem,
    AgendaKind,
    Finding,
    FormatRules,
    Severity,
    build_agenda,
    check_format,
)
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
from terrain.events._revise import revise
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
    "cancel",
    "capacity_of",
    "check_format",
    "check_in",
    "close",
    "event_ics",
    "event_url",
    "forecast_attendance",
    "join_waitlist",
    "occurrence_sequence",
    "occurrences",
    "promote",
    "remove_talk",
    "revise",
    "rsvp",
    "series_events",
    "series_ics",
    "suggest_venues",
]

claim(__name__, globals())
