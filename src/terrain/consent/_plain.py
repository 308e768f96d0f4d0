"""The plain paths of a question to the ledger: most answers, without a :class:`Judgement`.

:func:`plain_answer` gives the answer :class:`~terrain.consent._judge.Judgement`
gives, worked out from the facts the ledger keeps of each record (see
:class:`~terrain.consent._judge.Facts`), with no object built per question:
for an adult, reading each scope's records from the latest backwards; for a
minor, the guardian rules (every guardian on record, or any one, and the
child's own assent) applied to the same records. A question it does not
answer plainly (a record renewed, an unknown or erased member) returns
``None``: ask the judgement. ``tests/consent/test_decide_oracle.py`` and
``tests/consent/test_minors_plain.py`` hold both to the full judgement.
"""

from __future__ import annotations

import bisect
from datetime import datetime
from typing import TYPE_CHECKING, TypeAlias

from terrain.community import Member
from terrain.consent._judge import Facts, _consent_state, _dates
from terrain.consent._records import Consent, ConsentStatus, Purpose
from terrain.consent._rules import Slice, Withdrawal, voices
from terrain.consent._state import ConsentState, ScopeKey, day

if TYPE_CHECKING:
    from terrain.consent._ledger import ConsentLedger

__all__ = ["Answer", "plain_answer", "plain_state"]


def plain_state(
    ledger: ConsentLedger, subject: str, purpose: Purpose, platform: str, key: str,
    at: datetime, when: datetime, scopes: tuple[ScopeKey, ...],
) -> ConsentState | None:
    """:func:`plain_answer` as a :class:`ConsentState` (``None`` when not plain)."""
    answer = plain_answer(ledger, subject, purpose, platform, key, when, scopes)
    if answer is None:
        return None
    return _consent_state(subject, purpose, platform, at, *answer)


#: What a ConsentState says besides its question: ``(valid, reason, consent, status,
#: member, relied_on)``, in the order of its fields.
Answer: TypeAlias = tuple[
    bool, str, "Consent | None", "ConsentStatus | None", "Member | None", tuple[str, ...]
]


