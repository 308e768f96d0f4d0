"""Workshops and community links from the shell: ideas, votes, ranking, core, intros."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run, as_json, ok, snapshot


@pytest.fixture
def parc(workspace: Path, run: Run) -> Path:
    for member, tag in (("lea", "vélo"), ("karim", "compost"), ("ines", "vélo"), ("tom", "")):
        ok(
            run,
            workspace,
            "member",
            "add",
            member,
            "--name",
            member.title(),
            *(("--tag", tag) if tag else ()),
        )
    ok(
        run,
        workspace,
        "workshop",
        "add",
        "parc",
        "--title",
        "Le parc de demain",
        "--brief",
        "Que faire du parc Sergent Blandan ?",
        "--starts",
        "2026-04-18 14:00",
        "--participant",
        "lea",
        "--participant",
        "karim",
        "--participant",
        "ines",
    )
    ok(
        run,
        workspace,
        "workshop",
        "idea",
        "parc",
        "bancs",
        "--author",
        "lea",
        "--text",
        "Des bancs à l'ombre",
    )
    ok(
        run,
        workspace,
        "workshop",
        "idea",
        "parc",
        "potager",
        "--author",
        "karim",
        "--text",
        "Un potager partagé",
    )
    ok(
        run,
        workspace,
        "workshop",
        "idea",
        "parc",
        "abri",
        "--author",
        "ines",
        "--text",
        "Un abri vélo",
    )
    ok(
        run,
        workspace,
        "workshop",
        "add",
        "rue",
        "--title",
        "La rue",
        "--brief",
        "Et la rue ?",
        "--starts",
        "2026-05-02 14:00",
        "--participant",
        "lea",
    )
    ok(
        run,
        workspace,
        "workshop",
        "idea",
        "rue",
        "pietonne",
        "--author",
        "lea",
        "--text",
        "Rue piétonne le samedi",
    )
    return workspace


def test_a_workshop_vote_ranks_the_ideas_and_writes_the_outcome(parc: Path, run: Run) -> None:
    ok(run, parc, "workshop", "vote", "parc", "lea", "potager", "abri")
    ok(run, parc, "workshop", "vote", "parc", "karim", "potager")
    ok(run, parc, "workshop", "vote", "parc", "ines", "potager", "abri", "bancs")
    data = as_json(run("workshop", "results", "parc", "--json", workspace=parc))
    assert [(s["idea"]["id"], s["points"], s["rank"]) for s in data["ranking"]] == [
        ("potager", 3, 1),
        ("abri", 2, 2),
        ("bancs", 1, 3),
    ]
    out = ok(run, parc, "workshop", "results", "parc", "--conclude", "--top", "2")
    assert "1. Un potager partagé (3 points, 3 voters)" in out
    assert "Des bancs" not in out.split("Selected ideas:")[1]


def test_a_vote_for_an_idea_of_another_workshop_is_refused_and_nothing_is_stored(
    parc: Path, run: Run
) -> None:
    before = snapshot(parc)
    result = run("workshop", "vote", "parc", "lea", "bancs", "pietonne", workspace=parc)
    assert result.exit_code == 2
    assert "idea 'pietonne' is not an idea of workshop 'parc'" in result.stderr
    assert "(it is an idea of workshop 'rue')" in result.stderr
    assert snapshot(parc) == before  # the valid vote for 'bancs' was not kept either


def test_voting_twice_for_an_idea_is_refused(parc: Path, run: Run) -> None:
    ok(run, parc, "workshop", "vote", "parc", "lea", "bancs")
    result = run("workshop", "vote", "parc", "lea", "bancs", workspace=parc)
    assert result.exit_code == 2
    assert "already" in result.stderr


def test_an_idea_by_someone_who_was_not_there_is_refused(parc: Path, run: Run) -> None:
    result = run(
        "workshop",
        "idea",
        "parc",
        "kiosque",
        "--author",
        "tom",
        "--text",
        "Un kiosque",
        workspace=parc,
    )
    assert result.exit_code == 2
    assert "not a participant" in result.stderr


def _meetups(parc: Path, run: Run) -> None:
    for n in range(1, 4):
        ok(
            run,
            parc,
            "event",
            "add",
            f"apero-{n}",
            "--title",
            f"Apéro {n}",
            "--starts",
            f"2026-0{n}-05 19:00",
            "--ends",
            f"2026-0{n}-05 22:00",
        )
        said = ("--at", f"2026-0{n}-01 10:00")
        came = ("--at", f"2026-0{n}-05 19:30")  # the time each came, whatever today is
        for member in ("lea", "karim", "tom"):
            ok(run, parc, "rsvp", f"apero-{n}", member, "going", *said)
        ok(run, parc, "checkin", f"apero-{n}", "lea", "karim", *came)
        if n < 3:
            ok(run, parc, "checkin", f"apero-{n}", "tom", *came)


def test_the_core_and_introductions_come_from_check_ins(parc: Path, run: Run) -> None:
    _meetups(parc, run)
    core = as_json(run("community", "core", "-k", "3", "-n", "3", "--json", workspace=parc))
    assert core["core"] == {"karim": 3, "lea": 3}
    intros = as_json(run("community", "intros", "--json", workspace=parc))
    assert [(i["a"], i["b"]) for i in intros] == [("ines", "lea")]
    assert ok(run, parc, "community", "intros").strip() == "introduce ines and lea: both into vélo"


def test_engagement_is_explained_and_weights_can_change(parc: Path, run: Run) -> None:
    _meetups(parc, run)
    ok(run, parc, "workshop", "vote", "parc", "karim", "potager")
    out = ok(run, parc, "community", "engagement", "--explain")
    assert "karim: 14.5 = 3 rsvp × 1 + 3 check-in × 3 + 1 idea × 2 + 1 vote × 0.5" in out
    data = as_json(run("community", "engagement", "--check-in", "5", "--json", workspace=parc))
    assert data["scores"][0]["member_id"] == "lea"  # two ideas, in two workshops
    assert data["scores"][1] == {
        "member_id": "karim",
        "score": 20.5,
        "explain": "karim: 20.5 = 3 rsvp × 1 + 3 check-in × 5 + 1 idea × 2 + 1 vote × 0.5",
    }


def test_weights_where_an_rsvp_beats_a_check_in_are_refused(parc: Path, run: Run) -> None:
    result = run("community", "engagement", "--check-in", "0.5", workspace=parc)
    assert result.exit_code == 2
    assert "a check-in must weigh more than an RSVP" in result.stderr


def test_dot_voting_spreads_each_members_dots_and_refuses_one_too_many(
    workspace: Path, run: Run
) -> None:
    for member in ("lea", "karim"):
        ok(run, workspace, "member", "add", member, "--name", member.title())
    ok(
        run,
        workspace,
        "workshop",
        "add",
        "quai",
        "--title",
        "Les quais",
        "--brief",
        "Et les quais ?",
        "--starts",
        "2026-06-06 14:00",
        "--participant",
        "lea",
        "--participant",
        "karim",
        "--dots",
        "3",
    )
    ok(run, workspace, "workshop", "idea", "quai", "bancs", "--author", "lea", "--text", "Bancs")
    ok(
        run,
        workspace,
        "workshop",
        "idea",
        "quai",
        "arbres",
        "--author",
        "karim",
        "--text",
        "Arbres",
    )
    ok(run, workspace, "workshop", "vote", "quai", "lea", "arbres", "--dots", "2")
    out = ok(run, workspace, "workshop", "vote", "quai", "lea", "arbres")
    assert out.strip() == "lea voted for arbres (3 dots)."
    before = snapshot(workspace)
    result = run("workshop", "vote", "quai", "lea", "bancs", workspace=workspace)
    assert result.exit_code == 2
    assert "has used 3 of 3 dots" in result.stderr
    assert snapshot(workspace) == before
    ok(run, workspace, "workshop", "vote", "quai", "karim", "bancs", "arbres")
    data = as_json(run("workshop", "results", "quai", "--json", workspace=workspace))
    assert [(s["idea"]["id"], s["points"], s["voters"]) for s in data["ranking"]] == [
        ("arbres", 4, 2),
        ("bancs", 1, 1),
    ]
    ok(run, workspace, "workshop", "unvote", "quai", "lea", "arbres", "--dots", "1")
    out = ok(run, workspace, "workshop", "vote", "quai", "lea", "bancs")
    assert out.strip() == "lea voted for bancs."
    out = ok(run, workspace, "workshop", "unvote", "quai", "karim", "bancs")
    assert out.strip() == "karim took back their vote for bancs (nothing left)."
    data = as_json(run("workshop", "results", "quai", "--json", workspace=workspace))
    assert [(s["idea"]["id"], s["points"]) for s in data["ranking"]] == [
        ("arbres", 3),
        ("bancs", 1),
    ]
    before = snapshot(workspace)
    result = run("workshop", "unvote", "quai", "karim", "bancs", workspace=workspace)
    assert result.exit_code == 2
    assert "nothing to take back" in result.stderr
    assert snapshot(workspace) == before


def test_the_core_counts_the_meetups_that_took_place_and_names_its_members(
    parc: Path, run: Run
) -> None:
    """Dates still ahead, a cancelled date and a test event counted as "the last n events",
    so the season's regulars made a core of 0."""
    _meetups(parc, run)
    ok(run, parc, "event", "add", "apero-6", "--title", "Apéro 6", "--starts",
       "2027-06-05 19:00", "--ends", "2027-06-05 22:00")  # fmt: skip
    ok(run, parc, "event", "add", "test", "--title", "test", "--starts",
       "2026-03-20 19:00", "--ends", "2026-03-20 20:00")  # fmt: skip
    ok(run, parc, "event", "add", "apero-4", "--title", "Apéro 4", "--starts",
       "2026-04-05 19:00", "--ends", "2026-04-05 22:00")  # fmt: skip
    ok(run, parc, "event", "cancel", "apero-4", "--reason", "pluie")
    env = {"TERRAIN_NOW": "2026-05-01T10:00:00+02:00"}
    core = as_json(
        run("community", "core", "-k", "3", "-n", "3", "--json", workspace=parc, env=env)
    )
    assert core["core"] == {"karim": 3, "lea": 3}
    assert core["events"] == ["apero-1", "apero-2", "apero-3"]
    result = run("community", "core", "-k", "2", "-n", "6", workspace=parc, env=env)
    assert result.stdout.splitlines() == [
        "Core: 3 members came to at least 2 of the last 6 meetups (only 3 took place): below "
        "the 50–80 target of a field community (47 to go).",
        "  Karim (karim)                    3 of 3",
        "  Lea (lea)                        3 of 3",
        "  Tom (tom)                        2 of 3",
    ]
    result = run("community", "core", "-k", "4", "-n", "3", workspace=parc)
    assert result.exit_code == 2
    assert "-k 4 is more than -n 3" in result.stderr
