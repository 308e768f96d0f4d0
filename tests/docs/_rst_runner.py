"""Run a reStructuredText page as a script, so that its examples cannot rot.

A page is read top to bottom; every code block is one step, run in one
temporary folder that the steps share, exactly as a reader following the page
would:

``.. code-block:: console``
    ``$ command`` lines (a trailing ``\\`` continues a command on the next
    line), each followed by its expected output. ``$ cd DIR`` moves the
    session; any other command runs in ``bash`` with the virtualenv's
    ``terrain`` first on ``PATH``, stdout and stderr together as a terminal
    shows them. Every command must exit with 0 (a page that shows a failure
    writes ``|| echo "exit code $?"``). When the session sets ``TERRAIN_NOW``,
    the n-th command runs with the clock n seconds later, as a reader types
    one command after the other: each process starts its clock at the
    instant the variable names, so under one value a withdrawal and the
    takedown that follows it would start at the same instant, in any order.
    Expected output is compared line by line (trailing spaces ignored);
    ``...`` matches anything, as in doctests.
``.. doctest::``, ``.. code-block:: pycon``
    Python examples (``>>>``) run with :mod:`doctest` (``ELLIPSIS``), all in
    one namespace, in the session's current folder.
``.. code-block:: toml`` (or any language) with ``:caption: PATH``
    The content of the file PATH (relative to the current folder), which
    must match (``...`` allowed).

Anything else -- a ``::`` literal block, a block of another kind, a console
block without a ``$`` line, a ``$`` line inside a Python block -- is an error:
a block that is silently skipped is a block that can rot.
"""

from __future__ import annotations

import doctest
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from tests import _forkserver

__all__ = ["Block", "Command", "PageError", "Session", "parse_blocks", "run_page"]

_DIRECTIVE = re.compile(r"^(?P<indent>\s*)\.\.\s+(?P<name>[\w:-]+)::\s*(?P<arg>.*?)\s*$")
_CODE_DIRECTIVES = {"code-block", "code", "sourcecode"}
_PYTHON_DIRECTIVES = {"doctest", "testcode", "testoutput"}
_OPTION = re.compile(r"^\s*:(?P<name>[\w-]+):\s*(?P<value>.*?)\s*$")
_FLAGS = doctest.ELLIPSIS


class PageError(AssertionError):
    """The page cannot be run as written, or did not give the output it shows."""


@dataclass(frozen=True)
class Command:
    """One ``$`` line of a console block and the output the page shows for it."""

    line: int
    text: str
    expected: str


@dataclass(frozen=True)
class Block:
    """A code block of the page: ``kind`` is ``console``, ``python`` or ``file``."""

    kind: str
    line: int
    body: str
    caption: str | None = None
    commands: tuple[Command, ...] = ()


