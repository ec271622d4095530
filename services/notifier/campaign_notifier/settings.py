"""Settings of the notifier service."""

from __future__ import annotations

from pydantic import Field

from campaign_kit.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    grpc_port: int = Field(default=50054, ge=0, le=65535)
    metrics_port: int = Field(default=9104, ge=0, le=65535)
    smtp_host: str = Field(default="127.0.0.1", description="SMTP relay host")
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    delivery_max_attempts: int = Field(default=5, ge=1)
    delivery_retry_s: float = Field(default=30.0, gt=0, description="Pause before a retry")
