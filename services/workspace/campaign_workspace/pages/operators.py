"""The operators' page (vận hành): each service's gRPC health, the metrics service's lag and
freshness per portal and per unit, dead letters by reason, failing deliveries, and links to each
service's Prometheus metrics."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response

from campaign.metrics.v1 import metrics_pb2
from campaign.notifier.v1 import notifier_pb2
from campaign_workspace.clients import SERVICE_NAMES, ServiceError
from campaign_workspace.settings import SERVICES
from campaign_workspace.web import (
    back,
    caller_of,
    checked_form,
    error_page,
    field,
    notice_of,
    optional,
    page,
    signed_in,
    workspace_of,
)


@signed_in("operator", "office")
async def operators(request: Request) -> Response:
    workspace = workspace_of(request)
    caller = caller_of(request)
    call = workspace.services.call
    health = await asyncio.gather(*(workspace.services.health(s) for s in SERVICES))
    caught_up = await asyncio.gather(*(workspace.services.caught_up(s) for s in SERVICES))
    # A failing delivery is one given up on (dead) or one waiting to be tried again after a
    # failed attempt (pending with attempts): the notifier has no "failed" status.
    (status, status_note), (retrying, failed_note), (dead, _) = await asyncio.gather(
        optional(call(caller, "metrics", "GetStatus", metrics_pb2.GetStatusRequest())),
        optional(call(caller, "notifier", "ListDeliveries",
                      notifier_pb2.ListDeliveriesRequest(status="pending", page_size=100))),
        optional(call(caller, "notifier", "ListDeliveries",
                      notifier_pb2.ListDeliveriesRequest(status="dead", page_size=100))))
    failing = [d for reply in (retrying, dead) if reply for d in reply.deliveries
               if d.status == "dead" or d.attempts > 0]
    services = [(name, SERVICE_NAMES[name], state, inputs, workspace.metrics_links.get(name, ""))
                for name, state, inputs in zip(SERVICES, health, caught_up, strict=True)]
    return page(request, "operators.html", services=services, metrics_status=status,
                status_note=status_note, failing=failing, failing_note=failed_note,
                notice=notice_of(request))


@signed_in("operator")
async def resend(request: Request) -> Response:
    form = await checked_form(request)
    try:
        await workspace_of(request).services.call(
            caller_of(request), "notifier", "Resend",
            notifier_pb2.ResendRequest(delivery_id=field(form, "delivery_id")))
    except ServiceError as error:
        return error_page(request, error.http_status, error.message)
    return back("/operators", "resent")
