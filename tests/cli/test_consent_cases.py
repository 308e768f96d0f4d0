"""Issue 15, case by case, from the shell: what reaches the outbox decides.

Each test tries one way a photo could go online that should stay home (or
come down that the person never asked to remove), as a data-protection
officer would, with ``terrain`` commands only, and then looks at the
outbox: one JSON file per post, exactly what would have been sent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from terrain.consent import Evidence
from terrain.store import Workspace

from .conftest import Run, as_json, ok, snapshot
from .test_content_and_consent import phone_photo

EVENT = "ev-12"
MEETUP = "2026-03-12 19:00"
EVENING = "2026-03-12T23:00:00+01:00"  # when the recap goes out
WITNESS = ("--witness", "Camille (organiser)")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``clock("2026-03-12T23:00:00+01:00")`` sets terrain's "now" for the commands after."""

    def set_now(instant: str) -> None:
        monkeypatch.setenv("TERRAIN_NOW", instant)

    set_now("2026-03-12T19:30:00+01:00")
    return set_now


@pytest.fixture
def field(workspace: Path, run: Run, clock: Any) -> Path:
    """A meetup (and a second one), a family with two guardians, and Léa."""
    for args in (
        ("member", "add", "lea", "--name", "Léa Martin", "--handle", "outbox=lea_m"),
        ("member", "add", "samir", "--name", "Samir Haddad", "--handle", "outbox=samirh"),
        ("member", "add", "sophie", "--name", "Sophie Roux"),
        ("member", "add", "marc", "--name", "Marc Roux"),
        ("member", "add", "tom", "--name", "Tom Roux", "--minor", "--guardian", "sophie",
         "--guardian", "marc"),
        ("event", "add", EVENT, "--title", "Vélo & ville #12", "--starts", MEETUP,
         "--ends", "2026-03-12 22:00"),
        ("event", "add", "ev-13", "--title", "Vélo & ville #13", "--starts", "2026-04-09 19:00",
         "--ends", "2026-04-09 22:00"),
    ):
        ok(run, workspace, *args)
    return workspace


def photo_of(run: Run, ws: Path, tmp_path: Path, *people: str, event: str = EVENT,
             caption: str = "Au comptoir après les talks.", seed: int = 0) -> str:
    """Import a photo of ``event`` showing ``people`` (reviewed, described); its id."""
    path = phone_photo(tmp_path / f"photo-{event}-{seed}.jpg", seed=seed)
    imported = as_json(run("content", "import", str(path), "--event", event, "--json",
                           workspace=ws))
    content_id = imported["outcomes"][0]["content_id"]
    adds = [a for p in people for a in ("--add", p)]
    ok(run, ws, "content", "people", content_id, *adds, "--reviewed", "--by", "camille")
    ok(run, ws, "content", "describe", content_id, "--alt", "People at a bar.",
       "--caption", caption)
    return content_id


def outbox(ws: Path) -> list[dict[str, Any]]:
    """Every post the outbox received, as sent."""
    folder = ws / "outbox" / "outbox"
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def sent_photos(ws: Path) -> set[str]:
    """The content ids of the photos that reached the outbox."""
    return {cid for post in outbox(ws) for cid in post["content_ids"]}


def publish(run: Run, ws: Path) -> Any:
    result = run("publish", EVENT, "--to", "outbox", "--json", workspace=ws)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def held(result: Any) -> str:
    """The reasons of every post a publish held back."""
    return " ".join(o["message"] for o in result["outcomes"] if o["state"] == "held")


def grant(run: Run, ws: Path, member: str, *args: str) -> str:
    return ok(run, ws, "consent", "grant", member, "--purpose", "publish", *WITNESS, *args)


def refuse(run: Run, ws: Path, member: str, *args: str) -> str:
    return ok(run, ws, "consent", "refuse", member, "--purpose", "publish", *WITNESS, *args)


# -- 1. Minors ------------------------------------------------------------------------


