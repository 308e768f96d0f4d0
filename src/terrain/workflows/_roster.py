"""The people an import reads: finding each row's member, and what a row makes of them.

:class:`People` holds the members as an import sees them while it reads a
file: the stored ones, then those created or changed by the rows read so far.
A row's person is matched by id, then email, then handle (on any platform),
then by exact name: any member of that name when the row gives no email nor
handle, else a member of that name whose email and handles do not contradict
the row's (the same person, now with their email or a handle). Matching is case
blind for emails and handles. A row that matches two different members, or
whose email another line of the same file gives to someone else, is refused.

A matched member is updated with what the row says: a non-empty cell replaces
the stored value, an empty one keeps it; handles, tags and guardians are
added to the stored ones. Importing the same file again therefore changes
nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import attrs

from terrain.community import Member
from terrain.workflows._cells import CellError, parse_day, slug, split_list, truthy
from terrain.workflows._columns import ColumnMap, Columns

__all__ = ["People", "Person", "person_of"]


@attrs.frozen
class Person:
    """What one row says about a person (empty values: the row does not say)."""

    id: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    handles: Mapping[str, str] = attrs.field(factory=dict)
    tags: tuple[str, ...] = ()
    minor: bool | None = None
    guardians: tuple[str, ...] = ()
    joined_on: date | None = None

    def describe(self) -> str:
        """``Léa Martin <lea@velo.fr>``: how the row names the person, for messages."""
        parts = [self.name or self.id or "someone"]
        if self.email:
            parts.append(f"<{self.email}>")
        elif self.handles:
            platform, handle = sorted(self.handles.items())[0]
            parts.append(f"({platform}: {handle})")
        return " ".join(parts)


def _name(columns: Columns, cells: Mapping[str, str]) -> str:
    name = columns.value(cells, "name")
    if name:
        return " ".join(name.split())
    first, last = columns.value(cells, "first_name"), columns.value(cells, "last_name")
    return " ".join(" ".join(p for p in (first, last) if p).split())


def person_of(columns: Columns, cmap: ColumnMap, cells: Mapping[str, str]) -> Person:
    """The person a row describes; :class:`CellError` for a cell that cannot be read."""
    name = _name(columns, cells)
    email = columns.value(cells, "email")
    payer = columns.value(cells, "payer_email")
    if not email and payer:
        paid_by = " ".join(
            p
            for p in (
                columns.value(cells, "payer_first_name"),
                columns.value(cells, "payer_last_name"),
            )
            if p
        )
        if paid_by and paid_by.casefold() == name.casefold():
            email = payer  # they paid for themselves: the payer's email is theirs
    handles = {}
    for platform in columns.handles:
        handle = columns.value(cells, f"handle:{platform}").removeprefix("@")
        if handle:
            handles[platform] = handle
    minor = columns.value(cells, "minor")
    joined = columns.value(cells, "joined_on")
    try:
        is_minor = truthy(minor) if minor else None
    except CellError as exc:
        raise CellError(f"minor: {exc}") from None
    try:
        joined_on = parse_day(joined, order=cmap.date_order) if joined else None
    except CellError as exc:
        raise CellError(f"joined_on: {exc}") from None
    return Person(
        id=columns.value(cells, "id"),
        name=name,
        email=email,
        phone=columns.value(cells, "phone"),
        handles=handles,
        tags=tuple(split_list(columns.value(cells, "tags"))),
        minor=is_minor,
        guardians=tuple(split_list(columns.value(cells, "guardians"))),
        joined_on=joined_on,
    )


def _fits(member: Member, person: Person) -> bool:
    """Whether nothing the row says contradicts ``member`` (its email, its handles)."""
    if person.email and member.email and member.email.casefold() != person.email.casefold():
        return False
    return all(
        member.handles.get(platform, handle).casefold() == handle.casefold()
        for platform, handle in person.handles.items()
    )


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class People:
    """The members as an import sees them (see the module docstring)."""

    def __init__(self, members: Iterable[Member]) -> None:
        self.stored: dict[str, Member] = {m.id: m for m in members}
        self.current: dict[str, Member] = dict(self.stored)
        self._email: dict[str, str] = {}
        self._handle: dict[tuple[str, str], str] = {}
        self._names: dict[str, set[str]] = {}
        self._file_emails: dict[tuple[str, str], tuple[int, str]] = {}
        self._said: dict[str, dict[str, tuple[int, str]]] = {}
        for member in self.stored.values():
            self._index(member)

    def _index(self, member: Member) -> None:
        if member.email:
            self._email[member.email.casefold()] = member.id
        for platform, handle in member.handles.items():
            self._handle[(platform.casefold(), handle.casefold())] = member.id
        self._names.setdefault(" ".join(member.display_name.split()).casefold(), set()).add(
            member.id
        )

    def find(self, person: Person) -> str | None:
        """The id of the member ``person`` is; :class:`CellError` when the row points at
        two members, or when its name alone fits several."""
        found: dict[str, str] = {}
        if person.id and person.id in self.current:
            found["id"] = person.id
        if person.email and person.email.casefold() in self._email:
            found["email"] = self._email[person.email.casefold()]
        for platform, handle in sorted(person.handles.items()):
            key = (platform.casefold(), handle.casefold())
            if key in self._handle:
                found[f"{platform} handle"] = self._handle[key]
        ids = set(found.values())
        if len(ids) > 1:
            how = ", ".join(f"{self.current[i].id} by {by}" for by, i in found.items())
            raise CellError(
                f"{person.describe()} matches several members ({how}): fix the row, or merge "
                "those members first"
            )
        if ids:
            return ids.pop()
        if person.id or not person.name:
            return None
        named = self._names.get(" ".join(person.name.split()).casefold(), set())
        if person.email or person.handles:
            # the same name, known with no email and no other handle on these platforms:
            # the same person, now with an email or a handle
            fits = [i for i in named if _fits(self.current[i], person)]
            return fits[0] if len(fits) == 1 else None
        if len(named) > 1:
            # a row imported before is reflected in the member it made: the same file
            # imported again finds them, whoever else has that name
            already = [i for i in sorted(named) if self._reflects(person, i)]
            if already:
                return already[0]
            raise CellError(
                f"{person.name} is the name of several members ({', '.join(sorted(named))}) and "
                "the row gives no email, handle or id to tell them apart"
            )
        return next(iter(named), None)

    def _reflects(self, person: Person, member_id: str) -> bool:
        """Whether member ``member_id`` already holds everything ``person`` says."""
        try:
            return self.merged(person, member_id) == self.current[member_id]
        except (CellError, ValueError):
            return False

    def check_email(self, person: Person, line: int) -> None:
        """Refuse an email, or a handle, that another line of the file gives to someone
        with another name."""
        keys = [("email", person.email.casefold(), f"email {person.email}")] if person.email else []
        keys += [
            (platform.casefold(), handle.casefold(), f"{platform} handle {handle}")
            for platform, handle in sorted(person.handles.items())
        ]
        for platform, value, shown in keys:
            earlier = self._file_emails.get((platform, value))
            if earlier is not None and not _same(earlier[1], person.name or earlier[1]):
                what = "email" if platform == "email" else "handle"
                raise CellError(
                    f"{shown} is also on line {earlier[0]}, for {earlier[1]}: one {what} per "
                    f"person; fix it, or merge the two rows"
                )
        for platform, value, _shown in keys:
            self._file_emails.setdefault((platform, value), (line, person.name))

    def check_consistent(self, member_id: str, person: Person, line: int) -> None:
        """Refuse a row that gives ``member_id`` another email, phone, name, join date or
        handle than an earlier line of the same file did (importing the file again would
        flip the value back and forth)."""
        said = self._said.setdefault(member_id, {})
        values = [
            ("name", person.name),
            ("email", person.email),
            ("phone", person.phone),
            ("joined_on", person.joined_on.isoformat() if person.joined_on else ""),
            *((f"{platform} handle", handle) for platform, handle in person.handles.items()),
        ]
        for field, value in values:
            earlier = said.get(field)
            if value and earlier is not None and earlier[1].casefold() != value.casefold():
                raise CellError(
                    f"line {earlier[0]} gives {member_id} another {field} ({earlier[1]}): keep "
                    "one of the two rows"
                )
        for field, value in values:
            if value:
                said.setdefault(field, (line, value))

    def guardian_ids(self, person: Person) -> tuple[str, ...]:
        """The member ids of the guardians the row names (by id or email)."""
        ids = []
        for ref in person.guardians:
            found = ref if ref in self.current else self._email.get(ref.casefold())
            if found is None:
                raise CellError(
                    f"guardian {ref!r} is not a member (by id or email): import them first, "
                    "on an earlier line or with `terrain member add`"
                )
            ids.append(found)
        return tuple(ids)

    def new_id(self, person: Person) -> str:
        """An id for a new member: the row's, else one made from the name (made unique)."""
        if person.id:
            return person.id
        base = slug(person.name, fallback=person.email)
        candidate, n = base, 2
        while candidate in self.current:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def merged(self, person: Person, member_id: str | None) -> Member:
        """The member after the row: ``member_id``'s record updated with the row, or a new
        one (:class:`~terrain.errors.ValidationError` when a field is invalid)."""
        guardians = self.guardian_ids(person)
        old = self.current.get(member_id) if member_id is not None else None
        if old is None:
            if not person.name:
                raise CellError(
                    "no name for a new member: fill the name column (or first and last name)"
                )
            return Member(
                id=self.new_id(person),
                display_name=person.name,
                email=person.email or None,
                phone=person.phone,
                handles=person.handles,
                tags=person.tags,
                is_minor=bool(person.minor),
                guardian_ids=guardians,
                joined_on=person.joined_on,
            )
        if old.erased:
            raise CellError(
                f"{old.id} is the tombstone of a person erased at their request: it is never "
                "filled again"
            )
        return attrs.evolve(
            old,
            display_name=person.name or old.display_name,
            email=person.email or old.email,
            phone=person.phone or old.phone,
            handles={**old.handles, **person.handles},
            tags=old.tags | set(person.tags),
            is_minor=old.is_minor if person.minor is None else person.minor,
            guardian_ids=tuple(dict.fromkeys((*old.guardian_ids, *guardians))),
            joined_on=person.joined_on or old.joined_on,
        )

    def keep(self, member: Member) -> None:
        """Record ``member`` as it stands after a row (found by later rows)."""
        self.current[member.id] = member
        self._index(member)
