"""Every public function taking an instant (``at``, ``now``, ``until``, ``since``…)
refuses a naive datetime with a ValidationError: a naive datetime names no instant.

The functions are found by their signatures in terrain's public modules, so a new
one is caught until it is called here.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from terrain import Community, Event, Member
from terrain.community import core, core_members, meetups_that_took_place
from terrain.consent import (
    ConsentLedger,
    Evidence,
    Purpose,
    RecordStatus,
    Target,
    TimelineSpan,
    decide,
    withdrawal_impact,
)
from terrain.content import Content, change_people
from terrain.errors import ValidationError
from terrain.events import (
    Attendance,
    Series,
    cancel_rsvp,
    check_in,
    event_ics,
    join_waitlist,
    mark_no_shows,
    occurrences,
    promote_waitlist,
    rsvp_going,
    series_events,
    series_ics,
)
from terrain.posts import Post, Receipt
from terrain.publishing import Journal, decide_post, judge
from terrain.store import Workspace
from terrain.workflows import (
    ConsentChoices,
    add_project_photo,
    answer_as_guardian,
    answer_from_link,
    answer_rsvp,
    apply_retention,
    attendance_report,
    cancel_post,
    check_in_from_link,
    check_in_members,
    check_link,
    close_attendance,
    community_core,
    consent_form,
    consent_list,
    consent_list_lines,
    consent_states,
    edit_post,
    erase_member,
    event_calendar,
    event_page,
    export_member,
    fetch_stats,
    give_consent,
    guardian_request,
    import_media,
    import_rsvps,
    issue_link,
    meetup_budget,
    member_photo,
    move_post,
    personal_link,
    personal_page,
    post_log,
    publish_event,
    publish_project_update,
    record_consent,
    record_interview,
    replan_unchecked,
    request_link,
    revoke_links,
    run_queued_takedowns,
    run_workspace_worker,
    season_export,
    series_calendar,
    set_people,
    takedown,
    undo_check_in,
    withdraw_consent,
    withdraw_on_page,
)

NAIVE = datetime(2026, 3, 12, 21, 0)
AWARE = datetime(2026, 3, 12, 21, 0, tzinfo=UTC)
TIME_PARAMETERS = {"at", "now", "until", "since", "valid_from", "valid_until"}
MODULES = (
    "terrain",
    "terrain.events",
    "terrain.consent",
    "terrain.publishing",
    "terrain.workflows",
    "terrain.community",
    "terrain.projects",
    "terrain.workshops",
    "terrain.partnerships",
    "terrain.content",
    "terrain.clock",
)
#: Take text already in UTC (the store's SQL layer), not datetimes.
NOT_DATETIMES = {"Database.append_consent_event", "Database.append_decision"}


def public_functions_taking_a_time() -> Iterator[str]:
    seen: set[str] = set()
    for name in MODULES:
        module = importlib.import_module(name)
        for public in getattr(module, "__all__", ()):
            obj = getattr(module, public)
            found: list[Any] = []
            if inspect.isfunction(obj):
                found.append(obj)
            elif inspect.isclass(obj):
                found += [f for n, f in inspect.getmembers(obj, inspect.isfunction)
                          if not n.startswith("_")]  # fmt: skip
            for function in found:
                if set(inspect.signature(function).parameters) & TIME_PARAMETERS:
                    qualname = function.__qualname__
                    if qualname not in seen and qualname not in NOT_DATETIMES:
                        seen.add(qualname)
                        yield qualname


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.init(
        tmp_path / "velo",
        community=Community(id="velo", name="Vélo", timezone="Europe/Paris"),
        platforms={"outbox": {}},
    )
    workspace.add(Member(id="lea", display_name="Léa"))
    workspace.add(Event(id="ev", title="Apéro", starts_at=AWARE, ends_at=AWARE.replace(hour=23)))
    yield workspace
    workspace.close()


def _ledger() -> ConsentLedger:
    ledger = ConsentLedger([Member(id="lea", display_name="Léa")])
    ledger.grant("lea", purposes=["publish"], at=AWARE, evidence=Evidence(kind="verbal",
                                                                          witness="K"))
    return ledger


SERIES = Series(id="s", title="S", rule="FREQ=WEEKLY", first_starts_at=AWARE, minutes=60)
GOING = rsvp_going(Attendance("ev", capacity=1), "lea", at=AWARE)
POST = Post(id="p-1", platform="fake", text="recap")


def _journal_calls(tmp_path: Path) -> dict[str, Callable[[], object]]:
    journal = Journal(tmp_path / "j.db", create=True)
    journal.plan([POST], now=AWARE)
    row = journal.claim_ready("fake", "o:1:x", now=AWARE, lease=AWARE - AWARE)
    assert row is not None
    receipt = Receipt(platform="fake", post_id="p-1", remote_id="1", published_at=AWARE)
    return {
        "Journal.plan": lambda: journal.plan([POST], now=NAIVE),
        "Journal.claim_ready": lambda: journal.claim_ready("fake", "o", now=NAIVE, lease=AWARE
                                                           - AWARE),
        "Journal.claim_abandoned": lambda: journal.claim_abandoned("fake", "o", now=NAIVE,
                                                                   lease=AWARE - AWARE),
        "Journal.reserve": lambda: journal.reserve(row, "o:1:x", now=NAIVE, rate=1.0, budget=5),
        "Journal.mark_sent": lambda: journal.mark_sent(row, "o:1:x", receipt, now=NAIVE),
        "Journal.mark_sent_then_claim": lambda: journal.mark_sent_then_claim(
            row, "o:1:x", receipt, now=NAIVE, lease=AWARE - AWARE),
        "Journal.mark_confirmed": lambda: journal.mark_confirmed(row, "o:1:x", now=NAIVE),
        "Journal.mark_held": lambda: journal.mark_held(row, "o:1:x", ["no"], now=NAIVE),
        "Journal.mark_failed": lambda: journal.mark_failed(row, "o:1:x", "x", now=NAIVE),
        "Journal.release": lambda: journal.release(row, "o:1:x", now=NAIVE, next_attempt_at=None),
        "Journal.open_rows": lambda: journal.open_rows("fake", now=NAIVE),
        "Journal.push_slot": lambda: journal.push_slot(row, NAIVE),
        "Journal.sent_since": lambda: journal.sent_since("fake", NAIVE),
        "Journal.move": lambda: journal.move("p-1", "fake", at=NAIVE, now=AWARE),
        "Journal.cancel": lambda: journal.cancel("p-1", "fake", reason="no", now=NAIVE),
        "Journal.rows": lambda: journal.rows(since=NAIVE),
        "Journal.replan_held": lambda: journal.replan_held(row, now=NAIVE),
        "Journal.hold": lambda: journal.hold("p-1", "fake", reasons=["no"], now=NAIVE),
    }


def _review_calls(ws: Workspace) -> dict[str, Callable[[], object]]:
    """The review desk's workflows (accounts, identify, the sheet, approvals)."""
    from terrain.workflows import (
        account_of_session,
        add_account,
        approval_queue,
        approve_post,
        authenticate,
        contact_sheet,
        describe_photo,
        desk_overview,
        detect_again,
        edit_post_as,
        identify_people,
        log_in,
        post_for_approval,
        preview_picture,
        set_password,
    )

    password = "a long enough password"
    return {
        "add_account": lambda: add_account(ws, "ana", "editor", password, now=NAIVE),
        "set_password": lambda: set_password(ws, "ana", password, now=NAIVE),
        "authenticate": lambda: authenticate(ws, "ana", password, now=NAIVE),
        "log_in": lambda: log_in(ws, "ana", password, now=NAIVE),
        "account_of_session": lambda: account_of_session(ws, "x", now=NAIVE),
        "identify_people": lambda: identify_people(ws, "c", now=NAIVE),
        "describe_photo": lambda: describe_photo(ws, "c", caption="x", now=NAIVE),
        "detect_again": lambda: detect_again(ws, "c", now=NAIVE),
        "contact_sheet": lambda: contact_sheet(ws, event_id="ev", now=NAIVE),
        "desk_overview": lambda: desk_overview(ws, now=NAIVE),
        "approval_queue": lambda: approval_queue(ws, now=NAIVE),
        "post_for_approval": lambda: post_for_approval(ws, "p-1", now=NAIVE),
        "approve_post": lambda: approve_post(ws, "p-1", account="ana", now=NAIVE),
        "edit_post_as": lambda: edit_post_as(ws, "p-1", "Merci !", now=NAIVE),
        "preview_picture": lambda: preview_picture(ws, "p-1", "x", 0, now=NAIVE),
    }


