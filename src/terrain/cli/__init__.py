"""The ``terrain`` command line: a thin layer over the library, split by verb.

Each verb lives in its own module (``_demo.py``, ``_consent.py``…) that defines
``command``; :data:`COMMANDS` lists them with the one line ``terrain --help``
shows, so that listing the verbs imports none of them: a verb's module is
imported only when that verb runs (a test checks each line against the verb's
own help). Exit codes: 0 success, 1 the work ran but something failed (a
platform refused a post), 2 bad input (the message says what to fix; nothing
was changed), 75 the store could not be reached (run it again later).
"""

from __future__ import annotations

import gc
import importlib
from typing import TYPE_CHECKING

import click

from terrain import __version__
from terrain.cli._common import TerrainGroup

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

#: What ``--log-level`` accepts (kept here so that ``terrain --help`` imports no logging).
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

__all__ = ["CACHE_GENERATED_CODE", "COMMANDS", "GC_PAUSED_AT_START", "main", "resume_gc"]

#: True while the ``terrain`` program starts with the garbage collector paused
#: (:func:`terrain.__main__.run`); :func:`resume_gc` turns it back on.
GC_PAUSED_AT_START = False


def resume_gc() -> None:
    """Turn the garbage collector back on if the program paused it to start: what
    start-up made (modules, classes, functions: none of it garbage) is moved where
    the collector never scans it again (:func:`gc.freeze`). Nothing otherwise."""
    global GC_PAUSED_AT_START
    if GC_PAUSED_AT_START:
        GC_PAUSED_AT_START = False
        gc.freeze()
        gc.enable()

#: True when the ``terrain`` program (:func:`terrain.__main__.run`) asks for the code
#: attrs and cattrs generate to be compiled through the user's cache
#: (:mod:`terrain._codecache`): set up when a verb's module is imported, once.
CACHE_GENERATED_CODE = False


def _cache_generated_code() -> None:
    """Compile generated code through the user's cache from now on, if the program asked."""
    global CACHE_GENERATED_CODE
    if CACHE_GENERATED_CODE:
        CACHE_GENERATED_CODE = False
        from terrain import _codecache

        folder = _codecache.default_folder()
        if folder is not None:
            _codecache.install(_codecache.CodeCache(folder))


#: Every verb: name -> (module defining ``command``, its one-line summary), in
#: the order ``terrain --help`` lists them (the order of a day in the field).
COMMANDS: dict[str, tuple[str, str]] = {
    "init": (
        "terrain.cli._init",
        "Create a workspace in DIRECTORY (default: the current folder).",
    ),
    "demo": (
        "terrain.cli._demo",
        "See the whole flow: a meetup, photos, consents, publication, takedown.",
    ),
    "member": (
        "terrain.cli._member",
        "The members: add, import, edit, list, delete; export or erase one (GDPR).",
    ),
    "event": (
        "terrain.cli._event",
        "Meetups: add them and their talks, check the format, export a calendar.",
    ),
    "venue": (
        "terrain.cli._venue",
        "Add venues, list them, find the ones that fit a crowd.",
    ),
    "series": (
        "terrain.cli._series",
        "Recurring meetups: a rule (RRULE), per-date changes, calendar files.",
    ),
    "rsvp": (
        "terrain.cli._rsvp",
        "Record MEMBER_ID's answer for EVENT_ID: going (waitlisted when full), waitlist (wait "
        "for a seat), or cancel (the first person waiting gets the seat).",
    ),
    "checkin": (
        "terrain.cli._checkin",
        "Check in MEMBER_IDS at the door of EVENT_ID (all or none).",
    ),
    "attendance": (
        "terrain.cli._attendance",
        "Who answered for EVENT_ID, the waitlist, no-shows, and how many to expect.",
    ),
    "partner": (
        "terrain.cli._partner",
        "Partners: the pipeline, what they bring, an event's budget, their report.",
    ),
    "project": (
        "terrain.cli._project",
        "Follow a project over months: milestones, photo timeline, monthly update.",
    ),
    "workshop": (
        "terrain.cli._workshop",
        "Workshops: brief, participants, ideas, votes and the ranking.",
    ),
    "community": (
        "terrain.cli._community",
        "The core, introductions worth making, engagement scores.",
    ),
    "content": (
        "terrain.cli._content",
        "Import photos, record who is in them, list them.",
    ),
    "consent": (
        "terrain.cli._consent",
        "Record and list consents (append-only: nothing is ever edited).",
    ),
    "publish": (
        "terrain.cli._publish",
        "Publish the posts of meetup EVENT_ID (its recap by default), checking consent at "
        "each call.",
    ),
    "queue": ("terrain.cli._queue", "What will go when; move or cancel a planned post."),
    "post": ("terrain.cli._post", "Edit the text of a planned post before it goes."),
    "approve": (
        "terrain.cli._approve",
        "Approve POST_ID as it would go now (--hold: hold it); without it, list what waits.",
    ),
    "worker": (
        "terrain.cli._worker",
        "Publish planned posts until stopped (SIGTERM/SIGINT: finish calls, release the rest).",
    ),
    "replan": (
        "terrain.cli._replan",
        "Plan again the posts held because a store or network failure stopped their consent "
        "check.",
    ),
    "stats": (
        "terrain.cli._stats",
        "Pull back the likes, reposts, replies and reach of the published posts.",
    ),
    "report": ("terrain.cli._report", "Reports to share: the season, with charts."),
    "takedown": (
        "terrain.cli._takedown",
        "Withdraw MEMBER's consent (or part of it) and take down what it covered.",
    ),
    "serve": (
        "terrain.cli._serve",
        "Serve the members' web pages: RSVP, check-in, consent and withdrawal (web extra).",
    ),
    "account": (
        "terrain.cli._account",
        "Accounts of the review desk (terrain serve): editors and approvers.",
    ),
    "link": (
        "terrain.cli._link",
        "A member's personal link to the web pages: show it, mail it, or revoke their links.",
    ),
    "log": (
        "terrain.cli._log",
        "Why was each post published or held back (the consent decisions).",
    ),
    "export": (
        "terrain.cli._export",
        "Export a season as CSV files a spreadsheet opens (a folder, or a zip).",
    ),
    "edit": (
        "terrain.cli._edit",
        "Change fields of record RECORD_ID of KIND, checked as a new record would be.",
    ),
    "delete": (
        "terrain.cli._delete",
        "Delete record RECORD_ID of KIND (a content's files go with it).",
    ),
    "history": (
        "terrain.cli._history",
        "Who changed what, when, from what to what: every record (or those of KIND, or record "
        "RECORD_ID of KIND), oldest first.",
    ),
    "retention": (
        "terrain.cli._retention",
        "Delete the photos never published, older than [retention] unpublished_photos_days.",
    ),
    "plugins": (
        "terrain.cli._plugins",
        "List the loaded plugins, the platforms and storages they add, and load errors.",
    ),
    "store": (
        "terrain.cli._store",
        "Migrate the workspace database, or copy it to another one (SQLite, PostgreSQL).",
    ),
}


