"""``terrain consent grant|refuse|withdraw|import|list``: who agreed to what.

Every change is appended to the workspace's consent log (never edited). A
grant or refusal needs its evidence: a signed form (``--evidence-file``, the
scan is kept in the workspace storage), a witness for verbal consent
(``--witness``), or the exact checkbox text and its version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from terrain import clock
from terrain.cli._common import (
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
from terrain.cli._importing import import_options, run_import
from terrain.cli._when import fold_option, parse_when

if TYPE_CHECKING:
    from terrain.consent import Consent, ConsentLedger, Evidence, Scope
    from terrain.store import Workspace

__all__ = ["command"]

PURPOSES = ("publish", "tag", "archive", "reuse-ugc", "interview")


@click.group("consent")
def command() -> None:
    """Record and list consents (append-only: nothing is ever edited)."""


def _scope(event_id: str | None, project_id: str | None, content_id: str | None) -> Scope | None:
    from terrain.consent import Scope

    given = [(k, v) for k, v in (("event", event_id), ("project", project_id)) if v is not None]
    if content_id is not None:
        given.append(("content", content_id))
    if len(given) > 1:
        raise click.UsageError("give at most one of --event, --project, --content")
    return Scope(kind=given[0][0], ref=given[0][1]) if given else None


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
            help="Only these platforms (default: all).",
        ),
        only_event_option,
        click.option("--project", "project_id", default=None, help="Only this project."),
        click.option(
            "--content",
            "content_id",
            default=None,
            shell_complete=complete_content_id,
            help="Only this content.",
        ),
        click.option(
            "--given-by",
            "given_by",
            multiple=True,
            shell_complete=complete_member_id,
            help="Who expressed it (default: the member; a guardian for a minor).",
        ),
        click.option("--until", default=None, help="Valid until, e.g. 2027-03-12."),
        click.option("--at", "at_text", default=None, help="When it was expressed (default: now)."),
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
        from terrain._files import FileTooLarge, UnreadableFile, read_regular_file
        from terrain.errors import ValidationError
        from terrain.workflows._import import too_large

        try:
            data = read_regular_file(evidence_file, max_bytes=max_bytes)
        except FileTooLarge as exc:
            raise ValidationError(
                "--evidence-file " + too_large(evidence_file.name, exc.size, max_bytes)
            ) from None
        except UnreadableFile as exc:
            raise ValidationError(f"--evidence-file {evidence_file.name}: {exc}") from None
        suffix = evidence_file.suffix.lower().lstrip(".") or "bin"
        key = f"consents/{member_id}/{hashlib.sha256(data).hexdigest()[:16]}.{suffix}"
        return Evidence(kind="signed-form", file_key=key), (key, data)
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
    until: str | None,
    at_text: str | None,
    evidence_file: Path | None,
    witness: str | None,
    checkbox_text: str | None,
    form_version: str | None,
    as_json: bool,
) -> None:
    tz = ws.community.timezone
    at = parse_when(at_text, tz, option="--at") if at_text else clock.now()
    valid_until = parse_when(until, tz, option="--until") if until else None
    scope = _scope(event_id, project_id, content_id)
    from terrain import Member

    member = ws.get(Member, member_id)  # an unknown id is NotFound, before it names any file
    evidence, scan = _evidence(
        member_id, evidence_file, witness, checkbox_text, form_version, ws.config.max_file_bytes
    )

    def record(ledger: ConsentLedger) -> Consent:
        method = ledger.grant if verb == "grant" else ledger.refuse
        return method(  # checked against the person's history before anything is stored
            member_id,
            purposes=purposes,
            at=at,
            evidence=evidence,
            given_by=given_by or None,
            platforms=platforms or None,
            scope=scope,
            valid_until=valid_until,
            consent_id=ws.next_consent_id(),
        )

    stored_scan = False
    if scan is not None and not ws.storage.exists(scan[0]):
        ws.storage.put(*scan)
        stored_scan = True
    try:
        # only this person's (and their guardians') history is read: the rules are per person
        people = {member_id, *member.guardian_ids, *given_by}
        consent = ws.update_ledger(record, subjects=people)
    except BaseException:
        if stored_scan and scan is not None:
            ws.storage.delete(scan[0])  # the workspace is left as it was
        raise
    what = "consents to" if verb == "grant" else "refuses"
    emit(
        consent,
        as_json=as_json,
        human=lambda: click.echo(
            f"Recorded {consent.id}: {member_id} {what} {_describe(consent)}."
        ),
    )


def _describe(consent: Consent) -> str:
    purposes = ", ".join(sorted(p.value for p in consent.purposes))
    where = "every platform" if consent.platforms is None else ", ".join(sorted(consent.platforms))
    until = f" until {consent.valid_until:%Y-%m-%d}" if consent.valid_until else ""
    return f"{purposes} on {where}, for {consent.scope}{until}"


@command.command("grant")
@_record_options
def grant(**kwargs: Any) -> None:
    """Record that MEMBER_ID agrees to --purpose (on --platform, for --event…)."""
    _record("grant", **kwargs)


@command.command("refuse")
@_record_options
def refuse(**kwargs: Any) -> None:
    """Record that MEMBER_ID refuses --purpose: nothing of theirs is published."""
    _record("refuse", **kwargs)


@command.command("withdraw")
@click.argument("member_id", shell_complete=complete_member_id)
@click.option(
    "--purpose",
    "purposes",
    multiple=True,
    type=click.Choice(PURPOSES),
    help="Only consents naming these purposes (default: all).",
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    shell_complete=complete_platform,
    help="Only these platforms.",
)
@click.option("--note", default="", help="Why, or how the withdrawal was expressed.")
@click.option("--at", "at_text", default=None, help="When it was expressed (default: now).")
@fold_option
@json_option
@pass_workspace
def withdraw(
    ws: Workspace,
    member_id: str,
    purposes: tuple[str, ...],
    platforms: tuple[str, ...],
    note: str,
    at_text: str | None,
    as_json: bool,
) -> None:
    """Withdraw MEMBER_ID's consents. Published posts are taken down with `terrain takedown`."""
    at = parse_when(at_text, ws.community.timezone, option="--at") if at_text else clock.now()
    withdrawn = ws.update_ledger(
        lambda ledger: ledger.withdraw(
            member_id, at=at, purposes=purposes or None, platforms=platforms or None, note=note
        ),
        subjects={member_id},
    )

    def human() -> None:
        if not withdrawn:
            click.echo(f"{member_id} has no consent in force to withdraw; nothing recorded.")
        for consent in withdrawn:
            click.echo(f"Withdrew {consent.id}: {_describe(consent)}.")
        if withdrawn:
            click.echo(f"Take down what was published: `terrain takedown --subject {member_id}`.")

    emit(list(withdrawn), as_json=as_json, human=human)


@command.command("import")
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


@command.command("list")
@click.argument("member_id", required=False, shell_complete=complete_member_id)
@list_options
@pass_workspace
def list_(ws: Workspace, member_id: str | None, as_json: bool, as_csv: bool) -> None:
    """List consent records (of MEMBER_ID, or everyone's), with their latest status."""
    from terrain import Member

    if member_id is not None:
        ws.get(Member, member_id)
    with ws.consent(None if member_id is None else [member_id]) as ledger:
        subjects = [member_id] if member_id is not None else sorted(ledger.members)
        records = [c for s in subjects for c in ledger.for_subject(s)]

    def human() -> None:
        if not records:
            click.echo("No consent recorded: `terrain consent grant MEMBER --purpose publish ...`.")
        for c in records:
            status = c.history[-1].status.value
            click.echo(f"{c.id:<8} {c.subject_id:<16} {status:<10} {_describe(c)}")

    emit_list(records, as_json=as_json, as_csv=as_csv, table=flat_rows(records), human=human)
