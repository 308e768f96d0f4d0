"""``terrain.toml``: reading it strictly, writing a new one.

The file holds no secret. Its tables::

    [community]            id, name, timezone, description, language ("fr" or "en")
    [storage]              backend = "filesystem" (default) and its settings
    [store]                url = "postgresql://user@host:5432/db" (default: .terrain/terrain.db),
                           pool_size = 10 (PostgreSQL connections per process)
    [platforms.<name>]     non-secret settings of one platform (page id, API version…)
    [format]               the community's meetup format (max_talks, max_talk_minutes…),
                           the rules of :func:`terrain.events.check_format`
    [import]               max_file_mb: the largest file `terrain content import` (and a
                           consent's --evidence-file, a member list) accepts, in MB (default
                           100); a bigger one is refused by its size, before it is read.
                           max_megapixels: the largest picture imported, in megapixels
                           (default 120, at most 178); a bigger one is refused from its
                           header, before it is decoded.
                           preset: the columns `terrain member import` reads by default
                           ("terrain", "meetup", "luma", "eventbrite", "helloasso");
                           encoding: of the files imported ("auto", the default: detected)
    [retention]            unpublished_photos_days: photos never published are deleted after
                           that many days (`terrain retention`; default: kept)
    [templates]            the community's own words for a kind of post (recap = "..."),
                           in its language (:mod:`terrain.templates`)
    [web], [smtp]          the members' web pages (`terrain serve`) and the mail that sends
                           their links (:mod:`terrain.store._webconfig`)
    [consent]              guardians = "all" (default) or "any": whose agreement a minor's
                           consent needs among their guardians on record
    [publish]              approval = true: nothing is sent without an approval on the
                           review desk (or `terrain approve`); four_eyes = true: the
                           approver is not who edited the post; blur_unconsented = true:
                           a person without consent whose face region is known is
                           blurred instead of holding the photo back; blur_margin = 0.3

Every problem is a :class:`~terrain.errors.ConfigError` naming the file, the
line and the key, and saying what to write instead.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from terrain._files import DEFAULT_MAX_MEGAPIXELS
from terrain._language import DEFAULT_LANGUAGE
from terrain.community import Community
from terrain.consent import GUARDIAN_RULES, GuardianRule
from terrain.errors import ConfigError, ValidationError
from terrain.events import FormatRules
from terrain.secrets import SECRET_NAME
from terrain.store._webconfig import SmtpSettings, WebSettings, parse_smtp, parse_web
from terrain.templates import KINDS, Template

__all__ = [
    "CONFIG_NAME",
    "DEFAULT_MAX_FILE_MB",
    "IMPORT_PRESETS",
    "RUNNER_KEYS",
    "PublishSettings",
    "WorkspaceConfig",
    "parse_config",
    "render_config",
]

CONFIG_NAME = "terrain.toml"
#: The default of ``[import] max_file_mb``: a photo (or a consent form's scan) above
#: 100 MB is refused by its size, before it is read.
DEFAULT_MAX_FILE_MB = 100

_MB = 1024 * 1024
#: A settings file is a few hundred bytes: a bigger one is not terrain.toml.
_MAX_CONFIG_BYTES = 4 * _MB
_TOP_LEVEL = (
    "community",
    "storage",
    "store",
    "platforms",
    "import",
    "format",
    "templates",
    "web",
    "smtp",
    "retention",
    "consent",
    "publish",
)
_PUBLISH_KEYS = ("approval", "four_eyes", "blur_unconsented", "blur_margin")
_STORE_KEYS = ("url", "pool_size")
_IMPORT_KEYS = ("max_file_mb", "max_megapixels", "preset", "encoding")
_RETENTION_KEYS = ("unpublished_photos_days",)
_CONSENT_KEYS = ("guardians",)
#: The presets ``[import] preset`` may name (terrain.workflows' column maps).
IMPORT_PRESETS = ("terrain", "meetup", "luma", "eventbrite", "helloasso")
#: Pillow refuses outright to open a picture over twice its own limit (178.9 MP).
_MAX_MEGAPIXELS_CAP = 178
_COMMUNITY_KEYS = ("id", "name", "timezone", "description", "language")
#: The keys of ``[format]``: the fields of :class:`terrain.events.FormatRules`.
_FORMAT_KEYS = (
    "min_talks",
    "max_talks",
    "min_talk_minutes",
    "max_talk_minutes",
    "min_qa_minutes",
    "max_qa_minutes",
    "networking_share",
)
#: Keys of a ``[platforms.<name>]`` table that tune the publishing runner (its
#: :class:`~terrain.publishing.PlatformPolicy`), not the platform: they never reach
#: the platform's factory. ``name`` is not one: it is the name the platform is
#: published under, read by the workspace and given to the factory.
RUNNER_KEYS = frozenset(
    {"rate", "daily_budget", "concurrency", "max_attempts", "backoff", "max_backoff", "slots"}
)
#: Setting names that look like secrets: they belong in the environment.
_SECRET_LIKE = SECRET_NAME


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen
class PublishSettings:
    """``[publish]``: the rules of the review desk.

    ``approval``: nothing goes out without an approval of its exact content
    (the runner and the workers hold an unapproved post). ``four_eyes``: the
    approver may not be someone who edited the post (its text, or who is in or
    what describes its photos). ``blur_unconsented``: a photo whose only problem
    is people without consent whose face regions are known goes out with those
    regions blurred (never when a region is unknown); ``blur_margin`` enlarges
    each region by that share of its size on every side.
    """

    approval: bool = False
    four_eyes: bool = False
    blur_unconsented: bool = False
    blur_margin: float = 0.3


@attrs.frozen
class WorkspaceConfig:
    """What ``terrain.toml`` says: the community, the storage, the platforms, the store.

    ``store_url`` is ``None`` for the embedded default (``.terrain/terrain.db``).
    ``meetup_format`` is the ``[format]`` table: the community's rules for
    :func:`terrain.events.check_format` (the field defaults when absent).
    ``guardian_rule`` is ``[consent] guardians``: a minor's consent needs
    ``"all"`` their guardians on record (the default) or ``"any"`` one.
    """

    community: Community
    storage_backend: str = "filesystem"
    storage_settings: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping)
    platforms: Mapping[str, Mapping[str, Any]] = attrs.field(
        factory=dict, converter=_frozen_mapping
    )
    store_url: str | None = None
    store_pool_size: int | None = None
    #: ``[import] max_file_mb``: the largest file imported, in MB.
    max_file_mb: float = DEFAULT_MAX_FILE_MB
    meetup_format: FormatRules = attrs.field(factory=FormatRules)
    #: ``[import] max_megapixels``: the largest picture imported, in megapixels.
    max_megapixels: float = DEFAULT_MAX_MEGAPIXELS
    #: ``[templates]``: the community's own words, by kind of post (checked).
    templates: Mapping[str, Template] = attrs.field(factory=dict, converter=_frozen_mapping)
    #: ``[web]``: the members' web pages (``terrain serve``).
    web: WebSettings = attrs.field(factory=WebSettings)
    #: ``[smtp]``: the mail server that sends members their links (``None``: no mail).
    smtp: SmtpSettings | None = None
    #: ``[import] preset``: the column map files are read with by default.
    import_preset: str = "terrain"
    #: ``[import] encoding``: the encoding of imported files (``"auto"``: detected).
    import_encoding: str = "auto"
    #: ``[retention] unpublished_photos_days``: photos never published are deleted
    #: after that many days (``None``: kept).
    unpublished_photos_days: int | None = None
    #: ``[consent] guardians``: whose agreement a minor's consent needs.
    guardian_rule: GuardianRule = "all"
    #: ``[publish]``: approval, four eyes, blurring instead of holding.
    publish: PublishSettings = attrs.field(factory=PublishSettings)

    @property
    def max_file_bytes(self) -> int:
        """``max_file_mb`` in bytes."""
        return int(self.max_file_mb * _MB)

    @property
    def max_pixels(self) -> int:
        """``max_megapixels`` in pixels."""
        return int(self.max_megapixels * 1_000_000)


def _line_of(text: str, table: str, key: str | None) -> int | None:
    """The line (1-based) where ``key`` is set in ``[table]`` (or the table header)."""
    current = ""
    header = re.compile(r"\s*\[\s*([^\]]+?)\s*\]\s*(#.*)?$")
    for number, line in enumerate(text.splitlines(), start=1):
        match = header.match(line)
        if match:
            current = match.group(1).replace('"', "").replace(" ", "")
            if key is None and current == table:
                return number
            continue
        setting = re.match(rf"\s*\"?{re.escape(key or '')}\"?\s*=", line)
        if key is not None and current == table and setting:
            return number
    return None


class _Reader:
    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def error(self, table: str, key: str | None, message: str) -> ConfigError:
        line = _line_of(self.text, table, key)
        where = f"{self.path}" + (f", line {line}" if line else "")
        name = f"[{table}] {key}" if key and table else (key or f"[{table}]")
        return ConfigError(f"{where}: {name}: {message}")

    def table(self, data: Mapping[str, Any], table: str, key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, Mapping):
            full = f"{table}.{key}" if table else key
            raise self.error(table, key, f"must be a table ([{full}]), got {_toml_type(value)}")
        return value

    def string(self, data: Mapping[str, Any], table: str, key: str, default: str | None) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.error(table, None, f'{key} is missing: add a line {key} = "..."')
        if not isinstance(value, str):
            raise self.error(table, key, f"must be a string (in quotes), got {_toml_type(value)}")
        return value


def _toml_type(value: object) -> str:
    names = {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "an array",
        dict: "a table",
    }
    return names.get(type(value), type(value).__name__)


def parse_config(path: Path) -> WorkspaceConfig:
    """Read ``terrain.toml`` at ``path``; every problem is a :class:`ConfigError`."""
    from terrain._files import UnreadableFile, read_regular_file

    if not path.exists() and not path.is_symlink():
        raise ConfigError(f"{path} does not exist: run `terrain init` to create a workspace")
    try:
        text = read_regular_file(path, max_bytes=_MAX_CONFIG_BYTES).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
            f"{exc.start}): save it as UTF-8 in your editor and retry"
        ) from None
    except UnreadableFile as exc:
        raise ConfigError(f"{path} {exc}: terrain.toml must be a text file") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # the message carries "(at line L, column C)"; it quotes no value
        raise ConfigError(f"{path} is not valid TOML: {exc}; fix that line and retry") from None
    except RecursionError:
        raise ConfigError(
            f"{path} nests arrays or tables too deeply to be terrain settings: terrain.toml "
            "holds a few flat tables (see `terrain init`); fix it and retry"
        ) from None
    reader = _Reader(path, text)
    for key in data:
        if key not in _TOP_LEVEL:
            raise reader.error(
                "", key, f"unknown setting; terrain.toml has the tables {', '.join(_TOP_LEVEL)}"
            )

    community_table = reader.table(data, "", "community")
    if "community" not in data:
        raise ConfigError(
            f"{path}: the [community] table is missing: add [community] with id, name, timezone"
        )
    for key in community_table:
        if key not in _COMMUNITY_KEYS:
            raise reader.error(
                "community", key, f"unknown key; [community] takes {', '.join(_COMMUNITY_KEYS)}"
            )
    values = {
        "id": reader.string(community_table, "community", "id", None),
        "name": reader.string(community_table, "community", "name", None),
        "timezone": reader.string(community_table, "community", "timezone", "UTC"),
        "description": reader.string(community_table, "community", "description", ""),
        "language": reader.string(community_table, "community", "language", DEFAULT_LANGUAGE),
    }
    try:
        community = Community(**values)
    except ValidationError as exc:
        key = (exc.field or "Community.id").split(".")[-1]
        raise reader.error("community", key, str(exc)) from None

    storage = dict(reader.table(data, "", "storage"))
    backend = reader.string(storage, "storage", "backend", "filesystem")
    storage.pop("backend", None)
    _refuse_secrets(reader, "storage", storage)

    platforms_table = reader.table(data, "", "platforms")
    platforms: dict[str, Mapping[str, Any]] = {}
    for name in platforms_table:
        settings = reader.table(platforms_table, "platforms", name)
        _refuse_secrets(reader, f"platforms.{name}", settings)
        platforms[name] = MappingProxyType(dict(settings))

    store_url, pool_size = _store(reader, data, path)
    imports = _import_settings(reader, reader.table(data, "", "import"))
    return WorkspaceConfig(
        community=community,
        storage_backend=backend,
        storage_settings=storage,
        platforms=platforms,
        store_url=store_url,
        store_pool_size=pool_size,
        max_file_mb=_max_file_mb(reader, reader.table(data, "", "import")),
        meetup_format=_format(reader, data),
        max_megapixels=_max_megapixels(reader, reader.table(data, "", "import")),
        templates=_templates(reader, data, community.language),
        web=parse_web(reader.table(data, "", "web"), reader.error),
        smtp=parse_smtp(reader.table(data, "", "smtp") if "smtp" in data else None, reader.error),
        import_preset=imports["import_preset"],
        import_encoding=imports["import_encoding"],
        unpublished_photos_days=_retention(reader, reader.table(data, "", "retention")),
        guardian_rule=_guardian_rule(reader, reader.table(data, "", "consent")),
        publish=_publish(reader, reader.table(data, "", "publish")),
    )


def _guardian_rule(reader: _Reader, table: Mapping[str, Any]) -> GuardianRule:
    for key in table:
        if key not in _CONSENT_KEYS:
            takes = ", ".join(_CONSENT_KEYS)
            raise reader.error("consent", key, f"unknown key; [consent] takes {takes}")
    value = table.get("guardians", "all")
    for rule in GUARDIAN_RULES:
        if value == rule:
            return rule
    shown = repr(value) if isinstance(value, str) else _toml_type(value)
    raise reader.error(
        "consent",
        "guardians",
        f'must be "all" (a minor\'s consent needs every guardian on record, the default) or '
        f'"any" (one guardian is enough), got {shown}',
    )


def _publish(reader: _Reader, table: Mapping[str, Any]) -> PublishSettings:
    """``[publish]``: booleans, and a blur margin from 0 to 1."""
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _PUBLISH_KEYS:
            raise reader.error(
                "publish", key, f"unknown key; [publish] takes {', '.join(_PUBLISH_KEYS)}"
            )
        if key == "blur_margin":
            if isinstance(value, bool) or not isinstance(value, int | float) or not (
                0 <= value <= 1
            ):
                raise reader.error("publish", key, "must be a number from 0 to 1 (e.g. 0.3)")
            values[key] = float(value)
        elif not isinstance(value, bool):
            raise reader.error("publish", key, f"must be true or false (e.g. {key} = true)")
        else:
            values[key] = value
    if values.get("four_eyes") and not values.get("approval"):
        raise reader.error(
            "publish", "four_eyes",
            "four eyes check approvals: set approval = true too (or remove four_eyes)",
        )
    return PublishSettings(**values)


def _templates(reader: _Reader, data: Mapping[str, Any], language: str) -> dict[str, Template]:
    """``[templates]``: one string per kind of post, checked for unknown placeholders."""
    table = reader.table(data, "", "templates")
    out: dict[str, Template] = {}
    for key, value in table.items():
        if key not in KINDS:
            raise reader.error(
                "templates", key, f"unknown kind of post; [templates] takes {', '.join(KINDS)}"
            )
        if not isinstance(value, str) or not value.strip():
            raise reader.error(
                "templates", key, f'must be the text of the post (key = """...""")'
                f", got {_toml_type(value) if not isinstance(value, str) else 'an empty string'}"
            )
        line = _line_of(reader.text, "templates", key) or 1
        if reader.text.splitlines()[line - 1].rstrip().endswith(('"""', "'''")):
            line += 1  # a multi-line string starts on the next line
        out[key] = Template(
            key, language, value, source=f"{reader.path} [templates] {key}", first_line=line
        ).check()
    return out