def _takedown_calls(tmp_path: Path) -> dict[str, Callable[[], object]]:
    from terrain.publishing import TakedownQueue

    queue = TakedownQueue(Journal(tmp_path / "t.db", create=True).db)
    receipt = Receipt(platform="fake", post_id="p-1", remote_id="1", published_at=AWARE)
    (row,) = queue.enqueue("wd-1", "lea", [receipt], now=AWARE)
    return {
        "TakedownQueue.enqueue": lambda: queue.enqueue("wd-2", "lea", [receipt], now=NAIVE),
        "TakedownQueue.claim": lambda: queue.claim("o", now=NAIVE, lease=AWARE - AWARE),
        "TakedownQueue.finish": lambda: queue.finish(row, "o", "deleted", "", now=NAIVE),
        "TakedownQueue.release": lambda: queue.release(row, "o", "", now=NAIVE, retry_at=AWARE),
    }


def _web_calls(ws: Workspace) -> dict[str, Callable[[], object]]:
    """The members' pages' workflows, each given a link that holds (but a naive now)."""
    token = issue_link(ws, "personal", "lea", now=AWARE).token
    choice = ConsentChoices(purposes=["publish"], scope="all")
    return {
        "issue_link": lambda: issue_link(ws, "personal", "lea", now=NAIVE),
        "check_link": lambda: check_link(ws, token, ["personal"], now=NAIVE),
        "revoke_links": lambda: revoke_links(ws, "lea", now=NAIVE),
        "personal_link": lambda: personal_link(ws, "lea", now=NAIVE),
        "request_link": lambda: request_link(ws, "lea@example.org", "personal", now=NAIVE),
        "event_page": lambda: event_page(ws, "ev", now=NAIVE),
        "answer_from_link": lambda: answer_from_link(ws, token, "ev", "going", now=NAIVE),
        "check_in_from_link": lambda: check_in_from_link(ws, token, "ev", now=NAIVE),
        "personal_page": lambda: personal_page(ws, token, now=NAIVE),
        "member_photo": lambda: member_photo(ws, token, "c", "m", now=NAIVE),
        "withdraw_on_page": lambda: withdraw_on_page(ws, token, now=NAIVE),
        "consent_form": lambda: consent_form(ws, token, now=NAIVE),
        "give_consent": lambda: give_consent(ws, token, choice, now=NAIVE),
        "guardian_request": lambda: guardian_request(ws, token, now=NAIVE),
        "answer_as_guardian": lambda: answer_as_guardian(ws, token, True, now=NAIVE),
        "run_queued_takedowns": lambda: run_queued_takedowns(ws, now=NAIVE),
    }


