"""Sign-in and sign-out (đăng nhập, đăng xuất), and where each role lands."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from campaign_workspace.web import (
    Refused,
    checked_form,
    error_page,
    field,
    page,
    session_of,
    set_session,
    signed_in,
    workspace_of,
)


def home_of(role: str | None, unit_code: str | None) -> str:
    if role == "unit" and unit_code:
        return f"/units/{unit_code}"
    return {"office": "/board", "council": "/council", "operator": "/operators"}.get(
        role or "", "/board")


def _local(target: str) -> str:
    """Only a path of this site: a sign-in link must not send anyone elsewhere."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


async def sign_in_form(request: Request) -> Response:
    return page(request, "sign_in.html", next=_local(request.query_params.get("next", "")),
                error=None, username="")


async def sign_in(request: Request) -> Response:
    try:
        form = await checked_form(request)
    except Refused as refusal:
        return error_page(request, refusal.status, refusal.message)
    username, password = field(form, "username"), str(form.get("password") or "")
    target = _local(field(form, "next"))
    workspace = workspace_of(request)
    # scrypt takes tens of milliseconds: off the event loop, so other viewers are not held up.
    account = await asyncio.to_thread(workspace.accounts.verify, username, password)
    if account is None:
        return page(request, "sign_in.html", status=401, next=target, username=username,
                    error="Tên đăng nhập hoặc mật khẩu không đúng.")
    set_session(request, workspace.sessions.signed_in(
        account.username, account.display_name, account.role, account.unit_code))
    return RedirectResponse(target or home_of(account.role, account.unit_code), status_code=303)


async def sign_out(request: Request) -> Response:
    try:
        await checked_form(request)
    except Refused as refusal:
        return error_page(request, refusal.status, refusal.message)
    set_session(request, workspace_of(request).sessions.anonymous())
    return RedirectResponse("/sign-in", status_code=303)


@signed_in()
async def home(request: Request) -> Response:
    session = session_of(request)
    return RedirectResponse(home_of(session.role, session.unit_code), status_code=303)
