"""The workspace: records in SQLite (embedded default) and media in a Storage.

See :class:`Workspace`. The schema's migrations are in
:mod:`terrain.store._schema` (append-only; its docstring says how to add one).
"""

from terrain.store._config import CONFIG_NAME, WorkspaceConfig
from terrain.store._db import Database, Transaction
from terrain.store._field import record_key
from terrain.store._workspace import ENV_VAR, RECORD_KINDS, Workspace

__all__ = [
    "CONFIG_NAME",
    "ENV_VAR",
    "RECORD_KINDS",
    "Database",
    "Transaction",
    "Workspace",
    "WorkspaceConfig",
    "record_key",
]
