"""The write side's event store (kho sự kiện hồ sơ): each dossier's events in sequence, appended
with optimistic concurrency, and restored from the dossiers topic after a loss."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from sqlalchemy import Connection, insert, select
from sqlalchemy.exc import IntegrityError

from campaign_contracts.events import DossierEvent, DossierOpened, dossier_event_adapter
from campaign_dossiers.domain.nominees import Nomination
from campaign_dossiers.store import dossier_events, nominations

log = logging.getLogger(__name__)


class VersionConflict(Exception):
    """Another writer appended to the dossier (or opened the same nomination) first."""


def _row(event: DossierEvent) -> dict[str, object]:
    return {
        "dossier_id": str(event.dossier_id), "sequence": event.sequence,
        "event_id": str(event.event_id), "event_type": event.event_type,
        "occurred_at": event.occurred_at, "payload": event.model_dump_json(),
    }


def _nomination_row(event: DossierOpened) -> dict[str, object]:
    return {
        "campaign_id": event.campaign_id, "award_type": event.award_type,
        "nominee_kind": event.nominee_kind, "nominee_code": event.nominee_code,
        "dossier_id": str(event.dossier_id),
    }


class EventStore:
    def load(
        self, connection: Connection, dossier_id: uuid.UUID, up_to: int | None = None
    ) -> list[DossierEvent]:
        c = dossier_events.c
        query = select(c.payload).where(c.dossier_id == str(dossier_id)).order_by(c.sequence)
        if up_to is not None:
            query = query.where(c.sequence <= up_to)
        return [dossier_event_adapter.validate_json(p) for p in connection.scalars(query)]

    def nominated(
        self, connection: Connection, campaign_id: str, nomination: Nomination
    ) -> uuid.UUID | None:
        """The dossier already open for this nominee and award, if any."""
        c = nominations.c
        found = connection.execute(select(c.dossier_id).where(
            c.campaign_id == campaign_id, c.award_type == nomination.award_type,
            c.nominee_kind == nomination.nominee_kind, c.nominee_code == nomination.nominee_code,
        )).scalar_one_or_none()
        return uuid.UUID(found) if found else None

    def append(
        self, connection: Connection, expected_version: int, events: Sequence[DossierEvent]
    ) -> None:
        """Append events that were decided on `expected_version`; VersionConflict if another
        writer got there first. The caller's transaction must then be rolled back."""
        for offset, event in enumerate(events, start=1):
            if event.sequence != expected_version + offset:
                raise ValueError(f"event {event.sequence} does not follow {expected_version}")
        try:
            connection.execute(insert(dossier_events), [_row(e) for e in events])
            for event in events:
                if isinstance(event, DossierOpened):
                    connection.execute(insert(nominations).values(_nomination_row(event)))
        except IntegrityError as exc:
            raise VersionConflict(str(exc.orig)) from exc

    def restore(self, connection: Connection, event: DossierEvent) -> bool:
        """Put an event read from the topic into the store unless it is there already (it is,
        unless the database was lost or is being rebuilt). True if it was missing."""
        c = dossier_events.c
        stored = connection.execute(select(c.event_id).where(
            c.dossier_id == str(event.dossier_id), c.sequence == event.sequence
        )).scalar_one_or_none()
        if stored is not None:
            if stored != str(event.event_id):
                log.error("dossier history diverges from the topic; keeping the stored event",
                          extra={"dossier_id": str(event.dossier_id),
                                 "sequence": event.sequence, "stored_event_id": stored,
                                 "topic_event_id": str(event.event_id)})
            return False
        connection.execute(insert(dossier_events).values(_row(event)))
        if isinstance(event, DossierOpened):
            held_by = connection.execute(select(nominations.c.dossier_id).where(
                nominations.c.dossier_id == str(event.dossier_id)
            )).scalar_one_or_none()
            if held_by is None:
                connection.execute(insert(nominations).values(_nomination_row(event)))
        return True
