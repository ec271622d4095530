"""What every page shares: the session middleware, the templates with Vietnamese formats, the
guards (signed in, role, CSRF) and the error page a person reads instead of a traceback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from campaign_contracts.campaign_file import Campaign
from campaign_kit.identity import Caller
from campaign_workspace import formatting, labels
from campaign_workspace.accounts import AccountStore
from campaign_workspace.board import BoardWatcher
from campaign_workspace.clients import ServiceError, Services
from campaign_workspace.sessions import COOKIE, CSRF_FIELD, Session, SessionCodec, csrf_matches
from campaign_workspace.views import PeriodChoice

PACKAGE = Path(__file__).parent


@dataclass
class Workspace:
    """Everything a page needs, built once by the composition root (app.py)."""

    campaign: Campaign
    services: Services
    accounts: AccountStore
    sessions: SessionCodec
    board: BoardWatcher
    metrics_links: dict[str, str]
    cookie_secure: bool | None = None
    periods_cache: tuple[float, list[PeriodChoice]] | None = None  # (when asked, periods)


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(PACKAGE / "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True,
                      lstrip_blocks=True)
    env.filters.update(number=formatting.number, percent=formatting.percent,
                       points=formatting.points, day=formatting.day, moment=formatting.moment,
                       size=formatting.size)
    env.globals.update(labels=labels, label=labels.label, CSRF_FIELD=CSRF_FIELD)
    return env


TEMPLATES = environment()


class SessionMiddleware:
    """Reads the session cookie into `scope["session"]` and writes it back when a page changed
    it (or when the visitor had none): HttpOnly, SameSite=Lax, Secure over https."""

    def __init__(self, app: ASGIApp, codec: SessionCodec, secure: bool | None) -> None:
        self.app = app
        self.codec = codec
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = SimpleCookie()
        for key, value in scope.get("headers", []):
            if key == b"cookie":
                cookie.load(value.decode("latin-1"))
        morsel = cookie.get(COOKIE)
        loaded = self.codec.decode(morsel.value if morsel else None)
        session = loaded or self.codec.anonymous()
        scope["session_obj"] = session
        scope["session_new"] = loaded is None
        forwarded = dict(scope.get("headers", [])).get(b"x-forwarded-proto", b"").decode()
        secure = self.secure if self.secure is not None else (
            scope.get("scheme") == "https" or forwarded == "https")

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                current: Session = scope["session_obj"]
                if scope["session_new"] or current is not session:
                    value = self.codec.encode(current)
                    age = max(0, current.expires - int(self.codec.clock()))
                    attributes = f"; Path=/; Max-Age={age}; HttpOnly; SameSite=Lax"
                    if secure:
                        attributes += "; Secure"
                    headers = list(message.get("headers", []))
                    headers.append((b"set-cookie", f"{COOKIE}={value}{attributes}".encode()))
                    message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def session_of(request: Request) -> Session:
    return request.scope["session_obj"]  # type: ignore[no-any-return]


def set_session(request: Request, session: Session) -> None:
    request.scope["session_obj"] = session


def workspace_of(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


def caller_of(request: Request) -> Caller:
    session = session_of(request)
    assert session.role is not None
    return Caller(session.role, session.unit_code, session.username)


class Refused(Exception):
    """The workspace itself refuses a page (wrong role, bad form); shown on the error page."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = session_of(request)
    html = TEMPLATES.get_template(template).render(
        request=request, session=session, csrf=session.csrf,
        campaign=workspace_of(request).campaign, **context)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str, title: str = "Không thực hiện được"
               ) -> HTMLResponse:
    return page(request, "error.html", status=status, title=title, message=message)


Handler = Callable[[Request], Awaitable[Response]]


def signed_in(*roles: str) -> Callable[[Handler], Handler]:
    """Only for people signed in (with one of `roles`, when given); service refusals and the
    workspace's own become the error page."""

    def decorate(handler: Handler) -> Handler:
        async def guarded(request: Request) -> Response:
            session = session_of(request)
            if not session.signed_in:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/sign-in?next={quote(target, safe='/')}",
                                        status_code=303)
            if roles and session.role not in roles:
                return error_page(request, 403, "Trang này không dành cho vai trò "
                                  f"{labels.label(labels.ROLES, session.role)}.",
                                  "Không có quyền truy cập")
            try:
                return await handler(request)
            except ServiceError as error:
                return error_page(request, error.http_status, error.message,
                                  "Không có quyền truy cập" if error.http_status == 403
                                  else "Không thực hiện được")
            except Refused as refusal:
                return error_page(request, refusal.status, refusal.message)

        guarded.__name__ = handler.__name__
        return guarded

    return decorate


async def checked_form(request: Request) -> FormData:
    """The posted form, once its CSRF token matches the session's."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not csrf_matches(session_of(request), token if isinstance(token, str) else None):
        raise Refused(403, "Biểu mẫu đã hết hạn hoặc không gửi từ trang của hệ thống. "
                      "Vui lòng tải lại trang và thử lại.")
    return form


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def optional(call: Awaitable[Any]) -> tuple[Any, str | None]:
    """A call whose failure leaves a part of a page empty with a note, not the whole page."""
    try:
        return await call, None
    except ServiceError as error:
        return None, error.message


def back(url: str, notice: str | None = None) -> RedirectResponse:
    """After a change, back to a page (post/redirect/get) with a notice named by its code: the
    URL never carries the text itself, so no link can make the page say something else."""
    suffix = f"{'&' if '?' in url else '?'}notice={notice}" if notice else ""
    return RedirectResponse(url + suffix, status_code=303)


def notice_of(request: Request) -> str | None:
    return labels.NOTICES.get(request.query_params.get("notice", ""))
