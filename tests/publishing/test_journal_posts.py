"""The posts a journal plans are read back as the posts stored, whether decoded or kept.

:meth:`~terrain.publishing.Journal.plan` keeps each post it writes by its stored
JSON, so that the rows it reads back and the claims of the run are not decoded
again. That is right only if the JSON reads back as the same post: the round
trip below, for every kind of post, and a row whose JSON changed meanwhile is
decoded anew.
"""

from __future__ import annotations

from pathlib import Path

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain.posts import Post
from terrain.publishing import Journal
from terrain.serialization import from_json, to_json
from terrain.testing.strategies import posts

from .helpers import START

ALBUMS = st.builds(
    lambda post, min_media, edited: attrs.evolve(
        post, min_media=min(min_media, len(post.media)) if post.media else None,
        edited=edited and bool(post.text),
    ),
    posts(), st.integers(1, 4), st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(post=ALBUMS)
def test_a_post_reads_back_from_its_json_as_the_same_post(post: Post) -> None:
    back = from_json(to_json(post), Post)
    assert back == post
    assert to_json(back) == to_json(post)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(ALBUMS, min_size=1, max_size=4, unique_by=lambda p: (p.id, p.platform)))
def test_the_rows_of_a_plan_hold_the_posts_as_stored(tmp_path: Path, batch: list[Post]) -> None:
    journal = Journal(tmp_path / f"j{id(batch)}.db", create=True)
    try:
        rows = journal.plan(batch, now=START)
        for post, row in zip(batch, rows, strict=True):
            (stored,) = journal.db.query(
                "SELECT post_json FROM publication_journal WHERE post_id = ? AND platform = ?",
                (post.id, post.platform),
            )
            assert row.post == from_json(str(stored[0]), Post) == post
            claimed = journal.claim_ready(post.platform, "o", now=START, lease=START - START)
            assert claimed is None or claimed.post == from_json(
                str(journal.db.query(
                    "SELECT post_json FROM publication_journal WHERE post_id = ? "
                    "AND platform = ?", (claimed.post_id, claimed.platform))[0][0]), Post)
    finally:
        journal.close()


def test_a_row_whose_json_changed_is_read_as_it_now_stands(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.db", create=True)
    try:
        post = Post(id="p1", platform="x", text="Merci !")
        journal.plan([post], now=START)
        changed = attrs.evolve(post, text="Merci à toutes et à tous !")
        with journal.db.transaction() as tx:
            tx.execute("UPDATE publication_journal SET post_json = ? WHERE post_id = 'p1'",
                       (to_json(changed),))
        row = journal.get("p1", "x")
        assert row is not None
        assert row.post == changed
    finally:
        journal.close()