def _import_settings(reader: _Reader, table: Mapping[str, Any]) -> dict[str, str]:
    """``[import] preset`` and ``encoding``, checked."""
    import codecs

    out = {}
    preset = table.get("preset", "terrain")
    if not isinstance(preset, str) or preset.casefold() not in IMPORT_PRESETS:
        raise reader.error(
            "import", "preset", f"must be one of {', '.join(IMPORT_PRESETS)} (in quotes)"
        )
    out["import_preset"] = preset.casefold()
    encoding = table.get("encoding", "auto")
    if not isinstance(encoding, str):
        raise reader.error("import", "encoding", 'must be text in quotes, e.g. "cp1252"')
    if encoding != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise reader.error(
                "import",
                "encoding",
                f'{encoding!r} is not an encoding Python knows: give "auto", "utf-8", '
                '"cp1252", "latin-1" or "utf-16"',
            ) from None
    out["import_encoding"] = encoding
    return out


def _retention(reader: _Reader, table: Mapping[str, Any]) -> int | None:
    """``[retention] unpublished_photos_days``, checked."""
    for key in table:
        if key not in _RETENTION_KEYS:
            takes = ", ".join(_RETENTION_KEYS)
            raise reader.error("retention", key, f"unknown key; [retention] takes {takes}")
    days = table.get("unpublished_photos_days")
    if days is None:
        return None
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise reader.error(
            "retention",
            "unpublished_photos_days",
            f"must be a whole number of days, at least 1 (e.g. 365), got {days!r}",
        )
    return days



