"""A revealed secret is masked wherever text about it goes: messages and log lines of
any logger, once a RedactingFilter sits on the handler."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain.secrets import MASK, MIN_SECRET_LENGTH, RedactingFilter, Secret, redact

tokens = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="*"),
    min_size=MIN_SECRET_LENGTH,
    max_size=40,
)


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
