"""The hooks a terrain plugin can implement: their docstrings are the reference.

A plugin is a module (or object) with functions decorated by
:data:`hookimpl` and named after the hooks below, made known to terrain
through the ``terrain`` entry-point group::

    # pyproject.toml of terrain-mastodon
    [project.entry-points.terrain]
    mastodon = "terrain_mastodon"

    # terrain_mastodon/__init__.py
    import terrain

    @terrain.hookimpl
    def terrain_register_platforms(register):
        register(MastodonFactory())

A hook implementation may take fewer arguments than the specification
(pluggy passes only those it names), so hooks can grow arguments without
breaking plugins. A function whose name starts with ``terrain_`` but is no
hook here is reported by :meth:`PluginManager.check_pending()
<pluggy.PluginManager.check_pending>` (a misspelled hook would otherwise be
silently ignored).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from PIL.Image import Image

    from terrain.community import Member
    from terrain.content import Region
    from terrain.plugins import Platform, PlatformFactory, StorageFactory
    from terrain.posts import Post, Receipt

__all__ = [
    "PROJECT_NAME",
    "hookimpl",
    "hookspec",
    "terrain_after_publish",
    "terrain_before_publish",
    "terrain_consent_withdrawn",
    "terrain_detect_faces",
    "terrain_register_platforms",
    "terrain_register_storages",
]

#: The pluggy project name: markers, manager and entry-point group are all ``terrain``.
PROJECT_NAME = "terrain"

#: Marks a hook specification (terrain's own; plugins do not need it).
hookspec = pluggy.HookspecMarker(PROJECT_NAME)

#: Marks a plugin's hook implementation: ``@terrain.hookimpl``.
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def terrain_register_platforms(register: Callable[[PlatformFactory], None]) -> None:
    """Register the platforms this plugin adds.

    Call ``register(factory)`` once for each platform. ``factory`` has a
    ``name`` attribute (``"mastodon"``: lowercase, unique across every installed
    plugin) and, when called with a :class:`~terrain.plugins.PlatformContext`,
    returns an object following the :class:`~terrain.Platform` protocol
    (``name``, ``capabilities``, ``publish``, ``find``, ``delete``).

    Import the platform's client library inside the factory call, not at the
    top of the plugin module: listing plugins (``terrain plugins``) must stay
    fast and must work even when an optional client is missing.

    Two plugins registering the same name is an error
    (:class:`~terrain.errors.PluginError` naming both plugins); rename one or
    uninstall one.

    Example::

        @terrain.hookimpl
        def terrain_register_platforms(register):
            register(JournalFactory())
    """


@hookspec
def terrain_register_storages(register: Callable[[StorageFactory], None]) -> None:
    """Register the storage backends this plugin adds.

    Call ``register(factory)`` once for each backend. ``factory`` has a
    ``name`` (``"filesystem"``, ``"s3"``: the value of ``backend`` in the
    ``[storage]`` table of ``terrain.toml``) and, when called with a
    :class:`~terrain.plugins.StorageContext`, returns an object following the
    :class:`~terrain.Storage` protocol (``put``, ``get``, ``delete``, ``list``,
    ``exists``, ``public_url``).

    Names are unique across plugins, as for platforms.

    Example::

        @terrain.hookimpl
        def terrain_register_storages(register):
            register(WebDavStorageFactory())
    """


@hookspec
def terrain_before_publish(post: Post, platform: Platform) -> None:
    """Called right before ``post`` is sent to ``platform``, after the consent check.

    Observe (log, count), or refuse by raising
    :class:`~terrain.errors.PublishVetoed` with a reason the community manager
    will read::

        @terrain.hookimpl
        def terrain_before_publish(post, platform):
            if platform.name == "x" and "draft" in post.text.lower():
                raise PublishVetoed("the text still says 'draft'; edit it first")

    A vetoed post is held back (recorded in the journal with the reason), not
    retried; the other posts of the run go on. Any other exception raised here
    is a bug in the plugin, not a veto. Do not change ``post`` (it is
    frozen) and do not call ``platform.publish`` yourself.
    """


@hookspec
def terrain_after_publish(receipt: Receipt) -> None:
    """Called once a post is on a platform, with the platform's ``receipt``.

    For observation only (a webhook, a log line, a counter): the post is out
    and the journal already holds the receipt. An exception raised here is
    reported but does not undo the publication.
    """


@hookspec
def terrain_consent_withdrawn(subject: Member, receipts: Sequence[Receipt]) -> None:
    """Called when ``subject`` (the :class:`~terrain.Member`) withdraws a consent.

    ``receipts`` are the publications the withdrawal covers, which terrain's
    takedown has just deleted (or listed to remove by hand) from the
    platforms. React here to what terrain cannot reach: remove the photo from
    a newsletter archive, tell a partner, open a ticket. It is called once
    per withdrawal the takedown records: running the takedown again with
    nothing newly withdrawn does not call it again. Do not raise to refuse
    the withdrawal: a withdrawal always wins; an exception is logged and
    reported to the user (the takedown goes on and still lists what to
    remove by hand).
    """


@hookspec(firstresult=True)
def terrain_detect_faces(image: Image) -> Sequence[Region] | None:
    """Find the faces in ``image``, at import, so that a photo showing more faces
    than people identified stays "not reviewed" until someone confirms it.

    ``image`` is a Pillow image of the photo turned upright (its EXIF
    orientation applied), in RGB, at most 1280 pixels on its longest side.
    Return a :class:`~terrain.content.Region` per face, as fractions of that
    image (terrain turns them back to the picture as stored), ``[]`` when
    there is none, or ``None`` when this plugin cannot tell (its model or
    library is missing): the next plugin is asked. The first answer that is not
    ``None`` wins, so a plugin's detector runs before terrain's own, which
    answers last: OpenCV's Haar cascade when the ``faces`` extra is installed
    (``pip install 'terrain-field[faces]'``), else nothing, and the import
    says face detection is off.

    Imports run this hook in worker processes (one per core): load your model
    once per process (a module-level cache), never per photo. It must work
    offline. Example::

        @terrain.hookimpl
        def terrain_detect_faces(image):
            boxes = my_model().detect(image)           # pixels of ``image``
            w, h = image.size
            return [Region(x / w, y / h, bw / w, bh / h) for x, y, bw, bh in boxes]
    """
