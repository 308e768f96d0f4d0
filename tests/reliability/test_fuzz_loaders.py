"""Fuzzing the loaders: whatever bytes come in, only terrain's documented errors come out.

- :func:`terrain.serialization.from_json`, for every model, with arbitrary JSON
  values, arbitrary text, and valid documents mutated (a value replaced, a key
  dropped, an unknown key added): the result is a model or a
  :class:`~terrain.errors.ValidationError` (``DeserializationError`` is one) —
  never a ``KeyError``, ``TypeError``, ``AttributeError``…; valid documents
  round-trip.
- the consent log's :func:`terrain.consent.event_from_json`, the same way.
- the ``terrain.toml`` loader with arbitrary text and arbitrary TOML structures:
  a :class:`~terrain.store.WorkspaceConfig` or a :class:`~terrain.errors.ConfigError`.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from terrain.consent import Consent, ConsentRecorded, event_from_json, event_to_data
from terrain.errors import ConfigError, ValidationError
from terrain.serialization import from_json, to_json, unstructure
from terrain.store._config import WorkspaceConfig, parse_config
from terrain.testing.strategies import MODEL_STRATEGIES

MODELS = sorted(MODEL_STRATEGIES, key=lambda cls: cls.__name__)
# ~22 models x 4 properties: a few dozen examples each keeps the file around 30 s on
# 2 cores in CI; run with more (e.g. --hypothesis-profile or a larger max_examples) locally.
FUZZ = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    # strings that look like what models hold: ids, dates, enum values
    | st.sampled_from(
        ["", "lea", "2026-03-12", "2026-02-30", "2026-03-12T19:00:00+01:00",
         "2026-03-12T19:00:00", "bar", "photo", "publish", "x", "granted", "../../etc/passwd"]
    )
)  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def load(data: bytes | str, cls: type) -> object | None:
    """``from_json``; a ValidationError is fine (returns None), anything else fails the test."""
    try:
        return from_json(data, cls)
    except ValidationError:
        return None


# -- from_json, every model ------------------------------------------------------------


@pytest.mark.parametrize("cls", MODELS, ids=[c.__name__ for c in MODELS])
@FUZZ
@given(value=json_values)
def test_arbitrary_json_gives_a_model_or_a_validation_error(cls: type, value: Any) -> None:
    load(orjson.dumps(value), cls)


@pytest.mark.parametrize("cls", MODELS, ids=[c.__name__ for c in MODELS])
@FUZZ
@given(text=st.text(max_size=60) | st.binary(max_size=60))
def test_arbitrary_text_gives_a_model_or_a_validation_error(cls: type, text: str | bytes) -> None:
    load(text, cls)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``doc`` (dict keys and list indexes)."""
    found = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += _paths(value, (*prefix, index))
    return found


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


@st.composite
def mutated(draw: st.DrawFn, cls: type) -> Any:
    """A valid document of ``cls`` with one to three mutations."""
    return draw(mutations(unstructure(draw(MODEL_STRATEGIES[cls]))))


@st.composite
def mutations(draw: st.DrawFn, doc: Any) -> Any:
    """``doc`` (plain JSON data) with one to three mutations."""
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        how = draw(st.sampled_from(["replace", "drop", "extra", "retype"]))
        if not path:
            doc = draw(json_values) if how == "replace" else doc
            continue
        parent, last = _at(doc, path[:-1]), path[-1]
        if how == "replace":
            parent[last] = draw(json_values)
        elif how == "drop":
            del parent[last]
        elif how == "extra" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(json_scalars)
        else:  # the same value as another JSON type
            value = parent[last]
            parent[last] = (
                str(value) if not isinstance(value, str) else draw(st.sampled_from([0, [], {}]))
            )
    return doc


@pytest.mark.parametrize("cls", MODELS, ids=[c.__name__ for c in MODELS])
@FUZZ
@given(data=st.data())
def test_mutated_documents_give_a_model_or_a_validation_error(cls: type, data: Any) -> None:
    doc = data.draw(mutated(cls))
    result = load(orjson.dumps(doc), cls)
    if result is not None:  # a mutation that kept it valid: it must still round-trip
        assert from_json(to_json(result), cls) == result


@pytest.mark.parametrize("cls", MODELS, ids=[c.__name__ for c in MODELS])
@FUZZ
@given(data=st.data())
def test_valid_documents_round_trip(cls: type, data: Any) -> None:
    obj = data.draw(MODEL_STRATEGIES[cls])
    assert from_json(to_json(obj), cls) == obj
    assert from_json(to_json(obj, indent=True).encode(), cls) == obj


