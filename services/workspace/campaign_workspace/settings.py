"""The workspace's settings from the environment (campaign_kit.settings): where it listens, where
the four services answer, and the secrets of sessions and signed identities."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from campaign_kit.settings import IdentitySettings

SERVICES = ("metrics", "dossiers", "awards", "notifier")


class WorkspaceSettings(IdentitySettings, BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    http_host: str = Field(default="127.0.0.1", description="Interface the web server binds")
    http_port: int = Field(default=8080, ge=0, le=65535, description="Web port")
    database_url: str = Field(default="", description="SQLAlchemy URL of the accounts table")
    data_dir: Path = Field(default=Path("var"), description="Where the default SQLite file lives")
    campaign_file: Path | None = Field(default=None, description="Campaign YAML; default: seed")
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    metrics_addr: str = Field(default="127.0.0.1:50051", description="metrics gRPC host:port")
    dossiers_addr: str = Field(default="127.0.0.1:50052", description="dossiers gRPC host:port")
    awards_addr: str = Field(default="127.0.0.1:50053", description="awards gRPC host:port")
    notifier_addr: str = Field(default="127.0.0.1:50054", description="notifier gRPC host:port")
    metrics_links: str = Field(
        default="metrics=http://127.0.0.1:9101/metrics,dossiers=http://127.0.0.1:9102/metrics,"
        "awards=http://127.0.0.1:9103/metrics,notifier=http://127.0.0.1:9104/metrics",
        description="Each service's Prometheus /metrics URL for operators: name=url, comma "
        "separated")
    session_secret: SecretStr = Field(
        default=SecretStr(""), description="Key of the session cookies (32+ bytes)")
    session_secret_file: Path | None = Field(default=None, description="File of SESSION_SECRET")
    session_hours: float = Field(default=10.0, gt=0, description="How long a sign-in lasts")
    cookie_secure: bool | None = Field(
        default=None, description="Secure cookies; default: when the request came over https")
    board_poll_s: float = Field(
        default=2.0, gt=0, description="How often the board's one watcher asks for standings")
    identity_ttl_s: int = Field(default=300, gt=0, le=3600,
                                description="Life of the signed identity sent on each call")
    grpc_timeout_s: float = Field(default=15.0, gt=0)

    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'workspace.db'}"

    def address(self, service: str) -> str:
        return str(getattr(self, f"{service}_addr"))

    def metrics_link_map(self) -> dict[str, str]:
        links: dict[str, str] = {}
        for entry in self.metrics_links.split(","):
            name, _, url = entry.strip().partition("=")
            if name and url:
                links[name.strip()] = url.strip()
        return links

    def session_secret_bytes(self) -> bytes:
        if self.session_secret_file is not None:
            return self.session_secret_file.read_text(encoding="utf-8").strip().encode("utf-8")
        return self.session_secret.get_secret_value().encode("utf-8")
