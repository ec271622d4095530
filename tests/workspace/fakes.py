"""A workspace wired with fakes (no network), for fast tests of pages, forms and formats."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc

from campaign_contracts.campaign_file import load_campaign
from campaign_kit.db import Database
from campaign_kit.identity import Caller, IdentitySigner
from campaign_workspace.accounts import AccountStore, metadata
from campaign_workspace.board import BoardWatcher
from campaign_workspace.clients import ServiceError, Services
from campaign_workspace.sessions import SessionCodec
from campaign_workspace.web import Workspace

Answer = Callable[[Caller, Any], Any]


class FakeServices(Services):
    """Answers each (service, method) with a function of the caller and the request; a method
    with no answer is UNIMPLEMENTED, as a service that does not offer it yet would say."""

    def __init__(self, answers: dict[tuple[str, str], Answer]) -> None:
        super().__init__(IdentitySigner(b"x" * 32), {})
        self.answers = answers
        self.calls: list[tuple[Caller, str, str, Any]] = []
        self.checked: list[tuple[str, str]] = []  # (service, health status name) asked
        self.states: dict[str, str] = {}  # health status name -> its answer; else SERVING

    def open(self) -> None:
        pass

    async def call(self, caller: Caller, service: str, method: str, request: Any) -> Any:
        self.calls.append((caller, service, method, request))
        answer = self.answers.get((service, method))
        if answer is None:
            raise ServiceError(service, grpc.StatusCode.UNIMPLEMENTED,
                               "Chưa có dữ liệu (chức năng này chưa được triển khai).",
                               "unimplemented")
        return answer(caller, request)

    async def health(self, service: str, check: str = "") -> str:
        self.checked.append((service, check))
        return self.states.get(check, "SERVING")

    async def close(self) -> None:
        pass


def fake_workspace(tmp_path: Path, answers: dict[tuple[str, str], Answer]) -> Workspace:
    database = Database(f"sqlite:///{tmp_path / 'accounts.db'}", metadata)
    database.create_schema()
    services = FakeServices(answers)

    async def fetch(key: Any) -> Any:
        return await services.call(Caller("office"), "awards", "GetStandings", key)

    workspace = Workspace(
        campaign=load_campaign(), services=services, accounts=AccountStore(database),
        sessions=SessionCodec(b"s" * 32, 3600),
        board=BoardWatcher(fetch, lambda _k, _s: "", 0.05), metrics_links={})
    from campaign_workspace.pages.board import render_table
    from campaign_workspace.views import board_view

    workspace.board.render = lambda key, standings: render_table(
        workspace, board_view(standings, workspace.campaign, key.subject_kind))
    units = {u.code for u in workspace.campaign.units}
    for username, role, unit in [("qlvt", "unit", "QLVT"), ("vanphong", "office", None),
                                 ("vanhanh", "operator", None), ("hoidong", "council", None)]:
        workspace.accounts.add(username, "mật-khẩu-đủ-dài", role, unit, username, units)
    return workspace