# -- the consent log ---------------------------------------------------------------------


CONSENT_EVENT_TYPES = ["recorded", "withdrawn", "renewed", "Recorded", ""]


@st.composite
def consent_event_documents(draw: st.DrawFn) -> Any:
    """A consent event document: a known ``type`` (or any JSON there) and fuzzed fields."""
    body = draw(st.dictionaries(st.sampled_from(
        ["consent", "consent_id", "subject_id", "at", "valid_until", "note", "recorded_by"])
        | st.text(max_size=6),
        json_values, max_size=4))  # fmt: skip
    body["type"] = draw(st.sampled_from(CONSENT_EVENT_TYPES) | json_values)
    return body


@settings(max_examples=150, deadline=None)
@given(value=json_values | consent_event_documents())
@example(value={"type": []})  # was a TypeError (unhashable type: 'list')
@example(value={"type": {"a": 1}})
def test_consent_events_read_from_arbitrary_json_fail_only_with_validation_error(
    value: Any,
) -> None:  # fmt: skip
    with contextlib.suppress(ValidationError):
        event_from_json(orjson.dumps(value))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_consent_events_fail_only_with_validation_error(data: Any) -> None:
    consent = data.draw(MODEL_STRATEGIES[Consent].filter(lambda c: len(c.history) == 1))
    valid = event_to_data(ConsentRecorded(consent=consent))
    assert event_from_json(orjson.dumps(valid)) == ConsentRecorded(consent=consent)
    with contextlib.suppress(ValidationError):
        event_from_json(orjson.dumps(data.draw(mutations(valid))))


# -- terrain.toml -------------------------------------------------------------------------


def _toml(value: Any) -> str:
    """``value`` as a TOML value (tables inline, so any nesting is one line)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, str):
        return orjson.dumps(value).decode()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{_toml(str(k))} = {_toml(v)}" for k, v in value.items()) + "}"


toml_scalars = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats()
    | st.text(max_size=16)
    | st.datetimes()
    | st.dates()
    | st.sampled_from(["velo-lyon", "Vélo Lyon", "Europe/Paris", "Mars/Olympus", "filesystem",
                       "s3", "media", "../../etc", "/etc", ""])
)  # fmt: skip
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(min_size=1, max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
KNOWN_KEYS = ["id", "name", "timezone", "description", "backend", "path", "bucket",
              "page_id", "max_file_mb", "x", "facebook", "api_key", "token"]  # fmt: skip
tables = st.dictionaries(st.sampled_from(KNOWN_KEYS) | st.text(min_size=1, max_size=8), toml_values,
                         max_size=4)  # fmt: skip
documents = st.dictionaries(
    st.sampled_from(["community", "storage", "platforms", "import"])
    | st.text(min_size=1, max_size=8),
    tables | toml_values,
    max_size=5,
)


_FOLDER = tempfile.TemporaryDirectory(prefix="terrain-fuzz-")


def parse_text(text: str | bytes) -> WorkspaceConfig | None:
    path = Path(_FOLDER.name) / "terrain.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        return parse_config(path)
    except ConfigError:
        return None


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200) | st.binary(max_size=100))
def test_arbitrary_text_in_terrain_toml_gives_a_config_or_a_config_error(
    text: str | bytes,
) -> None:
    parse_text(text)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_arbitrary_toml_structures_give_a_config_or_a_config_error(
    document: dict[str, Any],
) -> None:
    text = "\n".join(f"{_toml(k)} = {_toml(v)}" for k, v in document.items())
    config = parse_text(text)
    if config is not None:
        assert config.community.id == document["community"]["id"]


@settings(max_examples=100, deadline=None)
@given(
    community=tables,
    storage=tables,
    platforms=st.dictionaries(st.text(min_size=1, max_size=8), tables, max_size=2),
)
def test_toml_with_the_real_tables_and_arbitrary_settings(
    community: dict[str, Any], storage: dict[str, Any], platforms: dict[str, Any]
) -> None:  # fmt: skip
    lines = ["[community]", 'id = "velo-lyon"', 'name = "Vélo Lyon"']
    lines += [f"{_toml(k)} = {_toml(v)}" for k, v in community.items() if k not in ("id", "name")]
    lines += ["[storage]", *(f"{_toml(k)} = {_toml(v)}" for k, v in storage.items())]
    for name, settings_ in platforms.items():
        lines += [
            f"[platforms.{_toml(name)}]",
            *(f"{_toml(k)} = {_toml(v)}" for k, v in settings_.items()),
        ]
    parse_text("\n".join(lines) + "\n")
