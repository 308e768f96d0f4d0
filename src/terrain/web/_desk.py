"""The review desk: the community manager's pages (``/desk``), behind a login.

Each page calls one workflow, like the members' pages: the contact sheet of an
event or a project, a photo to identify people in (a search box answered on
the server: no script), the posts waiting for an approval with their exact
preview, and one post to edit, approve or hold.

Who is logged in comes from a session id in an HttpOnly, ``SameSite=Strict``
cookie, made anew at each login (a session id planted before the login is
dropped, never made valid); every desk form's CSRF token is bound to that
session as well as to the browser's CSRF cookie. Thumbnails are served by
content and media id, looked up in the workspace: never a path.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from terrain.errors import (
    AccessDenied,
    Conflict,
    ConsentError,
    NotFound,
    TerrainError,
    ValidationError,
)
from terrain.web._guard import CSRF_COOKIE, csrf_token, csrf_valid
from terrain.web._i18n import words
from terrain.workflows import (
    SHOWS,
    account_of_session,
    approval_queue,
    approve_post,
    contact_sheet,
    describe_photo,
    desk_overview,
    edit_post_as,
    find_members,
    identify_people,
    log_in,
    log_out,
    photo_faces,
    photo_thumbnail,
    post_for_approval,
    preview_picture,
)

if TYPE_CHECKING:
    from terrain.web._app import _Site as Site

__all__ = ["DESK_COOKIE", "desk_routes"]

DESK_COOKIE = "terrain_desk"
#: How a photo is cropped in each platform's timeline (a CSS class of terrain.css).
CROPS = {
    "x": "crop-16x9",
    "bluesky": "crop-16x9",
    "mastodon": "crop-16x9",
    "linkedin": "crop-191x100",
    "instagram": "crop-1x1",
    "facebook": "crop-none",
}
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")



def _session(request: Request) -> str:
    return request.cookies.get(DESK_COOKIE, "")


def _bound(request: Request) -> str:
    """What a desk form's CSRF token is made from: the CSRF cookie and the session."""
    return f"{request.cookies.get(CSRF_COOKIE, '')}|{_session(request)}"


def _to_login(request: Request) -> Response:
    return RedirectResponse("/desk/login", status_code=303)


def _desk_page(handler: Callable[[Site, Request, Any], Awaitable[Response]]) -> Callable[
    [Site], Callable[[Request], Awaitable[Response]]
]:
    """A desk page: the visitor's account first (else the login page), then the page;
    a refusal or a mistake is an error page, never a traceback."""

    def bind(site: Site) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                account = await site.call(account_of_session, _session(request),
                                          now=site.now())
            except AccessDenied:
                if request.method == "GET":
                    return _to_login(request)
                t = words(site.language(request))
                return site.render(request, "error.html", status=403, message=t["desk_login_first"])
            try:
                return await handler(site, request, account)
            except AccessDenied as exc:
                return site.render(request, "error.html", status=403, message=str(exc),
                                   account=account)
            except (ValidationError, ConsentError, Conflict, NotFound) as exc:
                return site.problem(request, exc)

        return endpoint

    return bind


def _render(site: Site, request: Request, template: str, account: Any, status: int = 200,
            **values: Any) -> Response:
    cookie = request.cookies.get(CSRF_COOKIE)
    desk_csrf = csrf_token(site.key, _bound(request)) if cookie and len(cookie) <= 100 else ""
    response: Response = site.render(request, template, status=status, account=account,
                                     desk_csrf=desk_csrf, crops=CROPS, **values)
    return response


async def _desk_form(site: Site, request: Request, name: str) -> Mapping[str, Any] | Response:
    """The posted form when its desk CSRF token (bound to the session) is right."""
    form = await site.form(request, name, check_csrf=False)
    if isinstance(form, Response):
        return form
    if not csrf_valid(site.key, _bound(request), form.get("csrf")) or not request.cookies.get(
        CSRF_COOKIE
    ):
        t = words(site.language(request))
        return site.render(request, "error.html", status=403, message=t["bad_form"])
    return form


# -- login ---------------------------------------------------------------------------------


async def login_page(site: Site, request: Request) -> Response:
    return site.render(request, "desk_login.html", failed=False)


