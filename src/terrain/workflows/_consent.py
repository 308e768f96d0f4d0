"""Recording consent in a workspace: grant, refuse, withdraw, list, check.

Each function is one step a community manager takes (``terrain consent …``
calls exactly one of them). The rules are the ledger's
(:class:`~terrain.consent.ConsentLedger`); here the workspace adds what it
knows: the platforms terrain knows (a consent for ``"Outbox"`` or
``"instagarm"`` is refused with the list), the instant of recording (an
expression time in the future is refused), the evidence scan to keep, and
the stored log (nothing is stored unless everything was accepted).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.consent import (
    Consent,
    ConsentLedger,
    ConsentStatus,
    ConsentWithdrawn,
    Evidence,
    Purpose,
    RecordState,
    RecordStatus,
    Scope,
    platform_key,
    platforms_of,
)
from terrain.errors import ValidationError

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "ConsentProblem",
    "Recorded",
    "Withdrawal",
    "check_consents",
    "consent_states",
    "evidence_scan",
    "record_consent",
    "withdraw_consent",
]


def evidence_scan(member_id: str, path: Path, *, max_bytes: int) -> tuple[Evidence, str, bytes]:
    """A signed form's scan, read from ``path`` for ``member_id``: its evidence, the
    storage key it is kept under (one per content: the same scan is kept once), and
    its bytes.

    A file over ``max_bytes`` (``[import] max_file_mb``) is refused before it is read,
    and so is one that cannot be read (a folder, a pipe):
    :class:`~terrain.errors.ValidationError` naming ``--evidence-file``.
    """
    import hashlib

    from terrain._files import FileTooLarge, UnreadableFile, read_regular_file
    from terrain.workflows._import import too_large

    try:
        data = read_regular_file(path, max_bytes=max_bytes)
    except FileTooLarge as exc:
        raise ValidationError(
            "--evidence-file " + too_large(path.name, exc.size, max_bytes)
        ) from None
    except UnreadableFile as exc:
        raise ValidationError(f"--evidence-file {path.name}: {exc}") from None
    suffix = path.suffix.lower().lstrip(".") or "bin"
    key = f"consents/{member_id}/{hashlib.sha256(data).hexdigest()[:16]}.{suffix}"
    return Evidence(kind="signed-form", file_key=key), key, data


@attrs.frozen
class Recorded:
    """A consent (or refusal) just recorded, and where it stands at once
    (a minor's grant may be pending a guardian or the child's assent)."""

    consent: Consent
    state: RecordState


@attrs.frozen
class Withdrawal:
    """What a withdrawal did: ``ended`` the records it ended (in part or whole),
    ``still`` the person's records still in force afterwards, and ``covers``
    what it covers in words (``"tag on every platform, for all content"``)."""

    subject_id: str
    at: datetime
    covers: str
    ended: tuple[Consent, ...]
    still: tuple[RecordState, ...]


@attrs.frozen
class ConsentProblem:
    """A stored record the rules cannot apply as the person meant: record
    ``consent_id`` (``None`` for a withdrawal) of ``subject_id``, what is wrong
    (``problem``) and what to do (``fix``)."""

    consent_id: str | None
    subject_id: str
    problem: str
    fix: str


def record_consent(
    ws: Workspace,
    subject_id: str,
    *,
    status: ConsentStatus | str = ConsentStatus.GIVEN,
    purposes: Iterable[Purpose | str],
    evidence: Evidence,
    now: datetime,
    at: datetime | None = None,
    given_by: Iterable[str] | None = None,
    child_assent: bool | None = None,
    platforms: Iterable[str] | None = None,
    scope: Scope | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    scan: tuple[str, bytes] | None = None,
    recorded_by: str | None = None,
) -> Recorded:
    """Record that ``subject_id`` gave (``status="given"``) or refused a consent.

    ``at`` is when the person expressed it (default ``now``); more than
    :data:`~terrain.consent.CLOCK_SKEW` after ``now`` is refused — a consent
    that starts later is recorded now with ``valid_from``. ``platforms`` must
    be platforms terrain knows (case-insensitive). ``given_by`` and
    ``child_assent`` say, for a minor, which guardians agreed and what the
    child said. ``scan`` is the signed form to keep in the workspace storage
    (``(key, bytes)``, the key being ``evidence.file_key``): it is stored only
    if the record is. Nothing is stored when anything is refused.
    """
    require_aware(now, "record_consent: now")
    member = ws.get(Member, subject_id)  # NotFound names `terrain member list`
    when = now if at is None else at
    names = None if platforms is None else list(platforms) or None
    if names is not None:  # the plugins are asked only about names given
        platforms_of(names, ws.known_platforms())  # an unknown name: refused with the list
    who = None if given_by is None else list(given_by) or None

    def record(ledger: ConsentLedger) -> Consent:
        method = ledger.grant if ConsentStatus(status) is ConsentStatus.GIVEN else ledger.refuse
        return method(  # checked against the person's history before anything is stored
            subject_id,
            purposes=purposes,
            at=when,
            evidence=evidence,
            given_by=who,
            platforms=names,
            scope=scope,
            valid_from=valid_from,
            valid_until=valid_until,
            subject_assent=child_assent,
            consent_id=ws.next_consent_id(),
            recorded_by=recorded_by,
            now=now,
        )

    stored_scan = False
    if scan is not None and not ws.storage.exists(scan[0]):
        ws.storage.put(*scan)
        stored_scan = True
    try:
        # only this person's history is read: the rules are per person
        consent = ws.update_ledger(record, subjects={subject_id, *member.guardian_ids})
    except BaseException:
        if stored_scan and scan is not None:
            ws.storage.delete(scan[0])  # the workspace is left as it was
        raise
    with ws.consent([subject_id]) as ledger:
        (state,) = [
            s for s in ledger.record_states(subject_id, at=max(now, when, key=instant))
            if s.consent_id == consent.id
        ]
        return Recorded(consent=ledger.get(consent.id), state=state)


def withdraw_consent(
    ws: Workspace,
    subject_id: str,
    *,
    now: datetime,
    at: datetime | None = None,
    purposes: Iterable[Purpose | str] | None = None,
    platforms: Iterable[str] | None = None,
    scope: Scope | None = None,
    note: str = "",
    recorded_by: str | None = None,
) -> Withdrawal:
    """Record that ``subject_id`` withdraws consent at ``at`` (default ``now``).

    Without ``purposes``, ``platforms`` or ``scope`` it covers everything;
    with them, only that part, and the rest stays in force. The withdrawal is
    recorded even when nothing is in force: it also ends consent expressed
    before it and keyed in later. Published posts come down with
    :func:`~terrain.workflows.takedown`.
    """
    from terrain.consent import Slice

    require_aware(now, "withdraw_consent: now")
    ws.get(Member, subject_id)
    when = now if at is None else at
    wanted_purposes = None if purposes is None else list(purposes) or None
    wanted_platforms = None if platforms is None else list(platforms) or None
    if wanted_platforms is not None:  # the plugins are asked only about names given
        platforms_of(wanted_platforms, ws.known_platforms())  # an unknown name: refused
    ended = ws.update_ledger(
        lambda ledger: ledger.withdraw(
            subject_id,
            at=when,
            purposes=wanted_purposes,
            platforms=wanted_platforms,
            scope=scope,
            note=note,
            recorded_by=recorded_by,
            now=now,
        ),
        subjects={subject_id},
    )
    in_force = (RecordStatus.GIVEN, RecordStatus.PARTLY_WITHDRAWN, RecordStatus.SCHEDULED,
                RecordStatus.PENDING_GUARDIAN, RecordStatus.PENDING_ASSENT)
    with ws.consent([subject_id]) as ledger:
        event = ledger.withdrawals(subject_id)[-1]
        covers = Slice(event.purposes, event.platforms, event.scope).describe()
        still = tuple(
            s for s in ledger.record_states(subject_id, at=max(now, when, key=instant))
            if s.status in in_force
        )
    return Withdrawal(subject_id=subject_id, at=when, covers=covers, ended=ended, still=still)


def consent_states(
    ws: Workspace, subject_id: str | None = None, *, at: datetime
) -> list[RecordState]:
    """Where each consent record stands at ``at`` (of ``subject_id``, or everyone's):
    given, scheduled, pending guardian or assent, partly withdrawn, withdrawn,
    expired, refused or lifted — records expressed after ``at`` left out."""
    require_aware(at, "consent_states: at")
    if subject_id is not None:
        ws.get(Member, subject_id)
    with ws.consent(None if subject_id is None else [subject_id]) as ledger:
        subjects = [subject_id] if subject_id is not None else sorted(ledger.members)
        return [state for s in subjects for state in ledger.record_states(s, at=at)]


def check_consents(ws: Workspace) -> list[ConsentProblem]:
    """Stored records that name a platform terrain does not know (a typo, a
    platform since uninstalled): such a record covers nothing, so a refusal
    there protects no one. Each comes with what to do."""
    known = {platform_key(n) for n in ws.known_platforms()}
    problems: list[ConsentProblem] = []
    ledger = ws.ledger()
    listed = ", ".join(sorted(known))
    for subject in sorted(ledger.members):
        for consent in ledger.for_subject(subject):
            for name in sorted(consent.platforms or ()):
                if name in known:
                    continue
                refusal = consent.history[0].status is ConsentStatus.REFUSED
                kind, verb = ("refusal", "refuse") if refusal else ("consent", "grant")
                problems.append(
                    ConsentProblem(
                        consent_id=consent.id,
                        subject_id=subject,
                        problem=f"{kind} {consent.id} names the platform {name!r}, which terrain "
                        f"does not know (it knows {listed}): it covers nothing there",
                        fix=f"record it again for the right platform (`terrain consent {verb} "
                        f"{subject} --platform NAME ...`), or install or configure {name!r}",
                    )
                )
    for event in ledger.events():
        if isinstance(event, ConsentWithdrawn) and event.platforms:
            for name in sorted(event.platforms - known):
                problems.append(
                    ConsentProblem(
                        consent_id=event.consent_id,
                        subject_id=event.subject_id,
                        problem=f"a withdrawal of {event.at.date().isoformat()} names the "
                        f"platform {name!r}, which terrain does not know (it knows {listed})",
                        fix=f"withdraw again for the right platform (`terrain consent withdraw "
                        f"{event.subject_id} --platform NAME`)",
                    )
                )
    return problems
