"""A line of ``terrain consent list``, on its own so a listing read from the
stored timelines need not load the ledger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from terrain.consent._status import RecordStatus

__all__ = ["ListedConsent"]


@attrs.frozen
class ListedConsent:
    """One line of ``terrain consent list``: record ``consent_id`` of ``subject_id``
    stands at ``status`` (``detail`` says why) at the instant asked about.
    ``summary`` is the record in one line (:func:`~terrain.consent.describe`);
    ``record`` is the record as it stands, as plain data (``None`` unless asked for)."""

    consent_id: str
    subject_id: str
    status: RecordStatus
    detail: str
    summary: str
    record: Mapping[str, Any] | None = None
