"""Token masking shared by the adapters: in messages and in the libraries' log lines."""

from __future__ import annotations

import logging
from urllib.parse import quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from terrain_adapters._redact import MASK, MIN_SECRET_LENGTH, redact, register

# A prefix no other test prints: the registry is the process's, and lasts.
tokens = st.text(alphabet=st.characters(codec="utf-8"), max_size=60).map(
    lambda t: f"tok-{t}".ljust(MIN_SECRET_LENGTH, "~")
).filter(lambda t: MASK not in t)


@given(token=tokens, before=st.text(max_size=20), after=st.text(max_size=20))
def test_a_registered_token_never_survives_redaction_raw_or_url_encoded(
    token: str, before: str, after: str
) -> None:
    register(token)
    for form in (token, quote(token, safe=""), quote_plus(token, safe="")):
        assert token not in redact(f"{before}{form}{after}")
        assert form not in redact(f"{before}{form}{after}")


def test_short_values_are_not_masked_so_messages_stay_readable() -> None:
    register("k3y")
    assert redact("make key k3y") == "make key k3y"


@pytest.mark.parametrize(
    "logger", ["urllib3.connectionpool", "requests_oauthlib.oauth1_auth", "oauthlib.oauth1.rfc5849"]
)
def test_log_records_of_the_http_libraries_are_masked_before_any_handler(
    logger: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    register("SENTINEL-TOKEN-123")
    logging.getLogger(logger).debug("GET /v23.0/me?access_token=%s", "SENTINEL-TOKEN-123")
    assert caplog.records[-1].getMessage() == "GET /v23.0/me?access_token=***"
