"""Consent at the door: the consent form as a web form, and a minor's guardians.

The form is :func:`terrain.consent.consent_form_text`'s, the same words as
the paper form: purposes × platforms × scope (this event or every event),
duration, and the right to withdraw. What the person ticks is recorded as a
grant, what they leave unticked as a refusal, both with a web-form
:class:`~terrain.consent.Evidence`: the exact text they agreed to, its
version, and the id of the link they used (the instant is the record's).

For a minor, the child's answer is recorded at once: their "no" as their
own refusal, their "yes" as their own assent (a grant given by the child,
``subject_assent=True``), which the ledger holds *pending guardian* until
their guardians on record agree. Each guardian is asked through their own
single-use link (by mail, or printed by the community manager) and their
answer is a record of its own (a grant or a refusal given by them). Whether
one guardian's word is enough or every guardian's is needed is the
community's rule (``[consent] guardians``, ``all`` by default): until it is
met, the child's page shows the consent as waiting for the guardians who
have not agreed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

import attrs

from terrain._time import instant, require_aware
from terrain.community import Member
from terrain.consent import (
    Consent,
    ConsentFormText,
    Evidence,
    EvidenceKind,
    Purpose,
    Scope,
    ScopeKind,
    consent_form_text,
    purpose_labels,
)
from terrain.errors import LinkRefused, ValidationError
from terrain.events import Event
from terrain.store import LinkRow, Links
from terrain.workflows._links import LinkPurpose, check_link, issue_link, use_link
from terrain.workflows._mail import Mail, mail_text, send_mail

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "DURATIONS",
    "ConsentChoices",
    "ConsentForm",
    "ConsentGiven",
    "GuardianAnswer",
    "GuardianRequest",
    "answer_as_guardian",
    "consent_form",
    "give_consent",
    "guardian_request",
    "purpose_labels",
]

#: The durations a member may choose, in days (``None``: until they withdraw it).
DURATIONS: tuple[int | None, ...] = (None, 365, 30)


def _purposes(values: Iterable[Purpose | str]) -> frozenset[Purpose]:
    try:
        return frozenset(Purpose(v) for v in values)
    except ValueError:
        raise ValidationError(
            f"unknown purpose: choose among {', '.join(p.value for p in Purpose)}"
        ) from None


def _platforms(values: Iterable[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


@attrs.frozen
class ConsentChoices:
    """What a person ticked: ``purposes`` (the rest are refused), ``platforms``
    (``None``: every platform), ``scope`` (``"event"``: this event only, ``"all"``),
    ``duration_days`` (``None``: until withdrawn)."""

    purposes: frozenset[Purpose] = attrs.field(converter=_purposes)
    platforms: frozenset[str] | None = attrs.field(default=None, converter=_platforms)
    scope: Literal["event", "all"] = "event"
    duration_days: int | None = None


@attrs.frozen
class ConsentForm:
    """The consent form a member fills in: the full ``text`` (every purpose, every
    platform), the choices offered, and for a minor the ``guardians`` on record who
    will be asked."""

    member: Member
    event: Event | None
    link_id: str
    text: ConsentFormText
    platforms: tuple[str, ...]
    durations: tuple[int | None, ...]
    guardians: tuple[Member, ...]
    language: str


def _link_for(ws: Workspace, token: str, event_id: str | None, now: datetime,
              key: bytes | None) -> tuple[LinkRow, Member, Event | None]:
    row = check_link(ws, token, [LinkPurpose.CONSENT, LinkPurpose.PERSONAL], now=now, key=key)
    if row.purpose == LinkPurpose.CONSENT:
        if event_id is not None and event_id != row.ref:
            raise LinkRefused("this link cannot be used (meant for another page); ask for a "
                              "new one", reason="purpose")
        event_id = row.ref
    from terrain.workflows._self_service import _member_of

    member = _member_of(ws, row)
    event = ws.get(Event, event_id) if event_id else None
    return row, member, event


def _language(ws: Workspace, language: str | None) -> str:
    return language if language in ("fr", "en") else ws.community.language


def consent_form(
    ws: Workspace,
    token: str,
    *,
    now: datetime,
    event_id: str | None = None,
    language: str | None = None,
    key: bytes | None = None,
) -> ConsentForm:
    """The consent form for the member holding ``token`` (a consent link for an event,
    or their personal link with ``event_id``), in ``language`` (default: the
    community's)."""
    require_aware(now, "consent_form: now")
    row, member, event = _link_for(ws, token, event_id, now, key)
    words = _language(ws, language)
    text = consent_form_text(
        community=ws.community, purposes=list(Purpose), platforms=None, duration=None,
        language=words, event=event, web=True,
    )
    guardians = tuple(ws.get(Member, g) for g in member.guardian_ids) if member.is_minor else ()
    return ConsentForm(
        member=member, event=event, link_id=row.id, text=text,
        platforms=tuple(ws.platform_names()), durations=DURATIONS, guardians=guardians,
        language=words,
    )


@attrs.frozen
class ConsentGiven:
    """What the form recorded: ``granted`` (``None`` when nothing was ticked; for a
    minor, their own assent, which waits for ``waiting_for``, their guardians, of whom
    ``mailed`` got their link by mail), ``refused`` (what was left unticked)."""

    member: Member
    granted: Consent | None
    refused: Consent | None
    waiting_for: tuple[Member, ...] = ()
    mailed: int = 0


def _checked(ws: Workspace, choices: ConsentChoices, event: Event | None) -> None:
    known = set(ws.platform_names())
    if choices.platforms is not None:
        unknown = sorted(choices.platforms - known)
        if unknown or not choices.platforms:
            raise ValidationError(
                f"unknown platform {', '.join(unknown) or '(none)'}: choose among "
                f"{', '.join(sorted(known))}, or every platform"
            )
    if choices.scope not in ("event", "all"):
        raise ValidationError("the scope is 'event' (this event only) or 'all' (every event)")
    if choices.scope == "event" and event is None:
        raise ValidationError("'this event only' needs an event: open the form from its page")
    days = choices.duration_days
    if days is not None and (isinstance(days, bool) or not 1 <= days <= 3650):
        raise ValidationError("the duration is a number of days from 1 to 3650, or none")


def give_consent(
    ws: Workspace,
    token: str,
    choices: ConsentChoices,
    *,
    now: datetime,
    event_id: str | None = None,
    language: str | None = None,
    key: bytes | None = None,
) -> ConsentGiven:
    """Record what the member holding ``token`` chose on the consent form at ``now``.

    Ticked purposes are granted, the others refused, each with the exact text
    of what was chosen as evidence. A minor's grant waits for their
    guardians: each is sent a single-use link (:func:`answer_as_guardian`).
    A consent link is spent; nothing is stored when anything is refused.
    """
    require_aware(now, "give_consent: now")
    row, member, event = _link_for(ws, token, event_id, now, key)
    _checked(ws, choices, event)
    words = _language(ws, language)
    scope = Scope(kind=ScopeKind.EVENT, ref=event.id) if choices.scope == "event" and event \
        else None
    until = None if choices.duration_days is None else instant(now) + timedelta(
        days=choices.duration_days)
    refused_purposes = [p for p in Purpose if p not in choices.purposes]

    def evidence(purposes: Iterable[Purpose], link_id: str) -> Evidence:
        text = consent_form_text(
            community=ws.community, purposes=purposes, platforms=choices.platforms,
            duration=None if choices.duration_days is None else timedelta(
                days=choices.duration_days),
            language=words, event=event if scope is not None else None, web=True,
        )
        return Evidence(kind=EvidenceKind.WEB_FORM, text=text.plain(), version=text.version,
                        link=link_id)

    ledger = ws.ledger()
    granted = refused = None
    guardians: tuple[Member, ...] = ()
    with use_link(ws, row, now=now):
        if refused_purposes:
            refused = ledger.refuse(
                member.id, purposes=refused_purposes, at=now,
                evidence=evidence(refused_purposes, row.id), platforms=choices.platforms,
                scope=scope, given_by=[member.id], recorded_by=f"{member.id} (web)",
            )
        if choices.purposes:  # a minor's yes is their assent: it waits for their guardians
            granted = ledger.grant(
                member.id, purposes=sorted(choices.purposes), at=now,
                evidence=evidence(choices.purposes, row.id), platforms=choices.platforms,
                scope=scope, valid_until=until, given_by=[member.id],
                subject_assent=True if member.is_minor else None,
                recorded_by=f"{member.id} (web)",
            )
        ws.save_ledger(ledger)
    mailed = 0
    if choices.purposes and member.is_minor:
        guardians = tuple(ws.get(Member, g) for g in member.guardian_ids)
        text = evidence(choices.purposes, row.id)
        event_ref = event.id if scope is not None and event is not None else None
        request = {
            "request": f"cr-{secrets.token_hex(8)}",
            "child": member.id,
            "child_link": row.id,
            "assent": None if granted is None else granted.id,
            "purposes": sorted(p.value for p in choices.purposes),
            "platforms": None if choices.platforms is None else sorted(choices.platforms),
            "event": event_ref,
            "valid_until": None if until is None else until.isoformat(),
            "text": text.text,
            "version": text.version,
            "language": words,
        }
        mails = []
        for guardian in guardians:
            link = issue_link(ws, LinkPurpose.GUARDIAN, guardian.id, now=now,
                              ref=event_ref, data=request, key=key)
            if guardian.email is None:
                continue
            subject, body = mail_text(
                "guardian", words, name=guardian.display_name, child=member.display_name,
                community=ws.community.name, url=link.url,
                event=event.title if event is not None else ws.community.name,
            )
            mails.append(Mail(guardian.email, subject, body, kind="guardian"))
        mailed = send_mail(ws, mails)
    return ConsentGiven(member=member, granted=granted, refused=refused,
                        waiting_for=guardians, mailed=mailed)


@attrs.frozen
class GuardianRequest:
    """What a guardian is asked to confirm: ``child``'s choices, in the exact ``text``
    the child saw, and which other guardians were asked."""

    guardian: Member
    child: Member
    event: Event | None
    link_id: str
    text: str
    purposes: tuple[Purpose, ...]
    platforms: tuple[str, ...] | None
    other_guardians: tuple[Member, ...]


def _request(ws: Workspace, token: str, now: datetime, key: bytes | None
             ) -> tuple[LinkRow, GuardianRequest]:
    from terrain.workflows._self_service import _member_of

    row = check_link(ws, token, [LinkPurpose.GUARDIAN], now=now, key=key)
    guardian = _member_of(ws, row)
    data = row.data
    child = ws.get(Member, str(data["child"]))
    if guardian.id not in child.guardian_ids:  # no longer their guardian on record
        raise LinkRefused("this link cannot be used (revoked); ask for a new one",
                          reason="revoked")
    event = ws.get(Event, str(data["event"])) if data.get("event") else None
    others = tuple(ws.get(Member, g) for g in child.guardian_ids if g != guardian.id)
    platforms = data.get("platforms")
    return row, GuardianRequest(
        guardian=guardian, child=child, event=event, link_id=row.id, text=str(data["text"]),
        purposes=tuple(Purpose(p) for p in data["purposes"]),
        platforms=None if platforms is None else tuple(platforms),
        other_guardians=others,
    )


def guardian_request(
    ws: Workspace, token: str, *, now: datetime, key: bytes | None = None
) -> GuardianRequest:
    """The request the guardian holding ``token`` is asked to confirm."""
    require_aware(now, "guardian_request: now")
    return _request(ws, token, now, key)[1]


@attrs.frozen
class GuardianAnswer:
    """A guardian's answer, recorded: ``consent`` (a grant if they agreed, a refusal
    if not); ``waiting_for`` the other guardians whose agreement the child's consent
    still waits for, under the community's rule (none once it is met)."""

    request: GuardianRequest
    agreed: bool
    consent: Consent
    waiting_for: tuple[Member, ...]


def answer_as_guardian(
    ws: Workspace, token: str, agree: bool, *, now: datetime, key: bytes | None = None
) -> GuardianAnswer:
    """Record the answer of the guardian holding ``token`` (single use) at ``now``."""
    require_aware(now, "answer_as_guardian: now")
    row, request = _request(ws, token, now, key)
    data = row.data
    scope = Scope(kind=ScopeKind.EVENT, ref=str(data["event"])) if data.get("event") else None
    until = datetime.fromisoformat(str(data["valid_until"])) if data.get("valid_until") else None
    evidence = Evidence(kind=EvidenceKind.WEB_FORM, text=request.text,
                        version=str(data["version"]), link=row.id)
    assent = data.get("assent")  # the child's own yes, recorded when they filled the form
    ledger = ws.ledger()
    with use_link(ws, row, now=now):
        record = ledger.grant if agree else ledger.refuse
        consent = record(
            request.child.id, purposes=request.purposes, at=now, evidence=evidence,
            given_by=[request.guardian.id], platforms=request.platforms, scope=scope,
            valid_until=until if agree else None,
            # a request from before the child's assent was its own record carries it here
            subject_assent=None if assent else True,
            recorded_by=f"{request.guardian.id} (web, guardian)",
        )
        ws.save_ledger(ledger)
    others = {g.id: g for g in request.other_guardians}
    if assent:  # whose agreement the ledger still waits for, under the community's rule
        with ws.consent([request.child.id]) as book:
            state = next(
                (s for s in book.record_states(request.child.id, at=now)
                 if s.consent_id == assent), None,
            )
        missing = () if state is None else state.waiting_for
        waiting = tuple(others[g] for g in missing if g in others)
    else:
        answered = {
            r.subject_id for r in Links(ws.db).with_data(
                LinkPurpose.GUARDIAN.value, "request", str(data["request"]))
            if r.used_at is not None
        }
        waiting = tuple(g for g in request.other_guardians if g.id not in answered)
    return GuardianAnswer(request=request, agreed=agree, consent=consent, waiting_for=waiting)
