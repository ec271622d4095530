"""The Council's page (Hội đồng thi đua – khen thưởng): the dossiers forwarded to it, the
candidates the system proposes, and its decisions (number, date), which it records and revokes.
The awards service checks that the caller is the Council and that a complete, accepted dossier
(or a recorded override reason) stands behind each decision."""

from __future__ import annotations

import asyncio
from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from campaign.awards.v1 import awards_pb2
from campaign.dossiers.v1 import dossiers_pb2
from campaign_workspace.clients import ServiceError
from campaign_workspace.formatting import parse_day
from campaign_workspace.web import (
    back,
    caller_of,
    checked_form,
    field,
    notice_of,
    optional,
    page,
    signed_in,
    workspace_of,
)


async def _council_page(request: Request, error: str | None = None, status: int = 200
                        ) -> Response:
    workspace = workspace_of(request)
    caller = caller_of(request)
    call = workspace.services.call
    (forwarded, forwarded_note), (candidates, candidates_note), (decisions, decisions_note) = \
        await asyncio.gather(
            optional(call(caller, "dossiers", "ListDossiers",
                          dossiers_pb2.ListDossiersRequest(status="forwarded"))),
            optional(call(caller, "awards", "ListCandidates", awards_pb2.ListCandidatesRequest())),
            optional(call(caller, "awards", "ListDecisions",
                          awards_pb2.ListDecisionsRequest(include_revoked=True))))
    return page(request, "council.html", status=status, error=error, notice=notice_of(request),
                forwarded=list(forwarded.dossiers) if forwarded else [],
                forwarded_note=forwarded_note,
                candidates=list(candidates.candidates) if candidates else [],
                candidates_note=candidates_note,
                decisions=list(decisions.decisions) if decisions else [],
                decisions_note=decisions_note, today=date.today().strftime("%d/%m/%Y"),
                awards={a.code: a.name for a in workspace.campaign.awards},
                prefill=request.query_params)


@signed_in("council", "office")
async def council(request: Request) -> Response:
    return await _council_page(request)


@signed_in("council")
async def decide(request: Request) -> Response:
    form = await checked_form(request)
    try:
        decision_date = parse_day(field(form, "decision_date")).isoformat()
    except ValueError:
        return await _council_page(request, "Ngày quyết định không hợp lệ (dd/mm/yyyy).", 400)
    message = awards_pb2.DecideAwardRequest(
        decision_number=field(form, "decision_number"),
        decision_date=decision_date, award_type=field(form, "award_type"),
        nominee_kind=field(form, "nominee_kind"), nominee_code=field(form, "nominee_code"),
        signer=field(form, "signer"), note=field(form, "note"),
        override_reason=field(form, "override_reason"))
    try:
        await workspace_of(request).services.call(caller_of(request), "awards", "DecideAward",
                                                  message)
    except ServiceError as error:
        return await _council_page(request, error.message, error.http_status)
    return back("/council", "decided")


@signed_in("council")
async def revoke(request: Request) -> Response:
    form = await checked_form(request)
    try:
        await workspace_of(request).services.call(
            caller_of(request), "awards", "RevokeDecision", awards_pb2.RevokeDecisionRequest(
                decision_id=field(form, "decision_id"), reason=field(form, "reason")))
    except ServiceError as error:
        return await _council_page(request, error.message, error.http_status)
    return back("/council", "revoked")
