"""The workspace: a folder holding a community's records, consents and media.

::

    my-community/
    ├── terrain.toml          community, storage and platform settings (no secret)
    ├── .terrain/terrain.db   SQLite (WAL): records, consent events, decisions, journal
    └── media/                photos/ and consents/ (the default filesystem storage)

With ``[store] url = "postgresql://…"`` in terrain.toml the records live in
PostgreSQL instead (see :meth:`Database.connect <terrain.store.Database.connect>`).
"""

from __future__ import annotations

import builtins
import functools
import importlib
import os
import threading
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from terrain._gc import collector_paused
from terrain.community import Community, Member
from terrain.errors import (
    ConfigError,
    Conflict,
    DeserializationError,
    NotFound,
    ValidationError,
)
from terrain.secrets import EnvSecrets, SecretSource
from terrain.store._config import (
    CONFIG_NAME,
    RUNNER_KEYS,
    WorkspaceConfig,
    parse_config,
    render_config,
)
from terrain.store._db import Database
from terrain.store._field import check_field_references, record_key
from terrain.store._registry import find_factory, known_names, platform_factories

if TYPE_CHECKING:
    from datetime import datetime

    from terrain.consent import (
        Consent,
        ConsentEvent,
        ConsentLedger,
        DecisionRecord,
        ListedConsent,
        StoredEvent,
    )
    from terrain.content import Content, ContentSummary, ListedContent
    from terrain.plugins import Platform, PluginManager, Storage
    from terrain.posts import Capabilities, HandleFinder
    from terrain.store._history import Change
    from terrain.store._references import Dependent, Removal
    from terrain.templates import Templates

__all__ = [
    "DATA_DIR",
    "DB_NAME",
    "KIND_TYPES",
    "RECORD_KINDS",
    "WORKSPACE_ENV_VAR",
    "Workspace",
]

T = TypeVar("T")


def to_json(obj: object) -> str:
    """:func:`terrain.serialization.to_json`, imported by the first write: a listing
    that reads no record whole imports no converter (cattrs)."""
    from terrain.serialization import to_json as dump

    return dump(obj)


def from_json(data: str, cls: type[T]) -> T:
    """:func:`terrain.serialization.from_json`, imported by the first whole read (see
    :func:`to_json`)."""
    from terrain.serialization import from_json as load

    return load(data, cls)

#: How many decoded contents and members a workspace keeps for reading them again (then
#: it starts over).
CONTENTS_KEPT = 8192

#: The kinds of record :meth:`Workspace._read` decodes once per stored text.
_DECODED_ONCE = frozenset({"content", "member"})

#: Environment variable naming the workspace folder (like ``GIT_DIR``).
WORKSPACE_ENV_VAR = "TERRAIN_WORKSPACE"
#: Environment variable naming a credentials file (default ``.terrain/credentials.toml``).
CREDENTIALS_ENV_VAR = "TERRAIN_CREDENTIALS_FILE"
DATA_DIR = ".terrain"
#: The folder next to terrain.toml holding the community's own templates.
TEMPLATES_DIR = "templates"
DB_NAME = "terrain.db"

#: Where the record type of each kind lives: ``kind -> (package, class name)``. A
#: command imports the modules of the kinds it reads, not every record type's.
_KIND_CLASSES: dict[str, tuple[str, str]] = {
    "member": ("terrain.community", "Member"),
    "venue": ("terrain.events", "Venue"),
    "event": ("terrain.events", "Event"),
    "partner": ("terrain.partnerships", "Partner"),
    "partnership": ("terrain.partnerships", "Partnership"),
    "content": ("terrain.content", "Content"),
    "project": ("terrain.projects", "Project"),
    "workshop": ("terrain.workshops", "Workshop"),
    "series": ("terrain.events", "Series"),
    "attendance": ("terrain.events", "Attendance"),
    "contribution": ("terrain.partnerships", "Contribution"),
    "vote": ("terrain.workshops", "Vote"),
    "project-photo": ("terrain.projects", "ProjectPhoto"),
}
_KIND_OF_NAME = {name: kind for kind, (_package, name) in _KIND_CLASSES.items()}


def _record_type(kind: str) -> type:
    package, name = _KIND_CLASSES[kind]
    cls: type = getattr(importlib.import_module(package), name)
    return cls


class _Kinds(Mapping[Any, Any]):
    """A table of the record kinds, filled when first read (it imports every record
    type's module): ``RECORD_KINDS`` and ``KIND_TYPES`` behave as the dicts they were."""

    def __init__(self, by_type: bool) -> None:
        self._by_type = by_type
        self._table: dict[Any, Any] | None = None

    def _filled(self) -> dict[Any, Any]:
        if self._table is None:
            pairs = [(kind, _record_type(kind)) for kind in _KIND_CLASSES]
            self._table = {c: k for k, c in pairs} if self._by_type else dict(pairs)
        return self._table

    def __getitem__(self, key: Any) -> Any:
        return self._filled()[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._filled())

    def __len__(self) -> int:
        return len(_KIND_CLASSES)

    def __repr__(self) -> str:
        return repr(self._filled())


#: The record types a workspace stores, and the kind name each is stored under.
RECORD_KINDS: Mapping[type, str] = _Kinds(by_type=True)

#: The record type stored under each kind name (``"member"`` -> :class:`~terrain.Member`).
KIND_TYPES: Mapping[str, type] = _Kinds(by_type=False)

#: How a user lists each kind, for "not found" messages.
_HOW_TO_LIST = {
    "member": "`terrain member list`",
    "event": "`terrain event list`",
    "content": "`terrain content list`",
    "venue": "`terrain venue list`",
    "series": "`terrain series list`",
    "partner": "`terrain partner list`",
    "partnership": "`terrain partner list`",
    "project": "`terrain project list`",
    "workshop": "`terrain workshop list`",
    "attendance": "`terrain attendance EVENT`",
    "vote": "`terrain workshop results WORKSHOP`",
    "contribution": "`terrain partner report PARTNER`",
}


def _a(kind: str) -> str:
    """``a member``, ``an event``."""
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def _kind(cls: type) -> str:
    kind = _KIND_OF_NAME.get(cls.__name__)
    if kind is not None and _record_type(kind) is cls:  # its module is imported already
        return kind
    names = ", ".join(c.__name__ for c in RECORD_KINDS)
    raise ValidationError(f"a workspace does not store {cls.__name__} records; it stores {names}")