def _max_file_mb(reader: _Reader, table: Mapping[str, Any]) -> float:
    for key in table:
        if key not in _IMPORT_KEYS:
            takes = ", ".join(_IMPORT_KEYS)
            raise reader.error("import", key, f"unknown key; [import] takes {takes}")
    value = table.get("max_file_mb", DEFAULT_MAX_FILE_MB)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 1e6:
        raise reader.error(
            "import",
            "max_file_mb",
            f"must be a number of megabytes above 0 (e.g. max_file_mb = {DEFAULT_MAX_FILE_MB}), "
            f"got {_toml_type(value) if not isinstance(value, int | float) else value}",
        )
    return value


def _max_megapixels(reader: _Reader, table: Mapping[str, Any]) -> float:
    value = table.get("max_megapixels", DEFAULT_MAX_MEGAPIXELS)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= _MAX_MEGAPIXELS_CAP
    ):
        raise reader.error(
            "import",
            "max_megapixels",
            f"must be a number of megapixels above 0 and at most {_MAX_MEGAPIXELS_CAP} (e.g. "
            f"max_megapixels = {DEFAULT_MAX_MEGAPIXELS}), got "
            f"{_toml_type(value) if not isinstance(value, int | float) else value}",
        )
    return float(value)


def _format(reader: _Reader, data: Mapping[str, Any]) -> FormatRules:
    """``[format]``: the community's meetup format, checked like :class:`FormatRules`."""
    table = reader.table(data, "", "format")
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _FORMAT_KEYS:
            raise reader.error(
                "format", key, f"unknown key; [format] takes {', '.join(_FORMAT_KEYS)}"
            )
        if key == "networking_share":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise reader.error(
                    "format",
                    key,
                    f"must be a number from 0 to 1 (0.5: networking at least half of the "
                    f"programme), got {_toml_type(value)}",
                )
            values[key] = float(value)
        elif isinstance(value, bool) or not isinstance(value, int):
            raise reader.error(
                "format", key, f"must be a whole number (e.g. {key} = 2), got {_toml_type(value)}"
            )
        else:
            values[key] = value
    try:
        return FormatRules(**values)
    except ValidationError as exc:
        key = (exc.field or "FormatRules.max_talks").split(".")[-1]
        raise reader.error("format", key, f"{exc}; change it in [format]") from None


