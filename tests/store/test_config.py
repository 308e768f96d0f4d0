"""terrain.toml: strict reading, messages that name the line and the key."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from terrain import Community
from terrain.errors import ConfigError
from terrain.events import FormatRules
from terrain.store import Workspace
from terrain.store._config import _FORMAT_KEYS, WorkspaceConfig, parse_config, render_config

VELO = Community(id="velo-lyon", name='Vélo "Lyon"', timezone="Europe/Paris")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "terrain.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rendered_config_reads_back_the_same(tmp_path: Path) -> None:
    config = WorkspaceConfig(
        community=VELO,
        storage_settings={"path": "médias"},
        platforms={"facebook": {"page_id": "123", "api_version": "v23.0"}, "outbox": {}},
    )
    assert parse_config(_write(tmp_path, render_config(config))) == config


def test_a_size_limit_other_than_the_default_is_written_and_read_back(tmp_path: Path) -> None:
    config = WorkspaceConfig(community=VELO, max_file_mb=12.5)
    text = render_config(config)
    assert "[import]\n" in text
    assert parse_config(_write(tmp_path, text)) == config
    assert parse_config(_write(tmp_path, text)).max_file_bytes == 12.5 * 1024 * 1024
    assert "[import]" not in render_config(WorkspaceConfig(community=VELO))


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[community]\nid = "velo"\nname = "Vélo\n')
    with pytest.raises(ConfigError, match=r"not valid TOML.*line 3"):
        parse_config(path)


def test_a_value_of_the_wrong_type_names_line_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, '[community]\nid = "velo"\nname = 42\n')
    with pytest.raises(ConfigError, match=r"line 3: \[community\] name: must be a string"):
        parse_config(path)


def test_an_invalid_time_zone_names_the_key(tmp_path: Path) -> None:
    path = _write(tmp_path, '[community]\nid = "velo"\nname = "Vélo"\ntimezone = "Mars/Olympus"\n')
    with pytest.raises(ConfigError, match=r"line 4: \[community\] timezone"):
        parse_config(path)


def test_an_unknown_table_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[community]\nid = "velo"\nname = "Vélo"\n\n[platfroms.x]\n')
    with pytest.raises(ConfigError, match=r"platfroms: unknown setting"):
        parse_config(path)


def test_a_missing_community_name_says_what_to_add(tmp_path: Path) -> None:
    path = _write(tmp_path, '[community]\nid = "velo"\n')
    with pytest.raises(ConfigError, match=r"name is missing: add a line name ="):
        parse_config(path)


def test_a_token_in_terrain_toml_is_refused_with_the_variable_to_use(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        '[community]\nid = "velo"\nname = "Vélo"\n\n[platforms.x]\naccess_token = "abc"\n',
    )
    with pytest.raises(ConfigError, match=r"line 6.*TERRAIN_X_ACCESS_TOKEN") as info:
        parse_config(path)
    assert "abc" not in str(info.value)


def test_a_platform_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[community]\nid = "velo"\nname = "Vélo"\n[platforms]\nx = 3\n')
    with pytest.raises(ConfigError, match=r"\[platforms\] x: must be a table"):
        parse_config(path)


def test_opening_a_workspace_with_a_broken_toml_is_a_config_error(tmp_path: Path) -> None:
    Workspace.init(tmp_path, community=VELO).close()
    (tmp_path / "terrain.toml").write_text("[community\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 1"):
        Workspace.open(tmp_path)


HEAD = '[community]\nid = "velo"\nname = "Vélo"\n\n'


def test_the_format_table_sets_the_meetup_rules(tmp_path: Path) -> None:
    path = _write(tmp_path, HEAD + "[format]\nmax_talks = 3\nmax_talk_minutes = 45\n")
    rules = parse_config(path).meetup_format
    assert (rules.max_talks, rules.max_talk_minutes) == (3, 45)
    assert rules.min_qa_minutes == FormatRules().min_qa_minutes  # the rest: field defaults


def test_without_a_format_table_the_field_format_applies(tmp_path: Path) -> None:
    assert parse_config(_write(tmp_path, HEAD)).meetup_format == FormatRules()


def test_the_format_keys_are_the_fields_of_format_rules() -> None:
    assert set(_FORMAT_KEYS) == {f.name for f in attrs.fields(FormatRules)}


def test_a_rendered_format_reads_back_the_same(tmp_path: Path) -> None:
    config = WorkspaceConfig(
        community=VELO, meetup_format=FormatRules(max_talks=3, networking_share=0.4)
    )
    text = render_config(config)
    assert "[format]" in text
    assert parse_config(_write(tmp_path, text)) == config


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("max_talk = 3", r"line 6: \[format\] max_talk: unknown key; \[format\] takes min_talks"),
        ('max_talks = "3"', r"line 6: \[format\] max_talks: must be a whole number.*a string"),
        ("max_talks = true", r"\[format\] max_talks: must be a whole number.*a boolean"),
        ("networking_share = 1.5", r"\[format\] networking_share: .*between 0 and 1"),
        ("min_talks = 3\nmax_talks = 2", r"line 7: \[format\] max_talks: .*below min_talks"),
        ("max_talk_minutes = 0", r"\[format\] max_talk_minutes: .*at least 1"),
    ],
)
def test_a_bad_format_setting_names_file_line_key_and_what_to_do(
    tmp_path: Path, table: str, expected: str
) -> None:
    path = _write(tmp_path, HEAD + "[format]\n" + table + "\n")
    with pytest.raises(ConfigError, match=expected) as caught:
        parse_config(path)
    assert str(path) in str(caught.value)


def test_rendered_web_and_mail_settings_read_back_the_same(tmp_path: Path) -> None:
    """`terrain init` writes the file through render_config: [web] and [smtp] (from the
    web pages) and [templates] (from the posts) must come back as they were."""
    from terrain.store._webconfig import SmtpSettings, WebSettings
    from terrain.templates import Template

    config = WorkspaceConfig(
        community=VELO,
        web=WebSettings(base_url="https://meetup.velo-lyon.example", port=8080, link_days=30),
        smtp=SmtpSettings(host="smtp.velo-lyon.example", sender="bonjour@velo-lyon.example",
                          username="bonjour"),
        templates={"reminder": Template("reminder", "fr", "Demain : $title, à $time.")},
    )
    text = render_config(config)
    assert "[web]" in text
    assert "[smtp]" in text
    read = parse_config(_write(tmp_path, text))
    assert attrs.evolve(read, templates={}) == attrs.evolve(config, templates={})
    assert {k: t.text for k, t in read.templates.items()} == {"reminder": config.templates[
        "reminder"].text}  # the source now names the file and the line
    assert "[web]" not in render_config(WorkspaceConfig(community=VELO))


def test_the_guardian_rule_is_all_by_default_and_any_when_written(tmp_path: Path) -> None:
    assert WorkspaceConfig(community=VELO).guardian_rule == "all"
    config = WorkspaceConfig(community=VELO, guardian_rule="any")
    text = render_config(config)
    assert '[consent]\nguardians = "any"' in text
    assert parse_config(_write(tmp_path, text)) == config
    assert "[consent]" not in render_config(WorkspaceConfig(community=VELO))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('guardians = "both"', 'must be "all"'),
        ("guardians = 2", "got an integer"),
        ('guardian = "any"', "unknown key; [consent] takes guardians"),
    ],
)
def test_a_bad_guardian_rule_names_the_line_and_what_to_write(
    tmp_path: Path, table: str, message: str
) -> None:
    path = _write(tmp_path, f'[community]\nid = "v"\nname = "V"\n\n[consent]\n{table}\n')
    with pytest.raises(ConfigError, match="line 6") as info:
        parse_config(path)
    assert message in str(info.value)


def test_the_workspace_ledger_follows_the_communitys_guardian_rule(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from terrain import Member
    from terrain.consent import Evidence

    with Workspace.init(tmp_path / "ws", community=VELO) as ws:
        for member in (Member(id="a", display_name="A"), Member(id="b", display_name="B"),
                       Member(id="k", display_name="K", is_minor=True, guardian_ids=["a", "b"])):
            ws.add(member)
        ledger = ws.ledger()
        ledger.grant("k", purposes=["publish"], given_by=["a"], subject_assent=True,
                     at=datetime(2026, 3, 12, tzinfo=UTC), evidence=Evidence(kind="verbal",
                                                                             witness="C"))
        ws.save_ledger(ledger)
        later = datetime(2026, 3, 13, tzinfo=UTC)
        assert ws.ledger().guardians == "all"
        assert not ws.ledger().state("k", "publish", "x", at=later).valid
    config = tmp_path / "ws" / "terrain.toml"
    config.write_text(config.read_text() + '\n[consent]\nguardians = "any"\n')
    with Workspace.open(tmp_path / "ws") as ws:
        assert ws.ledger().state("k", "publish", "x", at=later).valid
