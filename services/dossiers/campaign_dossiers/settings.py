"""Settings of the dossiers service."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from campaign_kit.settings import IdentitySettings, ServiceSettings

MIB = 1024 * 1024


class DossiersSettings(ServiceSettings, IdentitySettings):
    """Callers: ACCESS_TOKENS / ACCESS_TOKENS_FILE for machine clients, IDENTITY_SECRET(_FILE)
    for people signed in to the workspace; with neither, every dossier call is refused."""

    grpc_port: int = Field(default=50052, ge=0, le=65535)
    metrics_port: int = Field(default=9102, ge=0, le=65535)
    blob_dir: Path | None = Field(
        default=None, description="Where uploaded documents are kept; default DATA_DIR/blobs"
    )
    max_document_bytes: int = Field(
        default=20 * MIB, ge=1, le=512 * MIB, description="Largest document accepted, in bytes"
    )

    @property
    def blob_root(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"
