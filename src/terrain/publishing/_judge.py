"""Judging a post at an instant: the one place the consent gate's answer is read.

The runner (``publish`` and every worker) and the dry run ask the gate through
:func:`judge`, so they agree on what each answer means:

- the gate returns a :class:`~terrain.consent.Decision`: **allowed** (the post
  as it may go out, without the mentions it dropped) or **refused** (held,
  with the decision's reasons);
- the gate raises :class:`~terrain.errors.ConsentDenied`: refused;
- the gate raises an **infrastructure** error (the store or the network failed
  while the ledger was read: :func:`is_infrastructure`): **undecided**. No
  decision could be made; that is not a refusal. The runner plans the row
  again with a backoff and records that no decision could be made;
- the gate raises anything else (a record that no longer exists, a bug in a
  plugin's data): refused, "consent could not be checked". Consent that
  cannot be checked is not consent, and waiting would not change the answer;
- the gate decides for another purpose than the one the post is planned for
  (:func:`~terrain.publishing.consent_purpose`): refused. A decision to
  publish is no licence to archive, and the other way round.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime

import attrs

from terrain._time import require_aware
from terrain.consent import Decision, DecisionOutcome, DecisionRecord, Reason
from terrain.errors import ConsentDenied, InvalidKey, StorageError, TerrainError
from terrain.posts import Post
from terrain.publishing._album import decide_post
from terrain.publishing._gate import Gate, consent_purpose

__all__ = [
    "Gate",
    "Judgement",
    "Verdict",
    "held_for_infrastructure",
    "is_infrastructure",
    "judge",
    "undecided_record",
]

#: How a reason starts when the gate raised instead of deciding.
UNCHECKED = "consent could not be checked: "

#: Error type names that, in a reason written as ``consent could not be checked:
#: Type: …``, name an infrastructure failure (earlier versions of terrain held
#: a post that way, for good, when an outage hit its consent check).
INFRASTRUCTURE_NAMES = frozenset(
    {
        "StorageError",
        "StoreUnavailable",
        "OperationalError",
        "InterfaceError",
        "PoolTimeout",
        "OSError",
        "IOError",
        "ConnectionError",
        "ConnectionRefusedError",
        "ConnectionResetError",
        "ConnectionAbortedError",
        "BrokenPipeError",
        "TimeoutError",
    }
)

_UNCHECKED_TYPE = re.compile(re.escape(UNCHECKED) + r"([A-Za-z_][A-Za-z0-9_.]*):")


class Verdict(enum.StrEnum):
    """What judging a post came to."""

    ALLOWED = "allowed"  #: the gate allowed it: send ``Judgement.post``
    REFUSED = "refused"  #: the gate refused it, or could not check it: hold it
    UNDECIDED = "undecided"  #: the gate could not be asked (store or network down): try later


@attrs.frozen
class Judgement:
    """The gate's answer on one post at ``at``, in the runner's terms.

    ``post`` is what may go out (mentions dropped as decided) when
    ``verdict`` is :attr:`Verdict.ALLOWED`, else the post as asked about.
    ``decision`` is the gate's decision when it made one; ``reasons`` say
    why a post is refused or undecided.
    """

    verdict: Verdict
    post: Post
    at: datetime
    decision: Decision | None = None
    reasons: tuple[str, ...] = ()
    #: what the gate raised, when it did not decide
    error: BaseException | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def allowed(self) -> bool:
        """Whether the post may go out now."""
        return self.verdict is Verdict.ALLOWED


def is_infrastructure(exc: BaseException) -> bool:
    """Whether ``exc`` is the store or the network failing, not an answer about consent.

    A storage error (except an unsafe key, which is a bug) or an operating-system
    error (a refused or reset connection, a timeout) that is not one of
    terrain's decisions: asking again later can give a different answer.
    """
    if isinstance(exc, StorageError):
        return not isinstance(exc, InvalidKey)
    return isinstance(exc, OSError) and not isinstance(exc, TerrainError)


def judge(gate: Gate, post: Post, at: datetime, *, purpose: str = "publish") -> Judgement:
    """Ask ``gate`` about ``post`` at ``at``, for what the post is planned for
    (``purpose``: a consent purpose or a kind of post, see
    :func:`~terrain.publishing.consent_purpose`), and say what its answer means (see
    the module).

    A naive ``at`` is refused (:class:`~terrain.errors.ValidationError`) before the gate
    is asked: it names no instant.
    """
    require_aware(at, "judge: at")
    try:
        wanted = consent_purpose(purpose)
        # an album is decided photo by photo: what may not go drops out
        kept, decision = decide_post(gate, post, at, purpose=wanted.value)
        if decision.purpose is not wanted:  # a decision for another use is no licence
            reason = (
                f"the consent gate decided for {decision.purpose.value!r}, but the post is "
                f"planned for {wanted.value!r}: consent must be decided for what the post is for"
            )
            return Judgement(Verdict.REFUSED, post, at, None, (reason,))
        out = decision.apply_to(kept) if decision.allowed else post
    except ConsentDenied as exc:
        found = exc.decision if isinstance(exc.decision, Decision) else None
        reasons = tuple(r.text for r in found.blocking) if found is not None else (str(exc),)
        return Judgement(Verdict.REFUSED, post, at, found, reasons or (str(exc),), error=exc)
    except Exception as exc:
        reason = f"{UNCHECKED}{type(exc).__name__}: {exc}"
        verdict = Verdict.UNDECIDED if is_infrastructure(exc) else Verdict.REFUSED
        return Judgement(verdict, post, at, None, (reason,), error=exc)
    if not decision.allowed:
        reasons = tuple(r.text for r in decision.blocking) or (decision.explain(),)
        return Judgement(Verdict.REFUSED, post, at, decision, reasons)
    return Judgement(Verdict.ALLOWED, out, at, decision)


def undecided_record(
    judgement: Judgement, *, purpose: str, actor: str, record_id: str, retry_at: datetime
) -> DecisionRecord:
    """The audit record of a judgement that could not be made: outcome ``undecided``,
    with why and when the post is tried again."""
    post = judgement.post
    why = "; ".join(judgement.reasons)
    text = (
        f"no decision could be made: {why}. Nothing was sent; consent is asked again "
        f"at the next try ({retry_at.isoformat(timespec='seconds')} at the earliest)"
    )
    return DecisionRecord(
        id=record_id,
        actor=actor,
        subject_kind="post",
        subject_id=post.id,
        platform=post.platform,
        purpose=consent_purpose(purpose),
        at=judgement.at,
        outcome=DecisionOutcome.UNDECIDED,
        reasons=(Reason(text=text, blocking=True),),
    )


def held_for_infrastructure(reasons: tuple[str, ...] | list[str]) -> bool:
    """Whether a row held with ``reasons`` was held only because the store or the
    network failed while consent was read (``consent could not be checked:
    StorageError: …``), not because consent or a plugin said no."""
    if not reasons:
        return False
    for reason in reasons:
        found = _UNCHECKED_TYPE.match(reason)
        if found is None or found.group(1).rpartition(".")[2] not in INFRASTRUCTURE_NAMES:
            return False
    return True
