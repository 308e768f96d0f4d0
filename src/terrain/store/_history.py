"""The history of record changes: who changed what, when, from what to what.

Every write of a record through a :class:`~terrain.store.Workspace` (``add``,
``put``, ``remove``) appends one :class:`Change` to the ``history`` table, in
the same transaction as the write: the history never misses a change nor
records one that did not happen. A write that changes nothing records nothing.

"Who" is :attr:`Workspace.actor <terrain.store.Workspace.actor>`: the name
given to :meth:`Workspace.open` (the command line's ``--by``), else
``$TERRAIN_USER``, else the operating system's user name. "When" is
:func:`recorded_at`: the one place below the front ends that reads
:func:`terrain.clock.now` (a stamp on the store's own bookkeeping, never an
input to a decision; ``TERRAIN_NOW`` sets it like every clock). The history is
append-only, with one exception: erasing a person at their request removes
them from it (see ``docs/privacy.rst``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from terrain import clock

__all__ = [
    "USER_ENV_VAR",
    "Change",
    "FieldChange",
    "actor_from",
    "field_changes",
    "recorded_at",
]

#: Environment variable naming who makes the changes (default: the OS user).
USER_ENV_VAR = "TERRAIN_USER"


def actor_from(environ: Mapping[str, str], given: str | None = None) -> str:
    """Who is changing records: ``given``, else ``$TERRAIN_USER``, else the OS user."""
    for name in (given, environ.get(USER_ENV_VAR)):
        if name and name.strip():
            return name.strip()
    try:
        import getpass

        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment nor the password file
        return "unknown"


def recorded_at() -> str:
    """When a change is written, as ISO 8601 UTC text (sorts like the instant it names).

    Decisions take their time as an argument; the history only stamps when it
    was written, from :func:`terrain.clock.now`.
    """
    return clock.now().astimezone(UTC).isoformat()


@attrs.frozen
class FieldChange:
    """One field of a record that a change touched: its value before and after
    (plain JSON data; ``None`` when the field was absent)."""

    field: str
    before: Any
    after: Any


def field_changes(before: str | None, after: str | None) -> tuple[FieldChange, ...]:
    """The top-level fields that differ between two JSON documents of a record."""
    old: dict[str, Any] = json.loads(before) if before else {}
    new: dict[str, Any] = json.loads(after) if after else {}
    return tuple(
        FieldChange(name, old.get(name), new.get(name))
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    )


@attrs.frozen
class Change:
    """One change of one record.

    ``action`` is ``add``, ``edit``, ``delete``, or ``erase`` (a person erased
    at their request); ``before`` and ``after`` the record's JSON (``None``
    when it did not exist, or no longer does); ``note`` says why when the
    change was made by an import or forced past what relied on the record.
    """

    seq: int
    at: datetime
    who: str
    action: str
    kind: str
    record_id: str
    before: str | None
    after: str | None
    note: str = ""

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> Change:
        """A change read from a row of :meth:`Database.history`."""
        seq, at, who, action, kind, record_id, before, after, note = row
        return cls(
            int(seq),
            datetime.fromisoformat(str(at)).astimezone(UTC),
            str(who),
            str(action),
            str(kind),
            str(record_id),
            None if before is None else str(before),
            None if after is None else str(after),
            str(note or ""),
        )

    @property
    def fields(self) -> tuple[FieldChange, ...]:
        """The fields this change touched (every field for an addition or a deletion)."""
        return field_changes(self.before, self.after)