def plain_answer(
    ledger: ConsentLedger, subject: str, purpose: Purpose, platform: str, key: str,
    when: datetime, scopes: tuple[ScopeKey, ...],
) -> Answer | None:
    """The answer :class:`Judgement` gives, in the plain case that is most of them: a
    known member, not erased, none of whose records that bear on the answer was
    renewed (a minor's: :func:`_minor_answer`). ``None`` in any other case: ask
    :class:`Judgement`.
    ``when`` is ``at`` in UTC; ``key`` is :func:`platform_key` of ``platform``;
    ``scopes`` the :meth:`Target.scopes` of the content asked about, for ``purpose``.

    Same rules, same words: the grant relied on is the one holding at ``when``
    expressed last (the highest id among ties), if no refusal was expressed at
    that instant or later; else the latest refusal blocks, unless a grant
    expressed after it no longer holds, which says why (it starts later, or it
    expired, or it was withdrawn); without a refusal or a grant that holds, the
    grant expressed last says why it does not hold, and without any grant the
    answer is "no consent". The withdrawals that cover the question and were made
    by ``when`` end every grant expressed by the last of them: such a grant is
    "withdrawn" (on the date of the first of them made at or after it).

    Each scope's records are sorted by when they were expressed (see
    :func:`shelve`): they are read from the last one expressed by ``when``
    backwards, down to the first grant that holds or was withdrawn (and the others
    expressed at the same instant). What was expressed before it cannot change
    the answer — a refusal before it does not block it, or is lifted by it; a
    grant before it is not the latest, and a withdrawal ends it too —
    so a person with many records in a scope costs about what one with a few
    does. ``tests/consent/test_decide_oracle.py`` holds it to the decision path
    as it was before it existed.
    """
    member = ledger._members.get(subject)
    if member is None or member.erased_at is not None:
        return None
    if member.is_minor:
        return _minor_answer(ledger, member, purpose, platform, key, when, scopes)
    ends: list[tuple[datetime, Withdrawal]] | None = None  # the withdrawals that apply
    ended_by: datetime | None = None  # the last of them: it ends every grant said by then
    withdrawn = ledger._withdrawn_at.get(subject)
    if withdrawn is not None:
        ends = [
            (t, w) for t, w in withdrawn if t <= when and _covers(w.slice, purpose, key, scopes)
        ]
        if ends:
            ended_by = max(t for t, _ in ends)
    waiting = ledger._waiting_scopes.get(subject)
    if waiting:  # stored records of these scopes not decoded yet: decode them first
        _settle(ledger, subject, waiting, scopes)
    theirs = ledger._scoped.get(subject)
    best: Facts | None = None  # the latest grant that holds
    late: Facts | None = None  # the latest grant that does not
    no: Facts | None = None  # the latest refusal
    if theirs is not None:
        renewed = ledger._renewals
        for scope in scopes:
            shelf = theirs.get(scope)
            if not shelf:
                continue
            i = len(shelf)
            if shelf[-1].said > when:  # some expressed after `when`: they do not count
                i = bisect.bisect_right(shelf, when, key=_said)
            down_to: datetime | None = None  # when the first grant found holding was said
            while i:
                i -= 1
                facts = shelf[i]
                said, consent_id, _, given, platforms, starts, until = facts
                if down_to is not None and said < down_to:
                    break  # expressed before a grant that holds: no bearing on the answer
                if platforms is not None and key not in platforms:
                    continue
                if renewed and consent_id in renewed:
                    return None
                if not given:
                    if no is None or (said, consent_id) > (no.said, no.id):
                        no = facts
                elif ended_by is not None and said <= ended_by:
                    # withdrawn, and so is every grant said before it: none of them holds
                    if down_to is None:
                        down_to = said
                    if late is None or (said, consent_id) > (late.said, late.id):
                        late = facts
                elif when < starts or (until is not None and until <= when):
                    if late is None or (said, consent_id) > (late.said, late.id):
                        late = facts
                else:
                    if down_to is None:
                        down_to = said
                    if best is None or (said, consent_id) > (best.said, best.id):
                        best = facts
    if best is not None and (no is None or best.said > no.said):
        found = best.consent
        best_id = best.id
        dates = ledger._dates
        quoted = dates.get(best_id)
        if quoted is None:
            quoted = dates[best_id] = _dates(found, found.valid_until)
        return (True, f"consent given on {quoted} (record {best_id})", found,
                ConsentStatus.GIVEN, member, (best_id,))
    if late is not None and (no is None or late.said > no.said):
        # Judgement._problem() without withdrawals or renewals: a grant later than
        # any refusal, which no longer holds (or does not hold yet)
        record = late.consent
        if ended_by is not None and late.said <= ended_by:
            assert ends is not None
            return (False, f"consent withdrawn on {day(_ending(ends, late.said).at)} "
                    f"(record {late.id})", record, ConsentStatus.WITHDRAWN, member, ())
        if when < late.starts:
            return (False, f"consent starts on {day(record.valid_from)} (record {late.id})",
                    record, ConsentStatus.GIVEN, member, ())
        assert record.valid_until is not None
        return (False, f"consent expired on {day(record.valid_until)} (record {late.id})",
                record, ConsentStatus.EXPIRED, member, ())
    if no is not None:  # Judgement._refused(), for an adult
        return (False, f"refused on {day(no.consent.history[0].at)} (record {no.id})",
                no.consent, ConsentStatus.REFUSED, member, ())
    return (False, f"no consent to {purpose.value!r} on {platform!r}", None, None, member, ())


def _said(facts: Facts) -> datetime:
    return facts.said


def _covers(part: Slice, purpose: Purpose, key: str, scopes: tuple[ScopeKey, ...]) -> bool:
    """:meth:`Slice.applies` to the question whose scopes are ``scopes`` (the
    :meth:`Target.scopes` of its target, for ``purpose``: the scopes that cover it)."""
    scope = part.scope
    return ((part.purposes is None or purpose in part.purposes)
            and (part.platforms is None or key in part.platforms)
            and (scope is None or (purpose, scope.kind, scope.ref) in scopes))


