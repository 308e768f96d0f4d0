"""The store's index of members' @handles (migration 11) says what the members say,
and a ledger holding some people still finds everyone's handles."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Member
from terrain.consent import decide
from terrain.posts import HandleFinder, Post
from terrain.store import Workspace
from tests.store._velo import FORM, T0, velo

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    with velo(tmp_path / "velo", store_url, members=6) as w:
        yield w


def _everyone(ws: Workspace) -> HandleFinder:
    """The finder over every member, as a ledger holding everyone makes it."""
    owners: dict[str, str] = {}
    for member in sorted(ws.members().values(), key=lambda m: m.id):
        for _platform, handle in sorted(member.handles.items()):
            owners.setdefault(handle, member.id)  # a handle two share is the first one's
    return HandleFinder(owners)


def test_the_index_follows_each_change_of_a_members_handles(ws: Workspace) -> None:
    finder = ws.handle_finder()
    ws.put(Member(id="m1", display_name="Léa", handles={"x": "lea_m"}))
    assert finder.find("Merci @LEA_M") == [("LEA_M", "m1")]
    ws.put(Member(id="m1", display_name="Léa", handles={"mastodon": "lea@piaille.fr"}))
    assert finder.find("Merci @lea_m") == []
    assert finder.find("Merci @lea") == [("lea", "m1")]
    ws.remove(Member, "m1", force=True)
    assert finder.find("Merci @lea") == []


def test_an_erased_members_handles_are_no_longer_found(ws: Workspace) -> None:
    from terrain.workflows import erase_member

    ws.put(Member(id="m2", display_name="Sam", handles={"x": "sam_v"}))
    erase_member(ws, "m2", now=T0, hook=False)
    assert ws.handle_finder().find("@sam_v") == []


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    handles=st.lists(
        st.dictionaries(st.sampled_from(["x", "mastodon", "bluesky"]),
                        st.sampled_from(["lea", "lea@piaille.fr", "Lea_M", "sam.v", "s+m"]),
                        max_size=2),
        min_size=6, max_size=6,
    ),
    text=st.sampled_from(["@lea et @LEA_M", "@s+m, @sam.v.", "@lea@piaille.fr @samv"]),
)
def test_the_index_finds_what_every_members_handles_find(
    ws: Workspace, handles: list[dict[str, str]], text: str
) -> None:
    """Whatever handles the members have (shared, Mastodon short forms, odd
    characters), the index finds who a finder over every member finds."""
    for i, mine in enumerate(handles):
        ws.put(Member(id=f"m{i}", display_name=f"Member {i}", handles=mine)
               if mine else Member(id=f"m{i}", display_name=f"Member {i}", tags=["t"]))
    assert ws.handle_finder().find(text) == _everyone(ws).find(text)


def _owners_reference(ws: Workspace, forms: set[str]) -> dict[str, list[str]]:
    """What the index says of ``forms`` and of the forms that are not plain, one plain
    query each."""
    found: dict[str, set[str]] = {}
    rows = list(ws.db.query("SELECT form, member_id FROM member_handles WHERE plain = 0"))
    for form in sorted(forms):
        rows += ws.db.query(
            "SELECT form, member_id FROM member_handles WHERE form = ?", (form,))
    for form, member_id in rows:
        found.setdefault(str(form), set()).add(str(member_id))
    return {form: sorted(ids) for form, ids in found.items()}


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    handles=st.lists(
        st.dictionaries(st.sampled_from(["x", "mastodon"]),
                        st.sampled_from(["lea", "lea@piaille.fr", "Lea_M", "sam.v", "s+m"]),
                        max_size=2),
        min_size=6, max_size=6,
    ),
    forms=st.sets(st.sampled_from(
        ["lea", "lea@piaille.fr", "lea_m", "sam.v", "s+m", "nobody", "sam"])),
    chunk=st.sampled_from([1, 2, 500]),
)
def test_the_owners_of_some_forms_and_of_the_odd_ones_come_in_one_statement(
    ws: Workspace, handles: list[dict[str, str]], forms: set[str], chunk: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Asked in one statement (more forms than one ``IN`` list takes: in more), the
    index answers as asking for each form on its own does."""
    import terrain.store._db as db_module

    for i, mine in enumerate(handles):
        ws.put(Member(id=f"m{i}", display_name=f"Member {i}", handles=mine)
               if mine else Member(id=f"m{i}", display_name=f"Member {i}", tags=["t"]))
    monkeypatch.setattr(db_module, "CHUNK", chunk)
    assert ws.db.handle_owners(forms) == _owners_reference(ws, forms)


def test_a_ledger_of_some_people_finds_the_handle_of_someone_else_and_refuses_the_tag(
    ws: Workspace,
) -> None:
    """A decision made with a ledger read for the people in a photo still sees a
    stranger's handle typed in the text: without her consent read, the tag goes."""
    ws.put(Member(id="m4", display_name="Zoé", handles={"x": "zoe_v"}))
    ws.update_ledger(lambda book: book.grant("m4", purposes=["publish", "tag"], at=T0,
                                             evidence=FORM))
    post = Post(id="p", platform="x", text="Merci @zoe_v !")
    with Workspace.open(ws.root) as fresh:  # another process: nothing read yet
        with fresh.consent(["m1"]) as ledger:
            assert "m4" not in ledger.members
            assert ledger.handle_finder().find(post.text) == [("zoe_v", "m4")]
            decision = decide(ledger, post, platform="x", at=T0 + timedelta(days=1))
        assert [m.handle for m in decision.dropped_mentions] == ["zoe_v"]
        with fresh.consent(["m1", "m4"]) as ledger:  # read for her too: her consent counts
            decision = decide(ledger, post, platform="x", at=T0 + timedelta(days=1))
        assert decision.dropped_mentions == ()


def test_a_ledger_of_some_people_knows_their_guardians_and_who_gave_their_records(
    ws: Workspace,
) -> None:
    ws.put(Member(id="m5", display_name="Kid", is_minor=True, guardian_ids=["m3"]))
    ws.update_ledger(lambda book: book.grant("m5", purposes=["publish"], at=T0, evidence=FORM,
                                             given_by=["m3"], subject_assent=True))
    with Workspace.open(ws.root) as fresh, fresh.consent(["m5"]) as ledger:
        assert set(ledger.members) == {"m3", "m5"}
        assert ledger.state("m5", "publish", "x", at=T0 + timedelta(days=1)).valid


def test_migration_11_indexes_the_handles_of_members_already_stored(tmp_path: Path) -> None:
    from terrain.store import Database

    db = Database.open(tmp_path / "old.db", create=True, migrate=False)
    db.migrate(up_to=10)
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO records (kind, id, data, rev) VALUES ('member', 'lea', ?, 1)",
            (json.dumps({"id": "lea", "display_name": "Léa",
                         "handles": {"x": "Lea_M", "mastodon": "lea@piaille.fr"}}),),
        )
    db.migrate()
    assert db.handle_owners({"lea_m", "lea", "nobody"}) == {"lea_m": ["lea"], "lea": ["lea"]}
    db.close()
