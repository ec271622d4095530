"""The composition root (bootstrap): builds the workspace from its settings, or from the parts a
test passes in, and maps URLs to pages."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from campaign_contracts.campaign_file import Campaign, load_campaign
from campaign_kit.db import Database
from campaign_kit.identity import IdentitySigner
from campaign_workspace.accounts import AccountStore, metadata
from campaign_workspace.board import BoardKey, BoardWatcher
from campaign_workspace.clients import Services
from campaign_workspace.pages import auth, board, council, dossiers, operators, units
from campaign_workspace.sessions import SessionCodec
from campaign_workspace.settings import SERVICES, WorkspaceSettings
from campaign_workspace.views import board_view
from campaign_workspace.web import PACKAGE, SessionMiddleware, Workspace, error_page

# Only this site's own scripts, styles and images; no framing (clickjacking on the forms).
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; "
                                 b"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


def build_workspace(settings: WorkspaceSettings, campaign: Campaign | None = None) -> Workspace:
    campaign = campaign or load_campaign(settings.campaign_file)
    database = Database(settings.sqlalchemy_url(), metadata)
    database.create_schema()
    services = Services(IdentitySigner(settings.identity_secret_bytes()),
                        {name: settings.address(name) for name in SERVICES},
                        settings.grpc_timeout_s, settings.identity_ttl_s)

    async def fetch(key: BoardKey) -> Any:
        return await services.call(board.BOARD_READER, "awards", "GetStandings",
                                   board.standings_request(key))

    workspace = Workspace(
        campaign=campaign, services=services, accounts=AccountStore(database),
        sessions=SessionCodec(settings.session_secret_bytes(),
                              int(settings.session_hours * 3600)),
        board=BoardWatcher(fetch, lambda _key, standings: "", settings.board_poll_s),
        metrics_links=settings.metrics_link_map(), cookie_secure=settings.cookie_secure)
    workspace.board.render = lambda key, standings: board.render_table(
        workspace, board_view(standings, workspace.campaign, key.subject_kind))
    return workspace


ROUTES = [
    Route("/", auth.home),
    Route("/sign-in", auth.sign_in_form, methods=["GET"]),
    Route("/sign-in", auth.sign_in, methods=["POST"]),
    Route("/sign-out", auth.sign_out, methods=["POST"]),
    Route("/board", board.board),
    Route("/board/events", board.board_events),
    Route("/board.csv", board.board_csv),
    Route("/units/{code}", units.unit_page),
    Route("/units/{code}/figures.csv", units.unit_csv),
    Route("/units/{code}/cells", units.cell_dossiers),
    Route("/dossiers", dossiers.dossier_list, methods=["GET"]),
    Route("/dossiers", dossiers.open_dossier, methods=["POST"]),
    Route("/dossiers/{dossier_id}", dossiers.dossier_page),
    Route("/dossiers/{dossier_id}/documents", dossiers.attach_document, methods=["POST"]),
    Route("/dossiers/{dossier_id}/documents/{sha256}", dossiers.download_document),
    Route("/dossiers/{dossier_id}/submit", dossiers.submit_dossier, methods=["POST"]),
    Route("/dossiers/{dossier_id}/review", dossiers.review_dossier, methods=["POST"]),
    Route("/dossiers/{dossier_id}/forward", dossiers.forward_dossier, methods=["POST"]),
    Route("/dossiers/{dossier_id}/form08", dossiers.form08),
    Route("/review", dossiers.review_queue),
    Route("/council", council.council),
    Route("/council/decide", council.decide, methods=["POST"]),
    Route("/council/revoke", council.revoke, methods=["POST"]),
    Route("/operators", operators.operators),
    Route("/operators/resend", operators.resend, methods=["POST"]),
]


def create_app(workspace: Workspace) -> Starlette:
    registry = CollectorRegistry()
    requests = Counter("workspace_requests", "Pages served, by status class", ["status"],
                       registry=registry)

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok")

    async def metrics(_request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    async def not_found(request: Request, _exc: Exception) -> Response:
        return error_page(request, 404, "Không có trang này.", "Không tìm thấy trang")

    async def server_error(request: Request, _exc: Exception) -> Response:
        return error_page(request, 500, "Hệ thống gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại; "
                          "nếu lỗi lặp lại, báo cho bộ phận vận hành.", "Lỗi hệ thống")

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        workspace.services.open()
        workspace.board.start()
        try:
            yield
        finally:
            await workspace.board.stop()
            await workspace.services.close()

    routes = [Route("/healthz", healthz), Route("/metrics", metrics),
              Mount("/static", StaticFiles(directory=PACKAGE / "static"), name="static"),
              *ROUTES]
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found, 500: server_error})
    app.state.workspace = workspace

    class Counted:
        """Counts responses and says how long the server took to start each one
        (`Server-Timing: app;dur=ms`), so that a benchmark sees server time, not its own."""

        def __init__(self, inner: Any) -> None:
            self.inner = inner

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            started = time.perf_counter()

            async def counting(message: Any) -> None:
                if message["type"] == "http.response.start":
                    requests.labels(f"{message['status'] // 100}xx").inc()
                    took = (time.perf_counter() - started) * 1000
                    headers = [*message.get("headers", []), *SECURITY_HEADERS,
                               (b"server-timing", f"app;dur={took:.2f}".encode())]
                    message = {**message, "headers": headers}
                await send(message)

            await self.inner(scope, receive, counting if scope["type"] == "http" else send)

    app.add_middleware(SessionMiddleware, codec=workspace.sessions,
                       secure=workspace.cookie_secure)
    app.add_middleware(Counted)
    return app
