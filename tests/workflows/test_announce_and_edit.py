"""Before the meetup and in the manager's own words: announcements, reminders, edits.

A recap is refused before the meetup has ended; an announcement or a
reminder once it has started. The manager's own text goes through the same
checks as the composer's, counted as the platform counts: over the limit it
is refused with how many characters to cut, and nothing is planned.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.errors import ComposeError, ValidationError
from terrain.posts import Capabilities, Mention, Post, text_length
from terrain.publishing import edit_text
from terrain.store import Workspace
from terrain.workflows import edit_post, publish_event, queue_of
from terrain.workflows._publish import journal_of
from terrain_adapters.x import X_CAPABILITIES

from ._meetup import EVENT_ID, MEETUP, meetup_workspace

WEEK_BEFORE = MEETUP - timedelta(days=7)
EVENING = MEETUP + timedelta(hours=4)


def with_web(root: Path) -> Workspace:
    meetup_workspace(root).close()
    toml = root / "terrain.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + '\n[web]\nbase_url = "https://velo-lyon.example/"\n',
        encoding="utf-8",
    )
    return Workspace.open(root)


def test_an_announcement_carries_the_agenda_the_venue_and_the_rsvp_link(tmp_path: Path) -> None:
    with with_web(tmp_path / "ws") as ws:
        result = publish_event(
            ws, EVENT_ID, ["outbox"], now=WEEK_BEFORE, kind="announcement", dry_run=True
        )
    (preview,) = result.previews
    assert "Vélo & ville #12" in preview.text
    assert "«\u00a0Les pistes du 7e\u00a0» par Ana" in preview.text
    assert "Lieu\u00a0: Le Zinc" in preview.text
    assert preview.text.endswith("Inscription\u00a0: https://velo-lyon.example/events/ev-2026-03")
    assert "@dupain" not in preview.text  # partners are thanked after, not before


def test_a_reminder_is_planned_for_the_day_before_at_the_time_the_meetup_starts(
    tmp_path: Path,
) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        result = publish_event(ws, EVENT_ID, ["outbox"], now=WEEK_BEFORE, kind="reminder")
        (post,) = result.posts
        assert result.scheduled == {post.id: MEETUP - timedelta(days=1)}
        assert post.text.startswith("Rappel\u00a0: Vélo & ville #12, c’est demain à 19\u00a0h")
        (queued,) = queue_of(ws)
        assert queued.kind == "reminder"


def test_a_recap_before_the_meetup_has_ended_is_refused_with_the_time_it_ends(
    tmp_path: Path,
) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        during = MEETUP + timedelta(hours=1)
        for dry_run in (False, True):
            with pytest.raises(ValidationError) as refused:
                publish_event(ws, EVENT_ID, ["outbox"], now=during, dry_run=dry_run)
            assert "ends at 2026-03-12 22:00 Europe/Paris" in str(refused.value)
            assert '--at "2026-03-12 22:00"' in str(refused.value)
        assert journal_of(ws).rows() == []
        # scheduled for after the end, it is accepted
        later = publish_event(ws, EVENT_ID, ["outbox"], now=during, at=EVENING)
        assert list(later.scheduled.values()) == [EVENING]


def test_an_announcement_once_the_meetup_has_started_is_refused(tmp_path: Path) -> None:
    with meetup_workspace(tmp_path / "ws") as ws, pytest.raises(
        ValidationError, match="starts at 2026-03-12 19:00 Europe/Paris"
    ):
        publish_event(ws, EVENT_ID, ["outbox"], now=MEETUP + timedelta(minutes=5),
                      kind="announcement", dry_run=True)


def test_an_edited_post_over_the_limit_is_refused_with_how_many_characters_to_cut(
    tmp_path: Path,
) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        toml = ws.root / "terrain.toml"
        toml.write_text(
            toml.read_text("utf-8") + '\n[platforms.outbox]\nas = "x"\n', encoding="utf-8"
        )
    with Workspace.open(tmp_path / "ws") as ws:
        tomorrow = EVENING + timedelta(days=1)
        (post,) = publish_event(ws, EVENT_ID, ["outbox"], now=EVENING, at=tomorrow).posts
        # X counts an emoji 2 and a link 23, whatever its length: 140 × 2 = 280 + 1 + 23 - mentions
        words = "🚲" * 140 + " https://velo-lyon.fr/a/very/long/path/to/the/photos"
        with pytest.raises(ValidationError) as refused:
            edit_post(ws, post.id, words, now=EVENING)
        mentions = text_length(post.text_with_mentions()[len(post.text):], X_CAPABILITIES)
        cut = 280 + 1 + 23 + mentions - 280
        assert f"cut {cut}" in str(refused.value)
        assert "Nothing was changed" in str(refused.value)
        assert journal_of(ws).get(post.id, "outbox").post == post  # type: ignore[union-attr]
        mine = "Merci à toutes et à tous, à jeudi prochain !"
        edited = edit_post(ws, post.id, mine, now=EVENING)
        assert edited.edited
        # composing the event again keeps the manager's words
        publish_event(ws, EVENT_ID, ["outbox"], now=EVENING, at=tomorrow)
        stored = journal_of(ws).get(post.id, "outbox")
        assert stored is not None
        assert stored.post.text == "Merci à toutes et à tous, à jeudi prochain !"


def test_publish_with_a_text_over_the_limit_plans_nothing(tmp_path: Path) -> None:
    with meetup_workspace(tmp_path / "ws") as ws:
        with pytest.raises(ValidationError, match=r"your text does not fit: .*cut \d+"):
            publish_event(
                ws, EVENT_ID, ["outbox"], now=EVENING, at=EVENING + timedelta(hours=1),
                text="x" * 6000,
            )
        assert journal_of(ws).rows() == []
        result = publish_event(
            ws, EVENT_ID, ["outbox"], now=EVENING, dry_run=True,
            text="Nos mots à nous.\n---\nLa suite.",
        )
        (preview,) = result.previews
        assert preview.text.startswith("Nos mots à nous.")
        assert preview.thread == ("La suite.",)


LIMIT = Capabilities(max_text_length=40, mentions=True, threads=False, text_counting="twitter")


@given(text=st.text(alphabet=st.sampled_from("ab é🚲\n"), min_size=1, max_size=60))
def test_an_edit_fits_exactly_when_the_platform_counts_it_within_its_limit(text: str) -> None:
    """Whatever the text: accepted iff it fits as the platform counts it, with the
    mention after it; refused with the exact number of characters to cut."""
    post = Post(
        id="post-1", platform="x", text="draft", mentions=[Mention("dupain", partner_id="p")]
    )
    if "\n---" in text or not text.strip():
        return
    whole = text_length(text.strip(), LIMIT) + text_length("\n\n@dupain", LIMIT)
    if whole <= LIMIT.max_text_length:
        assert edit_text(post, text, LIMIT).text == text.strip()
    else:
        with pytest.raises(ComposeError, match=rf"cut {whole - LIMIT.max_text_length}\b"):
            edit_text(post, text, LIMIT)
