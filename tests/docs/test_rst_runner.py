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
