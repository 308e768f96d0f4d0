"""Which column of a file holds which field: the presets, and mapping files.

A :class:`ColumnMap` says, for each field an import reads (``name``,
``email``, ``answer``…), the column names it is found under, the first one
present winning; how to read the service's answers (``approved`` → going);
and how its dates are written (day or month first). Column names are matched
ignoring case and surrounding spaces.

Presets (:data:`COLUMN_PRESETS`) read the attendee exports of Meetup, Luma,
Eventbrite and HelloAsso as these services write them; ``terrain`` (the
default) reads terrain's own exports (``--csv``, ``--json``) and any
spreadsheet whose columns are named after the fields. ``docs/howto/
bring-your-members-in.rst`` lists the columns each preset expects and where
they come from. A mapping file (TOML) changes or adds columns::

    extends = "eventbrite"      # a preset to start from (default: terrain)
    date_order = "mdy"          # 03/04/2026 is March 4 ("dmy": April 3)
    delimiter = ";"             # instead of sniffing it
    encoding = "cp1252"         # instead of detecting it

    [columns]
    name = ["Full name", "Nom complet"]
    "handle:instagram" = "Instagram"

    [answers]
    "Oui" = "going"
    "Peut-être" = "waitlist"
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from terrain._validation import to_mapping
from terrain.errors import ConfigError

__all__ = [
    "COLUMN_PRESETS",
    "FIELDS",
    "RSVP_ANSWERS",
    "ColumnMap",
    "Columns",
    "load_mapping",
    "preset",
]

#: What an answer column may say, once read: the RSVP statuses, and ``ignore``
#: for answers that are no answer yet (an invitation, a pending approval).
RSVP_ANSWERS = ("going", "waitlist", "cancel", "checked-in", "no-show", "ignore")

#: Every field an import reads, with what it holds (``handle:PLATFORM`` too).
FIELDS: dict[str, str] = {
    "id": "the member's id in terrain (kept; made from the name when absent)",
    "name": "the name people know them by",
    "first_name": "first name (joined with last_name when there is no name column)",
    "last_name": "last name",
    "email": "email address (people are matched by it)",
    "phone": "phone number",
    "tags": "interests, separated by ; or ,",
    "minor": "yes when the member is a minor (then name guardians)",
    "guardians": "ids or emails of their guardians, separated by ;",
    "joined_on": "the date they joined",
    "payer_email": "who paid (HelloAsso): used as the email of a participant with the "
    "payer's name",
    "payer_first_name": "the payer's first name",
    "payer_last_name": "the payer's last name",
    "event": "the event: its id or its exact title (or give --event)",
    "answer": "the RSVP answer, read through the answers table",
    "at": "when the answer (or the consent) was given",
    "checked_in_at": "when they were checked in at the door (empty: not checked in)",
    "attended": "yes when they came (checked in at the event's start)",
    "purposes": "consent: publish, tag, archive, reuse-ugc, interview; separated by ;",
    "platforms": "consent: the platforms it is for (empty: all); separated by ;",
    "until": "consent: when it ends (empty: no end)",
    "refused": "consent: yes for a refusal",
    "evidence": "consent: signed-form, checkbox or verbal",
    "evidence_text": "consent: the exact text of the checkbox",
    "version": "consent: the version of that text",
    "witness": "consent: who witnessed verbal consent",
    "form": "consent: the storage key of the signed form's scan",
    "given_by": "consent: ids or emails of who gave it (a minor's guardians)",
    "consent_id": "consent: the record's id (kept; numbered when absent)",
}

_HANDLE = re.compile(r"(?:handle|handles)\s*[:.]\s*([A-Za-z0-9_.-]+)", re.I)


def _norm(name: str) -> str:
    return " ".join(name.split()).casefold()


@attrs.frozen
class Columns:
    """The columns of one file, resolved: ``field`` -> the column it is read from.

    ``prefixes`` are taken off a field's values (Meetup writes ``user 12537919``).
    """

    found: Mapping[str, str]
    prefixes: Mapping[str, str] = attrs.field(factory=dict)

    def has(self, field: str) -> bool:
        """Whether the file has a column for ``field``."""
        return field in self.found

    def value(self, cells: Mapping[str, str], field: str) -> str:
        """The value of ``field`` in a row (``""`` when absent), its prefix taken off."""
        column = self.found.get(field)
        value = cells.get(column, "").strip() if column is not None else ""
        prefix = self.prefixes.get(field)
        if prefix and value.casefold().startswith(prefix.casefold()):
            value = value[len(prefix) :].strip()
        return value

    @property
    def handles(self) -> dict[str, str]:
        """``platform -> column`` of the handle columns."""
        return {f.split(":", 1)[1]: c for f, c in self.found.items() if f.startswith("handle:")}


@attrs.frozen
class ColumnMap:
    """Where an import finds each field, how answers and dates are written.

    ``columns``: field -> column names, first present wins; ``answers``: an
    answer as written (any case) -> one of :data:`RSVP_ANSWERS`; ``date_order``:
    ``"dmy"`` or ``"mdy"`` for dates written with slashes (ISO 8601 dates are
    always read); ``prefixes``: text taken off a field's values; ``source``:
    where the column names come from.
    """

    name: str
    columns: Mapping[str, tuple[str, ...]] = attrs.field(converter=to_mapping)
    answers: Mapping[str, str] = attrs.field(factory=dict, converter=to_mapping)
    date_order: str = "dmy"
    delimiter: str | None = None
    encoding: str | None = None
    prefixes: Mapping[str, str] = attrs.field(factory=dict, converter=to_mapping)
    source: str = ""

    def resolve(self, headers: Sequence[str]) -> Columns:
        """The columns of a file with ``headers``, field by field.

        Besides the mapped columns, ``handle:PLATFORM`` and ``handles.PLATFORM``
        (terrain's own JSON) name a handle column.
        """
        by_norm = {_norm(h): h for h in headers}
        found: dict[str, str] = {}
        for field, names in self.columns.items():
            for name in names:
                if _norm(name) in by_norm:
                    found[field] = by_norm[_norm(name)]
                    break
        taken = set(found.values())
        for header in headers:
            match = _HANDLE.fullmatch(header.strip())
            if match and header not in taken:
                found.setdefault(f"handle:{match[1].casefold()}", header)
        return Columns(found, dict(self.prefixes))

    def answer(self, value: str) -> str | None:
        """What an answer as written means (one of :data:`RSVP_ANSWERS`), ``None`` if unknown."""
        text = _norm(value)
        for written, meaning in self.answers.items():
            if _norm(written) == text:
                return meaning
        return text if text in RSVP_ANSWERS else None

    def known_answers(self) -> str:
        """The answers this map reads, for messages."""
        return ", ".join(sorted({*self.answers, *RSVP_ANSWERS[:5]}, key=str.casefold))


def _cols(**fields: str | tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return {
        field.replace("__", ":"): (names,) if isinstance(names, str) else names
        for field, names in fields.items()
    }


_TERRAIN = ColumnMap(
    name="terrain",
    columns=_cols(
        id=("id", "member_id", "member"),
        name=("name", "display_name", "nom complet", "full name"),
        first_name=("first_name", "first name", "prénom", "prenom"),
        last_name=("last_name", "last name", "nom"),
        email=("email", "e-mail", "mail", "courriel"),
        phone=("phone", "telephone", "téléphone"),
        tags=("tags",),
        minor=("minor", "is_minor"),
        guardians=("guardians", "guardian_ids"),
        joined_on=("joined_on",),
        event=("event", "event_id"),
        answer=("answer", "status", "rsvp"),
        at=("at", "answered_at", "given_at"),
        checked_in_at=("checked_in_at",),
        attended=("attended",),
        purposes=("purposes", "purpose"),
        platforms=("platforms", "platform"),
        until=("until", "valid_until"),
        refused=("refused",),
        evidence=("evidence", "evidence_kind"),
        evidence_text=("evidence_text", "text"),
        version=("version",),
        witness=("witness",),
        form=("form", "file_key"),
        given_by=("given_by",),
        consent_id=("consent_id",),
    ),
    answers={"yes": "going", "no": "cancel", "cancelled": "cancel", "waiting": "waitlist"},
    source="terrain's own exports (`terrain member list --csv`, `--json`)",
)

_MEETUP = ColumnMap(
    name="meetup",
    columns=_cols(
        name="Name",
        handle__meetup="User ID",
        answer="RSVP",
        at="RSVPed on",
        joined_on="Joined Group on",
        attended="Attendance",
    ),
    answers={
        "yes": "going",
        "no": "cancel",
        "waitlist": "waitlist",
        "waiting list": "waitlist",
        "maybe": "ignore",
    },
    date_order="mdy",
    prefixes={"handle:meetup": "user "},
    source="the attendee list an organiser downloads from an event's Attendees page "
    "(tab-separated, named .xls)",
)

_LUMA = ColumnMap(
    name="luma",
    columns=_cols(
        name="name",
        first_name="first_name",
        last_name="last_name",
        email="email",
        phone="phone_number",
        answer="approval_status",
        at="created_at",
        checked_in_at="checked_in_at",
    ),
    answers={
        "approved": "going",
        "waitlist": "waitlist",
        "declined": "cancel",
        "pending_approval": "ignore",
        "invited": "ignore",
        "session": "ignore",
    },
    source="the guest list CSV of an event's Guests tab (Download as CSV)",
)

_EVENTBRITE = ColumnMap(
    name="eventbrite",
    columns=_cols(
        first_name="First Name",
        last_name="Last Name",
        email="Email",
        phone=("Cell Phone", "Phone", "Home Phone"),
        answer="Attendee Status",
        at="Order Date",
        event="Event Name",
    ),
    answers={
        "attending": "going",
        "checked in": "checked-in",
        "not attending": "cancel",
        "refunded": "cancel",
        "cancelled": "cancel",
        "canceled": "cancel",
        "deleted": "cancel",
        "transferred": "cancel",
    },
    date_order="mdy",
    source="the Attendee Summary report (Reporting > Attendee summary > Export to CSV)",
)

_HELLOASSO = ColumnMap(
    name="helloasso",
    columns=_cols(
        first_name=("Prénom participant", "Prénom adhérent", "Prénom"),
        last_name=("Nom participant", "Nom adhérent", "Nom"),
        email=("Email participant", "Email adhérent", "Email", "Adresse email"),
        payer_email="Email payeur",
        payer_first_name="Prénom payeur",
        payer_last_name="Nom payeur",
        phone=("Téléphone", "Numéro de téléphone"),
        answer=("Statut de la commande", "Statut"),
        at="Date de la commande",
    ),
    answers={
        "validé": "going",
        "valide": "going",
        "payé": "going",
        "remboursé": "cancel",
        "annulé": "cancel",
        "en attente": "ignore",
    },
    date_order="dmy",
    delimiter=";",
    source="the export of a ticketing or membership campaign (Export > CSV), semicolon-"
    "separated",
)

#: Every preset by name.
COLUMN_PRESETS: dict[str, ColumnMap] = {
    m.name: m for m in (_TERRAIN, _MEETUP, _LUMA, _EVENTBRITE, _HELLOASSO)
}


def preset(name: str) -> ColumnMap:
    """The preset called ``name`` (:class:`~terrain.errors.ConfigError` listing them)."""
    try:
        return COLUMN_PRESETS[name.casefold()]
    except KeyError:
        raise ConfigError(
            f"no preset {name!r}: choose one of {', '.join(COLUMN_PRESETS)}, or describe the "
            "columns in a mapping file (--mapping FILE.toml)"
        ) from None


_MAPPING_KEYS = ("extends", "date_order", "delimiter", "encoding", "columns", "answers")


def _names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: give a column name in quotes, or a list of them")


def load_mapping(path: Path | str) -> ColumnMap:
    """The column map described by the mapping file (TOML) at ``path``.

    Its columns come before those of the preset it ``extends``; every problem
    is a :class:`~terrain.errors.ConfigError` naming the file and the key.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"mapping file {file} does not exist: check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read mapping file {file}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"mapping file {file} is not valid TOML: {exc}") from None
    for key in data:
        if key not in _MAPPING_KEYS:
            raise ConfigError(
                f"{file}: unknown key {key!r}; a mapping file takes {', '.join(_MAPPING_KEYS)}"
            )
    base = preset(str(data.get("extends", "terrain")))
    columns = {k: list(v) for k, v in base.columns.items()}
    table = data.get("columns", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: [columns] must be a table of field = column name")
    for field, value in table.items():
        if field not in FIELDS and not field.startswith("handle:"):
            raise ConfigError(
                f"{file}: [columns] {field}: not a field terrain reads; the fields are "
                f"{', '.join(FIELDS)} and handle:PLATFORM"
            )
        columns[field] = [*_names(value, f"{file}: [columns] {field}"), *columns.get(field, [])]
    answers = dict(base.answers)
    given = data.get("answers", {})
    if not isinstance(given, dict):
        raise ConfigError(f"{file}: [answers] must be a table of \"as written\" = answer")
    for written, meaning in given.items():
        if meaning not in RSVP_ANSWERS:
            raise ConfigError(
                f"{file}: [answers] {written!r} = {meaning!r}: an answer is one of "
                f"{', '.join(RSVP_ANSWERS)}"
            )
        answers[written] = meaning
    order = data.get("date_order", base.date_order)
    if order not in ("dmy", "mdy"):
        raise ConfigError(f"{file}: date_order = {order!r}: give \"dmy\" or \"mdy\"")
    for key in ("delimiter", "encoding"):
        if key in data and not isinstance(data[key], str):
            raise ConfigError(f"{file}: {key} must be text in quotes")
    return ColumnMap(
        name=f"{file.name} (extends {base.name})",
        columns={k: tuple(v) for k, v in columns.items()},
        answers=answers,
        date_order=order,
        delimiter=data.get("delimiter", base.delimiter),
        encoding=data.get("encoding", base.encoding),
        prefixes=dict(base.prefixes),
        source=f"the mapping file {file.name}",
    )