def test_1_a_guardians_refusal_wins_over_the_other_guardians_later_grant(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    tom = photo_of(run, field, tmp_path, "tom")
    refuse(run, field, "tom", "--given-by", "marc", "--at", "2026-03-12 19:10")
    grant(run, field, "tom", "--given-by", "sophie", "--child-assent", "yes",
          "--at", "2026-03-12 19:20")
    clock(EVENING)

    result = publish(run, field)

    assert tom not in sent_photos(field)
    assert "refused by Marc Roux" in held(result)


def test_1_b_the_childs_own_no_wins_over_a_guardians_later_grant(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    tom = photo_of(run, field, tmp_path, "tom")
    refuse(run, field, "tom", "--at", "2026-03-12 19:10")  # Tom says no himself
    grant(run, field, "tom", "--given-by", "sophie", "--given-by", "marc",
          "--at", "2026-03-12 19:20")
    clock(EVENING)

    publish(run, field)

    assert tom not in sent_photos(field)


def test_1_c_every_guardian_and_the_childs_assent_let_the_photo_out(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    tom = photo_of(run, field, tmp_path, "tom")
    recorded = grant(run, field, "tom", "--given-by", "sophie", "--child-assent", "yes")
    assert "pending guardian: waiting for Marc Roux (guardian)" in recorded
    clock(EVENING)
    publish(run, field)
    assert tom not in sent_photos(field)  # one guardian of two: pending

    clock("2026-03-12T23:30:00+01:00")
    grant(run, field, "tom", "--given-by", "marc")
    listed = ok(run, field, "consent", "list", "tom")
    assert "given" in listed
    publish(run, field)

    assert tom in sent_photos(field)


def test_1_d_without_the_childs_assent_nothing_goes_out(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    tom = photo_of(run, field, tmp_path, "tom")
    recorded = grant(run, field, "tom", "--given-by", "sophie", "--given-by", "marc")
    assert "pending assent" in recorded
    clock(EVENING)

    publish(run, field)

    assert tom not in sent_photos(field)
    assert "pending assent" in ok(run, field, "consent", "list", "tom")


def test_1_e_with_guardians_any_one_guardian_and_the_child_are_enough(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    config = field / "terrain.toml"
    config.write_text(config.read_text() + '\n[consent]\nguardians = "any"\n')
    tom = photo_of(run, field, tmp_path, "tom")
    grant(run, field, "tom", "--given-by", "sophie", "--child-assent", "yes")
    clock(EVENING)

    publish(run, field)

    assert tom in sent_photos(field)


def test_1_f_the_childs_own_yes_first_waits_for_both_guardians(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    """At the door Tom says yes himself (his assent, no guardian yet); his parents sign
    later, one at a time: nothing goes out until both have."""
    tom = photo_of(run, field, tmp_path, "tom")
    recorded = grant(run, field, "tom", "--child-assent", "yes")
    assert "pending guardian: waiting for Sophie Roux and Marc Roux (guardian)" in recorded
    grant(run, field, "tom", "--given-by", "sophie")
    clock(EVENING)
    publish(run, field)
    assert tom not in sent_photos(field)
    assert "waiting for Marc Roux" in ok(run, field, "consent", "list", "tom")

    clock("2026-03-12T23:30:00+01:00")
    grant(run, field, "tom", "--given-by", "marc")
    publish(run, field)

    assert tom in sent_photos(field)


# -- 2. Late paperwork ------------------------------------------------------------------


def test_2_a_paper_form_dated_before_a_withdrawal_and_keyed_after_it_counts_for_nothing(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    lea = photo_of(run, field, tmp_path, "lea")
    grant(run, field, "lea", "--at", "2026-03-12 19:05")
    clock("2026-03-12T20:00:00+01:00")
    ok(run, field, "consent", "withdraw", "lea")
    clock("2026-03-12T21:00:00+01:00")
    grant(run, field, "lea", "--at", "2026-03-12 19:40")  # the form found in a drawer
    clock(EVENING)

    result = publish(run, field)

    assert lea not in sent_photos(field)
    assert "Léa Martin: consent withdrawn on 2026-03-12" in held(result)


# -- 3. Future-dated consent ----------------------------------------------------------------


def test_3_a_future_at_is_refused_and_a_scheduled_consent_ends_with_a_withdrawal(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    lea = photo_of(run, field, tmp_path, "lea")
    before = snapshot(field)
    future = run("consent", "grant", "lea", "--purpose", "publish", *WITNESS,
                 "--at", "2026-03-13 19:00", workspace=field)
    assert future.exit_code == 2
    assert "is in the future" in future.stderr
    assert "--from" in future.stderr  # what to do instead
    assert "Traceback" not in future.output
    assert snapshot(field) == before

    scheduled = grant(run, field, "lea", "--from", "2026-03-13 19:00")
    assert "scheduled: in force from 2026-03-13" in scheduled
    withdrawn = ok(run, field, "consent", "withdraw", "lea")
    assert "Withdrew c-1" in withdrawn  # "withdraw everything" reaches it
    clock("2026-03-14T10:00:00+01:00")

    publish(run, field)

    assert lea not in sent_photos(field)
    assert "withdrawn" in ok(run, field, "consent", "list", "lea")


# -- 4. Platform names ---------------------------------------------------------------------


def test_4_a_refusal_for_a_platform_in_the_wrong_case_still_holds_there(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    lea = photo_of(run, field, tmp_path, "lea")
    grant(run, field, "lea", "--at", "2026-03-12 19:05")
    refuse(run, field, "lea", "--platform", "Outbox", "--at", "2026-03-12 19:10")
    clock(EVENING)

    publish(run, field)

    assert lea not in sent_photos(field)
    listed = as_json(run("consent", "list", "lea", "--json", workspace=field))
    assert listed[1]["platforms"] == ["outbox"]


def test_4_a_misspelled_platform_is_refused_with_the_known_ones(
    field: Path, run: Run
) -> None:
    before = snapshot(field)
    result = run("consent", "refuse", "lea", "--purpose", "publish", *WITNESS,
                 "--platform", "outbx", workspace=field)
    assert result.exit_code == 2
    assert "unknown platform 'outbx'" in result.stderr
    assert "outbox" in result.stderr
    assert "instagram" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(field) == before


def test_4_consent_check_reports_stored_records_naming_unknown_platforms(
    field: Path, run: Run
) -> None:
    assert ok(run, field, "consent", "check").startswith("Every consent names platforms")
    with Workspace.open(field) as ws:  # a record stored before names were checked
        ledger = ws.ledger()
        assert ledger.known_platforms is None  # the API does not check names unless asked
        ledger.refuse("lea", purposes=["publish"], platforms=["instagarm"], at=_at(),
                      evidence=_verbal())
        ws.save_ledger(ledger)

    result = run("consent", "check", workspace=field)

    assert result.exit_code == 1
    assert "refusal c-1 names the platform 'instagarm'" in result.stdout
    assert "terrain consent refuse lea --platform NAME" in result.stdout


def _at() -> Any:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime(2026, 3, 12, 19, 10, tzinfo=ZoneInfo("Europe/Paris"))


def _verbal() -> Evidence:
    return Evidence(kind="verbal", witness="Camille")


# -- 5. Ties ---------------------------------------------------------------------------------


def test_5_a_refusal_and_a_grant_at_the_same_instant_the_refusal_wins(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    lea = photo_of(run, field, tmp_path, "lea")
    refuse(run, field, "lea", "--at", "2026-03-12 19:10")
    grant(run, field, "lea", "--at", "2026-03-12 19:10")  # keyed after, same instant
    clock(EVENING)

    publish(run, field)

    assert lea not in sent_photos(field)


# -- 6. Typed mentions ----------------------------------------------------------------------


def test_6_a_typed_handle_of_someone_who_refused_tagging_never_reaches_the_platform(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    photo = photo_of(run, field, tmp_path, "samir")
    grant(run, field, "samir")
    grant(run, field, "lea")  # publish only: not "tag"
    clock(EVENING)
    words = tmp_path / "recap.txt"
    words.write_text("Merci @lea_m pour le talk !", encoding="utf-8")

    ok(run, field, "publish", EVENT, "--to", "outbox", "--text-file", str(words))

    (post,) = [p for p in outbox(field) if photo in p["content_ids"]]
    assert "@lea_m" not in post["text_with_mentions"]
    assert post["text"] == "Merci pour le talk !"
    log = ok(run, field, "log")
    assert "@lea_m (Léa Martin): removed from the text, no consent to 'tag'" in log


# -- 7. Partial withdrawal -----------------------------------------------------------------


def test_7_withdrawing_tag_leaves_the_photos_online_and_untagged_next_time(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    first = photo_of(run, field, tmp_path, "lea", seed=1)
    ok(run, field, "consent", "grant", "lea", "--purpose", "publish", "--purpose", "tag",
       *WITNESS)
    clock(EVENING)
    publish(run, field)
    assert first in sent_photos(field)

    clock("2026-03-20T10:00:00+01:00")
    withdrawn = ok(run, field, "consent", "withdraw", "lea", "--purpose", "tag")
    assert "Withdrew tag on every platform, for all content from c-1" in withdrawn
    assert "partly withdrawn" in withdrawn  # publish stays in force
    takedown = run("takedown", "--subject", "lea", "--purpose", "tag", workspace=field)
    assert takedown.exit_code == 0, takedown.output
    assert first not in sent_photos(field)  # that post tagged her: it comes down

    second = photo_of(run, field, tmp_path, "lea", event="ev-13", seed=2)
    clock("2026-04-10T10:00:00+02:00")
    ok(run, field, "publish", "ev-13", "--to", "outbox")
    (post,) = [p for p in outbox(field) if second in p["content_ids"]]
    assert post["mentions"] == []  # shown, not tagged


def test_7_a_takedown_for_one_event_leaves_the_other_events_photos_online(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    march = photo_of(run, field, tmp_path, "lea", seed=1)
    april = photo_of(run, field, tmp_path, "lea", event="ev-13", seed=2)
    grant(run, field, "lea")
    clock("2026-04-10T10:00:00+02:00")
    publish(run, field)
    ok(run, field, "publish", "ev-13", "--to", "outbox")
    assert {march, april} <= sent_photos(field)

    clock("2026-04-20T10:00:00+02:00")
    result = run("takedown", "--subject", "lea", "--event", EVENT, workspace=field)

    assert result.exit_code == 0, result.output
    assert march not in sent_photos(field)
    assert april in sent_photos(field)
    assert "Stays online:" in result.stdout
    assert "the withdrawal covers event ev-12 only" in result.stdout
    listed = ok(run, field, "consent", "list", "lea")
    assert "partly withdrawn" in listed
    assert "given" not in listed.replace("partly withdrawn", "")


# -- 8. Stale review -------------------------------------------------------------------------


def test_8_adding_a_person_to_a_reviewed_photo_resets_its_review(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    photo = photo_of(run, field, tmp_path, "lea")
    grant(run, field, "lea")
    grant(run, field, "samir")
    changed = ok(run, field, "content", "people", photo, "--add", "samir")
    assert "NOT reviewed" in changed
    clock(EVENING)

    result = publish(run, field)

    assert photo not in sent_photos(field)
    assert "people not reviewed yet" in held(result)
    content = as_json(run("content", "list", "--json", workspace=field))[0]
    assert [r["by"] for r in content["reviews"]] == ["camille"]  # who reviewed, and when
    assert content["reviews"][0]["people"] == [["lea", content["media"][0]["id"]]]


# -- 9. consent list at an instant ----------------------------------------------------------


def test_9_consent_list_shows_an_expired_consent_as_expired(
    field: Path, run: Run, clock: Any
) -> None:
    grant(run, field, "lea", "--until", "2026-03-15 00:00")
    refuse(run, field, "samir")
    clock("2026-03-20T10:00:00+01:00")

    now = ok(run, field, "consent", "list")
    then = ok(run, field, "consent", "list", "--at", "2026-03-13 12:00")

    assert "lea              expired" in now
    assert "lea              given" in then
    assert "samir            refused" in now
    data = as_json(run("consent", "list", "lea", "--json", workspace=field))
    assert data[0]["state"] == "expired"


# -- 10. The log says why someone was not tagged ----------------------------------------------


def test_10_the_log_explains_a_dropped_mention(
    field: Path, run: Run, tmp_path: Path, clock: Any
) -> None:
    photo = photo_of(run, field, tmp_path, "lea")
    grant(run, field, "lea")  # shown, not tagged
    clock(EVENING)

    publish(run, field)

    (post,) = [p for p in outbox(field) if photo in p["content_ids"]]
    assert post["mentions"] == []
    log = ok(run, field, "log")
    assert "- not tagged: @lea_m (Léa Martin): mention dropped, no consent to 'tag'" in log
    assert "not tagged (no tag consent): lea_m" in log


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lea", "--platform", "Instagarm"], "unknown platform 'Instagarm'"),
        (["lea", "--at", "2027-01-01 10:00"], "is in the future"),
        (["tom", "--given-by", "lea", "--child-assent", "yes"], "guardians on record"),
        (["tom", "--given-by", "tom"], "consent is given by their guardians"),
    ],
)
def test_bad_consent_input_exits_2_says_what_to_do_and_leaves_the_ledger_unchanged(
    field: Path, run: Run, args: list[str], message: str
) -> None:
    before = snapshot(field)
    with Workspace.open(field) as ws:
        events = ws.consent_events()

    result = run("consent", "grant", *args, "--purpose", "publish", *WITNESS, workspace=field)

    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    for python in ("given_by=[", "subject_assent=True", "put()"):
        assert python not in result.stderr
    assert snapshot(field) == before
    with Workspace.open(field) as ws:
        assert ws.consent_events() == events


def test_a_withdrawal_in_the_future_or_for_an_unknown_platform_exits_2(
    field: Path, run: Run
) -> None:
    before = snapshot(field)
    for args in (["--at", "2027-01-01 10:00"], ["--platform", "myspace"]):
        result = run("consent", "withdraw", "lea", *args, workspace=field)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
    assert snapshot(field) == before
