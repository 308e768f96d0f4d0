"""Consent: records, the ledger, and the decisions made from them."""

from terrain.consent._records import (
    Consent,
    ConsentStatus,
    Evidence,
    EvidenceKind,
    Purpose,
    Scope,
    ScopeKind,
    StatusChange,
)

__all__ = [
    "Consent",
    "ConsentStatus",
    "Evidence",
    "EvidenceKind",
    "Purpose",
    "Scope",
    "ScopeKind",
    "StatusChange",
]
