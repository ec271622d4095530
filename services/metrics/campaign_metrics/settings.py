"""Settings of the metrics service."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator

from campaign_kit.settings import ServiceSettings
from campaign_metrics.adapters.ingest import IngestLimits
from campaign_metrics.adapters.portal_auth import parse_portal_tokens


class MetricsSettings(ServiceSettings):
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    metrics_port: int = Field(default=9101, ge=0, le=65535)
    catalogue_file: Path | None = Field(
        default=None,
        description="Procedure catalogue CSV put on the catalogue topic when that topic is "
        "still empty; default: the seed catalogue",
    )
    portal_tokens: str = Field(
        default="",
        description="Portals allowed to call Ingest, as name:token pairs separated by commas "
        "(e.g. cong-dvc-lang-son:s3cret,mot-cua-qlvt:t0ken)",
    )
    portal_tokens_file: Path | None = Field(
        default=None, description="A file of name:token pairs, one per line (# comments)"
    )
    inbound_batch_max: int = Field(
        # 10,000 rather than 5,000: a batch's cells, lookups and commit cost about the same
        # either way, and catching up took 15% less CPU per record (bench.metrics_throughput).
        default=10_000, ge=1, le=50_000, description="Most portal records applied in one batch"
    )
    inbound_batch_wait_ms: int = Field(
        default=100, ge=1, le=10_000, description="Longest wait for a batch to fill"
    )
    indicator_flush_s: float = Field(
        default=0.5, gt=0, le=600,
        description="Window over which indicator changes are coalesced into one event per cell "
        "(a record's event follows it within about this long at a province's pace)",
    )
    indicator_catch_up_flush_s: float = Field(
        default=10.0, gt=0, le=600,
        description="The coalescing window while the service catches up on a backlog",
    )
    emit_accepted_records: bool = Field(
        default=False,
        description="Also publish a PortalRecordAccepted event per accepted record (one more "
        "event per record: off unless a consumer needs it)",
    )

    ingest_record_max_bytes: int = Field(
        default=512 * 1024, ge=1024, le=900 * 1024,
        description="Largest portal record Ingest accepts; a larger one is refused on its own "
        "(reason record_too_large) and the stream goes on. Below the broker's message limit",
    )
    ingest_message_max_bytes: int = Field(
        default=2 * 1024 * 1024, ge=1024, le=4 * 1024 * 1024,
        description="Largest Ingest message read; a larger one ends the call "
        "(RESOURCE_EXHAUSTED, reason message_too_large) after the records before it are on "
        "the log. At most gRPC's own limit of 4 MiB",
    )

    @field_validator("portal_tokens")
    @classmethod
    def _tokens_parse(cls, value: str) -> str:
        parse_portal_tokens(value)  # fails at start, naming the bad pair (not its token)
        return value

    def ingest_limits(self) -> IngestLimits:
        return IngestLimits(self.ingest_record_max_bytes,
                            max(self.ingest_message_max_bytes, self.ingest_record_max_bytes))

    def portal_token_text(self) -> str:
        """Pairs from the variable and the file together."""
        text = self.portal_tokens
        if self.portal_tokens_file is not None:
            text += "\n" + self.portal_tokens_file.read_text(encoding="utf-8")
        return text