def _ending(ends: list[tuple[datetime, Withdrawal]], said: datetime) -> Withdrawal:
    """The withdrawal that ends a grant said at ``said``: the first, by instant, of
    those in ``ends`` made at ``said`` or later (as :meth:`Judgement._problem` picks it)."""
    ended = _first_ending(ends, said)
    assert ended is not None
    return ended


def _first_ending(ends: list[tuple[datetime, Withdrawal]], said: datetime) -> Withdrawal | None:
    """:func:`_ending`, or ``None`` when none of ``ends`` was made at ``said`` or later."""
    ended: Withdrawal | None = None
    ended_at: datetime | None = None
    for at, withdrawal in ends:
        if said <= at and (ended_at is None or at < ended_at):
            ended, ended_at = withdrawal, at
    return ended


def _settle(
    ledger: ConsentLedger, subject: str, waiting: set[tuple[str, str]],
    scopes: tuple[ScopeKey, ...],
) -> None:
    """Decode the stored records of ``subject`` in ``scopes`` not decoded yet (``waiting``:
    the scopes of theirs that wait)."""
    for _purpose, kind, ref in scopes:
        if (kind, ref) in waiting:
            ledger._settle((subject, kind, ref))  # type: ignore[arg-type]


#: What is wrong with a grant that does not hold: the grant, the reason, its status.
_Failing: TypeAlias = tuple[Facts, str, ConsentStatus]