def _store(reader: _Reader, data: Mapping[str, Any], path: Path) -> tuple[str | None, int | None]:
    """``[store]``: the URL (checked, never with a password) and the pool size."""
    from terrain.store._url import parse_store_url

    store = reader.table(data, "", "store")
    for key in store:
        if key not in _STORE_KEYS:
            hint = (
                "the password comes from the environment variable TERRAIN_STORE_PASSWORD "
                "(or PGPASSWORD, or ~/.pgpass), never terrain.toml"
                if _SECRET_LIKE.search(key)
                else f"[store] takes {', '.join(_STORE_KEYS)}"
            )
            raise reader.error("store", key, f"unknown key; {hint}")
    url = None
    if "url" in store:
        url = reader.string(store, "store", "url", None)
        try:
            parse_store_url(url, base=path.parent)
        except ConfigError as exc:
            raise reader.error("store", "url", str(exc)) from None
    pool_size = store.get("pool_size")
    if pool_size is not None and (
        not isinstance(pool_size, int) or isinstance(pool_size, bool) or not 1 <= pool_size <= 100
    ):
        raise reader.error("store", "pool_size", "must be a whole number from 1 to 100")
    return url, pool_size


def _refuse_secrets(reader: _Reader, table: str, settings: Mapping[str, Any]) -> None:
    for key in settings:
        if _SECRET_LIKE.search(key):
            prefix = table.split(".")[-1].upper().replace("-", "_")
            raise reader.error(
                table,
                key,
                "looks like a secret, and terrain.toml must hold none: remove it and set "
                f"the environment variable TERRAIN_{prefix}_{key.upper()} instead "
                "(or put it in the credentials file, mode 600)",
            )


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # a JSON string is a valid TOML basic string
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write {value!r} to terrain.toml: use strings, numbers, booleans")


