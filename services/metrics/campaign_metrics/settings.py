"""Settings of the metrics service."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from campaign_kit.settings import ServiceSettings


class MetricsSettings(ServiceSettings):
    grpc_port: int = Field(default=50051, ge=0, le=65535)
    metrics_port: int = Field(default=9101, ge=0, le=65535)
    catalogue_file: Path | None = Field(default=None, description="Procedure catalogue CSV; default: seed")
