"""Projects the dossiers topic into the read model, exactly once per record (the tracked
consumer stores the position with the change). Each event is also put back into the event
store if it is missing there, so an empty database replayed from the topic ends up with the
same event store, nominations and read model as the one that wrote the events."""

from __future__ import annotations

import logging

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import Connection

from campaign_contracts.events import DossierEvent, DossierEventMessage
from campaign_dossiers import read_model
from campaign_dossiers.domain.dossier import Dossier
from campaign_dossiers.event_store import EventStore

log = logging.getLogger(__name__)

CONSUMER = "dossiers.dossier-events"
"""The tracked consumer's name: its stored positions are what a rebuild resets."""


class ProjectionTelemetry:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.applied = Counter(
            "dossier_events_projected_total", "Dossier events applied to the read model",
            ["event_type"], registry=registry,
        )
        self.restored = Counter(
            "dossier_events_restored_total",
            "Dossier events put back into the event store from the topic (rebuilds)",
            registry=registry,
        )
        self.republished = Counter(
            "dossier_events_republished_total",
            "Dossier events seen again (an outbox republish) and skipped", registry=registry,
        )
        self.broken = Counter(
            "dossier_events_unusable_total",
            "Dossier events that cannot be applied (history incomplete); skipped and logged",
            registry=registry,
        )


class DossierProjection:
    def __init__(self, events: EventStore, telemetry: ProjectionTelemetry) -> None:
        self.events = events
        self.telemetry = telemetry

    def apply(self, connection: Connection, message: DossierEventMessage | DossierEvent) -> None:
        event = message.root if isinstance(message, DossierEventMessage) else message
        if self.events.restore(connection, event):
            self.telemetry.restored.inc()
        shown = read_model.version_of(connection, event.dossier_id)
        if shown is not None and shown >= event.sequence:
            self.telemetry.republished.inc()
            return
        # The state up to this event only: the event store may already hold later events
        # that the topic has not delivered yet, and the read model follows the topic.
        history = self.events.load(connection, event.dossier_id, up_to=event.sequence)
        try:
            state = Dossier.from_history(history)
        except ValueError:
            # A history that does not start with its opening cannot be folded; retrying would
            # stop the partition for good, so the record is logged and left behind.
            self.telemetry.broken.inc()
            log.exception("dossier history incomplete; event skipped",
                          extra={"dossier_id": str(event.dossier_id),
                                 "sequence": event.sequence})
            return
        assert state is not None
        read_model.write(connection, state)
        self.telemetry.applied.labels(event.event_type).inc()
