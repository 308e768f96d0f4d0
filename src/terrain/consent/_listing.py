"""A line of ``terrain consent list``, on its own so a listing read from the
stored timelines need not load the ledger."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from terrain.consent._status import RecordStatus

__all__ = ["ListedConsent"]


class ListedConsent(NamedTuple):
    """One line of ``terrain consent list``: record ``consent_id`` of ``subject_id``
    stands at ``status`` (``detail`` says why) at the instant asked about.
    ``summary`` is the record in one line (:func:`~terrain.consent.describe`);
    ``record`` is the record as it stands, as plain data (``None`` unless asked for).

    A named tuple, as :class:`~terrain.content.ListedContent` is: a listing of a
    city's records makes 20,000 of them, and a tuple is made several times faster
    than a frozen ``attrs`` class (it is as immutable, and compares by value)."""

    #: The record's id (``c-12``).
    consent_id: str
    #: The id of the member it is about.
    subject_id: str
    #: Where it stands at the instant asked about.
    status: RecordStatus
    #: Why, in a few words (``""`` when there is nothing to add).
    detail: str
    #: The record in one line (:func:`~terrain.consent.describe`).
    summary: str
    #: The record as it stands, as plain data (``None`` unless asked for).
    record: Mapping[str, Any] | None = None
