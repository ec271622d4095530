"""Settings of the awards service."""

from __future__ import annotations

from pydantic import Field

from campaign_kit.settings import IdentitySettings, ServiceSettings


class AwardsSettings(ServiceSettings, IdentitySettings):
    """Callers of DecideAward / RevokeDecision: ACCESS_TOKENS(_FILE) entries of the council role
    for machine clients, IDENTITY_SECRET(_FILE) for people signed in to the workspace."""

    grpc_port: int = Field(default=50053, ge=0, le=65535)
    metrics_port: int = Field(default=9103, ge=0, le=65535)
