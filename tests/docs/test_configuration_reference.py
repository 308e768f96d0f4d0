"""docs/reference/configuration.rst documents every setting the code reads, and no other.

The keys are found in the code itself: the tables of ``terrain.store._config``,
and every ``settings.get("key")``, ``settings["key"]`` or
``helper(settings, "key", ...)`` in ``src/`` (adapters read their own table
that way). Environment variables are the ``"TERRAIN_..."`` strings of ``src/``.
"""

from __future__ import annotations

import ast
import functools
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from terrain.store._config import (
    _COMMUNITY_KEYS,
    _FORMAT_KEYS,
    _STORE_KEYS,
    _TOP_LEVEL,
    RUNNER_KEYS,
)
from terrain.store._webconfig import _SMTP_KEYS, _WEB_KEYS
from terrain.templates import KINDS
from terrain.workflows._publish import POLICY_KEYS
from terrain_adapters.outbox import _OVERRIDABLE_BOOLS, _OVERRIDABLE_INTS

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
PAGE = ROOT / "docs" / "reference" / "configuration.rst"

#: Which section of the page documents the settings a module reads.
TABLE_OF_MODULE = {
    "terrain_adapters/x.py": ("[platforms.x]",),
    "terrain_adapters/facebook.py": ("[platforms.facebook]",),
    "terrain_adapters/instagram.py": ("[platforms.instagram]",),
    "terrain_adapters/_graph.py": ("[platforms.facebook]", "[platforms.instagram]"),
    "terrain_adapters/outbox.py": ("[platforms.outbox]",),
    "terrain_adapters/linkedin.py": ("[platforms.linkedin]",),
    "terrain_adapters/mastodon.py": ("[platforms.mastodon]",),
    "terrain_adapters/bluesky.py": ("[platforms.bluesky]",),
    "terrain_adapters/storage/s3.py": ("[storage]",),
    "terrain_adapters/storage/filesystem.py": ("[storage]",),
}