async def login(site: Site, request: Request) -> Response:
    form = await site.form(request, "desk-login")
    if isinstance(form, Response):
        return form
    name = str(form.get("name", "")).strip()[:64]
    password = str(form.get("password", ""))[:1024]
    try:
        session, _account = await site.call(log_in, name, password, now=site.now(),
                                            replacing=_session(request) or None)
    except AccessDenied:
        return site.render(request, "desk_login.html", status=403, failed=True)
    response = RedirectResponse("/desk", status_code=303)
    response.set_cookie(DESK_COOKIE, session, httponly=True, samesite="strict",
                        secure=site.settings.secure, path="/desk")
    return response


async def logout(site: Site, request: Request) -> Response:
    form = await site.form(request, "desk-logout")
    if isinstance(form, Response):
        return form
    await site.call(log_out, _session(request))
    response = RedirectResponse("/desk/login", status_code=303)
    response.delete_cookie(DESK_COOKIE, path="/desk")
    return response


# -- pages -------------------------------------------------------------------------------


@_desk_page
async def home(site: Site, request: Request, account: Any) -> Response:
    overview = site.read(desk_overview, now=site.now())
    return _render(site, request, "desk_home.html", account, overview=overview)


@_desk_page
async def sheet(site: Site, request: Request, account: Any) -> Response:
    show = request.query_params.get("show", "all")
    if show not in SHOWS:
        show = "all"
    ref = request.path_params["ref"]
    where = {"event_id": ref} if request.url.path.startswith("/desk/events/") else {
        "project_id": ref}
    result = site.read(contact_sheet, show=show, now=site.now(), **where)
    return _render(site, request, "desk_sheet.html", account, sheet=result, shows=SHOWS)


@_desk_page
async def thumb(site: Site, request: Request, account: Any) -> Response:
    data = await site.call(photo_thumbnail, request.path_params["content_id"],
                           request.path_params["media_id"])
    return Response(data, media_type="image/jpeg")


@_desk_page
async def preview_image(site: Site, request: Request, account: Any) -> Response:
    index = request.path_params["index"]
    data = await site.call(preview_picture, request.path_params["post_id"],
                           request.path_params["platform"], int(index) - 1, now=site.now())
    return Response(data, media_type="image/jpeg")


@_desk_page
async def photo(site: Site, request: Request, account: Any) -> Response:
    content_id = request.path_params["content_id"]
    query = request.query_params.get("q", "")[:100]
    faces = site.read(photo_faces, content_id)
    found = site.read(find_members, query) if query.strip() else []
    back = request.query_params.get("back", "")
    return _render(site, request, "desk_photo.html", account, faces=faces, query=query,
                   found=found, back=back if _ID.fullmatch(back or "-") else "",
                   done=request.query_params.get("done", ""))


def _photo_url(content_id: str, back: str, done: str) -> str:
    suffix = f"&back={back}" if back and _ID.fullmatch(back) else ""
    return f"/desk/photos/{content_id}?done={done}{suffix}"


@_desk_page
async def photo_people(site: Site, request: Request, account: Any) -> Response:
    form = await _desk_form(site, request, "desk-people")
    if isinstance(form, Response):
        return form
    content_id = request.path_params["content_id"]
    add = [form["add"]] if form.get("add") else []
    remove = [form["remove"]] if form.get("remove") else []
    if not add and not remove:
        raise ValidationError("choose someone to add or take off the photo")
    await site.call(identify_people, content_id, add=add, remove=remove, by=account.name,
                    now=site.now())
    return RedirectResponse(_photo_url(content_id, str(form.get("back", "")), "people"),
                            status_code=303)


@_desk_page
async def photo_review(site: Site, request: Request, account: Any) -> Response:
    form = await _desk_form(site, request, "desk-review")
    if isinstance(form, Response):
        return form
    content_id = request.path_params["content_id"]
    await site.call(identify_people, content_id, reviewed=True,
                    confirm_faces=form.get("confirm_faces") == "yes", by=account.name,
                    now=site.now())
    return RedirectResponse(_photo_url(content_id, str(form.get("back", "")), "reviewed"),
                            status_code=303)


