"""A dry run says what a real run would: a taken-down post is "taken down", not "published"."""

from __future__ import annotations

from pathlib import Path

from click.testing import Result

from .conftest import Run, as_json
from .test_content_and_consent import phone_photo


def _outcomes(result: Result) -> dict[str, dict[str, str]]:
    data = as_json(result)
    return {o["post_id"]: o for o in data["outcomes"]}


def test_a_dry_run_after_a_takedown_says_taken_down_like_the_real_run(
    workspace: Path, run: Run, tmp_path: Path
) -> None:
    """Léa's photo went out, she withdrew, it was taken down: both runs now say so."""
    photo = phone_photo(tmp_path / "talk.jpg")
    for args in (
        ("member", "add", "lea", "--name", "Léa Martin"),
        (
            "event",
            "add",
            "ev-12",
            "--title",
            "Vélo & ville #12",
            "--starts",
            "2026-03-12 19:00",
            "--ends",
            "2026-03-12 22:00",
        ),
        ("content", "import", str(photo), "--event", "ev-12"),
        ("content", "people", str(photo), "--add", "lea", "--reviewed"),
        ("content", "describe", str(photo), "--alt", "Léa at the talk.", "--caption", "Le talk."),
        ("consent", "grant", "lea", "--purpose", "publish", "--witness", "Karim"),
        ("publish", "ev-12", "--to", "outbox"),
        ("consent", "withdraw", "lea"),
        ("takedown", "--subject", "lea"),
    ):
        result = run(*args, workspace=workspace)
        assert result.exit_code == 0, (args, result.output)

    publish = ("publish", "ev-12", "--to", "outbox", "--json")
    dry = _outcomes(run(*publish, "--dry-run", workspace=workspace))
    real = _outcomes(run(*publish, workspace=workspace))
    # the recap was one album with her photo: it came down whole
    (album,) = real
    assert real[album]["about"] == "event summary (album)"
    assert real[album]["message"].startswith("taken down from outbox on ")
    assert dry[album]["message"] == real[album]["message"]
    assert dry[album]["state"] == real[album]["state"]
    human = run("publish", "ev-12", "--to", "outbox", "--dry-run", workspace=workspace)
    assert "taken down from outbox on " in human.stdout
