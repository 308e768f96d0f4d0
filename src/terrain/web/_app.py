"""The Starlette application: routes, templates, cookies. Each page calls one workflow.

Who a visitor is comes only from a link they opened (``/l/{token}``): the
token is checked, put in an HttpOnly cookie named after its purpose, and the
browser is sent on to a clean address, so the token stays out of the address
bar, the history and every log. Pages hand the cookies to the workflows,
which check them again each time.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
import segno
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from terrain import clock
from terrain.errors import (
    Conflict,
    ConsentError,
    LinkRefused,
    NotFound,
    TerrainError,
    ValidationError,
)
from terrain.store import Workspace
from terrain.web._desk import desk_routes
from terrain.web._guard import (
    CSRF_COOKIE,
    RateLimiter,
    SecurityHeaders,
    csrf_token,
    csrf_valid,
    new_csrf_cookie,
)
from terrain.web._i18n import LANGUAGES, format_day, format_time, words
from terrain.workflows import (
    DURATIONS,
    ConsentChoices,
    LinkPurpose,
    answer_as_guardian,
    answer_from_link,
    check_in_from_link,
    check_link,
    consent_form,
    event_page,
    give_consent,
    guardian_request,
    member_photo,
    personal_page,
    purpose_labels,
    request_link,
    web_key,
    withdraw_on_page,
)

__all__ = ["build_app"]

HERE = Path(__file__).parent
LANG_COOKIE = "terrain_lang"


def _cookie(purpose: LinkPurpose | str) -> str:
    return f"terrain_{LinkPurpose(purpose).value.replace('-', '_')}"


#: Where each kind of link leads once opened.
def _landing(purpose: LinkPurpose, ref: str | None) -> str:
    if purpose is LinkPurpose.PERSONAL:
        return "/me"
    if purpose is LinkPurpose.GUARDIAN:
        return "/guardian"
    if purpose is LinkPurpose.CONSENT:
        return f"/events/{ref}/consent"
    return f"/events/{ref}"


class _Site:
    """The application's state: the workspace, its key, templates and limits."""

    def __init__(self, ws: Workspace, now: Callable[[], datetime]) -> None:
        self.ws = ws
        self.now = now
        self.key = web_key(ws)
        self.settings = ws.config.web
        self.limiter = RateLimiter(self.settings.rate_limit)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            auto_reload=False,  # templates ship in the package: no stat() per page
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.globals.update(format_day=format_day, format_time=format_time,
                                purpose_labels=purpose_labels)

    # -- rendering --------------------------------------------------------------------

    def language(self, request: Request) -> str:
        chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
        return chosen if chosen in LANGUAGES else self.ws.community.language

    def render(self, request: Request, template: str, status: int = 200,
               **values: Any) -> HTMLResponse:
        lang = self.language(request)
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = not cookie or len(cookie) > 100
        if fresh:
            cookie = new_csrf_cookie()
        assert cookie is not None
        page = self.env.get_template(template).render(
            t=words(lang), lang=lang, other=LANGUAGES[1 - LANGUAGES.index(lang)],
            community=self.ws.community, csrf=csrf_token(self.key, cookie),
            path=request.url.path, **values,
        )
        response = HTMLResponse(page, status_code=status)
        if fresh:
            response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="lax",
                                secure=self.settings.secure, path="/")
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="lax",
                                secure=self.settings.secure, max_age=365 * 86400, path="/")
        return response

    def problem(self, request: Request, exc: TerrainError) -> HTMLResponse:
        t = words(self.language(request))
        if isinstance(exc, LinkRefused):
            return self.render(request, "refused.html", status=403)
        if isinstance(exc, NotFound):
            return self.render(request, "error.html", status=404, message=t["not_found"])
        return self.render(request, "error.html", status=400, message=str(exc))

    # -- forms ------------------------------------------------------------------------

    async def form(
        self, request: Request, name: str, *, check_csrf: bool = True
    ) -> Mapping[str, Any] | Response:
        """The posted form, or the answer refusing it (rate limit, CSRF; the review
        desk checks its own session-bound CSRF token: ``check_csrf=False``)."""
        t = words(self.language(request))
        client = request.client.host if request.client else "?"
        if not self.limiter.allow(client, name):
            response = self.render(request, "error.html", status=429, message=t["too_many"])
            response.headers["Retry-After"] = "60"
            return response
        try:
            data = await request.form(max_files=0, max_fields=50)
        except Exception:  # a malformed body: refused like a bad token
            return self.render(request, "error.html", status=400, message=t["bad_form"])
        fields: dict[str, Any] = {}
        for field, value in data.multi_items():
            if not isinstance(value, str):
                return self.render(request, "error.html", status=400, message=t["bad_form"])
            fields.setdefault(field, []).append(value)
        one = {k: v[0] for k, v in fields.items()}
        if check_csrf and not csrf_valid(self.key, request.cookies.get(CSRF_COOKIE),
                                         one.get("csrf")):
            return self.render(request, "error.html", status=403, message=t["bad_form"])
        return {**one, "__all__": fields}

    def token(self, request: Request, *purposes: LinkPurpose) -> str:
        for purpose in purposes:
            value = request.cookies.get(_cookie(purpose))
            if value:
                return value
        return ""

    async def call(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a workflow that writes in a worker thread (it may wait for the database's
        write lock, or the disk)."""
        return await run_in_threadpool(functools.partial(function, self.ws, *args, **kwargs))

    def read(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a workflow that only reads, here: a few milliseconds of SQLite reads cost
        less than two thread switches (the event page and the forms hold 200 requests/s
        on 2 cores this way)."""
        return function(self.ws, *args, **kwargs)


Handler = Callable[[_Site, Request], Awaitable[Response]]


def _page(handler: Handler) -> Callable[[_Site], Callable[[Request], Awaitable[Response]]]:
    def bind(site: _Site) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(site, request)
            except (ValidationError, ConsentError, Conflict, NotFound, LinkRefused) as exc:
                return site.problem(request, exc)

        return endpoint

    return bind


# -- pages ---------------------------------------------------------------------------------


@_page
async def home(site: _Site, request: Request) -> Response:
    return site.render(request, "home.html")


@_page
async def event(site: _Site, request: Request) -> Response:
    event_id = request.path_params["event_id"]
    tokens = [site.token(request, LinkPurpose.RSVP), site.token(request, LinkPurpose.CHECK_IN),
              site.token(request, LinkPurpose.PERSONAL)]
    page = site.read(event_page, event_id, now=site.now(), tokens=tokens, key=site.key)
    return site.render(request, "event.html", page=page)


@_page
async def poster(site: _Site, request: Request) -> Response:
    page = site.read(event_page, request.path_params["event_id"], now=site.now())
    qr = segno.make(page.url, error="m").svg_inline(scale=8, dark="#000", light="#fff")
    return site.render(request, "poster.html", page=page, qr=qr)


@_page
async def ask(site: _Site, request: Request) -> Response:
    form = await site.form(request, "ask")
    if isinstance(form, Response):
        return form
    event_id = request.path_params.get("event_id")
    purpose = form.get("purpose", "personal")
    if purpose not in [p.value for p in LinkPurpose if p is not LinkPurpose.GUARDIAN]:
        raise ValidationError("choose what the link is for")
    email = str(form.get("email", "")).strip()
    outgoing = await site.call(request_link, email, purpose, now=site.now(),
                               event_id=event_id, key=site.key)
    response = site.render(request, "sent.html", event_id=event_id)
    response.background = BackgroundTask(outgoing.send)  # after the answer: no timing tell
    return response


@_page
async def open_link(site: _Site, request: Request) -> Response:
    token = request.path_params["token"]
    row = await site.call(check_link, token, list(LinkPurpose), now=site.now(), key=site.key)
    purpose = LinkPurpose(row.purpose)
    response = RedirectResponse(_landing(purpose, row.ref), status_code=303)
    response.set_cookie(_cookie(purpose), token, httponly=True, samesite="lax",
                        secure=site.settings.secure, path="/",
                        max_age=max(60, int((row.expires_at - site.now()).total_seconds())))
    return response


@_page
async def rsvp(site: _Site, request: Request) -> Response:
    form = await site.form(request, "rsvp")
    if isinstance(form, Response):
        return form
    event_id = request.path_params["event_id"]
    answer = form.get("answer")
    if answer not in ("going", "waitlist", "cancel"):
        raise ValidationError("answer going, waitlist or cancel")
    token = site.token(request, LinkPurpose.RSVP, LinkPurpose.PERSONAL)
    done = await site.call(answer_from_link, token, event_id, answer, now=site.now(),
                           key=site.key)
    page = site.read(event_page, event_id, now=site.now(), key=site.key,
                     tokens=[site.token(request, LinkPurpose.PERSONAL)])
    return site.render(request, "event.html", page=page, done=done)


@_page
async def check_in(site: _Site, request: Request) -> Response:
    form = await site.form(request, "check-in")
    if isinstance(form, Response):
        return form
    event_id = request.path_params["event_id"]
    token = site.token(request, LinkPurpose.CHECK_IN, LinkPurpose.PERSONAL)
    member, _attendance = await site.call(check_in_from_link, token, event_id, now=site.now(),
                                          key=site.key)
    return site.render(request, "done.html", event_id=event_id,
                       message=words(site.language(request))["checked_in"].format(
                           name=member.display_name))


@_page
async def consent_page(site: _Site, request: Request) -> Response:
    event_id = request.path_params.get("event_id")
    token = site.token(request, LinkPurpose.CONSENT, LinkPurpose.PERSONAL)
    form = site.read(consent_form, token, now=site.now(), event_id=event_id,
                     language=site.language(request), key=site.key)
    return site.render(request, "consent.html", form=form, event_id=event_id)


@_page
async def consent_post(site: _Site, request: Request) -> Response:
    form = await site.form(request, "consent")
    if isinstance(form, Response):
        return form
    event_id = request.path_params.get("event_id")
    fields = form["__all__"]
    where = form.get("where", "all")
    duration = form.get("duration", "none")
    if duration != "none" and not str(duration).isdigit():
        raise ValidationError("choose a duration")
    choices = ConsentChoices(
        purposes=fields.get("purpose", []),
        platforms=None if where == "all" else fields.get("platform", []),
        scope="event" if form.get("scope", "event") == "event" else "all",
        duration_days=None if duration == "none" else int(duration),
    )
    token = site.token(request, LinkPurpose.CONSENT, LinkPurpose.PERSONAL)
    given = await site.call(give_consent, token, choices, now=site.now(), event_id=event_id,
                            language=site.language(request), key=site.key)
    return site.render(request, "consent_done.html", given=given, event_id=event_id)


@_page
async def guardian(site: _Site, request: Request) -> Response:
    token = site.token(request, LinkPurpose.GUARDIAN)
    asked = site.read(guardian_request, token, now=site.now(), key=site.key)
    return site.render(request, "guardian.html", asked=asked)


@_page
async def guardian_post(site: _Site, request: Request) -> Response:
    form = await site.form(request, "guardian")
    if isinstance(form, Response):
        return form
    if form.get("answer") not in ("agree", "refuse"):
        raise ValidationError("answer agree or refuse")
    token = site.token(request, LinkPurpose.GUARDIAN)
    answer = await site.call(answer_as_guardian, token, form["answer"] == "agree",
                             now=site.now(), key=site.key)
    return site.render(request, "guardian_done.html", answer=answer)


@_page
async def me(site: _Site, request: Request) -> Response:
    token = site.token(request, LinkPurpose.PERSONAL)
    page = site.read(personal_page, token, now=site.now(), key=site.key)
    withdrawn = request.query_params.get("withdrawn", "")
    return site.render(request, "me.html", page=page,
                       withdrawn=int(withdrawn) if withdrawn.isdigit() else None)


@_page
async def withdraw(site: _Site, request: Request) -> Response:
    form = await site.form(request, "withdraw")
    if isinstance(form, Response):
        return form
    what: dict[str, Any] = {}
    if form.get("purpose"):
        what["purposes"] = [form["purpose"]]
    if form.get("platform"):
        what["platforms"] = [form["platform"]]
    if form.get("event"):
        what["event_id"] = form["event"]
    if form.get("consent"):
        what["consent_id"] = form["consent"]
    if not what and form.get("everything") != "yes":
        raise ValidationError("say what to withdraw")
    token = site.token(request, LinkPurpose.PERSONAL)
    done = await site.call(withdraw_on_page, token, now=site.now(), key=site.key, **what)
    # post/redirect/get: reloading the page does not send the withdrawal again
    return RedirectResponse(f"/me?withdrawn={len(done.queued)}", status_code=303)


@_page
async def photo(site: _Site, request: Request) -> Response:
    token = site.token(request, LinkPurpose.PERSONAL)
    data = await site.call(member_photo, token, request.path_params["content_id"],
                           request.path_params["media_id"], now=site.now(), key=site.key)
    return Response(data, media_type="image/jpeg")


@_page
async def logout(site: _Site, request: Request) -> Response:
    form = await site.form(request, "logout")
    if isinstance(form, Response):
        return form
    response = RedirectResponse("/", status_code=303)
    for purpose in LinkPurpose:
        response.delete_cookie(_cookie(purpose), path="/")
    return response


async def _not_found(request: Request, exc: Exception) -> Response:
    return HTMLResponse("<!DOCTYPE html><title>404</title><p>Not found</p>", status_code=404)


def build_app(ws: Workspace, *, now: Callable[[], datetime] | None = None) -> Starlette:
    """The application over ``ws`` (see :func:`terrain.web.create_app`)."""
    site = _Site(ws, now or clock.now)
    routes = [
        Route("/", home(site)),
        Route("/ask", ask(site), methods=["POST"]),
        Route("/l/{token}", open_link(site)),
        Route("/me", me(site)),
        Route("/me/withdraw", withdraw(site), methods=["POST"]),
        Route("/me/photos/{content_id}/{media_id}", photo(site)),
        Route("/logout", logout(site), methods=["POST"]),
        Route("/guardian", guardian(site)),
        Route("/guardian", guardian_post(site), methods=["POST"]),
        Route("/consent", consent_page(site)),
        Route("/consent", consent_post(site), methods=["POST"]),
        Route("/events/{event_id}", event(site)),
        Route("/events/{event_id}/poster", poster(site)),
        Route("/events/{event_id}/ask", ask(site), methods=["POST"]),
        Route("/events/{event_id}/rsvp", rsvp(site), methods=["POST"]),
        Route("/events/{event_id}/checkin", check_in(site), methods=["POST"]),
        Route("/events/{event_id}/consent", consent_page(site)),
        Route("/events/{event_id}/consent", consent_post(site), methods=["POST"]),
        *desk_routes(site),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={404: _not_found})
    app.state.durations = DURATIONS
    return app
