"""Settings of the dossiers service."""

from __future__ import annotations

from pydantic import Field

from campaign_kit.settings import ServiceSettings


class DossiersSettings(ServiceSettings):
    grpc_port: int = Field(default=50052, ge=0, le=65535)
    metrics_port: int = Field(default=9102, ge=0, le=65535)
