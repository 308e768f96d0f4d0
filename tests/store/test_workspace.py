"""The workspace: creating, opening, finding, and records that are never half written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from terrain import Community, Content, Event, Member, Venue
from terrain.content import MediaFile
from terrain.errors import ConfigError, Conflict, NotFound, ValidationError
from terrain.store import Workspace
from tests.conftest import workspace_store

#: Opening a workspace is these tests' setup, not their subject: on PostgreSQL
#: it starts from a database migrated once per session (tests/conftest.py).
pytestmark = pytest.mark.migrated_postgres

NOW = datetime(2026, 3, 12, 22, 30, tzinfo=UTC)
VELO = Community(id="velo-lyon", name="Vélo Lyon", timezone="Europe/Paris")


@pytest.fixture
def ws(tmp_path: Path, store_url: str) -> Iterator[Workspace]:
    """A fresh workspace, once on SQLite (the default) and once on PostgreSQL."""
    workspace = Workspace.init(
        tmp_path / "velo", community=VELO, store_url=workspace_store(store_url)
    )
    yield workspace
    workspace.close()


def test_init_creates_the_folder_layout_and_reopens(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "velo", community=VELO) as ws:
        assert (ws.root / "terrain.toml").is_file()
        assert (ws.root / ".terrain" / "terrain.db").is_file()
    with Workspace.open(tmp_path / "velo") as again:
        assert again.community == VELO
        assert again.config.storage_backend == "filesystem"


def test_init_refuses_to_overwrite_an_existing_workspace(tmp_path: Path) -> None:
    Workspace.init(tmp_path / "velo", community=VELO).close()
    before = (tmp_path / "velo" / "terrain.toml").read_bytes()
    with pytest.raises(Conflict, match="already holds a terrain workspace"):
        Workspace.init(tmp_path / "velo", community=Community(id="other", name="Other"))
    assert (tmp_path / "velo" / "terrain.toml").read_bytes() == before


def test_database_is_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "velo", community=VELO)
    assert ws.db.dialect == "sqlite"
    assert ws.db.query("PRAGMA journal_mode") == [("wal",)]
    assert ws.db.query("PRAGMA foreign_keys") == [(1,)]
    assert ws.db.query("PRAGMA busy_timeout")[0][0] >= 1000
    ws.close()


def test_add_then_get_returns_the_same_member(ws: Workspace) -> None:
    lea = Member(id="lea", display_name="Léa Martin", handles={"x": "lea_m"})
    ws.add(lea)
    assert ws.get(Member, "lea") == lea
    assert ws.list(Member) == [lea]


def test_adding_a_duplicate_id_is_a_conflict_and_keeps_the_first(ws: Workspace) -> None:
    ws.add(Member(id="lea", display_name="Léa Martin"))
    with pytest.raises(Conflict, match="'lea' already exists"):
        ws.add(Member(id="lea", display_name="Someone Else"))
    assert ws.get(Member, "lea").display_name == "Léa Martin"


def test_put_replaces_a_record(ws: Workspace) -> None:
    ws.add(Member(id="lea", display_name="Léa"))
    ws.put(Member(id="lea", display_name="Léa Martin"))
    assert ws.get(Member, "lea").display_name == "Léa Martin"


def test_unknown_id_names_the_id_and_how_to_list(ws: Workspace) -> None:
    with pytest.raises(NotFound, match=r"'lea'.*terrain member list"):
        ws.get(Member, "lea")


def test_a_type_that_is_not_a_record_is_refused(ws: Workspace) -> None:
    with pytest.raises(ValidationError, match="does not store Community"):
        ws.add(VELO)


def test_event_at_an_unknown_venue_is_refused_and_nothing_is_stored(ws: Workspace) -> None:
    event = Event(
        id="ev-12",
        title="Vélo & ville #12",
        starts_at=datetime(2026, 3, 12, 18, tzinfo=UTC),
        ends_at=datetime(2026, 3, 12, 21, tzinfo=UTC),
        venue_id="le-zinc",
    )
    with pytest.raises(NotFound, match="venue 'le-zinc'"):
        ws.add(event)
    assert ws.list(Event) == []
    ws.add(Venue(id="le-zinc", name="Le Zinc", kind="bar"))
    ws.add(event)
    assert ws.get(Event, "ev-12") == event


def test_a_minor_needs_their_guardian_stored_first(ws: Workspace) -> None:
    tom = Member(id="tom", display_name="Tom", is_minor=True, guardian_ids=["sophie"])
    with pytest.raises(NotFound, match="guardian"):
        ws.add(tom)
    ws.add(Member(id="sophie", display_name="Sophie"))
    ws.add(tom)


def _photo(content_id: str, checksum: str, *people: str) -> Content:
    from terrain import Appearance

    media = MediaFile(
        id="m-1", key=f"media/{content_id}.jpg", media_type="image/jpeg", size=10, checksum=checksum
    )
    return Content(
        id=content_id,
        kind="photo",
        created_at=NOW,
        media=[media],
        appearances=[Appearance(member_id=p, media_id="m-1") for p in people],
    )


def test_media_are_found_by_checksum_and_members_by_appearance(ws: Workspace) -> None:
    ws.add(Member(id="lea", display_name="Léa"))
    ws.add(_photo("p-1", "a" * 64, "lea"))
    assert ws.find_media("a" * 64) == ("p-1", "m-1", "media/p-1.jpg")
    assert ws.find_media("b" * 64) is None
    assert [c.id for c in ws.contents_showing("lea")] == ["p-1"]
    ws.put(_photo("p-1", "a" * 64))  # Léa removed from the photo
    assert ws.contents_showing("lea") == []


def test_content_showing_an_unknown_member_is_refused(ws: Workspace) -> None:
    with pytest.raises(NotFound, match="member 'ghost'"):
        ws.add(_photo("p-1", "a" * 64, "ghost"))
    assert ws.find_media("a" * 64) is None


def test_a_failed_transaction_leaves_nothing_behind(ws: Workspace) -> None:
    def import_two_then_crash() -> None:
        with ws.db.transaction():
            ws.add(Member(id="lea", display_name="Léa"))
            ws.add(Member(id="tom", display_name="Tom"))
            raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        import_two_then_crash()
    assert ws.list(Member) == []


def test_find_walks_up_parents_like_git(ws: Workspace, tmp_path: Path) -> None:
    deep = ws.root / "photos" / "2026-03"
    deep.mkdir(parents=True)
    assert Workspace.locate(deep, environ={}) == ws.root
    with Workspace.find(deep, environ={}) as found:
        assert found.root == ws.root


def test_find_prefers_the_environment_variable(ws: Workspace, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert Workspace.locate(elsewhere, environ={"TERRAIN_WORKSPACE": str(ws.root)}) == ws.root


def test_find_outside_any_workspace_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="terrain init"):
        Workspace.locate(tmp_path, environ={})


def test_opening_a_folder_that_is_not_a_workspace_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="not a terrain workspace"):
        Workspace.open(tmp_path)


def test_database_from_a_newer_terrain_is_refused(ws: Workspace) -> None:
    with ws.db.transaction() as tx:
        tx.execute("INSERT INTO schema_version (version, name) VALUES (999, 'future')")
    root = ws.root
    ws.close()
    with pytest.raises(ConfigError, match="upgrade terrain"):
        Workspace.open(root)


def test_two_workspaces_on_one_folder_see_each_others_writes(ws: Workspace) -> None:
    with Workspace.open(ws.root) as other:
        other.add(Member(id="lea", display_name="Léa"))
    assert [m.id for m in ws.list(Member)] == ["lea"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    names=st.lists(
        st.text(min_size=1, max_size=40).filter(lambda s: s.strip()), min_size=1, max_size=8
    )
)
def test_members_round_trip_through_the_database(ws: Workspace, names: list[str]) -> None:
    members = [Member(id=f"m-{i}", display_name=name) for i, name in enumerate(names)]
    for member in members:
        ws.put(member)
    stored = {m.id: m for m in ws.list(Member)}
    for member in members:
        assert stored[member.id] == member


def test_secrets_come_from_the_environment(tmp_path: Path) -> None:
    env = {"TERRAIN_X_API_KEY": "k-123"}
    with Workspace.init(tmp_path / "w", community=VELO, environ=env) as ws:
        assert ws.secrets.get("TERRAIN_X_API_KEY").reveal() == "k-123"
        assert repr(ws.secrets.get("TERRAIN_X_API_KEY")) == "Secret('***')"


def test_a_missing_secret_names_the_variable_to_set(ws: Workspace) -> None:
    from terrain.errors import MissingSecret

    with pytest.raises(MissingSecret, match="export TERRAIN_FACEBOOK_PAGE_TOKEN="):
        ws.secrets.get("TERRAIN_FACEBOOK_PAGE_TOKEN")


def test_the_credentials_file_must_be_private(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "w", community=VELO, environ={}) as ws:
        credentials = ws.root / ".terrain" / "credentials.toml"
        credentials.write_text('TERRAIN_X_API_KEY = "from-file"\n')
        credentials.chmod(0o644)
        with pytest.raises(ConfigError, match="chmod 600"):
            ws.secrets.get("TERRAIN_X_API_KEY")
    credentials.chmod(0o600)
    with Workspace.open(tmp_path / "w", environ={}) as ws:
        assert ws.secrets.get("TERRAIN_X_API_KEY").reveal() == "from-file"


def test_an_unknown_platform_lists_the_known_ones(ws: Workspace) -> None:
    with pytest.raises(ConfigError, match=r"unknown platform 'myspace'.*known platforms are"):
        ws.platform("myspace")


def test_platforms_come_from_the_installed_plugins(ws: Workspace) -> None:
    names = ws.platform_names()
    assert {"x", "facebook", "outbox", "linkedin", "mastodon", "bluesky"} <= set(names)
    with pytest.raises(ConfigError, match=r"unknown platform 'friendster'.*facebook.*outbox.*x"):
        ws.platform("friendster")


def test_storage_defaults_to_the_media_folder(ws: Workspace) -> None:
    ws.storage.put("photos/a.jpg", b"\xff\xd8")
    assert (ws.root / "media" / "photos" / "a.jpg").read_bytes() == b"\xff\xd8"


def test_an_unknown_storage_backend_lists_the_known_ones(tmp_path: Path) -> None:
    with (
        Workspace.init(tmp_path / "w", community=VELO, storage_backend="ftp") as ws,
        pytest.raises(ConfigError, match=r"unknown storage backend 'ftp'.*filesystem"),
    ):
        _ = ws.storage


def test_the_capabilities_of_a_platform_are_known_without_its_token(tmp_path: Path) -> None:
    from terrain_adapters.facebook import FACEBOOK_CAPABILITIES
    from terrain_adapters.x import X_CAPABILITIES

    with Workspace.init(tmp_path / "w", community=VELO, environ={}) as ws:
        assert ws.capabilities("x") == X_CAPABILITIES
        assert ws.capabilities("facebook") == FACEBOOK_CAPABILITIES


def test_the_outbox_capabilities_follow_the_platform_it_pretends_to_be(tmp_path: Path) -> None:
    from terrain_adapters.x import X_CAPABILITIES

    settings = {"outbox": {"as": "x", "max_media": 2}}
    with Workspace.init(tmp_path / "w", community=VELO, platforms=settings, environ={}) as ws:
        assert ws.capabilities("outbox") == attrs.evolve(X_CAPABILITIES, max_media=2)


def test_a_plugin_without_capabilities_for_is_built_to_learn_them(tmp_path: Path) -> None:
    """The example plugin's factory has no ``capabilities_for``: terrain builds it."""
    with Workspace.init(tmp_path / "w", community=VELO, environ={}) as ws:
        assert ws.capabilities("example-journal") == ws.platform("example-journal").capabilities


def test_a_platform_without_its_token_names_the_variable_to_set(tmp_path: Path) -> None:
    from terrain.errors import MissingSecret

    with (
        Workspace.init(tmp_path / "w", community=VELO, environ={}) as ws,
        pytest.raises(MissingSecret, match="export TERRAIN_X_"),
    ):
        ws.platform("x")
