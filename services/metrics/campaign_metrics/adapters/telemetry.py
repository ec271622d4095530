"""Prometheus metrics of the metrics service: how the stream is doing (records in, rejected by
reason, lag, processing time, freshness per unit and portal) and where the campaign stands (each
unit's and the Department's indicator rates over the campaign period, for the dashboard)."""

from __future__ import annotations

import contextlib

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from campaign_contracts.events import Figure

_BATCH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class MetricsTelemetry:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.records_in = Counter(
            "portal_records", "Portal records read from the inbound topic", registry=registry
        )
        self.rejected = Counter(
            "portal_records_rejected", "Portal records dead-lettered, by reason (both paths)",
            ["reason"], registry=registry,
        )
        self.unknown = Counter(
            "portal_records_unknown_to_catalogue",
            "Accepted records whose unit or procedure the catalogue lacks", registry=registry,
        )
        self.last_record = Gauge(
            "portal_last_record_timestamp_seconds", "Time of the latest record per unit",
            ["unit_code"], registry=registry,
        )
        self.batch_seconds = Histogram(
            "inbound_batch_seconds", "Time to apply one batch of inbound records (one transaction)",
            buckets=_BATCH_BUCKETS, registry=registry,
        )
        self.batch_records = Histogram(
            "inbound_batch_records", "Records per applied batch",
            buckets=(1, 10, 100, 500, 1000, 2000, 5000, 10000), registry=registry,
        )
        self.lag = Gauge(
            "inbound_consumer_lag", "Records of the inbound topic not applied yet, per partition",
            ["partition"], registry=registry,
        )
        self.flush_seconds = Histogram(
            "indicator_flush_seconds", "Time to announce the changed indicator cells",
            buckets=_BATCH_BUCKETS, registry=registry,
        )
        self.announced = Counter(
            "indicator_updates", "IndicatorUpdated events written (after coalescing)",
            registry=registry,
        )
        self.rate = Gauge(
            "indicator_rate", "Indicator rate over the campaign period (absent when n/a)",
            ["indicator", "subject_kind", "subject_code"], registry=registry,
        )
        self.numerator = Gauge(
            "indicator_numerator", "Indicator numerator over the campaign period",
            ["indicator", "subject_kind", "subject_code"], registry=registry,
        )
        self.denominator = Gauge(
            "indicator_denominator", "Indicator denominator over the campaign period",
            ["indicator", "subject_kind", "subject_code"], registry=registry,
        )
        self.grpc_records = Counter(
            "grpc_ingest_records", "Records received through the gRPC Ingest call",
            ["portal", "outcome"], registry=registry,
        )
        self.grpc_last = Gauge(
            "portal_last_ingest_timestamp_seconds",
            "Time of the latest gRPC Ingest call per portal (a silent portal is an alert)",
            ["portal"], registry=registry,
        )
        self.catalogue = Gauge(
            "catalogue_info", "The procedure catalogue in force (value 1)",
            ["version"], registry=registry,
        )

        self.unattributed = Gauge(
            "unattributed_dossiers",
            "Dossiers kept of a unit that is not in the campaign file (alert when above 0)",
            ["unit_code"], registry=registry,
        )
        self.definition_reports = Gauge(
            "definition_reports",
            "Mismatches between the catalogue in force and the campaign file (see the log)",
            registry=registry,
        )
        self.caught_up = Gauge(
            "inbound_caught_up",
            "1 when every record on the inbound topic has been applied, else 0",
            registry=registry,
        )
        self.lag_total = Gauge(
            "inbound_lag_records", "Records on the inbound topic not applied yet, all partitions",
            registry=registry,
        )

    def show_figure(self, indicator: str, kind: str, code: str, figure: Figure) -> None:
        """A campaign-period figure on the dashboard; n/a is no value at all, not 0."""
        labels = (indicator, kind, code)
        self.numerator.labels(*labels).set(figure.numerator)
        self.denominator.labels(*labels).set(figure.denominator)
        if figure.rate is None:
            with contextlib.suppress(KeyError):
                self.rate.remove(*labels)
        else:
            self.rate.labels(*labels).set(float(figure.rate))

    def show_catalogue(self, version: str) -> None:
        self.catalogue.clear()
        self.catalogue.labels(version).set(1)