def _dedent(lines: list[str]) -> str:
    indents = [len(x) - len(x.lstrip()) for x in lines if x.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(x[cut:].rstrip() for x in lines).strip("\n")


def _parse_console(body: str, first_line: int, where: str) -> tuple[Command, ...]:
    commands: list[Command] = []
    lines = body.splitlines()
    i = 0
    if lines and not lines[0].startswith("$ "):
        raise PageError(f"{where}:{first_line}: a console block must start with a '$ ' line")
    while i < len(lines):
        start = i
        text = lines[i][2:]
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text[:-1].rstrip() + " " + lines[i].strip()
        i += 1
        output: list[str] = []
        while i < len(lines) and not lines[i].startswith("$ "):
            output.append(lines[i])
            i += 1
        commands.append(
            Command(line=first_line + start, text=text.strip(), expected="\n".join(output))
        )
    return tuple(commands)


def parse_blocks(text: str, where: str = "<page>") -> list[Block]:
    """Every code block of ``text``, in order; :class:`PageError` for one we cannot run."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        match = _DIRECTIVE.match(line)
        stripped = line.rstrip()
        if match is None:
            is_comment = stripped.lstrip().startswith("..")
            if stripped.endswith("::") and not is_comment:
                raise PageError(
                    f"{where}:{i + 1}: a '::' literal block cannot be run; use "
                    "'.. code-block:: console' or '.. doctest::'"
                )
            i += 1
            continue
        name = match["name"]
        if name not in _CODE_DIRECTIVES | _PYTHON_DIRECTIVES:
            if name in {"literalinclude", "highlight", "testsetup", "testcleanup"}:
                raise PageError(f"{where}:{i + 1}: '.. {name}::' cannot be run by this runner")
            i += 1
            continue
        indent = len(match["indent"])
        directive_line = i + 1
        i += 1
        options: dict[str, str] = {}
        while i < len(lines) and _OPTION.match(lines[i]):
            option = _OPTION.match(lines[i])
            assert option is not None
            options[option["name"]] = option["value"]
            i += 1
        content: list[str] = []
        content_start = i + 1
        while i < len(lines):
            current = lines[i]
            if current.strip() and len(current) - len(current.lstrip()) <= indent:
                break
            content.append(current)
            i += 1
        while content and not content[0].strip():
            content.pop(0)
            content_start += 1
        body = _dedent(content)
        if not body:
            raise PageError(f"{where}:{directive_line}: an empty code block")
        language = match["arg"] if name in _CODE_DIRECTIVES else "pycon"
        if name in {"testcode", "testoutput"}:
            raise PageError(
                f"{where}:{directive_line}: use '.. doctest::' with '>>>' lines, not {name}"
            )
        if language == "console":
            commands = _parse_console(body, content_start, where)
            blocks.append(Block("console", directive_line, body, commands=commands))
        elif language == "pycon":
            if not body.lstrip().startswith(">>>"):
                raise PageError(f"{where}:{directive_line}: a Python block must start with '>>>'")
            blocks.append(Block("python", directive_line, body))
        elif "caption" in options:
            blocks.append(Block("file", directive_line, body, caption=options["caption"]))
        else:
            raise PageError(
                f"{where}:{directive_line}: a '{language or 'plain'}' block cannot be run: "
                "use console, pycon/doctest, or give it a ':caption: PATH' of the file it shows"
            )
    return blocks


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n") + "\n"


def _mismatch(where: str, line: int, what: str, expected: str, got: str) -> PageError | None:
    checker = doctest.OutputChecker()
    want, have = _normalise(expected), _normalise(got)
    if checker.check_output(want, have, _FLAGS):
        return None
    example = doctest.Example(what, want)
    diff = checker.output_difference(example, have, _FLAGS)
    return PageError(f"{where}:{line}: {what}\n{diff}")


@dataclass
class Session:
    """The state shared by the steps of one page: the folder, the env, the namespace."""

    root: Path
    env: dict[str, str]
    cwd: Path = field(init=False)
    globs: dict[str, object] = field(default_factory=dict)
    ran: list[Block] = field(default_factory=list)
    commands_run: int = 0

    def _env_for_next_command(self) -> dict[str, str]:
        """The environment of the next command: ``TERRAIN_NOW`` one second later each time."""
        self.commands_run += 1
        start = self.env.get("TERRAIN_NOW")
        if not start:
            return self.env
        base = datetime.fromisoformat(start.split("[", 1)[0])
        later = base + timedelta(seconds=self.commands_run - 1)
        return {**self.env, "TERRAIN_NOW": later.isoformat()}

    def __post_init__(self) -> None:
        self.cwd = self.root

    @classmethod
    def isolated(
        cls,
        root: Path,
        extra_env: Mapping[str, str] | None = None,
        *,
        real_processes: bool = False,
    ) -> Session:
        """A session in ``root`` with no ``TERRAIN_*`` variable from the caller's environment.

        Its ``terrain`` commands are forked from a process that imported terrain
        already (:mod:`tests._forkserver`: the same program, folder, environment,
        pipes and exit codes, without a fresh import each); ``real_processes`` runs
        the console script itself instead, a fresh interpreter per command.
        """
        env = {k: v for k, v in os.environ.items() if not k.startswith("TERRAIN_")}
        bin_dir = str(Path(sys.executable).parent)
        env["PATH"] = bin_dir + os.pathsep + env.get("PATH", "")
        env["TERRAIN_LOAD_PLUGINS"] = ""  # only the built-ins: the page shows those
        env["PYTHONIOENCODING"] = "utf-8"
        env["LC_ALL"] = "C.UTF-8"
        env["COLUMNS"] = "100"
        env.update(extra_env or {})
        if not real_processes:
            server = _forkserver.shared(env)
            env["PATH"] = str(server.bin) + os.pathsep + env["PATH"]
        return cls(root=root, env=env)

    @contextmanager
    def _inside(self) -> Iterator[None]:
        before = Path.cwd()
        os.chdir(self.cwd)
        try:
            yield
        finally:
            os.chdir(before)

    def run_console(self, block: Block, where: str) -> None:
        for command in block.commands:
            argv = shlex.split(command.text)
            if argv and argv[0] == "cd":
                if len(argv) != 2:
                    raise PageError(f"{where}:{command.line}: write 'cd DIR'")
                target = (self.cwd / argv[1]).resolve()
                if not target.is_dir():
                    raise PageError(f"{where}:{command.line}: cd: {target} is not a folder")
                self.cwd = target
                got = ""
            else:
                done = subprocess.run(
                    ["bash", "-c", command.text],
                    cwd=self.cwd,
                    env=self._env_for_next_command(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                    encoding="utf-8",
                    timeout=120,
                    check=False,
                )
                got = done.stdout
                if done.returncode != 0:
                    raise PageError(
                        f"{where}:{command.line}: `{command.text}` exited with "
                        f"{done.returncode}:\n{got}"
                    )
            error = _mismatch(where, command.line, f"$ {command.text}", command.expected, got)
            if error is not None:
                raise error

    def run_python(self, block: Block, where: str) -> None:
        test = doctest.DocTestParser().get_doctest(
            block.body, self.globs, f"{where}:{block.line}", where, block.line
        )
        if not test.examples:
            raise PageError(f"{where}:{block.line}: no '>>>' example in this Python block")
        report: list[str] = []
        runner = doctest.DocTestRunner(optionflags=_FLAGS, verbose=False)
        with self._inside():
            runner.run(test, out=report.append, clear_globs=False)
        self.globs.update(test.globs)  # DocTest works on a copy: keep what the block defined
        if runner.failures:
            raise PageError("".join(report))

    def check_file(self, block: Block, where: str) -> None:
        assert block.caption is not None
        path = self.cwd / block.caption
        if not path.is_file():
            raise PageError(f"{where}:{block.line}: the page shows {block.caption}, not found")
        error = _mismatch(
            where, block.line, block.caption, block.body, path.read_text(encoding="utf-8")
        )
        if error is not None:
            raise error

    def run(self, blocks: list[Block], where: str) -> None:
        """Run ``blocks`` in order; the first that fails raises :class:`PageError`."""
        steps = {"console": self.run_console, "python": self.run_python, "file": self.check_file}
        for block in blocks:
            steps[block.kind](block, where)
            self.ran.append(block)


def run_page(
    page: Path,
    root: Path,
    extra_env: Mapping[str, str] | None = None,
    *,
    real_processes: bool = False,
) -> Session:
    """Parse ``page`` and run every block of it in ``root``; returns the session
    (``real_processes``: see :meth:`Session.isolated`)."""
    text = page.read_text(encoding="utf-8")
    blocks = parse_blocks(text, where=page.name)
    session = Session.isolated(root, extra_env, real_processes=real_processes)
    session.run(blocks, where=page.name)
    return session


def count_directives(text: str) -> int:
    """How many code directives ``text`` holds, counted independently of the parser."""
    names = "|".join(sorted(_CODE_DIRECTIVES | _PYTHON_DIRECTIVES))
    return len(re.findall(rf"^\s*\.\.\s+(?:{names})::", text, flags=re.MULTILINE))
