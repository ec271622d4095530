"""The command side: each command is loaded, decided and stored by one table of handlers.

One transaction per attempt: load the dossier's history from the event store, let the domain
decide, run the handler's side step (store the uploaded file), append the new events with
optimistic concurrency on the dossier's version and put them in the outbox. If another writer
appended first, the whole attempt is repeated on the fresh history.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import Connection, Table

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import DossierEvent
from campaign_dossiers.blobs import BlobStore
from campaign_dossiers.clock import Clock
from campaign_dossiers.domain import decisions
from campaign_dossiers.domain.access import Principal
from campaign_dossiers.domain.commands import (
    AttachDocument,
    Command,
    ForwardDossier,
    OpenDossier,
    ReviewDossier,
    SubmitDossier,
)
from campaign_dossiers.domain.dossier import Dossier, evolve
from campaign_dossiers.domain.errors import Refusal, RefusalKind
from campaign_dossiers.event_store import EventStore, VersionConflict
from campaign_kit.db import Database
from campaign_kit.outbox import add_to_outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dependencies:
    """What handlers need beyond the transaction; tests pass fakes."""

    events: EventStore
    blobs: BlobStore


Load = Callable[[Connection, Dependencies, Any, decisions.Context], Dossier | None]
Decide = Callable[[Any, Dossier | None, decisions.Context], list[DossierEvent]]
SideStep = Callable[[Any, Dependencies], None]


@dataclass(frozen=True)
class Handler:
    load: Load          # the state the decision needs
    decide: Decide      # pure domain decision
    before_commit: SideStep | None = None  # work that must be done before the events exist


def _by_id(connection: Connection, deps: Dependencies, command: Any,
           _ctx: decisions.Context) -> Dossier | None:
    return Dossier.from_history(deps.events.load(connection, command.dossier_id))


def _by_nomination(connection: Connection, deps: Dependencies, command: OpenDossier,
                   ctx: decisions.Context) -> Dossier | None:
    """The dossier already open for the same nominee and award, if any."""
    nomination = decisions.nomination_of(command, ctx)
    existing = deps.events.nominated(connection, ctx.campaign.campaign_id, nomination)
    if existing is None:
        return None
    return Dossier.from_history(deps.events.load(connection, existing))


def _store_document(command: AttachDocument, deps: Dependencies) -> None:
    # Before the commit, so that no event ever names a file the store does not have; a
    # transaction that then fails leaves an unreferenced blob, which is harmless.
    deps.blobs.put(command.document.data)


HANDLERS: dict[type[Any], Handler] = {
    OpenDossier: Handler(_by_nomination, decisions.open_dossier),
    AttachDocument: Handler(_by_id, decisions.attach_document, _store_document),
    SubmitDossier: Handler(_by_id, decisions.submit_dossier),
    ReviewDossier: Handler(_by_id, decisions.review_dossier),
    ForwardDossier: Handler(_by_id, decisions.forward_dossier),
}


class CommandTelemetry:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.commands = Counter(
            "dossier_commands_total", "Dossier commands by outcome (ok or the refusal reason)",
            ["command", "outcome"], registry=registry,
        )
        self.conflicts = Counter(
            "dossier_version_conflicts_total",
            "Attempts repeated because another writer changed the dossier first",
            registry=registry,
        )


class CommandBus:
    def __init__(
        self, db: Database, campaign: Campaign, deps: Dependencies, clock: Clock,
        outbox: Table, topic: str, telemetry: CommandTelemetry, attempts: int = 3,
    ) -> None:
        self.db = db
        self.campaign = campaign
        self.deps = deps
        self.clock = clock
        self.outbox = outbox
        self.topic = topic
        self.telemetry = telemetry
        self.attempts = attempts

    def handle(
        self, command: Command, principal: Principal, correlation_id: uuid.UUID | None = None
    ) -> Dossier:
        """Carry out a command; the dossier as it stands after it, or a Refusal."""
        name = type(command).__name__
        try:
            dossier = self._handle(command, principal, correlation_id or uuid.uuid4())
        except Refusal as refusal:
            self.telemetry.commands.labels(name, refusal.reason).inc()
            log.info("command refused", extra={"command": name, "reason": refusal.reason,
                                               "actor": principal.actor})
            raise
        self.telemetry.commands.labels(name, "ok").inc()
        log.info("command done", extra={"command": name, "dossier_id": str(dossier.dossier_id),
                                        "version": dossier.version, "actor": principal.actor})
        return dossier

    def _handle(
        self, command: Command, principal: Principal, correlation_id: uuid.UUID
    ) -> Dossier:
        handler = HANDLERS[type(command)]
        for _attempt in range(self.attempts):
            ctx = decisions.Context(self.campaign, principal, self.clock.now(), correlation_id)
            try:
                with self.db.begin() as connection:
                    state = handler.load(connection, self.deps, command, ctx)
                    events = handler.decide(command, state, ctx)
                    if handler.before_commit is not None:
                        handler.before_commit(command, self.deps)
                    expected = 0 if isinstance(command, OpenDossier) else \
                        (state.version if state else 0)
                    self.deps.events.append(connection, expected, events)
                    for event in events:
                        add_to_outbox(connection, self.outbox, self.topic, str(event.dossier_id),
                                      event)
            except VersionConflict:
                self.telemetry.conflicts.inc()
                continue
            after = state if not isinstance(command, OpenDossier) else None
            for event in events:
                after = evolve(after, event)
            assert after is not None
            return after
        raise Refusal(RefusalKind.CONFLICT, "version_conflict",
                      "Hồ sơ đang được thay đổi đồng thời; hãy thử lại.")
