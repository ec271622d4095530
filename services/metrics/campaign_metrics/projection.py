"""Applies one inbound portal record: validate, store the dossier's latest snapshot with the
record that placed it, recompute the indicator cells it touches, and write the resulting
events to the outbox — all in the caller's transaction."""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import Connection, select

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import (
    Figure,
    IndicatorCode,
    IndicatorUpdated,
    PeriodKind,
    PortalRecordAccepted,
    PortalRecordDeadLettered,
    SubjectKind,
)
from campaign_contracts.portal_record import (
    PortalRecord,
    RecordRejected,
    parse_portal_record,
)
from campaign_kit.db import upsert
from campaign_kit.outbox import add_to_outbox
from campaign_metrics import SERVICE
from campaign_metrics.catalogue import Catalogue
from campaign_metrics.indicators import Cell, k3_figure
from campaign_metrics.store import dossiers, indicator_cells, outbox

RECORD_NAMESPACE = uuid.UUID("6f1c2a4e-8d7b-4c1e-9a43-0b5e2f6d7c10")


class MetricsTelemetry:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.records_in = Counter(
            "portal_records_total", "Portal records read", registry=registry
        )
        self.rejected = Counter(
            "portal_records_rejected_total", "Portal records dead-lettered, by reason",
            ["reason"], registry=registry,
        )
        self.unknown = Counter(
            "portal_records_unknown_to_catalogue_total",
            "Accepted records whose unit or procedure the catalogue lacks", registry=registry,
        )
        self.rate = Gauge(
            "indicator_rate", "Indicator rate over the campaign period (absent when n/a)",
            ["indicator", "subject_kind", "subject_code"], registry=registry,
        )
        self.last_record = Gauge(
            "portal_last_record_timestamp_seconds", "Time of the latest record per unit",
            ["unit_code"], registry=registry,
        )


@dataclass(frozen=True)
class OutputTopics:
    dead_letter: str
    accepted: str
    indicators: str


def record_source(record: ConsumerRecord[bytes, bytes]) -> str:
    return f"{record.topic}/{record.partition}/{record.offset}"