class _LazyGroup(TerrainGroup):
    """A group whose verbs are imported when they run, listed from :data:`COMMANDS`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        _cache_generated_code()  # before the verb's models are built
        command = importlib.import_module(COMMANDS[cmd_name][0]).command
        resume_gc()  # start-up is over: the verb's own work comes next
        if not isinstance(command, click.Command):  # pragma: no cover - a wiring mistake
            raise TypeError(f"{COMMANDS[cmd_name][0]}.command is not a click command")
        return command

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        """The verbs from :data:`COMMANDS` (none imported), then the root's options."""
        from click.shell_completion import CompletionItem

        items = [
            CompletionItem(name, help=click.Command(name, short_help=summary).get_short_help_str())
            for name, (_module, summary) in COMMANDS.items()
            if name.startswith(incomplete)
        ]
        return items + click.Command.shell_complete(self, ctx, incomplete)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [
            (name, click.Command(name, short_help=summary).get_short_help_str(limit))
            for name, (_module, summary) in COMMANDS.items()
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="terrain")
@click.option(
    "-v",
    "--verbose",
    "verbosity",
    count=True,
    help="Log what terrain does on stderr: -v INFO, -vv DEBUG (each platform call), "
    "-vvv DEBUG for the libraries underneath too. Tokens are masked.",
)
@click.option(
    "--log-level",
    type=click.Choice(LEVELS, case_sensitive=False),
    envvar="TERRAIN_LOG_LEVEL",
    show_envvar=True,
    default=None,
    metavar="LEVEL",
    help="Level of terrain's own log lines on stderr: DEBUG, INFO, WARNING (the default), "
    "ERROR or CRITICAL; it wins over -v for them.",
)
@click.option(
    "--by",
    default=None,
    metavar="NAME",
    help="Who makes the changes, as the history records them (default: $TERRAIN_USER, "
    "else your user name on this computer).",
)
@click.pass_context
def main(ctx: click.Context, verbosity: int, log_level: str | None, by: str | None) -> None:
    """terrain: field community management, published only with consent.

    Run `terrain demo` to see the whole flow with no account anywhere.
    """
    from terrain.cli._common import BY_META
    from terrain.cli._logging import configure_logging

    ctx.meta[BY_META] = by
    ctx.call_on_close(configure_logging(verbosity=verbosity, level=log_level))