class Workspace:
    """A community's workspace: records in its store (SQLite, or PostgreSQL when
    ``[store] url`` says so), media in a Storage.

    Create one with :meth:`init`, open it with :meth:`open` or :meth:`find`;
    use it as a context manager (or call :meth:`close`). Records are the
    domain models (:class:`~terrain.Member`, :class:`~terrain.Event`,
    :class:`~terrain.Content`…) stored as JSON; every write is one
    transaction, so a failure never leaves half a record.
    """

    def __init__(
        self,
        root: Path,
        config: WorkspaceConfig,
        db: Database,
        *,
        environ: Mapping[str, str] | None = None,
        storage: Storage | None = None,
        actor: str | None = None,
    ) -> None:
        self.root = root
        self.config = config
        self.db = db
        self._environ = os.environ if environ is None else environ
        self._storage = storage
        self._secrets: SecretSource | None = None
        self._plugins: PluginManager | None = None
        # The consent ledger, kept in memory and brought up to date before each use
        # (see _refresh_ledger): what it has read so far, and a lock that holds it
        # still while a decision reads it.
        self._ledger_lock = threading.RLock()
        self._ledger: ConsentLedger | None = None
        self._ledger_seq = 0  # last consent event applied
        self._ledger_rev = -1  # last member revision applied
        self._ledger_events = 0  # events the cached ledger holds (all stored)
        self._ledger_scope: frozenset[str] | None = None  # people loaded (None: everyone)
        # Contents read from the store by their stored JSON (see _read): a content
        # read again as stored is not decoded again.
        #: decoded contents and members by their stored text (see :meth:`_read`)
        self._decoded: dict[str, object] = {}
        self._actor = actor

    # -- creating, opening, finding -------------------------------------------------------

    @classmethod
    def init(
        cls,
        path: Path | str,
        *,
        community: Community,
        storage_backend: str = "filesystem",
        storage_settings: Mapping[str, Any] | None = None,
        platforms: Mapping[str, Mapping[str, Any]] | None = None,
        environ: Mapping[str, str] | None = None,
        store_url: str | None = None,
    ) -> Workspace:
        """Create a workspace in folder ``path`` (created if needed) and open it.

        ``store_url`` (``postgresql://user@host:5432/db``) keeps the records in
        that database, migrated to the workspace schema, instead of
        ``.terrain/terrain.db``; it is written to ``[store] url``. Refuses
        (:class:`~terrain.errors.Conflict`) when ``path`` already holds a
        workspace: nothing there is touched.
        """
        root = Path(path).absolute()
        if not isinstance(community, Community):
            raise ValidationError(
                f"community must be a terrain.Community, got {type(community).__name__}"
            )
        for existing in (root / CONFIG_NAME, root / DATA_DIR):
            if existing.exists():
                raise Conflict(
                    f"{root} already holds a terrain workspace ({existing.name} exists); "
                    "open it instead, or choose another folder"
                )
        if root.exists() and not root.is_dir():
            raise ConfigError(f"{root} is a file, not a folder: choose a folder for the workspace")
        config = WorkspaceConfig(
            community=community,
            storage_backend=storage_backend,
            storage_settings=dict(storage_settings or {}),
            platforms={k: dict(v) for k, v in (platforms or {}).items()},
            store_url=store_url,
        )
        text = render_config(config)
        created_root = not root.exists()
        root.mkdir(parents=True, exist_ok=True)
        try:
            (root / DATA_DIR).mkdir()
            (root / DATA_DIR / ".gitignore").write_text(
                "# terrain's database and credentials: back them up, never commit them\n*\n"
            )
            (root / CONFIG_NAME).write_text(text, encoding="utf-8")
            config = parse_config(root / CONFIG_NAME)
            db = _open_store(root, config, environ, create=True)
        except BaseException:
            import shutil

            # leave the folder as it was: no half-made workspace
            shutil.rmtree(root / DATA_DIR, ignore_errors=True)
            (root / CONFIG_NAME).unlink(missing_ok=True)
            if created_root:
                shutil.rmtree(root, ignore_errors=True)
            raise
        return cls(root, config, db, environ=environ)

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        environ: Mapping[str, str] | None = None,
        storage: Storage | None = None,
        read_only: bool = False,
        actor: str | None = None,
    ) -> Workspace:
        """Open the workspace in folder ``path``.

        ``storage`` replaces the configured storage (tests, tools that bring
        their own); by default it is built from ``[storage]`` on first use.
        ``read_only`` opens its records for reading only: nothing is migrated
        or written, and a write raises :class:`~terrain.errors.StorageError`
        (shell completion looks up ids this way). ``actor`` is who the changes
        made through it are recorded as (:attr:`actor`).
        """
        root = Path(path).absolute()
        if not (root / CONFIG_NAME).is_file():
            raise NotFound(
                f"{root} is not a terrain workspace (no {CONFIG_NAME}); create one with "
                f"`terrain init {path}` or point --workspace / {WORKSPACE_ENV_VAR} at an "
                "existing one"
            )
        config = parse_config(root / CONFIG_NAME)
        db_path = root / DATA_DIR / DB_NAME
        if config.store_url is None and not db_path.is_file():
            raise NotFound(
                f"{root} has a {CONFIG_NAME} but no database ({DATA_DIR}/{DB_NAME}); restore "
                "it from a backup, or move terrain.toml away and run `terrain init` again"
            )
        db = _open_store(root, config, environ, read_only=read_only)
        return cls(root, config, db, environ=environ, storage=storage, actor=actor)

    @staticmethod
    def locate(
        start: Path | str | None = None, *, environ: Mapping[str, str] | None = None
    ) -> Path:
        """The workspace folder: ``$TERRAIN_WORKSPACE`` if set, else the first of
        ``start`` (default: the current folder) and its parents holding a
        ``terrain.toml``, like git finds its repository."""
        env = os.environ if environ is None else environ
        if env.get(WORKSPACE_ENV_VAR):
            return Path(env[WORKSPACE_ENV_VAR]).absolute()
        here = Path(start if start is not None else Path.cwd()).absolute()
        for folder in (here, *here.parents):
            if (folder / CONFIG_NAME).is_file():
                return folder
        raise NotFound(
            f"no terrain workspace in {here} or its parents: run `terrain init DIR`, "
            f"or give --workspace DIR (or set {WORKSPACE_ENV_VAR})"
        )

    @classmethod
    def find(
        cls,
        start: Path | str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        read_only: bool = False,
        actor: str | None = None,
    ) -> Workspace:
        """Open the workspace found by :meth:`locate` (``read_only`` and ``actor`` as in
        :meth:`open`)."""
        return cls.open(
            cls.locate(start, environ=environ), environ=environ, read_only=read_only, actor=actor
        )

    def close(self) -> None:
        """Close the database, and let go of what the workspace keeps in memory (its
        consent ledger, the records it decoded). The workspace cannot be used afterwards.

        What it kept is freed here, not whenever the garbage collector next scans
        the heap: the workspace and its ledger refer to each other, and a
        publication's ledger and photos are a hundred thousand objects."""
        try:
            self.db.close()
        finally:
            with self._ledger_lock:
                self._ledger = None
                self._decoded = {}

    def __enter__(self) -> Workspace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workspace {self.config.community.id!r} at {str(self.root)!r}>"

    @property
    def commits(self) -> int:
        """How many write transactions this workspace has committed since it was opened:
        compare it before and after a call to know whether the call saved anything."""
        return self.db.backend.commits

    def upgrade_notes(self) -> builtins.list[tuple[int, str]]:
        """What the schema migrations run when this workspace was opened did to its data:
        ``(version, note)`` pairs, empty when nothing was migrated or noted."""
        return self.db.notes(self.db.migrated_now) if self.db.migrated_now else []

    # -- configuration, secrets, plugins ---------------------------------------------------

    @property
    def community(self) -> Community:
        """The community this workspace belongs to (from ``terrain.toml``)."""
        return self.config.community

    def templates(self) -> Templates:
        """The community's templates, in its language: each kind from
        ``templates/<kind>.<language>.txt`` next to terrain.toml, or from its
        ``[templates]`` table, or terrain's default.

        A template with an unknown placeholder, a file that is not UTF-8, or a
        kind given in both places is a :class:`~terrain.errors.ConfigError`
        naming the file and the line.
        """
        from terrain.templates import KINDS, Template, Templates

        language = self.community.language
        own = dict(self.config.templates)
        folder = self.root / TEMPLATES_DIR
        if folder.is_dir():
            for path in sorted(folder.glob(f"*.{language}.txt")):
                kind = path.name[: -len(f".{language}.txt")]
                if kind not in KINDS:
                    raise ConfigError(
                        f"{path}: no kind of post {kind!r}; name a template file "
                        f"<kind>.{language}.txt with a kind among {', '.join(KINDS)}"
                    )
                if kind in own:
                    raise ConfigError(
                        f"{path}: the {kind} template is also in terrain.toml "
                        f"([templates] {kind}); keep one of them"
                    )
                try:
                    text = path.read_text(encoding="utf-8")
                except UnicodeDecodeError:
                    raise ConfigError(
                        f"{path} is not UTF-8 text: save it as UTF-8 in your editor and retry"
                    ) from None
                except OSError as exc:
                    raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
                own[kind] = Template(kind, language, text.rstrip("\n"), source=str(path)).check()
        return Templates(language=language, own=own)

    @property
    def actor(self) -> str:
        """Who the changes made through this workspace are recorded as (the history's
        "who"): the ``actor`` it was opened with (``terrain --by NAME``), else
        ``$TERRAIN_USER``, else the operating system's user name."""
        from terrain.store._history import actor_from

        return actor_from(self._environ, self._actor)

    @property
    def secrets(self) -> SecretSource:
        """Tokens from the environment (``TERRAIN_*``) or the credentials file.

        The credentials file is ``$TERRAIN_CREDENTIALS_FILE`` or
        ``.terrain/credentials.toml``; it must be mode 600.
        """
        if self._secrets is None:
            file = self._environ.get(CREDENTIALS_ENV_VAR)
            path = Path(file) if file else self.root / DATA_DIR / "credentials.toml"
            self._secrets = EnvSecrets(self._environ, credentials_file=path)
        return self._secrets

    @property
    def plugins(self) -> PluginManager:
        """The workspace's plugin manager, built on first use and kept: every
        platform, storage and hook call of this workspace goes through it."""
        if self._plugins is None:
            from terrain.plugins import get_plugin_manager

            self._plugins = get_plugin_manager(environ=self._environ)
        return self._plugins

    @property
    def storage(self) -> Storage:
        """Where media and consent forms are kept (``[storage]`` in terrain.toml)."""
        if self._storage is None:
            from terrain.plugins import StorageContext

            backend = self.config.storage_backend
            factory = find_factory(
                "storage", backend, self._environ, "[storage] backend", manager=self.plugins
            )
            context = StorageContext(
                settings=self.config.storage_settings, root=self.root, secrets=self.secrets
            )
            self._storage = factory(context)
        return self._storage

    def platform_names(self) -> list[str]:
        """Every platform that can be published to, sorted: those the installed plugins
        offer, under the name terrain.toml gives them (``[platforms.outbox] name =
        "x-preview"`` lists ``x-preview`` instead of ``outbox``)."""
        return self._publishable(set(known_names("platform", self._environ, self.plugins)))

    def _publishable(self, registered: set[str]) -> list[str]:
        addresses = self._platform_addresses()
        renamed = {t for t, a in addresses.items() if a != t}
        return sorted((registered - renamed) | set(addresses.values()))

    def _platform_addresses(self) -> dict[str, str]:
        """``[platforms.<table>]`` -> the name that platform is published under (its
        ``name`` setting, else the table's name)."""
        out = {}
        for table, settings in self.config.platforms.items():
            named = settings.get("name", table)
            if not isinstance(named, str) or not named.strip():
                raise ConfigError(
                    f"[platforms.{table}] name = {named!r} in terrain.toml: give the name to "
                    'publish under, in quotes (e.g. name = "x-preview")'
                )
            out[table] = named
        return out

    def _platform_setup(self, name: str) -> tuple[Any, str | None, dict[str, Any]]:
        """How to build the platform published as ``name``: (the registered factory,
        the ``[platforms.<table>]`` it is configured in or ``None``, the settings for
        the factory: the table without the runner's keys)."""
        addresses = self._platform_addresses()
        factories = platform_factories(self._environ, self.plugins)
        registered = set(factories)
        by_address: dict[str, str] = {}
        for table, address in addresses.items():
            if address in by_address:
                raise ConfigError(
                    f"[platforms.{by_address[address]}] and [platforms.{table}] in terrain.toml "
                    f"are both named {address!r}: give each platform its own name"
                )
            if address != table and address in registered:
                raise ConfigError(
                    f"[platforms.{table}] name = {address!r} in terrain.toml is the name of "
                    f"another platform ({address}): the publication journal could not tell "
                    f'them apart; choose another name (e.g. name = "{address}-preview")'
                )
            by_address[address] = table
        if name in addresses and addresses[name] != name:
            raise ConfigError(
                f"[platforms.{name}] in terrain.toml names this platform "
                f"{addresses[name]!r}: publish to it as {addresses[name]!r}"
            )
        configured = by_address.get(name)
        factory_name = configured or name
        if factory_name not in factories:
            where = f"[platforms.{configured}]" if configured is not None else None
            # raises: unknown (blaming the table only when there is one), the closest name
            find_factory(
                "platform",
                factory_name,
                self._environ,
                where,
                also_known=self._publishable(registered),
                manager=self.plugins,
            )
        if configured is None:
            return factories[name], None, {}
        settings = self.config.platforms[configured]
        kept = {k: v for k, v in settings.items() if k not in RUNNER_KEYS}
        return factories[configured], configured, kept

    def platform_settings(self, name: str) -> Mapping[str, Any]:
        """The whole ``[platforms.<table>]`` table of the platform published as ``name``
        (the runner's keys included), empty when terrain.toml has none."""
        _factory, table, _settings = self._platform_setup(name)
        return self.config.platforms[table] if table is not None else {}

    def platform(self, name: str) -> Platform:
        """Build the platform published as ``name``, with its ``[platforms.<name>]`` settings.

        ``name`` is a platform the plugins offer, or the ``name`` a table of
        terrain.toml gives one (``[platforms.outbox] name = "x-preview"``).
        Unknown names raise :class:`~terrain.errors.ConfigError` listing the
        known ones and suggesting the closest; a missing token raises
        :class:`~terrain.errors.MissingSecret` naming the variable to set. The
        runner's keys (``rate``, ``daily_budget``…) never reach the factory.
        """
        from terrain.plugins import PlatformContext

        factory, table, settings = self._platform_setup(name)
        where = f"[platforms.{table}]" if table is not None else None
        context = PlatformContext(
            settings=settings,
            secrets=self.secrets,
            storage=self.storage,
            root=self.root,
        )
        platform: Platform = factory(context)
        if platform.name != name:
            raise ConfigError(
                f"{where or 'the platform'} in terrain.toml: the {factory.name} platform calls "
                f"itself {platform.name!r}, not {name!r}, and the publication journal knows "
                f"platforms by name; remove its name setting or publish to {platform.name!r}"
            )
        return platform

    def capabilities(self, name: str) -> Capabilities:
        """What the platform published as ``name`` accepts, without its tokens where the
        plugin allows.

        Asks the factory's optional ``capabilities_for(settings)`` (see
        :class:`~terrain.plugins.PlatformFactory`); a factory without it (or
        answering ``None``) is built as :meth:`platform` does, which may need
        its tokens.
        """
        from terrain.errors import PluginError
        from terrain.posts import Capabilities

        factory, _table, settings = self._platform_setup(name)
        capabilities_for = getattr(factory, "capabilities_for", None)
        capabilities = None
        if capabilities_for is not None:
            capabilities = capabilities_for(settings)
        if capabilities is None:
            return self.platform(name).capabilities
        if not isinstance(capabilities, Capabilities):
            raise PluginError(
                f"platform {name!r}: capabilities_for returned {type(capabilities).__name__}, "
                "not terrain.Capabilities; fix the plugin"
            )
        return capabilities

    # -- records ---------------------------------------------------------------------------

    def add(self, obj: object, *, note: str = "") -> None:
        """Store a new record; :class:`~terrain.errors.Conflict` if its id is taken.

        The addition is recorded in the :meth:`history` (``note`` says why, if
        it needs saying: ``"import members.csv, line 4"``).
        """
        kind = _kind(type(obj))
        with self.db.transaction() as tx:
            self._check_references(obj)
            record_id = record_key(obj)
            data = to_json(obj)
            if not self.db.insert_record(tx, kind, record_id, data):
                raise Conflict(
                    f"{_a(kind)} with id {record_id!r} already exists; choose another id "
                    f"(list them with {_HOW_TO_LIST.get(kind, 'the list of ' + kind + 's')})"
                )
            self._index(tx, obj, data)
            self._record(tx, "add", kind, record_id, None, data, note)

    def put(self, obj: T, *, note: str = "") -> T:
        """Store a record, replacing the one with the same id if any; the record stored.

        An :class:`~terrain.Event` or a :class:`~terrain.events.Series` whose
        date changed gets its ``sequence`` raised (:func:`terrain.events.raise_sequence`),
        so calendars that imported it take the change. A
        :class:`~terrain.Content` whose people changed, stored without a new
        review (see :func:`terrain.content.change_people`), is stored
        unreviewed: any change to the people in a photo resets its review.
        The change is recorded in the :meth:`history` (with ``note``); storing
        a record unchanged writes nothing.
        """
        kind = _kind(type(obj))
        with self.db.transaction() as tx:
            self._check_references(obj)
            key = record_key(obj)
            before = self.db.get_record(kind, key)
            if kind in ("event", "series"):
                obj = self._revised(before, obj)
            elif kind == "content" and before is not None:
                from terrain.content import Content, reset_review

                if isinstance(obj, Content):
                    obj = reset_review(  # type: ignore[assignment]
                        self._read(before, Content, kind, key), obj
                    )
            data = to_json(obj)
            if data != before:
                self.db.upsert_record(tx, kind, key, data)
                self._index(tx, obj, data)
                action = "edit" if before is not None else "add"
                self._record(tx, action, kind, key, before, data, note)
        return obj

    def _record(
        self,
        tx: Any,
        action: str,
        kind: str,
        record_id: str,
        before: str | None,
        after: str | None,
        note: str,
    ) -> None:
        """Append a change to the history, in the writing transaction ``tx``."""
        from terrain.store._history import recorded_at

        self.db.record_change(
            tx,
            at=recorded_at(),
            who=self.actor,
            action=action,
            kind=kind,
            record_id=record_id,
            before=before,
            after=after,
            note=note,
        )

    def history(
        self,
        cls: type | None = None,
        id: str | None = None,
        *,
        limit: int | None = None,
    ) -> builtins.list[Change]:
        """The changes of record ``id`` of type ``cls`` (of every record of ``cls``
        without ``id``, of every record without ``cls``), oldest first; ``limit``:
        only the latest that many."""
        kind = None if cls is None else _kind(cls)
        from terrain.store._history import Change

        rows = self.db.history(kind=kind, record_id=id, limit=limit)
        return [Change.from_row(row) for row in rows]

    def _revised(self, data: str | None, obj: Any) -> Any:
        from terrain.events import raise_sequence

        if data is None:
            return obj
        try:
            previous = from_json(data, type(obj))
        except DeserializationError:  # replacing a record that no longer reads: a fresh start
            return obj
        return raise_sequence(previous, obj)

    def dependents(self, cls: type, id: str) -> builtins.list[Dependent]:
        """What relies on record ``id`` of type ``cls``: records pointing to it, consent
        records scoped to it, posts online showing or tagging it, each a
        :class:`~terrain.store.Dependent` that says how to change it."""
        from terrain.store._references import dependents

        return dependents(self, _kind(cls), id)

    def remove(self, cls: type, id: str, *, force: bool = False, note: str = "") -> Removal:
        """Delete record ``id`` of type ``cls``, recorded in the :meth:`history`.

        Refused (:class:`~terrain.errors.Conflict`, nothing deleted) while other
        records point to it, naming them and the command that changes each;
        refused too while a consent record or a post online relies on it,
        unless ``force`` (the deletion then records what relied on it). A
        content's media files are deleted from the storage once the deletion is
        stored. :class:`~terrain.errors.NotFound` if it is not stored.
        """
        from terrain.store._references import Removal, dependents, describe

        kind = _kind(cls)
        with self.db.transaction() as tx:
            before = self.db.get_record(kind, id)
            if before is None:
                how = _HOW_TO_LIST.get(kind, f"the list of {kind}s")
                raise NotFound(f"no {kind} with id {id!r} in this workspace; see {how}")
            found = dependents(self, kind, id)
            hard = [d for d in found if not d.soft]
            if hard:
                fixes = "; ".join(dict.fromkeys(d.fix for d in hard[:5]))
                raise Conflict(
                    f"{kind} {id!r} cannot be deleted: {describe(hard)}; change "
                    f"{'them' if len(hard) > 1 else 'it'} first ({fixes})"
                )
            soft = [d for d in found if d.soft]
            if soft and not force:
                fixes = "; ".join(dict.fromkeys(d.fix for d in soft[:3]))
                raise Conflict(
                    f"{kind} {id!r} is relied on: {describe(soft)}; {fixes}; or delete it "
                    "anyway with --force, which the history records"
                )
            self.db.delete_record(tx, kind, id)
            if cls is Member:
                self.db.index_member(tx, id, ())
                self._ledger = None  # the cached ledger knows no deletion: read it again
            keys: list[str] = []
            if kind == "content":
                from terrain.content import Content

                self.db.unindex_content(tx, id)
                keys = [m.key for m in from_json(before, Content).media]
            if soft:
                forced = "forced past " + describe(soft, limit=20)
                note = f"{note}; {forced}" if note else forced
            self._record(tx, "delete", kind, id, before, None, note)
        done, left = self._delete_files(keys)
        return Removal(kind, id, before, tuple(soft), done, left)

    def _delete_files(self, keys: builtins.list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Delete ``keys`` from the storage: (deleted, left because the storage failed)."""
        from terrain.errors import StorageError

        done, left = [], []
        for key in keys:
            try:
                self.storage.delete(key)
            except NotFound:
                done.append(key)  # already gone
            except StorageError:
                left.append(key)
            else:
                done.append(key)
        return tuple(done), tuple(left)

    def get(self, cls: type[T], id: str) -> T:
        """Record ``id`` of type ``cls``, or :class:`~terrain.errors.NotFound`.

        Records without an ``id`` field are stored under a key made of their
        references (see :func:`terrain.store.record_key`): an
        :class:`~terrain.events.Attendance` under its event id, a
        :class:`~terrain.workshops.Vote` under ``workshop/idea/member``, a
        :class:`~terrain.projects.ProjectPhoto` under ``content/media``.
        """
        kind = _kind(cls)
        data = self.db.get_record(kind, id)
        if data is None:
            how = _HOW_TO_LIST.get(kind, f"Workspace.list({cls.__name__})")
            raise NotFound(f"no {kind} with id {id!r} in this workspace; list them with {how}")
        return self._read(data, cls, kind, id)

    def exists(self, cls: type, id: str) -> bool:
        """Whether a record ``id`` of type ``cls`` is stored."""
        return self.db.get_record(_kind(cls), id) is not None

    def list(self, cls: type[T]) -> list[T]:
        """Every stored record of type ``cls``, by id."""
        kind = _kind(cls)
        try:
            with collector_paused():  # all kept (see terrain._gc)
                return [from_json(data, cls) for data in self.db.list_records(kind)]
        except DeserializationError:
            for id in self.db.record_ids(kind):  # find the record that fails, to name it
                self._read(self.db.get_record(kind, id) or "", cls, kind, id)
            raise

    def _read(self, data: str, cls: type[T], kind: str, id: str) -> T:
        """A stored record, or a :class:`DeserializationError` saying which row and what to do.

        A :class:`~terrain.content.Content` or a :class:`~terrain.community.Member`
        is read from the store each time it is asked for (a publication's consent
        gate reads the photos of each post right before its call, and the people
        in them), but decoded once per stored text: the same JSON gives back the
        same record (frozen all the way down), a changed one is decoded anew.
        """
        reuse = kind in _DECODED_ONCE
        if reuse:
            known = self._decoded.get(data)
            if known is not None and type(known) is cls:
                return known  # type(known) is cls
        try:
            record = from_json(data, cls)
            if reuse:
                if len(self._decoded) >= CONTENTS_KEPT:
                    self._decoded.clear()  # start over: memory stays bounded
                self._decoded[data] = record
            return record
        except DeserializationError as exc:
            # the store URL never holds a password (terrain.toml refuses one)
            where = self.config.store_url or str(self.root / DATA_DIR / DB_NAME)
            raise DeserializationError(
                f"{where}: the stored {kind} {id!r} cannot be read "
                f"({exc}); it was changed outside terrain or by a newer version: restore the "
                "database from a backup, or upgrade terrain",
                errors=exc.errors,
            ) from None

    def ids(self, cls: type) -> builtins.list[str]:
        """The ids of every stored record of type ``cls``, sorted."""
        return self.db.record_ids(_kind(cls))

    def contents_showing(self, member_id: str) -> builtins.list[Content]:
        """Every content ``member_id`` appears in (for takedowns), by id."""
        from terrain.content import Content

        found = self.get_many(Content, self.db.contents_showing(member_id))
        return [found[cid] for cid in sorted(found)]

    def contents_involving(self, member_id: str) -> builtins.list[Content]:
        """Every content ``member_id`` appears in or made (for takedowns), by id;
        read through indexes, the other contents are not read."""
        from terrain.content import Content

        found = self.get_many(Content, self.db.contents_involving(member_id))
        return [found[cid] for cid in sorted(found)]

    def find_media(self, checksum: str) -> tuple[str, str, str] | None:
        """``(content_id, media_id, storage_key)`` of stored media with this SHA-256."""
        return self.db.find_checksum(checksum)

    def _require(self, cls: type, id: str | None, what: str) -> None:
        if id is not None and not self.exists(cls, id):
            kind = _kind(cls)
            how = _HOW_TO_LIST.get(kind, f"Workspace.list({cls.__name__})")
            raise NotFound(f"{what} {id!r} does not exist in this workspace; list them with {how}")

    def _check_references(self, obj: object) -> None:
        from terrain.content import Content
        from terrain.events import Event, Venue
        from terrain.partnerships import Partner, Partnership
        from terrain.projects import Project
        from terrain.workshops import Workshop

        if isinstance(obj, Content):
            label = f"content {obj.id!r}:"
            self._require(Event, obj.event_id, f"{label} event")
            self._require(Project, obj.project_id, f"{label} project")
            self._require(Workshop, obj.workshop_id, f"{label} workshop")
            self._require(Member, obj.author_id, f"{label} author")
            for member_id in sorted(obj.member_ids):
                self._require(Member, member_id, f"{label} member")
        elif isinstance(obj, Event):
            self._require(Venue, obj.venue_id, f"event {obj.id!r}: venue")
        elif isinstance(obj, Partnership):
            self._require(Partner, obj.partner_id, f"partnership {obj.id!r}: partner")
        elif isinstance(obj, Member):
            for guardian in obj.guardian_ids:
                self._require(Member, guardian, f"member {obj.id!r}: guardian (add them first)")
        else:
            check_field_references(self, obj)

    def _index(self, tx: Any, obj: object, data: str) -> None:
        from terrain.content import Content

        if isinstance(obj, Member):
            self.db.index_member(tx, obj.id, builtins.list(obj.handles.values()))
        if isinstance(obj, Content):
            from terrain.content import ContentSummary
            from terrain.store._schema import summary_row

            media = [(m.id, m.checksum, m.key) for m in obj.media]
            self.db.index_content(
                tx, obj.id, media, sorted(obj.member_ids), obj.event_id, obj.author_id,
                listed=summary_row(ContentSummary.of(obj), data),
            )

    def contents_of_event(self, event_id: str) -> builtins.list[Content]:
        """Every content of event ``event_id``, by id (an indexed read: the other
        contents are not read)."""
        from terrain.content import Content

        with collector_paused():  # all kept (see terrain._gc)
            return [
                self._read(data, Content, "content", "?")
                for data in self.db.list_records_of_event("content", event_id)
            ]

    def content_summaries(self, event_id: str | None = None) -> builtins.list[ContentSummary]:
        """What a listing shows of every content (of event ``event_id``), by id, in
        one query (see :meth:`content_listing`)."""
        return [row.summary() for row in self.content_listing(event_id)]

    def content_listing(self, event_id: str | None = None) -> builtins.list[ListedContent]:
        """What ``terrain content list`` prints of every content (of event
        ``event_id``), by id, in one query of the content index, which holds it
        beside the event and author of each content (written with the content,
        from the model): no JSON is read.

        A content the index has no listing of (stored before schema 13 in a
        shape terrain does not write), or one whose record was written since its
        listing was (edited behind terrain's back: the database marks that
        listing stale, see migration 18), is read from its JSON (see
        :meth:`~terrain.content.ContentSummary.of_stored`), or whole, so that its
        problem is reported as :meth:`list` reports it."""
        from terrain.content import ListedContent
        from terrain.store._schema import LISTED_KINDS

        kinds = set(LISTED_KINDS)
        rows = self.db.content_listing(event_id)
        # no listing, or a stale one (its record written behind terrain's back)
        missing = [r[0] for r in rows if r[1] not in kinds or r[5] is None]
        stored = self._stored_summaries(missing) if missing else {}
        new = ListedContent
        return [
            stored.get(id) or new(id, kind or "", title or "", reviewed == 1, people or "")
            for id, kind, title, reviewed, people, _digest in rows
        ]

    def content_listing_lines(self, event_id: str | None = None) -> builtins.list[str]:
        """The lines ``terrain content list`` prints of :meth:`content_listing`'s
        contents (:meth:`ListedContent.line <terrain.content.ListedContent.line>`), in
        its order, read from the content index, which keeps each content's line: no
        row is built in Python, no JSON is read. A content the index holds no listing
        of, or a stale one (its record edited behind terrain's back), is read from its
        JSON as :meth:`content_listing` reads it."""
        from terrain.store._schema import LISTED_KINDS

        rows = self.db.content_lines(event_id, kinds=LISTED_KINDS)
        missing = [id for id, line in rows if line is None]
        if not missing:
            return [line for _id, line in rows if line is not None]  # each one
        stored = self._stored_summaries(missing)
        return [stored[id].line() if line is None else line for id, line in rows]

    def _stored_summaries(self, ids: Sequence[str]) -> dict[str, ListedContent]:
        """The listings of contents ``ids`` read from their stored JSON."""
        import orjson

        from terrain.content import Content, ContentSummary, ListedContent

        out = {}
        for id, data in self.db.get_records("content", ids).items():
            try:
                found = orjson.loads(data)
            except orjson.JSONDecodeError:
                found = None
            summary = ContentSummary.of_stored(found) if isinstance(found, dict) else None
            if summary is None:
                summary = ContentSummary.of(self._read(data, Content, "content", id))
            out[id] = ListedContent.of(summary)
        return out

    def get_many(self, cls: type[T], ids: Sequence[str]) -> dict[str, T]:
        """Records ``ids`` of type ``cls`` by id, in one query; :class:`NotFound`
        naming the first missing one."""
        kind = _kind(cls)
        with collector_paused():  # all kept (see terrain._gc)
            found = self.db.get_records(kind, ids)
            for id in sorted(set(ids)):
                if id not in found:
                    how = _HOW_TO_LIST.get(kind, f"Workspace.list({cls.__name__})")
                    raise NotFound(
                        f"no {kind} with id {id!r} in this workspace; list them with {how}"
                    )
            return {id: self._read(data, cls, kind, id) for id, data in found.items()}

    def erase_person(
        self,
        member: Member,
        tombstone: Member,
        *,
        records: Sequence[object] = (),
        deletions: Sequence[tuple[str, str]] = (),
        texts: Sequence[str] = (),
        note: str = "",
    ) -> None:
        """Replace ``member`` by ``tombstone`` in every table, in one transaction, then
        compact the store: ``records`` are written as given, ``deletions`` (kind, id)
        deleted, ``texts`` (the person's name, email, phone, handles) replaced wherever
        text is kept. The workflow is :func:`terrain.workflows.erase_member`."""
        from terrain.store._copy import TABLES
        from terrain.store._erasure import erase_person

        # the write lock first, then the ledger's, as update_ledger takes them: the
        # other order deadlocks with a thread that reads the members in a transaction
        with self.db.transaction() as tx, self._ledger_lock:
            try:
                erase_person(
                    self, member, tombstone, records=records, deletions=deletions, texts=texts,
                    note=note,
                )
                self.db.reindex_members(tx)  # her handles are gone, and any text of hers
            finally:
                self._ledger = None  # the consent log was rewritten: read it again
        self.db.compact(TABLES)

    # -- consent ---------------------------------------------------------------------------

    def consent_events(self) -> tuple[ConsentEvent, ...]:
        """Every consent event recorded, oldest first (the append-only log)."""
        return tuple(_event(data) for data in self.db.consent_events())

    def ledger(self, *, check_platforms: bool = False) -> ConsentLedger:
        """A copy of the consent ledger, yours to change: every event stored so far,
        by any process, and every member, under the community's guardian rule
        (``[consent] guardians``). With ``check_platforms``, the copy refuses to
        record a consent for a platform name terrain does not know
        (:meth:`known_platforms`).

        Change consent with it and :meth:`save_ledger`, or in one step with
        :meth:`update_ledger` (which also checks the change against events
        stored in the meantime). The copy is made from the workspace's own
        ledger, kept in memory and brought up to date by reading only what was
        stored since it was last read (see :meth:`consent`): no stored event is
        decoded twice in a process.
        """
        from terrain.consent import ConsentLedger

        known = self.known_platforms() if check_platforms else None
        with self._ledger_lock:
            current = self._refresh_ledger()
            copy = ConsentLedger(
                current.members.values(), guardians=self.config.guardian_rule, platforms=known
            )
            copy.extend(current.events())
            return copy

    @contextmanager
    def consent(self, subjects: Collection[str] | None = None) -> Iterator[ConsentLedger]:
        """The workspace's consent ledger, up to date, held still while the block runs.

        Before the block, it reads what was stored since it was last read,
        by any process: consent events after the last sequence number seen and
        members written after the last revision seen, in one indexed query. A
        decision made in the block sees every consent recorded up to that
        instant. Read it only: other threads of this process wait while the
        block runs. Change consent with :meth:`update_ledger`.

        ``subjects`` limits what must be loaded to these people: their consent
        events, and of the members, them, their guardians and whoever gave
        their records. A decision about a photo asks for the people in it (and
        those whose ``@handle`` is typed in the post: :meth:`handle_finder`),
        so its cost grows with the people it shows, not with the community.
        Questions about anyone else find no consent (they are refused, never
        allowed); the ledger's :meth:`~terrain.consent.ConsentLedger.handle_finder`
        still finds everyone's handles (in the store's index). The ledger grows
        to cover more people when asked, and to everyone when ``subjects`` is
        ``None``.
        """
        with self._ledger_lock:
            try:
                yield self._refresh_ledger(subjects)
            except Exception:
                # a stored event decoded in the block (when first needed) could not be
                # read or applied: read the log again at the next question
                self._ledger = None
                raise

    def update_ledger(
        self,
        change: Callable[[ConsentLedger], T],
        *,
        subjects: Collection[str] | None = None,
    ) -> T:
        """Call ``change(ledger)`` on the up-to-date ledger and store the events it
        appends, all or none; what ``change`` returns.

        Runs inside the store's write lock, so the change is checked against
        every event stored before it (by any process)::

            ws.update_ledger(lambda ledger: ledger.grant("lea", purposes=["publish"], ...))

        ``subjects`` (the people the change is about, guardians included) loads
        only their consent history, as :meth:`consent` does: a new record then
        needs its id given, ``consent_id=ws.next_consent_id()`` (the ledger
        cannot number records it has not read; ids are unique across the log,
        which the store enforces). If ``change`` raises, nothing is stored.
        """
        with self.db.transaction() as tx, self._ledger_lock:
            ledger = self._refresh_ledger(subjects)
            before = self._ledger_events
            try:
                result = change(ledger)
                self._append_events(tx, ledger, ledger.events_since(before))
            except BaseException:
                self._ledger = None  # the cache may hold part of the change: read it again
                raise
        return result

    def consent_listing(
        self, subject_id: str | None = None, *, at: datetime, data: bool = False
    ) -> builtins.list[ListedConsent]:
        """Where each consent record (of ``subject_id``, or everyone's) stands at
        ``at``, by person then in the order recorded, read from the timelines the
        store keeps per person (:func:`terrain.consent.timeline`, stored with each
        consent write): one query, whatever the size of the log. A person whose
        timeline is behind what was stored since (by any process: an event, a
        member, the guardian rule) has it made again from their events first, and
        stored unless the workspace is read-only. ``data`` adds each record as it
        stands, as plain data. The workflow is :func:`terrain.workflows.consent_list`."""
        from terrain._time import require_aware
        from terrain.store._timelines import listing

        return listing(self, subject_id, require_aware(at, "consent_listing: at"), data=data)

    def consent_listing_lines(
        self, subject_id: str | None = None, *, at: datetime
    ) -> builtins.list[str]:
        """The lines ``terrain consent list`` prints of :meth:`consent_listing`'s
        records (:meth:`ListedConsent.line <terrain.consent.ListedConsent.line>`),
        made by the database from the stored timelines: no row is built in Python.
        The workflow is :func:`terrain.workflows.consent_list_lines`."""
        from terrain._time import require_aware
        from terrain.store._timelines import listing_lines

        return listing_lines(self, subject_id, require_aware(at, "consent_listing_lines: at"))

    def next_consent_id(self) -> str:
        """The id the next consent record gets (``c-N``), read from the store's index;
        within :meth:`update_ledger` it is not taken by anyone else meanwhile."""
        return self.db.next_consent_id()

    def members(self, ids: Collection[str] | None = None) -> Mapping[str, Member]:
        """Every member by id, up to date; with ``ids``, those of them on record
        (read by id: the others are not read)."""
        if ids is not None:
            return dict(sorted(self._members_by_id(ids).items()))
        with self._ledger_lock:
            if self._ledger is not None and self._ledger_scope is None:
                return dict(self._refresh_ledger().members)
        return {m.id: m for m in self.list(Member)}

    def handle_finder(self) -> HandleFinder:
        """Finds the members whose ``@handle`` is typed in a text (any platform's
        syntax, see :class:`~terrain.posts.HandleFinder`), looked up in the store's
        index of handles: its cost grows with the text, not with the community."""
        from terrain.posts import HandleFinder

        return HandleFinder(lookup=self._handle_owners)

    def _handle_owners(self, forms: frozenset[str]) -> dict[str, str]:
        """``{form: owner}`` for ``forms`` (and the forms that are not plain): a form
        two members share is the first one's by id, as a ledger's finder says."""
        return {form: ids[0] for form, ids in self.db.handle_owners(forms).items()}

    def _members_by_id(self, ids: Collection[str]) -> dict[str, Member]:
        """The members ``ids`` that are on record, by id (one query per ``CHUNK``)."""
        with collector_paused():  # all kept (see terrain._gc)
            found = self.db.get_records("member", sorted(set(ids)))
            return {id: self._read(data, Member, "member", id) for id, data in found.items()}

    def _add_people(
        self, ledger: ConsentLedger, people: Collection[str], events: Sequence[StoredEvent]
    ) -> None:
        """Make the scoped ``ledger`` know ``people``, whoever gave the records in
        ``events`` and the guardians of both: the members a decision about ``people``
        names (read by id, only those it does not know yet)."""
        known = ledger.members
        wanted = set(people)
        for event in events:
            wanted.update(event.given_by)
        missing = wanted - known.keys()
        if missing:
            for member in self._members_by_id(missing).values():
                ledger.add_member(member)
        guardians = {g for p in people if p in known for g in known[p].guardian_ids}
        missing = guardians - known.keys()
        if missing:
            for member in self._members_by_id(missing).values():
                ledger.add_member(member)

    def _refresh_ledger(self, subjects: Collection[str] | None = None) -> ConsentLedger:
        """:meth:`_read_ledger`, with the garbage collector paused: a first read makes
        an object or more per stored event, all kept (see :mod:`terrain._gc`)."""
        with collector_paused():
            return self._read_ledger(subjects)

    def _read_ledger(self, subjects: Collection[str] | None = None) -> ConsentLedger:
        """The cached ledger, covering ``subjects`` (everyone: ``None``), after applying
        what was stored since it was last read (call with ``_ledger_lock`` held).

        Scoped to some people, it holds their events and the members they need
        (:meth:`_add_people`), and finds handles through the store's index; for
        everyone, every event and every member."""
        from terrain.consent import ConsentLedger

        ledger = self._ledger
        had = self._ledger_scope if ledger is not None else frozenset()
        if ledger is not None and ledger.event_count() != self._ledger_events:
            ledger = None  # changed without being saved: never decide on unsaved consent
        wanted = None if subjects is None else frozenset(subjects)
        # Never more people than asked: a publication of a thousand people's photos
        # decodes their events, not everyone's (decoding is what a ledger costs).
        scope = None if wanted is None or had is None else had if wanted <= had else had | wanted
        had_scope = self._ledger_scope
        # (`is` first: a set compares equal to itself by reading every member, and a
        # decision asks about people the ledger already holds, with the same set back)
        if ledger is not None and had_scope is not None and scope is not had_scope \
                and scope != had_scope:
            # More people: read their events up to what the ledger has seen (the
            # rest comes below with everyone's new events), and add them. Grown to
            # everyone, the events of the people it holds are not read again.
            try:
                if scope is None:
                    found = self.db.consent_events_but(had_scope, upto=self._ledger_seq)
                    for id, data in self.db.members_but(ledger.members.keys()):
                        ledger.add_member(self._read(data, Member, "member", id))
                    ledger = self._everyone(ledger)
                    events = [_event(data) for data in found]
                    for event in events:
                        ledger.extend([event])  # stored: member rules not checked again
                        self._ledger_events += 1
                else:
                    rows = self.db.consent_events_of(
                        sorted(scope - had_scope), upto=self._ledger_seq
                    )
                    stored = [_stored_row(data, peek) for data, peek in rows]
                    self._add_people(ledger, scope - had_scope, stored)
                    ledger.extend_stored(stored)  # stored: member rules not checked again
                    self._ledger_events += len(stored)
                self._ledger, self._ledger_scope = ledger, scope
            except Exception:
                ledger = None  # checked against members as they were then: read again
        if ledger is None or (scope is not self._ledger_scope and scope != self._ledger_scope):
            if scope is None:
                changes = self.db.changes_since(0, -1)
                last = changes[-1][1] if changes and changes[-1][0] == 1 else 0
                members = [(rev, id, data) for source, rev, id, data, _ in changes if source == 0]
                ledger = ConsentLedger.replay(
                    (_event(data) for source, _, _, data, _ in changes if source == 1),
                    members=(self._read(data, Member, "member", id) for _, id, data in members),
                    guardians=self.config.guardian_rule,
                )
                self._ledger_rev = max((rev for rev, _, _ in members), default=-1)
            else:
                theirs, last, self._ledger_rev = self.db.consent_of_people(sorted(scope))
                stored = [_stored_row(data, peek) for _, data, peek in theirs]
                ledger = ConsentLedger(
                    guardians=self.config.guardian_rule, handle_lookup=self._handle_owners
                )
                self._add_people(ledger, scope, stored)
                ledger.extend_stored(stored)  # stored: member rules not checked again
            self._ledger, self._ledger_scope = ledger, scope
            self._ledger_seq, self._ledger_events = last, ledger.event_count()
            return ledger
        changes = self.db.changes_since(self._ledger_seq, self._ledger_rev)
        count = self._ledger_events
        try:
            added: builtins.list[StoredEvent] = []
            for source, n, id, data, peek in changes:
                if source == 0:
                    if scope is None or id in ledger.members or id in scope:
                        ledger.add_member(self._read(data, Member, "member", id))
                    self._ledger_rev = n
                    continue
                if scope is None:
                    ledger.extend([_event(data)])  # stored: member rules not checked again
                    count += 1
                elif id in scope:  # others are read when asked for
                    waiting = _stored_row(data, peek)
                    ledger.extend_stored([waiting])  # decoded when a question needs it
                    added.append(waiting)
                    count += 1
                self._ledger_seq = n
                self._ledger_events = count
            if scope is not None and changes:  # a new guardian, a record given by someone
                self._add_people(ledger, scope, added)
        except Exception:
            # An event another process checked against members as they were
            # then: read the log again, as a fresh process would.
            self._ledger = None
            return self._refresh_ledger(subjects)
        return ledger

    def _everyone(self, ledger: ConsentLedger) -> ConsentLedger:
        """``ledger``, grown to everyone, finding handles among its own members again."""
        from terrain.consent import ConsentLedger

        whole = ConsentLedger(ledger.members.values(), guardians=self.config.guardian_rule)
        whole.extend(ledger.events())
        return whole

    def _append_events(
        self, tx: Any, ledger: ConsentLedger, events: Sequence[ConsentEvent]
    ) -> None:
        """Append ``events`` (already applied to the cached ``ledger``) to the log."""
        from terrain.consent import event_to_json

        new_ids = [r.id for r in (getattr(e, "consent", None) for e in events) if r is not None]
        taken = self.db.taken_consent_ids(new_ids)
        if taken:
            raise Conflict(
                f"consent id {taken[0]!r} is already the id of another record: give another "
                "id, or let terrain number the record"
            )
        seq = self._ledger_seq
        for event in events:
            seq += 1
            record = getattr(event, "consent", None)  # a recording event makes a record
            text = event_to_json(event)
            self.db.append_consent_event(
                tx,
                event.subject_id,
                _utc(event.at),
                text,
                seq=seq,
                consent_id=getattr(record, "id", None),
                peek=_peek_of(text),
            )
        self._ledger_seq = seq
        self._ledger_events += len(events)
        if events:  # the timelines of the people concerned, in the same transaction
            from terrain.store._timelines import store_timelines, subjects_of

            store_timelines(self, tx, ledger, subjects_of(events))

    def known_platforms(self) -> builtins.list[str]:
        """Every platform name consents may name, sorted, in lower case: those the
        installed plugins register (built-ins included), the ``[platforms.*]``
        tables of terrain.toml, and the names those tables publish under
        (:meth:`platform_names`)."""
        names = (
            set(known_names("platform", self._environ, self.plugins))
            | set(self.platform_names())
            | set(self.config.platforms)
        )
        return sorted({n.casefold() for n in names})

    def record_consent(self, *events: ConsentEvent) -> tuple[Consent | None, ...]:
        """Check ``events`` against the stored ledger and append them, all or none.

        Returns each record as it stands after its event (``None`` for a
        withdrawal, which is about a person). An event the ledger refuses
        (unknown member, withdrawal of a refusal…) raises its error and
        nothing is stored.
        """
        with self.db.transaction() as tx, self._ledger_lock:
            ledger = self._refresh_ledger()  # inside the write lock: nothing can come between
            try:
                results = tuple(ledger.apply(event) for event in events)
                self._append_events(tx, ledger, events)
            except BaseException:
                self._ledger = None  # the cache may hold part of the events: read it again
                raise
        return results

    def save_ledger(self, ledger: ConsentLedger) -> int:
        """Append the events ``ledger`` holds beyond the stored ones; how many.

        The usual way to record consent::

            ledger = ws.ledger()
            ledger.grant("lea", purposes=["publish"], at=now, evidence=...)
            ws.save_ledger(ledger)

        Raises :class:`~terrain.errors.Conflict` when the stored log changed
        since ``ledger`` was read (another command recorded consent): read the
        ledger again and redo the change (or use :meth:`update_ledger`).
        """
        with self.db.transaction() as tx, self._ledger_lock:
            current = self._refresh_ledger()
            stored = current.events()
            events = ledger.events()
            if events[: len(stored)] != stored:
                raise Conflict(
                    "the consent log changed since this ledger was read (another command "
                    "recorded consent at the same time): nothing was stored; read the ledger "
                    "again and redo the change (from the command line: run the command again)"
                )
            new = events[len(stored) :]
            try:
                for event in new:
                    current.apply(event)
                self._append_events(tx, current, new)
            except BaseException:
                self._ledger = None
                raise
        return len(new)

    # -- decisions (audit) -----------------------------------------------------------------

    def record_decision(self, record: DecisionRecord) -> None:
        """Append a decision audit record; :class:`Conflict` if its id is taken.

        Its commit may be shared with other threads' writes (the publishing
        runner's threads record one per call): call it holding no lock."""
        with self.db.transaction(group=True) as tx:
            seq = self.db.append_decision(
                tx,
                id=record.id,
                at=_utc(record.at),
                subject_kind=record.subject_kind,
                subject_id=record.subject_id,
                platform=record.platform,
                data=to_json(record),
            )
            if seq is None:
                raise Conflict(f"a decision record with id {record.id!r} is already stored")

    def decisions(
        self,
        *,
        subject_kind: str | None = None,
        subject_id: str | None = None,
        platform: str | None = None,
    ) -> builtins.list[DecisionRecord]:
        """Decision records matching every filter given, oldest first."""
        from terrain.consent import DecisionRecord

        rows = self.db.decisions(
            subject_kind=subject_kind, subject_id=subject_id, platform=platform
        )
        return [from_json(data, DecisionRecord) for data in rows]


def _open_store(
    root: Path,
    config: WorkspaceConfig,
    environ: Mapping[str, str] | None,
    *,
    create: bool = False,
    read_only: bool = False,
) -> Database:
    """The workspace's database: ``[store] url`` if set, else ``.terrain/terrain.db``."""
    zone = config.community.timezone  # for a migration that repairs stored datetimes
    if config.store_url is None:
        return Database.open(
            root / DATA_DIR / DB_NAME, create=create, read_only=read_only, zone=zone
        )
    return Database.connect(
        config.store_url,
        base=root,
        environ=environ,
        create=create,
        pool_size=config.store_pool_size,
        read_only=read_only,
        zone=zone,
    )


def _event(text: str) -> ConsentEvent:
    """A stored consent event (orjson reads it; the event is checked as
    :func:`~terrain.consent.event_from_json` checks it)."""
    return _event_reader()(text)


#: How long the digest heading a peek is (:func:`terrain.store._schema.record_digest`).
_DIGEST = 32


def _peek_of(text: str) -> str | None:
    """The ``peek`` stored beside a consent event's JSON ``text`` (migration 15): what
    :func:`_stored` reads of a record that waits undecoded (scoped to one event, project
    or content) or of a renewal, so that reading it back needs no JSON decoded; ``None``
    for any other event (it is decoded at once anyway).

    A digest of the JSON and of what the peek says heads it: a peek is used only
    while both are as written together (a record edited behind terrain's back, or
    rewritten by an erasure, is read from its JSON, see :func:`_stored_row`)."""
    import orjson

    from terrain.store._schema import record_digest

    stored = _stored(text)
    if stored.scope is None and stored.renews is None:
        return None
    kind, ref = stored.scope if stored.scope is not None else (None, None)
    said = orjson.dumps(
        [stored.subject_id, stored.consent_id, kind, ref, stored.renews, list(stored.given_by)]
    ).decode()
    return record_digest(f"{said}\n{text}") + said


def _stored_row(text: str, peek: str | None) -> StoredEvent:
    """:func:`_stored` of a consent event stored as ``text`` with ``peek``: read from
    the peek when it is the one :func:`_peek_of` writes for ``text`` (the same
    :class:`~terrain.consent.StoredEvent`, its JSON decoded only when a question needs
    it), else from the JSON."""
    if peek is None:
        return _stored(text)
    return _peek_reader()(text, peek)


@functools.cache
def _peek_reader() -> Callable[[str, str], StoredEvent]:
    """:func:`_stored_row` with a peek, its imports done once."""
    import orjson

    from terrain.consent import StoredEvent
    from terrain.store._schema import DIGEST_SIZE, digest_function

    blake2b = digest_function()

    read = _event_reader()

    def stored(text: str, peek: str) -> StoredEvent:
        said = peek[_DIGEST:]
        # record_digest's digest, computed here: a scoped person's history is mostly
        # waiting records, and a call per row was half of what reading one cost
        raw = f"{said}\n{text}".encode("utf-8", "surrogatepass")
        if blake2b(raw, digest_size=DIGEST_SIZE).hexdigest() != peek[:_DIGEST]:
            return _stored(text)  # not as written together: the JSON says
        subject, consent_id, kind, ref, renews, given_by = orjson.loads(said)
        return StoredEvent(
            read=lambda: read(text),
            subject_id=subject,
            consent_id=consent_id,
            scope=None if kind is None else (kind, ref),
            renews=renews,
            given_by=tuple(given_by),
        )

    return stored


def _stored(text: str) -> StoredEvent:
    """A stored consent event, to decode when a question needs it (see
    :class:`~terrain.consent.StoredEvent`): a record scoped to one event, project
    or content waits, read only as far as its scope, subject, id and givers."""
    return _stored_reader()(text)


@functools.cache
def _stored_reader() -> Callable[[str], StoredEvent]:
    """:func:`_stored`, its imports done once."""
    import orjson

    from terrain.consent import StoredEvent, event_from_data

    read = _event_reader()
    scoped = frozenset(("event", "project", "content"))

    def stored(text: str) -> StoredEvent:
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            return StoredEvent(read=lambda: read(text))  # read at once: it raises as ever
        if not isinstance(data, dict):
            return StoredEvent(read=lambda: read(text))
        kind = data.get("type")
        if kind == "renewed":
            renews = data.get("consent_id")
            return StoredEvent(
                read=lambda: event_from_data(data),
                renews=renews if isinstance(renews, str) else None,
            )
        consent = data.get("consent") if kind == "recorded" else None
        if not isinstance(consent, dict):
            return StoredEvent(read=lambda: event_from_data(data))
        given_by = consent.get("given_by")
        if not isinstance(given_by, list) or not all(isinstance(g, str) for g in given_by):
            return StoredEvent(read=lambda: read(text))  # read at once: it raises as ever
        scope, subject, id = consent.get("scope"), consent.get("subject_id"), consent.get("id")
        ref = scope.get("ref") if isinstance(scope, dict) else None
        if (
            isinstance(scope, dict) and scope.get("kind") in scoped and isinstance(ref, str)
            and isinstance(subject, str) and isinstance(id, str)
        ):
            return StoredEvent(
                read=lambda: event_from_data(data), subject_id=subject, consent_id=id,
                scope=(scope["kind"], ref), given_by=tuple(given_by),
            )
        return StoredEvent(read=lambda: event_from_data(data), given_by=tuple(given_by))

    return stored


@functools.cache
def _event_reader() -> Callable[[str], ConsentEvent]:
    """:func:`_event`, its imports done once (a ledger reads thousands of events)."""
    import orjson

    from terrain.consent import event_from_data, event_from_json

    def read(text: str) -> ConsentEvent:
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError:
            return event_from_json(text)  # raises the usual DeserializationError
        return event_from_data(data)

    return read


def _utc(at: Any) -> str:
    """An aware datetime as ISO 8601 UTC text (sorts like the instant it names)."""
    from datetime import UTC

    return str(at.astimezone(UTC).isoformat())
