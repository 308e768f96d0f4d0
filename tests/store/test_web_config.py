"""``[web]`` and ``[smtp]`` in terrain.toml: read strictly, never a secret."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from terrain import Community
from terrain.errors import ConfigError
from terrain.store import Workspace
from terrain.store._config import parse_config
from terrain.workflows import event_page_url, web_key

BASE = '[community]\nid = "velo"\nname = "Vélo"\n'


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "terrain.toml"
    path.write_text(BASE + text, encoding="utf-8")
    return path


def test_without_web_or_smtp_the_pages_listen_on_loopback_and_send_no_mail(
    tmp_path: Path,
) -> None:
    parsed = parse_config(config(tmp_path, ""))
    assert parsed.web.host == "127.0.0.1"
    assert parsed.web.public_url == "http://127.0.0.1:8000"
    assert parsed.smtp is None


def test_web_and_smtp_are_read(tmp_path: Path) -> None:
    parsed = parse_config(config(tmp_path, (
        '[web]\nbase_url = "https://meetup.example.org/"\nport = 8080\nlink_days = 30\n'
        'rate_limit = 5\n[smtp]\nhost = "smtp.example.org"\nsender = "hi@example.org"\n'
        'username = "bot"\nsecurity = "ssl"\n'
    )))
    assert parsed.web.public_url == "https://meetup.example.org"
    assert parsed.web.secure
    assert (parsed.web.port, parsed.web.link_days, parsed.web.rate_limit) == (8080, 30, 5)
    assert parsed.smtp is not None
    assert (parsed.smtp.port, parsed.smtp.username) == (465, "bot")
    assert event_page_url(parsed, "ev-1") == "https://meetup.example.org/events/ev-1"


@pytest.mark.parametrize(("text", "says"), [
    ('[web]\nbase_url = "ftp://x"\n', "base_url"),
    ('[web]\nport = 0\n', "port"),
    ('[web]\nsecret = "x"\n', "unknown key"),
    ('[smtp]\nhost = "h"\nsender = "h"\npassword = "p"\n', "TERRAIN_SMTP_PASSWORD"),
    ('[smtp]\nhost = "h"\nsender = "not an address"\n', "not an email address"),
    ('[smtp]\nsender = "a@b.org"\n', "host is missing"),
    ('[smtp]\nhost = "h"\nsender = "a@b.org"\nsecurity = "tls"\n', "security"),
])
def test_a_wrong_setting_names_the_line_and_the_fix(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(config(tmp_path, text))
    assert says in str(error.value)
    assert "line" in str(error.value)


def test_the_link_key_is_made_once_with_mode_600_outside_terrain_toml(tmp_path: Path) -> None:
    with Workspace.init(tmp_path / "ws", community=Community(id="v", name="V")) as ws:
        key = web_key(ws)
        path = ws.root / ".terrain" / "web.key"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert web_key(ws) == key
        assert len(key) == 32
        assert key.hex() not in (ws.root / "terrain.toml").read_text()
        os.chmod(path, 0o644)
        with pytest.raises(ConfigError, match="chmod 600"):
            web_key(ws)