def _bare(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name)


def _not_default(settings: WebSettings | PublishSettings) -> dict[str, Any]:
    """The fields of ``settings`` (a table of terrain.toml) that differ from their default."""
    return {
        field.name: getattr(settings, field.name)
        for field in attrs.fields(type(settings))
        if getattr(settings, field.name) != field.default
    }


def render_config(config: WorkspaceConfig) -> str:
    """A new ``terrain.toml`` for ``config``, with comments for the newcomer."""
    c = config.community
    lines = [
        "# terrain workspace settings. Never put a token here: secrets come from the",
        "# environment (TERRAIN_X_*, TERRAIN_FACEBOOK_*) or a credentials file (mode 600).",
        "",
        "[community]",
        f"id = {_toml_value(c.id)}",
        f"name = {_toml_value(c.name)}",
        f"timezone = {_toml_value(c.timezone)}",
    ]
    if c.description:
        lines.append(f"description = {_toml_value(c.description)}")
    lines.append(f"language = {_toml_value(c.language)}  # of the recaps and updates: fr or en")
    lines += ["", "[storage]", f"backend = {_toml_value(config.storage_backend)}"]
    lines += [f"{_bare(k)} = {_toml_value(v)}" for k, v in config.storage_settings.items()]
    if config.store_url is not None or config.store_pool_size is not None:
        lines += [
            "",
            "# the password comes from $TERRAIN_STORE_PASSWORD (or PGPASSWORD, ~/.pgpass)",
        ]
        lines += ["[store]"]
        if config.store_url is not None:
            lines.append(f"url = {_toml_value(config.store_url)}")
        if config.store_pool_size is not None:
            lines.append(f"pool_size = {config.store_pool_size}")
    for name, settings in config.platforms.items():
        lines += ["", f"[platforms.{_bare(name)}]"]
        lines += [f"{_bare(k)} = {_toml_value(v)}" for k, v in settings.items()]
    default = FormatRules()
    changed = {
        k: getattr(config.meetup_format, k)
        for k in _FORMAT_KEYS
        if getattr(config.meetup_format, k) != getattr(default, k)
    }
    if changed:
        lines += ["", "# the meetup format `terrain event check` holds meetups to", "[format]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in changed.items()]
    web = _not_default(config.web)
    if web:
        lines += ["", "# the members' web pages (terrain serve) and the links in posts", "[web]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in web.items()]
    if config.smtp is not None:
        lines += ["", "# the mail server that sends members their links", "[smtp]"]
        lines += [
            f"{field.name} = {_toml_value(getattr(config.smtp, field.name))}"
            for field in attrs.fields(SmtpSettings)
            if getattr(config.smtp, field.name) is not None
        ]
    publish = _not_default(config.publish)
    if publish:
        lines += ["", "# the review desk: approvals, four eyes, blurring", "[publish]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in publish.items()]
    if config.templates:
        lines += ["", "# the community's own words for each kind of post", "[templates]"]
        lines += [f"{k} = {_toml_value(t.text)}" for k, t in config.templates.items()]
    if config.guardian_rule != "all":
        lines += ["", "# whose agreement a minor's consent needs among their guardians"]
        lines.append("[consent]")
        lines.append(f"guardians = {_toml_value(config.guardian_rule)}")
    imports = []
    if config.max_file_mb != DEFAULT_MAX_FILE_MB:
        imports += ["# the largest photo or form scan accepted, in MB"]
        imports.append(f"max_file_mb = {_toml_value(config.max_file_mb)}")
    if config.max_megapixels != DEFAULT_MAX_MEGAPIXELS:
        imports += ["# the largest picture accepted, in megapixels"]
        imports.append(f"max_megapixels = {_toml_value(config.max_megapixels)}")
    if config.import_preset != "terrain":
        imports.append(f"preset = {_toml_value(config.import_preset)}")
    if config.import_encoding != "auto":
        imports.append(f"encoding = {_toml_value(config.import_encoding)}")
    if imports:
        lines += ["", "[import]", *imports]
    if config.unpublished_photos_days is not None:
        lines += ["", "# photos never published are deleted after that many days", "[retention]"]
        lines.append(f"unpublished_photos_days = {config.unpublished_photos_days}")
    return "\n".join(lines) + "\n"
