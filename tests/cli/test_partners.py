"""Partners from the shell: the pipeline, the in-kind ledger, the budget, the report."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run, as_json, ok, snapshot


@pytest.fixture
def cave(workspace: Path, run: Run) -> Path:
    ok(
        run,
        workspace,
        "partner",
        "add",
        "cave",
        "--name",
        "La Cave du Coin",
        "--kind",
        "local-shop",
        "--brings",
        "drinks",
        "--on",
        "2026-01-10",
    )
    for month in (2, 3, 4):
        ok(
            run,
            workspace,
            "event",
            "add",
            f"apero-{month}",
            "--title",
            f"Apéro {month}",
            "--starts",
            f"2026-0{month}-05 19:00",
            "--ends",
            f"2026-0{month}-05 22:00",
        )
    return workspace


def test_a_shop_supplying_drinks_three_months_in_a_row(cave: Path, run: Run) -> None:
    ok(run, cave, "partner", "move", "cave", "contacted", "--on", "2026-01-12")
    ok(run, cave, "partner", "move", "cave", "proposed", "--on", "2026-01-20")
    out = ok(
        run,
        cave,
        "partner",
        "move",
        "cave",
        "active",
        "--on",
        "2026-02-01",
        "--note",
        "drinks for every apéro",
    )
    assert "proposed → active on 2026-02-01" in out
    for month in (2, 3, 4):
        ok(
            run,
            cave,
            "partner",
            "contribute",
            "cave",
            f"apero-{month}",
            "--kind",
            "drinks",
            "--value",
            "45.50",
            "--description",
            "deux caisses de bière locale",
        )
        for n in range(3):
            member = f"m{month}{n}"
            ok(run, cave, "member", "add", member, "--name", member)
            ok(run, cave, "rsvp", f"apero-{month}", member, "going")
        ok(run, cave, "checkin", f"apero-{month}", f"m{month}0", f"m{month}1")
    report = as_json(run("partner", "report", "cave", "--json", workspace=cave))
    assert report["months_in_a_row"] == 3
    assert report["people_reached"] == 6
    assert report["value"] == {"cents": 13650, "currency": "EUR"}
    out = ok(run, cave, "partner", "report", "cave")
    assert out.startswith("La Cave du Coin supported 3 meetups (3 months in a row at best)")


def test_the_budget_adds_partners_and_own_budget_against_the_forecast(cave: Path, run: Run) -> None:
    ok(run, cave, "partner", "contribute", "cave", "apero-2", "--kind", "drinks", "--value", "40")
    ok(run, cave, "partner", "contribute", "cave", "apero-2", "--kind", "venue", "--value", "200")
    data = as_json(
        run(
            "partner",
            "budget",
            "apero-2",
            "--per-person",
            "3.50",
            "--own",
            "20",
            "--people",
            "20",
            "--json",
            workspace=cave,
        )
    )
    assert data["budget"]["needed"]["cents"] == 7000
    assert data["budget"]["from_partners"]["cents"] == 4000
    assert data["shortfall"]["cents"] == 1000
    out = ok(
        run,
        cave,
        "partner",
        "budget",
        "apero-2",
        "--per-person",
        "3.50",
        "--own",
        "20",
        "--people",
        "20",
    )
    assert "short of 10.00 EUR" in out


def test_ending_a_prospect_without_a_reason_is_refused_and_nothing_is_stored(
    cave: Path, run: Run
) -> None:
    before = snapshot(cave)
    result = run("partner", "move", "cave", "ended", workspace=cave)
    assert result.exit_code == 2
    assert "say why" in result.stderr
    assert snapshot(cave) == before
    out = ok(run, cave, "partner", "move", "cave", "ended", "--reason", "no budget this year")
    assert "prospect → ended" in out


def test_skipping_a_stage_is_refused(cave: Path, run: Run) -> None:
    result = run("partner", "move", "cave", "active", workspace=cave)
    assert result.exit_code == 2
    assert "from 'prospect' it can go to contacted, ended" in result.stderr


def test_a_contribution_to_an_unknown_event_is_refused(cave: Path, run: Run) -> None:
    before = snapshot(cave)
    result = run(
        "partner",
        "contribute",
        "cave",
        "apero-9",
        "--kind",
        "drinks",
        "--value",
        "10",
        workspace=cave,
    )
    assert result.exit_code == 2
    assert "apero-9" in result.stderr
    assert snapshot(cave) == before


def test_a_bad_amount_says_how_to_write_it(cave: Path, run: Run) -> None:
    result = run(
        "partner",
        "contribute",
        "cave",
        "apero-2",
        "--kind",
        "drinks",
        "--value",
        "quarante",
        workspace=cave,
    )
    assert result.exit_code == 2
    assert "write 40, 40.50" in result.stderr


#: Before the March meetup (2026-03-05), and after it.
BEFORE = {"TERRAIN_NOW": "2026-03-01T10:00:00+01:00"}
AFTER = {"TERRAIN_NOW": "2026-03-10T10:00:00+01:00"}


def test_the_budget_counts_the_forecast_when_no_head_count_is_given(cave: Path, run: Run) -> None:
    for member in ("lea", "karim", "ines"):
        ok(run, cave, "member", "add", member, "--name", member.title())
        assert run("rsvp", "apero-3", member, "going", workspace=cave, env=BEFORE).exit_code == 0
    budget = ("partner", "budget", "apero-3", "--per-person", "0", "--json")
    data = as_json(run(*budget, workspace=cave, env=BEFORE))
    assert data["budget"]["people"] == 3
    assert data["budget"]["people_from"] == "forecast"
    assert data["shortfall"]["cents"] == 0


def test_an_ended_partnership_can_start_again_as_a_new_prospect(cave: Path, run: Run) -> None:
    ok(
        run,
        cave,
        "partner",
        "move",
        "cave",
        "ended",
        "--reason",
        "shop closed for works",
        "--on",
        "2026-02-01",
    )
    out = ok(
        run, cave, "partner", "move", "cave", "prospect", "--on", "2026-09-01", "--note", "reopened"
    )
    assert "ended → prospect on 2026-09-01" in out
    listed = as_json(run("partner", "list", "--json", workspace=cave))
    stages = [s["history"][-1]["status"] for s in listed[0]["partnerships"]]
    assert stages == ["ended", "prospect"]
    ok(run, cave, "partner", "move", "cave", "contacted", "--on", "2026-09-02")


def test_every_recap_naming_the_partner_counts_as_a_thank_you(cave: Path, run: Run) -> None:
    """Recaps name the partners, but the report counted only @mentions, and `partner add`
    had no --handle: "0 published posts thanked them", always."""
    ok(run, cave, "partner", "add", "fournil", "--name", "Le Fournil", "--handle", "x=lefournil",
       "--handle", "instagram=@le.fournil", "--on", "2026-01-10")  # fmt: skip
    listed = as_json(run("partner", "list", "--json", workspace=cave))
    (fournil,) = [p["partner"] for p in listed if p["partner"]["id"] == "fournil"]
    assert fournil["handles"] == {"instagram": "le.fournil", "x": "lefournil"}
    for step, day in (("contacted", "01-12"), ("proposed", "01-20"), ("active", "02-01")):
        ok(run, cave, "partner", "move", "cave", step, "--on", f"2026-{day}")
    ok(run, cave, "partner", "contribute", "cave", "apero-2", "--kind", "drinks", "--value", "40")
    out = ok(run, cave, "publish", "apero-2", "--to", "outbox")
    assert "Published (1)" in out
    report = as_json(run("partner", "report", "cave", "--json", workspace=cave))
    assert len(report["posts"]) == 1
    out = ok(run, cave, "partner", "report", "cave")
    assert out.startswith(
        "La Cave du Coin supported 1 meetup (1 month in a row at best), about 40.00 EUR in "
        "kind, 0 people came, 1 published post thanked them."
    )
    assert "thanked on outbox: file://" in out
    result = run("partner", "add", "x", "--name", "X", "--handle", "lefournil", workspace=cave)
    assert result.exit_code == 2
    assert "is not PLATFORM=HANDLE" in result.stderr
