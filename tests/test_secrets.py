"""A revealed secret is masked wherever text about it goes: messages and log lines of
any logger, once a RedactingFilter sits on the handler, the runner's messages and the
command line's output; and nothing else is: a workspace path or a plugin name stays
readable."""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from terrain.cli._common import printable
from terrain.publishing import scrub
from terrain.secrets import (
    MASK,
    MIN_SECRET_LENGTH,
    SECRET_NAME,
    EnvSecrets,
    RedactingFilter,
    Secret,
    redact,
)
from terrain_adapters import _redact

tokens = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="*"),
    min_size=MIN_SECRET_LENGTH,
    max_size=40,
)

#: What an environment variable can hold (no NUL byte).
env_values = tokens.filter(lambda t: "\x00" not in t)


@pytest.fixture
def handler_output() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose records go to a handler carrying a RedactingFilter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("some.library.nobody.registered.deep.child")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)


def test_a_secret_is_masked_from_the_moment_it_is_revealed() -> None:
    secret = Secret("SENTINEL-REVEALED-0001")
    assert redact("a SENTINEL-REVEALED-0001") == "a SENTINEL-REVEALED-0001"  # still in its box
    value = secret.reveal()
    assert redact(f"GET /me?access_token={quote(value)}") == f"GET /me?access_token={MASK}"


def test_a_handler_filter_masks_records_of_any_logger_and_their_tracebacks(
    handler_output: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = handler_output
    value = Secret("SENTINEL-HANDLER-0002").reveal()
    logger.debug("signing base string oauth_token=%s", value)
    try:
        raise RuntimeError(f"401 for https://graph.example/me?access_token={value}")
    except RuntimeError:
        logger.exception("call failed")
    written = stream.getvalue()
    assert value not in written
    assert f"oauth_token={MASK}" in written
    assert f"access_token={MASK}" in written


@given(token=tokens, before=st.text(max_size=15), after=st.text(max_size=15))
def test_no_revealed_secret_survives_a_handler_with_the_filter(
    token: str, before: str, after: str
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("terrain.tests.secrets.property")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        Secret(token).reveal()
        logger.warning("%s%s%s", before, token, after)
        logger.warning("%s%s%s", before, quote(token, safe=""), after)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert token not in stream.getvalue()
    assert quote(token, safe="") not in stream.getvalue()


# -- one registry, and only secrets in it ------------------------------------------------


def unique(label: str) -> str:
    """A value no other test prints (the registry lasts as long as the process)."""
    return f"{label}-{uuid.uuid4().hex[:12]}"


def test_a_token_revealed_by_the_secret_source_is_masked_by_every_mechanism() -> None:
    token = unique("tok")
    secrets = EnvSecrets(environ={"TERRAIN_X_ACCESS_TOKEN": token})
    assert secrets.get("TERRAIN_X_ACCESS_TOKEN").reveal() == token
    message = f"401 for https://api.example/?access_token={token}"
    for masked in (redact(message, {}), scrub(message, {}), _redact.redact(message)):
        assert token not in masked
        assert masked.endswith(MASK)


def test_a_token_from_the_credentials_file_is_masked_once_revealed(tmp_path: Path) -> None:
    token = unique("file-token")
    credentials = tmp_path / "credentials.toml"
    credentials.write_text(f'TERRAIN_FACEBOOK_PAGE_TOKEN = "{token}"\n')
    credentials.chmod(0o600)
    EnvSecrets(environ={}, credentials_file=credentials).get("TERRAIN_FACEBOOK_PAGE_TOKEN").reveal()
    assert redact(f"GET /me?access_token={token}", {}) == f"GET /me?access_token={MASK}"


def test_workspace_paths_and_plugin_names_in_terrain_variables_are_not_masked(
    tmp_path: Path,
) -> None:
    """The defect: every TERRAIN_* value was masked, so messages lost their paths."""
    workspace = str(tmp_path / "velo-lyon")
    environ = {
        "TERRAIN_WORKSPACE": workspace,
        "TERRAIN_LOAD_PLUGINS": "terrain-mastodon",
        "TERRAIN_CREDENTIALS_FILE": f"{workspace}/.terrain/credentials.toml",
        "TERRAIN_NOW": "2026-03-12T23:00:00+01:00",
    }
    message = (
        f"outbox: cannot write {workspace}/outbox/x/p-1.json; plugin terrain-mastodon "
        f"did not load; read {environ['TERRAIN_CREDENTIALS_FILE']} at {environ['TERRAIN_NOW']}"
    )
    assert scrub(message, environ) == message


def test_a_variable_named_like_a_secret_is_masked_even_if_no_adapter_asked_for_it() -> None:
    password = unique("pg-pass")
    environ = {"PGPASSWORD": password, "TERRAIN_S3_SECRET_ACCESS_KEY": unique("s3")}
    masked = scrub(f"password authentication failed ({password})", environ)
    assert password not in masked


_NAMES = st.from_regex(r"TERRAIN_[A-Z]{1,12}(_[A-Z]{1,12}){0,2}", fullmatch=True)


@given(
    name=_NAMES.filter(lambda n: not SECRET_NAME.search(n)),
    value=st.text(st.characters(codec="utf-8"), min_size=MIN_SECRET_LENGTH, max_size=40),
)
def test_no_value_of_a_variable_not_named_as_a_secret_is_ever_masked(name: str, value: str) -> None:
    """A variable whose name is no secret's changes nothing: the text is masked exactly
    as it is without it (other tests of this process may have revealed any value)."""
    text = f"see plain-{value} here"
    assert scrub(text, {name: value}) == scrub(text, {})


@given(
    name=_NAMES.map(lambda n: n + "_TOKEN"),
    value=st.text(st.characters(codec="utf-8"), min_size=MIN_SECRET_LENGTH, max_size=40),
)
def test_every_value_of_a_variable_named_as_a_secret_is_masked(name: str, value: str) -> None:
    value = f"sv-{value}".replace(MASK, "")
    assert value not in scrub(f"see {value} here", {name: value})


def test_cli_errors_are_masked_and_unprintable_characters_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from terrain.cli import main

    token = unique("cli-token")
    monkeypatch.setenv("TERRAIN_X_API_SECRET", token)
    monkeypatch.delenv("TERRAIN_WORKSPACE", raising=False)
    folder = tmp_path / f"ws-{token}-\x1b]0;owned\x07"  # sets the terminal's title
    result = CliRunner().invoke(main, ["member", "list", "--workspace", str(folder)])
    assert result.exit_code == 2
    assert token not in result.output
    assert "\x1b" not in result.output
    assert printable("\x1b]0;owned\x07") in result.output



@given(first=env_values, second=env_values)
def test_the_process_environment_is_read_again_whenever_it_changes(
    first: str, second: str
) -> None:
    """The masks taken from ``os.environ`` are kept between calls (the command line
    redacts every line it prints) but never outlive a change of the environment."""
    import os

    name = f"TERRAIN_TEST_{uuid.uuid4().hex}_TOKEN"
    gone = f"gone-{uuid.uuid4().hex}"
    try:
        os.environ[name] = first
        assert first not in redact(f"sent {first}").replace(MASK, "")
        os.environ[name] = second  # the same variable, a new value
        assert second not in redact(f"sent {second}").replace(MASK, "")
        os.environ[name] = gone
        assert redact(f"sent {gone}") == f"sent {MASK}"
        del os.environ[name]  # no longer a secret of this process: shown again
        assert redact(f"sent {gone}") == f"sent {gone}"
    finally:
        os.environ.pop(name, None)
