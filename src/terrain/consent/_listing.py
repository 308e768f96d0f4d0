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

    def line(self) -> str:
        """The line ``terrain consent list`` prints: the id, the member and the status
        in columns (8, 16 and 16 characters wide, wider values pushing the rest), then
        the summary, then the detail in parentheses when there is one::

            c-1      lea              given            publish on every platform (…)

        :meth:`Workspace.consent_listing_lines
        <terrain.store.Workspace.consent_listing_lines>` makes the same lines in the
        store's own SQL (a test compares them)."""
        consent_id, subject_id, status, detail, summary, _ = self  # status is a str: its value
        return (f"{consent_id:<8} {subject_id:<16} {status:<16} {summary} ({detail})" if detail
                else f"{consent_id:<8} {subject_id:<16} {status:<16} {summary}")