def _is_settings(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "settings"
    return isinstance(node, ast.Attribute) and node.attr == "settings"


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def settings_keys(tree: ast.AST) -> Iterator[str]:
    """The literal keys read from a mapping named ``settings`` in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_settings(node.value):
            key = _string(node.slice)
            if key is not None:
                yield key
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and _is_settings(func.value):
            key = _string(node.args[0]) if node.args else None
            if key is not None:
                yield key
        for arg, following in zip(node.args, node.args[1:], strict=False):
            key = _string(following)
            if _is_settings(arg) and key is not None:
                yield key


@functools.cache
def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@functools.cache
def _tree(path: Path) -> ast.Module:
    """The syntax tree of ``path`` (three readings of ``src/`` share one parse each)."""
    return ast.parse(_text(path))


def _sources(word: str) -> list[Path]:
    """The modules of ``src/`` whose text holds ``word``: only they can hold a name or a
    string with it, so only they are parsed and walked (this runs as every pytest-xdist
    worker collects; parsing all of ``src/`` took ~3 s of CPU in each)."""
    return [path for path in sorted(SRC.rglob("*.py")) if word in _text(path)]


def _code_settings() -> list[tuple[str, str]]:
    """``(module, key)`` for every settings key read in ``src/``."""
    found = set()
    for path in _sources("settings"):
        module = str(path.relative_to(SRC))
        if module.startswith("terrain/testing/"):
            continue  # the test kit's in-memory platform is not configured by users
        tree = _tree(path)
        found |= {(module, key) for key in settings_keys(tree)}
    found |= {("terrain_adapters/outbox.py", k) for k in _OVERRIDABLE_INTS + _OVERRIDABLE_BOOLS}
    return sorted(found)


def _declared_key_lists() -> list[tuple[str, str, str]]:
    """``(module, list name, key)`` for module-level ``*_KEYS`` constants in ``src/``.

    ``_COMMUNITY_KEYS = ("id", ...)`` in ``terrain/store/_config.py`` lists the keys of
    ``[community]``; ``POLICY_KEYS = {"rate": float, ...}`` elsewhere lists keys some
    code reads from a table in a loop, where no literal ``settings.get("key")`` shows.
    """
    found = []
    for path in _sources("_KEYS"):
        module = str(path.relative_to(SRC))
        if module.startswith("terrain/testing/"):
            continue
        for node in _tree(path).body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign):
                targets = [node.target]
            names = [t.id for t in targets if isinstance(t, ast.Name) and t.id.endswith("_KEYS")]
            if not names or node.value is None:
                continue
            value = node.value
            items = value.keys if isinstance(value, ast.Dict) else getattr(value, "elts", [])
            for item in items:
                key = _string(item)
                if key is not None:
                    found.append((module, names[0], key))
    return found


def _env_variables() -> list[str]:
    names = set()
    for path in _sources("TERRAIN_"):
        for node in ast.walk(_tree(path)):
            value = _string(node) if isinstance(node, ast.Constant) else None
            if value and re.fullmatch(r"TERRAIN_[A-Z0-9_]*[A-Z0-9]", value):
                names.add(value)
    return sorted(names)


def _sections(text: str) -> dict[str, str]:
    """Each section of the page by its title (a line underlined with - ~ or =)."""
    lines = text.splitlines()
    titles = [
        i
        for i in range(len(lines) - 1)
        if lines[i].strip()
        and re.fullmatch(r"[-~=^]{3,}", lines[i + 1])
        and len(lines[i + 1]) >= len(lines[i].rstrip())
    ]
    return {
        lines[i].strip().strip("`"): "\n".join(lines[i + 2 : end - 0])
        for i, end in zip(titles, [*titles[1:], len(lines)], strict=True)
    }


PAGE_TEXT = PAGE.read_text(encoding="utf-8")
SECTIONS = _sections(PAGE_TEXT)
CODE_SETTINGS = _code_settings()


def test_the_scan_finds_the_settings_it_must() -> None:
    """The AST scan is not blind: known keys of each kind of reader are found."""
    keys = set(CODE_SETTINGS)
    assert ("terrain_adapters/x.py", "timeout") in keys  # _number(settings, "timeout", ...)
    assert ("terrain_adapters/facebook.py", "page_id") in keys  # settings.get("page_id")
    assert ("terrain_adapters/storage/s3.py", "bucket") in keys  # _text(settings, "bucket")
    assert ("terrain_adapters/outbox.py", "delete") in keys
    assert len(keys) >= 25


@pytest.mark.parametrize("table", _TOP_LEVEL)
def test_every_top_level_table_has_its_section(table: str) -> None:
    assert any(title.startswith(f"[{table}") for title in SECTIONS), f"no section for [{table}]"


KEY_LISTS = _declared_key_lists()


def test_the_key_lists_of_the_config_module_are_found() -> None:
    config = {(name, key) for module, name, key in KEY_LISTS if module.endswith("_config.py")}
    assert {("_COMMUNITY_KEYS", k) for k in _COMMUNITY_KEYS} <= config
    assert {("_STORE_KEYS", k) for k in _STORE_KEYS} <= config
    assert {("_FORMAT_KEYS", k) for k in _FORMAT_KEYS} <= config


@pytest.mark.parametrize(("module", "name", "key"), KEY_LISTS)
def test_every_key_of_a_declared_key_list_is_documented(module: str, name: str, key: str) -> None:
    """``_STORE_KEYS`` of the config module: in the ``[store]`` section; others: on the page."""
    table = re.fullmatch(r"_([A-Z]+)_KEYS", name)
    if module == "terrain/store/_config.py" and table:
        section = f"[{table[1].lower()}]"
        assert section in SECTIONS, f"{section} has no section in configuration.rst"
        assert f"``{key}``" in SECTIONS[section], f"{section} {key} is not documented"
    else:
        assert f"``{key}``" in PAGE_TEXT, (
            f"{module} {name} lists the setting {key!r}: document it in configuration.rst"
        )


def test_the_storage_backend_key_is_documented() -> None:
    assert "``backend``" in SECTIONS["[storage]"]


@pytest.mark.parametrize(("module", "key"), CODE_SETTINGS)
def test_every_setting_read_by_the_code_is_documented(module: str, key: str) -> None:
    tables = TABLE_OF_MODULE.get(module)
    if tables is None:
        assert f"``{key}``" in PAGE_TEXT, (
            f"{module} reads the setting {key!r}, which docs/reference/configuration.rst "
            "does not document (and map the module to its table in this test)"
        )
        return
    for table in tables:
        assert f"``{key}``" in SECTIONS[table], (
            f"{module} reads {table} {key}, which docs/reference/configuration.rst does not "
            f"document in its {table} section"
        )


@pytest.mark.parametrize("name", _env_variables())
def test_every_environment_variable_is_documented(name: str) -> None:
    assert f"``{name}``" in PAGE_TEXT, f"{name} is read by the code but not documented"


def _toml_examples() -> Iterator[tuple[str, str]]:
    for page in sorted((ROOT / "docs").rglob("*.rst")):
        if "_build" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(
            r"^([ \t]*)\.\. code-block:: toml\n((?:\1[ \t]+:.*\n)*)\n((?:\1[ \t]+.*\n|\n)+)",
            text,
            flags=re.MULTILINE,
        ):
            caption = re.search(r":caption:\s*(.*)", match[2])
            if caption and "terrain.toml" not in caption[1]:
                continue  # another file (the credentials file, a plugin's pyproject.toml)
            body = "\n".join(line.strip() for line in match[3].splitlines())
            yield f"{page.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}", body


TOML_EXAMPLES = list(_toml_examples())


def test_there_are_toml_examples_to_check() -> None:
    assert len(TOML_EXAMPLES) >= 5


@pytest.mark.parametrize(("where", "body"), TOML_EXAMPLES, ids=[w for w, _ in TOML_EXAMPLES])
def test_every_terrain_toml_example_uses_real_keys_only(where: str, body: str) -> None:
    """A key shown in an example but read by no code would be silently ignored, or refused."""
    data = tomllib.loads(body)
    known_by_table: dict[str, set[str]] = {"[community]": set(_COMMUNITY_KEYS)}
    known_by_table["[storage]"] = {"backend"}
    known_by_table["[store]"] = set(_STORE_KEYS)
    known_by_table["[format]"] = set(_FORMAT_KEYS)
    known_by_table["[templates]"] = set(KINDS)
    known_by_table["[web]"] = set(_WEB_KEYS)
    known_by_table["[smtp]"] = set(_SMTP_KEYS)
    for module, key in CODE_SETTINGS:
        for table in TABLE_OF_MODULE.get(module, ()):
            known_by_table.setdefault(table, set()).add(key)
    for table in known_by_table:
        if table.startswith("[platforms."):
            # the runner's keys, in every table
            known_by_table[table] |= set(POLICY_KEYS) | set(RUNNER_KEYS)
    assert set(data) <= set(_TOP_LEVEL), f"{where}: unknown tables {set(data) - set(_TOP_LEVEL)}"
    shown = [
        (f"[{t}]", data.get(t, {}))
        for t in ("community", "storage", "store", "format", "templates", "web")
    ]
    shown += [(f"[platforms.{n}]", s) for n, s in data.get("platforms", {}).items()]
    for table, settings in shown:
        if table not in known_by_table:
            continue  # a third-party platform: its own docs say its settings
        unknown = set(settings) - known_by_table[table]
        assert not unknown, f"{where}: {table} has no setting {', '.join(sorted(unknown))}"
