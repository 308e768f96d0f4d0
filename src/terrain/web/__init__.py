"""Members act for themselves: the web pages of a workspace (the ``web`` extra).

:func:`create_app` returns an ASGI application, like
``datasette.app.Datasette``: run it with ``terrain serve``, or mount it in
your own application. Its pages let members RSVP (with the waitlist rules),
check in at the door, give or refuse consent for photos (a minor's guardians
confirm through their own links), see what they agreed to, the photos they
appear in and the posts published with them, and withdraw any part in one
click. Each page calls one :mod:`terrain.workflows` function: the rules are
the library's, the same as the command line's.

Install it with ``pip install 'terrain-field[web]'`` (Starlette, Jinja2,
uvicorn, segno, python-multipart). ``import terrain.web`` works without
them; :func:`create_app` then says what to install.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from terrain.errors import ConfigError

if TYPE_CHECKING:
    from terrain.store import Workspace

__all__ = [
    "MISSING_EXTRA",
    "WORKSPACE_ENV",
    "app_from_environment",
    "create_app",
    "missing_extra",
    "serve",
]

#: What a missing ``web`` extra is told.
MISSING_EXTRA = (
    "the web pages need the `web` extra ({missing} is not installed): "
    "pip install 'terrain-field[web]'"
)
_NEEDED = ("starlette", "jinja2", "uvicorn", "segno", "multipart")


def missing_extra() -> str | None:
    """The first module of the ``web`` extra that cannot be imported, or ``None``."""
    import importlib.util

    for name in _NEEDED:
        if importlib.util.find_spec(name) is None:
            return "python-multipart" if name == "multipart" else name
    return None


def create_app(
    workspace: Workspace | str | Path,
    *,
    now: Callable[[], datetime] | None = None,
) -> Any:
    """The ASGI application serving the members' pages of ``workspace`` (a
    :class:`~terrain.store.Workspace`, or the folder of one, opened here).

    ``now`` is the clock the pages read (default :func:`terrain.clock.now`).
    Mount it in another ASGI application, or serve it with uvicorn::

        app = create_app("/srv/meetup")   # then: uvicorn module:app

    Raises :class:`~terrain.errors.ConfigError` when the ``web`` extra is not
    installed, naming what to install.
    """
    missing = missing_extra()
    if missing is not None:
        raise ConfigError(MISSING_EXTRA.format(missing=missing))
    from terrain.store import Workspace
    from terrain.web._app import build_app

    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    return build_app(ws, now=now)


def serve(
    workspace: Workspace,
    *,
    host: str | None = None,
    port: int | None = None,
    proxy: bool = True,
    workers: int = 1,
) -> None:
    """Serve the members' pages of ``workspace`` with uvicorn until interrupted.

    ``host`` defaults to ``[web] host`` (``127.0.0.1``). An address that is
    not this machine's loopback must be the one ``[web] host`` names: listening
    to the network is a choice written in terrain.toml, not a typo on the
    command line (:class:`~terrain.errors.ConfigError` otherwise). With
    ``proxy``, the client address comes from ``X-Forwarded-For`` when the
    request comes from 127.0.0.1 (a reverse proxy on the same machine), so
    rate limits count real clients. The access log is off: terrain logs each
    request's route, never its path (a path may hold a link's token).
    ``workers`` > 1 runs that many processes (one per core), each opening the
    workspace itself; rate limits are then counted per process.
    """
    from terrain.workflows import listen_address

    where, port = listen_address(workspace, host, port)
    import uvicorn

    options: dict[str, Any] = {
        "host": where, "port": port, "access_log": False, "server_header": False,
        "proxy_headers": proxy, "forwarded_allow_ips": "127.0.0.1", "log_level": "info",
    }
    if workers > 1:
        import os

        os.environ[WORKSPACE_ENV] = str(workspace.root)  # each worker opens it
        uvicorn.run("terrain.web:app_from_environment", factory=True, workers=workers,
                    **options)
    else:
        uvicorn.run(create_app(workspace), **options)


#: The workspace folder :func:`app_from_environment` serves.
WORKSPACE_ENV = "TERRAIN_WORKSPACE"


def app_from_environment() -> Any:
    """The application for the workspace ``$TERRAIN_WORKSPACE`` names (an ASGI server's
    factory: ``uvicorn --factory terrain.web:app_from_environment --workers 2``)."""
    import os

    return create_app(os.environ[WORKSPACE_ENV])
