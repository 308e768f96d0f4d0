"""The page runner fails loudly: a docs test that cannot fail would be a defect."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.docs._rst_runner import PageError, Session, count_directives, parse_blocks, run_page

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, text: str) -> Session:
    page = tmp_path / "page.rst"
    page.write_text(text, encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    return run_page(page, work)


def test_matching_output_and_ellipsis_pass(tmp_path: Path) -> None:
    session = _run(
        tmp_path,
        ".. code-block:: console\n\n"
        "   $ echo 'photo-1d7f imported'\n"
        "   photo-... imported\n"
        "   $ printf 'a\\n\\nb\\n'\n"
        "   a\n\n   b\n",
    )
    assert [c.text for c in session.ran[0].commands] == [
        "echo 'photo-1d7f imported'",
        "printf 'a\\n\\nb\\n'",
    ]


def test_wrong_expected_output_fails_with_the_difference(tmp_path: Path) -> None:
    with pytest.raises(PageError, match=r"page.rst:3: \$ echo Léa(.|\n)*Expected(.|\n)*Got"):
        _run(tmp_path, ".. code-block:: console\n\n   $ echo Léa\n   Samir\n")


def test_missing_output_fails(tmp_path: Path) -> None:
    """A command whose output the page does not show is a mismatch, not a pass."""
    with pytest.raises(PageError):
        _run(tmp_path, ".. code-block:: console\n\n   $ echo something\n")


def test_a_command_that_fails_fails_the_page(tmp_path: Path) -> None:
    with pytest.raises(PageError, match="exited with 3"):
        _run(tmp_path, ".. code-block:: console\n\n   $ exit 3\n")


def test_a_failure_shown_with_its_exit_code_passes(tmp_path: Path) -> None:
    _run(
        tmp_path,
        ".. code-block:: console\n\n"
        '   $ terrain member list || echo "exit code $?"\n'
        "   Error: no terrain workspace in ...: run `terrain init DIR`...\n"
        "   exit code 2\n",
    )


def test_cd_moves_the_following_commands_and_python_examples(tmp_path: Path) -> None:
    _run(
        tmp_path,
        ".. code-block:: console\n\n   $ mkdir inner\n   $ cd inner\n   $ pwd\n   .../inner\n\n"
        ".. doctest::\n\n   >>> from pathlib import Path\n   >>> Path.cwd().name\n   'inner'\n",
    )


def test_python_examples_share_one_namespace_and_fail_on_wrong_output(tmp_path: Path) -> None:
    text = ".. doctest::\n\n   >>> x = 41\n\nText.\n\n.. doctest::\n\n   >>> x + 1\n   {}\n"
    (tmp_path / "ok").mkdir()
    _run(tmp_path / "ok", text.format(42))
    with pytest.raises(PageError, match="Expected:\n    43\nGot:\n    42"):
        _run(tmp_path, text.format(43))


def test_a_file_block_is_compared_with_the_file(tmp_path: Path) -> None:
    shown = (
        ".. code-block:: console\n\n   $ printf 'id = 1\\n' > a.toml\n\n"
        ".. code-block:: toml\n   :caption: a.toml\n\n   id = {}\n"
    )
    (tmp_path / "ok").mkdir()
    _run(tmp_path / "ok", shown.format(1))
    with pytest.raises(PageError, match=r"a\.toml"):
        _run(tmp_path, shown.format(2))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Run this::\n\n   terrain demo\n", "literal block cannot be run"),
        (".. code-block:: bash\n\n   terrain demo\n", "'bash' block cannot be run"),
        (".. code-block:: console\n\n   terrain demo\n", "must start with a '\\$ ' line"),
        (".. code-block:: python\n\n   print(1)\n", "'python' block cannot be run"),
        (".. doctest::\n\n   print(1)\n", "must start with '>>>'"),
        (".. code-block:: console\n\n", "empty code block"),
        (".. literalinclude:: x.py\n", "cannot be run by this runner"),
    ],
)
def test_a_block_that_cannot_be_run_is_an_error_not_a_skip(text: str, message: str) -> None:
    with pytest.raises(PageError, match=message):
        parse_blocks(text, "page.rst")


def test_the_independent_count_sees_every_code_directive() -> None:
    text = ".. code-block:: console\n\n   $ x\n\n   .. doctest::\n\n      >>> 1\n      1\n"
    assert count_directives(text) == 2


def test_a_changed_output_in_the_tutorial_fails_its_run(tmp_path: Path) -> None:
    """The real page, one expected line altered: the run stops there, naming the line."""
    original = (ROOT / "docs" / "tutorial.rst").read_text(encoding="utf-8")
    altered = original.replace("Added Léa Martin (lea).", "Added Lea Martin (lea).")
    assert altered != original
    page = tmp_path / "tutorial.rst"
    page.write_text(altered, encoding="utf-8")
    with pytest.raises(PageError, match=r"\$ terrain member add lea"):
        run_page(page, tmp_path)


def test_each_command_runs_one_second_after_the_one_before(tmp_path: Path) -> None:
    """Under a set clock, commands come one after the other, as a reader types them."""
    page = tmp_path / "page.rst"
    page.write_text(
        ".. code-block:: console\n\n"
        "   $ echo $TERRAIN_NOW\n   2026-10-25T02:30:00+01:00\n"
        "   $ echo $TERRAIN_NOW\n   2026-10-25T02:30:01+01:00\n",
        encoding="utf-8",
    )
    work = tmp_path / "work"
    work.mkdir()
    run_page(page, work, {"TERRAIN_NOW": "2026-10-25T02:30:00+01:00[Europe/Paris]"})


#: Commands whose output, exit code, stdin and stderr a forked ``terrain`` must give
#: exactly as the console script does (tests/_forkserver.py).
SAME_EITHER_WAY = [
    "terrain --version",
    "terrain --help | head -3",
    "terrain no-such-verb",
    "terrain member list",
    "terrain init velo --community-id velo --name 'Vélo Lyon' --timezone Europe/Paris",
    "cd velo && terrain member add lea --name 'Léa Martin' --handle x=lea_m",
    "cd velo && terrain member add lea --name 'Léa again'",
    "cd velo && terrain member list --json",
    "cd velo && printf 'deux roues, un guidon\\n' | terrain account add camille --role editor"
    " --password-stdin",
    "cd velo && terrain consent grant lea --purpose publish --witness Karim"
    " --at '2026-03-12 19:30'",
    "cd velo && terrain consent list",
    "cd velo && PYTHONUTF8=1 terrain consent list lea",
    "cd velo && terrain member list >/dev/null; echo $?",
    "cd velo && terrain event add e --title T --starts '2026-03-29 02:30' --ends nope",
]


def _transcript(session: Session) -> list[tuple[str, int, str]]:
    import subprocess

    ran = []
    for command in SAME_EITHER_WAY:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=session.root,
            env=session._env_for_next_command(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )
        ran.append((command, done.returncode, done.stdout.replace(str(session.root), "ROOT")))
    return ran


def test_forked_commands_print_and_exit_as_the_console_script_does(tmp_path: Path) -> None:
    """The fork server is a faster way to start the same program, not another program:
    output (stdout and stderr in their order), exit codes and stdin as a fresh process."""
    (tmp_path / "forked").mkdir()
    (tmp_path / "real").mkdir()
    clock = {"TERRAIN_NOW": "2026-03-12T20:00:00+01:00"}
    forked = Session.isolated(tmp_path / "forked", clock)
    real = Session.isolated(tmp_path / "real", clock, real_processes=True)
    which = "command -v terrain"
    assert "terrain-forks-" in subprocess_output(which, forked), "the commands were not forked"
    assert "terrain-forks-" not in subprocess_output(which, real)
    got, expected = _transcript(forked), _transcript(real)
    assert {code for _, code, _ in expected} >= {0, 2}, expected  # failures compared too
    for mine, theirs in zip(got, expected, strict=True):
        assert mine == theirs


def subprocess_output(command: str, session: Session) -> str:
    import subprocess

    return subprocess.run(
        ["bash", "-c", command], env=session.env, capture_output=True, text=True, check=True
    ).stdout


def test_a_forked_command_runs_in_a_process_of_its_own(tmp_path: Path) -> None:
    """Each command is its own process: what one sets in its environment or folder
    does not leak into the next (both run after the server started)."""
    session = Session.isolated(tmp_path, {"TERRAIN_NOW": "2026-03-12T20:00:00+01:00"})
    session.run_console(
        parse_blocks(
            ".. code-block:: console\n\n"
            "   $ terrain member list || echo \"exit code $?\"\n"
            "   Error: no terrain workspace in ...\n"
            "   exit code 2\n"
            "   $ terrain init here --community-id c --name C --timezone UTC >/dev/null\n"
            "   $ cd here\n"
            "   $ TERRAIN_LOAD_PLUGINS=nope terrain member list || echo \"exit code $?\"\n"
            "   ...\n"
            "   $ terrain member list\n"
            "   No member yet...\n"
        )[0],
        "page.rst",
    )
