"""Service settings from the environment; a bad or missing value stops the process at once
with one readable line instead of a traceback."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from campaign_kit.startup import remember_settings


class DatabaseSettings(BaseSettings):
    """Where a service's database is: all that `python -m campaign_<service> migrate` needs."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    database_url: str = Field(default="", description="SQLAlchemy URL; default: a SQLite file")
    data_dir: Path = Field(default=Path("var"), description="Where the default SQLite file lives")

    def sqlalchemy_url(self, service: str) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / f'{service}.db'}"


class ServiceSettings(DatabaseSettings):
    """Settings every service has. Each service subclasses it and adds its own."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    kafka_bootstrap_servers: str = Field(
        default="127.0.0.1:9092", description="Kafka bootstrap servers, comma separated"
    )
    topic_prefix: str = Field(default="", description="Prefix of every topic (isolates tests)")
    consumer_group: str = Field(default="", description="Consumer group; default: the service name")
    grpc_host: str = Field(default="127.0.0.1", description="Interface the gRPC server binds")
    grpc_port: int = Field(ge=0, le=65535, description="gRPC port (0: any free port)")
    metrics_host: str = Field(default="127.0.0.1", description="Interface of /metrics")
    metrics_port: int = Field(ge=0, le=65535, description="Prometheus /metrics port")
    campaign_file: Path | None = Field(default=None, description="Campaign YAML; default: seed")
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    create_topics: bool = Field(default=True, description="Create missing topics at start")
    kafka_connect_timeout_s: float = Field(
        default=30.0, gt=0, description="How long a starting service waits for the broker"
    )
    # Transport security (campaign_kit.tls); plaintext when unset, as in local runs.
    grpc_tls_cert_file: Path | None = Field(default=None, description="gRPC server certificate")
    grpc_tls_key_file: Path | None = Field(default=None, description="Its private key")
    grpc_tls_client_ca_file: Path | None = Field(
        default=None, description="CA of client certificates: set it for mutual TLS"
    )
    kafka_security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = Field(
        default="PLAINTEXT", description="How the Kafka clients connect"
    )
    kafka_ssl_ca_file: Path | None = Field(default=None, description="CA of the brokers")
    kafka_ssl_cert_file: Path | None = Field(default=None, description="Client certificate")
    kafka_ssl_key_file: Path | None = Field(default=None, description="Its private key")
    kafka_sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "PLAIN"
    kafka_sasl_username: str = ""
    kafka_sasl_password: SecretStr = Field(
        default=SecretStr(""), description="SASL password (or KAFKA_SASL_PASSWORD_FILE)"
    )
    relay_interval_s: float = Field(
        default=5.0, gt=0, description="How often events left in the outbox are published again"
    )


S = TypeVar("S", bound=BaseSettings)


def secrets_from_files(cls: type[BaseSettings], environ: Mapping[str, str]) -> dict[str, Any]:
    """Values given as files: `NAME_FILE=/run/secrets/x` sets NAME to the file's text (its final
    newline removed), so secrets stay out of the environment. NAME itself, when set, wins; a
    setting with its own `*_file` field reads that file itself."""
    values: dict[str, Any] = {}
    for name in cls.model_fields:
        variable = name.upper()
        path = environ.get(f"{variable}_FILE")
        if not path or variable in environ or f"{name}_file" in cls.model_fields:
            continue
        try:
            values[name] = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as exc:
            print(f"configuration error: {variable}_FILE: {exc.strerror or exc}: {path}",
                  file=sys.stderr)
            raise SystemExit(2) from None
    return values


def load_settings(cls: type[S]) -> S:
    """Read settings (secrets may come from `*_FILE` files) or exit(2) with a line naming each
    bad variable."""
    try:
        settings = cls(**secrets_from_files(cls, os.environ))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()
        )
        print(f"configuration error: {problems}", file=sys.stderr)
        raise SystemExit(2) from None
    remember_settings(settings)
    return settings


class IdentitySettings(BaseSettings):
    """Who may call a service (see campaign_kit.identity): static tokens for machine clients and
    the shared secret that verifies the workspace's signed identities. Secrets may come from
    files (`*_FILE`), so that they stay out of the environment."""

    access_tokens: SecretStr = Field(
        default=SecretStr(""),
        description="Machine callers: 'token:role[:unit_code]' entries, comma separated; role "
        "is unit, office, council or operator",
    )
    access_tokens_file: Path | None = Field(
        default=None, description="File of access token entries, one per line"
    )
    identity_secret: SecretStr = Field(
        default=SecretStr(""), description="Shared secret of signed identities (32+ bytes)"
    )
    identity_secret_file: Path | None = Field(
        default=None, description="File holding IDENTITY_SECRET"
    )

    def access_token_entries(self) -> str:
        text = self.access_tokens.get_secret_value()
        if self.access_tokens_file is not None:
            text += "\n" + self.access_tokens_file.read_text(encoding="utf-8")
        return text

    def identity_secret_bytes(self) -> bytes:
        if self.identity_secret_file is not None:
            return self.identity_secret_file.read_text(encoding="utf-8").strip().encode("utf-8")
        return self.identity_secret.get_secret_value().encode("utf-8")