@_desk_page
async def photo_describe(site: Site, request: Request, account: Any) -> Response:
    form = await _desk_form(site, request, "desk-describe")
    if isinstance(form, Response):
        return form
    content_id = request.path_params["content_id"]
    await site.call(describe_photo, content_id, alt_text=str(form.get("alt", "")),
                    caption=str(form.get("caption", "")), media_id=form.get("media") or None,
                    by=account.name, now=site.now())
    return RedirectResponse(_photo_url(content_id, str(form.get("back", "")), "described"),
                            status_code=303)


@_desk_page
async def approvals(site: Site, request: Request, account: Any) -> Response:
    event_id = request.query_params.get("event") or None
    if event_id is not None and not _ID.fullmatch(event_id):
        event_id = None
    queue = site.read(approval_queue, now=site.now(), event_id=event_id)
    return _render(site, request, "desk_approvals.html", account, queue=queue,
                   event_id=event_id)


@_desk_page
async def post_page(site: Site, request: Request, account: Any) -> Response:
    item = site.read(post_for_approval, request.path_params["post_id"], now=site.now(),
                     platform=request.path_params["platform"])
    return _render(site, request, "desk_post.html", account, item=item,
                   done=request.query_params.get("done", ""))


def _post_url(request: Request, done: str) -> str:
    return (f"/desk/posts/{request.path_params['post_id']}/"
            f"{request.path_params['platform']}?done={done}")


@_desk_page
async def post_text(site: Site, request: Request, account: Any) -> Response:
    form = await _desk_form(site, request, "desk-text")
    if isinstance(form, Response):
        return form
    text = str(form.get("text", "")).replace("\r\n", "\n")
    await site.call(edit_post_as, request.path_params["post_id"], text, by=account.name,
                    now=site.now(), platform=request.path_params["platform"])
    return RedirectResponse(_post_url(request, "edited"), status_code=303)


@_desk_page
async def post_decide(site: Site, request: Request, account: Any) -> Response:
    form = await _desk_form(site, request, "desk-approve")
    if isinstance(form, Response):
        return form
    hold = form.get("decision") == "hold"
    await site.call(approve_post, request.path_params["post_id"], account=account,
                    now=site.now(), platform=request.path_params["platform"], hold=hold,
                    reason=str(form.get("reason", "")), seen=str(form.get("seen", "")) or None)
    return RedirectResponse(_post_url(request, "held" if hold else "approved"),
                            status_code=303)


def desk_routes(site: Site) -> list[Route]:
    """The review desk's routes over ``site``."""

    def plain(page: Callable[[Site, Request], Awaitable[Response]]) -> Callable[
        [Request], Awaitable[Response]
    ]:
        async def endpoint(request: Request) -> Response:
            try:
                return await page(site, request)
            except TerrainError as exc:
                return site.problem(request, exc)

        return endpoint

    return [
        Route("/desk/login", plain(login_page)),
        Route("/desk/login", plain(login), methods=["POST"]),
        Route("/desk/logout", plain(logout), methods=["POST"]),
        Route("/desk", home(site)),
        Route("/desk/approvals", approvals(site)),
        Route("/desk/events/{ref:str}", sheet(site), name="desk-event"),
        Route("/desk/projects/{ref:str}", sheet(site), name="desk-project"),
        Route("/desk/thumbs/{content_id:str}/{media_id:str}", thumb(site)),
        Route("/desk/photos/{content_id:str}", photo(site)),
        Route("/desk/photos/{content_id:str}/people", photo_people(site), methods=["POST"]),
        Route("/desk/photos/{content_id:str}/review", photo_review(site), methods=["POST"]),
        Route("/desk/photos/{content_id:str}/describe", photo_describe(site),
              methods=["POST"]),
        Route("/desk/posts/{post_id:str}/{platform:str}", post_page(site)),
        Route("/desk/posts/{post_id:str}/{platform:str}/text", post_text(site),
              methods=["POST"]),
        Route("/desk/posts/{post_id:str}/{platform:str}/decide", post_decide(site),
              methods=["POST"]),
        Route("/desk/preview/{post_id:str}/{platform:str}/{index:int}", preview_image(site)),
    ]