def calls(ws: Workspace, tmp_path: Path) -> dict[str, Callable[[], object]]:
    ledger = _ledger()
    return {
        "ConsentLedger.grant": lambda: ledger.grant("lea", purposes=["tag"], at=NAIVE,
                                                    evidence=Evidence(kind="verbal", witness="K")),
        "ConsentLedger.refuse": lambda: ledger.refuse("lea", purposes=["tag"], at=AWARE,
                                                      evidence=Evidence(kind="verbal",
                                                                        witness="K"),
                                                      valid_from=NAIVE),
        "ConsentLedger.renew": lambda: ledger.renew("c-1", at=AWARE, valid_until=NAIVE),
        "ConsentLedger.state": lambda: ledger.state("lea", "publish", "x", at=NAIVE),
        "ConsentLedger.state_for": lambda: ledger.state_for("lea", Purpose.PUBLISH, "x",
                                                            at=NAIVE, target=Target()),
        "ConsentLedger.withdraw": lambda: ledger.withdraw("lea", at=NAIVE),
        "ConsentLedger.reached_by": lambda: ledger.reached_by("lea", at=NAIVE),
        "ConsentLedger.record_states": lambda: ledger.record_states("lea", at=NAIVE),
        "record_consent": lambda: record_consent(ws, "lea", purposes=["publish"], now=NAIVE,
                                                 evidence=Evidence(kind="verbal", witness="K")),
        "withdraw_consent": lambda: withdraw_consent(ws, "lea", now=NAIVE),
        "consent_states": lambda: consent_states(ws, "lea", at=NAIVE),
        "consent_list": lambda: consent_list(ws, "lea", at=NAIVE),
        "Workspace.consent_listing": lambda: ws.consent_listing("lea", at=NAIVE),
        "consent_list_lines": lambda: consent_list_lines(ws, "lea", at=NAIVE),
        "Workspace.consent_listing_lines": lambda: ws.consent_listing_lines("lea", at=NAIVE),
        "TimelineSpan.holds_at": lambda: TimelineSpan(
            0, "c-1", AWARE, None, RecordStatus.GIVEN, "").holds_at(NAIVE),
        "set_people": lambda: set_people(ws, "c-1", by="camille", now=NAIVE),
        "change_people": lambda: change_people(
            Content(id="c-1", kind="photo", created_at=AWARE), add=["lea"], reviewed=True,
            by="camille", at=NAIVE),
        "decide": lambda: decide(ledger, POST, platform="fake", at=NAIVE),
        "withdrawal_impact": lambda: withdrawal_impact("lea", contents=[], published=[],
                                                       at=NAIVE),
        "rsvp_going": lambda: rsvp_going(Attendance("ev"), "lea", at=NAIVE),
        "cancel_rsvp": lambda: cancel_rsvp(GOING, "lea", at=NAIVE),
        "check_in": lambda: check_in(GOING, "lea", at=NAIVE),
        "mark_no_shows": lambda: mark_no_shows(GOING, at=NAIVE),
        "promote_waitlist": lambda: promote_waitlist(GOING, at=NAIVE),
        "event_ics": lambda: event_ics(ws.get(Event, "ev"), now=NAIVE),
        "series_ics": lambda: series_ics(SERIES, now=AWARE, until=NAIVE),
        "occurrences": lambda: occurrences(SERIES, until=NAIVE),
        "series_events": lambda: series_events(SERIES, until=NAIVE),
        "import_media": lambda: import_media(ws, [], now=NAIVE),
        "add_project_photo": lambda: add_project_photo(
            ws, "p", tmp_path / "x.jpg", phase="before", taken_on=date(2026, 3, 1), now=NAIVE
        ),
        "event_calendar": lambda: event_calendar(ws, "ev", now=NAIVE),
        "series_calendar": lambda: series_calendar(ws, "s", now=NAIVE),
        "publish_event": lambda: publish_event(ws, "ev", ["outbox"], dry_run=True, now=NAIVE),
        "publish_project_update": lambda: publish_project_update(
            ws, "nope", ["outbox"], month=date(2026, 3, 1), now=NAIVE),
        "run_workspace_worker": lambda: run_workspace_worker(ws, ["outbox"], now=NAIVE),
        "takedown": lambda: takedown(ws, "lea", now=NAIVE),
        "join_waitlist": lambda: join_waitlist(Attendance("ev"), "lea", at=NAIVE),
        "Event.has_started": lambda: ws.get(Event, "ev").has_started(NAIVE),
        "Event.took_place": lambda: ws.get(Event, "ev").took_place(NAIVE),
        "meetups_that_took_place": lambda: meetups_that_took_place([], {}, now=NAIVE),
        "core": lambda: core([], {}, now=NAIVE),
        "core_members": lambda: core_members([], {}, now=NAIVE),
        "answer_rsvp": lambda: answer_rsvp(ws, "ev", "lea", "going", at=NAIVE),
        "check_in_members": lambda: check_in_members(ws, "ev", ["lea"], at=NAIVE),
        "close_attendance": lambda: close_attendance(ws, "ev", at=NAIVE),
        "attendance_report": lambda: attendance_report(ws, "ev", now=NAIVE),
        "meetup_budget": lambda: meetup_budget(ws, "ev", now=NAIVE),
        "community_core": lambda: community_core(ws, now=NAIVE),
        "record_interview": lambda: record_interview(
            ws, "itw", member_id="lea", body="Bien.", at=NAIVE, event_id="ev"),
        "post_log": lambda: post_log(ws, since=NAIVE),
        "replan_unchecked": lambda: replan_unchecked(ws, now=NAIVE),
        "judge": lambda: judge(lambda post, at: decide(ledger, post, platform="x", at=at),
                               POST, NAIVE),
        "decide_post": lambda: decide_post(lambda p, at: decide(_ledger(), p, platform=p.platform,
                                                                at=at), POST, NAIVE),
        "move_post": lambda: move_post(ws, "p-1", at=AWARE, now=NAIVE),
        "cancel_post": lambda: cancel_post(ws, "p-1", now=NAIVE),
        "edit_post": lambda: edit_post(ws, "p-1", "Merci !", now=NAIVE),
        "fetch_stats": lambda: fetch_stats(ws, now=NAIVE),
        "import_rsvps": lambda: import_rsvps(ws, tmp_path / "none.csv", at=NAIVE),
        "season_export": lambda: season_export(ws, now=NAIVE),
        "undo_check_in": lambda: undo_check_in(ws, "ev", ["lea"], at=NAIVE),
        "export_member": lambda: export_member(ws, "lea", tmp_path / "lea.zip", now=NAIVE),
        "erase_member": lambda: erase_member(ws, "lea", now=NAIVE),
        "apply_retention": lambda: apply_retention(ws, now=NAIVE),
        **_journal_calls(tmp_path),
        **_takedown_calls(tmp_path),
        **_web_calls(ws),
        **_review_calls(ws),
    }  # fmt: skip


def test_every_public_function_taking_a_time_is_checked_here(
    ws: Workspace, tmp_path: Path
) -> None:
    assert set(public_functions_taking_a_time()) == set(calls(ws, tmp_path))


@pytest.mark.parametrize("name", sorted(public_functions_taking_a_time()))
def test_a_naive_datetime_is_a_validation_error(
    name: str, ws: Workspace, tmp_path: Path
) -> None:
    call = calls(ws, tmp_path)[name]
    with pytest.raises(ValidationError, match="time zone"):
        call()


def test_a_naive_import_time_points_to_the_projects_clock(ws: Workspace) -> None:
    """The message names the one clock to read "now" from, not the machine's."""
    with pytest.raises(ValidationError, match=r"pass terrain\.clock\.now\(\)"):
        import_media(ws, [], now=NAIVE)
