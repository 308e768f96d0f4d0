"""``terrain serve`` and ``terrain link``, and the web layer's place: it calls workflows only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from click.testing import CliRunner

from terrain.cli import main
from terrain.errors import ConfigError
from terrain.store import Workspace
from terrain.workflows import listen_address

from ._site import BEFORE

WEB = Path(__file__).resolve().parents[2] / "src" / "terrain" / "web"
#: What the web pages may import from terrain: the workflows, and what every front end
#: needs (errors, the clock, opening a workspace).
ALLOWED = {"terrain.workflows", "terrain.errors", "terrain.clock", "terrain.store", "terrain"}


def test_the_web_layer_imports_only_workflows_and_never_touches_the_database() -> None:
    for path in sorted(WEB.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                "terrain"
            ):
                module = node.module
                if module.startswith("terrain.web"):
                    continue
                assert module in ALLOWED, f"{path.name} imports {module}: call a workflow"
                if module == "terrain.store":
                    assert {a.name for a in node.names} <= {"Workspace"}, path.name
                if module == "terrain":
                    assert {a.name for a in node.names} <= {"clock"}, path.name
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("terrain.") and not a.name.startswith(
                    "terrain.web") for a in node.names), path.name
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("db", "transaction", "save_ledger", "ledger", "put"), (
                    f"{path.name} touches ws.{node.attr}: that is a workflow's job"
                )


def test_link_show_prints_a_link_and_revoke_ends_it(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERRAIN_NOW", BEFORE.isoformat())
    runner = CliRunner()
    shown = runner.invoke(main, ["link", "show", "lea", "--workspace", str(site), "--json"])
    assert shown.exit_code == 0, shown.output
    assert '"url": "http://127.0.0.1:8000/l/personal.' in shown.output
    revoked = runner.invoke(main, ["link", "revoke", "lea", "--workspace", str(site)])
    assert revoked.exit_code == 0
    assert "Revoked 1 link(s) of lea." in revoked.output
    unknown = runner.invoke(main, ["link", "show", "nobody", "--workspace", str(site)])
    assert unknown.exit_code == 2
    assert "terrain member list" in unknown.output


def test_link_send_without_smtp_says_what_to_do(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERRAIN_NOW", BEFORE.isoformat())
    sent = CliRunner().invoke(main, ["link", "send", "lea", "--workspace", str(site)])
    assert sent.exit_code == 1
    assert "check [smtp]" in sent.output


def test_serve_listens_on_loopback_unless_terrain_toml_says_otherwise(ws: Workspace) -> None:
    assert listen_address(ws) == ("127.0.0.1", 8000)
    assert listen_address(ws, "::1", 9000) == ("::1", 9000)
    with pytest.raises(ConfigError, match=r'add host = "0.0.0.0" to \[web\]'):
        listen_address(ws, "0.0.0.0")
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--workspace",
                                       str(ws.root)])
    assert result.exit_code == 2
    assert "only when terrain.toml says so" in result.output


def test_a_missing_web_extra_is_a_clear_message(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    import terrain.web

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "segno" else real(name, *a))
    with pytest.raises(ConfigError, match=r"pip install 'terrain-field\[web\]'"):
        terrain.web.create_app(ws)
