"""``terrain consent grant|refuse|withdraw|import|list|check``: who agreed to what.

Every change is appended to the workspace's consent log (never edited). A
grant or refusal needs its evidence: a signed form (``--evidence-file``, the
scan is kept in the workspace storage), a witness for verbal consent
(``--witness``), or the exact checkbox text and its version. For a minor,
``--given-by`` names each guardian who agreed and ``--child-assent`` records
the child's own answer.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import (
    EXIT_FAILED,
    echo_lines,
    emit,
    emit_list,
    flat_rows,
    json_option,
    list_options,
    pass_workspace,
)
from terrain.cli._complete import (
    complete_content_id,
    complete_member_id,
    complete_platform,
    only_event_option,
)
from terrain.cli._when import fold_option, parse_when

if TYPE_CHECKING:
    from terrain.consent import Consent, Evidence, RecordState, Scope
    from terrain.store import Workspace

__all__ = ["command"]

PURPOSES = ("publish", "tag", "archive", "reuse-ugc", "interview")


class _Subcommands(click.Group):
    """``terrain consent``'s subcommands, each built when it is asked for (from
    :data:`_BUILDERS`): ``terrain consent grant`` makes its own eighteen options, not
    those of the five other subcommands, nor imports what ``consent import`` needs.

    Those built are kept in :attr:`built`, not in ``commands``, which stays empty: a
    reader of ``commands`` (the docs' sphinx-click) asks for each of them instead of
    finding only those a command built."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.built: dict[str, click.Command] = {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_BUILDERS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        built = self.built.get(cmd_name)
        if built is None and cmd_name in _BUILDERS:
            built = self.built[cmd_name] = _BUILDERS[cmd_name]()
        return built


@click.group("consent", cls=_Subcommands)
def command() -> None:
    """Record and list consents (append-only: nothing is ever edited)."""


#: Each subcommand's name -> the function that builds it (applies its options).
_BUILDERS: dict[str, Callable[[], click.Command]] = {}


def _builds(name: str) -> Callable[[Callable[[], click.Command]], Callable[[], click.Command]]:
    """Register the decorated function as the builder of subcommand ``name``."""

    def register(build: Callable[[], click.Command]) -> Callable[[], click.Command]:
        _BUILDERS[name] = build
        return build

    return register


def _scope(event_id: str | None, project_id: str | None, content_id: str | None) -> Scope | None:
    from terrain.consent import Scope

    given = [(k, v) for k, v in (("event", event_id), ("project", project_id)) if v is not None]
    if content_id is not None:
        given.append(("content", content_id))
    if len(given) > 1:
        raise click.UsageError("give at most one of --event, --project, --content")
    return Scope(kind=given[0][0], ref=given[0][1]) if given else None


def _scope_options(f: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(
        [
            only_event_option,
            click.option("--project", "project_id", default=None, help="Only this project."),
            click.option("--content", "content_id", default=None,
                         shell_complete=complete_content_id, help="Only this content."),
        ]
    ):
        f = option(f)
    return f


def _record_options(f: Callable[..., Any]) -> Callable[..., Any]:
    options: list[Callable[[Any], Any]] = [
        click.argument("member_id", shell_complete=complete_member_id),
        click.option(
            "--purpose",
            "purposes",
            multiple=True,
            required=True,
            type=click.Choice(PURPOSES),
            help="What it is about (repeat for several).",
        ),
        click.option(
            "--platform",
            "platforms",
            multiple=True,
            shell_complete=complete_platform,
            help="Only these platforms (default: all). Names terrain knows: `terrain plugins`.",
        ),
        _scope_options,
        click.option(
            "--given-by",
            "given_by",
            multiple=True,
            shell_complete=complete_member_id,
            help="Who expressed it (default: the member). For a minor: each guardian who "
            "agreed (repeat the option).",
        ),
        click.option(
            "--child-assent",
            type=click.Choice(["yes", "no"]),
            default=None,
            help="For a minor: the child's own answer. A minor's consent counts only with it.",
        ),
        click.option(
            "--from", "from_text", default=None,
            help="In force from this date (default: when expressed), e.g. 2026-06-01.",
        ),
        click.option("--until", default=None, help="Valid until, e.g. 2027-03-12."),
        click.option(
            "--at", "at_text", default=None,
            help="When the person expressed it (default: now; never in the future).",
        ),
        fold_option,
        click.option(
            "--evidence-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            default=None,
            help="Scan or photo of the signed form (kept in the workspace storage).",
        ),
        click.option("--witness", default=None, help="Witness of a verbal consent."),
        click.option("--checkbox", "checkbox_text", default=None, help="Exact checkbox text."),
        click.option("--form-version", default=None, help="Version of the checkbox text."),
        json_option,
        pass_workspace,
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _evidence(
    member_id: str,
    evidence_file: Path | None,
    witness: str | None,
    checkbox_text: str | None,
    form_version: str | None,
    max_bytes: int,
) -> tuple[Evidence, tuple[str, bytes] | None]:
    """The evidence, and the scan to store (key, bytes) if there is one.

    A scan over ``max_bytes`` (``[import] max_file_mb``) is refused before it is read.
    """
    from terrain.consent import Evidence

    given = [x for x in (evidence_file, witness, checkbox_text) if x is not None]
    if len(given) != 1:
        raise click.UsageError(
            "give the evidence of this consent, exactly one of: --evidence-file SCAN "
            "(signed form), --witness NAME (verbal), --checkbox TEXT --form-version V"
        )
    if evidence_file is not None:
        from terrain.workflows import evidence_scan

        evidence, key, data = evidence_scan(member_id, evidence_file, max_bytes=max_bytes)
        return evidence, (key, data)
    if witness is not None:
        return Evidence(kind="verbal", witness=witness), None
    return Evidence(kind="checkbox", text=checkbox_text or "", version=form_version or ""), None


def _record(
    verb: str,
    ws: Workspace,
    member_id: str,
    purposes: tuple[str, ...],
    platforms: tuple[str, ...],
    event_id: str | None,
    project_id: str | None,
    content_id: str | None,
    given_by: tuple[str, ...],
    child_assent: str | None,
    from_text: str | None,
    until: str | None,
    at_text: str | None,
    evidence_file: Path | None,
    witness: str | None,
    checkbox_text: str | None,
    form_version: str | None,
    as_json: bool,
) -> None:
    from terrain import Member
    from terrain.workflows import record_consent

    tz = ws.community.timezone
    at = parse_when(at_text, tz, option="--at") if at_text else None
    valid_from = parse_when(from_text, tz, option="--from") if from_text else None
    valid_until = parse_when(until, tz, option="--until") if until else None
    scope = _scope(event_id, project_id, content_id)
    ws.get(Member, member_id)  # an unknown id is NotFound, before it names any file
    evidence, scan = _evidence(
        member_id, evidence_file, witness, checkbox_text, form_version, ws.config.max_file_bytes
    )
    recorded = record_consent(
        ws,
        member_id,
        status="given" if verb == "grant" else "refused",
        purposes=purposes,
        evidence=evidence,
        now=clock.now(),
        at=at,
        given_by=given_by or None,
        child_assent=None if child_assent is None else child_assent == "yes",
        platforms=platforms or None,
        scope=scope,
        valid_from=valid_from,
        valid_until=valid_until,
        scan=scan,
    )
    consent = recorded.consent
    what = "consents to" if verb == "grant" else "refuses"

    def human() -> None:
        click.echo(f"Recorded {consent.id}: {member_id} {what} {_describe(consent)}.")
        if recorded.state.status.value not in ("given", "refused"):
            click.echo(f"  {recorded.state.status.value}: {recorded.state.detail}.")

    emit(consent, as_json=as_json, human=human)


def _describe(consent: Consent) -> str:
    from terrain.consent import describe

    return describe(consent)


def _recording(verb: str, summary: str) -> click.Command:
    """``terrain consent VERB`` (grant or refuse): one record of the ledger's ``verb``."""

    @click.command(verb, help=summary)
    @_record_options
    def record(**kwargs: Any) -> None:
        _record(verb, **kwargs)

    return record


@_builds("grant")
def _grant() -> click.Command:
    return _recording("grant", "Record that MEMBER_ID agrees to --purpose (on --platform, "
                               "for --event…).")


@_builds("refuse")
def _refuse() -> click.Command:
    return _recording("refuse", "Record that MEMBER_ID refuses --purpose: nothing of theirs "
                                "is published.")


@_builds("withdraw")
def _withdraw() -> click.Command:
    @click.command("withdraw")
    @click.argument("member_id", shell_complete=complete_member_id)
    @click.option(
        "--purpose",
        "purposes",
        multiple=True,
        type=click.Choice(PURPOSES),
        help="Only these purposes (default: all); the others stay in force.",
    )
    @click.option(
        "--platform", "platforms", multiple=True, shell_complete=complete_platform,
        help="Only these platforms (default: all); the others stay in force.",
    )
    @_scope_options
    @click.option("--note", default="", help="Why, or how the withdrawal was expressed.")
    @click.option(
        "--at", "at_text", default=None,
        help="When the person expressed it (default: now; never in the future).",
    )
    @fold_option
    @json_option
    @pass_workspace
    def withdraw(
        ws: Workspace,
        member_id: str,
        purposes: tuple[str, ...],
        platforms: tuple[str, ...],
        event_id: str | None,
        project_id: str | None,
        content_id: str | None,
        note: str,
        at_text: str | None,
        as_json: bool,
    ) -> None:
        """Withdraw MEMBER_ID's consent: all of it, or one purpose, platform or scope.

        The withdrawal ends every consent expressed before it that it covers,
        including paperwork keyed in later. Published posts are taken down with
        `terrain takedown`.
        """
        from terrain.workflows import withdraw_consent

        at = parse_when(at_text, ws.community.timezone, option="--at") if at_text else None
        result = withdraw_consent(
            ws,
            member_id,
            now=clock.now(),
            at=at,
            purposes=purposes or None,
            platforms=platforms or None,
            scope=_scope(event_id, project_id, content_id),
            note=note,
        )

        def human() -> None:
            from terrain.consent import ConsentStatus

            for consent in result.ended:
                if consent.history[-1].status is ConsentStatus.WITHDRAWN:
                    click.echo(f"Withdrew {consent.id}: {_describe(consent)}.")
                else:
                    click.echo(f"Withdrew {result.covers} from {consent.id}: {_describe(consent)}.")
            if not result.ended:
                click.echo(
                    f"{member_id} has no consent in force there ({result.covers}). The withdrawal "
                    "is recorded: it also ends any consent expressed before it that is keyed in "
                    "later."
                )
            if result.still:
                click.echo("Still in force:")
                for state in result.still:
                    click.echo(f"  {_line(state)}")
            click.echo(f"Take down what was published: `terrain takedown --subject {member_id}`.")

        emit(result, as_json=as_json, human=human)

    return withdraw


def _line(state: RecordState) -> str:
    c = state.consent
    detail = f" ({state.detail})" if state.detail else ""
    return f"{c.id:<8} {c.subject_id:<16} {state.status.value:<16} {_describe(c)}{detail}"


@_builds("import")
def _import() -> click.Command:
    from terrain.cli._importing import import_options, run_import

    @click.command("import")
    @import_options
    @pass_workspace
    def import_(ws: Workspace, **options: Any) -> None:
        """Record the consents (and refusals) listed in FILE, e.g. the answers of a form.

        Columns: the member (id, email or handle), purposes (publish;tag...),
        platforms (empty: all), at (when it was given: required), until, refused
        (yes for a refusal), and the evidence: evidence_text and version (a
        checkbox), witness (verbal), or form (a signed form's scan). Each is
        checked as `terrain consent grant` checks one; a consent already in the
        log is unchanged. All or nothing unless --skip-bad; try --dry-run first.
        """
        from terrain.workflows import import_consents

        run_import(import_consents, ws=ws, **options)

    return import_


@_builds("list")
def _list() -> click.Command:
    @click.command("list")
    @click.argument("member_id", required=False, shell_complete=complete_member_id)
    @click.option(
        "--at", "at_text", default=None,
        help="Show where each record stood at this instant (default: now).",
    )
    @fold_option
    @list_options
    @pass_workspace
    def list_(
        ws: Workspace, member_id: str | None, at_text: str | None, as_json: bool, as_csv: bool
    ) -> None:
        """List consent records (of MEMBER_ID, or everyone's) and where each stands.

        A record is given, scheduled, pending guardian (a minor's: a guardian's
        agreement is missing), pending assent (the child's own answer is
        missing), partly withdrawn, withdrawn, expired, refused or lifted.
        """
        at = parse_when(at_text, ws.community.timezone, option="--at") if at_text else clock.now()
        if not as_json and not as_csv:  # the text: lines the store makes, no record read
            from terrain.workflows import consent_list_lines

            lines = consent_list_lines(ws, member_id, at=at)
            if not lines:
                click.echo(
                    "No consent recorded: `terrain consent grant MEMBER --purpose publish ...`."
                )
            echo_lines(lines)
            return
        from terrain.workflows import consent_list

        listed = consent_list(ws, member_id, at=at, data=True)
        records = [
            {**(row.record or {}), "state": row.status.value, "detail": row.detail}
            for row in listed
        ]
        emit_list(records, as_json=as_json, as_csv=as_csv, table=flat_rows(records),
                  human=lambda: None)

    return list_


@_builds("check")
def _check() -> click.Command:
    @click.command("check")
    @json_option
    @pass_workspace
    def check(ws: Workspace, as_json: bool) -> None:
        """Report stored consents naming a platform terrain does not know.

        Such a record covers nothing (a refusal there protects no one). Exit
        code 1 when there is one.
        """
        from terrain.workflows import check_consents

        problems = check_consents(ws)

        def human() -> None:
            if not problems:
                click.echo("Every consent names platforms terrain knows.")
            for problem in problems:
                click.echo(f"{problem.subject_id}: {problem.problem}. Fix: {problem.fix}.")

        emit(problems, as_json=as_json, human=human)
        if problems:
            sys.exit(EXIT_FAILED)

    return check
