"""Settings of the notifier service."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, SecretStr

from campaign_kit.settings import IdentitySettings, ServiceSettings


class NotifierSettings(ServiceSettings, IdentitySettings):
    """Callers of ListDeliveries / Resend: ACCESS_TOKENS and IDENTITY_SECRET (see the kit)."""

    grpc_port: int = Field(default=50054, ge=0, le=65535)
    metrics_port: int = Field(default=9104, ge=0, le=65535)
    smtp_host: str = Field(default="127.0.0.1", description="SMTP relay host")
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = Field(
        default="none", description="none, starttls (submission, 587) or tls (implicit, 465)")
    smtp_starttls: bool = Field(default=False, description="Old name of SMTP_SECURITY=starttls")
    smtp_verify_tls: bool = True
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout_s: float = Field(default=10.0, gt=0)
    webhook_secret: SecretStr = Field(
        default=SecretStr(""), description="HMAC-SHA256 key of signed webhooks (32+ bytes)")
    webhook_timeout_s: float = Field(default=10.0, gt=0)
    delivery_max_attempts: int = Field(default=5, ge=1)
    delivery_retry_s: float = Field(default=30.0, gt=0, description="Pause after a first "
                                    "failure; doubled after each next one (with jitter)")
    delivery_retry_cap_s: float = Field(default=3600.0, gt=0)
    delivery_poll_s: float = Field(default=2.0, gt=0, description="How often due deliveries "
                                   "and scheduled rules are looked at")
    clock_start: AwareDatetime | None = Field(
        default=None, description="Replays only: the campaign time the campaign clock starts "
        "at (then runs at CLOCK_SPEED); unset: the campaign clock is the wall clock")
    clock_speed: float = Field(default=1.0, gt=0, description="Campaign seconds per second")
    awards_grpc_target: str = Field(default="", description="host:port of the awards service, "
                                    "for forecasts; empty: digests say there is none")
    awards_token: SecretStr = Field(default=SecretStr(""),
                                    description="Token the notifier calls the awards service with")

    @property
    def security(self) -> Literal["none", "starttls", "tls"]:
        return "starttls" if self.smtp_starttls and self.smtp_security == "none" \
            else self.smtp_security
