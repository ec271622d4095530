"""Service settings from the environment; a bad or missing value stops the process at once
with one readable line instead of a traceback."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """Settings every service has. Each service subclasses it and adds its own."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma separated"
    )
    topic_prefix: str = Field(default="", description="Prefix of every topic (isolates tests)")
    consumer_group: str = Field(default="", description="Consumer group; default: the service name")
    database_url: str = Field(default="", description="SQLAlchemy URL; default: a SQLite file")
    data_dir: Path = Field(default=Path("var"), description="Where the default SQLite file lives")
    grpc_host: str = Field(default="127.0.0.1", description="Interface the gRPC server binds")
    grpc_port: int = Field(ge=0, le=65535, description="gRPC port (0: any free port)")
    metrics_host: str = Field(default="127.0.0.1", description="Interface of /metrics")
    metrics_port: int = Field(ge=0, le=65535, description="Prometheus /metrics port")
    campaign_file: Path | None = Field(default=None, description="Campaign YAML; default: seed")
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    create_topics: bool = Field(default=True, description="Create missing topics at start")
    relay_interval_s: float = Field(
        default=5.0, gt=0, description="How often events left in the outbox are published again"
    )

    def sqlalchemy_url(self, service: str) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / f'{service}.db'}"


S = TypeVar("S", bound=ServiceSettings)


def load_settings(cls: type[S]) -> S:
    """Read settings or exit(2) with a line naming each bad variable."""
    try:
        return cls()
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        print(f"configuration error: {problems}", file=sys.stderr)
        raise SystemExit(2) from None