class MetricsProjection:
    def __init__(
        self, campaign: Campaign, catalogue: Catalogue, topics: OutputTopics,
        telemetry: MetricsTelemetry,
    ) -> None:
        self.campaign = campaign
        self.catalogue = catalogue
        self.topics = topics
        self.telemetry = telemetry

    def apply(self, connection: Connection, record: ConsumerRecord[bytes, bytes]) -> None:
        self.telemetry.records_in.inc()
        source = record_source(record)
        # The inbound record is not an event; a stable id derived from its position lets the
        # events it causes name it as their cause.
        record_id = uuid.uuid5(RECORD_NAMESPACE, source)
        try:
            portal = parse_portal_record(record.value or b"")
        except RecordRejected as rejected:
            self._dead_letter(connection, record, rejected, record_id)
            return
        previous_unit = connection.execute(
            select(dossiers.c.unit_code).where(dossiers.c.dossier_code == portal.dossier_code)
        ).scalar_one_or_none()
        record_at = datetime.fromtimestamp(record.timestamp / 1000, UTC)
        known = self.catalogue.knows(portal.unit_code, portal.procedure_code)
        self._store_snapshot(connection, portal, record, record_at, known)
        accepted = PortalRecordAccepted(
            producer=SERVICE, correlation_id=record_id, causation_id=record_id,
            dossier_code=portal.dossier_code, unit_code=portal.unit_code,
            procedure_code=portal.procedure_code, received=portal.is_received,
            source=source, known_to_catalogue=known,
        )
        add_to_outbox(connection, outbox, self.topics.accepted, portal.dossier_code, accepted)
        if not known:
            self.telemetry.unknown.inc()
        self.telemetry.last_record.labels(portal.unit_code).set(record_at.timestamp())
        subjects = {(SubjectKind.UNIT, portal.unit_code),
                    (SubjectKind.DEPARTMENT, self.campaign.department_code)}
        if previous_unit is not None:
            subjects.add((SubjectKind.UNIT, previous_unit))  # a re-synced dossier may move
        for kind, code in sorted(subjects):
            self._refresh_k3(connection, kind, code, accepted, record_at)

    def _store_snapshot(
        self, connection: Connection, portal: PortalRecord, record: ConsumerRecord[bytes, bytes],
        record_at: datetime, known: bool,
    ) -> None:
        received_on = (
            portal.received_at.astimezone(self.campaign.tz).date() if portal.received_at else None
        )
        upsert(connection, dossiers, {
            "dossier_code": portal.dossier_code,
            "unit_code": portal.unit_code,
            "procedure_code": portal.procedure_code,
            "channel": int(portal.channel),
            "status": int(portal.status),
            "received": portal.is_received,
            "received_on": received_on,
            "online_payment": int(portal.online_payment),
            "fee_exempt": portal.is_fee_exempt,
            "fee_bearing": self.catalogue.has_fees(portal.procedure_code)
            and not portal.is_fee_exempt,
            "receiving_officer": portal.receiving_officer,
            "known_to_catalogue": known,
            "source_topic": record.topic,
            "source_partition": record.partition,
            "source_offset": record.offset,
            "record_at": record_at,
        }, ["dossier_code"])

    def _refresh_k3(
        self, connection: Connection, kind: SubjectKind, code: str, cause: PortalRecordAccepted,
        as_of: datetime,
    ) -> None:
        period = self.campaign.period
        cell = Cell(IndicatorCode.K3, kind, code, PeriodKind.CAMPAIGN, period.key)
        figure = k3_figure(connection, self.campaign, kind, code, period)
        previous = self._stored_figure(connection, cell)
        if previous == figure:
            return
        rule = self.campaign.indicator(IndicatorCode.K3)
        upsert(connection, indicator_cells, {
            "indicator": cell.indicator.value, "subject_kind": kind.value, "subject_code": code,
            "period_kind": cell.period_kind.value, "period_key": cell.period_key,
            "numerator": figure.numerator, "denominator": figure.denominator,
            "campaign_version": self.campaign.version,
            "catalogue_version": self.catalogue.version, "as_of": as_of,
        }, ["indicator", "subject_kind", "subject_code", "period_kind", "period_key"])
        event = IndicatorUpdated.caused_by(
            cause, producer=SERVICE, campaign_id=self.campaign.campaign_id,
            campaign_version=self.campaign.version, catalogue_version=self.catalogue.version,
            indicator=cell.indicator, subject_kind=kind, subject_code=code,
            period_kind=cell.period_kind, period_key=cell.period_key, figure=figure,
            previous=previous, target=rule.target, target_met=figure.meets(rule.target),
            as_of=as_of,
        )
        add_to_outbox(connection, outbox, self.topics.indicators, code, event)
        if figure.rate is None:  # n/a is no value at all, not 0
            with contextlib.suppress(KeyError):
                self.telemetry.rate.remove(cell.indicator.value, kind.value, code)
        else:
            self.telemetry.rate.labels(cell.indicator.value, kind.value, code).set(
                float(figure.rate)
            )

    @staticmethod
    def _stored_figure(connection: Connection, cell: Cell) -> Figure | None:
        c = indicator_cells.c
        row = connection.execute(
            select(c.numerator, c.denominator).where(
                c.indicator == cell.indicator.value, c.subject_kind == cell.subject_kind.value,
                c.subject_code == cell.subject_code, c.period_kind == cell.period_kind.value,
                c.period_key == cell.period_key,
            )
        ).one_or_none()
        return None if row is None else Figure.of(row.numerator, row.denominator)

    def _dead_letter(
        self, connection: Connection, record: ConsumerRecord[bytes, bytes],
        rejected: RecordRejected, record_id: uuid.UUID,
    ) -> None:
        self.telemetry.rejected.labels(rejected.reason).inc()
        key = record.key.decode("utf-8", "replace") if record.key else None
        event = PortalRecordDeadLettered(
            producer=SERVICE, correlation_id=record_id, causation_id=record_id,
            reason=rejected.reason, detail=rejected.detail, source=record_source(record),
            key=key, original=record.value or b"",
        )
        add_to_outbox(connection, outbox, self.topics.dead_letter, key or "", event)
