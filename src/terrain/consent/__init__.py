"""Consent: records, the ledger, and the decisions made from them.

- :class:`ConsentLedger` records grants, refusals, withdrawals and renewals as
  append-only events and answers "may we, at this instant?" from an index.
- :func:`decide` checks a content or a post against the ledger and returns a
  :class:`Decision` with one reason per person, media and mention.
- :func:`withdrawal_impact` lists what a withdrawal takes down.
- :func:`render_consent_form` prints the form that collects consent.
"""

from typing import TYPE_CHECKING

from terrain._lazy import exports

if TYPE_CHECKING:
    from terrain.consent._audit import DecisionOutcome, DecisionRecord, Reason
    from terrain.consent._decide import Blurred, Decision, decide
    from terrain.consent._events import (
        ConsentEvent,
        ConsentRecorded,
        ConsentRenewed,
        ConsentWithdrawn,
        event_from_data,
        event_from_json,
        event_to_data,
        event_to_json,
    )
    from terrain.consent._forms import (
        ConsentFormText,
        consent_form_text,
        purpose_labels,
        render_consent_form,
    )
    from terrain.consent._guardians import GUARDIAN_RULES, GuardianRule
    from terrain.consent._impact import Staying, TakedownTarget, WithdrawalImpact, withdrawal_impact
    from terrain.consent._ledger import ConsentLedger, StoredEvent
    from terrain.consent._listing import ListedConsent
    from terrain.consent._purpose import Purpose
    from terrain.consent._records import (
        Consent,
        ConsentStatus,
        Evidence,
        EvidenceKind,
        Scope,
        ScopeKind,
        StatusChange,
        platform_key,
    )
    from terrain.consent._rules import Slice
    from terrain.consent._state import (
        CLOCK_SKEW,
        ConsentState,
        RecordState,
        Target,
        platforms_of,
        purposes_of,
    )
    from terrain.consent._status import RecordStatus
    from terrain.consent._timeline import TimelineSpan, describe, timeline

__all__ = [
    "CLOCK_SKEW",
    "GUARDIAN_RULES",
    "Blurred",
    "Consent",
    "ConsentEvent",
    "ConsentFormText",
    "ConsentLedger",
    "ConsentRecorded",
    "ConsentRenewed",
    "ConsentState",
    "ConsentStatus",
    "ConsentWithdrawn",
    "Decision",
    "DecisionOutcome",
    "DecisionRecord",
    "Evidence",
    "EvidenceKind",
    "GuardianRule",
    "ListedConsent",
    "Purpose",
    "Reason",
    "RecordState",
    "RecordStatus",
    "Scope",
    "ScopeKind",
    "Slice",
    "StatusChange",
    "Staying",
    "StoredEvent",
    "TakedownTarget",
    "Target",
    "TimelineSpan",
    "WithdrawalImpact",
    "consent_form_text",
    "decide",
    "describe",
    "event_from_data",
    "event_from_json",
    "event_to_data",
    "event_to_json",
    "platform_key",
    "platforms_of",
    "purpose_labels",
    "purposes_of",
    "render_consent_form",
    "timeline",
    "withdrawal_impact",
]


# Renamed after 0.1.0 (terrain.publishing had an Outcome too; three takedown types had
# names alike): served until the next release.
if not TYPE_CHECKING:  # each name is imported when first used (terrain._lazy)
    __getattr__, __dir__ = exports(
        __name__, __file__, renamed={"Outcome": "DecisionOutcome", "Takedown": "TakedownTarget"}
    )
