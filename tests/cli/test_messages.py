"""Messages a person reads on the command line speak their language, not Python's.

The command line printed ``put()``, ``pass walk_in=True``, ``participant_ids``,
``VotingRules(dots=N)`` and Python lists (``['a', 'b']``): advice no one at a
terminal can follow. This test reads every message terrain can show — the
text of every exception raised, every ``echo``, every click error, every
format finding — and refuses Python call syntax, keyword arguments and
snake_case names in them.

Allowed, because the reader is a programmer or the words are theirs to type:

- messages that start with the Python name they are about (``build_agenda:
  …``, ``Mention.member_id: …``): raised for a wrong call from Python, never
  from a command (the command line checks its options first);
- settings of ``terrain.toml`` (``[store] pool_size``, ``max_talks = 2``),
  which the reader writes in that file;
- :class:`~terrain.errors.PluginError`, addressed to plugin authors;
- the test kit (``terrain.testing``), addressed to plugin authors.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from terrain.store._config import _FORMAT_KEYS, _IMPORT_KEYS, _STORE_KEYS, RUNNER_KEYS

SRC = Path(__file__).parents[2] / "src"
#: Packages whose messages are addressed to programmers, or reworded elsewhere.
ELSEWHERE = ("terrain/testing/",)
#: Calls whose string arguments are shown to people.
SHOWN = {"echo", "fail", "BadParameter", "UsageError", "ClickException", "Finding", "add"}
#: Exceptions addressed to plugin authors.
FOR_PLUGIN_AUTHORS = {"PluginError"}
#: The keys a person writes in terrain.toml, named in the messages about them.
TOML_KEYS = {*_FORMAT_KEYS, *_IMPORT_KEYS, *_STORE_KEYS, *RUNNER_KEYS}

_CALL = re.compile(r"[A-Za-z_][\w.]*\((\)|\w+=)")  # put(), VotingRules(dots=
_KEYWORD = re.compile(r"\b[a-z][a-z0-9_]*=(True|False|None|\[|\{|(?=[\s)]|$))")  # walk_in=True
_SNAKE = re.compile(r"(?<![\w.\-/\[$=])[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?![\w(])")
_ABOUT_PYTHON = re.compile(r"^[A-Za-z_]\w*(\.\w+)?(=[^\s:]*)?: ")  # "build_agenda: ", "now=…: "
#: A formatted value shown as a Python collection: f"{sorted(ids)}".
_REPR_CALLS = {"sorted", "list", "tuple", "set", "dict"}
_HOLE = "\x00"


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _text(node: ast.expr) -> Iterator[str]:
    """The literal parts of a message, each formatted value as a hole (or a flag)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                yield value.value
            elif isinstance(value, ast.FormattedValue):
                shown = value.value
                if isinstance(shown, ast.Call) and _name(shown.func) in _REPR_CALLS:
                    yield "[PYTHON COLLECTION]"
                yield _HOLE
    elif isinstance(node, ast.BinOp):
        yield from _text(node.left)
        yield from _text(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _text(node.body)
        yield from _text(node.orelse)


def messages() -> Iterator[tuple[str, int, str]]:
    """``(file, line, text)`` of every message terrain shows people."""
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC).as_posix()
        if where.startswith(ELSEWHERE):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            called = _name(node.func)
            raised = called.endswith(("Error", "Conflict", "NotFound", "Denied", "Rejected"))
            if called in FOR_PLUGIN_AUTHORS or not (raised or called in SHOWN):
                continue
            for arg in node.args[:3]:
                text = "".join(_text(arg))
                if text.strip(_HOLE).strip():
                    yield where, node.lineno, text


def python_in(text: str) -> list[str]:
    """What in ``text`` is Python rather than words."""
    if _ABOUT_PYTHON.match(text):
        return []
    found = [m.group(0) for m in _CALL.finditer(text)]
    keywords = list(_KEYWORD.finditer(text))
    found += [m.group(0) for m in keywords]
    found += ["a Python collection"] * text.count("[PYTHON COLLECTION]")
    for m in _SNAKE.finditer(text):
        before, after = text[: m.start()], text[m.end() :]
        if any(k.start() <= m.start() < k.end() for k in keywords):
            continue  # already reported as a keyword argument
        if m.group(0) in TOML_KEYS:
            continue
        if re.search(r"\]\s+$", before) or re.match(r"\s+=", after):
            continue  # a setting of terrain.toml: "[store] pool_size", "user_id = ..."
        found.append(m.group(0))
    return found


def test_the_scan_finds_the_messages_it_is_about() -> None:
    """The scan sees the messages that were wrong (so it would see them again)."""
    seen = list(messages())
    assert len(seen) > 300
    assert any("no RSVP for event" in text for _, _, text in seen)
    assert python_in("replace it on purpose with put()") == ["put()"]
    assert python_in("pass walk_in=True to check in") == ["walk_in=True"]
    assert python_in("add them to participant_ids first") == ["participant_ids"]
    assert python_in("use VotingRules(dots=N) for dot-voting") == ["VotingRules(dots="]
    assert python_in("given_by=[...] names the guardians") == ["given_by=["]
    assert python_in("its ideas: [PYTHON COLLECTION]\x00") == ["a Python collection"]
    assert python_in("raise [store] pool_size, or set max_talks = 2") == []
    assert python_in("build_agenda: welcome_minutes is 0") == []


@pytest.mark.parametrize(("where", "line", "text"), list(messages()), ids=lambda v: str(v)[:40])
def test_no_message_shown_on_the_command_line_speaks_python(
    where: str, line: int, text: str
) -> None:
    found = python_in(text)
    assert not found, f"{where}:{line}: {found} in {text.replace(_HOLE, '…')!r}"