def _minor_answer(
    ledger: ConsentLedger, member: Member, purpose: Purpose, platform: str, key: str,
    when: datetime, scopes: tuple[ScopeKey, ...],
) -> Answer | None:
    """:func:`plain_answer` for a minor: the guardian rules of :class:`Judgement`, same
    words and same records, read from the facts the ledger keeps (``None`` when a
    record that applies was renewed: ask the judgement).

    Who said yes and who said no in each record that applies (:func:`voices`: the
    guardians on record among those who signed, and the child's own word); each
    voice's latest no; each voice's grants that hold and were said after it; then
    a refusal not lifted blocks, else a missing guardian, else the child's missing
    assent, else the consent is given, by the guardians who agreed and with the
    child's assent.
    """
    subject = member.id
    ends: list[tuple[datetime, Withdrawal]] | None = None
    withdrawn = ledger._withdrawn_at.get(subject)
    if withdrawn is not None:
        ends = [
            (t, w) for t, w in withdrawn if t <= when and _covers(w.slice, purpose, key, scopes)
        ] or None
    waiting = ledger._waiting_scopes.get(subject)
    if waiting:
        _settle(ledger, subject, waiting, scopes)
    theirs = ledger._scoped.get(subject)
    renewed = ledger._renewals
    said_by: dict[str, tuple[frozenset[str], frozenset[str]]] = {}  # record id -> voices
    nos: dict[str, Facts] = {}  # each voice's latest no
    grants: list[tuple[Facts, frozenset[str]]] = []  # grants that apply, who said yes
    if theirs is not None:
        for scope in scopes:
            shelf = theirs.get(scope)
            if not shelf:
                continue
            for facts in shelf:  # sorted by when they were expressed
                if facts.said > when:
                    break
                platforms = facts.platforms
                if platforms is not None and key not in platforms:
                    continue
                if facts.id in renewed:
                    return None
                yes, no = said_by[facts.id] = voices(facts.consent, member)
                for voice in no:
                    known = nos.get(voice)
                    if known is None or (facts.said, facts.id) > (known.said, known.id):
                        nos[voice] = facts
                if facts.given:
                    grants.append((facts, yes))
    holding: dict[str, list[Facts]] = {}  # each voice's grants that hold now
    failing: list[_Failing] = []  # the others, and why
    for facts, yes in grants:
        said, consent_id, record, _, _, starts, until = facts
        ended = None if ends is None else _first_ending(ends, said)
        if ended is not None:
            failing.append((facts, f"consent withdrawn on {day(ended.at)} (record {consent_id})",
                            ConsentStatus.WITHDRAWN))
            continue
        if when < starts:
            failing.append((facts, f"consent starts on {day(record.valid_from)} "
                            f"(record {consent_id})", ConsentStatus.GIVEN))
            continue
        if until is not None and until <= when:
            assert record.valid_until is not None
            failing.append((facts, f"consent expired on {day(record.valid_until)} "
                            f"(record {consent_id})", ConsentStatus.EXPIRED))
            continue
        for voice in yes:
            last_no = nos.get(voice)
            if last_no is None or said > last_no.said:
                holding.setdefault(voice, []).append(facts)
    blocking = {v: no for v, no in nos.items() if v not in holding}
    if blocking:  # Judgement._refused()
        voice, refusal = max(blocking.items(),
                             key=lambda kv: (kv[1].said, kv[1].id, kv[0] == subject, kv[0]))
        lifted = [f for f in failing if f[0].said > refusal.said and voice in said_by[f[0].id][0]]
        if lifted:  # the same person agreed later, but that consent no longer holds
            grant, reason, status = max(lifted, key=lambda f: (f[0].said, f[0].id))
            return (False, reason, grant.consent, status, member, ())
        record = refusal.consent
        if refusal.given:  # the child's no in a guardian's grant
            reason = f"did not assent, although consent was given for them (record {record.id})"
        elif voice == subject:
            reason = f"refused on {day(record.history[0].at)} (record {record.id})"
        else:
            reason = (f"refused by {ledger._name(voice)} on {day(record.history[0].at)} "
                      f"(record {record.id})")
        return (False, reason, record, ConsentStatus.REFUSED, member, ())
    guardians = member.guardian_ids
    agreed = [g for g in guardians if g in holding]
    missing = [g for g in guardians if g not in holding]
    if not agreed or (ledger.guardians == "all" and missing):  # Judgement._pending_guardian()
        worst = max(failing, key=lambda f: (f[0].said, f[0].id)) if failing else None
        if worst is not None and (not agreed or any(
            g in said_by[worst[0].id][0] for g in missing
        )):
            grant, reason, status = worst
            return (False, reason, grant.consent, status, member, ())
        if not agreed:
            if grants:
                last = max((f for f, _ in grants), key=_order)
                return (False, f"guardian consent missing (record {last.id} was not given by "
                        "a guardian)", last.consent, ConsentStatus.GIVEN, member, ())
            return (False, f"guardian consent missing to {purpose.value!r} on {platform!r}",
                    None, None, member, ())
        names = " and ".join(ledger._name(g) for g in missing)
        last = max((max(holding[g], key=_order) for g in agreed), key=_order)
        by = " and ".join(ledger._name(g) for g in agreed)
        return (False, f"guardian consent missing: {names} has not agreed (record {last.id} "
                f"was given by {by}; every guardian's agreement is needed)", last.consent,
                ConsentStatus.GIVEN, member, ())
    if subject not in holding:  # Judgement._pending_assent()
        last = max((max(holding[g], key=_order) for g in agreed), key=_order)
        return (False, f"the child's own assent is not recorded (record {last.id}); ask them, "
                "and record their answer", last.consent, ConsentStatus.GIVEN, member, ())
    # Judgement._given(): the latest grant of each guardian who agreed, and of the child
    relied = {f.id: f for f in sorted(
        (*(max(holding[g], key=_order) for g in agreed), max(holding[subject], key=_order)),
        key=_order,
    )}
    parts: list[str] = []
    assent: list[str] = []
    dates = ledger._dates
    for facts in relied.values():
        record = facts.consent
        quoted = dates.get(facts.id)
        if quoted is None:
            quoted = dates[facts.id] = _dates(record, record.valid_until)
        names_of = [ledger._name(g) for g in guardians if facts in holding.get(g, ())]
        if names_of:
            parts.append(f"by {' and '.join(names_of)} on {quoted} (record {facts.id})")
        else:
            assent.append(f"with the child's assent on {quoted} (record {facts.id})")
    reason = "guardian consent given " + " and ".join(parts)
    if assent:
        reason += ", " + " and ".join(assent)
    unique = list(relied)
    return (True, reason, relied[unique[-1]].consent, ConsentStatus.GIVEN, member,
            tuple(unique))


def _order(facts: Facts) -> tuple[datetime, str]:
    return facts.said, facts.id

