"""The workspace: records in SQLite (embedded default) or PostgreSQL, media in a Storage.

See :class:`Workspace`. The schema's migrations are in
``terrain/store/_schema.py`` (append-only; its docstring says how to add one).
:meth:`Database.connect` opens a store by URL (``postgresql://…``,
``sqlite:///…``); :func:`migrate_store` applies the migrations a store lacks;
:func:`copy_store` copies one store into another.
"""

from typing import TYPE_CHECKING

from terrain._lazy import exports

if TYPE_CHECKING:
    from terrain.store._accounts import ROLES, Account, Accounts, DeskSession
    from terrain.store._backend import Backend, Counters
    from terrain.store._config import CONFIG_NAME, PublishSettings, WorkspaceConfig
    from terrain.store._copy import CopyReport, TableCopy, copy_store
    from terrain.store._db import Database, Transaction
    from terrain.store._field import record_key
    from terrain.store._history import USER_ENV_VAR, Change, FieldChange
    from terrain.store._links import LinkRow, Links
    from terrain.store._maintenance import MigrationReport, migrate_store, workspace_store_url
    from terrain.store._references import Dependent, Removal
    from terrain.store._schema import post_refs
    from terrain.store._url import PASSWORD_ENV_VAR, StoreURL, parse_store_url, redact_password
    from terrain.store._webconfig import SMTP_PASSWORD_ENV, SmtpSettings, WebSettings, is_loopback
    from terrain.store._workspace import (
        DATA_DIR,
        KIND_TYPES,
        RECORD_KINDS,
        WORKSPACE_ENV_VAR,
        Workspace,
    )

__all__ = [
    "CONFIG_NAME",
    "DATA_DIR",
    "KIND_TYPES",
    "PASSWORD_ENV_VAR",
    "RECORD_KINDS",
    "ROLES",
    "SMTP_PASSWORD_ENV",
    "USER_ENV_VAR",
    "WORKSPACE_ENV_VAR",
    "Account",
    "Accounts",
    "Backend",
    "Change",
    "CopyReport",
    "Counters",
    "Database",
    "Dependent",
    "DeskSession",
    "FieldChange",
    "LinkRow",
    "Links",
    "MigrationReport",
    "PublishSettings",
    "Removal",
    "SmtpSettings",
    "StoreURL",
    "TableCopy",
    "Transaction",
    "WebSettings",
    "Workspace",
    "WorkspaceConfig",
    "copy_store",
    "is_loopback",
    "migrate_store",
    "parse_store_url",
    "post_refs",
    "record_key",
    "redact_password",
    "workspace_store_url",
]


# Renamed after 0.1.0 (three modules had an ENV_VAR, terrain.secrets has a redact):
# served until the next release.
if not TYPE_CHECKING:  # each name is imported when first used (terrain._lazy)
    __getattr__, __dir__ = exports(
        __name__, __file__, renamed={"ENV_VAR": "WORKSPACE_ENV_VAR", "redact": "redact_password"}
    )
